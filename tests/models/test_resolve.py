"""Model resolution: catalog names, local paths, served names, local config.json, unknown models."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from vllm_lint.models.resolve import resolve_model


@pytest.mark.parametrize("name", [
    "Qwen/Qwen1.5-7B-Chat", "qwen/qwen1.5-7b-chat", "/models--Qwen--Qwen1.5-7B-Chat", "/models/Qwen1.5-7B-Chat",
    "Qwen1.5-7B-Chat", "/root/.cache/huggingface/hub/models--Qwen--Qwen1.5-7B-Chat/snapshots/abc123",
])
def test_names_of_the_seed_model_resolve_to_the_catalog(name):
    r = resolve_model(name)
    assert r.how == "catalog"
    assert r.arch.id == "Qwen/Qwen1.5-7B-Chat"
    assert (r.arch.num_layers, r.arch.num_kv_heads, r.arch.head_dim) == (32, 32, 128)


def test_local_path_with_org_less_name():
    r = resolve_model("/data/Meta-Llama-3-8B-Instruct")
    assert r.arch is not None and r.arch.id == "meta-llama/Meta-Llama-3-8B-Instruct"


def test_alias_map_from_config():
    r = resolve_model("/srv/my-chat-model", aliases={"/srv/my-chat-model": "meta-llama/Llama-3.1-8B-Instruct"})
    assert r.arch.id == "meta-llama/Llama-3.1-8B-Instruct"


def test_local_folder_config_json_is_read(tmp_path):
    folder = tmp_path / "mymodel"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({
        "model_type": "llama", "hidden_size": 2048, "num_hidden_layers": 4, "num_attention_heads": 16,
        "num_key_value_heads": 4, "intermediate_size": 5632, "vocab_size": 32000, "max_position_embeddings": 4096,
    }))
    r = resolve_model("mymodel", base_dir=tmp_path)
    assert r.how == "local"
    assert r.arch.num_kv_heads == 4 and r.arch.head_dim == 128
    assert r.arch.derived_max_model_len("0.33.0") == 4096


def test_local_gptq_quantize_config_is_read(tmp_path):
    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "llama", "hidden_size": 1024, "num_hidden_layers": 2,
                                                    "num_attention_heads": 8}))
    (folder / "quantize_config.json").write_text(json.dumps({"bits": 4, "group_size": 128}))
    r = resolve_model(str(folder))
    assert r.arch.quantization["quant_method"] == "gptq"


def test_unknown_model_returns_none_with_how_to_point():
    r = resolve_model("acme/never-heard-of-it-13b")
    assert r.arch is None and r.how == "none"
    assert "config" in r.message and "never-heard-of-it" in r.message


def test_catalog_hit_does_not_import_transformers():
    code = ("import sys; from vllm_lint.models.resolve import resolve_model; "
            "assert resolve_model('Qwen/Qwen2.5-7B-Instruct').arch; "
            "assert 'transformers' not in sys.modules and 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cache_miss_imports_nothing_heavy(tmp_path):
    code = ("import sys; from vllm_lint.models.resolve import resolve_model; "
            "assert resolve_model('acme/unknown-model-7b').arch is None; "
            "assert not {'transformers', 'huggingface_hub', 'torch'} & set(sys.modules)")
    import os
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "HF_HUB_CACHE": str(tmp_path)})


@pytest.mark.parametrize("content", ['[1, 2]', '{"hidden_size": {"a": 1}, "num_hidden_layers": "x"}', "not json",
                                     '{"num_attention_heads": 0, "hidden_size": 64}'])
def test_broken_local_configs_never_raise(tmp_path, content):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "config.json").write_text(content)
    r = resolve_model("m", base_dir=tmp_path)
    assert r.arch is None or r.arch.num_layers >= 0
    if r.arch is None:
        assert r.message


@pytest.mark.parametrize("name", ["~no-such-user-xyz/model", "~'/vllm-openai:v0.8.5"])
def test_a_home_of_an_unknown_user_is_a_name_not_a_crash(name, tmp_path):
    r = resolve_model(name, base_dir=tmp_path)  # Path.expanduser raises RuntimeError for these
    assert r.arch is None and r.message


def test_config_json_that_is_not_a_regular_file(tmp_path):
    folder = tmp_path / "dev"
    folder.mkdir()
    (folder / "config.json").symlink_to("/dev/zero")
    r = resolve_model(str(folder))
    assert r.arch is None


@pytest.mark.parametrize("path,expected", [
    ("/models/deepseek-coder-6.7b-instruct", "deepseek-ai/deepseek-coder-6.7b-instruct"),
    ("/models/DeepSeek-Coder-6.7B-Instruct/", "deepseek-ai/deepseek-coder-6.7b-instruct"),
    ("/data/models/deepseek-coder", None),  # partial name of deepseek-ai/deepseek-coder-6.7b-instruct
    ("/data/models/qwen3-next-80b", None),
    ("/mnt/models", None),
    ("/model", None),
])
def test_local_path_basename_resolves_only_on_an_exact_name(path, expected, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    r = resolve_model(path)
    assert (r.arch.id if r.arch else None) == expected


def test_a_basename_two_catalog_ids_share_is_not_an_index_key():
    from vllm_lint.models.resolve import build_index

    index = build_index(["Qwen/Qwen2.5-7B-Instruct", "someone/Qwen2.5-7B-Instruct", "acme/solo-7b"])
    assert "qwen2.5-7b-instruct" not in index
    assert index["solo-7b"] == "acme/solo-7b"
    assert index["someone/qwen2.5-7b-instruct"] == "someone/qwen2.5-7b-instruct"


def test_a_bare_name_that_is_a_repacks_base_name_is_a_likely_resolution(synthetic_catalog):
    # as unsloth/tinyllama-bnb-4bit is the 4-bit upload of unsloth/tinyllama: a folder named after the
    # base has its shapes, at the model dtype, and the resolution says it is a reading of the name
    r = resolve_model("/data/models/Packed-3B")
    assert r.arch is not None and r.arch.num_layers == 26
    assert not r.certain and r.via == "variant" and r.arch.quantization is None
    assert "the name names no quantization" in r.describe()


def test_an_entry_whose_quantization_config_was_not_read_resolves_as_likely(synthetic_catalog):
    """The catalog lists acme/Tiny-7B-Instruct-GPTQ-Int4 with ``assumed: [quantization_config]``: its
    geometry is known, its quantization block is not, so the weight format comes from the name and the
    resolution is likely, saying so; an entry that read its block stays exact."""
    r = resolve_model("acme/Tiny-7B-Instruct-GPTQ-Int4")
    assert (r.how, r.via, r.certain, r.certainty) == ("catalog", "id", False, "likely")
    assert r.arch.quantization["_from_name"] == "gptq-int4" and r.arch.quantization["bits"] == 4
    assert r.describe() == ("acme/Tiny-7B-Instruct-GPTQ-Int4 (catalog), its quantization_config not read from the "
                            "repo: gptq 4-bit weights from the name")
    assert r.keeps_context and r.model_facts.derived_max_model_len("0.33.0") == 32768
    exact = resolve_model("acme/Tiny-7B-Instruct-AWQ")
    assert exact.certainty == "exact" and "_from_name" not in exact.arch.quantization and not exact.assumed


def test_an_entry_whose_context_was_not_read_checks_no_context(synthetic_catalog):
    r = resolve_model("acme/Tiny-9B")
    assert r.certainty == "likely" and not r.keeps_context
    assert r.model_facts.derived_max_model_len("0.33.0") is None
    assert r.describe() == "acme/Tiny-9B (catalog), its max_position_embeddings not read from the repo"


def test_paths_and_served_names_keep_what_the_entry_assumed(synthetic_catalog):
    by_path = resolve_model("/models/Tiny-7B-Instruct-GPTQ-Int4")
    assert by_path.arch.id == "acme/Tiny-7B-Instruct-GPTQ-Int4" and not by_path.certain
    assert by_path.describe().endswith("its quantization_config not read from the repo: gptq 4-bit weights from the name")
    served = resolve_model("/mnt/models", served=["acme/Tiny-7B-Instruct-GPTQ-Int4"])
    assert served.arch is not None and served.certainty == "likely"
    assert "its quantization_config not read from the repo" in served.describe()
    assert "--served-model-name acme/Tiny-7B-Instruct-GPTQ-Int4" in served.describe()
