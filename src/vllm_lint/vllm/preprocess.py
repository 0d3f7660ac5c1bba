"""vLLM's own preprocessing of the command line before argparse runs (``FlexibleArgumentParser.
parse_args``, vllm/utils/argparse_utils.py; vllm/utils.py before 0.11), release by release:
``--config file.yaml`` expansion (CLI > config > defaults), ``vllm serve --model X`` (an error in
0.8.3-0.11.0, moved to the positional slot with a warning from 0.11.1), ``_`` -> ``-`` in the option name
before the first ``.``, dotted JSON keys (``--limit-mm-per-prompt.image 2``, ``+`` appends), and
``-O<n>`` (``--compilation-config`` alias in 0.6-0.11, ``--optimization-level`` from 0.14).
"""

from __future__ import annotations

import json
import re
from typing import Callable, Mapping

from vllm_lint.vllm.convert import ConvertError, human_readable_int
from vllm_lint.vllm.flags import FlagTable
from vllm_lint.vllm.parsed import ArgProblem, Item
from vllm_lint.vllm.releases import first_release_where
from vllm_lint.vllm.versions import at_least

# When vLLM's own preprocessing features arrived. Read from each release's wheel where
# data/releases.json records it; the others are checked against every release's recorded verdicts
# (tests/data/differential).
DOTTED_SINCE = "0.9.0"  # --flag.key value (JSON-arg dotted keys)
DOTTED_KEY_SINCE = "0.9.1"  # '_' -> '-' stops at the first '.' (0.9.0 rewrote the dotted keys too)
DOTTED_JSON_SINCE = "0.9.2"  # dotted values parsed as JSON, '+' appends, short options (-cc.x) dotted too
DOTTED_HR_INT_SINCE = "0.20.0"  # dotted values fall back to human-readable ints
SERVED_NAME_CHECK_SINCE = "0.17.0"  # --served-model-name without a positional model is a ValueError
OPT_LEVEL_SINCE = "0.12.0"  # -O<n> -> --optimization-level (0.9-0.10: -O.level=<n>, 0.11: -O.mode=<n>)
# `vllm serve --model X`: positional wins silently (0.5.2-0.5.4), ValueError unless X is the default
# (0.5.5-0.8.2), ValueError for any --model token (0.8.3-0.11.0), moved to the positional slot with a
# warning (0.11.1+); read from each release's console script (data/releases.json)
SERVE_MODEL_FLAG_CHECK_SINCE = first_release_where(lambda r: r.serve_model_flag == "error_unless_default")
SERVE_MODEL_FLAG_ERROR_SINCE = first_release_where(lambda r: r.serve_model_flag == "error")
SERVE_MODEL_FLAG_MOVED_SINCE = first_release_where(lambda r: r.serve_model_flag == "moved")
SERVE_CONFIG_SINCE = "0.6.0"
FLEXIBLE_PARSER_SINCE = first_release_where(lambda r: r.underscore_options)  # FlexibleArgumentParser (_ -> -)


def _normalise_option(text: str, dotted: bool = True) -> str:
    """``--max_model_len=8_192`` -> ``--max-model-len=8_192``: '_' -> '-' in the option name (before
    the first '.' since dotted keys exist, 0.9+; in the whole name before)."""
    if not text.startswith("--"):
        return text
    flag, eq, value = text.partition("=")
    if not dotted:
        return flag.replace("_", "-") + eq + value
    head, dot, tail = flag.partition(".")
    return head.replace("_", "-") + dot + tail + eq + value


def _config_items(mapping: Mapping, origin: int, table: FlagTable) -> list[Item]:
    """vLLM's load_config_file: YAML keys -> argv. ``true`` -> ``--key``; ``false`` -> ``--no-<key>``
    only if that exact option exists (so ``enable_x: false`` with underscores is silently dropped);
    lists -> repeated values; dicts -> JSON."""
    out: list[Item] = []
    for key, value in mapping.items():
        opt = "--" + str(key)
        if isinstance(value, bool):
            if value:
                out.append(Item(opt, origin, True))
            elif table.lookup("--no-" + str(key)) is not None:
                out.append(Item("--no-" + str(key), origin, True))
            continue
        if isinstance(value, list):
            if value:
                out.append(Item(opt, origin, True))
                out.extend(Item(str(v), origin, True) for v in value)
            continue
        if isinstance(value, dict):
            out += [Item(opt, origin, True), Item(json.dumps(value), origin, True)]
            continue
        out += [Item(opt, origin, True), Item(str(value), origin, True)]
    return out


def _dotted_value(text: str, version: str) -> object:
    if not at_least(version, DOTTED_JSON_SINCE):
        return text  # 0.9.0-0.9.1: the nested dict holds the strings as written
    try:
        return json.loads(text)
    except ValueError:
        pass
    if at_least(version, DOTTED_HR_INT_SINCE):
        try:
            return human_readable_int(text)
        except ConvertError:
            pass
    return text


