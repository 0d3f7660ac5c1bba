"""vLLM's server command line, parsed the way the target release parses it.

Models ``FlexibleArgumentParser`` (vllm/utils/argparse_utils.py; vllm/utils.py before 0.11) on top of
CPython 3.11 ``argparse``:

* preprocessing by vLLM: ``--config file.yaml`` expansion (CLI > config > defaults), ``vllm serve --model X``
  (an error in 0.8-0.10, moved to the positional slot with a warning from 0.11), ``_`` -> ``-`` in the
  option name before the first ``.``, dotted JSON keys (``--limit-mm-per-prompt.image 2``, ``+`` appends),
  and ``-O<n>`` (``--compilation-config`` alias in 0.6-0.11, ``--optimization-level`` from 0.14);
* argparse proper: exact options, ``--flag=value``, unique-prefix abbreviations and the
  ``ambiguous option`` error, nargs, ``ignored explicit argument`` for switches, type and choice
  errors, the optional positional ``model_tag`` and ``unrecognized arguments``.

``parse_args`` never raises: everything vLLM would reject, or silently do differently from what the
file says, becomes an ``ArgProblem``; ``ParsedArgs.error`` is the one line vLLM itself would die with.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Mapping, Sequence

from vllm_lint.vllm.convert import ConvertError, convert, human_readable_int, store_boolean
from vllm_lint.vllm.flags import SWITCH_KINDS, FlagSpec, FlagTable, flag_table, option_history
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
SERVE_POSITIONAL_OPTIONAL_SINCE = "0.8.3"  # vllm serve [model_tag] (the table's `positional` says it too)
API_SERVER_POSITIONAL_SINCE = "0.10.0"  # shared parser defines model_tag; api_server ignores it
# `vllm serve --model X`: positional wins silently (0.5.2-0.5.4), ValueError unless X is the default
# (0.5.5-0.8.2), ValueError for any --model token (0.8.3-0.11.0), moved to the positional slot with a
# warning (0.11.1+)
SERVE_MODEL_FLAG_CHECK_SINCE = first_release_where(lambda r: r.serve_model_flag == "error_unless_default")
SERVE_MODEL_FLAG_ERROR_SINCE = first_release_where(lambda r: r.serve_model_flag == "error")
SERVE_MODEL_FLAG_MOVED_SINCE = first_release_where(lambda r: r.serve_model_flag == "moved")
SERVE_CONFIG_SINCE = "0.6.0"
FLEXIBLE_PARSER_SINCE = first_release_where(lambda r: r.underscore_options)  # FlexibleArgumentParser (_ -> -)

# Options people pass to vllm serve that belong to other tools (sampling params, llama.cpp, TGI...).
NON_VLLM_OPTIONS = {
    "--temperature": "a per-request sampling parameter (send it in the request, or set it with --generation-config / --override-generation-config)",
    "--top-p": "a per-request sampling parameter (set it in the request or with --override-generation-config)",
    "--top-k": "a per-request sampling parameter (set it in the request or with --override-generation-config)",
    "--min-p": "a per-request sampling parameter (set it in the request or with --override-generation-config)",
    "--repetition-penalty": "a per-request sampling parameter (set it in the request or with --override-generation-config)",
    "--presence-penalty": "a per-request sampling parameter",
    "--frequency-penalty": "a per-request sampling parameter",
    "--max-tokens": "a per-request sampling parameter (max output tokens go in the request)",
    "--max-new-tokens": "a per-request sampling parameter",
    "--n-gpu-layers": "a llama.cpp option",
    "--ctx-size": "a llama.cpp option (vLLM uses --max-model-len)",
    "--threads": "a llama.cpp option",
    "--max-input-length": "a text-generation-inference option (vLLM uses --max-model-len)",
    "--max-total-tokens": "a text-generation-inference option (vLLM uses --max-model-len)",
    "--num-shard": "a text-generation-inference option (vLLM uses --tensor-parallel-size)",
    "--model-id": "a text-generation-inference option (vLLM takes the model as `vllm serve <model>` or --model)",
    "--model_id": "a KServe huggingface-runtime option",
    "--model_name": "a KServe huggingface-runtime option",
}

_PROG = {"serve": "vllm serve", "api_server": "api_server.py", "legacy_api_server": "api_server.py"}

_SYMBOLIC_RE = re.compile(r"\$\{|\$\(|\{\{|\$[A-Za-z_]|\{[A-Za-z_][\w.]*\}|%\{|REPLACE_ENV_")
_NEG_NUMBER_RE = re.compile(r"^-\d+$|^-\d*\.\d+$")


def is_symbolic(text: str) -> bool:
    """True when a token still holds an unexpanded ``${VAR}``, ``$(VAR)``, ``{{ }}`` or template."""
    return bool(_SYMBOLIC_RE.search(text))


@dataclass(slots=True)
class FlagUse:
    """Where one option was given: token indexes into the launch's args."""

    flag_index: int
    value_index: int | None
    option_string: str  # as written (after vLLM's _ -> - normalisation), e.g. "--max-num-seq"
    value_text: str | None = None
    from_config: bool = False


@dataclass(slots=True)
class ArgProblem:
    """Something vLLM rejects or does differently than the file says.

    ``replacement`` lists (token index, new full token text) edits that make the launch do what
    was meant without changing behaviour otherwise; an empty text means "delete the token".
    """

    code: str
    message: str
    token_index: int
    value_index: int | None = None
    replacement: list[tuple[int, str]] | None = None
    suggestion: str | None = None
    fatal: bool = False  # vLLM exits at startup
    dest: str | None = None
    detail: str | None = None


@dataclass(slots=True)
class ParsedArgs:
    """The launch's options as vLLM ``version`` sees them.

    ``values`` holds only what the launch sets (dest -> typed value); ``effective(dest)`` falls back
    to the release default. Symbolic values (``${VAR}``) are left out of ``values``.
    """

    version: str
    entrypoint: str
    table: FlagTable
    values: dict[str, object] = field(default_factory=dict)
    uses: dict[str, FlagUse] = field(default_factory=dict)
    occurrences: dict[str, list[FlagUse]] = field(default_factory=dict)
    model: str | None = None
    model_index: int | None = None
    served_model_name: list[str] | None = None
    problems: list[ArgProblem] = field(default_factory=list)
    error: str | None = None  # the line vLLM would exit with ("vllm serve: error: ..."), if any
    symbolic: set[str] = field(default_factory=set)  # dests whose value is not known statically
    opaque: list[int] = field(default_factory=list)  # token indexes that may expand to any args

    def effective(self, dest: str) -> object:
        if dest in self.values:
            return self.values[dest]
        spec = self.table.by_dest(dest)
        return spec.default if spec else None

    def has(self, dest: str) -> bool:
        return dest in self.uses


