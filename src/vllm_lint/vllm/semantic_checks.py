"""Checks vLLM makes after parsing (engine-argument validation, ``vllm serve`` post-checks) and
behaviour the file probably did not mean (options given twice, deprecated options, options that
need a companion), as ``ArgProblem``s on the parsed result.
"""

from __future__ import annotations

from typing import Sequence

from vllm_lint.vllm.argparser import Result
from vllm_lint.vllm.flags import FlagSpec, option_history
from vllm_lint.vllm.parsed import ArgProblem, FlagUse, Item, ParsedArgs
from vllm_lint.vllm.preprocess import SERVE_MODEL_FLAG_CHECK_SINCE, SERVE_MODEL_FLAG_ERROR_SINCE
from vllm_lint.vllm.problems import replacement_text
from vllm_lint.vllm.versions import at_least


def serve_post_checks(out: ParsedArgs, res: Result, items: list[Item], version: str, model_flag: Item | None, config_model: str | None) -> str | None:
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


def companions(out: ParsedArgs, version: str) -> None:
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


def post_choices(out: ParsedArgs) -> None:
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


def duplicates(out: ParsedArgs, tokens: Sequence[str]) -> None:
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


def deprecated(out: ParsedArgs, res: Result, tokens: Sequence[str], version: str) -> None:
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
            text += replacement_text(repl)
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


def ranges(out: ParsedArgs, version: str) -> None:
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


# vLLM V1's startup check of free memory against the requested fraction (v1/worker request_memory).
FREE_MEMORY_CHECK_SINCE = "0.9.0"


def _gpu_util(out: ParsedArgs, value: float, use: FlagUse, version: str) -> None:
    if value <= 0 or value > 1:
        if at_least(version, "0.10.0"):
            msg = f"gpu_memory_utilization must be > 0 and <= 1 (got {value}); vLLM's config validation rejects it"
        else:
            msg = f"GPU memory utilization must be less than 1.0. Got {value}."
        out.problems.append(ArgProblem("out-of-range", msg, use.flag_index, use.value_index, fatal=True, dest="gpu_memory_utilization"))
    elif value >= 0.99 and at_least(version, FREE_MEMORY_CHECK_SINCE):
        # V1's worker compares free memory after the CUDA context with util x total at start
        # (0.9.0+). At 1.0 that always fails; at 0.99 it fails only when the context and other
        # tenants hold more than 1% of the card, so that one is a warning.
        certain = value >= 1.0
        verdict = "vLLM can never start with it" if certain else "vLLM starts only if the CUDA context and anything else on the GPU hold less than 1% of its memory"
        out.problems.append(
            ArgProblem(
                "out-of-range",
                f"--gpu-memory-utilization {value} passes the parser but {verdict}: the startup "
                "check needs free memory >= utilization x total GPU memory, and the CUDA context and driver always hold "
                "some (vLLM exits with 'Free memory on device ... is less than desired GPU memory utilization')",
                use.flag_index,
                use.value_index,
                fatal=certain,
                dest="gpu_memory_utilization",
                suggestion="use 0.95 or less",
            )
        )
