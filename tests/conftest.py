from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# CI (.ci/run) sets HYPOTHESIS_PROFILE=ci: the same examples on every run, no deadline and no
# speed health check (a loaded 2-core runner must not turn slowness into a failure), and no
# example database carried between runs. A test's own max_examples still wins.
settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=100, database=None,
    suppress_health_check=[HealthCheck.too_slow], print_blob=True,
)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout; tests that need it are marked `shared` and skip without it."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared is not present (reference material; CI has it)")
    return SHARED


@pytest.fixture(scope="session")
def corpus_lint(shared_dir):
    """``corpus_lint(gpu)``: the LintResult of ``vllm-lint .`` run inside ../shared/corpus with that
    --gpu (None: no --gpu), linted once per session and shared: tests must not change it."""
    from vllm_lint.lint import LintOptions, lint_paths
    from vllm_lint.resolve.context import RunOptions

    results = {}

    def lint(gpu: str | None = None):
        if gpu not in results:
            cwd = os.getcwd()
            os.chdir(shared_dir / "corpus")
            try:
                results[gpu] = lint_paths([Path(".")], LintOptions(run=RunOptions(gpu=gpu)))
            finally:
                os.chdir(cwd)
        return results[gpu]

    return lint


def pytest_collection_modifyitems(config, items):
    if (SHARED / "corpus").is_dir():
        return
    skip = pytest.mark.skip(reason="../shared is not present")
    for item in items:
        if "shared" in item.keywords:
            item.add_marker(skip)


def _config(layers: int, hidden: int, heads: int, kv: int, inter: int, ctx: int, **extra) -> dict:
    return {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": hidden,
            "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": kv,
            "intermediate_size": inter, "vocab_size": 32000, "max_position_embeddings": ctx, "torch_dtype": "bfloat16",
            **extra}


# Made-up repos (no real checkpoint has these names, so the shipped catalog never holds them): what
# the name rules resolve does not change as the catalog grows.
SYNTHETIC_CATALOG = [
    ("acme/Tiny-7B", _config(32, 4096, 32, 8, 14336, 131072)),
    ("acme/Tiny-7B-Instruct", _config(32, 4096, 32, 8, 14336, 32768)),
    ("acme/Tiny-7B-Instruct-AWQ", _config(32, 4096, 32, 8, 14336, 32768, quantization_config={
        "quant_method": "awq", "bits": 4, "group_size": 128, "zero_point": True})),
    ("acme/Huge-400B-Instruct", _config(126, 16384, 128, 8, 53248, 131072)),
    ("meta-llama/Llama-3.9-8B-Instruct", _config(32, 4096, 32, 8, 14336, 131072)),
    ("unsloth/Packed-3B-bnb-4bit", _config(26, 3072, 24, 8, 8192, 8192, quantization_config={
        "quant_method": "bitsandbytes", "load_in_4bit": True})),
    ("acme/Tiny-7B-Instruct-GPTQ-Int4", _config(32, 4096, 32, 8, 14336, 32768)),
    ("acme/Tiny-9B", {k: v for k, v in _config(36, 4096, 32, 8, 12288, 0).items() if k != "max_position_embeddings"}),
]
# Entries that did not read these keys from the repo itself (the catalog's ``assumed``).
SYNTHETIC_ASSUMED = {"acme/Tiny-7B-Instruct-GPTQ-Int4": ["quantization_config"], "acme/Tiny-9B": ["max_position_embeddings"]}


@pytest.fixture
def synthetic_catalog(tmp_path, monkeypatch):
    """The model catalog replaced by SYNTHETIC_CATALOG for one test (the resolver's caches are cleared
    before and after)."""
    import json

    from vllm_lint.models import resolve

    path = tmp_path / "synthetic-catalog.json"
    path.write_text(json.dumps({"version": 1, "models": [
        {"id": i, "config": c, "source": "test fixture", "source_kind": "test",
         **({"assumed": SYNTHETIC_ASSUMED[i]} if i in SYNTHETIC_ASSUMED else {})} for i, c in SYNTHETIC_CATALOG]}))
    caches = (resolve._catalog, resolve._stems, resolve._word_index, resolve._arch_from_entry)
    for f in caches:
        f.cache_clear()
    monkeypatch.setattr(resolve, "CATALOG_PATH", path)
    yield path
    monkeypatch.undo()
    for f in caches:
        f.cache_clear()
