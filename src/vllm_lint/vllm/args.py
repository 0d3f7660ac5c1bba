"""vLLM's server command line, parsed the way the target release parses it.

Models ``FlexibleArgumentParser`` (vllm/utils/argparse_utils.py; vllm/utils.py before 0.11) on top of
CPython 3.11 ``argparse``, stage by stage as vLLM runs them: vLLM's preprocessing (``preprocess``),
argparse proper (``argparser``), what argparse leaves for the caller stated as vLLM prints it
(``problems``), and the checks vLLM makes after parsing (``semantic_checks``).

``parse_args`` never raises: everything vLLM would reject, or silently do differently from what the
file says, becomes an ``ArgProblem``; ``ParsedArgs.error`` is the one line vLLM itself would die with.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Mapping, Sequence

from vllm_lint.vllm.argparser import Result, run_argparse
from vllm_lint.vllm.convert import ConvertError, convert
from vllm_lint.vllm.flags import FlagSpec, FlagTable, flag_table
from vllm_lint.vllm.parsed import PROG, ArgProblem, FlagUse, Item, ParsedArgs, is_splat, is_symbolic
from vllm_lint.vllm.preprocess import preprocess
from vllm_lint.vllm.problems import (
    UNKNOWN_CODES,
    bool_value_problem,
    did_you_mean,
    looks_like_model,
    previous_switch,
    rewrite_flag,
    stray_bool_value,
    unknown_problem,
    with_prog,
)
from vllm_lint.vllm.semantic_checks import companions, deprecated, duplicates, post_choices, ranges, serve_post_checks
from vllm_lint.vllm.versions import at_least

SERVE_POSITIONAL_OPTIONAL_SINCE = "0.8.3"  # vllm serve [model_tag] (the table's `positional` says it too)
API_SERVER_POSITIONAL_SINCE = "0.10.0"  # shared parser defines model_tag; api_server ignores it


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


_PROGRAMS = re.compile(r"^(?:sh|bash|dash|ash|zsh|ksh|env|exec|python\d?(?:\.\d+)?)$")


def _appended_program(tokens: Sequence[str], entrypoint: str) -> str | None:
    """A program (a shell, python, env) given as the container's arguments after an ENTRYPOINT that
    already starts the server: the words that name it, else None. ``python -m vllm...`` repeating
    the server is the repeated-subcommand case instead."""
    if entrypoint not in ("serve", "api_server") or not tokens:
        return None
    first = tokens[0].strip().rsplit("/", 1)[-1]
    if not _PROGRAMS.match(first) or _detect_repeated_subcommand(tokens, entrypoint):
        return None
    return " ".join(tokens[:2]) if len(tokens) > 1 and tokens[1].startswith("-") else tokens[0]


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
    program = _appended_program(tokens, entrypoint)
    if program is not None:
        # `CMD ["sh", "-c", "..."]` after an image whose ENTRYPOINT runs the server: the shell is
        # never run; its words reach vLLM as a model name and options, and are not vLLM's flags
        raw = _parse_core(tokens, version, entrypoint, config_loader, table, 0)
        runs = PROG.get(entrypoint, "vllm serve")
        msg = (f"the container's ENTRYPOINT already runs `{runs}`, so `{program}` and the words after it reach "
               f"vLLM as arguments: the program never runs"
               + (f", and vLLM takes `{raw.model}` as the model" if entrypoint == "serve" and raw.model else ""))
        out.problems.append(ArgProblem(
            "program-in-arguments", raw.error or msg, 0, fatal=True, detail=msg if raw.error else None,
            suggestion=f"start `{program}` with the container's entrypoint instead (Dockerfile ENTRYPOINT, compose "
                       f"`entrypoint:`, Kubernetes `command:`), or pass only vLLM's arguments"))
        out.error, out.model, out.model_index = raw.error, raw.model, raw.model_index
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


def _parse_core(
    tokens: Sequence[str],
    version: str,
    entrypoint: str,
    config_loader: Callable[[str], Mapping | None] | None,
    table: FlagTable,
    start: int,
) -> ParsedArgs:
    """One parse of ``tokens[start:]``: vLLM's preprocessing, argparse, the problems argparse
    leaves for the caller, the line vLLM dies with (if any) and vLLM's checks after parsing."""
    out = ParsedArgs(version=version, entrypoint=entrypoint, table=table)
    prog = PROG.get(entrypoint, "vllm serve")
    items = [Item(t, i, False, is_symbolic(t)) for i, t in enumerate(tokens) if i >= start]
    for it in items:
        if it.symbolic and not it.text.startswith("-"):
            out.opaque.append(it.origin)
    fatal: list[ArgProblem] = []  # vLLM preprocessing errors come first

    items, model_flag, config_model, pre_fatal, notes = preprocess(items, version, entrypoint, table, config_loader)
    fatal.extend(pre_fatal)
    out.problems.extend(notes)

    n_pos = _positional_count(entrypoint, table, version)
    res = run_argparse(items, table, entrypoint, n_pos)
    out.values, out.uses, out.occurrences, out.symbolic = res.values, res.uses, res.occurrences, res.symbolic
    _find_model(out, res, entrypoint, table, config_model)

    # problems from argparse
    pos_problem = None
    if entrypoint == "serve" and n_pos[0] == 1 and not res.positional:
        pos_problem = ArgProblem(
            "missing-model", "the following arguments are required: model_tag", 0, fatal=True
        )
    _abbreviations(out, res, tokens)
    for it, opt in res.bool_values:
        spec = opt.spec
        assert spec is not None
        out.problems.append(bool_value_problem(spec, opt, it, tokens, version, prog))
    unknown_texts, unrec_msg = _unrecognized(out, res, items, tokens, table, entrypoint, version, prog)
    for p in [res.fatal, *res.soft]:
        if p is not None and p.code != "bool-with-value":  # reported above, with its fix
            out.problems.append(with_prog(p, prog))

    # the verdict: what vLLM itself would die with, in its order
    verdict: str | None = None
    if fatal:
        verdict = fatal[0].message
        out.problems.extend(fatal)
    elif res.fatal is not None:
        m = res.fatal.message
        verdict = m if m.startswith(prog) or re.match(r"^\w+Error: ", m) else f"{prog}: error: {m}"
    elif pos_problem is not None:
        out.problems.append(with_prog(pos_problem, prog))
        verdict = pos_problem.message
    elif unknown_texts and not out.opaque:
        verdict = unrec_msg
    elif unknown_texts:
        verdict = None  # an opaque ${ARGS} could have consumed them
    if verdict is None and entrypoint == "serve":
        verdict = serve_post_checks(out, res, items, version, model_flag, config_model)
    out.error = verdict

    post_choices(out)
    companions(out, version)
    duplicates(out, tokens)
    deprecated(out, res, tokens, version)
    ranges(out, version)
    return out


