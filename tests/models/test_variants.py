"""The variant table (models/variants.py): every rule reduces its own example, and resolution through
it says how it was made and how sure it is."""

from __future__ import annotations

import json

import pytest

from vllm_lint.models.resolve import resolve_model
from vllm_lint.models.variants import (
    FLAVOUR_RULES,
    QUANT_RULES,
    RENAME_RULES,
    RULES,
    name_facts,
    org_relation,
    path_names,
    stem,
    word_key,
)


@pytest.fixture(autouse=True)
def _empty_hf_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_every_rule_reduces_its_example(rule):
    name, expected = rule.example
    st = stem(name.split("/")[-1])
    assert st.text == expected
    if rule.kind == "quant":
        assert st.quant is rule
    elif rule.kind == "flavour":
        assert name.split("/")[-1].lower().endswith(tuple(st.flavours))
        assert st.flavours
    else:
        assert rule in st.renames


@pytest.mark.parametrize("suffix,bits", [
    ("-AWQ", 0.5), ("-AWQ-4bit", 0.5), ("-AWQ-INT4", 0.5), ("-GPTQ-Int4", 0.5), ("-GPTQ-Int8", 1.0), ("-FP8", 1.0),
    ("-FP8-dynamic", 1.0), ("-FP8-Static-KV", 1.0), ("-W4A16", 0.5), ("-quantized.w4a16", 0.5), ("-W8A8", 1.0),
    ("-quantized.w8a8", 1.0), ("-NVFP4", 0.5), ("-MXFP4", 0.5), ("-bnb-4bit", 0.5), ("-unsloth-bnb-4bit", 0.5),
    ("-4bit", 0.5), ("-8bit", 1.0), ("-INT4", 0.5), ("-qat-w4a16-ct", 0.5), ("-w8a8-fp8", 1.0),
])
def test_quant_suffixes_and_the_weight_width_they_imply(suffix, bits):
    from vllm_lint.models.facts import ModelFacts

    st = stem(f"Qwen3-8B{suffix}")
    assert st.text == "qwen3-8b" and st.quant is not None
    facts = ModelFacts("x", num_params=8_000_000_000, quantization=st.quant.quantization)
    assert facts.weight_bytes_lower_bound() == pytest.approx(8e9 * bits)


def test_suffixes_that_are_not_flavours_stay():
    assert stem("Mistral-7B-Instruct-v0.3").text == "mistral-7b-instruct-v0.3"  # v0.3 changed the vocabulary
    assert stem("Qwen2.5-Coder-7B-Instruct").text == "qwen2.5-coder-7b"
    assert stem("model-1234").text == "model-1234"  # not a date
    assert stem("DeepSeek-R1-0528").flavours == ("0528",)


def test_tables_cover_the_issue_list():
    names = {r.name for r in QUANT_RULES}
    assert {"awq", "gptq-int4", "gptq-int8", "fp8", "fp8-dynamic", "fp8-static", "w4a16", "w8a8", "nvfp4", "mxfp4",
            "bnb-4bit", "int4"} <= names
    assert {r.name for r in FLAVOUR_RULES} >= {"instruct", "chat", "it", "thinking", "base", "hf", "date"}
    assert RENAME_RULES


@pytest.mark.parametrize("path,key,rule,certain", [
    ("/models/Org--Name", "Org/Name", "org--name", False),
    ("/root/.cache/huggingface/hub/models--Qwen--Qwen1.5-7B-Chat/snapshots/abc123", "Qwen/Qwen1.5-7B-Chat", "hf-layout",
     True),
    ("/data/Name", "Name", "basename", False),
    ("/data/models/Skywork-R1V3-38B", "Skywork-R1V3-38B", "basename", False),
    ("/home/u/llama/Meta-Llama-3.1-70B-Instruct", "Meta-Llama-3.1-70B-Instruct", "basename", False),
    ("/mnt/models/meta-llama/Meta-Llama-3-8B-Instruct", "meta-llama/Meta-Llama-3-8B-Instruct", "org/name", False),
    ("Llama-3.2-1B", "Llama-3.2-1B", "bare", False),
])
def test_path_rules(path, key, rule, certain):
    found = [p for p in path_names(path) if p.key == key]
    assert found and found[0].rule == rule and found[0].certain is certain
    assert not any(p.key.split("/")[0] in ("data", "models", "mnt") and "/" in p.key for p in path_names(path))


