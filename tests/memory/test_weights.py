"""Weight bytes per GPU: dense, tied, TP/PP sharding, quantized formats, CPU offload (hand-checked)."""

from __future__ import annotations

import pytest

from vllm_lint.memory.weights import weight_format, weights_per_rank
from memory_helpers import GPT_OSS_20B, LLAMA31_8B, QWEN15_7B, arch

GIB = 2**30
# Qwen1.5-7B: 32 × (4·4096² attention + 3·4096·11008 MLP + 2·4096 norms) + final norm + embedding + lm_head
QWEN_LINEAR = 32 * (4 * 4096**2 + 3 * 4096 * 11008)
QWEN_NORMS = 32 * 2 * 4096 + 4096
QWEN_VOCAB = 2 * 151936 * 4096


def _w(cfg, tp=1, pp=1, rank=0, quant=None, **extra):
    m = arch(cfg, **extra)
    layers = m.num_layers // pp
    return weights_per_rank(m, tp=tp, pp=pp, pp_rank=rank, layers_on_rank=layers, dtype_bytes=2, quantization_flag=quant)


def test_dense_bf16_qwen15_7b():
    w = _w(QWEN15_7B)
    assert w.bytes - w.rounding == pytest.approx(2 * (QWEN_LINEAR + QWEN_NORMS + QWEN_VOCAB), rel=1e-9)
    assert w.bytes / GIB == pytest.approx(14.38, abs=0.01)  # vLLM 0.26.0 measured 14.39 GiB


def test_tensor_parallel_shards_everything_but_norms():
    w = _w(QWEN15_7B, tp=2)
    assert w.bytes - w.rounding == pytest.approx(2 * (QWEN_LINEAR / 2 + QWEN_NORMS + QWEN_VOCAB / 2), rel=1e-9)


def test_pipeline_ranks_hold_their_layers_and_one_end_each():
    first, last = _w(QWEN15_7B, pp=2, rank=0), _w(QWEN15_7B, pp=2, rank=1)
    half_layers = 2 * (QWEN_LINEAR + QWEN_NORMS - 4096) / 2
    assert first.bytes == pytest.approx(half_layers + 2 * 4096 / 2 + QWEN_VOCAB, rel=1e-3)
    assert first.bytes == pytest.approx(last.bytes, rel=1e-3)


def test_tied_embeddings_counted_once():
    tied = _w(QWEN15_7B, tie_word_embeddings=True)
    untied = _w(QWEN15_7B)
    assert (untied.bytes - untied.rounding) - (tied.bytes - tied.rounding) == 151936 * 4096 * 2


@pytest.mark.parametrize("qcfg,per_param", [
    ({"quant_method": "awq", "bits": 4, "group_size": 128}, 0.5 + 2.5 / 128),
    ({"quant_method": "gptq", "bits": 4, "group_size": 128}, 0.5 + 2.5 / 128),
    ({"quant_method": "gptq", "bits": 8, "group_size": 64}, 1 + 3 / 64),
    ({"quant_method": "gptq", "bits": 4, "group_size": -1}, 0.5),
    ({"quant_method": "fp8", "activation_scheme": "dynamic"}, 1.0),
    ({"quant_method": "bitsandbytes", "load_in_4bit": True}, 0.5 + 1 / 64),
    ({"quant_method": "bitsandbytes", "load_in_8bit": True}, 1.0),
    ({"quant_method": "modelopt", "quant_algo": "NVFP4"}, 0.5 + 1 / 16),
    # compressed-tensors WNA16: `symmetric` defaults to true -> weight_packed + weight_scale only
    ({"quant_method": "compressed-tensors",
      "config_groups": {"g": {"weights": {"num_bits": 4, "type": "int", "group_size": 128}}}}, 0.5 + 2 / 128),
    # ... an asymmetric checkpoint also holds weight_zero_point: int32-packed [out // 8, groups]
    ({"quant_method": "compressed-tensors",
      "config_groups": {"g": {"weights": {"num_bits": 4, "type": "int", "group_size": 128,
                                          "symmetric": False}}}}, 0.5 + 2.5 / 128),
    # GPTQ sym: true on Marlin (the default GPU, cc unknown): qzeros freed after loading
    ({"quant_method": "gptq", "bits": 4, "group_size": 128, "sym": True}, 0.5 + 2 / 128),
    ({"quant_method": "gptq", "bits": 8, "group_size": 128, "sym": True}, 1 + 2 / 128),
    # AWQ keeps qzeros whatever the kernel
    ({"quant_method": "awq", "bits": 4, "group_size": 128, "zero_point": True}, 0.5 + 2.5 / 128),
    ({"quant_method": "compressed-tensors",
      "config_groups": {"g": {"weights": {"num_bits": 8, "type": "float"}}}}, 1.0),
])
def test_quantized_linear_layers_embeddings_stay_bf16(qcfg, per_param):
    w = _w(QWEN15_7B, quantization_config=qcfg)
    assert w.bytes - w.rounding == pytest.approx(QWEN_LINEAR * per_param + 2 * (QWEN_NORMS + QWEN_VOCAB), rel=1e-6)


