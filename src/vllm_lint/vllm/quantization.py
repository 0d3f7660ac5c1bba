"""Which quantization method vLLM really uses for a checkpoint and a ``--quantization`` value.

Models ``ModelConfig._verify_quantization`` (vllm/config/model.py; model_config.py before 0.10):
the checkpoint's ``quantization_config.quant_method`` is normalised, then every method's
``override_quantization_method(checkpoint config, --quantization)`` is asked in turn, and the
first answer replaces both the checkpoint's method and the flag's value; only then are the two
compared ("does not match") and the method checked against the release's list ("Unknown
quantization method"). The overrides are data (``data/quantization-overrides.json``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data" / "quantization-overrides.json"


@dataclass(frozen=True, slots=True)
class Resolved:
    """The method vLLM settles on. ``method`` None: the checkpoint is not quantized and no flag is
    given. ``overridden``: an override replaced the flag's value; ``certain``: no condition the tool
    cannot check decides whether the override happens (``needs``)."""

    method: str | None
    checkpoint: str | None  # the checkpoint's method as vLLM names it after overrides
    overridden: bool = False
    certain: bool = True
    needs: str | None = None


@lru_cache(maxsize=1)
def _overrides() -> tuple[dict, ...]:
    return tuple(json.loads(_DATA.read_text("utf-8"))["overrides"])


def normalise(method: str | None) -> str | None:
    """vLLM's spelling of a quant_method (lower case; ``compressed_tensors`` -> ``compressed-tensors``)."""
    if not method:
        return None
    q = str(method).strip().lower()
    return "compressed-tensors" if q == "compressed_tensors" else q


def _quant_algo(cfg: dict) -> str:
    inner = cfg.get("quantization") if isinstance(cfg.get("quantization"), dict) else {}
    return str(cfg.get("quant_algo") or inner.get("quant_algo") or "").upper()


def resolve(checkpoint_cfg: dict | None, user: str | None, known: tuple[str, ...] | list[str] | None) -> Resolved:
    """The method for a checkpoint's ``quantization_config`` (None when unquantized or unknown)
    and the ``--quantization`` value ``user``, in a release whose methods are ``known``."""
    user_n = normalise(user)
    ckpt = normalise((checkpoint_cfg or {}).get("quant_method") or (checkpoint_cfg or {}).get("quant_algo")) \
        if checkpoint_cfg else None
    if ckpt is None:
        return Resolved(user_n, None)
    methods = set(known or ())
    for rule in _overrides():
        if rule["checkpoint"] != ckpt:
            continue
        algo = rule.get("quant_algo")
        if algo and algo not in _quant_algo(checkpoint_cfg or {}):
            continue
        users = rule["user"]
        if users != "any" and user_n not in users:
            continue
        name = next((m for m in rule["becomes"] if not methods or m in methods), None)
        if name is None:
            continue
        needs = rule.get("needs")
        return Resolved(name, name, overridden=user_n not in (None, name), certain=needs is None, needs=needs)
    return Resolved(user_n or ckpt, ckpt)
