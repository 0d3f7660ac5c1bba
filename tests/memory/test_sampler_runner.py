"""Which model runner samples the profile run's dummy batch, and what its sampler holds per logit
(engine.runner_of / activation.sampler_bytes_per_logit), release by release from vLLM's source."""

from __future__ import annotations

import pytest

from vllm_lint.memory.activation import V0_SAMPLER_BYTES_PER_LOGIT, sampler_bytes_per_logit
from vllm_lint.memory.engine import runtime
from memory_helpers import DEEPSEEK_V2_LITE, LLAMA31_8B, QWEN3_NEXT, arch, rt


def model_runner_v2(model, version, env=None) -> bool:
    return runtime(version, model, env).runner_v2

QWEN3_8B = {"model_type": "qwen3", "architectures": ["Qwen3ForCausalLM"], "hidden_size": 4096,
            "num_hidden_layers": 36, "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128,
            "intermediate_size": 12288, "vocab_size": 151936, "torch_dtype": "bfloat16"}
LLAMA = dict(LLAMA31_8B, architectures=["LlamaForCausalLM"])
GEMMA2 = {"model_type": "gemma2", "architectures": ["Gemma2ForCausalLM"], "hidden_size": 3584,
          "num_hidden_layers": 42, "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 256,
          "intermediate_size": 14336, "vocab_size": 256000, "torch_dtype": "bfloat16"}
MIXTRAL = {"model_type": "mixtral", "architectures": ["MixtralForCausalLM"], "hidden_size": 4096,
           "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
           "intermediate_size": 14336, "num_local_experts": 8, "num_experts_per_tok": 2, "vocab_size": 32000}


@pytest.mark.parametrize("cfg, version, expected", [
    (LLAMA, "0.21.0", False),        # VLLM_USE_V2_MODEL_RUNNER defaulted to 0
    (QWEN3_8B, "0.22.0", True),      # 0.22-0.23: dense, unquantized Qwen3 only
    (LLAMA, "0.22.0", False),
    (LLAMA, "0.24.0", True),         # 0.24: six listed architectures
    (GEMMA2, "0.24.0", False),
    (GEMMA2, "0.26.0", True),        # 0.25+: every dense model
    (MIXTRAL, "0.26.0", False),      # ... but MoE stays on V1 unless listed
    (dict(DEEPSEEK_V2_LITE, architectures=["DeepseekV2ForCausalLM"]), "0.26.0", True),
    (dict(QWEN3_NEXT, layer_types=["linear_attention"] * 3 + ["full_attention"],
          architectures=["Qwen3NextForCausalLM"]), "0.26.0", False),  # hybrids stay on V1
])
def test_model_runner_v2_defaults(cfg, version, expected):
    assert model_runner_v2(arch(cfg), version) is expected


def test_model_runner_v2_environment_override():
    assert model_runner_v2(arch(MIXTRAL), "0.26.0", {"VLLM_USE_V2_MODEL_RUNNER": "1"})
    assert not model_runner_v2(arch(GEMMA2), "0.26.0", {"VLLM_USE_V2_MODEL_RUNNER": "0"})
    assert not model_runner_v2(arch(GEMMA2), "0.19.0", {"VLLM_USE_V2_MODEL_RUNNER": "1"})  # no V2 runner yet


def test_sampler_bytes_per_logit_by_runner_and_backend():
    assert sampler_bytes_per_logit(rt("0.6.5")) == V0_SAMPLER_BYTES_PER_LOGIT == 37
    # V1 runner: FlashInfer by default up to 0.11 (bf16, fp32, masked logits, softmax), the PyTorch
    # sort path in 0.12-0.16, the in-place Triton top-k/top-p from 0.17, FlashInfer again from 0.21
    assert sampler_bytes_per_logit(rt("0.10.0")) == 2 + 4 + 4 + 4 == 14
    assert sampler_bytes_per_logit(rt("0.13.0")) == 2 + 4 + 4 + 8 + 1 + 4 + 1 + 4 == 28
    assert sampler_bytes_per_logit(rt("0.10.0"), env={"VLLM_USE_FLASHINFER_SAMPLER": "0"}) == 28
    assert sampler_bytes_per_logit(rt("0.13.0"), env={"VLLM_USE_FLASHINFER_SAMPLER": "1"}) == 14
    assert sampler_bytes_per_logit(rt("0.17.0")) == 14
    assert sampler_bytes_per_logit(rt("0.26.0", runner="v1")) == 14  # MoE / hybrids on the V1 runner
    assert sampler_bytes_per_logit(rt("0.26.0", runner="v2")) == 2  # in place on bf16 logits
    assert sampler_bytes_per_logit(rt("0.33.0")) == 10