@dataclass(slots=True)
class _Item:
    text: str
    origin: int  # index into the caller's tokens (-1: synthesized with no place)
    from_config: bool = False
    symbolic: bool = False


# --------------------------------------------------------------------------------------------
# vLLM preprocessing


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


def _config_items(mapping: Mapping, origin: int, table: FlagTable) -> list[_Item]:
    """vLLM's load_config_file: YAML keys -> argv. ``true`` -> ``--key``; ``false`` -> ``--no-<key>``
    only if that exact option exists (so ``enable_x: false`` with underscores is silently dropped);
    lists -> repeated values; dicts -> JSON."""
    out: list[_Item] = []
    for key, value in mapping.items():
        opt = "--" + str(key)
        if isinstance(value, bool):
            if value:
                out.append(_Item(opt, origin, True))
            elif table.lookup("--no-" + str(key)) is not None:
                out.append(_Item("--no-" + str(key), origin, True))
            continue
        if isinstance(value, list):
            if value:
                out.append(_Item(opt, origin, True))
                out.extend(_Item(str(v), origin, True) for v in value)
            continue
        if isinstance(value, dict):
            out += [_Item(opt, origin, True), _Item(json.dumps(value), origin, True)]
            continue
        out += [_Item(opt, origin, True), _Item(str(value), origin, True)]
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


def _merge_dotted(items: list[_Item], version: str) -> list[_Item]:
    """``--a.b.c v`` / ``--a.b=v`` / ``--a.k+ 1,2``: merged per flag into one JSON value, appended
    as ``--a <json>`` after all other arguments (0.9+). Any token starting with '-' and holding a
    '.' before its '=' counts, as in vLLM."""
    out: list[_Item] = []
    merged: dict[str, tuple[_Item, dict]] = {}
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
        out.append(_Item(head, first.origin, first.from_config))
        out.append(_Item(json.dumps(data), first.origin, first.from_config))
    return out


def _rewrite_dash_o(items: list[_Item], version: str) -> list[_Item]:
    """``-O``: argparse's own short option (0.6-0.8), ``-O.level=<n>`` (0.9-0.10), ``-O.mode=<n>``
    (0.11), ``--optimization-level <n>`` (0.14+)."""
    if not at_least(version, "0.9.0"):
        return items
    new_style = at_least(version, OPT_LEVEL_SINCE)
    key = "mode" if at_least(version, "0.11.0") else "level"
    out: list[_Item] = []
    for i, it in enumerate(items):
        t = it.text
        if t.startswith("-O") and t != "-O" and (new_style or t[2] != "."):
            level = t[3:] if t[2] == "=" else t[2:]
            if new_style:
                out += [_Item("--optimization-level", it.origin, it.from_config), _Item(level, it.origin, it.from_config)]
            else:
                out.append(_Item(f"-O.{key}={level}", it.origin, it.from_config))
            continue
        if t == "-O" and i + 1 < len(items) and items[i + 1].text in ("0", "1", "2", "3"):
            out.append(_Item("--optimization-level" if new_style else f"-O.{key}", it.origin, it.from_config))
            continue
        out.append(it)
    return out


# --------------------------------------------------------------------------------------------
# argparse emulation


@dataclass(slots=True)
class _Opt:
    spec: FlagSpec | None
    option_string: str  # the matched option string (full), or the unknown text
    explicit: str | None
    negated: bool = False
    abbreviated: bool = False


class _Fatal(Exception):
    def __init__(self, problem: ArgProblem) -> None:
        self.problem = problem


def _help_spec() -> FlagSpec:
    return FlagSpec(dest="help", options=("-h", "--help"), kind="store_true", type="bool")


def _classify(text: str, table: FlagTable, entrypoint: str, origin: int) -> _Opt | None:
    """argparse's _parse_optional: None for a positional, else the option (spec None if unknown)."""
    if not text or text[0] != "-":
        return None
    hit = table.lookup(text)
    if hit and not (hit[0].serve_only and entrypoint != "serve") and not (hit[0].api_only and entrypoint == "serve"):
        return _Opt(hit[0], text, None, hit[1])
    if text in ("-h", "--help"):
        return _Opt(_help_spec(), text, None)
    if len(text) == 1:
        return None
    if "=" in text:
        opt, explicit = text.split("=", 1)
        hit = table.lookup(opt)
        if hit and not (hit[0].serve_only and entrypoint != "serve") and not (hit[0].api_only and entrypoint == "serve"):
            return _Opt(hit[0], opt, explicit, hit[1])
    # Unique-prefix matching (allow_abbrev=True), CPython 3.11 _get_option_tuples.
    # argparse scans every option string; the same candidates come from prefix lookups on the
    # table (bisection), so thousands of unknown flags in one file stay cheap. When the table
    # lacks --help, argparse's own -h/--help come last.
    candidates: list[tuple[str, str | None]] = []
    help_missing = "--help" not in table.prefix_matches("--help", entrypoint=entrypoint)
    if text.startswith("--"):
        prefix, _, explicit = text.partition("=")
        explicit_arg = explicit if "=" in text else None
        names = table.prefix_matches(prefix, entrypoint=entrypoint)
        if help_missing and "--help".startswith(prefix):
            names = [*names, "--help"]
        candidates = [(o, explicit_arg) for o in names]
    else:
        short_prefix, short_explicit = text[:2], text[2:]
        names = table.prefix_matches(short_prefix, entrypoint=entrypoint)
        if help_missing and short_prefix == "-h":
            names = [*names, "-h"]
        for o in names:
            if o == short_prefix:
                candidates.append((o, short_explicit))
            elif o.startswith(text):
                candidates.append((o, None))
    if len(candidates) > 1:
        matches = ", ".join(o for o, _ in candidates)
        raise _Fatal(ArgProblem("ambiguous-abbreviation", f"ambiguous option: {text} could match {matches}", origin,
                                fatal=True, suggestion=f"write one of {matches} in full"))
    if len(candidates) == 1:
        o, explicit_arg = candidates[0]
        if o in ("-h", "--help"):
            return _Opt(_help_spec(), o, explicit_arg, abbreviated=True)
        spec, negated = table.lookup(o)  # type: ignore[misc]
        return _Opt(spec, o, explicit_arg, negated, abbreviated=True)
    if _NEG_NUMBER_RE.match(text):
        return None
    if " " in text:
        return None
    return _Opt(None, text, None)


