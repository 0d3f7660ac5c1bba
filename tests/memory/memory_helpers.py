"""Small architectures for hand-checked tests (numbers in each test are worked by hand)."""

from __future__ import annotations

from vllm_lint.memory.engine import Runtime, runtime
from vllm_lint.memory.releases import with_changes
from vllm_lint.models.arch import ModelArch

LLAMA31_8B = {"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
              "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 128256,
              "max_position_embeddings": 131072, "torch_dtype": "bfloat16",
              "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "original_max_position_embeddings": 8192}}
QWEN15_7B = {"model_type": "qwen2", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
             "num_key_value_heads": 32, "intermediate_size": 11008, "vocab_size": 151936,
             "max_position_embeddings": 32768, "torch_dtype": "bfloat16", "sliding_window": 32768,
             "use_sliding_window": False}
LLAMA3_70B = {"model_type": "llama", "hidden_size": 8192, "num_hidden_layers": 80, "num_attention_heads": 64,
              "num_key_value_heads": 8, "intermediate_size": 28672, "vocab_size": 128256,
              "max_position_embeddings": 8192, "torch_dtype": "bfloat16"}
DEEPSEEK_V2_LITE = {"model_type": "deepseek_v2", "hidden_size": 2048, "num_hidden_layers": 27, "num_attention_heads": 16,
                    "num_key_value_heads": 16, "intermediate_size": 10944, "vocab_size": 102400,
                    "max_position_embeddings": 163840, "kv_lora_rank": 512, "qk_rope_head_dim": 64,
                    "qk_nope_head_dim": 128, "v_head_dim": 128, "n_routed_experts": 64, "num_experts_per_tok": 6,
                    "moe_intermediate_size": 1408, "n_shared_experts": 2, "first_k_dense_replace": 1,
                    "torch_dtype": "bfloat16"}
GEMMA2_9B = {"model_type": "gemma2", "hidden_size": 3584, "num_hidden_layers": 42, "num_attention_heads": 16,
             "num_key_value_heads": 8, "head_dim": 256, "intermediate_size": 14336, "vocab_size": 256000,
             "max_position_embeddings": 8192, "sliding_window": 4096, "torch_dtype": "bfloat16"}
GPT_OSS_20B = {"model_type": "gpt_oss", "hidden_size": 2880, "num_hidden_layers": 24, "num_attention_heads": 64,
               "num_key_value_heads": 8, "head_dim": 64, "intermediate_size": 2880, "vocab_size": 201088,
               "max_position_embeddings": 131072, "sliding_window": 128,
               "layer_types": ["sliding_attention", "full_attention"] * 12, "num_local_experts": 32,
               "num_experts_per_tok": 4, "torch_dtype": "bfloat16",
               "quantization_config": {"quant_method": "mxfp4",
                                       "modules_to_not_convert": ["model.layers.*.self_attn", "lm_head"]}}
QWEN3_NEXT = {"model_type": "qwen3_next", "hidden_size": 2048, "num_hidden_layers": 48, "num_attention_heads": 16,
              "num_key_value_heads": 2, "head_dim": 256, "intermediate_size": 5120, "vocab_size": 151936,
              "max_position_embeddings": 262144, "full_attention_interval": 4, "linear_num_key_heads": 16,
              "linear_num_value_heads": 32, "linear_key_head_dim": 128, "linear_value_head_dim": 128,
              "linear_conv_kernel_dim": 4, "num_experts": 512, "num_experts_per_tok": 10,
              "moe_intermediate_size": 512, "shared_expert_intermediate_size": 512, "torch_dtype": "bfloat16"}


def arch(cfg: dict, **extra) -> ModelArch:
    return ModelArch.from_config({**cfg, **extra}, id=cfg["model_type"])


def rt(version: str | None = "0.26.0", model: ModelArch | None = None, *, engine: str | None = None,
       runner: str | None = None, **changes: object) -> Runtime:
    """The runtime of ``model`` at ``version`` (engine and runner as vLLM picks them unless given);
    ``changes`` alter release fields for comparisons."""
    base = runtime(version, model)
    rel = with_changes(base.release, **changes) if changes else base.release
    engine = engine or base.engine
    if runner is None:
        runner = base.runner if engine == base.engine else ("v0" if engine == "v0" else "v1")
    return Runtime(rel, engine, runner)
