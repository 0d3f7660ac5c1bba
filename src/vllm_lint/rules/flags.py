"""Flag rules (VL2xx): what vLLM's own parser of the target release says about the launch's argv.

Every finding comes from ``ctx.args`` (vllm_lint.vllm.args.parse_args, which models
FlexibleArgumentParser + argparse per release, checked against the real parsers by the
differential test set). Messages quote the line vLLM itself prints; fixes come from
``ArgProblem.replacement`` and are rendered here in the syntax of the token's place.
"""

from __future__ import annotations

import re
from typing import Iterator

from vllm_lint.diagnostic import Diagnostic, Edit, Fix, Severity
from vllm_lint.launch import Token, is_editable
from vllm_lint.rule_meta import meta
from vllm_lint.rules.context import RuleContext
from vllm_lint.rules.registry import register
from vllm_lint.vllm.parsed import ArgProblem


def _problems(ctx: RuleContext, rule_id: str) -> Iterator[ArgProblem]:
    """The parser's problems that ``rule_id`` reports (``parser_problems`` in its YAML)."""
    codes = meta(rule_id).parser_problems
    for p in ctx.args.problems:
        if p.code in codes:
            yield p


def _token_text_edit(ctx: RuleContext, tok: Token | None, new_text: str) -> Edit | None:
    """Replace a plain argv word, keeping the quotes it is written with; None when the token's
    place cannot take a literal rewrite (chart keys, config keys, expanded variables)."""
    if not is_editable(tok, ("argv",)):
        return None
    if tok.span.path != ctx.src.index.path:
        return None
    raw = tok.raw if tok.raw is not None else tok.span.slice(ctx.src.text)
    if new_text == "":
        return _delete_edit(ctx, tok)
    if raw == tok.text:
        return Edit(tok.span, new_text)
    for q in ("'", '"'):
        if len(raw) >= 2 and raw[0] == q and raw[-1] == q and raw[1:-1] == tok.text:
            if q in new_text or ("\\" in new_text and q == '"'):
                return None
            return Edit(tok.span, q + new_text + q)
    return None


def _delete_edit(ctx: RuleContext, tok: Token) -> Edit | None:
    """Remove a token together with the separator that belongs to it (``fix.deletion_edit``)."""
    from vllm_lint.fix import deletion_edit

    assert tok.span is not None
    return deletion_edit(ctx.src.text, ctx.src.index, tok.span.start, tok.span.end)


_BETWEEN_WORDS = re.compile(r"[\s,\\-]*")  # blanks, commas, `\` continuations, YAML list dashes


def _deletion_of_run(ctx: RuleContext, tokens: list[Token | None]) -> Edit | None:
    """One Edit removing consecutive argv words (a flag and its value) written next to each other
    in this file; None when they are not (each is then removed on its own)."""
    from vllm_lint.fix import deletion_edit

    text = ctx.src.text
    ranges = []
    for tok in tokens:
        if not is_editable(tok, ("argv",)) or tok.span.path != ctx.src.index.path:
            return None
        a, b = tok.span.start, tok.span.end
        if 0 < a and b < len(text) and text[a - 1] == text[b] and text[b] in "\"'":
            a, b = a - 1, b + 1
        ranges.append((a, b))
    for (_, b), (a, _) in zip(ranges, ranges[1:]):
        if a < b or not _BETWEEN_WORDS.fullmatch(text[b:a]):
            return None
    return deletion_edit(text, ctx.src.index, ranges[0][0], ranges[-1][1])


def _fix(ctx: RuleContext, p: ArgProblem, description: str, *, safe: bool = True) -> Fix | None:
    """The problem's replacements as one Fix, or None when any edit cannot be written safely."""
    if not p.replacement:
        return None
    if len(p.replacement) > 1 and all(new_text == "" for _, new_text in p.replacement):
        run = _deletion_of_run(ctx, [ctx.token(i) for i, _ in sorted(p.replacement)])
        if run is not None:
            return Fix(description, (run,), safe=safe)
    edits = []
    for index, new_text in p.replacement:
        tok = ctx.token(index)
        edit = _rename_edit(ctx, tok, new_text)
        if edit is not None and tok is not None and tok.style != "argv":
            safe = False  # a chart or config key renamed in its own convention: review it
        if edit is None:
            edit = _token_text_edit(ctx, tok, new_text)
        if edit is None:
            return None
        edits.append(edit)
    edits.sort(key=lambda e: e.span.start)
    for a, b in zip(edits, edits[1:]):
        if b.span.start < a.span.end:
            return None
    return Fix(description, tuple(edits), safe=safe)


