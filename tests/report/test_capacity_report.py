"""The capacity renderer (table + stacked bar) and the VL1xx helpers."""

from __future__ import annotations

import io

from rich.console import Console

from vllm_lint.hardware.gpus import resolve_gpu
from vllm_lint.memory.estimate import estimate
from vllm_lint.memory.settings import EngineSettings
from vllm_lint.models.resolve import resolve_model
from vllm_lint.report.capacity import BAR_WIDTH, bar_parts, bar_text, capacity_json, render_capacity
from vllm_lint.rules.capacity import round_len


def _seed():
    return estimate(resolve_model("Qwen/Qwen1.5-7B-Chat").arch, resolve_gpu("A10G"), EngineSettings(), "0.4.0")


def test_render_shows_every_term_and_the_bar():
    out = io.StringIO()
    render_capacity(_seed(), Console(file=out, width=120, color_system=None))
    text = out.getvalue()
    for word in ("budget", "weights", "activation peak", "non-torch", "CUDA graphs", "KV cache", "does not fit",
                 "largest max_model_len that fits", "headroom", "per GPU"):
        assert word in text, word
    bar_line = next(line for line in text.splitlines() if line.startswith("["))
    assert len(bar_line) == BAR_WIDTH + 2


def test_bar_parts_add_up_to_the_gpu():
    cap = _seed()
    assert sum(v for _, v in bar_parts(cap)) == __import__("pytest").approx(cap.gpu_total_gib)
    assert sum(len(chars) for _, _, chars in bar_text(cap)) == BAR_WIDTH
    too_big = estimate(resolve_model("meta-llama/Llama-3.3-70B-Instruct").arch, resolve_gpu("L4"), EngineSettings(),
                       "0.26.0")
    assert sum(v for _, v in bar_parts(too_big)) <= too_big.gpu_total_gib + 1e-9


def test_capacity_json_is_the_design_contract():
    j = capacity_json(_seed())
    assert j["fits"] is False and j["gpu"]["name"] == "NVIDIA A10G" and j["max_model_len"] == 32768
    assert j["min_gpu_memory_utilization"] is None


def test_round_len():
    assert round_len(8000) == 7936  # multiple of 256 below 8K
    assert round_len(39024) == 38912  # multiple of 1024 above 8K
    assert round_len(700) == 688
    assert round_len(7344) == 7168


def test_tp_allowed_follows_vllm_divisibility():
    from vllm_lint.rules.capacity import tp_allowed

    llama70 = resolve_model("meta-llama/Llama-3.3-70B-Instruct").arch  # 64 heads, 8 KV heads
    assert tp_allowed(llama70, 8) and tp_allowed(llama70, 16)
    qwen7 = resolve_model("Qwen/Qwen2.5-7B-Instruct").arch  # 28 heads, 4 KV heads
    assert tp_allowed(qwen7, 4) and not tp_allowed(qwen7, 8)
