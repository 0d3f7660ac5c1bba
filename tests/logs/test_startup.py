"""Reading vLLM startup logs of every era (logs/startup.py) from short logs written after the release
templates (the releases' worker and engine sources)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vllm_lint.logs.startup import apply_release, assumed_release, parse_log
from vllm_lint.vllm.versions import KNOWN_VERSIONS

FIXTURES = Path(__file__).with_name("fixtures")


def _read(name: str):
    return parse_log((FIXTURES / name).read_text(encoding="utf-8"))


def test_v0_04_engine_line_blocks_and_refusal():
    f = _read("v0-0.4-refused.log")
    assert f.figures == {"vllm_version": "0.4.0", "model": "/models--Qwen--Qwen1.5-7B-Chat", "max_model_len": 32768,
                         "weights_gib": 14.3919, "num_gpu_blocks": 463, "kv_cache_tokens": 7408, "fits": False}
    assert f.engine == "v0" and f.args["dtype"] == "bfloat16" and f.args["tensor_parallel_size"] == 1
    assert f.args["kv_cache_dtype"] == "auto" and f.args["enforce_eager"] is False
    assert f.lines["weights_gib"] == 2 and f.lines["kv_cache_tokens"] == 5


def test_v0_064_one_line_profile():
    f = _read("v0-0.6.4-profile.log")
    assert f.figures["total_gib"] == 23.58 and f.figures["gpu_memory_utilization"] == 0.90
    assert f.figures["non_torch_gib"] == 0.35 and f.figures["kv_cache_gib"] == 2.89
    assert f.figures["num_gpu_blocks"] == 1478 and f.figures["max_concurrency"] == 0.82
    assert "activation_gib" not in f.figures  # the 0.6.4 line states the peak with the weights in it


def test_v0_065_to_010_worker_lines():
    f = _read("v0-0.7-worker.log")
    assert {k: f.figures[k] for k in ("total_gib", "gpu_memory_utilization", "budget_gib", "weights_gib",
                                      "non_torch_gib", "activation_gib", "kv_cache_gib", "num_gpu_blocks")} == {
        "total_gib": 31.74, "gpu_memory_utilization": 0.9, "budget_gib": 28.57, "weights_gib": 14.2717,
        "non_torch_gib": 0.09, "activation_gib": 1.40, "kv_cache_gib": 12.80, "num_gpu_blocks": 14984}
    assert f.figures["cuda_graph_captured_gib"] == 0.19 and "cuda_graph_gib" not in f.figures
    assert f.engine == "v0" and f.figures["vllm_version"] == "0.7.3" and f.args["dtype"] == "float16"


def test_v1_010_actual_usage_line():
    f = _read("v1-0.10-actual-usage.log")
    assert f.figures["total_gib"] == 22.06 and f.figures["budget_gib"] == 19.85
    assert f.figures["weights_gib"] == 14.9889  # "Model loading took" (four decimals) wins over 14.99
    assert (f.figures["activation_gib"], f.figures["non_torch_gib"]) == (0.47, 0.2)
    assert f.figures["kv_cache_gib"] == 5.19 and f.figures["kv_cache_tokens"] == 42512
    assert f.figures["max_model_len"] == 65536 and f.figures["max_concurrency"] == 0.65
    assert f.engine == "v1" and f.usage_context == "serve" and f.args["max_model_len"] == 65536


@pytest.mark.parametrize("version, stated", [("0.26.0", True), ("0.29.0", False)])
def test_v1_refusal_reads_the_kv_cache_where_the_release_prints_it(version, stated):
    """Before 0.29 the error's "available KV cache memory" is the KV cache; from 0.29 the fit check
    holds back the null block first, so the printed figure is one block short of it."""
    f = _read("v1-0.26-refused.log")
    assert f.figures["max_model_len"] == 32768 and f.figures["needed_kv_gib"] == 16.0
    assert f.figures["estimated_max_model_len"] == 7680 and f.figures["fits"] is False
    f.figures.pop("kv_cache_gib")  # the "Available KV cache memory" line states it anyway
    apply_release(f, version)
    assert ("kv_cache_gib" in f.figures) is stated


def test_v1_033_combined_line_ranks_and_cuda_graphs():
    f = _read("v1-0.33-combined.log")
    assert f.figures["kv_cache_gib"] == 62.03 and f.ranks == 2  # the rank with the least KV cache
    assert f.figures["kv_cache_tokens"] == 903392 and f.figures["max_concurrency"] == 27.57
    assert f.figures["cuda_graph_gib"] == pytest.approx(round((0.92 - 0.9106) * 79.18, 2))
    assert f.figures["non_torch_gib"] == pytest.approx(8.18 - 7.65)  # consumed minus weights
    assert f.args["tensor_parallel_size"] == 2 and f.figures["vllm_version"] == "0.33.0"
    assert f.to_json()["gpu"] == {"total_gib": 79.18}


def test_wrapped_and_prefixed_lines_still_parse():
    text = ("INFO [worker.py:241] the current vLLM instance can use total_gpu_memory (79.14GiB)\n"
            "        x gpu_memory_utilization (0.90) = 71.22GiB\n"
            "INFO [worker.py:241] model weights take 14.99GiB; non_torch_memory takes 0.12GiB;\n"
            "        PyTorch activation peak memory takes 1.19GiB; the rest of the memory\n"
            "        reserved for KV Cache is 54.93GiB.\n")
    f = parse_log(text)
    assert (f.figures["total_gib"], f.figures["budget_gib"], f.figures["kv_cache_gib"]) == (79.14, 71.22, 54.93)


def test_unrelated_text_has_no_memory_lines():
    f = _read("empty.log")
    assert not f.memory_lines and f.figures == {}


def test_the_release_a_log_implies_when_it_does_not_say():
    assert _read("v0-0.6.4-profile.log").release_span == ("0.6.4", "0.6.4")
    worker = parse_log("the current vLLM instance can use total_gpu_memory (23.67GiB) x gpu_memory_utilization "
                       "(0.90) = 21.30GiB\nLoading model weights took 15.5083 GB")
    assert worker.release_span == ("0.6.5", "0.7.3")
    assert assumed_release(worker.release_span, KNOWN_VERSIONS) == "0.7.3"
    combined = parse_log("GPU KV cache size: 1,234 tokens, Maximum concurrency for 2,048 tokens per request: 1.00x")
    assert assumed_release(combined.release_span, KNOWN_VERSIONS) == KNOWN_VERSIONS[-1]
    assert assumed_release(None, KNOWN_VERSIONS) is None


def test_hostile_input_does_not_raise():
    for text in ("", "\0" * 100, "non-default args: {'a': __import__('os')}", "# GPU blocks: 9" * 10000,
                 "Memory profiling results: total_gpu_memory=1.2.3GiB", "x" * 1_000_000):
        parse_log(text)
