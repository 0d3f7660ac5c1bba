"""ModelArch.from_config and vLLM's max_model_len derivation per release."""

from __future__ import annotations

from vllm_lint.models.arch import ModelArch

BASE = {"model_type": "qwen2", "hidden_size": 3584, "num_hidden_layers": 28, "num_attention_heads": 28,
        "num_key_value_heads": 4, "intermediate_size": 18944, "vocab_size": 152064, "max_position_embeddings": 32768}


def test_yarn_scaling_applies_up_to_026_not_from_030():
    """ModelConfig._get_and_verify_max_len: yarn scaled the derived length up to 0.26.x, not from 0.30.0."""
    a = ModelArch.from_config({**BASE, "rope_scaling": {"type": "yarn", "factor": 4.0,
                                                        "original_max_position_embeddings": 32768}})
    assert a.derived_max_model_len("0.26.0") == 131072
    assert a.derived_max_model_len("0.30.0") == 32768


def test_llama3_rope_is_not_multiplied():
    a = ModelArch.from_config({**BASE, "model_type": "llama", "max_position_embeddings": 131072,
                               "rope_scaling": {"rope_type": "llama3", "factor": 8.0}})
    assert a.derived_max_model_len("0.6.3") == 131072


def test_linear_factor_multiplies_and_smallest_key_wins():
    a = ModelArch.from_config({**BASE, "seq_length": 8192, "rope_scaling": {"type": "linear", "factor": 2.0}})
    assert a.derived_max_model_len("0.33.0") == 16384


def test_longrope_defaults_to_original_length():
    a = ModelArch.from_config({**BASE, "model_type": "phi3", "max_position_embeddings": 131072,
                               "original_max_position_embeddings": 4096,
                               "rope_scaling": {"type": "longrope", "short_factor": [1.0], "long_factor": [1.0]}})
    assert a.derived_max_model_len("0.33.0") == 4096


def test_disable_sliding_window_caps_length():
    a = ModelArch.from_config({**BASE, "model_type": "mistral", "sliding_window": 4096})
    assert a.derived_max_model_len("0.33.0") == 32768
    assert a.derived_max_model_len("0.33.0", disable_sliding_window=True) == 4096


def test_no_length_key_assumes_2048():
    cfg = {k: v for k, v in BASE.items() if k != "max_position_embeddings"}
    assert ModelArch.from_config(cfg).derived_max_model_len("0.33.0") == 2048


def test_qwen2_use_sliding_window_false_clears_window():
    a = ModelArch.from_config({**BASE, "sliding_window": 32768, "use_sliding_window": False})
    assert a.sliding_window is None and set(a.attention_layer_kinds()) == {"full"}


def test_kv_head_aliases_and_multimodal_text_config():
    glm = ModelArch.from_config({"model_type": "chatglm", "hidden_size": 4096, "num_layers": 40,
                                 "num_attention_heads": 32, "multi_query_group_num": 2, "kv_channels": 128,
                                 "seq_length": 131072})
    assert (glm.num_kv_heads, glm.head_dim, glm.num_layers) == (2, 128, 40)
    falcon = ModelArch.from_config({"model_type": "falcon", "hidden_size": 4544, "num_hidden_layers": 32,
                                    "num_attention_heads": 71, "multi_query": True})
    assert falcon.num_kv_heads == 1
    vl = ModelArch.from_config({"model_type": "llava", "text_config": {**BASE}})
    assert vl.num_layers == 28 and vl.model_type == "qwen2"


def test_gemma_layer_patterns():
    g2 = ModelArch.from_config({"model_type": "gemma2", "hidden_size": 3584, "num_hidden_layers": 42,
                                "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 256,
                                "sliding_window": 4096})
    kinds = g2.attention_layer_kinds()
    assert kinds.count("sliding") == 21 and kinds.count("full") == 21 and kinds[0] == "sliding"
    assert g2.tie_word_embeddings  # Gemma configs tie by default
    g3 = ModelArch.from_config({"model_type": "gemma3_text", "hidden_size": 5376, "num_hidden_layers": 62,
                                "num_attention_heads": 32, "num_key_value_heads": 16, "head_dim": 128,
                                "sliding_window": 1024, "sliding_window_pattern": 6})
    assert g3.attention_layer_kinds().count("full") == 10


def test_mla_and_moe_fields():
    ds = ModelArch.from_config({"model_type": "deepseek_v3", "hidden_size": 7168, "num_hidden_layers": 61,
                                "num_attention_heads": 128, "kv_lora_rank": 512, "qk_rope_head_dim": 64,
                                "qk_nope_head_dim": 128, "v_head_dim": 128, "q_lora_rank": 1536,
                                "n_routed_experts": 256, "num_experts_per_tok": 8, "moe_intermediate_size": 2048,
                                "n_shared_experts": 1, "first_k_dense_replace": 3, "intermediate_size": 18432,
                                "vocab_size": 129280})
    assert ds.is_mla and ds.is_moe
    assert 660e9 < ds.total_params() < 690e9  # DeepSeek-V3: 671B
    assert 30e9 < ds.active_params() < 45e9  # ~37B active