def test_org_relations():
    assert org_relation("meta-llama", "meta-llama") == "same"
    assert org_relation("THUDM", "zai-org") == "same"
    assert org_relation("RedHatAI", "Qwen") == "repack"
    assert org_relation("Sehyo", "Qwen") == "repack"
    assert org_relation("", "Qwen") == "none"
    assert org_relation("someone", "Qwen") is None


@pytest.mark.parametrize("name,params,context", [
    ("Llama-2-13b-chat-hf", 13e9, None),
    ("Qwen3-30B-A3B", 30e9, None),
    ("Phi-3-mini-128k-instruct", None, 131072),
    ("Qwen2.5-7B-Instruct-1M", 7e9, 1048576),
    ("opt-125m", None, None),
    ("gemma-3n-E4B-it", None, None),
    ("merge-7B-13B", None, None),  # two sizes: none
    ("stablelm-2-1_6b-chat", None, None),  # 1.6 B written with an underscore: not 6 B
    ("Yi-1.5-34B-Chat-16K", 34e9, 16384),
])
def test_name_facts(name, params, context):
    nf = name_facts(name)
    assert nf.params == (int(params) if params else None)
    assert nf.context == context


def test_moe_name_gives_a_lower_bound_of_the_published_count():
    # Mixtral-8x7B: 46.7 B published; 8x22B: 141 B
    assert name_facts("Mixtral-8x7B-v0.1").params <= 46_702_792_704
    assert name_facts("Mixtral-8x22B-v0.1").params <= 140_620_634_112
    assert name_facts("Mixtral-8x7B-v0.1").params > 7e9 * 4


# -- resolution through the rules (on made-up repos, so a growing catalog does not change them) ------

def test_official_quantized_variant_of_a_catalog_model(synthetic_catalog):
    r = resolve_model("acme/Huge-400B-Instruct-FP8")
    assert r.arch is not None and r.via == "variant" and not r.certain and r.certainty == "likely"
    assert r.base == "acme/Huge-400B-Instruct"
    assert r.arch.id == "acme/Huge-400B-Instruct-FP8"
    assert r.arch.quantization["quant_method"] == "fp8"
    assert r.describe() == "geometry of acme/Huge-400B-Instruct, fp8 weights from the name"
    assert r.keeps_context and r.model_facts.knows_context


def test_repack_keeps_geometry_and_says_who(synthetic_catalog):
    r = resolve_model("RedHatAI/Tiny-7B-Instruct-FP8-dynamic")
    base = resolve_model("acme/Tiny-7B-Instruct").arch
    assert r.base == "acme/Tiny-7B-Instruct"  # the unquantized entry of the same flavour, not the AWQ one
    assert r.arch.num_layers == base.num_layers and r.arch.num_kv_heads == base.num_kv_heads
    assert "repacked by RedHatAI" in r.describe() and "fp8 weights from the name" in r.describe()


def test_repacker_without_suffix_and_renamed_name(synthetic_catalog):
    r = resolve_model("unsloth/Meta-Llama-3.9-8B-Instruct")
    assert r.arch is not None and r.arch.quantization is None and r.keeps_context
    assert r.base == "meta-llama/Llama-3.9-8B-Instruct"


def test_flavour_keeps_the_shapes_but_not_the_context(synthetic_catalog):
    r = resolve_model("acme/Tiny-7B-Thinking-2507")
    assert r.arch is not None and r.via == "variant" and not r.keeps_context
    assert r.arch.num_layers == 32
    assert not r.model_facts.knows_context  # VL401 must not judge the context of a sibling
    assert "context not known for the -thinking-2507 flavour" in r.describe()