def _rename_edit(ctx: RuleContext, tok: Token | None, new_text: str) -> Edit | None:
    """A pure rename of the flag part (``--max-num-seq=8`` -> ``--max-num-seqs=8``, a Helm key
    ``maxNumSeq`` -> ``maxNumSeqs``), written in the token's own convention by the fixer."""
    from vllm_lint.fix import rename_flag_edit

    if tok is None or tok.span is None or tok.symbolic or not new_text.startswith("-"):
        return None
    old_flag, old_eq, old_value = tok.text.partition("=")
    new_flag, new_eq, new_value = new_text.partition("=")
    if (old_eq, old_value) != (new_eq, new_value) or not old_flag.startswith("-"):
        return None  # not just a rename (a value is dropped or changed)
    if tok.span.path != ctx.src.index.path:
        return None
    return rename_flag_edit(tok, new_flag, ctx.src.text)


def _suggestion(p: ArgProblem) -> list[Fix]:
    return [Fix(p.suggestion, (), safe=False)] if p.suggestion else []


def _notes(ctx: RuleContext, p: ArgProblem) -> list[str]:
    notes = []
    if p.detail:
        notes.append(p.detail)
    notes.append(f"vLLM version {ctx.version} ({ctx.version_source})")
    return notes


def _report(ctx: RuleContext, rule_id: str, p: ArgProblem, message: str, fix: Fix | None = None,
            severity: Severity | None = None, suggestions_allowed: bool = True) -> Diagnostic:
    # what vLLM's parser says rests on the release and on the program that parses the words
    ctx.note(ctx.version_fact, ctx.entrypoint_fact)
    tok = ctx.token(p.token_index)
    suggestions = [] if fix or not suggestions_allowed else _suggestion(p)
    d = ctx.report(rule_id, message, token=tok, fix=fix, suggestions=suggestions, notes=_notes(ctx, p))
    if severity is not None:
        d.severity = severity
    return d


def _flag_text(ctx: RuleContext, p: ArgProblem, missing: str = "?") -> str:
    """The option as written, without an ``=value`` part."""
    tok = ctx.token(p.token_index)
    return tok.text.split("=", 1)[0] if tok is not None else missing


def _parser_exit(ctx: RuleContext, rule_id: str) -> Iterator[Diagnostic]:
    """One finding per problem, quoting the line vLLM's parser prints before it exits."""
    for p in _problems(ctx, rule_id):
        yield _report(ctx, rule_id, p, f"{ctx.vllm} exits with `{p.message}`")


def _flips_meaning(written: str, guess: str) -> bool:
    """True when the nearest option says the opposite (``--disable-log-requrests`` is nearest to
    ``--enable-log-requests`` once ``--disable-log-requests`` is gone; ``--no-x`` and ``--x``):
    renaming would invert what the launch asks for."""
    w = re.split(r"[-_]+", written.lower().lstrip("-"))
    g = re.split(r"[-_]+", guess.lower().lstrip("-"))
    if (w[0] == "no") != (g[0] == "no"):
        return True
    only_w, only_g = set(w) - set(g), set(g) - set(w)
    return bool({"enable", "disable"} <= only_w | only_g and (only_w & {"enable", "disable"}) and
                (only_g & {"enable", "disable"}))


@register("VL201")
def unknown_flag(ctx: RuleContext) -> Iterator[Diagnostic]:
    for p in _problems(ctx, "VL201"):
        guess = p.replacement[0][1].split("=", 1)[0] if p.replacement else None
        written = _flag_text(ctx, p)
        msg = f"{written} is not a {ctx.vllm} option"
        if guess and _flips_meaning(written, guess):
            msg += f" (the nearest option, {guess}, means the opposite)"
            guess = None
        msg += f" (did you mean {guess}?)" if guess else ""
        msg += f"; vLLM exits with `{p.message}`"
        fix = _fix(ctx, p, f"rename to {guess}") if guess else None
        yield _report(ctx, "VL201", p, msg, fix, suggestions_allowed=guess is not None)


