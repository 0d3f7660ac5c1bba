"""``vllm-lint capacity``: the estimate for one command line, or a vLLM startup log against the estimate."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    from rich.console import Console

    from vllm_lint.hardware.gpus import GpuSpec
    from vllm_lint.logs.startup import LogFacts

EXIT_CODES = """exit status:
  0  the launch fits and no launch check reports an error (with --log: the comparison was printed)
  1  it does not fit, or a launch check (the same as `vllm-lint` runs) reports an error
  2  usage error: unknown option or flag, unknown GPU, model or log that cannot be read or estimated"""

GPU_HELP = ("target GPU, required unless --log states the GPU's memory: a name (A10G, H100, L40S), a k8s label, "
            "an instance type (g5.xlarge) or a size (23.58GiB); :N gives the GPUs available (H100:4). "
            "`vllm-lint gpus` lists the names")


class CapacityUsageError(Exception):
    """A usage error of ``vllm-lint capacity``: printed as one line, exit 2."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="vllm-lint capacity",
        description="Estimate vLLM's KV-cache capacity for a `vllm serve` command line, per GPU, with the "
                    "accounting of the target vLLM release; or compare a vLLM startup log with the estimate.",
        epilog=EXIT_CODES + "\n\nexamples:\n  vllm-lint capacity --gpu A10G -- Qwen/Qwen1.5-7B-Chat\n"
               "  vllm-lint capacity --gpu H100:4 -- Qwen/Qwen2.5-72B-Instruct --max-model-len 32768\n"
               "  vllm-lint capacity --log vllm.log [--gpu L4] [-- flags that override the log's]",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--gpu", metavar="GPU[:N]", help=GPU_HELP)
    p.add_argument("--vllm-version", metavar="X.Y.Z", help="vLLM release (default: the log's, else the newest known)")
    p.add_argument("--log", type=Path, metavar="FILE",
                   help="a vLLM startup log: take model, release, GPU memory and settings from it and print vLLM's "
                        "figures next to the estimate, term by term")
    p.add_argument("--compile-cache", choices=("cold", "warm"),
                   help="torch.compile cache at the start: cold (default; a new container) or warm (a persisted "
                        "VLLM_CACHE_ROOT)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--online", action="store_true", help="allow fetching config.json from the Hugging Face Hub")
    p.add_argument("--no-color", action="store_true", help="plain output even on a terminal")
    p.add_argument("serve_args", nargs=argparse.REMAINDER, help="-- then the vllm serve arguments (model first)")
    return p


def main(argv: Sequence[str], console_factory: Callable[[bool], Console]) -> int:
    """Parse the command line of ``vllm-lint capacity`` and run it; usage errors are exit 2."""
    ns = build_parser().parse_args(list(argv))
    args = list(ns.serve_args)
    if args and args[0] == "--":
        args = args[1:]
    if args[:2] == ["vllm", "serve"]:  # the whole command line pasted: keep only its arguments
        args = args[2:]
    try:
        if ns.log is not None:
            return log_command(ns.log, args, gpu=ns.gpu, version=ns.vllm_version, fmt=ns.format, online=ns.online,
                               console=console_factory(ns.no_color), compile_cache=ns.compile_cache)
        if not args:
            raise CapacityUsageError("give the vllm serve arguments after --, e.g. vllm-lint capacity --gpu A10G -- "
                                     "Qwen/Qwen1.5-7B-Chat")
        return capacity_command(args, gpu=ns.gpu, version=ns.vllm_version, fmt=ns.format, online=ns.online,
                                console=console_factory(ns.no_color), compile_cache=ns.compile_cache or "cold")
    except CapacityUsageError as exc:
        print(f"vllm-lint: error: {exc}", file=sys.stderr)
        return 2


def _gpu(text: str | None) -> tuple[GpuSpec | None, int | None]:
    """--gpu names exactly one card (a typo or an ambiguous name is refused with the candidates)."""
    from vllm_lint.hardware.gpus import GpuNameError, parse_gpu_strict

    if not text:
        return None, None
    try:
        return parse_gpu_strict(text)
    except GpuNameError as exc:
        raise CapacityUsageError(f"--gpu: {exc}") from None


def _config():
    """The configuration in force in the working directory ([tool.vllm-lint] models applies here too)."""
    from vllm_lint.config import ConfigError, find_config

    try:
        return find_config(Path.cwd())
    except ConfigError as exc:
        raise CapacityUsageError(str(exc)) from None