def test_public_gemma3_1b_sampler_on_013():
    """A public benchmark log (vLLM 0.13.0, gemma-3-1b-it, a 32 GB card): with the 0.13 PyTorch sampler
    (256 rows × 262144 logits × 28 B = 1.75 GiB) the KV estimate lands within 2.5 % of the logged 25.39 GiB;
    at 2 B per logit it would be 7 % over."""
    from vllm_lint.hardware.gpus import resolve_gpu
    from vllm_lint.memory.estimate import estimate
    from vllm_lint.memory.settings import settings_from_args
    from vllm_lint.models.resolve import resolve_model

    s = settings_from_args({"max_model_len": 2048, "gpu_memory_utilization": 0.95})
    s.usage_context = "llm"
    cap = estimate(resolve_model("google/gemma-3-1b-it").arch, resolve_gpu("RTX 5090"), s, "0.13.0")
    assert cap.activation_gib == pytest.approx(256 * 262144 * 28 / 2**30, rel=0.05)
    assert cap.kv_cache_gib == pytest.approx(25.39, rel=0.025)


def test_cuda_graph_estimate_follows_the_model_runner():
    """0.20-0.32: the V1 model runner captures its graphs into a throwaway pool and the worker subtracts
    them; Model Runner V2 reports 0 (measured on 0.26: KV = budget - weights - activation - non-torch for
    dense models, the 0.73-0.99 GiB of graphs captured afterwards)."""
    from vllm_lint.hardware.gpus import resolve_gpu
    from vllm_lint.memory.estimate import estimate
    from vllm_lint.memory.settings import EngineSettings

    gpu = resolve_gpu("H200")
    dense_026 = estimate(arch(LLAMA), gpu, EngineSettings(), "0.26.0")
    dense_021 = estimate(arch(LLAMA), gpu, EngineSettings(), "0.21.0")
    moe_026 = estimate(arch(MIXTRAL), gpu, EngineSettings(), "0.26.0")
    assert dense_026.model_runner_v2 and dense_026.cuda_graph_gib == 0
    assert "Model Runner V2" in dense_026.era_text
    assert not dense_021.model_runner_v2 and dense_021.cuda_graph_gib > 0
    assert not moe_026.model_runner_v2 and moe_026.cuda_graph_gib > 0
    assert "CUDA-graph estimate subtracted" in moe_026.era_text and "V1 model runner" in moe_026.era_text
    eager = estimate(arch(MIXTRAL), gpu, EngineSettings(enforce_eager=True), "0.26.0")
    assert eager.cuda_graph_gib == 0


def test_final_logit_softcapping_holds_two_copies_of_the_logits():
    """Gemma-2's LogitsProcessor computes logits / 30, tanh, * 30, each a new tensor next to the last:
    on Model Runner V2 (in-place sampler, 2 B per logit) the peak is two bf16 copies. 1024 rows × 256000
    × 4 B + (2048 + 1024) × 3584 × 2 B at 2048 tokens."""
    from vllm_lint.memory.activation import activation_peak

    gemma = dict(GEMMA2, final_logit_softcapping=30.0)
    assert arch(gemma).extra["final_logit_softcapping"] == 30.0
    a = activation_peak(arch(gemma), tokens=2048, rows=1024, dtype_bytes=2, tp=1, rt=rt("0.26.0", arch(gemma)),
                        compiled=True)
    assert a.sampler_bytes == 1024 * 256000 * 4 + (2048 + 1024) * 3584 * 2
    plain = activation_peak(arch(GEMMA2), tokens=2048, rows=1024, dtype_bytes=2, tp=1,
                            rt=rt("0.26.0", arch(GEMMA2)), compiled=True)
    assert plain.sampler_bytes == 1024 * 256000 * 2 + (2048 + 1024) * 3584 * 2
    # the V1 runner's fp32 pipeline (14 B) already outgrows two bf16 copies
    v1 = activation_peak(arch(gemma), tokens=2048, rows=1024, dtype_bytes=2, tp=1,
                         rt=rt("0.26.0", arch(gemma), runner="v1"), compiled=True)
    assert v1.sampler_bytes == 1024 * 256000 * 14 + (2048 + 2 * 1024) * 3584 * 2


def test_cudagraph_mode_none_keeps_the_compiled_forward():
    """--compilation-config '{"cudagraph_mode": "NONE"}' turns off the graphs, not torch.compile: the
    compiled live set and the cold-compile spike stay, the CUDA-graph estimate goes."""
    from vllm_lint.hardware.gpus import resolve_gpu
    from vllm_lint.memory.estimate import estimate
    from vllm_lint.memory.settings import EngineSettings, settings_from_args

    gpu = resolve_gpu("H200")
    no_graphs = settings_from_args({"compilation_config": {"cudagraph_mode": "NONE"}})
    a = estimate(arch(MIXTRAL), gpu, no_graphs, "0.26.0")
    default = estimate(arch(MIXTRAL), gpu, EngineSettings(), "0.26.0")
    eager = estimate(arch(MIXTRAL), gpu, EngineSettings(enforce_eager=True), "0.26.0")
    assert a.cuda_graph_gib == 0 < default.cuda_graph_gib
    assert a.activation_gib == default.activation_gib != eager.activation_gib