def _nargs_range(spec: FlagSpec) -> tuple[int, int | None]:
    if spec.kind in SWITCH_KINDS:
        return 0, 0
    n = spec.nargs
    if n is None:
        return 1, 1
    if n == "?":
        return 0, 1
    if n == "+":
        return 1, None
    if n == "*":
        return 0, None
    return int(n), int(n)


def _arg_name(spec: FlagSpec) -> str:
    return spec.display_name


def _convert_value(spec: FlagSpec, text: str, origin: int, flag_origin: int) -> object:
    try:
        if spec.kind == "store_boolean":
            value = store_boolean(text)
        else:
            type_name = spec.type_name
            if spec.type.startswith("json_dataclass") and isinstance(spec.default, dict):
                type_name = spec.default.get("__dataclass__", type_name)
            err = spec.err
            if spec.err_shapes:
                shape = "json" if re.match(r"(?s)^\s*\{.*\}\s*$", text) else "plain"
                err = spec.err_shapes.get(shape, err)
            value = convert(text, spec.type, type_name, err)
    except ConvertError as e:
        msg = str(e) if re.match(r"^(ValueError|SyntaxError): ", str(e)) else f"argument {_arg_name(spec)}: {e}"
        raise _Fatal(ArgProblem(e.code, msg, flag_origin, origin, fatal=True, dest=spec.dest)) from None
    if spec.choices is not None and value not in spec.choices:  # argparse checks the converted value, None too
        choices = ", ".join(repr(c) for c in spec.choices)
        raise _Fatal(
            ArgProblem(
                "invalid-choice",
                f"argument {_arg_name(spec)}: invalid choice: {value!r} (choose from {choices})",
                flag_origin,
                origin,
                fatal=True,
                dest=spec.dest,
                detail=text,
            )
        )
    return value


@dataclass(slots=True)
class _Result:
    values: dict[str, object] = field(default_factory=dict)
    uses: dict[str, FlagUse] = field(default_factory=dict)
    occurrences: dict[str, list[FlagUse]] = field(default_factory=dict)
    positional: list[_Item] = field(default_factory=list)
    extras: list[_Item] = field(default_factory=list)
    unknown: list[tuple[_Item, _Opt]] = field(default_factory=list)
    abbreviated: list[tuple[_Item, _Opt]] = field(default_factory=list)
    bool_values: list[tuple[_Item, _Opt]] = field(default_factory=list)
    symbolic: set[str] = field(default_factory=set)
    fatal: ArgProblem | None = None
    soft: list[ArgProblem] = field(default_factory=list)  # type/choice errors after the first


def _run_argparse(items: list[_Item], table: FlagTable, entrypoint: str, n_positionals: tuple[int, int]) -> _Result:
    """Emulate ``parse_known_args`` + the extras check. The first fatal error stops, as in argparse;
    later value errors are still collected (``soft``) so one run reports all of them."""
    res = _Result()
    classes: list[_Opt | None] = []
    for it in items:
        if it.symbolic and not it.text.startswith("-"):
            classes.append(None)
            continue
        try:
            classes.append(_classify(it.text, table, entrypoint, it.origin))
        except _Fatal as f:
            if res.fatal is None:
                res.fatal = f.problem
            else:
                res.soft.append(f.problem)
            classes.append(_Opt(None, it.text, None, abbreviated=True))
    pos_min, pos_max = n_positionals
    pos_slots = pos_max  # remaining positional slots (model_tag)
    i = 0
    n = len(items)
    while i < n:
        cls = classes[i]
        if cls is None:
            # a run of positionals before the next option
            j = i
            while j < n and classes[j] is None:
                j += 1
            run = items[i:j]
            take = min(len(run), pos_slots)
            res.positional.extend(run[:take])
            pos_slots -= take
            if take < len(run):
                res.extras.extend(run[take:])
            i = j
            continue
        it = items[i]
        if cls.spec is None:
            res.extras.append(it)
            if not cls.abbreviated:  # an ambiguous prefix is reported as such, not as unknown
                res.unknown.append((it, cls))
            i += 1
            continue
        spec = cls.spec
        if cls.abbreviated:
            res.abbreviated.append((it, cls))
        lo, hi = _nargs_range(spec)
        if cls.explicit is not None:
            if hi == 0:
                res.bool_values.append((it, cls))
                if res.fatal is None:
                    res.fatal = ArgProblem(
                        "bool-with-value",
                        f"argument {_arg_name(spec)}: ignored explicit argument {cls.explicit!r}",
                        it.origin,
                        it.origin,
                        fatal=True,
                        dest=spec.dest,
                    )
                i += 1
                continue
            args = [_Item(cls.explicit, it.origin, it.from_config, it.symbolic)]
            stop = i + 1
        else:
            j = i + 1
            while j < n and classes[j] is None and (hi is None or j - i - 1 < hi):
                j += 1
            args = items[i + 1 : j]
            stop = j
            if len(args) < lo:
                msg = "expected one argument" if lo == 1 and hi == 1 else "expected at least one argument"
                if res.fatal is None:
                    res.fatal = ArgProblem("missing-value", f"argument {_arg_name(spec)}: {msg}", it.origin, fatal=True, dest=spec.dest)
                i = stop
                continue
        use = FlagUse(it.origin, args[0].origin if args else None, cls.option_string, args[0].text if args else None, it.from_config)
        res.occurrences.setdefault(spec.dest, []).append(use)
        res.uses[spec.dest] = use
        # the value
        if spec.kind == "store_true":
            value: object = True
        elif spec.kind == "store_false":
            value = False
        elif spec.kind == "store_const":
            value = spec.const
        elif spec.kind == "bool_opt":
            value = not cls.negated
        elif any(a.symbolic for a in args):
            res.symbolic.add(spec.dest)
            res.values.pop(spec.dest, None)
            i = stop
            continue
        elif spec.kind == "store_boolean" and not args:
            value = True
        else:
            converted = []
            for a in args:
                try:
                    converted.append(_convert_value(spec, a.text, a.origin, it.origin))
                except _Fatal as f:
                    if res.fatal is None:
                        res.fatal = f.problem
                    else:
                        res.soft.append(f.problem)
                    converted = None  # type: ignore[assignment]
                    break
            if converted is None:
                i = stop
                continue
            if spec.nargs in ("+", "*"):
                value = converted
            elif spec.nargs == "?" and not converted:
                value = spec.const
            else:
                value = converted[0]
            if spec.kind == "append":
                prev = res.values.get(spec.dest)
                value = (list(prev) if isinstance(prev, list) else []) + [value]
        res.values[spec.dest] = value
        res.symbolic.discard(spec.dest)
        i = stop
    return res