def _parse_serve(args: list[str], version: str):
    """The serve arguments as vLLM ``version`` parses them; an unknown or malformed flag is a usage error."""
    from vllm_lint.vllm.args import parse_args

    parsed = parse_args(args, version=version, entrypoint="serve")
    if not parsed.model and args and not args[0].startswith("-"):
        # releases before `vllm serve` existed (0.4.x) take the model as --model on the api_server
        parsed = parse_args(["--model", args[0], *args[1:]], version=version, entrypoint="api_server")
    for p in parsed.problems:
        if p.fatal:
            hint = f" ({p.suggestion})" if p.suggestion else ""
            if p.code == "unknown-flag" and 0 <= p.token_index < len(args):
                raise CapacityUsageError(f"{args[p.token_index]} is not a vLLM {version} option{hint}")
            raise CapacityUsageError(f"{p.message.removeprefix('vllm: error: ')}{hint}")
        print(f"vllm-lint: warning: {p.message}", file=sys.stderr)
    return parsed


def _resolve(name: str, online: bool, served: object = None):
    from vllm_lint.models.resolve import resolve_model

    served = served if isinstance(served, list) else [served] if isinstance(served, str) else []
    res = resolve_model(name, base_dir=Path.cwd(), online=online, aliases=dict(_config().models) or None,
                        served=served)
    if res.arch is None:
        raise CapacityUsageError(res.message)
    if res.arch.unsupported:
        raise CapacityUsageError(f"capacity not estimated for {res.arch.id or name}: {res.arch.unsupported}")
    if not res.certain:
        print(f"vllm-lint: note: model {name!r}: {res.describe()}", file=sys.stderr)
    return res.arch


def _version(text: str | None) -> str | None:
    from vllm_lint.vllm.versions import known_release, newest_of_line, release_problem

    if text is None:
        return None
    # a release vLLM published, as --vllm-version of `vllm-lint` requires; a bare minor line (the
    # public logs' "engine 0.19") is taken as that line's newest release
    line = newest_of_line(text)
    problem = None if line else release_problem(text)
    if problem:
        raise CapacityUsageError(f"unknown vLLM version: {problem}")
    return line or known_release(text)


def capacity_command(args: Sequence[str], *, gpu: str | None, version: str | None, fmt: str, online: bool,
                     console: Console, compile_cache: str = "cold") -> int:
    """Exit 0 when the configured max_model_len fits, 1 when it does not, 2 when it cannot be estimated."""
    from vllm_lint.memory.estimate import estimate
    from vllm_lint.memory.settings import settings_from_args
    from vllm_lint.report.capacity import capacity_json, render_capacity
    from vllm_lint.vllm import versions

    try:
        version = _version(version) or versions.NEWEST
        parsed = _parse_serve(list(args), version)
        if not parsed.model:
            raise CapacityUsageError("no model in the arguments (give it first, as vllm serve does)")
        spec, count = _gpu(gpu)
        if spec is None:
            raise CapacityUsageError("--gpu is required: name the target GPU (A10G, H100:4, 23.58GiB); "
                                     "`vllm-lint gpus` lists the names")
        model = _resolve(parsed.model, online, parsed.values.get("served_model_name"))
    except CapacityUsageError as exc:
        print(f"vllm-lint: error: {exc}", file=sys.stderr)
        return 2
    settings = settings_from_args(parsed.values)
    settings.compile_cache = compile_cache
    cap = estimate(model, spec, settings, version, gpu_count=count)
    findings = launch_findings(list(args), gpu=gpu, version=version, online=online, compile_cache=compile_cache,
                               entrypoint=parsed.entrypoint)
    if fmt == "json":
        data = capacity_json(cap)
        data["parallelism"] = parallelism_words(cap)
        data["findings"] = [finding_json(d) for d in findings]
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        render_capacity(cap, console)
        render_findings(cap, findings, console)
    errors = any(d.severity.value == "error" for d in findings)
    return 1 if errors or not cap.fits else 0


def parallelism_words(cap) -> str:
    """Which TP/PP the launch uses and how many of the GPUs available that takes."""
    n = cap.tensor_parallel_size * cap.pipeline_parallel_size
    used = f"TP={cap.tensor_parallel_size} PP={cap.pipeline_parallel_size}: {n} GPU{'s' if n > 1 else ''}"
    if cap.gpu_count:
        used += f" of the {cap.gpu_count} available"
    return used