def test_gemma2_capped_to_window_on_05_only():
    """vLLM 0.5.x V0: "Disabling sliding window and capping the max length to the sliding window size (4096)"."""
    g2 = ModelArch.from_config({"model_type": "gemma2", "hidden_size": 3584, "num_hidden_layers": 42,
                                "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 256,
                                "sliding_window": 4096, "max_position_embeddings": 8192})
    assert g2.derived_max_model_len("0.5.5") == 4096
    assert g2.derived_max_model_len("0.6.3") == 8192


def test_vision_tower_adds_parameters():
    text = {**BASE, "vocab_size": 152064}
    vl = ModelArch.from_config({"model_type": "qwen2_vl", "text_config": text,
                                "vision_config": {"depth": 32, "embed_dim": 1280, "mlp_ratio": 4, "hidden_size": 3584}})
    plain = ModelArch.from_config(text)
    extra = vl.total_params() - plain.total_params()
    assert 0.5e9 < extra < 0.9e9  # Qwen2-VL's ViT is ~0.6-0.7 B parameters


def test_transformers5_rope_parameters_is_the_rope_scaling_block():
    """transformers 5 writes ``rope_parameters``; a flat block naming a type scales like ``rope_scaling``,
    a per-layer-type mapping (Gemma) does not."""
    base = {"model_type": "mistral", "hidden_size": 1024, "num_hidden_layers": 2, "num_attention_heads": 8,
            "max_position_embeddings": 4096}
    yarn = ModelArch.from_config({**base, "rope_parameters": {"rope_type": "yarn", "factor": 4.0,
                                                             "original_max_position_embeddings": 2048,
                                                             "rope_theta": 1e6}})
    assert yarn.rope_scaling["rope_type"] == "yarn"
    assert yarn.derived_max_model_len("0.15.1") == 8192  # 2048 × 4: yarn scaled the limit before 0.30
    assert ModelArch.from_config(base).derived_max_model_len("0.15.1") == 4096
    nested = ModelArch.from_config({**base, "rope_parameters": {"full_attention": {"rope_type": "proportional"},
                                                               "sliding_attention": {"rope_type": "default"}}})
    assert nested.rope_scaling is None
    linear = ModelArch.from_config({**base, "rope_scaling": {"type": "linear", "factor": 2.0},
                                    "rope_parameters": {"rope_type": "yarn", "factor": 8.0}})
    assert linear.rope_scaling == {"type": "linear", "factor": 2.0}


def test_a_family_is_one_registered_adapter(monkeypatch):
    """``@adapts`` registers a function for a model type; from_config runs it after the shared fields."""
    from vllm_lint.models import adapters

    monkeypatch.setattr(adapters, "_ADAPTERS", {k: list(v) for k, v in adapters._ADAPTERS.items()})

    @adapters.adapts("toy_family")
    def _toy(r):
        r.fields["intermediate_size"] = 7 * r.fields["hidden_size"]

    a = ModelArch.from_config({**BASE, "model_type": "toy_family"})
    assert a.intermediate_size == 7 * 3584 and "toy_family" in adapters.adapted_types()


def test_configs_without_the_tie_key_follow_their_config_class_default():
    """PretrainedConfig ties by default; Llama/Qwen/Mistral config classes untie. GPT-2 and OPT configs omit the key."""
    gpt2 = ModelArch.from_config({"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "n_positions": 1024,
                                  "vocab_size": 50257})
    assert gpt2.tie_word_embeddings and not gpt2.gated_mlp and gpt2.derived_max_model_len("0.26.0") == 1024
    assert not ModelArch.from_config(BASE).tie_word_embeddings
    assert not ModelArch.from_config({**BASE, "model_type": "opt", "tie_word_embeddings": False}).tie_word_embeddings


def test_nemotron_h_layer_kinds_from_either_spelling():
    base = {"model_type": "nemotron_h", "hidden_size": 256, "num_attention_heads": 4, "num_key_value_heads": 2,
            "head_dim": 64, "intermediate_size": 512, "mamba_num_heads": 8, "mamba_head_dim": 32, "ssm_state_size": 16,
            "n_groups": 2, "conv_kernel": 4, "vocab_size": 1000}
    by_pattern = ModelArch.from_config({**base, "hybrid_override_pattern": "M-M*ME"})
    by_list = ModelArch.from_config({**base, "layers_block_type": ["mamba", "mlp", "mamba", "attention", "mamba", "moe"]})
    for a in (by_pattern, by_list):
        assert a.attention_layer_kinds() == ["mamba", "none", "mamba", "full", "mamba", "none"]
        assert a.mlp_layer_kinds == ("none", "dense", "none", "none", "none", "moe")
        # conv 3 x (256 + 2*2*16) + SSM 8 heads x 32 x 16
        assert a.mamba_state_elems == 3 * (256 + 64) + 8 * 32 * 16
    refused = ModelArch.from_config({**base, "hybrid_override_pattern": "M*", "moe_latent_size": 64})
    assert refused.num_layers == 2 and "latent space" in refused.unsupported