def test_unknown_org_is_not_reduced(synthetic_catalog):
    r = resolve_model("someone/Tiny-7B-Instruct-FP8")  # a fine-tune may change anything
    assert r.arch is None
    assert r.facts is not None and r.facts.num_params == 7_000_000_000 and not r.facts.certain


def test_exact_catalog_hit_wins_over_the_rules(synthetic_catalog):
    r = resolve_model("acme/Tiny-7B-Instruct-AWQ")
    assert r.via == "id" and r.certain and r.certainty == "exact"
    assert r.arch.quantization["quant_method"] == "awq"  # the real config, not the suffix


def test_a_real_config_beats_the_name(tmp_path):
    folder = tmp_path / "Qwen3-32B-FP8"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({
        "model_type": "llama", "hidden_size": 1024, "num_hidden_layers": 3, "num_attention_heads": 8,
        "num_key_value_heads": 8, "intermediate_size": 2048, "vocab_size": 1000, "max_position_embeddings": 2048}))
    r = resolve_model(str(folder))
    assert r.how == "local" and r.certain and r.arch.num_layers == 3


def test_hf_cache_config_of_the_base_serves_a_variant(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    snap = cache / "models--acme--Tiny-7B-Instruct" / "snapshots" / "abc"
    snap.mkdir(parents=True)
    (snap / "config.json").write_text(json.dumps({
        "model_type": "never_seen", "hidden_size": 512, "num_hidden_layers": 4, "num_attention_heads": 8,
        "num_key_value_heads": 2, "intermediate_size": 1024, "vocab_size": 1000, "max_position_embeddings": 4096}))
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    r = resolve_model("/root/.cache/huggingface/hub/models--acme--Tiny-7B-Instruct/snapshots/abc")
    assert r.how == "hf-cache" and r.certain and r.arch.num_layers == 4
    r = resolve_model("/models/acme--Tiny-7B-Instruct")
    assert r.how == "hf-cache" and r.via == "path" and not r.certain


@pytest.mark.parametrize("a,b", [
    ("qwen2.5_instruct_32b", "Qwen2.5-32B-Instruct"),
    ("llama_3.1_8b_instruct", "Llama-3.1-8B-Instruct"),
    ("Instruct-Tiny-7B", "tiny_7b_instruct"),
])
def test_word_key_ignores_order_case_and_separator(a, b):
    assert word_key(a) == word_key(b) is not None


def test_word_key_keeps_what_tells_models_apart():
    assert word_key("qwen2.5_instruct_32b") != word_key("Qwen2.5-32B")  # a flavour word is not dropped
    assert word_key("Qwen2.5-32B-Instruct") != word_key("Qwen2.5-3B-Instruct")
    assert word_key("gpt2") is None  # one word: the exact name decides


def test_folder_with_reordered_underscored_words_resolves_likely(synthetic_catalog):
    r = resolve_model("/DATA/disk1/Openeval/models/tiny_instruct_7b")
    assert r.arch is not None and r.base == "acme/Tiny-7B-Instruct"
    assert r.via == "path" and not r.certain and r.certainty == "likely"
    assert "words, in another order or joined by _" in r.describe()


def test_reordered_words_two_ids_share_decide_nothing(monkeypatch, tmp_path):
    from vllm_lint.models import resolve

    data = {"version": 1, "models": [
        {"id": "alpha/Model-7B-Chat", "config": _cfg(32), "source": "test", "source_kind": "test"},
        {"id": "beta/Chat-Model-7B", "config": _cfg(28), "source": "test", "source_kind": "test"},
    ]}
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data))
    _use_catalog(monkeypatch, path)
    assert resolve.resolve_model("/data/model_chat_7b").arch is None


