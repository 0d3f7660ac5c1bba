"""Language-model-only mode (vLLM 0.10.1+, PR #22299): the vision tower of Llava/Mistral3/Qwen-VL classes
is not built when every modality it serves has limit 0. Hand-checked on the Devstral-Small-2 AWQ case."""

from __future__ import annotations

import pytest

from vllm_lint.hardware.gpus import parse_gpu_option
from vllm_lint.memory.estimate import estimate
from vllm_lint.memory.multimodal import parse_mm_limits, vision_tower_loaded
from vllm_lint.memory.settings import settings_from_args
from vllm_lint.models.arch import ModelArch
from vllm_lint.models.resolve import resolve_model

GIB = 2**30
DEVSTRAL = "cyankiwi/Devstral-Small-2-24B-Instruct-2512-AWQ-4bit"


def _vl(arch_name: str) -> ModelArch:
    return ModelArch.from_config({"architectures": [arch_name], "model_type": "x",
                                  "text_config": {"model_type": "mistral", "hidden_size": 1024, "num_hidden_layers": 2,
                                                  "num_attention_heads": 8, "num_key_value_heads": 8},
                                  "vision_config": {"hidden_size": 1024, "num_hidden_layers": 24,
                                                    "intermediate_size": 4096, "hidden_act": "silu"}})


def test_parse_limits_forms():
    assert parse_mm_limits('{"image": 0}') == {"image": 0}
    assert parse_mm_limits({"image": 0, "video": 2}) == {"image": 0, "video": 2}
    assert parse_mm_limits({"image": {"count": 0, "width": 512}}) == {"image": 0}  # 0.11+ object form
    assert parse_mm_limits("${LIMITS}") is None and parse_mm_limits({"image": "$N"}) is None


@pytest.mark.parametrize("version,limits,lm_only,loaded", [
    ("0.15.1", {"image": 0}, False, False),
    ("0.10.1", {"image": 0}, False, False),   # the release that introduced it
    ("0.9.2", {"image": 0}, False, True),     # before PR #22299 the tower was always built
    ("0.15.1", {"image": 1}, False, True),
    ("0.15.1", None, False, True),
    ("0.18.1", None, True, False),            # --language-model-only
])
def test_mistral3_tower(version, limits, lm_only, loaded):
    assert vision_tower_loaded(_vl("Mistral3ForConditionalGeneration"), version, limits, lm_only) is loaded


def test_qwen25_vl_needs_image_and_video_at_zero():
    m = _vl("Qwen2_5_VLForConditionalGeneration")
    assert vision_tower_loaded(m, "0.15.1", {"image": 0}) is True  # video may still arrive
    assert vision_tower_loaded(m, "0.15.1", {"image": 0, "video": 0}) is False


def test_other_multimodal_classes_keep_their_tower():
    """Only the classes whose source shows the branch; e.g. Gemma 3 is not assumed to skip it."""
    assert vision_tower_loaded(_vl("Gemma3ForConditionalGeneration"), "0.15.1", {"image": 0}) is True


def test_settings_read_the_flags():
    s = settings_from_args({"limit_mm_per_prompt": {"image": 0}, "language_model_only": True})
    assert s.mm_limits == {"image": 0} and s.language_model_only is True


def test_devstral_5090_weights_by_hand():
    """BigBIueWhale/devstral_vllm_config (vLLM 0.15.1, RTX 5090, util 0.98, image limit 0): vLLM logged
    "Model loading took 14.29 GiB". By hand: 15,189,452,800 B of text weights (see test_weights) +
    YaRN cos/sin cache 8192·48 positions × 128 × 2 B = 100,663,296 B -> 15,290,116,096 B = 14.240 GiB.
    Before: the zero point charged per group and the 0.76 GiB Pixtral tower gave 15.32 GiB."""
    m = resolve_model(DEVSTRAL).arch
    gpu, _ = parse_gpu_option("RTX 5090")
    s = settings_from_args({"gpu_memory_utilization": 0.98, "max_model_len": 98768, "max_num_seqs": 1,
                            "limit_mm_per_prompt": {"image": 0}})
    cap = estimate(m, gpu, s, "0.15.1")
    # + 40 MiB of whole blocks: every layer's 15 MiB int4 qkv ends in a block with 1 MiB left over
    # (a fresh 16 MiB segment, or the 16 MiB the 80 MiB down_proj left in a freed 96 MiB rotary temporary)
    assert cap.weights_gib * GIB == 15_290_116_096 + 40 * 2**20
    assert abs(cap.weights_gib - 14.29) < 0.06
    assert any("language-model-only" in n for n in cap.notes)
    with_images = estimate(m, gpu, settings_from_args({"gpu_memory_utilization": 0.98, "max_model_len": 98768,
                                                       "max_num_seqs": 1}), "0.15.1")
    assert with_images.weights_gib - cap.weights_gib == pytest.approx(m.extra["vision_params"] * 2 / GIB)


def test_v0_multimodal_dummy_batch_has_room_for_one_largest_image_per_sequence():
    """V0 profile_run: max_num_seqs = max(1, min(max_num_seqs, max_num_batched_tokens // max_mm_tokens)).
    Qwen2.5-VL's largest image is 12,845,056 px / (14 × 2)² = 16,384 tokens, so an 8192-token profile run
    samples one sequence, not 256; V1 keeps min(max_num_seqs, tokens)."""
    from vllm_lint.hardware.gpus import resolve_gpu
    from vllm_lint.memory.estimate import _Ctx
    from vllm_lint.memory.engine import batch_defaults
    from vllm_lint.memory.settings import EngineSettings
    from vllm_lint.models.resolve import resolve_model

    vl = resolve_model("Qwen/Qwen2.5-VL-7B-Instruct").arch
    assert vl.extra["max_image_tokens"] == 16384
    gpu = resolve_gpu("L4")
    for version, rows in (("0.6.5", 1), ("0.10.0", 256)):
        ctx = _Ctx(vl, gpu, EngineSettings(max_model_len=8192), version)
        bd = batch_defaults(ctx.rt, gpu.total_gib, gpu.name, 8192)
        assert ctx.dummy_rows(bd) == min(rows, bd.max_num_seqs), version
    text = resolve_model("Qwen/Qwen2.5-7B-Instruct").arch
    ctx = _Ctx(text, gpu, EngineSettings(max_model_len=8192), "0.6.5")
    assert ctx.dummy_rows(batch_defaults(ctx.rt, gpu.total_gib, gpu.name, 8192)) == 256


def test_max_image_tokens_from_the_vision_config():
    from vllm_lint.models.arch import _max_image_tokens

    assert _max_image_tokens("llava", {"vision_config": {"image_size": 336, "patch_size": 14}}) == 576
    assert _max_image_tokens("mistral3", {"spatial_merge_size": 2,
                                          "vision_config": {"image_size": 1540, "patch_size": 14}}) == 3025
    assert _max_image_tokens("qwen2_vl", {"vision_config": {"patch_size": 14, "spatial_merge_size": 2}}) == 16384
    assert _max_image_tokens("x", {"vision_config": {"hidden_size": 1024}}) == 0
