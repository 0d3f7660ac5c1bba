"""Resolution through a local Hugging Face cache (no network): transformers for known model types,
the raw JSON for types transformers does not know."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def _make_cache(root, repo: str, config: dict) -> None:
    org, name = repo.split("/")
    base = root / f"models--{org}--{name}"
    snap = base / "snapshots" / "0123456789abcdef"
    snap.mkdir(parents=True)
    (snap / "config.json").write_text(json.dumps(config))
    (base / "refs").mkdir()
    (base / "refs" / "main").write_text("0123456789abcdef")


def _resolve_in_subprocess(cache, *names: str) -> list[dict]:
    """resolve_model for each name in one fresh interpreter (the cache location is read at import)."""
    code = ("import json,sys; from vllm_lint.models.resolve import resolve_model\n"
            "for name in sys.argv[1:]:\n"
            "    r = resolve_model(name)\n"
            "    print(json.dumps({'how': r.how, 'layers': r.arch.num_layers if r.arch else None, "
            "'kv': r.arch.num_kv_heads if r.arch else None}))")
    env = {**os.environ, "HF_HUB_CACHE": str(cache), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code, *names], env=env, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in out.stdout.strip().splitlines()[-len(names):]]


def test_hf_cache_known_and_unknown_model_types(tmp_path):
    _make_cache(tmp_path, "acme/tiny-llama", {"model_type": "llama", "hidden_size": 256, "num_hidden_layers": 3,
                                              "num_attention_heads": 4, "num_key_value_heads": 2,
                                              "intermediate_size": 512, "vocab_size": 1000,
                                              "max_position_embeddings": 2048})
    _make_cache(tmp_path, "acme/exotic", {"model_type": "never_seen_arch", "hidden_size": 128,
                                          "num_hidden_layers": 5, "num_attention_heads": 2})
    known, raw, missing = _resolve_in_subprocess(tmp_path, "acme/tiny-llama", "acme/exotic", "acme/not-cached")
    assert known == {"how": "hf-cache", "layers": 3, "kv": 2}
    assert raw["how"] == "hf-cache" and raw["layers"] == 5
    assert missing["how"] == "none"
