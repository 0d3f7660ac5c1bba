"""Developer tool: build ``models/data/catalog.json`` from the team's sourced knowledge file.

Run: ``PYTHONPATH=src python -m vllm_lint.models.build_catalog /work/shared/knowledge/models.jsonl``.
Every entry keeps the ``source`` it was read from; entries derived from another (an instruct
fine-tune with identical architecture fields, a quantized variant) name the base and say how.
Not used at lint time (the JSON is shipped).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).parent / "data" / "catalog.json"

# config.json keys carried into the catalog (everything else in a knowledge record is provenance).
CONFIG_KEYS = (
    "model_type", "architectures", "hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
    "head_dim", "intermediate_size", "vocab_size", "max_position_embeddings", "rope_theta", "rope_scaling",
    "sliding_window", "use_sliding_window", "max_window_layers", "tie_word_embeddings", "torch_dtype",
    "num_experts_per_tok", "moe_intermediate_size", "num_experts", "num_local_experts", "n_routed_experts",
    "n_shared_experts", "first_k_dense_replace", "moe_layer_freq", "kv_lora_rank", "q_lora_rank", "qk_rope_head_dim",
    "qk_nope_head_dim", "v_head_dim", "sliding_window_pattern", "layer_types", "quantization_config",
    "shared_expert_intermediate_size", "num_layers", "multi_query_group_num", "kv_channels", "ffn_hidden_size",
    "padded_vocab_size", "seq_length", "decoder_sparse_step", "mlp_only_layers", "original_max_position_embeddings",
    "query_pre_attn_scalar",
)

# litgpt transcriptions lack model_type / max_position_embeddings: fill them from the family and
# litgpt's context (block_size), saying so in the entry.
FAMILY_TYPES = {
    "Qwen/Qwen2.5": "qwen2", "deepseek-ai/DeepSeek-R1-Distill-Llama": "llama", "google/gemma-3": "gemma3",
    "meta-llama/": "llama", "microsoft/Phi-3": "phi3", "microsoft/phi-4": "phi3", "THUDM/glm-4": "chatglm",
    "TheBloke/Llama-2": "llama",
}
# models-notes.md: Qwen2.5 -Instruct repos have max_position_embeddings 32768 (base: 131072).
MAX_POS_OVERRIDE = {"Qwen/Qwen2.5-1.5B-Instruct": 32768}
# Fields a record's source did not capture, taken from a sibling record that shares the tokenizer/embedding.
FILL_FROM = {"Qwen/Qwen2.5-VL-7B-Instruct": ("Qwen/Qwen2.5-7B-Instruct", ("vocab_size", "torch_dtype", "rope_theta",
                                                                          "tie_word_embeddings"))}
# Vision towers the models.jsonl excerpts did not capture. Qwen2.5-VL-7B-Instruct's vision_config as
# printed in copies of its HF config.json (public GitHub file ids 59734464781 and 16539311453, and a
# training log, 51894832843): 32 blocks of width 1280, SiLU-gated MLP 3420, merger to 3584.
VISION_CONFIGS = {
    "Qwen/Qwen2.5-VL-7B-Instruct": ({"depth": 32, "hidden_size": 1280, "intermediate_size": 3420, "num_heads": 16,
                                     "hidden_act": "silu", "out_hidden_size": 3584, "patch_size": 14,
                                     "spatial_merge_size": 2, "temporal_patch_size": 2, "window_size": 112},
                                    "public GitHub file ids 59734464781, 16539311453 (Qwen2.5-VL-7B-Instruct config.json)"),
}
# litgpt transcriptions drop tie_word_embeddings; the small Qwen2/2.5 configs tie it (Qwen2-0.5B/1.5B-Instruct
# and Qwen2.5-3B records in models.jsonl say true), as does Llama-3.2 1B/3B.
TIED = {"Qwen/Qwen2.5-0.5B-Instruct", "Qwen/Qwen2.5-1.5B-Instruct", "Qwen/Qwen2.5-3B-Instruct",
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"}
LLAMA3_ROPE = {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192,
               "rope_type": "llama3"}

# Same architecture fields as a sourced base record (instruct/chat fine-tunes and re-uploads).
SAME_ARCH = [
    ("meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Meta-Llama-3.1-8B",
     "models.jsonl notes: the -Instruct repo has the same architecture fields as the base (differs in eos_token_id)"),
    ("meta-llama/Llama-3.1-8B", "meta-llama/Meta-Llama-3.1-8B", "renamed repo of meta-llama/Meta-Llama-3.1-8B"),
    ("meta-llama/Meta-Llama-3.1-8B-Instruct", "meta-llama/Meta-Llama-3.1-8B", "same architecture fields as the base"),
    ("meta-llama/Llama-3.1-70B-Instruct", "meta-llama/Meta-Llama-3.1-70B", "same architecture fields as the base"),
    ("meta-llama/Meta-Llama-3.1-70B-Instruct", "meta-llama/Meta-Llama-3.1-70B", "same architecture fields as the base"),
    ("meta-llama/Llama-3.1-405B-Instruct", "meta-llama/Meta-Llama-3.1-405B", "same architecture fields as the base"),
    ("meta-llama/Meta-Llama-3-8B", "meta-llama/Meta-Llama-3-8B-Instruct", "base of the instruct repo, same architecture"),
    ("meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b-chat-hf", "base of the chat repo, same architecture"),
    ("mistralai/Mixtral-8x7B-Instruct-v0.1", "mistralai/Mixtral-8x7B-v0.1", "instruct fine-tune, same architecture"),
    ("mistralai/Mixtral-8x22B-Instruct-v0.1", "mistralai/Mixtral-8x22B-v0.1", "instruct fine-tune, same architecture"),
    ("deepseek-ai/DeepSeek-V2-Lite", "deepseek-ai/DeepSeek-V2-Lite-Chat", "models.jsonl notes: V2-Lite and -Lite-Chat share the architecture"),
    ("deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct", "deepseek-ai/DeepSeek-V2-Lite-Chat",
     "DeepSeek-Coder-V2-Lite is the V2-Lite architecture (27 layers, MLA 512+64, 64 experts); context 163840"),
    ("deepseek-ai/DeepSeek-V2", "deepseek-ai/DeepSeek-V2-Chat", "base of the chat model, same architecture"),
    ("deepseek-ai/DeepSeek-Coder-V2-Instruct", "deepseek-ai/DeepSeek-V2-Chat",
     "DeepSeek-Coder-V2 (236B) is the DeepSeek-V2 architecture"),
    ("deepseek-ai/DeepSeek-V2.5", "deepseek-ai/DeepSeek-V2-Chat", "V2.5 merges V2-Chat and Coder-V2 on the V2 architecture"),
    ("deepseek-ai/DeepSeek-V3-0324", "deepseek-ai/DeepSeek-V3", "checkpoint update of DeepSeek-V3, same architecture"),
    ("deepseek-ai/DeepSeek-R1-0528", "deepseek-ai/DeepSeek-R1", "checkpoint update of DeepSeek-R1, same architecture"),
    ("Qwen/Qwen3-8B-Base", "Qwen/Qwen3-8B", "base of Qwen3-8B, same architecture"),
    ("Qwen/Qwen3-30B-A3B-Instruct-2507", "Qwen/Qwen3-30B-A3B", "2507 instruct update of Qwen3-30B-A3B; same layer shapes (context raised to 262144)"),
    ("Qwen/Qwen3-Coder-30B-A3B-Instruct", "Qwen/Qwen3-30B-A3B", "Qwen3-Coder-30B-A3B uses the Qwen3-30B-A3B MoE shapes (context 262144)"),
    ("Qwen/Qwen3-Next-80B-A3B-Thinking", "Qwen/Qwen3-Next-80B-A3B-Instruct", "thinking variant, same architecture"),
    ("mistralai/Mistral-7B-v0.3", "mistralai/Mistral-7B-Instruct-v0.3", "base of the instruct repo, same architecture"),
]
CONTEXT_OVERRIDE = {
    "Qwen/Qwen3-30B-A3B-Instruct-2507": 262144,
    "Qwen/Qwen3-Coder-30B-A3B-Instruct": 262144,
}
# Quantized variants: base architecture + the quantization block their publishers use.
AWQ = {"quant_method": "awq", "bits": 4, "group_size": 128, "zero_point": True, "version": "gemm"}
GPTQ4 = {"quant_method": "gptq", "bits": 4, "group_size": 128, "desc_act": False, "sym": True}
GPTQ8 = {"quant_method": "gptq", "bits": 8, "group_size": 128, "desc_act": False, "sym": True}
FP8 = {"quant_method": "fp8", "activation_scheme": "dynamic", "fmt": "e4m3"}
BNB4 = {"quant_method": "bitsandbytes", "load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_use_double_quant": True}
QUANT_SOURCE = ("derived: architecture of the base record; quantization block is the publisher's usual one for this format "
                "(AWQ: TheBloke/Qwen/hugging-quants 4-bit group 128 GEMM; GPTQ: 4/8-bit group 128; FP8: dynamic e4m3; "
                "bnb: nf4 double-quant) - not read from this exact repo")
QUANTIZED = [
    ("Qwen/Qwen2.5-7B-Instruct-AWQ", "Qwen/Qwen2.5-7B-Instruct", AWQ, "float16"),
    ("Qwen/Qwen2.5-14B-Instruct-AWQ", "Qwen/Qwen2.5-14B-Instruct", AWQ, "float16"),
    ("Qwen/Qwen2.5-32B-Instruct-AWQ", "Qwen/Qwen2.5-32B-Instruct", AWQ, "float16"),
    ("Qwen/Qwen2.5-72B-Instruct-AWQ", "Qwen/Qwen2.5-72B-Instruct", AWQ, "float16"),
    ("Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4", "Qwen/Qwen2.5-7B-Instruct", GPTQ4, "float16"),
    ("Qwen/Qwen2.5-7B-Instruct-GPTQ-Int8", "Qwen/Qwen2.5-7B-Instruct", GPTQ8, "float16"),
    ("Qwen/Qwen2.5-14B-Instruct-GPTQ-Int4", "Qwen/Qwen2.5-14B-Instruct", GPTQ4, "float16"),
    ("Qwen/Qwen2.5-32B-Instruct-GPTQ-Int4", "Qwen/Qwen2.5-32B-Instruct", GPTQ4, "float16"),
    ("Qwen/Qwen2.5-72B-Instruct-GPTQ-Int4", "Qwen/Qwen2.5-72B-Instruct", GPTQ4, "float16"),
    ("Qwen/Qwen1.5-7B-Chat-GPTQ-Int4", "Qwen/Qwen1.5-7B-Chat", GPTQ4, "float16"),
    ("Qwen/Qwen1.5-7B-Chat-AWQ", "Qwen/Qwen1.5-7B-Chat", AWQ, "float16"),
    ("Qwen/Qwen3-8B-AWQ", "Qwen/Qwen3-8B", AWQ, "float16"),
    ("Qwen/Qwen3-8B-FP8", "Qwen/Qwen3-8B", {**FP8, "weight_block_size": [128, 128]}, "bfloat16"),
    ("Qwen/Qwen3-14B-AWQ", "Qwen/Qwen3-14B", AWQ, "float16"),
    ("Qwen/Qwen3-32B-AWQ", "Qwen/Qwen3-32B", AWQ, "float16"),
    ("hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4", "meta-llama/Meta-Llama-3.1-8B", AWQ, "float16"),
    ("hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4", "meta-llama/Meta-Llama-3.1-70B", AWQ, "float16"),
    ("hugging-quants/Meta-Llama-3.1-8B-Instruct-GPTQ-INT4", "meta-llama/Meta-Llama-3.1-8B", GPTQ4, "float16"),
    ("neuralmagic/Meta-Llama-3.1-8B-Instruct-FP8", "meta-llama/Meta-Llama-3.1-8B", FP8, "bfloat16"),
    ("neuralmagic/Meta-Llama-3.1-70B-Instruct-FP8", "meta-llama/Meta-Llama-3.1-70B", FP8, "bfloat16"),
    ("casperhansen/llama-3.3-70b-instruct-awq", "meta-llama/Llama-3.3-70B-Instruct", AWQ, "float16"),
    ("TheBloke/Mistral-7B-Instruct-v0.2-AWQ", "mistralai/Mistral-7B-Instruct-v0.2", AWQ, "float16"),
    ("TheBloke/Mixtral-8x7B-Instruct-v0.1-AWQ", "mistralai/Mixtral-8x7B-v0.1", AWQ, "float16"),
    ("TheBloke/Llama-2-13B-chat-AWQ", "meta-llama/Llama-2-13b-chat-hf", AWQ, "float16"),
    ("unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit", "meta-llama/Meta-Llama-3.1-8B", BNB4, "bfloat16"),
    ("RedHatAI/Mistral-Small-24B-Instruct-2501-FP8-dynamic", "mistralai/Mistral-Small-24B-Instruct-2501", FP8, "bfloat16"),
    ("Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8", "Qwen/Qwen3-Coder-30B-A3B-Instruct", {**FP8, "weight_block_size": [128, 128]}, "bfloat16"),
    ("Qwen/Qwen3-Next-80B-A3B-Instruct-FP8", "Qwen/Qwen3-Next-80B-A3B-Instruct", {**FP8, "weight_block_size": [128, 128]}, "bfloat16"),
    ("RedHatAI/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic", "meta-llama/Llama-4-Scout-17B-16E-Instruct", FP8, "bfloat16"),
    ("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B-AWQ", "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", AWQ, "float16"),
]


# Configs read after models.jsonl was written, each with its source.
AIC = "github ai-dynamo/aiconfigurator aic-core/src/aiconfigurator_core/model_configs/{} @64c5ddb697dd8ad88a938f65b23d25cf5f45de12"
_LLAMA4_TEXT = {"attention_chunk_size": 8192, "head_dim": 128, "hidden_size": 5120, "intermediate_size": 8192,
                "intermediate_size_mlp": 16384, "model_type": "llama4_text", "num_attention_heads": 40,
                "num_experts_per_tok": 1, "num_hidden_layers": 48, "num_key_value_heads": 8, "vocab_size": 202048,
                "torch_dtype": "bfloat16", "rope_theta": 500000.0}
EXTRA_MODELS = [
    {"id": "meta-llama/Llama-4-Scout-17B-16E-Instruct",
     "config": {"model_type": "llama4", "architectures": ["Llama4ForConditionalGeneration"], "torch_dtype": "bfloat16",
                "text_config": {**_LLAMA4_TEXT, "interleave_moe_layer_step": 1, "max_position_embeddings": 10485760,
                                "num_local_experts": 16, "rope_scaling": {"factor": 16.0, "high_freq_factor": 1.0,
                                "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"}}},
     "source": AIC.format("meta-llama--Llama-4-Scout-17B-16E-Instruct_config.json"),
     "source_kind": "vendored copy of the HF config.json (text_config kept; vision_config omitted)"},
    {"id": "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
     "config": {"model_type": "llama4", "architectures": ["Llama4ForConditionalGeneration"], "torch_dtype": "bfloat16",
                "text_config": {**_LLAMA4_TEXT, "interleave_moe_layer_step": 2, "max_position_embeddings": 1048576,
                                "num_local_experts": 128, "rope_scaling": None}},
     "source": AIC.format("meta-llama--Llama-4-Maverick-17B-128E-Instruct_config.json"),
     "source_kind": "vendored copy of the HF config.json (text_config kept; vision_config omitted)"},
    {"id": "Qwen/Qwen3-Next-80B-A3B-Instruct",
     "config": {"model_type": "qwen3_next", "architectures": ["Qwen3NextForCausalLM"], "hidden_size": 2048,
                "num_hidden_layers": 48, "num_attention_heads": 16, "num_key_value_heads": 2, "head_dim": 256,
                "intermediate_size": 5120, "moe_intermediate_size": 512, "shared_expert_intermediate_size": 512,
                "num_experts": 512, "num_experts_per_tok": 10, "vocab_size": 151936,
                "max_position_embeddings": 262144, "full_attention_interval": 4, "linear_conv_kernel_dim": 4,
                "linear_key_head_dim": 128, "linear_num_key_heads": 16, "linear_num_value_heads": 32,
                "linear_value_head_dim": 128, "decoder_sparse_step": 1, "tie_word_embeddings": False,
                "torch_dtype": "bfloat16"},
     "source": "public config dump titled 'Qwen/Qwen3-Next-80B-A3B-Instruct' (code search; architectures through "
               "moe_intermediate_size seen there) + transformers Qwen3NextConfig defaults (docs/source/en/model_doc/qwen3_next.md: "
               "80B total, 3B active) for the expert counts",
     "source_kind": "partial dump + library defaults"},
    {"id": "deepseek-ai/DeepSeek-V2-Chat",
     "config": {"model_type": "deepseek_v2", "architectures": ["DeepseekV2ForCausalLM"], "hidden_size": 5120,
                "num_hidden_layers": 60, "num_attention_heads": 128, "num_key_value_heads": 128,
                "intermediate_size": 12288, "moe_intermediate_size": 1536, "n_routed_experts": 160,
                "n_shared_experts": 2, "num_experts_per_tok": 6, "first_k_dense_replace": 1, "moe_layer_freq": 1,
                "kv_lora_rank": 512, "q_lora_rank": 1536, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64,
                "v_head_dim": 128, "vocab_size": 102400, "max_position_embeddings": 163840,
                "rope_scaling": {"beta_fast": 32, "beta_slow": 1, "factor": 40, "mscale": 1.0, "mscale_all_dim": 1.0,
                                 "original_max_position_embeddings": 4096, "type": "yarn"},
                "tie_word_embeddings": False, "torch_dtype": "bfloat16"},
     "source": "public GitHub file id 1252603174 (DeepseekV2 config.json copy: 60 layers, 128 heads, 160 routed + 2 "
               "shared experts, MLA 512/1536); v_head_dim and vocab_size from public GitHub file ids 57921602983 and "
               "68361490220 (DeepSeek-V2 config fixtures)",
     "source_kind": "config.json copy inside a github file"},
    {"id": "microsoft/phi-1_5",
     "config": {"model_type": "phi", "architectures": ["PhiForCausalLM"], "hidden_size": 2048, "intermediate_size": 8192,
                "num_hidden_layers": 24, "num_attention_heads": 32, "num_key_value_heads": 32,
                "max_position_embeddings": 2048, "vocab_size": 51200, "tie_word_embeddings": False,
                "torch_dtype": "float16", "partial_rotary_factor": 0.5},
     "source": "public GitHub file id 1270800079 (PhiConfig dump with _name_or_path microsoft/phi-1_5, transformers 4.38.0)",
     "source_kind": "config dump inside a github file"},
    {"id": "facebook/opt-125m",
     "config": {"model_type": "opt", "architectures": ["OPTForCausalLM"], "hidden_size": 768, "ffn_dim": 3072,
                "num_hidden_layers": 12, "num_attention_heads": 12, "max_position_embeddings": 2048,
                "vocab_size": 50272, "torch_dtype": "float16", "word_embed_proj_dim": 768,
                "tie_word_embeddings": True},
     "source": "public GitHub file id 59461262682 (opt-125m config.json listing); tie_word_embeddings is OPTConfig's default",
     "source_kind": "config.json copy inside a github file"},
    {"id": "TinyLlama/TinyLlama-1.1B-Chat-v1.0",
     "config": {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 2048,
                "intermediate_size": 5632, "num_hidden_layers": 22, "num_attention_heads": 32, "num_key_value_heads": 4,
                "head_dim": 64, "max_position_embeddings": 2048, "vocab_size": 32000, "tie_word_embeddings": False,
                "torch_dtype": "bfloat16", "rope_theta": 10000.0},
     "source": "public GitHub file id 66655887233 (LlamaConfig dump with _name_or_path tinyLlama/TinyLlama-1.1B-Chat-v1.0, "
               "transformers 4.35.0)",
     "source_kind": "config dump inside a github file"},
]


# Configs read for the corpus's unresolved launches (VL407), each with the copy it was read from.
HF = "https://huggingface.co/{}"
_DEVSTRAL2_TEXT = {"model_type": "ministral3", "head_dim": 128, "hidden_size": 5120, "intermediate_size": 32768,
                   "max_position_embeddings": 393216, "num_attention_heads": 32, "num_hidden_layers": 40,
                   "num_key_value_heads": 8, "sliding_window": None, "vocab_size": 131072,
                   "rope_parameters": {"beta_fast": 32.0, "beta_slow": 1.0, "factor": 48.0, "mscale": 1.0,
                                       "mscale_all_dim": 1.0, "original_max_position_embeddings": 8192,
                                       "rope_theta": 100000000.0, "rope_type": "yarn", "type": "yarn"}}
_PIXTRAL_VISION = {"model_type": "pixtral", "hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 24,
                   "num_attention_heads": 16, "head_dim": 64, "hidden_act": "silu", "image_size": 1540,
                   "patch_size": 14}
_DEEPSEEK_CODER_ROPE = {"factor": 4.0, "type": "linear"}
VL407_MODELS = [
    {"id": "cyankiwi/Devstral-Small-2-24B-Instruct-2512-AWQ-4bit",
     "config": {"model_type": "mistral3", "architectures": ["Mistral3ForConditionalGeneration"], "dtype": "bfloat16",
                "tie_word_embeddings": False, "spatial_merge_size": 2,
                "quantization_config": {"quant_method": "compressed-tensors", "format": "pack-quantized",
                                        "config_groups": {"group_0": {"format": "pack-quantized", "targets": ["Linear"],
                                                                      "input_activations": None,
                                                                      "weights": {"num_bits": 4, "type": "int",
                                                                                  "group_size": 32, "strategy": "group",
                                                                                  "symmetric": True}}},
                                        "ignore": ["lm_head"], "kv_cache_scheme": None},
                "text_config": dict(_DEVSTRAL2_TEXT), "vision_config": dict(_PIXTRAL_VISION)},
     "source": "public GitHub file BigBIueWhale/devstral_vllm_config config_override.json @9be605ca (file id 27872570668): "
               "'a copy of the AWQ model's config.json with text_config.model_type patched from \"ministral3\" to "
               "\"mistral\"' (config.yaml); the original value ministral3 is kept here",
     "source_kind": "copy of the repo's config.json (revision da6366ed); quantization ignore list abbreviated to lm_head "
                    "(its other entries are the vision tower and projector layers)"},
    {"id": "mistralai/Mistral-Small-3.1-24B-Instruct-2503",
     "config": {"model_type": "mistral3", "architectures": ["Mistral3ForConditionalGeneration"],
                "torch_dtype": "bfloat16", "spatial_merge_size": 2,
                "text_config": {"model_type": "mistral", "head_dim": 128, "hidden_size": 5120,
                                "intermediate_size": 32768, "max_position_embeddings": 131072,
                                "num_attention_heads": 32, "num_hidden_layers": 40, "num_key_value_heads": 8,
                                "rope_theta": 1000000000.0, "sliding_window": None, "vocab_size": 131072},
                "vision_config": dict(_PIXTRAL_VISION)},
     "source": HF.format("mistralai/Mistral-Small-3.1-24B-Instruct-2503/blob/main/config.json") + " (text_config; "
               "vision hidden_size/head_dim/hidden_act/image_size); the Pixtral tower's depth 24 and MLP 4096 from the "
               "Devstral-Small-2 config copy above (Devstral Small 2 keeps Mistral Small 3.1's vision encoder)",
     "source_kind": "official HF config.json page + sibling copy for two vision-tower fields"},
    {"id": "deepseek-ai/deepseek-coder-6.7b-instruct",
     "config": {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 4096,
                "intermediate_size": 11008, "max_position_embeddings": 16384, "num_attention_heads": 32,
                "num_hidden_layers": 32, "num_key_value_heads": 32, "rope_scaling": dict(_DEEPSEEK_CODER_ROPE),
                "rope_theta": 100000, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "vocab_size": 32256},
     "source": HF.format("cfahlgren1/NaturalSQL-6.7B-v0/blob/c7fca37/config.json") + " and "
               + HF.format("lesso03/31957c40-f0da-4aea-8466-e8110a76d5d6/blob/main/config.json")
               + " (both _name_or_path deepseek-ai/deepseek-coder-6.7b-instruct; torch_dtype bfloat16 as in the second "
               "and in the official 6.7b-base copies)",
     "source_kind": "derived copies (fine-tunes naming the repo in _name_or_path)"},
    {"id": "deepseek-ai/deepseek-coder-33b-instruct",
     "config": {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 7168,
                "intermediate_size": 19200, "max_position_embeddings": 16384, "num_attention_heads": 56,
                "num_hidden_layers": 62, "num_key_value_heads": 8, "rope_scaling": dict(_DEEPSEEK_CODER_ROPE),
                "rope_theta": 100000, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "vocab_size": 32256},
     "source": HF.format("arise-sustech/llm4decompile-33b/blame/64de7f6/config.json") + " and "
               + HF.format("LoneStriker/OpenCodeInterpreter-DS-33B-8.0bpw-h8-exl2/blob/main/config.json")
               + " (fine-tunes of deepseek-coder-33b-base: 62 layers, 56 heads, 8 KV heads); the instruct repo is "
               "'initialized from deepseek-coder-33b-base' (xorbits model docs). Copies naming the instruct repo "
               "(smokewulf/Code-01, Deepseek-Wizard-33B-slerp) show the same fields but 32 layers - layer-pruned merges",
     "source_kind": "derived copies of the base model (same architecture as the instruct fine-tune)"},
    {"id": "HuggingFaceH4/zephyr-7b-beta",
     "config": {"model_type": "mistral", "architectures": ["MistralForCausalLM"], "hidden_size": 4096,
                "intermediate_size": 14336, "max_position_embeddings": 32768, "num_attention_heads": 32,
                "num_hidden_layers": 32, "num_key_value_heads": 8, "rope_theta": 10000.0, "sliding_window": 4096,
                "tie_word_embeddings": False, "torch_dtype": "bfloat16", "vocab_size": 32000},
     "source": HF.format("Dongwookss/zephyr_tuning_v1/blame/0757d32/config.json")
               + " (_name_or_path HuggingFaceH4/zephyr-7b-beta); a fine-tune of mistralai/Mistral-7B-v0.1",
     "source_kind": "derived copy (fine-tune naming the repo in _name_or_path)"},
    {"id": "Qwen/Qwen2.5-0.5B",
     "config": {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "hidden_size": 896,
                "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 24,
                "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2,
                "rope_theta": 1000000.0, "sliding_window": None, "use_sliding_window": False,
                "tie_word_embeddings": True, "torch_dtype": "bfloat16", "vocab_size": 151936},
     "source": HF.format("osllmai-community/Qwen2.5-0.5B/blob/main/config.json")
               + " (_name_or_path Qwen/Qwen2.5-0.5B); max_position_embeddings 32768 also in "
               + HF.format("artificialguybr/QWEN-2.5-0.5B-Synthia-I/blob/main/config.json"),
     "source_kind": "re-upload / derived copies naming the repo in _name_or_path"},
    {"id": "Qwen/Qwen2.5-Coder-1.5B-Instruct",
     "config": {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "hidden_size": 1536,
                "intermediate_size": 8960, "max_position_embeddings": 32768, "max_window_layers": 21,
                "num_attention_heads": 12, "num_hidden_layers": 28, "num_key_value_heads": 2,
                "rope_theta": 1000000.0, "sliding_window": None, "use_sliding_window": False,
                "tie_word_embeddings": True, "torch_dtype": "bfloat16", "vocab_size": 151936},
     "source": HF.format("tmickleydoyle/Python-Code-Completer/blob/main/config.json")
               + " (via unsloth/qwen2.5-coder-1.5b) and "
               + HF.format("TechxGenus/CursorCore-QW2.5-1.5B/blob/38a720d/config.json")
               + " (_name_or_path Qwen/Qwen2.5-Coder-1.5B; its vocab was resized): the Coder-1.5B shapes, which the "
               "-Instruct repo shares",
     "source_kind": "derived: copies of the base Qwen2.5-Coder-1.5B config (same architecture as the instruct repo)"},
    {"id": "distilbert/distilgpt2",
     "config": {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_embd": 768, "n_layer": 6, "n_head": 12,
                "n_positions": 1024, "n_ctx": 1024, "vocab_size": 50257, "activation_function": "gelu_new",
                "hidden_size": 768, "num_hidden_layers": 6, "num_attention_heads": 12, "tie_word_embeddings": True},
     "source": HF.format("distilbert/distilgpt2/blob/09daaa0/config.json") + " (n_embd/n_layer/n_head/n_positions/"
               "vocab_size); model_type and architectures from copies such as "
               + HF.format("dfsaab/god/blame/main/config.json") + " (_name_or_path distilgpt2)",
     "source_kind": "official HF config.json page; hidden_size/num_hidden_layers/num_attention_heads are GPT2Config's "
                    "attribute_map aliases of n_embd/n_layer/n_head, tie_word_embeddings its default (true)"},
    {"id": "zai-org/GLM-4.7-Flash",
     "config": {"model_type": "glm4_moe_lite", "architectures": ["Glm4MoeLiteForCausalLM"], "hidden_size": 2048,
                "intermediate_size": 10240, "max_position_embeddings": 202752, "moe_intermediate_size": 1536,
                "num_attention_heads": 20, "num_key_value_heads": 20, "n_routed_experts": 64, "n_shared_experts": 1,
                "num_experts_per_tok": 4, "first_k_dense_replace": 1, "num_hidden_layers": 47,
                "q_lora_rank": 768, "kv_lora_rank": 512, "qk_nope_head_dim": 192, "qk_rope_head_dim": 64,
                "v_head_dim": 256, "rope_scaling": None, "rope_theta": 1000000, "tie_word_embeddings": False,
                "torch_dtype": "bfloat16", "vocab_size": 154880},
     "source": HF.format("naaviii/glm-code-next-4b/blob/main/config.json") + " and "
               + HF.format("dphnAI/flash-beta1/blob/main/config.json")
               + " (Glm4MoeLiteForCausalLM copies that agree: 47 layers, MLA 512+64, 64 routed + 1 shared experts, "
               "top-4); transformers docs: GLM-4.7-Flash is glm4_moe_lite, 30B total / ~3B active",
     "source_kind": "copies of the GLM-4.7-Flash config.json in derived repos (no _name_or_path)"},
]
# Quantized uploads of the models above, each with the quantization its repo states.
VL407_QUANTIZED = [
    ("cyankiwi/GLM-4.7-Flash-AWQ-4bit", "zai-org/GLM-4.7-Flash",
     {"quant_method": "compressed-tensors", "format": "pack-quantized",
      "config_groups": {"group_0": {"targets": ["Linear"], "weights": {"num_bits": 4, "type": "int", "group_size": 32,
                                                                         "strategy": "group", "symmetric": True}}}},
     "bfloat16", "derived: GLM-4.7-Flash architecture; quantization block as in the same publisher's "
                 "Devstral-Small-2 AWQ-4bit config.json (compressed-tensors int4, group 32) - not read from this repo"),
    ("amd/Mixtral-8x7B-Instruct-v0.1-FP8-KV", "mistralai/Mixtral-8x7B-v0.1", FP8, "bfloat16",
     "derived: Mixtral-8x7B architecture; repo README (" + HF.format("amd/Mixtral-8x7B-Instruct-v0.1-FP8-KV")
     + "): Quark, 'Weight: FP8 symmetric per-tensor', KV cache FP8 (used with --kv-cache-dtype fp8); the quark "
       "quantization_config itself was not read"),
    ("neuralmagic/gemma-2-9b-it-FP8", "google/gemma-2-9b-it", FP8, "bfloat16", QUANT_SOURCE),
    ("neuralmagic/Meta-Llama-3.1-405B-Instruct-FP8", "meta-llama/Meta-Llama-3.1-405B", FP8, "bfloat16", QUANT_SOURCE),
    ("meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", "meta-llama/Llama-4-Maverick-17B-128E-Instruct", FP8,
     "bfloat16", QUANT_SOURCE),
    ("unsloth/phi-4-bnb-4bit", "microsoft/phi-4", BNB4, "bfloat16", QUANT_SOURCE),
]


# Gemma 4 (transformers 5 ``gemma4`` / ``gemma4_unified``): per-layer KV sharing on E2B/E4B
# (``num_kv_shared_layers``) and a second KV shape on the full-attention layers (``global_head_dim``,
# ``num_global_key_value_heads``) - the estimator refuses these (arch._unsupported_reason, VL106) while
# the context, head and quantization rules use the facts. Vision/audio sub-configs are left out.
def _layer_types(layers: int, every: int) -> list[str]:
    """Gemma's pattern as the releases write it: every ``every``-th layer is full attention."""
    return ["full_attention" if (i + 1) % every == 0 else "sliding_attention" for i in range(layers)]