# --------------------------------------------------------------------------------------------
# the public entry point


def _did_you_mean(option: str, table: FlagTable) -> str | None:
    return _did_you_mean_in(option.split("=", 1)[0], tuple(table.long_options()))


@lru_cache(maxsize=256)
def _did_you_mean_in(option: str, pool: tuple[str, ...]) -> str | None:
    import difflib  # only needed when something is misspelt

    flag = option
    close = difflib.get_close_matches(flag, pool, n=1, cutoff=0.75)
    if close:
        return close[0]
    # A word swapped or misspelt in the middle (--gpu-memory-utilisation): compare without dashes.
    squashed = {o.replace("-", ""): o for o in pool}
    close = difflib.get_close_matches(flag.replace("-", ""), list(squashed), n=1, cutoff=0.8)
    return squashed[close[0]] if close else None


def _release_note(option: str, version: str) -> tuple[str, str | None] | None:
    """('removed-flag'|'not-yet-added', text) when another sampled release knows ``option``."""
    hist = option_history(option)
    if hist is None or not hist.present:
        return None
    from vllm_lint.vllm.versions import parse_version

    v = parse_version(version) or (999,)
    present = [parse_version(p) or (0,) for p in hist.present]
    if all(p > v for p in present):
        first = hist.present[0]
        after = hist.added_after
        when = f"added after {after}, first seen in {first}" if after else f"first seen in {first}"
        return "not-yet-added", f"{option} does not exist in vLLM {version} ({when})"
    if all(p < v for p in present) or hist.removed_by:
        last = max(hist.present, key=lambda p: parse_version(p) or (0,))
        later = [p for p in hist.present if (parse_version(p) or (0,)) > v]
        removed = hist.removed_by or "a later release"
        text = f"{option} was removed in vLLM {removed} (last seen in {last if not later else _last_before(hist.present, v)})"
        if later:
            text += f"; it is accepted again from {later[0]}"
        if hist.replacement:
            text += _replacement_text(hist.replacement)
        return "removed-flag", text
    # present both before and after but not here (e.g. --disable-log-requests 0.18-0.32)
    text = f"{option} is not accepted by vLLM {version}"
    if hist.replacement:
        text += _replacement_text(hist.replacement)
    return "removed-flag", text


def _replacement_text(replacement: str) -> str:
    if replacement.startswith("nothing"):
        reason = replacement.removeprefix("nothing").lstrip(": ").replace(" (drop the flag)", "")
        return f"; drop it ({reason})" if reason and reason != "(drop the flag)" else "; drop it"
    return f"; use {replacement}"


def _last_before(present: Sequence[str], v: tuple) -> str:
    from vllm_lint.vllm.versions import parse_version

    before = [p for p in present if (parse_version(p) or (0,)) < v]
    return before[-1] if before else present[0]


def _detect_repeated_subcommand(tokens: Sequence[str], entrypoint: str) -> int:
    """How many leading tokens repeat the program the image already runs (0 if none)."""
    if entrypoint not in ("serve", "api_server"):
        return 0
    toks = [t.strip() for t in tokens[:4]]
    if len(toks) >= 2 and toks[0].rsplit("/", 1)[-1] == "vllm" and toks[1] == "serve":
        return 2
    if len(toks) >= 3 and toks[0].rsplit("/", 1)[-1].startswith("python") and toks[1] == "-m" and toks[2].startswith("vllm.entrypoints"):
        return 3
    if entrypoint == "serve" and toks and toks[0] == "serve":
        return 1
    return 0


@lru_cache(maxsize=8)
def _legacy_table(version: str) -> FlagTable:
    """``python -m vllm.entrypoints.api_server`` (the demo /generate server, 0.4-0.22): its own
    --host/--port/--ssl-*/--root-path/--log-level plus the engine arguments. The OpenAI frontend's
    table stands in for it (a superset except --log-level, added here), so its frontend-only
    options are not reported there."""
    base = flag_table(version)
    extra = FlagSpec(dest="log_level", options=("--log-level",), kind="value", type="str", default="debug")
    return FlagTable(version=base.version, requested=base.requested, flags=base.flags + (extra,),
                     origin=base.origin, uncertain=base.uncertain, prog="api_server.py",
                     positional=None, registry=None, post_choices=base.post_choices)


def parse_args(
    tokens: Sequence[str],
    *,
    version: str,
    entrypoint: str = "serve",
    config_loader: Callable[[str], Mapping | None] | None = None,
) -> ParsedArgs:
    """Parse a launch's argv (everything after ``vllm serve`` / ``-m ...api_server``) as vLLM
    ``version`` would, and list every problem with token indexes into ``tokens``.

    ``config_loader(path)`` reads a ``--config`` YAML file: it returns the mapping, None when the
    file cannot be read statically (nothing is judged), or raises FileNotFoundError when the file
    certainly does not exist (vLLM's own FileNotFoundError is reported)."""
    table = _legacy_table(version) if entrypoint == "legacy_api_server" else flag_table(version)
    out = ParsedArgs(version=version, entrypoint=entrypoint, table=table)
    if entrypoint == "engine_kwargs":
        _parse_engine_kwargs(tokens, table, out)
        return out
    skip = _detect_repeated_subcommand(tokens, entrypoint)
    if skip:
        raw = _parse_core(tokens, version, entrypoint, config_loader, table, 0)
        shown = " ".join(tokens[:skip])
        msg = (
            f"the container's ENTRYPOINT already runs the server; `{shown}` repeated in its arguments "
            f"reaches vLLM as extra arguments"
        )
        out.problems.append(
            ArgProblem(
                "repeated-subcommand",
                raw.error or msg,
                0,
                replacement=[(i, "") for i in range(skip)],
                suggestion=f"remove `{shown}` from the container arguments",
                fatal=True,
                detail=msg,
            )
        )
        out.error = raw.error
    inner = _parse_core(tokens, version, entrypoint, config_loader, table, skip)
    out.values, out.uses, out.occurrences = inner.values, inner.uses, inner.occurrences
    out.model, out.model_index, out.served_model_name = inner.model, inner.model_index, inner.served_model_name
    out.symbolic, out.opaque = inner.symbolic, inner.opaque
    out.problems.extend(inner.problems)
    if not skip:
        out.error = inner.error
    return out


