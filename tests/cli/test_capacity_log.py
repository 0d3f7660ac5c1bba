"""``vllm-lint capacity --log``: the log's figures next to the estimate for the launch it describes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vllm_lint.cli import main
from vllm_lint.report.capacity import LOG_ROWS, log_comparison_rows

FIXTURES = Path(__file__).parents[1] / "logs" / "fixtures"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(["capacity", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def table_cells(text: str) -> dict[str, tuple[str, str]]:
    """term -> (vLLM, estimate) cells of the printed table."""
    cells = {}
    for line in text.splitlines():
        parts = [p.strip() for p in line.strip().strip("│┃").split("│")]
        if len(parts) == 4 and parts[0] and parts[0] != "term":
            cells[parts[0]] = (parts[1], parts[2])
    return cells


def assert_table_matches_json(text: str, data: dict) -> None:
    """Every row of the text table shows the JSON's estimate and log figures as printed."""
    cells = table_cells(text)
    rows = log_comparison_rows({k: v for k, v in data.items() if k != "log"}, data["log"])
    assert rows, text
    for label, logged, est, _diff in rows:
        assert cells[label] == (logged, est), label


@pytest.mark.parametrize("name, extra", [
    ("v0-0.4-refused.log", ["--gpu", "RTX 3090"]),
    ("v0-0.6.4-profile.log", []),
    ("v0-0.7-worker.log", ["--gpu", "V100"]),
    ("v1-0.10-actual-usage.log", ["--gpu", "A10G"]),
    ("v1-0.26-refused.log", ["--gpu", "A10G"]),
    ("v1-0.33-combined.log", ["--gpu", "H100"]),
])
def test_table_matches_the_estimate_json(capsys, name, extra):
    log = str(FIXTURES / name)
    rc, out, err = run(capsys, "--log", log, "--format", "json", *extra)
    assert rc == 0, err
    data = json.loads(out)
    assert data["log"] and data["kv_cache_gib"] is not None
    rc, text, err = run(capsys, "--log", log, "--no-color", *extra)
    assert rc == 0, err
    assert_table_matches_json(text, data)
    assert "the log against the estimate" in text


def test_the_estimate_uses_the_logs_settings(capsys):
    rc, out, _ = run(capsys, "--log", str(FIXTURES / "v0-0.7-worker.log"), "--gpu", "V100", "--format", "json")
    data = json.loads(out)
    assert rc == 0 and data["vllm_version"] == "0.7.3" and data["engine"] == "v0"
    assert data["gpu"]["total_gib"] == 31.74 and data["gpu_memory_utilization"] == 0.9
    assert data["max_model_len"] == 2048 and data["model"] == "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"
    assert data["log"]["kv_cache_gib"] == 12.8 and data["log"]["lines"]["kv_cache_gib"] == 5
    # the log's 0.90 of a 31.74 GiB card, as the worker line states
    assert data["budget_gib"] == pytest.approx(28.57, abs=0.01)


def test_flags_after_the_double_dash_override_the_log(capsys):
    log = str(FIXTURES / "v1-0.10-actual-usage.log")
    rc, out, _ = run(capsys, "--log", log, "--gpu", "A10G", "--format", "json", "--", "--max-model-len", "8192")
    data = json.loads(out)
    assert rc == 0 and data["max_model_len"] == 8192 and data["log"]["max_model_len"] == 65536


def test_the_log_names_the_gpu_memory_when_no_gpu_is_given(capsys):
    rc, out, _ = run(capsys, "--log", str(FIXTURES / "v0-0.6.4-profile.log"), "--no-color")
    assert rc == 0 and "a card with 23.58 GiB" in out


def test_log_json_keys_are_capacity_keys(capsys):
    _, out, _ = run(capsys, "--log", str(FIXTURES / "v1-0.33-combined.log"), "--gpu", "H100", "--format", "json")
    data = json.loads(out)
    keys = {k for k in data["log"] if k not in ("lines", "ranks", "cuda_graph_captured_gib")}
    assert keys <= set(data) | {"gpu"}, keys - set(data)
    assert {key.split(".")[0] for _, key, _ in LOG_ROWS} <= set(data)


@pytest.mark.parametrize("setup, message", [
    (lambda d: d / "missing.log", "no such file"),
    (lambda d: d, "is a directory"),
    (lambda d: (d / "bin.log").write_bytes(b"\x00\x01\x02" * 10) and d / "bin.log", "binary"),
    (lambda d: FIXTURES / "empty.log", "no vLLM startup lines"),
])
def test_bad_input_is_a_clear_error(capsys, tmp_path, setup, message):
    rc, out, err = run(capsys, "--log", str(setup(tmp_path)), "--gpu", "L4")
    assert rc == 2 and message in err and "Traceback" not in err + out


def test_a_log_without_model_or_gpu_says_what_to_give(capsys, tmp_path):
    log = tmp_path / "v.log"
    log.write_text("ValueError: The model's max seq len (32768) is larger than the maximum number of tokens that "
                   "can be stored in KV cache (7344).\n", encoding="utf-8")
    rc, _, err = run(capsys, "--log", str(log))
    assert rc == 2 and "does not name the model" in err
    rc, _, err = run(capsys, "--log", str(log), "--", "Qwen/Qwen1.5-7B-Chat")
    assert rc == 2 and "--gpu" in err
    rc, out, err = run(capsys, "--log", str(log), "--gpu", "RTX 3090", "--format", "json", "--", "Qwen/Qwen1.5-7B-Chat")
    data = json.loads(out)
    assert rc == 0 and data["log"]["kv_cache_tokens"] == 7344 and data["engine"] == "v0"