def _deep_merge(original: dict, update: dict) -> None:
    for k, v in update.items():
        if isinstance(v, dict) and isinstance(original.get(k), dict):
            _deep_merge(original[k], v)
        elif isinstance(v, list) and isinstance(original.get(k), list):
            original[k] += v
        else:
            original[k] = v


def _merge_dotted(items: list[Item], version: str) -> list[Item]:
    """``--a.b.c v`` / ``--a.b=v`` / ``--a.k+ 1,2``: merged per flag into one JSON value, appended
    as ``--a <json>`` after all other arguments (0.9+). Any token starting with '-' and holding a
    '.' before its '=' counts, as in vLLM."""
    out: list[Item] = []
    merged: dict[str, tuple[Item, dict]] = {}
    skip: set[int] = set()
    for i, it in enumerate(items):
        if i in skip:
            continue
        t = it.text
        dashes = "-" if at_least(version, DOTTED_JSON_SINCE) else "--"
        if t.startswith(dashes) and "." in t and not it.symbolic:
            if "=" in t:
                key_part, value = t.split("=", 1)
                if "." not in key_part:
                    out.append(it)
                    continue
            else:
                if i + 1 >= len(items):
                    out.append(it)
                    continue
                key_part, value = t, items[i + 1].text
                skip.add(i + 1)
            if key_part.endswith("+") and at_least(version, DOTTED_JSON_SINCE):
                key_part = key_part[:-1]
                value = json.dumps(value.split(","))
            head, *keys = key_part.split(".")
            nested: object = _dotted_value(value, version)
            for k in reversed(keys):
                nested = {k: nested}
            if head not in merged:
                merged[head] = (it, {})
            _deep_merge(merged[head][1], nested)  # type: ignore[arg-type]
            continue
        out.append(it)
    for head, (first, data) in merged.items():
        out.append(Item(head, first.origin, first.from_config))
        out.append(Item(json.dumps(data), first.origin, first.from_config))
    return out


def _rewrite_dash_o(items: list[Item], version: str) -> list[Item]:
    """``-O``: argparse's own short option (0.6-0.8), ``-O.level=<n>`` (0.9-0.10), ``-O.mode=<n>``
    (0.11), ``--optimization-level <n>`` (0.14+)."""
    if not at_least(version, "0.9.0"):
        return items
    new_style = at_least(version, OPT_LEVEL_SINCE)
    key = "mode" if at_least(version, "0.11.0") else "level"
    out: list[Item] = []
    for i, it in enumerate(items):
        t = it.text
        if t.startswith("-O") and t != "-O" and (new_style or t[2] != "."):
            level = t[3:] if t[2] == "=" else t[2:]
            if new_style:
                out += [Item("--optimization-level", it.origin, it.from_config), Item(level, it.origin, it.from_config)]
            else:
                out.append(Item(f"-O.{key}={level}", it.origin, it.from_config))
            continue
        if t == "-O" and i + 1 < len(items) and items[i + 1].text in ("0", "1", "2", "3"):
            out.append(Item("--optimization-level" if new_style else f"-O.{key}", it.origin, it.from_config))
            continue
        out.append(it)
    return out


def preprocess(
    items: list[Item],
    version: str,
    entrypoint: str,
    table: FlagTable,
    config_loader: Callable[[str], Mapping | None] | None,
) -> tuple[list[Item], Item | None, str | None, list[ArgProblem], list[ArgProblem]]:
    """FlexibleArgumentParser.parse_args before argparse runs, release by release (vllm/utils)."""
    fatal: list[ArgProblem] = []
    notes: list[ArgProblem] = []
    serve = entrypoint == "serve"
    items, model_flag = _serve_model_flag(items, version, serve, fatal, notes)
    items, config_model = _expand_config(items, version, serve, table, config_loader, fatal)
    if at_least(version, FLEXIBLE_PARSER_SINCE):
        dotted = at_least(version, DOTTED_KEY_SINCE)
        items = [Item(_normalise_option(it.text, dotted), it.origin, it.from_config, it.symbolic) for it in items]
    items = _rewrite_dash_o(items, version)
    if at_least(version, DOTTED_SINCE):
        items = _merge_dotted(items, version)
    return items, model_flag, config_model, fatal, notes