_G4_ROPE = {"full_attention": {"partial_rotary_factor": 0.25, "rope_theta": 1000000.0, "rope_type": "proportional"},
            "sliding_attention": {"rope_theta": 10000.0, "rope_type": "default"}}
_G4_COMMON = {"attention_bias": False, "attention_dropout": 0.0, "final_logit_softcapping": 30.0,
              "hidden_activation": "gelu_pytorch_tanh", "rms_norm_eps": 1e-06, "tie_word_embeddings": True,
              "vocab_size": 262144, "vocab_size_per_layer_input": 262144}
# nvidia/Gemma-4-31B-IT-NVFP4 @ 4135a98a and bg-digitalservices/Gemma-4-26B-A4B-it-NVFP4A16 @ main, as
# transcribed in public GitHub file id 70302083267 (a C++ test header: "The Gemma 4 config.json files as
# the unit tests build them"; layer_types and the ignore list generated the way the releases write them).
G4_NVFP4_SRC = ("public GitHub file id 70302083267 (transcription of {}'s config.json; vision_config cut to its "
                "model_type there and left out here)")
_G4_31B_TEXT = {**_G4_COMMON, "model_type": "gemma4_text", "attention_k_eq_v": True, "dtype": "bfloat16",
                "enable_moe_block": False, "global_head_dim": 512, "head_dim": 256, "hidden_size": 5376,
                "hidden_size_per_layer_input": 0, "intermediate_size": 21504, "layer_types": _layer_types(60, 6),
                "max_position_embeddings": 262144, "num_attention_heads": 32, "num_global_key_value_heads": 4,
                "num_hidden_layers": 60, "num_key_value_heads": 16, "num_kv_shared_layers": 0,
                "rope_parameters": _G4_ROPE, "sliding_window": 1024, "use_double_wide_mlp": False}
