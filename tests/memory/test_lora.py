"""--enable-lora: the adapter slots per rank, the extra vocabulary, and which releases count them
(hand-worked from lora/layers.py ``create_lora_weights`` of vLLM 0.7.3 / 0.8.5)."""

from __future__ import annotations

import pytest

from vllm_lint.hardware.gpus import resolve_gpu
from vllm_lint.memory.estimate import estimate
from vllm_lint.memory.lora import LoraConfig, lora_slot_bytes
from vllm_lint.memory.settings import EngineSettings, settings_from_args
from memory_helpers import LLAMA31_8B, arch

# Llama-3.1-8B, one slot of rank 16, bf16:
#   qkv  A 3 × 16·4096 = 196,608  B (4096 + 2·1024)·16 = 98,304   o_proj A 16·4096  B 4096·16 = 131,072
#   gate_up A 2 × 16·4096 = 131,072  B 2 × 14336·16 = 458,752   down A 16·14336 = 229,376  B 4096·16 = 65,536
#   = 1,310,720 per layer × 32 = 41,943,040
#   embed_tokens: extra rows 256·4096 + A (128256 + 256)·16 + B 4096·16 = 3,170,304
#   lm_head: A 16·4096 + B 128512·16 + extra rows 256·4096 = 3,170,304
SLOT_ELEMS = 41_943_040 + 2 * 3_170_304
EXTRA_ROWS = 2 * 256 * 4096 * 2  # the embedding and lm_head grow by lora_extra_vocab_size rows


def test_slots_by_hand():
    m = arch(LLAMA31_8B)
    one = lora_slot_bytes(m, LoraConfig(), tp=1, layers_on_rank=32, first_rank=True, last_rank=True, dtype_bytes=2)
    assert one == SLOT_ELEMS * 2  # 92.1 MiB
    four = lora_slot_bytes(m, LoraConfig(max_loras=4, max_lora_rank=64), tp=1, layers_on_rank=32, first_rank=True,
                           last_rank=True, dtype_bytes=2)
    # 4 slots; the rank-wide tensors grow 4×, the two 256 × 4096 extra-vocabulary tensors do not
    extra = 2 * 256 * 4096
    assert four == 4 * (extra + 4 * (SLOT_ELEMS - extra)) * 2


def test_v1_counts_slots_as_model_memory():
    m, gpu = arch(LLAMA31_8B), resolve_gpu("H100")
    base = estimate(m, gpu, settings_from_args({"max_model_len": 8192}), "0.10.0")
    lora = estimate(m, gpu, settings_from_args({"max_model_len": 8192, "enable_lora": True}), "0.10.0")
    assert (lora.weights_gib - base.weights_gib) * 2**30 == pytest.approx(SLOT_ELEMS * 2 + EXTRA_ROWS)
    assert lora.terms["lora"] * 2**30 == pytest.approx(SLOT_ELEMS * 2)


def test_v0_065_to_073_leaves_slots_outside_every_term():
    """0.7.3 V0 creates the slots after "Model loading took" and before the profile snapshot; its KV cache
    is sized as if they did not exist. Only the extra vocabulary rows (weights) and the wider logits
    (sampler) change the figure; 0.8.0 V0 counts the slots."""
    m, gpu = arch(LLAMA31_8B), resolve_gpu("A100-80GB")
    s = {"max_model_len": 8192}
    base = estimate(m, gpu, settings_from_args(s), "0.7.3")
    lora = estimate(m, gpu, settings_from_args({**s, "enable_lora": True}), "0.7.3")
    assert (lora.weights_gib - base.weights_gib) * 2**30 == pytest.approx(EXTRA_ROWS)
    assert lora.terms["lora_uncounted"] * 2**30 == pytest.approx(SLOT_ELEMS * 2)
    assert any("LoRA slots" in n for n in lora.notes)
    v0_08 = estimate(m, gpu, EngineSettings(max_model_len=8192, enable_lora=True, env={"VLLM_USE_V1": "0"}), "0.8.5")
    assert v0_08.engine == "v0" and v0_08.terms["lora"] * 2**30 == pytest.approx(SLOT_ELEMS * 2)


def test_extra_vocabulary_gone_from_014():
    m, gpu = arch(LLAMA31_8B), resolve_gpu("H100")
    base = estimate(m, gpu, settings_from_args({"max_model_len": 8192}), "0.14.1")
    lora = estimate(m, gpu, settings_from_args({"max_model_len": 8192, "enable_lora": True}), "0.14.1")
    no_extra = lora_slot_bytes(m, LoraConfig(extra_vocab=0), tp=1, layers_on_rank=32, first_rank=True,
                               last_rank=True, dtype_bytes=2)
    assert (lora.weights_gib - base.weights_gib) * 2**30 == pytest.approx(no_extra)