def _preprocess(
    items: list[_Item],
    version: str,
    entrypoint: str,
    table: FlagTable,
    config_loader: Callable[[str], Mapping | None] | None,
) -> tuple[list[_Item], _Item | None, str | None, list[ArgProblem], list[ArgProblem]]:
    """FlexibleArgumentParser.parse_args before argparse runs, release by release (vllm/utils)."""
    fatal: list[ArgProblem] = []
    notes: list[ArgProblem] = []
    model_flag: _Item | None = None
    serve = entrypoint == "serve"

    # `vllm serve --model X`: an error in 0.8.3-0.11.0 (exact '--model' token), moved to the front in 0.11.1+
    if serve and at_least(version, SERVE_MODEL_FLAG_MOVED_SINCE):
        k = next((k for k, it in enumerate(items) if re.match(r"^--model(=.+|$)", it.text)), None)
        if k is not None:
            model_flag = items[k]
            if model_flag.text == "--model":
                value = items[k + 1] if k + 1 < len(items) else None
                rest = k + 2
            else:
                value = _Item(model_flag.text[len("--model="):], model_flag.origin, False, model_flag.symbolic)
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

    # --config file.yaml (exact token), inserted after the positional model: CLI > config > defaults
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

    if at_least(version, FLEXIBLE_PARSER_SINCE):
        dotted = at_least(version, DOTTED_KEY_SINCE)
        items = [_Item(_normalise_option(it.text, dotted), it.origin, it.from_config, it.symbolic) for it in items]
    items = _rewrite_dash_o(items, version)
    if at_least(version, DOTTED_SINCE):
        items = _merge_dotted(items, version)
    return items, model_flag, config_model, fatal, notes


def _parse_core(
    tokens: Sequence[str],
    version: str,
    entrypoint: str,
    config_loader: Callable[[str], Mapping | None] | None,
    table: FlagTable,
    start: int,
) -> ParsedArgs:
    out = ParsedArgs(version=version, entrypoint=entrypoint, table=table)
    prog = _PROG.get(entrypoint, "vllm serve")
    items = [_Item(t, i, False, is_symbolic(t)) for i, t in enumerate(tokens) if i >= start]
    for it in items:
        if it.symbolic and not it.text.startswith("-"):
            out.opaque.append(it.origin)
    fatal: list[ArgProblem] = []  # vLLM preprocessing errors come first

    items, model_flag, config_model, pre_fatal, notes = _preprocess(items, version, entrypoint, table, config_loader)
    fatal.extend(pre_fatal)
    out.problems.extend(notes)

    if entrypoint == "serve" and table.positional is not None:
        n_pos = (1 if table.positional.get("required") else 0, 1)
    elif entrypoint == "serve" and table.prog and at_least(version, "0.5.2"):
        n_pos = (0 if at_least(version, SERVE_POSITIONAL_OPTIONAL_SINCE) else 1, 1)
    elif entrypoint == "api_server" and at_least(version, API_SERVER_POSITIONAL_SINCE):
        n_pos = (0, 1)
    else:
        n_pos = (0, 0)
    res = _run_argparse(items, table, entrypoint, n_pos)

    out.values, out.uses, out.occurrences, out.symbolic = res.values, res.uses, res.occurrences, res.symbolic

    # the model
    unknown_origins = {it.origin for it, _ in res.unknown if "=" not in it.text}
    if res.positional:
        first = res.positional[0]
        if entrypoint != "serve" and first.origin - 1 in unknown_origins:
            pass  # the value of an unknown option, already reported with it
        elif entrypoint == "serve":
            out.model, out.model_index = first.text, first.origin
        else:
            out.problems.append(
                ArgProblem(
                    "model-ignored",
                    f"{first.text} is taken as the positional model_tag, which `python -m "
                    f"vllm.entrypoints.openai.api_server` never reads: it serves "
                    f"{out.values.get('model') or table.by_dest('model').default if table.by_dest('model') else 'the default model'} instead",
                    first.origin,
                    suggestion=f"pass the model as --model {first.text}",
                    replacement=None if "model" in res.uses else [(first.origin, f"--model={first.text}")],
                )
            )
    if out.model is None and isinstance(res.values.get("model"), str):
        out.model = res.values["model"]  # type: ignore[assignment]
        out.model_index = res.uses["model"].value_index
    if out.model is None and config_model is not None:
        out.model = config_model
    if out.model is None and "model" in res.symbolic:
        out.model_index = res.uses["model"].value_index
    smn = res.values.get("served_model_name")
    out.served_model_name = list(smn) if isinstance(smn, list) else ([smn] if isinstance(smn, str) else None)

    # problems from argparse
    pos_problem = None
    if entrypoint == "serve" and n_pos[0] == 1 and not res.positional:
        pos_problem = ArgProblem(
            "missing-model", "the following arguments are required: model_tag", 0, fatal=True
        )
    if model_flag is not None and entrypoint == "serve" and res.positional and at_least(version, SERVE_MODEL_FLAG_MOVED_SINCE):
        pass
    for it, opt in res.abbreviated:
        if it.from_config:
            continue
        full = opt.option_string
        spec = opt.spec
        written = it.text.split("=", 1)[0]
        new_text = full + (it.text[len(written):] if "=" in it.text else "")
        out.problems.append(
            ArgProblem(
                "abbreviated-flag",
                f"{written} works only because argparse accepts the unique prefix of {full}",
                it.origin,
                replacement=[(it.origin, _rewrite_flag(tokens[it.origin], full))] if 0 <= it.origin < len(tokens) else None,
                suggestion=f"write {full}",
                dest=spec.dest if spec else None,
            )
        )
        _ = new_text
    for it, opt in res.bool_values:
        spec = opt.spec
        assert spec is not None
        out.problems.append(_bool_value_problem(spec, opt, it, tokens, version, prog))
    # a stray 'False' after a switch: argparse leaves it as an unrecognized positional
    unknown_texts: list[str] = []
    ambiguous = {p.token_index for p in [res.fatal, *res.soft] if p is not None and p.code == "ambiguous-abbreviation"}
    for k, it in enumerate(res.extras):
        if it.symbolic and not it.text.startswith("-"):
            continue
        if it.origin in ambiguous:
            continue  # argparse stops at an ambiguous option; it never lists it as unrecognized
        unknown_texts.append(it.text)
    # extras are reported by the top-level `vllm` parser (the serve subparser hands them back)
    xprog = "vllm" if entrypoint == "serve" and table.prog else prog
    unrec_msg = f"{xprog}: error: unrecognized arguments: {' '.join(unknown_texts)}"
    for it, opt in res.unknown:
        if it.symbolic and "=" not in it.text.split("$", 1)[0] and is_symbolic(it.text.split("=", 1)[0]):
            continue
        out.problems.append(_unknown_problem(it, opt, table, tokens, version, unrec_msg, entrypoint, res))
    for p in [res.fatal, *res.soft]:
        if p is not None and p.code == "ambiguous-abbreviation" and 0 <= p.token_index < len(tokens):
            k = p.token_index
            if "=" not in tokens[k] and k + 1 < len(tokens) and not tokens[k + 1].startswith("-"):
                p.value_index = k + 1
    unknown_values = {p.value_index for p in [*out.problems, res.fatal, *res.soft] if p is not None and p.code in _UNKNOWN_CODES + ("ambiguous-abbreviation",) and p.value_index is not None}
    position = {id(x): i for i, x in enumerate(items)}
    stray_reported = False
    for it in res.extras:
        if it.text.startswith("-") or it.symbolic or it.origin in unknown_values:
            continue
        prev = _previous_switch(it, items, position, table, entrypoint)
        if prev is not None:
            out.problems.append(_stray_bool_value(prev, it, tokens, version, unrec_msg, table))
            continue
        if stray_reported:
            continue  # argparse prints one line for all of them; one finding is enough
        stray_reported = True
        if entrypoint == "serve" and res.positional:
            code = "model-twice" if out.model and it.origin != out.model_index and _looks_like_model(it.text) else "extra-argument"
            out.problems.append(ArgProblem(
                code, unrec_msg, it.origin, fatal=True,
                detail=f"{it.text} is an extra positional argument; the model is already {out.model}",
            ))
        else:
            out.problems.append(ArgProblem("extra-argument", unrec_msg, it.origin, fatal=True))
    for p in [res.fatal, *res.soft]:
        if p is not None and p.code != "bool-with-value":  # reported above, with its fix
            out.problems.append(_with_prog(p, prog))

    # the verdict: what vLLM itself would die with, in its order
    verdict: str | None = None
    if fatal:
        verdict = fatal[0].message
        out.problems.extend(fatal)
    elif res.fatal is not None:
        m = res.fatal.message
        verdict = m if m.startswith(prog) or re.match(r"^\w+Error: ", m) else f"{prog}: error: {m}"
    elif pos_problem is not None:
        out.problems.append(_with_prog(pos_problem, prog))
        verdict = pos_problem.message
    elif unknown_texts and not out.opaque:
        verdict = unrec_msg
    elif unknown_texts:
        verdict = None  # an opaque ${ARGS} could have consumed them
    if verdict is None and entrypoint == "serve":
        verdict = _serve_post_checks(out, res, items, version, model_flag, config_model)
    out.error = verdict

    _post_choices(out)
    _companions(out, version)
    _duplicates(out, tokens)
    _deprecated(out, res, tokens, version)
    _ranges(out, version)
    return out