def launch_findings(args: list[str], *, gpu: str | None, version: str | None, online: bool,
                    compile_cache: str | None, entrypoint: str = "serve") -> list:
    """The findings `vllm-lint` reports for this command line as a launch of ``entrypoint`` (``vllm
    serve``, or the OpenAI api_server of releases before it); launch checks only, as there is no file."""
    import shlex
    import tempfile

    from vllm_lint.resolve.context import RunOptions
    from vllm_lint.lint import LintOptions, lint_paths
    from vllm_lint.rules.checks import checks

    launch_rules = [rid for rid, check in checks().items() if check.scope == "launch"]
    with tempfile.TemporaryDirectory(prefix="vllm-lint-capacity-") as tmp:
        script = Path(tmp) / "serve.sh"
        if entrypoint == "serve":
            command = ["vllm", "serve", *args]
        else:
            model, rest = (["--model", args[0]], args[1:]) if args and not args[0].startswith("-") else ([], args)
            command = ["python", "-m", "vllm.entrypoints.openai.api_server", *model, *rest]
        script.write_text("#!/bin/sh\n" + shlex.join(command) + "\n", encoding="utf-8")
        cfg = _config()
        options = LintOptions(run=RunOptions(gpu=gpu, vllm_version=version, online=online,
                                             compile_cache=compile_cache), select=launch_rules,
                              config_file=Path(cfg.source) if cfg.source else None)
        result = lint_paths([script], options)
    return [d for d in result.diagnostics if d.rule != "VL000"]


def finding_json(d) -> dict:
    out = {"rule": d.rule, "name": d.name, "severity": d.severity.value, "message": d.message}
    if d.fix is not None:
        out["fix"] = d.fix.description
    if d.suggestions:
        out["suggestions"] = [f.description for f in d.suggestions]
    ways = [n for n in d.notes if n.startswith(("other ways to make it fit", "ways to make it fit"))]
    if ways:
        out["ways_to_fit"] = ways[0].split(": ", 1)[1].split("; ")
    return out


def render_findings(cap, findings: list, console: Console) -> None:
    """Which GPUs the launch uses, then what `vllm-lint` says about it (the memory notes are the table)."""
    from rich.text import Text

    console.print(Text(f"parallelism: {parallelism_words(cap)}", style="dim"))
    if not findings:
        console.print(Text("launch checks: nothing to report", style="dim"))
        return
    console.print(Text("launch checks (as `vllm-lint` reports them):"))
    styles = {"error": "bold red", "warning": "bold yellow", "info": "bold blue"}
    for d in findings:
        line = Text("  ")
        line.append(f"{d.rule} {d.severity.value}", style=styles.get(d.severity.value, ""))
        line.append(f" ({d.name}) {d.message}")
        console.print(line)
        data = finding_json(d)
        for way in data.get("ways_to_fit", []):
            console.print(Text(f"      - {way}"))
        if d.fix is not None:
            console.print(Text(f"      fix: {d.fix.description}", style="green"))


