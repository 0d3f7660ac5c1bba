"""Reading a checkpoint's config.json: JSON only (nothing is imported or executed), regular files
of at most 4 MiB, AutoGPTQ's separate quantize_config.json folded in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vllm_lint.models.arch import ModelArch
from vllm_lint.units import MIB

MAX_CONFIG_BYTES = 4 * MIB  # real config.json files are a few KB; refuse anything huge


def read_config(path: Path) -> dict[str, Any]:
    """A config.json as a JSON object; ValueError for anything else (too large, not a file, not an object)."""
    if not path.is_file() or path.stat().st_size > MAX_CONFIG_BYTES:
        raise ValueError(f"{path} is not a regular config.json of at most {MAX_CONFIG_BYTES // MIB} MiB")
    cfg = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(cfg, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return cfg


def arch_from_config_file(path: Path, *, id: str = "") -> ModelArch:
    """Read a config.json (JSON only, regular files up to 4 MiB) into a ModelArch.

    Raises ValueError for anything that is not a usable config (too large, not an object, bad fields).
    """
    cfg = read_config(path)
    qcfg = path.parent / "quantize_config.json"  # AutoGPTQ's separate file
    if "quantization_config" not in cfg and qcfg.is_file():
        try:
            q = json.loads(qcfg.read_text(encoding="utf-8"))
            q.setdefault("quant_method", "gptq")
            cfg["quantization_config"] = q
        except (OSError, ValueError):
            pass
    try:
        return ModelArch.from_config(cfg, id=id or str(path.parent), source=str(path))
    except (TypeError, ValueError, ZeroDivisionError, AttributeError) as exc:
        raise ValueError(f"{path}: unusable config ({exc})") from exc