def test_jamba_places_attention_and_experts_by_period():
    a = ModelArch.from_config({"model_type": "jamba", "hidden_size": 256, "num_hidden_layers": 8,
                               "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 512,
                               "attn_layer_period": 4, "attn_layer_offset": 2, "expert_layer_period": 2,
                               "expert_layer_offset": 1, "num_experts": 4, "num_experts_per_tok": 2,
                               "mamba_d_state": 16, "mamba_d_conv": 4, "mamba_expand": 2, "vocab_size": 1000})
    assert [i for i, k in enumerate(a.attention_layer_kinds()) if k == "full"] == [2, 6]
    assert a.mlp_layer_kinds == ("dense", "moe") * 4
    assert a.mamba_state_elems == 3 * 512 + 512 * 16  # Mamba-1: conv (kernel - 1) x d_inner + d_inner x state


def test_mixed_precision_checkpoints_are_refused():
    mixed = {**BASE, "quantization_config": {"quant_method": "modelopt", "quant_algo": "MIXED_PRECISION"}}
    assert "mixes quantization formats" in ModelArch.from_config(mixed).unsupported
    groups = {"quant_method": "compressed-tensors", "config_groups": {
        "group_0": {"weights": {"num_bits": 8, "type": "float"}},
        "group_1": {"weights": {"num_bits": 4, "type": "float", "group_size": 16}}}}
    assert "several formats" in ModelArch.from_config({**BASE, "quantization_config": groups}).unsupported
    one = {"quant_method": "compressed-tensors", "config_groups": {"group_0": {"weights": {"num_bits": 8, "type": "float"}}}}
    assert ModelArch.from_config({**BASE, "quantization_config": one}).unsupported is None


def test_encoder_only_and_encoder_decoder_models_are_refused_with_the_reason():
    bert = ModelArch.from_config({"model_type": "bert", "hidden_size": 384, "num_hidden_layers": 12,
                                  "num_attention_heads": 12, "intermediate_size": 1536, "max_position_embeddings": 512,
                                  "vocab_size": 30522})
    assert "no KV cache" in bert.unsupported
    whisper = ModelArch.from_config({"model_type": "whisper", "d_model": 384, "decoder_layers": 4,
                                     "decoder_attention_heads": 6, "encoder_layers": 4, "num_hidden_layers": 4,
                                     "decoder_ffn_dim": 1536, "max_target_positions": 448, "vocab_size": 51865})
    assert "cross-attention" in whisper.unsupported and whisper.head_dim == 64


def test_decoder_backbones_without_a_head_hold_the_embedding_once():
    """e5-mistral / gte-Qwen2 publish ``MistralModel`` / ``Qwen2Model``: vLLM's pooling adapter drops lm_head."""
    mistral = {**BASE, "model_type": "mistral", "vocab_size": 32000, "hidden_size": 4096, "num_attention_heads": 32,
               "num_key_value_heads": 8, "num_hidden_layers": 32, "intermediate_size": 14336,
               "tie_word_embeddings": False}
    pooled = ModelArch.from_config({**mistral, "architectures": ["MistralModel"]})
    causal = ModelArch.from_config({**mistral, "architectures": ["MistralForCausalLM"]})
    assert pooled.tie_word_embeddings and not causal.tie_word_embeddings
    assert causal.total_params() - pooled.total_params() == 32000 * 4096
    glm = ModelArch.from_config({"model_type": "chatglm", "architectures": ["ChatGLMModel"], "hidden_size": 4096,
                                 "num_layers": 40, "num_attention_heads": 32, "multi_query_group_num": 2,
                                 "kv_channels": 128, "seq_length": 131072, "tie_word_embeddings": False})
    assert not glm.tie_word_embeddings  # ChatGLMModel carries its output layer


def test_recent_attention_layouts_are_refused_with_the_reason():
    base = {**BASE, "num_hidden_layers": 4}
    for model_type, reason in [("deepseek_v4", "compress_ratios"), ("minimax_m3", "sparse attention"),
                               ("mimo_v2_flash", "swa_"), ("laguna", "num_attention_heads_per_layer"),
                               ("step3p7", "sliding-window")]:
        assert reason in ModelArch.from_config({**base, "model_type": model_type}).unsupported


def test_qwen_v1_intermediate_size_is_both_gated_projections():
    """QWenLMHeadModel: vLLM's QWenMLP is intermediate_size // 2 wide; Qwen-1.8B comes to 1.84B parameters."""
    a = ModelArch.from_config({"model_type": "qwen", "architectures": ["QWenLMHeadModel"], "hidden_size": 2048,
                               "num_hidden_layers": 24, "num_attention_heads": 16, "kv_channels": 128,
                               "intermediate_size": 11008, "seq_length": 8192, "vocab_size": 151936,
                               "tie_word_embeddings": False})
    assert a.intermediate_size == 5504 and a.derived_max_model_len("0.33.0") == 8192
    assert 1.83e9 < a.total_params() < 1.85e9