def _read_log(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CapacityUsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CapacityUsageError(f"{path}: is a directory, not a log file") from None
    except OSError as exc:
        raise CapacityUsageError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if b"\0" in data[:8192]:
        raise CapacityUsageError(f"{path}: a binary file, not a vLLM log")
    return data.decode("utf-8", errors="replace")


def log_command(path: Path, args: Sequence[str], *, gpu: str | None, version: str | None, fmt: str, online: bool,
                console: Console, compile_cache: str | None = None) -> int:
    """Estimate the launch a vLLM startup log describes and print the log's figures next to the estimate's."""
    from vllm_lint.logs.startup import apply_release, assumed_release, parse_log
    from vllm_lint.memory.estimate import estimate
    from vllm_lint.memory.settings import settings_from_args
    from vllm_lint.report.capacity import capacity_json, render_log_comparison
    from vllm_lint.vllm import versions

    facts = parse_log(_read_log(path))
    if not facts.memory_lines and "model" not in facts.figures:
        raise CapacityUsageError(f"{path}: no vLLM startup lines found (looked for the engine config, \"Loading model "
                                 f"weights took\", the worker memory lines, \"Available KV cache memory\", \"# GPU "
                                 f"blocks\", \"KV cache size\" and the KV-capacity errors)")
    sources: list[str] = []
    stated = facts.figures.get("vllm_version")
    version = _version(version) or (str(stated) if stated and versions.parse_version(str(stated)) else None)
    if version is None:
        version = assumed_release(facts.release_span, versions.KNOWN_VERSIONS) or versions.NEWEST
        span = facts.release_span
        fits = f"its wording fits {span[0]}–{span[1] or 'the newest'}: " if span else ""
        sources.append(f"the log does not name the vLLM release; {fits}assuming {version} (give --vllm-version)")
    apply_release(facts, version)
    parsed = _parse_serve(list(args), version) if args else None
    name = (parsed.model if parsed else None) or facts.figures.get("model")
    if not name:
        raise CapacityUsageError(f"{path}: the log does not name the model; give it after --, e.g. "
                                 f"vllm-lint capacity --log {path} -- Qwen/Qwen2.5-7B-Instruct")
    model = _resolve(str(name), online)
    spec, count = _log_gpu(facts, gpu, path, sources)
    values = {**facts.args, **(parsed.values if parsed else {})}
    values.pop("model", None)
    env = {"VLLM_USE_V1": "0"} if facts.engine == "v0" else None  # the log shows V0 ran
    settings = settings_from_args(values, env)
    settings.usage_context = facts.usage_context or "serve"
    settings.compile_cache = compile_cache or "cold"
    cap = estimate(model, spec, settings, version, gpu_count=count)
    est, logged = capacity_json(cap), facts.to_json()
    logged["lines"] = dict(sorted(facts.lines.items(), key=lambda kv: kv[1]))
    sources.insert(0, _from_log_line(facts, path))
    if parsed and parsed.values:
        sources.append("from the command line: " + ", ".join(f"{k}={v}" for k, v in parsed.values.items()))
    if fmt == "json":
        json.dump({**est, "log": logged}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        render_log_comparison(est, logged, sources, cap.era_text, console)
    return 0


def _log_gpu(facts: LogFacts, gpu: str | None, path: Path, sources: list[str]) -> tuple[GpuSpec, int | None]:
    """The GPU: --gpu names the card (compute capability, fp8), the log's total memory wins over the
    catalog's; without --gpu, a card of the log's total memory."""
    from vllm_lint.hardware.gpus import GpuNameError, parse_gpu_option, parse_gpu_strict, resolve_gpu

    total = facts.figures.get("total_gib")
    try:
        spec, count = parse_gpu_strict(gpu) if gpu else (None, None)
    except GpuNameError as exc:
        if not (exc.ambiguous and total is not None):
            raise CapacityUsageError(f"--gpu: {exc}") from None
        spec, count = parse_gpu_option(gpu)  # the family is known; the log's total memory says which card
    if spec is not None:
        if total is not None and abs(float(total) - spec.total_gib) >= 0.005:  # type: ignore[arg-type]
            spec = replace(spec, total_gib=float(total))  # type: ignore[arg-type]
        return spec, count
    if total is None:
        raise CapacityUsageError(f"{path}: the log does not state the GPU's memory; give the card with --gpu")
    sized = resolve_gpu(f"{float(total):.2f}GiB")  # type: ignore[arg-type]
    if sized is None:  # pragma: no cover - a positive size always resolves
        raise CapacityUsageError(f"{path}: cannot use the GPU memory the log states ({total} GiB)")
    sources.append(f"the log does not name the GPU: a card with {float(total):.2f} GiB, compute capability "  # type: ignore[arg-type]
                   f"{sized.compute_capability[0]}.{sized.compute_capability[1]} assumed (name it with --gpu)")
    return sized, None


def _from_log_line(facts: LogFacts, path: Path) -> str:
    stated = [k for k in ("model", "vllm_version", "total_gib", "gpu_memory_utilization", "max_model_len")
              if k in facts.figures]
    words = {"total_gib": "GPU memory", "vllm_version": "release", "gpu_memory_utilization": "utilization",
             "max_model_len": "max_model_len", "model": "model"}
    said = ", ".join(f"{words[k]} (line {facts.lines[k]})" for k in stated) or "no settings"
    args = sorted(k for k in facts.args if k not in ("model", "gpu_memory_utilization", "max_model_len"))
    if args:
        said += "; " + ", ".join(args)
    rank = f"; {facts.ranks} ranks, the one with the least KV cache compared" if facts.ranks > 1 else ""
    return f"from {path}: {said}{rank}"


__all__ = ["EXIT_CODES", "build_parser", "capacity_command", "log_command", "main"]
