"""VL315 (engines sharing a GPU ask for more than all of it) on compose fixtures of our own: profiles
and GPUs chosen by variables with defaults, device placement through device_ids and
CUDA_VISIBLE_DEVICES, count requests, byte-sized KV caches and replicas."""

from __future__ import annotations

import shutil
from pathlib import Path

from vllm_lint.lint import LintOptions, lint_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules" / "vl315"


def lint(tmp_path: Path, name: str):
    target = tmp_path / "docker-compose.yml"
    shutil.copy(FIXTURES / name, target)
    res = lint_paths([target], LintOptions(select=["VL315"]))
    assert not [d for d in res.diagnostics if d.rule == "VL000"], res.diagnostics
    return [d for d in res.diagnostics if d.rule == "VL315"]


def test_profile_less_service_shares_gpu_with_the_profile(tmp_path):
    found = lint(tmp_path, "profiles.yml")
    # engine (no profile) + prefill (pd) on GPU 0; decode is on GPU 1
    assert len(found) == 1 and found[0].line == 27
    msg = found[0].message
    assert "0.8 + 0.9 = 1.70" in msg and "services.engine` has no profile" in msg
    assert "${PREFILL_MEM}" in msg and "${ENGINE_GPU}" in msg  # the numbers are the file's defaults


def test_placement_through_device_ids_and_cuda_visible_devices(tmp_path):
    found = lint(tmp_path, "placement.yml")
    by_launch = {d.launch: d for d in found}
    # a (CUDA 1 of devices 2,3 = GPU 3) and b (TP 2 over 3,4) overlap on GPU 3;
    # c (count: 2) is not placed, d (KV cache in bytes) does not fill its fraction
    assert set(by_launch) == {"services.b", "services.e"}
    assert "on GPU 3 " in by_launch["services.b"].message and "0.5 + 0.6 = 1.10" in by_launch["services.b"].message
    assert "3 replicas" in by_launch["services.e"].message and "1.20" in by_launch["services.e"].message


def test_other_files_are_other_projects(tmp_path):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "docker-compose.yml").write_text(
            "services:\n  v:\n    image: vllm/vllm-openai:v0.11.2\n    gpus: all\n"
            "    command: [--model, Qwen/Qwen2.5-0.5B-Instruct]\n")
    res = lint_paths([tmp_path], LintOptions(select=["VL315"]))
    assert not [d for d in res.diagnostics if d.rule == "VL315"]


def test_symbolic_fraction_is_not_judged(tmp_path):
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n"
        "  a:\n    image: vllm/vllm-openai:v0.11.2\n    gpus: all\n"
        "    command: [--model, Qwen/Qwen2.5-0.5B-Instruct, --gpu-memory-utilization, '${MEM}']\n"
        "  b:\n    image: vllm/vllm-openai:v0.11.2\n    gpus: all\n"
        "    command: [--model, Qwen/Qwen2.5-0.5B-Instruct]\n")
    res = lint_paths([tmp_path / "docker-compose.yml"], LintOptions(select=["VL315"]))
    assert not [d for d in res.diagnostics if d.rule == "VL315"]