_G4_26B_TEXT = {**_G4_COMMON, "model_type": "gemma4_text", "attention_k_eq_v": True, "dtype": "bfloat16",
                "enable_moe_block": True, "global_head_dim": 512, "head_dim": 256, "hidden_size": 2816,
                "hidden_size_per_layer_input": 0, "intermediate_size": 2112, "layer_types": _layer_types(30, 6),
                "max_position_embeddings": 262144, "moe_intermediate_size": 704, "num_attention_heads": 16,
                "num_experts": 128, "num_global_key_value_heads": 2, "num_hidden_layers": 30,
                "num_key_value_heads": 8, "num_kv_shared_layers": 0, "rope_parameters": _G4_ROPE,
                "sliding_window": 1024, "top_k_experts": 8, "use_double_wide_mlp": False}
# E2B: the config preset of public GitHub file id 53399663664 ("Gemma4 E2B preset extracted from MakotoUwu's
# PR #3485", GEMMA4_E2B_IT_PRESET); its shapes are the ones file id 62149741222 checks a downloaded E2B
# config.json against (35 layers, 1 KV head, head 256 / global 512, 20 KV-shared layers, window 512).
_G4_E2B_TEXT = {"model_type": "gemma4_text", "hidden_size": 1536, "intermediate_size": 6144, "num_hidden_layers": 35,
                "vocab_size": 262144, "num_attention_heads": 8, "num_key_value_heads": 1, "head_dim": 256,
                "rms_norm_eps": 1e-06, "hidden_activation": "gelu_pytorch_tanh", "max_position_embeddings": 131072,
                "sliding_window": 512, "layer_types": _layer_types(35, 5), "rope_parameters": _G4_ROPE,
                "hidden_size_per_layer_input": 256, "vocab_size_per_layer_input": 262144, "global_head_dim": 512,
                "num_kv_shared_layers": 20, "use_double_wide_mlp": True, "final_logit_softcapping": 30.0,
                "tie_word_embeddings": True, "torch_dtype": "bfloat16"}