@register("VL202")
def flag_not_in_release(ctx: RuleContext) -> Iterator[Diagnostic]:
    for p in _problems(ctx, "VL202"):
        msg = f"{p.detail}; vLLM exits with `{p.message}`"
        # safe when the release made the option pointless; unsafe when its setting should move to
        # a replacement (removing it starts the server without that setting)
        pointless = "; drop it" in (p.detail or "")
        fix = _fix(ctx, p, f"remove {_flag_text(ctx, p)}", safe=pointless) if p.code == "removed-flag" else None
        severity = None
        if p.code == "not-yet-added" and ctx.release.patched:
            msg += _unless_vendor_carries(ctx, "the later option")
            severity, fix = Severity.WARNING, None
        yield _report(ctx, "VL202", p, msg, fix, severity=severity)


@register("VL203")
def abbreviated_flag(ctx: RuleContext) -> Iterator[Diagnostic]:
    for p in _problems(ctx, "VL203"):
        full = p.suggestion.removeprefix("write ") if p.suggestion else "the full name"
        msg = (f"{p.message}; any later option sharing the prefix makes it ambiguous "
               f"and vLLM stops with 'ambiguous option'")
        yield _report(ctx, "VL203", p, msg, _fix(ctx, p, f"expand to {full}"))


@register("VL204")
def ambiguous_abbreviation(ctx: RuleContext) -> Iterator[Diagnostic]:
    yield from _parser_exit(ctx, "VL204")


@register("VL205")
def boolean_flag_value(ctx: RuleContext) -> Iterator[Diagnostic]:
    for p in _problems(ctx, "VL205"):
        flag = _flag_text(ctx, p, "the flag")
        msg = f"{flag} is a switch in {ctx.vllm} and takes no value; vLLM exits with `{p.message}`"
        target = [t for _, t in (p.replacement or []) if t]
        desc = f"write {target[0]}" if target else f"drop the value of {flag}"
        yield _report(ctx, "VL205", p, msg, _fix(ctx, p, desc))


def _shorten_list(message: str, keep: int = 8) -> str:
    """vLLM prints its whole registry ('Must be one of [...]', 40+ names); keep the first few."""
    m = re.search(r"\[([^\]]*)\]", message)
    if not m:
        return message
    items = [x.strip() for x in m.group(1).split(",")]
    if len(items) <= keep:
        return message
    return message[: m.start()] + "[" + ", ".join(items[:keep]) + f", ... {len(items) - keep} more]" + message[m.end():]


@register("VL206")
def invalid_choice(ctx: RuleContext) -> Iterator[Diagnostic]:
    for p in _problems(ctx, "VL206"):
        if p.message.startswith("ValueError: Unknown quantization method"):
            yield from _unknown_quantization(ctx, p)
            continue
        msg, severity = f"{ctx.vllm} exits with `{_shorten_list(p.message)}`", None
        later = _later_release_accepting(ctx.args.table.version, p.dest, p.detail) if ctx.release.patched else None
        if later is not None:
            msg += _unless_vendor_carries(ctx, f"the choice vLLM {later} added")
            severity = Severity.WARNING
        yield _report(ctx, "VL206", p, msg, severity=severity)


def _unless_vendor_carries(ctx: RuleContext, what: str) -> str:
    """The clause of a finding that a vendor's build of the release (AIBrix, NGC, ROCm) may not
    have: it patches its base release and may carry ``what`` from a later one, so the finding is
    a warning."""
    return f"; unless this vendor build of {ctx.vllm} carries {what}"


def _later_release_accepting(version: str, dest: str | None, value: str | None) -> str | None:
    """The first release after ``version`` whose parser lists ``value`` among the choices of
    ``dest``; None when no later release accepts it (a typo in every release)."""
    from vllm_lint.vllm.flags import flag_table, sampled_versions

    if dest is None or value is None:
        return None
    known = sampled_versions()
    start = known.index(version) + 1 if version in known else len(known)
    for later in known[start:]:
        spec = flag_table(later).by_dest(dest)
        if spec is not None and spec.choices is not None and value in {str(c) for c in spec.choices}:
            return later
    return None


