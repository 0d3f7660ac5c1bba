"""The shipped model catalog: schema, sources, coverage of the families people serve."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import jsonschema
import pytest

from vllm_lint.models.arch import ModelArch
from vllm_lint.models.resolve import CATALOG_PATH

MIN_IDS, MIN_FAMILIES = 500, 35

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = CATALOG_PATH.with_name("catalog.schema.json")


def _data() -> dict:
    return json.loads(CATALOG_PATH.read_text(encoding="utf-8"))


def _build_tool():
    spec = importlib.util.spec_from_file_location("build_catalog", ROOT / "tools" / "build_catalog.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_catalog_matches_its_schema():
    jsonschema.validate(_data(), json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def test_schema_refuses_keys_it_does_not_know():
    """additionalProperties is false at every level: a stray key in an entry or a config is an error."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    entry = dict(_data()["models"][0])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": 2, "kinds": {}, "models": [{**entry, "comment": "x"}]}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": 2, "kinds": {}, "models": [{**entry, "config": {**entry["config"], "foo": 1}}]},
                            schema)


def test_every_entry_names_its_source_and_ids_are_unique():
    data = _data()
    kinds = set(data["kinds"])
    ids = [e["id"].lower() for e in data["models"]]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for e in data["models"]:
        assert e["source"].strip() and e["source_kind"] in kinds, e["id"]
        if e["source_kind"] == "official":
            # the repo's own page: its URL names the repo
            assert e["id"].lower() in e["source"].lower(), e["id"]


def test_regenerating_from_the_source_changes_nothing():
    """tools/build_catalog.py over tools/catalog/*.yaml reproduces the shipped file byte for byte."""
    tool = _build_tool()
    assert tool.render(tool.build()) == CATALOG_PATH.read_text(encoding="utf-8")


def test_build_refuses_a_duplicate_id_and_an_unknown_key(tmp_path, monkeypatch):
    tool = _build_tool()
    src = tmp_path / "catalog"
    src.mkdir()
    (src / "families.yaml").write_text((ROOT / "tools" / "catalog" / "families.yaml").read_text())
    entry = ("- id: org/model\n  source: https://example.org/config.json\n  kind: official\n"
             "  config: {model_type: llama, hidden_size: 64, num_hidden_layers: 1, num_attention_heads: 1}\n")
    (src / "a.yaml").write_text(entry)
    (src / "b.yaml").write_text(entry.replace("org/model", "ORG/Model"))
    monkeypatch.setattr(tool, "SOURCE_DIR", src)
    monkeypatch.setattr(tool, "FAMILIES", src / "families.yaml")
    with pytest.raises(tool.SourceError, match="already defined"):
        tool.build()
    (src / "b.yaml").write_text(entry.replace("org/model", "org/other").replace("hidden_size: 64", "hidden_size: 64, foo: 1"))
    with pytest.raises(tool.SourceError, match="foo"):
        tool.build()


def test_build_refuses_an_assumed_key_that_is_in_the_config(tmp_path, monkeypatch):
    """``assumed`` lists keys the entry did not read: a value for one of them in ``config`` would be a guess
    presented as a fact."""
    tool = _build_tool()
    src = tmp_path / "catalog"
    src.mkdir()
    (src / "families.yaml").write_text((ROOT / "tools" / "catalog" / "families.yaml").read_text())
    entry = ("- id: org/model-AWQ\n  source: https://example.org/config.json\n  kind: derived\n"
             "  assumed: [quantization_config]\n"
             "  config: {model_type: llama, hidden_size: 64, num_hidden_layers: 1, num_attention_heads: 1}\n")
    (src / "a.yaml").write_text(entry)
    monkeypatch.setattr(tool, "SOURCE_DIR", src)
    monkeypatch.setattr(tool, "FAMILIES", src / "families.yaml")
    assert tool.build()[0]["assumed"] == ["quantization_config"]
    (src / "a.yaml").write_text(entry.replace("num_attention_heads: 1}", "num_attention_heads: 1, "
                                              "quantization_config: {quant_method: awq, bits: 4}}"))
    with pytest.raises(tool.SourceError, match="assumed keys"):
        tool.build()


def test_an_entry_that_did_not_read_its_quantization_names_the_format():
    """An entry whose quantization_config was not read takes the weight format from its name: the name must
    carry one (otherwise the weights would silently count at the model dtype)."""
    from vllm_lint.models.variants import stem

    assumed = [e for e in _data()["models"] if "quantization_config" in e.get("assumed", ())]
    assert len(assumed) >= 30
    for e in assumed:
        assert "quantization_config" not in e["config"], e["id"]
        assert stem(e["id"].split("/")[-1]).quant is not None, e["id"]


def test_catalog_size_and_families():
    data = _data()
    families = {e["family"] for e in data["models"]}
    assert len(data["models"]) >= MIN_IDS and len(families) >= MIN_FAMILIES, (len(data["models"]), len(families))
    for family in ("llama", "llama4", "llama-guard", "qwen", "qwen3", "qwen3-moe", "qwen3.5", "qwen-vl", "qwen-coder",
                   "qwen-math", "mistral", "mixtral", "mistral-small", "mistral-nemo", "gemma", "gemma2", "gemma3",
                   "gemma4", "phi", "phi3", "deepseek", "deepseek-r1-distill", "gpt-oss", "glm", "kimi", "minimax",
                   "granite", "olmo", "falcon", "yi", "internlm", "command-r", "jamba", "nemotron", "smollm",
                   "embedding-bge", "embedding-e5", "embedding-gte", "embedding-nomic", "embedding-qwen", "minicpm", "bloom", "opt",
                   "gpt2", "starcoder", "whisper"):
        assert family in families, family
    joined = "\n".join(e["id"].lower() for e in data["models"])
    for fmt in ("awq", "gptq", "fp8", "nvfp4", "bnb-4bit"):
        assert fmt in joined, fmt