def test_online_fp8_flag():
    m = arch(LLAMA31_8B)
    assert weight_format(m, "fp8", 2).linear_bytes == 1.0
    assert weight_format(m, None, 2).linear_bytes == 2.0


def test_mxfp4_quantizes_experts_only():
    """gpt-oss-20b: 24 × 32 experts × 3·2880² at 4.25 bits; attention, router, embeddings in bf16 ≈ 12.8 GiB."""
    w = _w(GPT_OSS_20B)
    experts = 24 * 32 * 3 * 2880 * 2880
    assert w.bytes > experts * (0.5 + 1 / 32)
    assert 12.0 < w.bytes / GIB < 14.0


def test_rope_cache_buffer_by_hand():
    """cos_sin_cache [length, rotary dim] in the model dtype, once per model (get_rope shares it)."""
    from vllm_lint.memory.weights import rope_cache_bytes
    from memory_helpers import DEEPSEEK_V2_LITE, GEMMA2_9B, LLAMA31_8B, QWEN15_7B, arch as _arch

    assert rope_cache_bytes(_arch(LLAMA31_8B), 2) == 131072 * 128 * 2  # llama3 scaling keeps the length
    assert rope_cache_bytes(_arch(QWEN15_7B), 2) == 32768 * 128 * 2
    assert rope_cache_bytes(_arch(GEMMA2_9B), 2) == 8192 * 256 * 2
    yarn = _arch(QWEN15_7B, rope_scaling={"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768})
    assert rope_cache_bytes(yarn, 2) == 131072 * 128 * 2  # YaRN caches original × factor
    linear = _arch(QWEN15_7B, rope_scaling={"type": "linear", "factor": 2.0})
    assert rope_cache_bytes(linear, 2) == 65536 * 128 * 2
    mla = _arch(DEEPSEEK_V2_LITE)
    assert rope_cache_bytes(mla, 2) == 163840 * 64 * 2  # MLA rotates only qk_rope_head_dim
    assert rope_cache_bytes(_arch({**QWEN15_7B, "model_type": "opt"}), 2) == 0  # learned positions


def test_gptq_sym_keeps_qzeros_off_marlin():
    """GPTQ sym: true keeps its (constant) qzeros where Marlin does not run: compute capability below 8.0
    (T4 is 7.5) or --quantization gptq forcing the exllama kernel; group 256 is not a Marlin size."""
    q = {"quant_method": "gptq", "bits": 4, "group_size": 128, "sym": True}
    m = arch(QWEN15_7B, quantization_config=q)
    assert weight_format(m, None, 2, gpu_cc=(8, 0)).linear_bytes == 0.5 + 2 / 128
    assert weight_format(m, None, 2, gpu_cc=(7, 5)).linear_bytes == 0.5 + 2.5 / 128
    assert weight_format(m, "gptq", 2, gpu_cc=(9, 0)).linear_bytes == 0.5 + 2.5 / 128
    # before 0.6.2 GPTQMarlinLinearMethod left the loaded qzeros in place (no MPLinearKernel yet)
    assert weight_format(m, None, 2, gpu_cc=(8, 0), version="0.5.5").linear_bytes == 0.5 + 2.5 / 128
    assert weight_format(m, None, 2, gpu_cc=(8, 0), version="0.6.6.post1").linear_bytes == 0.5 + 2 / 128
    m256 = arch(QWEN15_7B, quantization_config={**q, "group_size": 256})
    assert weight_format(m256, None, 2, gpu_cc=(9, 0)).linear_bytes == 0.5 + 2.5 / 256


def test_devstral_awq_symmetric_group32_by_hand():
    """cyankiwi/Devstral-Small-2-24B-Instruct-2512-AWQ-4bit (compressed-tensors int4, group 32, symmetric):
    40 layers × (q 5120·4096 + k,v 2·5120·1024 + o 4096·5120 + MLP 3·5120·32768) = 22,229,811,200 linear
    weights at 0.5 + 2/32 bytes = 12,504,268,800 B; embedding + untied lm_head 2·131072·5120·2 B =
    2,684,354,560 B; norms (2·40 + 1)·5120·2 B = 829,440 B. Total 15,189,452,800 B = 14.146 GiB
    (vLLM 0.15.1 measured "Model loading took 14.29 GiB" including the 0.094 GiB YaRN cos/sin cache)."""
    from vllm_lint.models.resolve import resolve_model

    m = resolve_model("cyankiwi/Devstral-Small-2-24B-Instruct-2512-AWQ-4bit").arch
    w = weights_per_rank(m, tp=1, pp=1, pp_rank=0, layers_on_rank=40, dtype_bytes=2, vision=False)
    assert w.bytes - w.rounding == 12_504_268_800 + 2_684_354_560 + 829_440
    with_tower = weights_per_rank(m, tp=1, pp=1, pp_rank=0, layers_on_rank=40, dtype_bytes=2)
    assert (with_tower.bytes - with_tower.rounding) - (w.bytes - w.rounding) == m.extra["vision_params"] * 2


def test_mla_keeps_a_model_dtype_copy_of_a_quantized_kv_b_proj():
    """V1 MLA attention (0.8+) dequantizes kv_b_proj for W_UK_T / W_UV: free for a bf16 checkpoint (views
    of the weight), a new bf16 [kv_lora_rank, heads/TP x (qk_nope + v)] tensor per layer for FP8.
    DeepSeek-V3 FP8 at TP 8: 61 x 512 x 16 x (128 + 128) x 2 B = 244 MiB per GPU."""
    from vllm_lint.memory.weights import WeightFormat, mla_kv_b_copy_bytes
    from memory_helpers import DEEPSEEK_V2_LITE, arch

    v3 = arch(dict(DEEPSEEK_V2_LITE, num_attention_heads=128, qk_nope_head_dim=128, v_head_dim=128,
                   num_hidden_layers=61))
    fp8 = WeightFormat("fp8", 1.0)
    assert mla_kv_b_copy_bytes(v3, fp8, tp=8, layers_on_rank=61, dtype_bytes=2, version="0.26.0") == \
        61 * 512 * 16 * 256 * 2
    assert mla_kv_b_copy_bytes(v3, WeightFormat("bf16/fp16", 2.0), tp=8, layers_on_rank=61, dtype_bytes=2,
                               version="0.26.0") == 0
    assert mla_kv_b_copy_bytes(v3, fp8, tp=8, layers_on_rank=61, dtype_bytes=2, version="0.7.3") == 0


def test_vocab_padded_to_64_then_split_by_tp():
    """pad_vocab_size pads to 64; VocabParallelEmbedding then divides by TP: Llama-3.1's 128256 rows (64 × 2004)
    are 16032 per rank at TP 8, not 16064 (a padding to 64 × TP)."""
    from vllm_lint.memory.weights import _pad

    assert _pad(128256, 8) // 8 == 16032
    assert _pad(151936, 8) // 8 == 18992
    assert _pad(32000, 1) == 32000 and _pad(50257, 1) == 50304