def _serve_model_flag(items: list[Item], version: str, serve: bool, fatal: list[ArgProblem],
                      notes: list[ArgProblem]) -> tuple[list[Item], Item | None]:
    """``vllm serve --model X``: an error in 0.8.3-0.11.0 (exact ``--model`` token), moved to the
    positional slot with a warning in 0.11.1+; also 0.17+'s check that the model comes first."""
    model_flag: Item | None = None
    if serve and at_least(version, SERVE_MODEL_FLAG_MOVED_SINCE):
        k = next((k for k, it in enumerate(items) if re.match(r"^--model(=.+|$)", it.text)), None)
        if k is not None:
            model_flag = items[k]
            if model_flag.text == "--model":
                value = items[k + 1] if k + 1 < len(items) else None
                rest = k + 2
            else:
                value = Item(model_flag.text[len("--model="):], model_flag.origin, False, model_flag.symbolic)
                rest = k + 1
            items = ([value] if value is not None else []) + items[:k] + items[rest:]
            notes.append(ArgProblem(
                "model-flag",
                "With `vllm serve`, you should provide the model as a positional argument or in a config file "
                "instead of via the `--model` option. The `--model` option will be removed in a future version.",
                model_flag.origin, value.origin if value is not None else None,
            ))
        if (
            at_least(version, SERVED_NAME_CHECK_SINCE)
            and items and items[0].text.startswith("-")
            and not any(re.match(r"^--config(=.+|$)", it.text) for it in items)
            and any(re.match(r"^--served[-_]model[-_]name(=.+|$)", it.text) for it in items)
        ):
            first = next(it for it in items if re.match(r"^--served[-_]model[-_]name", it.text))
            fatal.append(ArgProblem(
                "model-missing",
                "ValueError: `model` should be provided as the first positional argument when using "
                "`vllm serve`. i.e. `vllm serve <model> --<arg> <value>`.",
                first.origin, fatal=True,
            ))
    elif serve and at_least(version, SERVE_MODEL_FLAG_ERROR_SINCE):
        k = next((k for k, it in enumerate(items) if it.text == "--model"), None)
        if k is not None:
            model_flag = items[k]
            fatal.append(ArgProblem(
                "model-flag",
                "ValueError: With `vllm serve`, you should provide the model as a positional argument or "
                "in a config file instead of via the `--model` option.",
                model_flag.origin, items[k + 1].origin if k + 1 < len(items) else None, fatal=True,
            ))
    elif serve:
        k = next((k for k, it in enumerate(items) if re.match(r"^--model(=.+|$)", it.text)), None)
        model_flag = items[k] if k is not None else None
    return items, model_flag


def _expand_config(items: list[Item], version: str, serve: bool, table: FlagTable,
                   config_loader: Callable[[str], Mapping | None] | None,
                   fatal: list[ArgProblem]) -> tuple[list[Item], str | None]:
    """``--config file.yaml`` (exact token): its options inserted after the positional model, so
    that the command line wins over the file and the file over the defaults."""
    config_model: str | None = None
    if at_least(version, SERVE_CONFIG_SINCE) and any(it.text == "--config" for it in items):
        k = next(k for k, it in enumerate(items) if it.text == "--config")
        path_item = items[k + 1] if k + 1 < len(items) else None
        if path_item is None:
            fatal.append(ArgProblem("config-file", "ValueError: No config file specified! Please check your "
                                    "command-line arguments.", items[k].origin, fatal=True))
        elif not path_item.symbolic:
            ext = path_item.text.split(".")[-1]
            if ext not in ("yaml", "yml"):
                # before 0.11.1 the message was built with a stray comma: a tuple is printed
                text = (f"ValueError: Config file must be of a yaml/yml type. {ext} supplied" if at_least(version, "0.11.1")
                        else "ValueError: ('Config file must be of a yaml/yml type." + " " * 30 + f"%s supplied', '{ext}')")
                fatal.append(ArgProblem("config-file", text,
                                        items[k].origin, path_item.origin, fatal=True))
            else:
                try:
                    mapping = config_loader(path_item.text) if config_loader else None
                except FileNotFoundError:
                    # the loader knows the file is missing (as opposed to None: cannot tell)
                    mapping = None
                    fatal.append(ArgProblem("config-file", f"FileNotFoundError: [Errno 2] No such file or directory: "
                                            f"'{path_item.text}'", items[k].origin, path_item.origin, fatal=True))
                if mapping is not None:
                    if isinstance(mapping.get("model"), str):
                        config_model = mapping["model"]
                    new = _config_items(mapping, path_item.origin, table)
                    rest = items[:k] + items[k + 2:]
                    model_in_cli = bool(rest) and not rest[0].text.startswith("-")
                    if serve and not model_in_cli and config_model is None:
                        fatal.append(ArgProblem("model-missing", "ValueError: No model specified! Please specify model "
                                                "either as a positional argument or in a config file.",
                                                items[k].origin, fatal=True))
                    at = 1 if serve and model_in_cli else 0
                    items = rest[:at] + new + rest[at:]
    return items, config_model