# E4B: EXPECTED_ARCHITECTURE of public GitHub file id 66477836481 (checked against the config.json of
# google/gemma-4-E4B @ 7aa32e68 and google/gemma-4-E4B-it @ a4c2d58b); layer_types (every 6th full),
# num_global_key_value_heads null, attention_k_eq_v / use_double_wide_mlp false from file id 57658815156
# ("Transcribed from google/gemma-4-E4B-it-qat-w4a16-ct's config.json"); max_position_embeddings 131072
# from file id 71611886309 (E4B metadata) and file id 66260699593 (model notes, 128K context).
_G4_E4B_TEXT = {"model_type": "gemma4_text", "hidden_size": 2560, "intermediate_size": 10240, "num_hidden_layers": 42,
                "num_attention_heads": 8, "num_key_value_heads": 2, "head_dim": 256, "global_head_dim": 512,
                "num_global_key_value_heads": None, "sliding_window": 512, "hidden_size_per_layer_input": 256,
                "vocab_size": 262144, "vocab_size_per_layer_input": 262144, "num_kv_shared_layers": 18,
                "rms_norm_eps": 1e-06, "final_logit_softcapping": 30.0, "attention_k_eq_v": False,
                "use_double_wide_mlp": False, "max_position_embeddings": 131072, "layer_types": _layer_types(42, 6),
                "rope_parameters": _G4_ROPE, "tie_word_embeddings": True}
