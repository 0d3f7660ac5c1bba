"""``vllm-lint capacity``: the estimate for one command line, without any file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from rich.console import Console


def capacity_command(args: Sequence[str], *, gpu: str | None, version: str | None, fmt: str, online: bool,
                     console: Console, compile_cache: str = "cold") -> int:
    """Exit 0 when the configured max_model_len fits, 1 when it does not, 2 when it cannot be estimated."""
    from vllm_lint.config import ConfigError, find_config
    from vllm_lint.hardware.gpus import GpuNameError, parse_gpu_strict
    from vllm_lint.memory.estimate import estimate
    from vllm_lint.memory.settings import settings_from_args
    from vllm_lint.models.resolve import resolve_model
    from vllm_lint.report.capacity import capacity_json, render_capacity
    from vllm_lint.vllm import versions
    from vllm_lint.vllm.args import parse_args

    version = version or versions.NEWEST
    args = list(args)
    if args[:2] == ["vllm", "serve"]:  # the whole command line pasted: keep only its arguments
        args = args[2:]
    parsed = parse_args(args, version=version, entrypoint="serve")
    if not parsed.model and args and not args[0].startswith("-"):
        # releases before `vllm serve` existed (0.4.x) take the model as --model on the api_server
        parsed = parse_args(["--model", args[0], *args[1:]], version=version, entrypoint="api_server")
    for p in parsed.problems:
        print(f"vllm-lint: warning: {p.message}", file=sys.stderr)
    if not parsed.model:
        print("vllm-lint: error: no model in the arguments (give it first, as vllm serve does)", file=sys.stderr)
        return 2
    if not gpu:
        print("vllm-lint: error: give the target GPU with --gpu (a catalog name like A10G or H100:4, an instance "
              "type, or a size like 23.58GiB; `vllm-lint gpus` lists the GPUs vllm-lint knows)", file=sys.stderr)
        return 2
    try:
        spec, count = parse_gpu_strict(gpu)
    except GpuNameError as exc:
        print(f"vllm-lint: error: --gpu: {exc}", file=sys.stderr)
        return 2
    try:  # the [tool.vllm-lint] models mapping applies here as in lint
        aliases = dict(find_config(Path.cwd()).models) or None
    except ConfigError as exc:
        print(f"vllm-lint: error: {exc}", file=sys.stderr)
        return 2
    served = parsed.values.get("served_model_name")
    res = resolve_model(parsed.model, base_dir=Path.cwd(), online=online, aliases=aliases,
                        served=served if isinstance(served, list) else [served] if isinstance(served, str) else [])
    if not res.certain and res.arch is not None:
        print(f"vllm-lint: note: model {parsed.model!r}: {res.describe()}", file=sys.stderr)
    if res.arch is None:
        print(f"vllm-lint: error: {res.message}", file=sys.stderr)
        return 2
    if res.arch.unsupported:
        print(f"vllm-lint: error: capacity not estimated for {res.arch.id or parsed.model}: {res.arch.unsupported}",
              file=sys.stderr)
        return 2
    settings = settings_from_args(parsed.values)
    settings.compile_cache = compile_cache
    cap = estimate(res.arch, spec, settings, version, gpu_count=count)
    if fmt == "json":
        json.dump(capacity_json(cap), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        render_capacity(cap, console)
    return 0 if cap.fits else 1