def _unknown_quantization(ctx: RuleContext, p: ArgProblem) -> Iterator[Diagnostic]:
    """vLLM checks the method after the checkpoint's own config had its say: a ModelOpt NVFP4
    checkpoint turns any --quantization into modelopt_fp4 first (ModelConfig._verify_quantization,
    vllm.vllm.quantization), so the value is rejected only when no override replaces it."""
    from vllm_lint.vllm.quantization import resolve

    value = _quant_value(p)
    known = tuple((ctx.args.table.post_choices or {}).get("quantization") or ())
    model = ctx.model
    if model is None:
        # the checkpoint is not known: its config may override the value
        yield _report(ctx, "VL206", p, f"`{value}` is not a quantization method of {ctx.vllm}; unless the "
                      f"checkpoint's quantization config overrides it, vLLM exits with `{_shorten_list(p.message)}`",
                      severity=Severity.WARNING)
        return
    got = resolve(model.quantization or None, value, known)
    if got.method in known:
        return  # the checkpoint's config replaces the value with a method this release has
    yield _report(ctx, "VL206", p, f"`{value}` is not a quantization method of {ctx.vllm}, and {model.id}'s "
                  f"config does not replace it; vLLM exits with `{_shorten_list(p.message)}`")


def _quant_value(p: ArgProblem) -> str:
    m = re.match(r"ValueError: Unknown quantization method: (.*?)\. Must", p.message)
    return m.group(1) if m else "?"


@register("VL207")
def invalid_flag_value(ctx: RuleContext) -> Iterator[Diagnostic]:
    yield from _parser_exit(ctx, "VL207")


@register("VL208")
def value_out_of_range(ctx: RuleContext) -> Iterator[Diagnostic]:
    for p in _problems(ctx, "VL208"):
        yield _report(ctx, "VL208", p, p.message, severity=None if p.fatal else Severity.WARNING)


@register("VL209")
def duplicate_flag(ctx: RuleContext) -> Iterator[Diagnostic]:
    for p in _problems(ctx, "VL209"):
        logged = p.message.startswith("Found duplicate keys")
        msg = f"{p.detail} ({'vLLM logs: ' if logged else ''}{p.message})" if p.detail else p.message
        yield _report(ctx, "VL209", p, msg)


@register("VL210")
def deprecated_flag(ctx: RuleContext) -> Iterator[Diagnostic]:
    for p in _problems(ctx, "VL210"):
        fix = None
        if "; drop it" in p.message:
            # the release made the option pointless: removing it keeps behaviour in that release,
            # but not in the earlier ones where it still did something, so only a stated release
            # makes the removal safe
            indices = [p.token_index] + ([p.value_index] if p.value_index not in (None, p.token_index) else [])
            removal = ArgProblem(p.code, p.message, p.token_index, replacement=[(i, "") for i in indices])
            stated = ctx.version_source != "newest known release"
            fix = _fix(ctx, removal, f"remove {_flag_text(ctx, p)}", safe=stated)
        yield _report(ctx, "VL210", p, p.message, fix)


@register("VL211")
def model_argument(ctx: RuleContext) -> Iterator[Diagnostic]:
    for p in _problems(ctx, "VL211"):
        if p.code == "model-flag" and not p.fatal:
            yield _report(ctx, "VL211", p, f"{ctx.vllm} warns: {p.message}", severity=Severity.WARNING)
            continue
        if p.detail:
            msg = f"{p.detail}; vLLM {'exits with' if p.fatal else 'says'} `{p.message}`"
        else:
            # vLLM's own text quotes `vllm serve` itself, so it is not wrapped in backticks again
            msg = f"{ctx.vllm} exits with: {p.message}" if p.fatal else p.message
        fix = _fix(ctx, p, "pass the model with --model") if p.code == "model-ignored" else None
        yield _report(ctx, "VL211", p, msg, fix)


@register("VL212")
def repeated_subcommand(ctx: RuleContext) -> Iterator[Diagnostic]:
    for p in _problems(ctx, "VL212"):
        if p.detail and p.message != p.detail:
            msg = f"{p.detail}; vLLM exits with `{p.message}`"
        else:
            msg = p.detail or p.message
        fix = _fix(ctx, p, p.suggestion or "remove the repeated command") if p.code == "repeated-subcommand" else None
        yield _report(ctx, "VL212", p, msg, fix)


@register("VL213")
def non_vllm_option(ctx: RuleContext) -> Iterator[Diagnostic]:
    for p in _problems(ctx, "VL213"):
        msg = f"{p.detail}; vLLM exits with `{p.message}`"
        yield _report(ctx, "VL213", p, msg, _fix(ctx, p, f"remove {_flag_text(ctx, p)}", safe=False))


@register("VL214")
def companion_flag_missing(ctx: RuleContext) -> Iterator[Diagnostic]:
    yield from _parser_exit(ctx, "VL214")