# google/gemma-4-12B @ 56820d7d: config.json printed verbatim by a curl of the hub's resolve-cache URL in an
# agent log, public GitHub file id 54518386891 (Gemma4UnifiedForConditionalGeneration, 48 layers).
_G4_12B_TEXT = {**_G4_COMMON, "model_type": "gemma4_unified_text", "attention_k_eq_v": True,
                "enable_moe_block": False, "global_head_dim": 512, "head_dim": 256, "hidden_size": 3840,
                "hidden_size_per_layer_input": 0, "intermediate_size": 15360, "layer_types": _layer_types(48, 6),
                "max_position_embeddings": 262144, "moe_intermediate_size": None, "num_attention_heads": 16,
                "num_experts": None, "num_global_key_value_heads": 1, "num_hidden_layers": 48,
                "num_key_value_heads": 8, "num_kv_shared_layers": 0, "rope_parameters": _G4_ROPE,
                "sliding_window": 1024, "top_k_experts": None, "use_double_wide_mlp": False}
_G4_TOP = {"model_type": "gemma4", "architectures": ["Gemma4ForConditionalGeneration"]}
_NVFP4_GROUP = {"input_activations": {"dynamic": False, "num_bits": 4, "type": "float", "group_size": 16},
                "weights": {"dynamic": False, "num_bits": 4, "type": "float", "group_size": 16}, "targets": ["Linear"]}
