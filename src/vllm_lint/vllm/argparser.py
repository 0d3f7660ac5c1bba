"""CPython 3.11 ``argparse`` as vLLM's parsers use it, over a release's flag table: exact options,
``--flag=value``, unique-prefix abbreviations and the ``ambiguous option`` error, nargs, ``ignored
explicit argument`` for switches, type and choice errors, the optional positional ``model_tag`` and
the arguments left unrecognized.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vllm_lint.vllm.convert import ConvertError, convert, store_boolean
from vllm_lint.vllm.flags import SWITCH_KINDS, FlagSpec, FlagTable
from vllm_lint.vllm.parsed import NEG_NUMBER_RE, ArgProblem, FlagUse, Item


@dataclass(slots=True)
class Opt:
    spec: FlagSpec | None
    option_string: str  # the matched option string (full), or the unknown text
    explicit: str | None
    negated: bool = False
    abbreviated: bool = False


class Fatal(Exception):
    def __init__(self, problem: ArgProblem) -> None:
        self.problem = problem


def _help_spec() -> FlagSpec:
    return FlagSpec(dest="help", options=("-h", "--help"), kind="store_true", type="bool")


def classify(text: str, table: FlagTable, entrypoint: str, origin: int) -> Opt | None:
    """argparse's _parse_optional: None for a positional, else the option (spec None if unknown)."""
    if not text or text[0] != "-":
        return None
    hit = table.lookup(text)
    if hit and not (hit[0].serve_only and entrypoint != "serve") and not (hit[0].api_only and entrypoint == "serve"):
        return Opt(hit[0], text, None, hit[1])
    if text in ("-h", "--help"):
        return Opt(_help_spec(), text, None)
    if len(text) == 1:
        return None
    if "=" in text:
        opt, explicit = text.split("=", 1)
        hit = table.lookup(opt)
        if hit and not (hit[0].serve_only and entrypoint != "serve") and not (hit[0].api_only and entrypoint == "serve"):
            return Opt(hit[0], opt, explicit, hit[1])
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
        raise Fatal(ArgProblem("ambiguous-abbreviation", f"ambiguous option: {text} could match {matches}", origin,
                                fatal=True, suggestion=f"write one of {matches} in full"))
    if len(candidates) == 1:
        o, explicit_arg = candidates[0]
        if o in ("-h", "--help"):
            return Opt(_help_spec(), o, explicit_arg, abbreviated=True)
        spec, negated = table.lookup(o)  # type: ignore[misc]
        return Opt(spec, o, explicit_arg, negated, abbreviated=True)
    if NEG_NUMBER_RE.match(text):
        return None
    if " " in text:
        return None
    return Opt(None, text, None)


def nargs_range(spec: FlagSpec) -> tuple[int, int | None]:
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


def arg_name(spec: FlagSpec) -> str:
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
        msg = str(e) if re.match(r"^(ValueError|SyntaxError): ", str(e)) else f"argument {arg_name(spec)}: {e}"
        raise Fatal(ArgProblem(e.code, msg, flag_origin, origin, fatal=True, dest=spec.dest)) from None
    if spec.choices is not None and value not in spec.choices:  # argparse checks the converted value, None too
        choices = ", ".join(repr(c) for c in spec.choices)
        raise Fatal(
            ArgProblem(
                "invalid-choice",
                f"argument {arg_name(spec)}: invalid choice: {value!r} (choose from {choices})",
                flag_origin,
                origin,
                fatal=True,
                dest=spec.dest,
                detail=text,
            )
        )
    return value


@dataclass(slots=True)
class Result:
    values: dict[str, object] = field(default_factory=dict)
    uses: dict[str, FlagUse] = field(default_factory=dict)
    occurrences: dict[str, list[FlagUse]] = field(default_factory=dict)
    positional: list[Item] = field(default_factory=list)
    extras: list[Item] = field(default_factory=list)
    unknown: list[tuple[Item, Opt]] = field(default_factory=list)
    abbreviated: list[tuple[Item, Opt]] = field(default_factory=list)
    bool_values: list[tuple[Item, Opt]] = field(default_factory=list)
    symbolic: set[str] = field(default_factory=set)
    fatal: ArgProblem | None = None
    soft: list[ArgProblem] = field(default_factory=list)  # type/choice errors after the first


def run_argparse(items: list[Item], table: FlagTable, entrypoint: str, n_positionals: tuple[int, int]) -> Result:
    """Emulate ``parse_known_args`` + the extras check. The first fatal error stops, as in argparse;
    later value errors are still collected (``soft``) so one run reports all of them.

    Long on purpose: one consume loop with the state argparse's ``_parse_known_args`` keeps across
    it (pending option, positionals seen, first error), kept in argparse's order so it can be
    read side by side with CPython's."""
    res = Result()
    classes: list[Opt | None] = []
    for it in items:
        if it.symbolic and not it.text.startswith("-"):
            classes.append(None)
            continue
        try:
            classes.append(classify(it.text, table, entrypoint, it.origin))
        except Fatal as f:
            if res.fatal is None:
                res.fatal = f.problem
            else:
                res.soft.append(f.problem)
            classes.append(Opt(None, it.text, None, abbreviated=True))
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
        lo, hi = nargs_range(spec)
        if cls.explicit is not None:
            if hi == 0:
                res.bool_values.append((it, cls))
                if res.fatal is None:
                    res.fatal = ArgProblem(
                        "bool-with-value",
                        f"argument {arg_name(spec)}: ignored explicit argument {cls.explicit!r}",
                        it.origin,
                        it.origin,
                        fatal=True,
                        dest=spec.dest,
                    )
                i += 1
                continue
            args = [Item(cls.explicit, it.origin, it.from_config, it.symbolic)]
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
                    res.fatal = ArgProblem("missing-value", f"argument {arg_name(spec)}: {msg}", it.origin, fatal=True, dest=spec.dest)
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
                except Fatal as f:
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
