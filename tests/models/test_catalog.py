"""The shipped model catalog: schema, sources, coverage of the families people serve."""

from __future__ import annotations

import json

import jsonschema
import pytest

from vllm_lint.models.arch import ModelArch
from vllm_lint.models.resolve import CATALOG_PATH, catalog_ids

SCHEMA = {
    "type": "object",
    "required": ["version", "models"],
    "properties": {
        "version": {"const": 1},
        "models": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "config", "source", "source_kind"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[\\w.\\-]+/[\\w.\\-]+$"},
                    "source": {"type": "string", "minLength": 10},
                    "source_kind": {"type": "string"},
                    "num_params": {"type": "integer", "minimum": 1},
                    "num_params_source": {"type": "string", "minLength": 5},
                    "derived_from": {"type": "string"},
                    "config": {
                        "type": "object",
                        "required": ["model_type"],
                        # multimodal wrappers keep the decoder facts in text_config
                        "anyOf": [{"required": ["hidden_size", "num_hidden_layers", "num_attention_heads"]},
                                  {"required": ["text_config"]}],
                        "properties": {
                            "hidden_size": {"type": "integer", "minimum": 64},
                            "num_hidden_layers": {"type": "integer", "minimum": 1},
                            "num_attention_heads": {"type": "integer", "minimum": 1},
                            "num_key_value_heads": {"type": "integer", "minimum": 1},
                            "max_position_embeddings": {"type": "integer", "minimum": 512},
                            "model_type": {"type": "string", "minLength": 2},
                        },
                    },
                },
                "dependentRequired": {"num_params": ["num_params_source"]},
            },
        },
    },
}


def _data() -> dict:
    return json.loads(CATALOG_PATH.read_text(encoding="utf-8"))


def test_catalog_matches_schema_and_names_sources():
    data = _data()
    jsonschema.validate(data, SCHEMA)
    ids = [e["id"].lower() for e in data["models"]]
    assert len(ids) == len(set(ids)), "duplicate ids"


def test_catalog_size_and_families():
    ids = catalog_ids()
    assert len(ids) >= 80
    joined = "\n".join(ids).lower()
    for family in ("llama-2", "meta-llama-3-", "llama-3.1", "llama-3.2", "llama-3.3", "qwen1.5", "qwen2-", "qwen2.5",
                   "qwen3-", "qwq", "deepseek-v2", "deepseek-v3", "deepseek-r1", "r1-distill", "mistral-7b", "nemo",
                   "mistral-small", "mixtral", "gemma-2", "gemma-3", "phi-3", "phi-3.5", "phi-4", "gpt-oss", "glm-4",
                   "yi-", "awq", "gptq", "fp8", "bnb"):
        assert family in joined, family


def test_every_entry_parses_into_a_sane_architecture():
    for e in _data()["models"]:
        a = ModelArch.from_config(e["config"], id=e["id"])
        assert a.num_layers > 0 and a.hidden_size > 0 and a.head_dim > 0, e["id"]
        assert a.num_attention_heads % a.num_kv_heads == 0 or a.is_mla, e["id"]
        # distilgpt2 (1024 positions, 82 M parameters) is the smallest model people serve
        assert a.derived_max_model_len("0.33.0") >= 1024, e["id"]
        assert a.total_params() > 5e7, e["id"]


@pytest.mark.parametrize("model_id,published", [
    ("meta-llama/Llama-2-7b-chat-hf", 6_738_415_616),
    ("meta-llama/Meta-Llama-3-8B-Instruct", 8_030_261_248),
    ("mistralai/Mistral-7B-v0.1", 7_241_732_096),
    ("mistralai/Mixtral-8x7B-v0.1", 46_702_792_704),
    ("google/gemma-2-9b-it", 9_241_705_984),
])
def test_computed_parameter_count_matches_published(model_id, published):
    """The shapes reproduce the published total (dense, MoE, tied embeddings) to 0.1 %."""
    from vllm_lint.models.resolve import lookup_catalog

    a = lookup_catalog(model_id)
    computed = sum(a.param_breakdown().values())
    assert abs(computed - published) / published < 1e-3, (computed, published)


@pytest.mark.parametrize("model_id,facts", [
    # config.json copies cited in each entry's source
    ("cyankiwi/Devstral-Small-2-24B-Instruct-2512-AWQ-4bit", (40, 8, 128, 393216)),
    ("deepseek-ai/deepseek-coder-33b-instruct", (62, 8, 128, 65536)),
    ("deepseek-ai/deepseek-coder-6.7b-instruct", (32, 32, 128, 65536)),
    ("HuggingFaceH4/zephyr-7b-beta", (32, 8, 128, 32768)),
    ("Qwen/Qwen2.5-0.5B", (24, 2, 64, 32768)),
    ("mistralai/Mistral-Small-3.1-24B-Instruct-2503", (40, 8, 128, 131072)),
    ("distilbert/distilgpt2", (6, 12, 64, 1024)),
])
def test_vl407_models_layers_kv_heads_head_dim_and_context(model_id, facts):
    """(layers, KV heads, head size, vLLM 0.15 default max_model_len); deepseek-coder's linear RoPE
    factor 4 multiplies its 16384 positions in vLLM's derivation."""
    from vllm_lint.models.resolve import lookup_catalog

    a = lookup_catalog(model_id)
    assert (a.num_layers, a.num_kv_heads, a.head_dim, a.derived_max_model_len("0.15.1")) == facts