_UNKNOWN_CODES = ("unknown-flag", "removed-flag", "not-yet-added", "non-vllm-option")


def _with_prog(p: ArgProblem, prog: str) -> ArgProblem:
    if not p.message.startswith(prog) and not re.match(r"^\w+Error: ", p.message):
        p.message = f"{prog}: error: {p.message}"
    return p


def _looks_like_model(text: str) -> bool:
    return "/" in text or text.startswith(("hf://", "s3://", "gs://")) or bool(re.match(r"^[\w.-]+$", text))


def _rewrite_flag(written: str, new_flag: str) -> str:
    """The token with its flag part replaced (``--max-num-seq=8`` -> ``--max-num-seqs=8``)."""
    _, eq, value = written.partition("=")
    return new_flag + (eq + value if eq else "")


def _negation_for(spec: FlagSpec) -> str | None:
    negs = spec.negations + spec.hidden_negations
    if not negs:
        return None
    pref = "--no-" + spec.primary[2:]
    return pref if pref in negs else negs[0]


def _bool_value_problem(spec: FlagSpec, opt: _Opt, it: _Item, tokens: Sequence[str], version: str, prog: str) -> ArgProblem:
    value = (opt.explicit or "").strip()
    low = value.lower()
    replacement: list[tuple[int, str]] | None = None
    suggestion = None
    written_neg = opt.negated
    if 0 <= it.origin < len(tokens) and not it.from_config:
        if low in ("true", "1", "yes"):
            target = spec.primary if not written_neg else _negation_for(spec) or opt.option_string
            replacement = [(it.origin, target)]
        elif low in ("false", "0", "no"):
            neg = _negation_for(spec) if not written_neg else spec.primary
            if neg:
                replacement = [(it.origin, neg)]
            else:
                replacement = [(it.origin, "")]
                suggestion = f"{spec.primary} is off by default; drop it"
    msg = f"{prog}: error: argument {_arg_name(spec)}: ignored explicit argument {opt.explicit!r}"
    return ArgProblem("bool-with-value", msg, it.origin, it.origin, replacement=replacement, suggestion=suggestion, fatal=True, dest=spec.dest)


def _previous_switch(it: _Item, items: list[_Item], position: dict[int, int], table: FlagTable, entrypoint: str) -> tuple[_Item, FlagSpec, bool] | None:
    """The switch right before a stray 'True'/'False' token (``--enforce-eager False``)."""
    if it.text.lower() not in ("true", "false", "1", "0", "yes", "no"):
        return None
    k = position.get(id(it))
    if not k:
        return None
    prev = items[k - 1]
    try:
        opt = _classify(prev.text, table, entrypoint, prev.origin)
    except _Fatal:
        return None
    if opt is None or opt.spec is None or _nargs_range(opt.spec)[1] != 0:
        return None
    return prev, opt.spec, opt.negated


def _stray_bool_value(prev: tuple[_Item, FlagSpec, bool], it: _Item, tokens: Sequence[str], version: str, unrec_msg: str, table: FlagTable) -> ArgProblem:
    flag_item, spec, negated = prev
    low = it.text.lower()
    replacement: list[tuple[int, str]] | None = None
    suggestion = None
    if 0 <= it.origin < len(tokens) and 0 <= flag_item.origin < len(tokens) and not it.from_config:
        if low in ("true", "1", "yes"):
            replacement = [(it.origin, "")]
        else:
            neg = _negation_for(spec) if not negated else spec.primary
            if neg:
                replacement = [(flag_item.origin, neg), (it.origin, "")]
            else:
                replacement = [(flag_item.origin, ""), (it.origin, "")]
                suggestion = f"{spec.primary} is off unless given; drop it"
    return ArgProblem(
        "bool-with-value",
        unrec_msg,
        flag_item.origin,
        it.origin,
        replacement=replacement,
        suggestion=suggestion,
        fatal=True,
        dest=spec.dest,
        detail=f"{spec.primary} is a switch in vLLM {version} and takes no value",
    )


