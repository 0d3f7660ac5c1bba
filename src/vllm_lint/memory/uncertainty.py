"""How sure the estimate is: a band on the KV cache per accounting era and model family.

The table (``data/uncertainty.json``) is written by ``benchmarks/accuracy.py --write-uncertainty``
from the estimate's misses against real vLLM figures, never by hand. A miss is measured as the KV
cache error in GiB over the memory budget (``|estimated − vLLM's KV GiB| / budget``): the error comes
from the non-KV terms (weights, activation, non-torch memory), which scale with the budget rather
than with what is left for the KV cache, so one fraction serves a small and a large KV cache alike.
A group with too few cases takes its era's figure; an era with too few takes the nearest earlier era
of the same engine that has enough (a new release inherits the accounting it changed least), else the
overall figure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vllm_lint.memory.releases import era_order
from vllm_lint.models.arch import ModelArch

UNCERTAINTY_PATH = Path(__file__).with_name("data") / "uncertainty.json"
MIN_CASES = 3  # fewer cases in a group: fall back to the era, then to every case

# model_type -> family of the table (families share their MLP, norm and sampler code paths)
_FAMILIES = {
    "llama": "llama", "mistral": "llama", "ministral3": "llama", "yi": "llama", "llama4_text": "llama",
    "qwen2": "qwen", "qwen3": "qwen", "qwen2_vl": "qwen", "qwen2_5_vl": "qwen",
    "qwen2_moe": "moe", "qwen3_moe": "moe", "mixtral": "moe", "gpt_oss": "moe", "qwen3_5_moe_text": "moe",
    "deepseek_v2": "mla", "deepseek_v3": "mla", "glm4_moe_lite": "mla",
    "gemma": "gemma", "gemma2": "gemma", "gemma3": "gemma", "gemma3_text": "gemma",
    "qwen3_next": "hybrid",
}


def family_of(model: ModelArch) -> str:
    """The model family a band is kept for (``other`` for families the table has no row of)."""
    if model.model_type in _FAMILIES:
        return _FAMILIES[model.model_type]
    if model.is_mla:
        return "mla"
    if "mamba" in model.attention_layer_kinds():
        return "hybrid"
    return "moe" if model.is_moe else "other"


@dataclass(frozen=True)
class Band:
    fraction: float  # of the memory budget, either way
    cases: int  # cases behind the figure
    scope: str  # "v1-0.20/qwen", "v1-0.20" or "all"


@lru_cache(maxsize=1)
def _table() -> dict:
    return json.loads(UNCERTAINTY_PATH.read_text(encoding="utf-8"))


def band(era: str, family: str) -> Band:
    """The band for a launch of ``family`` estimated with the accounting of ``era``."""
    data = _table()
    era_row = data["eras"].get(era)
    if era_row:
        fam = era_row["families"].get(family)
        if fam and fam["cases"] >= MIN_CASES:
            return Band(fam["fraction"], fam["cases"], f"{era}/{family}")
        if era_row["cases"] >= MIN_CASES:
            return Band(era_row["fraction"], era_row["cases"], era)
    order = era_order()
    if era in order:
        engine = era.split("-", 1)[0]
        for e in reversed(order[:order.index(era)]):
            row = data["eras"].get(e)
            if e.split("-", 1)[0] == engine and row and row["cases"] >= MIN_CASES:
                return Band(row["fraction"], row["cases"], e)
    overall = data["overall"]
    return Band(overall["fraction"], overall["cases"], "all")


__all__ = ["Band", "MIN_CASES", "UNCERTAINTY_PATH", "band", "family_of"]