_NVFP4_31B = {"config_groups": {"group_0": _NVFP4_GROUP},
              "ignore": ["lm_head", "model.embed_vision*"]
              + [f"model.language_model.layers.{i}.self_attn*" for i in range(60)] + ["model.vision_tower*"],
              "quant_algo": "NVFP4", "kv_cache_scheme": {"dynamic": False, "num_bits": 8, "type": "float"},
              "producer": {"name": "modelopt", "version": "0.37.0"}, "quant_method": "modelopt"}
_NVFP4_BG = {"config_groups": {"group_0": _NVFP4_GROUP}, "quant_algo": "NVFP4", "quant_method": "modelopt"}
GEMMA4_MODELS = [
    {"id": "nvidia/Gemma-4-31B-IT-NVFP4",
     "config": {**_G4_TOP, "dtype": "bfloat16", "tie_word_embeddings": True, "text_config": dict(_G4_31B_TEXT),
                "quantization_config": _NVFP4_31B},
     "source": G4_NVFP4_SRC.format("nvidia/Gemma-4-31B-IT-NVFP4 @ 4135a98a"),
     "source_kind": "transcribed copy of the repo's config.json (layer_types and ignore list regenerated as there)"},
    {"id": "google/gemma-4-31B-it",
     "config": {**_G4_TOP, "dtype": "bfloat16", "tie_word_embeddings": True, "text_config": dict(_G4_31B_TEXT)},
     "source": G4_NVFP4_SRC.format("nvidia/Gemma-4-31B-IT-NVFP4 @ 4135a98a") + "; the same text_config "
               "(60 layers, 16 KV heads x 256, 4 global KV heads x 512, 262144 positions) in public GitHub file ids "
               "56132095888 and 55608441559 (GEMMA4_31B_CONFIG)",
     "source_kind": "derived: the text_config of NVIDIA's NVFP4 quantization of this repo, without its "
                    "quantization_config (quantization does not change the architecture fields)",
     "derived_from": "nvidia/Gemma-4-31B-IT-NVFP4"},
    {"id": "google/gemma-4-26B-A4B-it",
     "config": {**_G4_TOP, "dtype": "bfloat16", "tie_word_embeddings": True, "text_config": dict(_G4_26B_TEXT)},
     "source": G4_NVFP4_SRC.format("bg-digitalservices/Gemma-4-26B-A4B-it-NVFP4A16 @ main") + "; the same shapes "
               "(30 layers, 128 experts top-8 of 704, 8 KV heads x 256, 2 global KV heads x 512) in public GitHub "
               "file id 55608441559 (DIFFUSION_GEMMA_CONFIG of google/diffusiongemma-26B-A4B-it)",
     "source_kind": "derived: the text_config of a NVFP4 quantization of this repo, without its quantization_config"},
    {"id": "google/gemma-4-E2B-it",
     "config": {**_G4_TOP, "vocab_size": 262144, "text_config": dict(_G4_E2B_TEXT)},
     "source": "public GitHub file id 53399663664 (GEMMA4_E2B_IT_PRESET, 'extracted from MakotoUwu's PR #3485'); "
               "shapes as checked against a downloaded E2B config.json in file id 62149741222",
     "source_kind": "config preset copied from the repo's config.json (text_config; vision/audio left out)"},
    {"id": "google/gemma-4-E4B-it",
     "config": {**_G4_TOP, "text_config": dict(_G4_E4B_TEXT)},
     "source": "public GitHub file id 66477836481 (EXPECTED_ARCHITECTURE checked against google/gemma-4-E4B-it "
               "@ a4c2d58b config.json); layer_types, num_global_key_value_heads, attention_k_eq_v, "
               "use_double_wide_mlp from file id 57658815156 (transcribed from google/gemma-4-E4B-it-qat-w4a16-ct's "
               "config.json); max_position_embeddings 131072 from file ids 71611886309 and 66260699593",
     "source_kind": "fields of the repo's config.json as pinned by tools that read it (no single verbatim copy)"},
    {"id": "google/gemma-4-12B",
     "config": {"model_type": "gemma4_unified", "architectures": ["Gemma4UnifiedForConditionalGeneration"],
                "dtype": "bfloat16", "tie_word_embeddings": True, "text_config": dict(_G4_12B_TEXT)},
     "source": "public GitHub file id 54518386891 (config.json of google/gemma-4-12B @ 56820d7d printed verbatim "
               "from https://huggingface.co/api/resolve-cache/models/google/gemma-4-12B/56820d7d8cbe8e47975a53325439ed272e91cff2/config.json)",
     "source_kind": "verbatim copy of the repo's config.json (vision/audio configs left out)"},
]
# Qwen/Qwen3.6-35B-A3B (hybrid gated-delta-net linear attention + MoE): text_config and vision_config as in the
# exact-geometry fixture of a Qwen3.6-35B-A3B ModelOpt checkpoint, public GitHub file id 57973206963
# (valid_qwen36_config; its quantization_config dropped here), cross-checked field by field against an inventory
# of the Qwen/Qwen3.6-35B-A3B @ 7da11034 snapshot, file id 51981054745 (hidden 2048, 40 layers, every 4th full
# attention, 256 experts top-8 of 512 + shared 512, linear heads 16/32 x 128, vocab 248320, rope_theta 1e7,
# partial_rotary_factor 0.25, mrope_section [11, 11, 10], mtp 1 layer). Qwen3.5-9B is not added: no copy read
# gives its intermediate size, vocabulary or linear-attention shapes.
_Q36_TEXT = {"attention_bias": False, "attention_dropout": 0.0, "attn_output_gate": True, "bos_token_id": 248044,
             "dtype": "bfloat16", "eos_token_id": 248044, "full_attention_interval": 4, "head_dim": 256,
             "hidden_act": "silu", "hidden_size": 2048,
             "layer_types": ["full_attention" if (i + 1) % 4 == 0 else "linear_attention" for i in range(40)],
             "linear_conv_kernel_dim": 4, "linear_key_head_dim": 128, "linear_num_key_heads": 16,
             "linear_num_value_heads": 32, "linear_value_head_dim": 128, "mamba_ssm_dtype": "float32",
             "max_position_embeddings": 262144, "model_type": "qwen3_5_moe_text", "moe_intermediate_size": 512,
             "mtp_num_hidden_layers": 1, "mtp_use_dedicated_embeddings": False, "num_attention_heads": 16,
             "num_experts": 256, "num_experts_per_tok": 8, "num_hidden_layers": 40, "num_key_value_heads": 2,
             "output_router_logits": False, "pad_token_id": None, "partial_rotary_factor": 0.25, "rms_norm_eps": 1e-6,
             "rope_parameters": {"mrope_interleaved": True, "mrope_section": [11, 11, 10], "partial_rotary_factor": 0.25,
                                 "rope_theta": 10000000, "rope_type": "default"},
             "shared_expert_intermediate_size": 512, "tie_word_embeddings": False, "use_cache": True,
             "vocab_size": 248320}