def _unknown_problem(it: _Item, opt: _Opt, table: FlagTable, tokens: Sequence[str], version: str, unrec_msg: str, entrypoint: str, res: _Result) -> ArgProblem:
    written = it.text.split("=", 1)[0]
    vllm_msg = unrec_msg
    value_index = None
    k = it.origin
    if "=" not in it.text and 0 <= k + 1 < len(tokens) and not tokens[k + 1].startswith("-"):
        value_index = k + 1
    if written in NON_VLLM_OPTIONS:
        return ArgProblem("non-vllm-option", vllm_msg, it.origin, value_index, fatal=True,
                          detail=f"{written} is not a vLLM server option: it is {NON_VLLM_OPTIONS[written]}",
                          replacement=[(it.origin, "")] + ([(value_index, "")] if value_index is not None else []),
                          suggestion=f"remove {written}")
    note = _release_note(written, version)
    if note is not None:
        code, text = note
        hist = option_history(written)
        replacement = None
        suggestion = None
        if code == "removed-flag" and 0 <= it.origin < len(tokens):
            # removing is what the release does anyway once it starts; the value goes with the flag
            takes_value = "=" not in tokens[it.origin] and value_index is not None and _takes_value_hist(written)
            replacement = [(it.origin, "")] + ([(value_index, "")] if takes_value else [])
            suggestion = f"remove {written}"
        if hist and not (hist.replacement or "").startswith("nothing"):
            # a renamed spelling of the same dest that this release has
            spec = table.by_dest(hist.dest)
            if spec is not None:
                suggestion = f"use {spec.primary}"
        return ArgProblem(code, vllm_msg, it.origin, value_index, fatal=True, detail=text,
                          replacement=replacement if code == "removed-flag" else None, suggestion=suggestion)
    # difflib costs ~0.5 ms per option: enough for any real launch, bounded for hostile ones
    guess = _did_you_mean(written, table) if len(res.unknown) <= 64 else None
    replacement = None
    if guess and 0 <= it.origin < len(tokens) and not it.from_config:
        replacement = [(it.origin, _rewrite_flag(tokens[it.origin], guess))]
    return ArgProblem(
        "unknown-flag",
        vllm_msg,
        it.origin,
        value_index,
        fatal=True,
        replacement=replacement,
        suggestion=f"did you mean {guess}?" if guess else None,
        detail=f"{written} is not an option of vLLM {version}",
    )


def _takes_value_hist(option: str) -> bool:
    """Whether ``option`` took a value in the newest release that had it (from history.json)."""
    hist = option_history(option)
    if hist is None or not hist.runs:
        return False
    spec = hist.runs[-1][2]
    return spec["kind"] not in SWITCH_KINDS and spec.get("nargs") != 0


def _serve_post_checks(out: ParsedArgs, res: _Result, items: list[_Item], version: str, model_flag: _Item | None, config_model: str | None) -> str | None:
    """Errors vllm serve raises after argparse accepted the line."""
    if model_flag is not None and not at_least(version, SERVE_MODEL_FLAG_CHECK_SINCE) and out.model is not None:
        res.values["model"] = out.model  # 0.5.2-0.5.4: `args.model = args.model_tag`, --model is dropped
    if model_flag is not None and at_least(version, SERVE_MODEL_FLAG_CHECK_SINCE) \
            and not at_least(version, SERVE_MODEL_FLAG_ERROR_SINCE):
        # 0.5.5-0.8.2: --model given explicitly (and not the default) next to the positional
        default = out.table.by_dest("model").default if out.table.by_dest("model") else None
        if res.values.get("model") not in (None, default):
            msg = ("ValueError: With `vllm serve`, you should provide the model as a positional argument "
                   "instead of via the `--model` option.")
            out.problems.append(ArgProblem("model-flag", msg, model_flag.origin, fatal=True))
            return msg
    return None


# validate_parsed_serve_args (vllm/entrypoints/openai/cli_args.py; entrypoints/common since 0.33): an
# option that does nothing without another one is a TypeError right after parsing.
_COMPANIONS = (
    ("enable_auto_tool_choice", "tool_call_parser", "0.6.0",
     "TypeError: Error: --enable-auto-tool-choice requires --tool-call-parser"),
    ("enable_log_outputs", "enable_log_requests", "0.11.0",
     "TypeError: Error: --enable-log-outputs requires --enable-log-requests"),
)


def _companions(out: ParsedArgs, version: str) -> None:
    if out.entrypoint not in ("serve", "api_server"):
        return
    for flag, needs, since, message in _COMPANIONS:
        if not at_least(version, since) or out.values.get(flag) is not True:
            continue
        if out.values.get(needs) or needs in out.symbolic or out.table.by_dest(needs) is None:
            continue
        use = out.uses[flag]
        out.problems.append(ArgProblem("flag-requires", message, use.flag_index, fatal=True, dest=flag,
                                       detail="checked by vLLM right after parsing (validate_parsed_serve_args)"))


def _post_choices(out: ParsedArgs) -> None:
    """Values argparse takes but vLLM's config rejects at startup, from the release's own registry
    (ModelConfig._verify_quantization: 'Unknown quantization method: X. Must be one of [...]')."""
    known = (out.table.post_choices or {}).get("quantization")
    value = out.values.get("quantization")
    if not known or not isinstance(value, str) or value in known:
        return
    spec = out.table.by_dest("quantization")
    if spec is not None and spec.choices is not None:
        return  # argparse already checked it
    use = out.uses["quantization"]
    out.problems.append(ArgProblem(
        "invalid-choice",
        f"ValueError: Unknown quantization method: {value}. Must be one of {known}.",
        use.flag_index, use.value_index, fatal=True, dest="quantization",
        detail="checked when the model config is built, right after parsing",
    ))


def _duplicates(out: ParsedArgs, tokens: Sequence[str]) -> None:
    """A dest set twice: argparse keeps the last one (vLLM logs 'Found duplicate keys')."""
    for dest, uses in out.occurrences.items():
        if len(uses) < 2:
            continue
        spec = out.table.by_dest(dest)
        if spec is not None and spec.kind == "append":
            continue
        texts = [(u.option_string, u.value_text) for u in uses]
        effective = [_effective_text(u, spec) for u in uses]
        if len(set(effective)) == 1:
            continue
        last = uses[-1]
        shown = ", ".join(f"{o}{'=' + v if v is not None else ''}" for o, v in texts)
        out.problems.append(
            ArgProblem(
                "duplicate-flag",
                f"Found duplicate keys {uses[0].option_string}" if at_least(out.version, "0.9.0")
                else "argparse keeps the last value, silently",
                uses[0].flag_index,
                uses[0].value_index,
                dest=dest,
                detail=f"{dest} is given {len(uses)} times ({shown}); the last one wins: "
                f"{last.option_string}{'=' + last.value_text if last.value_text is not None else ''}",
            )
        )


