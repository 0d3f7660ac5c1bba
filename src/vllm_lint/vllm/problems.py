"""The problems argparse leaves for the caller, stated the way vLLM prints them and with the fix that
means what the file meant: unknown options (with a did-you-mean, the releases that knew a removed
option, or the tool an option really belongs to), values given to switches, stray positionals.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from vllm_lint.suggest import closest_option
from vllm_lint.vllm.argparser import Fatal, Opt, Result, arg_name, classify, nargs_range
from vllm_lint.vllm.flags import SWITCH_KINDS, FlagSpec, FlagTable, option_history
from vllm_lint.vllm.parsed import ArgProblem, Item

# Options of other tools that people pass to vllm serve: option -> what it is (data file, with its schema).
NON_VLLM_OPTIONS: dict[str, str] = json.loads(
    (Path(__file__).resolve().parent / "data" / "non-vllm-options.json").read_text(encoding="utf-8"))["options"]


def did_you_mean(option: str, table: FlagTable) -> str | None:
    return _did_you_mean_in(option.split("=", 1)[0], tuple(table.long_options()))


@lru_cache(maxsize=256)
def _did_you_mean_in(option: str, pool: tuple[str, ...]) -> str | None:
    return closest_option(option, pool)


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
            text += replacement_text(hist.replacement)
        return "removed-flag", text
    # present both before and after but not here (e.g. --disable-log-requests 0.18-0.32)
    text = f"{option} is not accepted by vLLM {version}"
    if hist.replacement:
        text += replacement_text(hist.replacement)
    return "removed-flag", text


def replacement_text(replacement: str) -> str:
    if replacement.startswith("nothing"):
        reason = replacement.removeprefix("nothing").lstrip(": ").replace(" (drop the flag)", "")
        return f"; drop it ({reason})" if reason and reason != "(drop the flag)" else "; drop it"
    return f"; use {replacement}"


def _last_before(present: Sequence[str], v: tuple) -> str:
    from vllm_lint.vllm.versions import parse_version

    before = [p for p in present if (parse_version(p) or (0,)) < v]
    return before[-1] if before else present[0]


UNKNOWN_CODES = ("unknown-flag", "removed-flag", "not-yet-added", "non-vllm-option")


def with_prog(p: ArgProblem, prog: str) -> ArgProblem:
    if not p.message.startswith(prog) and not re.match(r"^\w+Error: ", p.message):
        p.message = f"{prog}: error: {p.message}"
    return p


def looks_like_model(text: str) -> bool:
    return "/" in text or text.startswith(("hf://", "s3://", "gs://")) or bool(re.match(r"^[\w.-]+$", text))


def rewrite_flag(written: str, new_flag: str) -> str:
    """The token with its flag part replaced (``--max-num-seq=8`` -> ``--max-num-seqs=8``)."""
    _, eq, value = written.partition("=")
    return new_flag + (eq + value if eq else "")


def _negation_for(spec: FlagSpec) -> str | None:
    negs = spec.negations + spec.hidden_negations
    if not negs:
        return None
    pref = "--no-" + spec.primary[2:]
    return pref if pref in negs else negs[0]


def bool_value_problem(spec: FlagSpec, opt: Opt, it: Item, tokens: Sequence[str], version: str, prog: str) -> ArgProblem:
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
    msg = f"{prog}: error: argument {arg_name(spec)}: ignored explicit argument {opt.explicit!r}"
    return ArgProblem("bool-with-value", msg, it.origin, it.origin, replacement=replacement, suggestion=suggestion, fatal=True, dest=spec.dest)


def previous_switch(it: Item, items: list[Item], position: dict[int, int], table: FlagTable, entrypoint: str) -> tuple[Item, FlagSpec, bool] | None:
    """The switch right before a stray 'True'/'False' token (``--enforce-eager False``)."""
    if it.text.lower() not in ("true", "false", "1", "0", "yes", "no"):
        return None
    k = position.get(id(it))
    if not k:
        return None
    prev = items[k - 1]
    try:
        opt = classify(prev.text, table, entrypoint, prev.origin)
    except Fatal:
        return None
    if opt is None or opt.spec is None or nargs_range(opt.spec)[1] != 0:
        return None
    return prev, opt.spec, opt.negated


def stray_bool_value(prev: tuple[Item, FlagSpec, bool], it: Item, tokens: Sequence[str], version: str, unrec_msg: str, table: FlagTable) -> ArgProblem:
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


def unknown_problem(it: Item, opt: Opt, table: FlagTable, tokens: Sequence[str], version: str, unrec_msg: str, entrypoint: str, res: Result) -> ArgProblem:
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
    guess = did_you_mean(written, table) if len(res.unknown) <= 64 else None
    replacement = None
    if guess and 0 <= it.origin < len(tokens) and not it.from_config:
        replacement = [(it.origin, rewrite_flag(tokens[it.origin], guess))]
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