_Q36_VISION = {"deepstack_visual_indexes": [], "depth": 27, "dtype": "bfloat16", "hidden_act": "gelu_pytorch_tanh",
               "hidden_size": 1152, "in_channels": 3, "intermediate_size": 4304, "model_type": "qwen3_5_moe_vision",
               "num_heads": 16, "num_position_embeddings": 2304, "out_hidden_size": 2048, "patch_size": 16,
               "spatial_merge_size": 2, "temporal_patch_size": 2}
GEMMA4_MODELS.append(
    {"id": "Qwen/Qwen3.6-35B-A3B",
     "config": {"architectures": ["Qwen3_5MoeForConditionalGeneration"], "dtype": "bfloat16",
                "image_token_id": 248056, "model_type": "qwen3_5_moe", "text_config": dict(_Q36_TEXT),
                "tie_word_embeddings": False, "video_token_id": 248057, "vision_config": dict(_Q36_VISION),
                "vision_end_token_id": 248054, "vision_start_token_id": 248053},
     "source": "public GitHub file id 57973206963 (exact-geometry fixture of a Qwen3.6-35B-A3B ModelOpt checkpoint's "
               "config.json; quantization_config left out) cross-checked against file id 51981054745 (inventory of "
               "the Qwen/Qwen3.6-35B-A3B @ 7da1103448ba36029c34ce1a9a741dfe93ee0c50 config.json)",
     "source_kind": "derived: text/vision config of a quantized copy, without its quantization_config; every field "
                    "the inventory lists agrees"})