def _effective_text(u: FlagUse, spec: FlagSpec | None) -> str:
    if spec is not None and spec.kind == "bool_opt":
        return "false" if u.option_string in spec.negations + spec.hidden_negations else "true"
    return u.value_text or ""


def _deprecated(out: ParsedArgs, res: _Result, tokens: Sequence[str], version: str) -> None:
    for dest, use in out.uses.items():
        spec = out.table.by_dest(dest)
        if spec is None or not spec.deprecated or dest == "model":  # --model: see model-flag
            continue
        hist = option_history(spec.primary)
        repl = hist.replacement if hist else None
        removal = hist.removed_by if hist else None
        text = f"{use.option_string} is deprecated in vLLM {version}"
        if removal:
            text += f" and removed in {removal}"
        if repl:
            text += _replacement_text(repl)
        out.problems.append(ArgProblem("deprecated-flag", text, use.flag_index, use.value_index, dest=dest))


# Values argparse accepts but vLLM refuses (or cannot honour) at startup. (lo, lo_inclusive, hi, hi_inclusive)
_RANGES: dict[str, tuple[float | None, bool, float | None, bool]] = {
    "tensor_parallel_size": (1, True, None, True),
    "pipeline_parallel_size": (1, True, None, True),
    "data_parallel_size": (1, True, None, True),
    "max_num_seqs": (1, True, None, True),
    "max_num_batched_tokens": (1, True, None, True),
    "max_loras": (1, True, None, True),
    "swap_space": (0, True, None, True),
    "cpu_offload_gb": (0, True, None, True),
    "block_size": (0, False, None, True),
}


def _ranges(out: ParsedArgs, version: str) -> None:
    for dest, value in out.values.items():
        use = out.uses.get(dest)
        if use is None or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if dest == "gpu_memory_utilization":
            _gpu_util(out, value, use, version)
            continue
        if dest == "max_model_len":
            lo = -1 if at_least(version, "0.14.0") else 1
            if value < lo or (value == 0):
                out.problems.append(ArgProblem("out-of-range", f"max_model_len must be at least {max(lo, 1)} (got {value})",
                                               use.flag_index, use.value_index, fatal=True, dest=dest))
            continue
        spec = out.table.by_dest(dest)
        rng = _RANGES.get(dest)
        if rng is None and spec is not None and spec.constraints:
            c = spec.constraints
            rng = (c.get("ge", c.get("gt")), "ge" in c, c.get("le", c.get("lt")), "le" in c)
        if rng is None:
            continue
        lo, lo_inc, hi, hi_inc = rng
        bad = (lo is not None and (value < lo or (value == lo and not lo_inc))) or (
            hi is not None and (value > hi or (value == hi and not hi_inc))
        )
        if bad:
            bound = []
            if lo is not None:
                bound.append(f"{'>=' if lo_inc else '>'} {lo}")
            if hi is not None:
                bound.append(f"{'<=' if hi_inc else '<'} {hi}")
            out.problems.append(ArgProblem("out-of-range", f"{dest} must be {' and '.join(bound)} (got {value})",
                                           use.flag_index, use.value_index, fatal=True, dest=dest))


def _gpu_util(out: ParsedArgs, value: float, use: FlagUse, version: str) -> None:
    if value <= 0 or value > 1:
        if at_least(version, "0.10.0"):
            msg = f"gpu_memory_utilization must be > 0 and <= 1 (got {value}); vLLM's config validation rejects it"
        else:
            msg = f"GPU memory utilization must be less than 1.0. Got {value}."
        out.problems.append(ArgProblem("out-of-range", msg, use.flag_index, use.value_index, fatal=True, dest="gpu_memory_utilization"))
    elif value >= 0.99:
        out.problems.append(
            ArgProblem(
                "out-of-range",
                f"--gpu-memory-utilization {value} passes the parser but vLLM can never start with it: the startup "
                "check needs free memory >= utilization x total GPU memory, and the CUDA context and driver always hold "
                "some (vLLM exits with 'Free memory on device ... is less than desired GPU memory utilization')",
                use.flag_index,
                use.value_index,
                fatal=True,
                dest="gpu_memory_utilization",
                suggestion="use 0.95 or less",
            )
        )


def _parse_engine_kwargs(tokens: Sequence[str], table: FlagTable, out: ParsedArgs) -> None:
    """``EngineArgs(**kwargs)`` (Ray Serve LLM engine_kwargs, config mappings): exact keys only."""
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if not t.startswith("--"):
            i += 1
            continue
        key = t[2:].split("=", 1)[0]
        value_index = i + 1 if "=" not in t and i + 1 < len(tokens) and not tokens[i + 1].startswith("--") else None
        value_text = t.split("=", 1)[1] if "=" in t else (tokens[value_index] if value_index is not None else None)
        option = "--" + key.replace("_", "-")
        hit = table.lookup(option)
        if hit is None or is_symbolic(key):
            if not is_symbolic(key):
                guess = _did_you_mean(option, table)
                out.problems.append(
                    ArgProblem(
                        "unknown-flag",
                        f"TypeError: EngineArgs.__init__() got an unexpected keyword argument '{key}'",
                        i,
                        value_index,
                        fatal=True,
                        suggestion=f"did you mean {guess[2:].replace('-', '_')}?" if guess else None,
                        replacement=[(i, guess + t[len(t.split("=", 1)[0]):])] if guess else None,
                        detail=f"{key} is not an engine argument of vLLM {out.version}",
                    )
                )
            i = (value_index or i) + 1
            continue
        spec, negated = hit
        use = FlagUse(i, value_index, option, value_text)
        out.uses[spec.dest] = use
        out.occurrences.setdefault(spec.dest, []).append(use)
        if value_text is None:
            out.values[spec.dest] = not negated if spec.is_bool else None
        elif is_symbolic(value_text):
            out.symbolic.add(spec.dest)
        elif spec.is_bool:
            out.values[spec.dest] = value_text.strip().lower() in ("true", "1", "yes", "on")
        else:
            try:
                out.values[spec.dest] = convert(value_text, spec.type, spec.type_name)
            except ConvertError:
                out.values[spec.dest] = value_text
        i = (value_index or i) + 1
    if isinstance(out.values.get("model"), str):
        out.model = out.values["model"]  # type: ignore[assignment]
        out.model_index = out.uses["model"].value_index
    smn = out.values.get("served_model_name")
    out.served_model_name = list(smn) if isinstance(smn, list) else ([smn] if isinstance(smn, str) else None)
    _ranges(out, out.version)