def _positional_count(entrypoint: str, table: FlagTable, version: str) -> tuple[int, int]:
    """(min, max) positionals the release's parser takes: ``model_tag`` of ``vllm serve`` (required
    before 0.8), the shared parser's ``model_tag`` that ``api_server`` ignores (0.10+)."""
    if entrypoint == "serve" and table.positional is not None:
        return (1 if table.positional.get("required") else 0, 1)
    if entrypoint == "serve" and table.prog and at_least(version, "0.5.2"):
        return (0 if at_least(version, SERVE_POSITIONAL_OPTIONAL_SINCE) else 1, 1)
    if entrypoint == "api_server" and at_least(version, API_SERVER_POSITIONAL_SINCE):
        return (0, 1)
    return (0, 0)


def _find_model(out: ParsedArgs, res: Result, entrypoint: str, table: FlagTable, config_model: str | None) -> None:
    """The model the launch serves: ``vllm serve``'s positional, else ``--model``, else the
    ``--config`` file's; ``api_server`` ignores a positional (reported)."""
    unknown_origins = {it.origin for it, _ in res.unknown if "=" not in it.text}
    if res.positional:
        first = res.positional[0]
        if entrypoint != "serve" and first.origin - 1 in unknown_origins:
            pass  # the value of an unknown option, already reported with it
        elif entrypoint != "serve" and is_splat(first.text):
            pass  # "$@": whatever the caller passes, options as likely as a model
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


def _abbreviations(out: ParsedArgs, res: Result, tokens: Sequence[str]) -> None:
    """Options that work only as argparse's unique-prefix abbreviation of a longer one."""
    for it, opt in res.abbreviated:
        if it.from_config:
            continue
        full = opt.option_string
        spec = opt.spec
        written = it.text.split("=", 1)[0]
        out.problems.append(
            ArgProblem(
                "abbreviated-flag",
                f"{written} works only because argparse accepts the unique prefix of {full}",
                it.origin,
                replacement=[(it.origin, rewrite_flag(tokens[it.origin], full))] if 0 <= it.origin < len(tokens) else None,
                suggestion=f"write {full}",
                dest=spec.dest if spec else None,
            )
        )


def _unrecognized(out: ParsedArgs, res: Result, items: list[Item], tokens: Sequence[str], table: FlagTable,
                  entrypoint: str, version: str, prog: str) -> tuple[list[str], str]:
    """What argparse leaves unrecognized: unknown options, then stray positionals (a ``False``
    after a switch, a second model); returns the words and vLLM's "unrecognized arguments" line."""
    unknown_texts: list[str] = []
    ambiguous = {p.token_index for p in [res.fatal, *res.soft] if p is not None and p.code == "ambiguous-abbreviation"}
    for it in res.extras:
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
        out.problems.append(unknown_problem(it, opt, table, tokens, version, unrec_msg, entrypoint, res))
    for p in [res.fatal, *res.soft]:
        if p is not None and p.code == "ambiguous-abbreviation" and 0 <= p.token_index < len(tokens):
            k = p.token_index
            if "=" not in tokens[k] and k + 1 < len(tokens) and not tokens[k + 1].startswith("-"):
                p.value_index = k + 1
    unknown_values = {p.value_index for p in [*out.problems, res.fatal, *res.soft] if p is not None and p.code in UNKNOWN_CODES + ("ambiguous-abbreviation",) and p.value_index is not None}
    position = {id(x): i for i, x in enumerate(items)}
    stray_reported = False
    for it in res.extras:
        if it.text.startswith("-") or it.symbolic or it.origin in unknown_values:
            continue
        prev = previous_switch(it, items, position, table, entrypoint)
        if prev is not None:
            out.problems.append(stray_bool_value(prev, it, tokens, version, unrec_msg, table))
            continue
        if stray_reported:
            continue  # argparse prints one line for all of them; one finding is enough
        stray_reported = True
        if entrypoint == "serve" and res.positional:
            code = "model-twice" if out.model and it.origin != out.model_index and looks_like_model(it.text) else "extra-argument"
            out.problems.append(ArgProblem(
                code, unrec_msg, it.origin, fatal=True,
                detail=f"{it.text} is an extra positional argument; the model is already {out.model}",
            ))
        else:
            out.problems.append(ArgProblem("extra-argument", unrec_msg, it.origin, fatal=True))
    return unknown_texts, unrec_msg


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
                guess = did_you_mean(option, table)
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
    ranges(out, out.version)
