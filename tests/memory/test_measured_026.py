"""Against vLLM 0.26.0's own numbers measured on an H200 (groundtruth/measured-vllm-0.26.0-h200.jsonl)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.shared
ROOT = Path(__file__).resolve().parents[2]


def _run(shared_dir):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import accuracy
    finally:
        sys.path.pop(0)
    return accuracy.run(shared_dir)


def test_measured_terms(shared_dir):
    result = _run(shared_dir)
    rows = [r for r in result["rows"] if r["case"].startswith("measured")]
    assert len(rows) >= 10
    for r in rows:
        for term in ("weights_gib", "non_torch_gib", "kv_tokens"):
            if r["ape"].get(term) is not None:
                assert r["ape"][term] <= 2.0, (r["case"], term, r["ape"][term])
        # KV GiB within 2 % everywhere (the 24 GB-budget case, whose small KV inherits the activation
        # run-to-run noise, is at 1.8 %)
        assert r["ape"]["kv_cache_gib"] <= 2.0, (r["case"], r["ape"])
        # Activation within 2 % of a value vLLM's two-decimal figure allows (0.30 GiB is anything from
        # 0.295 to 0.305), for every case: it needs the cold torch.compile spike (Gemma-2 is 10 % off
        # without it), the L2 buffer and the warm-cache hints.
        pred, rep = r["predicted"]["activation_gib"], r["reported"]["activation_gib"]
        assert abs(pred - rep) - 0.005 <= 0.02 * rep, (r["case"], pred, rep)
    seed = next(r for r in rows if r["case"] == "measured:qwen15-7b-24g")
    assert seed["predicted_fits"] is False
    assert seed["ape"]["estimated_max_model_len"] <= 2.0


def test_public_summary(shared_dir):
    result = _run(shared_dir)
    full = result["public_full_breakdown"]
    assert full["kv_cache_gib"]["median_ape"] <= 5.0
    assert full["kv_cache_gib"]["p90_ape"] <= 15.0
    assert full["weights_gib"]["median_ape"] <= 2.0
    assert result["fit_nofit"]["mismatched"] == []


def test_benchmark_cli_json(shared_dir, capsys):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import accuracy
    finally:
        sys.path.pop(0)
    assert accuracy.main(["--shared", str(shared_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"rows", "measured", "public_full_breakdown", "fit_nofit", "skipped"} <= set(data)
    assert all("ape" in r and "predicted" in r for r in data["rows"])