def test_every_entry_parses_into_a_sane_architecture_or_says_why_not():
    for e in _data()["models"]:
        a = ModelArch.from_config(e["config"], id=e["id"])
        if a.unsupported:
            assert len(a.unsupported) > 20, e["id"]
            continue
        assert a.num_layers > 0 and a.hidden_size > 0 and a.head_dim > 0, e["id"]
        assert a.num_attention_heads % a.num_kv_heads == 0 or a.is_mla, e["id"]
        kinds = a.attention_layer_kinds()
        assert "full" in kinds or "sliding" in kinds, e["id"]
        assert a.derived_max_model_len("0.33.0") >= 1024, e["id"]
        assert a.total_params() > 5e7, e["id"]


# Model names of real deployment files (../shared/corpus) that the catalog holds under exactly that id.
CORPUS_NAMES = (
    "01-ai/Yi-1.5-34B-Chat", "deepseek-ai/DeepSeek-V3.2", "microsoft/DialoGPT-medium",
    "TheBloke/Mistral-7B-Instruct-v0.2-AWQ", "Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8", "openai/whisper-large-v3-turbo",
    "TinyLlama/TinyLlama-1.1B-Chat-v1.0", "facebook/opt-125m", "tiiuae/falcon-7b", "google/gemma-2b-it",
    "meta-llama/Llama-3.2-1B", "Qwen/Qwen3-Next-80B-A3B-Instruct-FP8", "zai-org/GLM-4.7-Flash", "google/gemma-3-27b-it",
    "neuralmagic/gemma-2-9b-it-FP8", "Qwen/Qwen2.5-7B-Instruct-AWQ", "meta-llama/Llama-3.1-405B-Instruct",
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", "deepseek-ai/DeepSeek-R1-0528",
    "BAAI/bge-small-en-v1.5", "intfloat/e5-mistral-7b-instruct", "Qwen/Qwen2.5-VL-3B-Instruct",
    "hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4", "Qwen/Qwen2.5-0.5B", "Qwen/Qwen3.6-35B-A3B",
    "unsloth/phi-4-bnb-4bit", "distilbert/distilgpt2", "neuralmagic/Meta-Llama-3.1-405B-Instruct-FP8",
    "Qwen/Qwen3.5-9B", "allenai/olmOCR-2-7B-1025-FP8", "arcee-ai/Trinity-Mini",
)


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_corpus_model_names_resolve_exactly(name):
    from vllm_lint.models.resolve import lookup_catalog

    a = lookup_catalog(name)
    assert a is not None and a.id == name


def test_bare_repo_name_of_a_local_path_resolves():
    """/models/gpt2 and plain ``gpt2`` name the repo now published as openai-community/gpt2."""
    from vllm_lint.models.resolve import lookup_catalog

    assert lookup_catalog("gpt2").id == "openai-community/gpt2"
    assert lookup_catalog("/models/gpt2").id == "openai-community/gpt2"


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
    # these two never read their repo's quantization_config (``assumed``): the format is the name's
    ("bg-digitalservices/Gemma-4-E2B-it-NVFP4", (35, 1, 256, 131072, "nvfp4")),
    ("unsloth/gemma-4-12B-it-qat-w4a16", (48, 8, 256, 262144, "w4a16")),
])
def test_gemma4_entries_carry_their_facts(model_id, facts):
    """The copies cited in each entry: the model-level rules (context, TP heads, quantization) read these.
    A quantization read from the repo gives its method; one the entry did not read is the weight format of
    the name (``_from_name``), which the rules do not take for the method vLLM loads."""
    from vllm_lint.models.resolve import lookup_catalog

    a = lookup_catalog(model_id)
    q = (a.quantization or {}).get("_from_name") or (a.quantization or {}).get("quant_method")
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


def test_qwen35_9b_is_a_hybrid_whose_context_the_catalog_does_not_claim():
    """Qwen/Qwen3.5-9B (a test suite's copy of its config.json): 8 full-attention layers of 4 KV heads x 256
    among 32, the other 24 gated delta-net layers; the copy has no max_position_embeddings, so a resolution
    says the context is not known instead of vLLM's 2048 fallback."""
    from vllm_lint.models.resolve import lookup_catalog, resolve_model

    a = lookup_catalog("Qwen/Qwen3.5-9B")
    kinds = a.attention_layer_kinds()
    assert (kinds.count("full"), kinds.count("mamba"), a.num_kv_heads, a.head_dim, a.unsupported) == (8, 24, 4, 256, None)
    r = resolve_model("Qwen/Qwen3.5-9B")
    assert r.certainty == "likely" and r.model_facts.derived_max_model_len("0.26.0") is None


def test_olmocr_fp8_is_qwen25_vl_7b_with_the_names_fp8_weights():
    from vllm_lint.models.resolve import lookup_catalog

    a, base = lookup_catalog("allenai/olmOCR-2-7B-1025-FP8"), lookup_catalog("Qwen/Qwen2.5-VL-7B-Instruct")
    assert (a.num_layers, a.num_kv_heads, a.derived_max_model_len("0.26.0")) == (28, 4, 128000)
    assert a.param_breakdown() == base.param_breakdown()
    assert a.quantization == {"quant_method": "fp8", "_from_name": "fp8"} and base.quantization is None