def test_devstral_awq_kv_page_matches_the_measured_160_kib_per_token():
    """BigBIueWhale/devstral_vllm_config: 2 × 40 layers × 8 KV heads × 128 × 2 B = 160 KiB per token (vLLM 0.15.1)."""
    from vllm_lint.memory.kv import attn_bytes_per_token_layer
    from vllm_lint.models.resolve import lookup_catalog

    a = lookup_catalog("cyankiwi/Devstral-Small-2-24B-Instruct-2512-AWQ-4bit")
    assert attn_bytes_per_token_layer(a, 1, 2, "0.15.1", {}) * a.num_layers == 160 * 1024
    assert a.quantization["quant_method"] == "compressed-tensors" and a.rope_scaling["rope_type"] == "yarn"


def test_glm_flash_is_mla_moe():
    from vllm_lint.models.resolve import lookup_catalog

    a = lookup_catalog("cyankiwi/GLM-4.7-Flash-AWQ-4bit")
    assert a.is_mla and a.is_moe and (a.kv_lora_rank, a.qk_rope_head_dim, a.num_experts) == (512, 64, 64)
    assert 25e9 < a.total_params() < 35e9  # "30B total" (transformers docs)


@pytest.mark.parametrize("model_id,facts", [
    # (layers, KV heads and head size of the sliding layers, vLLM 0.15 default max_model_len, quant_method)
    ("google/gemma-4-E2B-it", (35, 1, 256, 131072, None)),
    ("google/gemma-4-E4B-it", (42, 2, 256, 131072, None)),
    ("google/gemma-4-26B-A4B-it", (30, 8, 256, 262144, None)),
    ("google/gemma-4-31B-it", (60, 16, 256, 262144, None)),
    ("nvidia/Gemma-4-31B-IT-NVFP4", (60, 16, 256, 262144, "modelopt")),
    ("bg-digitalservices/Gemma-4-E2B-it-NVFP4", (35, 1, 256, 131072, "modelopt")),
    ("unsloth/gemma-4-12B-it-qat-w4a16", (48, 8, 256, 262144, "compressed-tensors")),
])
def test_gemma4_entries_carry_their_facts(model_id, facts):
    """The copies cited in each entry: the model-level rules (context, TP heads, quantization) read these."""
    from vllm_lint.models.resolve import lookup_catalog

    a = lookup_catalog(model_id)
    q = (a.quantization or {}).get("quant_method")
    assert (a.num_layers, a.num_kv_heads, a.head_dim, a.derived_max_model_len("0.15.1"), q) == facts


@pytest.mark.parametrize("model_id,why", [
    ("google/gemma-4-E2B-it", "last 20 layers reuse"),
    ("google/gemma-4-E4B-it", "last 18 layers reuse"),
    ("bg-digitalservices/Gemma-4-E2B-it-NVFP4", "last 20 layers reuse"),
    ("google/gemma-4-31B-it", "4 KV heads x 512 head size, against 16 x 256"),
    ("nvidia/Gemma-4-31B-IT-NVFP4", "4 KV heads x 512 head size"),
    ("google/gemma-4-26B-A4B-it", "2 KV heads x 512 head size, against 8 x 256"),
    ("unsloth/gemma-4-12B-it-qat-w4a16", "1 KV head x 512 head size, against 8 x 256"),
])
def test_gemma4_kv_layouts_are_refused_not_estimated(model_id, why):
    """Per-layer KV sharing (E2B/E4B) and the second KV shape of the full-attention layers (every size)
    are layouts the estimator does not represent: it must say so instead of printing a number."""
    from vllm_lint.models.resolve import lookup_catalog

    assert why in (lookup_catalog(model_id).unsupported or "")


def test_global_kv_shape_equal_to_the_sliding_one_is_not_refused():
    """A config that names global_head_dim / num_global_key_value_heads equal to the sliding ones has
    one KV shape: nothing to refuse."""
    text = {"model_type": "gemma4_text", "hidden_size": 1024, "num_hidden_layers": 4, "num_attention_heads": 8,
            "num_key_value_heads": 2, "head_dim": 128, "global_head_dim": 128, "num_global_key_value_heads": 2,
            "num_kv_shared_layers": 0, "layer_types": ["sliding_attention"] * 3 + ["full_attention"]}
    assert ModelArch.from_config({"model_type": "gemma4", "text_config": text}).unsupported is None
    wider = {**text, "global_head_dim": 256}
    assert "different KV shape" in ModelArch.from_config({"text_config": wider}).unsupported


def test_qwen36_35b_a3b_is_a_hybrid_moe_with_gated_delta_state():
    """Qwen/Qwen3.6-35B-A3B: 10 full-attention layers of 2 KV heads x 256 among 40, the other 30 gated
    delta-net layers carry a per-sequence state (conv + 32 x 128 x 128 recurrent), 256 experts top-8."""
    from vllm_lint.models.resolve import lookup_catalog

    a = lookup_catalog("Qwen/Qwen3.6-35B-A3B")
    kinds = a.attention_layer_kinds()
    assert (kinds.count("full"), kinds.count("mamba")) == (10, 30)
    assert (a.num_kv_heads, a.head_dim, a.derived_max_model_len("0.19.0"), a.unsupported) == (2, 256, 262144, None)
    assert a.mamba_state_elems == 3 * (2 * 16 * 128 + 32 * 128) + 32 * 128 * 128
    assert a.is_moe and (a.num_experts, a.num_experts_per_tok) == (256, 8)