def test_ambiguous_bases_stay_unresolved(monkeypatch, tmp_path):
    from vllm_lint.models import resolve

    data = {"version": 1, "models": [
        {"id": "alpha/Model-7B", "config": _cfg(32), "source": "test", "source_kind": "test"},
        {"id": "beta/Model-7B-Instruct", "config": _cfg(28), "source": "test", "source_kind": "test"},
    ]}
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data))
    _use_catalog(monkeypatch, path)
    r = resolve.resolve_model("/data/Model-7B-Chat")  # both are flavours of "model-7b", with two shapes
    assert r.arch is None and set(r.candidates) == {"alpha/Model-7B", "beta/Model-7B-Instruct"}
    assert "could be any of" in r.message


def test_same_shape_bases_are_not_ambiguous(monkeypatch, tmp_path):
    from vllm_lint.models import resolve

    data = {"version": 1, "models": [
        {"id": "alpha/Model-7B", "config": _cfg(32), "source": "test", "source_kind": "test"},
        {"id": "alpha/Model-7B-Instruct", "config": _cfg(32), "source": "test", "source_kind": "test"},
    ]}
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data))
    _use_catalog(monkeypatch, path)
    r = resolve.resolve_model("/data/Model-7B-Chat")
    assert r.arch is not None and r.arch.num_layers == 32


def _cfg(layers: int) -> dict:
    return {"model_type": "llama", "hidden_size": 1024, "num_hidden_layers": layers, "num_attention_heads": 8,
            "num_key_value_heads": 8, "intermediate_size": 2048, "vocab_size": 1000, "max_position_embeddings": 4096}


def _use_catalog(monkeypatch, path) -> None:
    from vllm_lint.models import resolve

    monkeypatch.setattr(resolve, "CATALOG_PATH", path)
    for f in (resolve._catalog, resolve._stems, resolve._word_index, resolve._arch_from_entry):
        f.cache_clear()  # the autouse fixture clears them again once CATALOG_PATH is restored


@pytest.fixture(autouse=True)
def _fresh_catalog_caches():
    from vllm_lint.models import resolve

    yield
    for f in (resolve._catalog, resolve._stems, resolve._word_index, resolve._arch_from_entry):
        f.cache_clear()


def test_served_name_and_mapping_say_so():
    r = resolve_model("/mnt/models", served=["meta-llama/Llama-3.1-8B-Instruct"])
    assert r.arch is not None and r.via == "served" and not r.certain
    assert "--served-model-name meta-llama/Llama-3.1-8B-Instruct" in r.describe()
    r = resolve_model("/mnt/models", aliases={"/mnt/models": "meta-llama/Llama-3.1-8B-Instruct"})
    assert r.certain and "[tool.vllm-lint] models maps '/mnt/models'" in r.describe()


def test_download_into_a_nicknamed_folder():
    from vllm_lint.models.hints import download_hints

    text = ("args:\n  - |\n    hf download Qwen/Qwen3-8B --local-dir /data/models/q8 &&\n"
            "    huggingface-cli download meta-llama/Llama-3.1-8B-Instruct \\\n      --local-dir /data/models/llama \\\n"
            "      --local-dir-use-symlinks False\n    hf download ${MODEL} --local-dir /data/x\n"
            "python -c 'snapshot_download(repo_id=\"Qwen/Qwen2.5-7B-Instruct\", local_dir=\"/m/q\")'\n")
    hints = download_hints(text)
    assert hints == {"/data/models/q8": "Qwen/Qwen3-8B", "/data/models/llama": "meta-llama/Llama-3.1-8B-Instruct",
                     "/m/q": "Qwen/Qwen2.5-7B-Instruct"}
    r = resolve_model("/data/models/q8/", downloads=hints)
    assert r.arch.id == "Qwen/Qwen3-8B" and r.certain
    assert "the file downloads it into /data/models/q8/" in r.describe()


def test_every_step_is_recorded(synthetic_catalog):
    r = resolve_model("Sehyo/Tiny-7B-Instruct-NVFP4")
    steps = [t.step for t in r.trail]
    assert steps[:3] == ["catalog id", "local folder", "Hugging Face cache"] and steps[-1] == "variant"
    assert "geometry of acme/Tiny-7B-Instruct" in r.trail[-1].result
