"""``capacity --log`` over every log quote of ../shared/groundtruth/public.jsonl that has memory lines:
the figures read equal the ones the case records, and the printed table equals the command's JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from vllm_lint.cli import main
from vllm_lint.logs.startup import apply_release, assumed_release, parse_log
from vllm_lint.vllm.versions import KNOWN_VERSIONS

pytestmark = pytest.mark.shared
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from test_capacity_log import assert_table_matches_json  # noqa: E402

sys.path.pop(0)

# public.jsonl "reported" field -> (key the log parser uses, tolerance of vLLM's printed figure)
REPORTED = {"total_gpu_memory_gib": ("total_gib", 0.006), "weights_gib": ("weights_gib", 0.006),
            "non_torch_gib": ("non_torch_gib", 0.006), "activation_peak_gib": ("activation_gib", 0.006),
            "kv_cache_gib": ("kv_cache_gib", 0.006), "gpu_blocks": ("num_gpu_blocks", 0),
            "kv_tokens": ("kv_cache_tokens", 0), "max_concurrency": ("max_concurrency", 0.006),
            "max_concurrency_for_tokens": ("max_model_len", 0), "error_capacity_tokens": ("kv_cache_tokens", 0),
            "estimated_max_model_len": ("estimated_max_model_len", 0)}


def _cases(shared_dir: Path) -> list[tuple[int, dict]]:
    lines = (shared_dir / "groundtruth" / "public.jsonl").read_text(encoding="utf-8").splitlines()
    return [(i, json.loads(line)) for i, line in enumerate(lines) if line.strip()]


def _accuracy(shared_dir: Path) -> dict[int, object]:
    """The model, GPU and release the accuracy benchmark resolves for each public case it estimates."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import accuracy
    finally:
        sys.path.pop(0)
    cases, _ = accuracy.read_public(shared_dir)
    return {int(c.name.split(":")[1]): c for c in cases}


def test_every_quote_with_memory_lines_parses_to_its_recorded_figures(shared_dir):
    with_memory = 0
    for i, d in _cases(shared_dir):
        facts = parse_log(d["quote"])
        if not facts.memory_lines:
            continue
        with_memory += 1
        apply_release(facts, str(facts.figures.get("vllm_version") or assumed_release(facts.release_span,
                                                                                      KNOWN_VERSIONS)))
        reported = {k: v for k, v in d["reported"].items() if v is not None and k in REPORTED}
        read = {REPORTED[k][0] for k in reported}
        assert read & set(facts.figures), (i, reported, facts.figures)
        for field, value in reported.items():
            key, tolerance = REPORTED[field]
            if key not in facts.figures or facts.ranks > 1:
                continue
            assert abs(float(facts.figures[key]) - value) <= tolerance, (i, field, value, facts.figures[key])
        if facts.ranks > 1 and "kv_cache_gib" in facts.figures:
            assert facts.figures["kv_cache_gib"] <= reported.get("kv_cache_gib", float("inf")), i
    assert with_memory >= 35


def test_capacity_log_runs_over_every_quote_and_its_table_matches_its_json(shared_dir, tmp_path, capsys):
    resolved = _accuracy(shared_dir)
    ran = 0
    for i, d in _cases(shared_dir):
        if not parse_log(d["quote"]).memory_lines:
            continue
        log = tmp_path / f"public-{i}.log"
        log.write_text(d["quote"], encoding="utf-8")
        case = resolved.get(i)
        extra: list[str] = []
        if case is not None:
            extra = ["--gpu", case.gpu.key, "--vllm-version", case.version]
        argv = ["capacity", "--log", str(log), *extra, "--format", "json"]
        tail = ["--", case.model.id] if case is not None else []
        rc = main(argv + tail)
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err, (i, err)
        if case is None:
            assert rc in (0, 2), (i, err)
            assert rc == 0 or err.startswith("vllm-lint: error: "), (i, err)
            continue
        if case.model.unsupported:  # the estimator refuses the layout: one clear line, exit 2
            assert rc == 2 and "capacity not estimated" in err, (i, err)
            continue
        assert rc == 0, (i, err)
        data = json.loads(out)
        assert data["log"], i
        rc = main(["capacity", "--log", str(log), *extra, "--no-color"] + tail)
        text, err = capsys.readouterr()
        assert rc == 0, (i, err)
        assert_table_matches_json(text, data)
        ran += 1
    assert ran >= 20
