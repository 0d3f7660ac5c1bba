"""Language-model-only mode: when vLLM does not build (or load) a multimodal model's encoder.

From vLLM 0.10.1 (``MemoryProfile.language_model_only``; PR #22299 "Implicit language-model-only mode via
limit-mm-per-prompt", with the LLaVA work of #22224) some multimodal model classes build their vision
tower and projector only when a modality it serves may appear in a prompt::

    if multimodal_config.get_limit_per_prompt("image"):
        self.vision_tower = ...; self.multi_modal_projector = ...
    else:
        self.vision_tower = None; self.multi_modal_projector = None

so ``--limit-mm-per-prompt '{"image": 0}'`` leaves those weights out of "Model loading took".
Modelled only for the classes whose source shows that branch (``data/tower_modalities.json``), not
every multimodal model.
``--language-model-only`` (0.18.1+) sets every modality's limit to 0.

The encoder's dummy profiling run is skipped in the same mode; the activation estimate does not
charge an encoder run at all, so nothing changes there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

from vllm_lint.memory.releases import release
from vllm_lint.models.arch import ModelArch

TOWER_MODALITIES_PATH = Path(__file__).with_name("data") / "tower_modalities.json"


def _tower_modalities() -> dict[str, frozenset[str]]:
    """Architecture -> the modalities whose limits must all be 0 for the vision tower to be skipped
    (Qwen2.5-VL, Qwen2.5-Omni and Qwen3-VL share one ``visual`` tower for image and video)."""
    data = json.loads(TOWER_MODALITIES_PATH.read_text(encoding="utf-8"))
    return {arch: frozenset(mods) for arch, mods in data["architectures"].items()}


TOWER_MODALITIES: dict[str, frozenset[str]] = _tower_modalities()


def parse_mm_limits(value: object) -> dict[str, int] | None:
    """``--limit-mm-per-prompt`` as {modality: count}: JSON text or an already-parsed mapping; a
    modality may be a number or (0.11+) an object with ``count``. None when unreadable or symbolic."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, Mapping):
        return None
    out: dict[str, int] = {}
    for k, v in value.items():
        if isinstance(v, Mapping):
            v = v.get("count")
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            return None
        try:
            out[str(k)] = int(v)
        except ValueError:
            return None
    return out


def vision_tower_loaded(model: ModelArch, version: str | None, mm_limits: Mapping[str, int] | None,
                        language_model_only: bool = False) -> bool:
    """False when vLLM at ``version`` skips building this model's vision tower (see module doc)."""
    if not release(version).language_model_only:
        return True
    modalities = next((TOWER_MODALITIES[a] for a in model.architectures if a in TOWER_MODALITIES), None)
    if modalities is None:
        return True
    if language_model_only:
        return False
    if not mm_limits:
        return True
    return not all(m in mm_limits and mm_limits[m] == 0 for m in modalities)


__all__ = ["TOWER_MODALITIES", "parse_mm_limits", "vision_tower_loaded"]