# Quantized uploads of the Gemma 4 entries: (id, base, quantization_config, how it was sourced).
GEMMA4_QUANTIZED = [
    ("bg-digitalservices/Gemma-4-E2B-it-NVFP4", "google/gemma-4-E2B-it", _NVFP4_BG,
     "derived: E2B architecture of the google/gemma-4-E2B-it entry; quantization block is the publisher's usual "
     "one, as in its Gemma-4-26B-A4B-it-NVFP4A16 config.json (" + G4_NVFP4_SRC.format(
         "bg-digitalservices/Gemma-4-26B-A4B-it-NVFP4A16") + ": modelopt NVFP4, group 16; ignore list and producer "
     "left out) - not read from this repo"),
    ("unsloth/gemma-4-12B-it-qat-w4a16", "google/gemma-4-12B",
     {"quant_method": "compressed-tensors",
      "config_groups": {"group_0": {"weights": {"num_bits": 4, "type": "int"}, "input_activations": None}}},
     "derived: architecture of google/gemma-4-12B (the -it repo shares it); quantization: compressed-tensors "
     "4-bit integer weights with 16-bit activations, from the repo name (qat-w4a16, the format of Google's "
     "gemma-4-12B-it-qat-w4a16-ct 'Compressed Tensors (w4a16)' release) and the deployment that serves it "
     "(ddarthp/gemma4-vllm-docker .env.example: 'vLLM detecta compressed-tensors solo'); group size, format and "
     "ignore list not read from this repo"),
]


def _entry(rec: dict) -> dict:
    cfg = {k: rec[k] for k in CONFIG_KEYS if k in rec}
    notes = []
    mid = rec["id"]
    if "model_type" not in cfg:
        for prefix, mt in FAMILY_TYPES.items():
            if mid.startswith(prefix):
                cfg["model_type"] = mt
                notes.append(f"model_type {mt} from the family")
                break
    if "max_position_embeddings" not in cfg and rec.get("litgpt_block_size"):
        cfg["max_position_embeddings"] = rec["litgpt_block_size"]
        notes.append("max_position_embeddings from litgpt block_size")
    if mid in TIED and "tie_word_embeddings" not in cfg:
        cfg["tie_word_embeddings"] = True
        notes.append("tie_word_embeddings true as in the sibling Qwen2/2.5 small-model configs")
    if mid in MAX_POS_OVERRIDE:
        cfg["max_position_embeddings"] = MAX_POS_OVERRIDE[mid]
        notes.append("max_position_embeddings 32768: models-notes.md (Qwen2.5 -Instruct repos)")
    adj = rec.get("litgpt_rope_adjustments")
    if adj and "rope_scaling" not in cfg and "Llama-3" in mid:
        cfg["rope_scaling"] = dict(LLAMA3_ROPE)
        notes.append("rope_scaling llama3 from litgpt rope adjustments")
    if "head_dim" not in cfg and rec.get("litgpt_head_size"):
        if rec["litgpt_head_size"] * rec.get("num_attention_heads", 0) != rec.get("hidden_size"):
            cfg["head_dim"] = rec["litgpt_head_size"]
    if mid == "google/gemma-3-1b-it" or cfg.get("model_type", "").startswith("gemma3"):
        cfg.setdefault("sliding_window_pattern", 6)
        cfg.setdefault("sliding_window", 512 if mid.endswith("1b-it") else 1024)
    if "quantization_config" not in cfg and rec.get("quantization_config_pattern_in_sibling_repos"):
        cfg["quantization_config"] = rec["quantization_config_pattern_in_sibling_repos"]
    out = {
        "id": mid,
        "config": cfg,
        "source": rec["source"],
        "source_kind": rec.get("source_kind", ""),
    }
    if rec.get("total_params"):
        out["num_params"] = rec["total_params"]
        out["num_params_source"] = rec.get("total_params_source", rec["source"])
    if notes:
        out["notes"] = "; ".join(notes)
    return out


def build(models_jsonl: Path) -> list[dict]:
    recs = [json.loads(line) for line in models_jsonl.read_text().splitlines() if line.strip()]
    by_id: dict[str, dict] = {}
    for r in recs:
        e = _entry(r)
        by_id[e["id"]] = e
    for mid, (sib, keys) in FILL_FROM.items():
        if mid in by_id and sib in by_id:
            cfg = by_id[mid]["config"]
            got = [k for k in keys if k not in cfg and k in by_id[sib]["config"]]
            for k in got:
                cfg[k] = by_id[sib]["config"][k]
            if got:
                by_id[mid]["notes"] = (by_id[mid].get("notes", "") + f"; {', '.join(got)} from the {sib} record "
                                       "(same Qwen2.5 tokenizer and embedding)").lstrip("; ")
    for mid, (vision, src) in VISION_CONFIGS.items():
        if mid in by_id and "vision_config" not in by_id[mid]["config"]:
            by_id[mid]["config"]["vision_config"] = dict(vision)
            by_id[mid]["notes"] = (by_id[mid].get("notes", "") + f"; vision_config from {src}").lstrip("; ")
    for extra in EXTRA_MODELS + VL407_MODELS + GEMMA4_MODELS:
        by_id.setdefault(extra["id"], dict(extra))
    # TheBloke AWQ record has no architecture: take Llama-2-7b-chat's.
    bloke = by_id.get("TheBloke/Llama-2-7B-Chat-AWQ")
    base = by_id.get("meta-llama/Llama-2-7b-chat-hf")
    if bloke and base:
        bloke["config"] = {**base["config"], **bloke["config"], "torch_dtype": "float16"}
    for new, old, why in SAME_ARCH:
        if old in by_id and new not in by_id:
            cfg = dict(by_id[old]["config"])
            if new in CONTEXT_OVERRIDE:
                cfg["max_position_embeddings"] = CONTEXT_OVERRIDE[new]
            e = {"id": new, "config": cfg, "source": f"{by_id[old]['source']} (via {old})",
                 "source_kind": f"derived: {why}", "derived_from": old}
            if "num_params" in by_id[old]:
                e["num_params"] = by_id[old]["num_params"]
                e["num_params_source"] = by_id[old]["num_params_source"]
            by_id[new] = e
    for new, old, q, dtype in QUANTIZED:
        if old in by_id and new not in by_id:
            cfg = {**by_id[old]["config"], "quantization_config": q, "torch_dtype": dtype}
            by_id[new] = {"id": new, "config": cfg, "source": f"{by_id[old]['source']} (via {old})",
                          "source_kind": QUANT_SOURCE, "derived_from": old}
    for new, old, q, dtype, how in VL407_QUANTIZED:
        if old in by_id and new not in by_id:
            cfg = dict(by_id[old]["config"])
            if "text_config" in cfg:
                cfg["text_config"] = {**cfg["text_config"], "torch_dtype": dtype}
            by_id[new] = {"id": new, "config": {**cfg, "quantization_config": q, "torch_dtype": dtype},
                          "source": f"{by_id[old]['source']} (via {old})", "source_kind": how, "derived_from": old}
    for new, old, q, how in GEMMA4_QUANTIZED:
        if old in by_id and new not in by_id:
            by_id[new] = {"id": new, "config": {**by_id[old]["config"], "quantization_config": q},
                          "source": f"{by_id[old]['source']} (via {old})", "source_kind": how, "derived_from": old}
    return sorted(by_id.values(), key=lambda e: e["id"].lower())


def main(argv: list[str]) -> int:
    entries = build(Path(argv[1] if len(argv) > 1 else "/work/shared/knowledge/models.jsonl"))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"version": 1, "models": entries}, indent=1, sort_keys=False) + "\n")
    print(f"wrote {len(entries)} models to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
