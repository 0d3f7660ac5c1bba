"""False-positive mechanisms of the corpus judgments (benchmarks/corpus-judgments.md), each pinned
by a minimal file of its own: what vLLM or the platform really does decides the finding."""

from __future__ import annotations

from pathlib import Path

from vllm_lint.diagnostic import Severity
from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.resolve.context import RunOptions


def _lint(tmp_path: Path, files: dict[str, str], target: str, select: list[str], **run) -> list:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    res = lint_paths([tmp_path / target], LintOptions(select=select, run=RunOptions(**run)))
    return [(d.rule, d.severity, d.message) for d in res.diagnostics if d.rule != "VL000"]


# 12: GPUs used per pod = TP x PP x DP-local -----------------------------------------------------

LWS = """apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata: {name: dp}
spec:
  leaderWorkerTemplate:
    size: 2
    workerTemplate:
      spec:
        containers:
          - name: vllm
            image: vllm/vllm-openai:v0.10.2
            command: ["vllm", "serve", "Qwen/Qwen2.5-7B-Instruct", "--data-parallel-size", "8",
                      "--data-parallel-size-local", "4"]
            resources: {limits: {nvidia.com/gpu: "4"}}
"""


def test_data_parallel_ranks_use_every_gpu_of_the_group(tmp_path):
    assert _lint(tmp_path, {"lws.yaml": LWS}, "lws.yaml", ["VL301"]) == []


# 14: a shebang below line 1 fails only when the kernel execs the script -------------------------

def test_a_late_shebang_is_a_warning_the_launcher_is_not_known(tmp_path):
    found = _lint(tmp_path, {"entrypoint.sh": "# start\n#!/usr/bin/env bash\nexec vllm serve m\n"},
                  "entrypoint.sh", ["VL507"])
    assert [(r, s) for r, s, _ in found] == [("VL507", Severity.WARNING)]
    assert "a shell that runs it reads it anyway" in found[0][2]


# 15: a broken default the committed .env overrides ----------------------------------------------

COMPOSE = """services:
  vllm:
    image: vllm/vllm-openai:v0.10.2
    command: ["--model", "Qwen/Qwen2.5-7B-Instruct"]
    environment:
      - CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-all}
"""


def test_a_broken_default_overridden_by_dotenv_is_a_warning_naming_it(tmp_path):
    found = _lint(tmp_path, {"docker-compose.yml": COMPOSE, ".env": "# gpus\nCUDA_VISIBLE_DEVICES=0,1\n"},
                  "docker-compose.yml", ["VL304"])
    assert [(r, s) for r, s, _ in found] == [("VL304", Severity.WARNING)]
    assert ".env line 2" in found[0][2]


def test_a_broken_default_in_effect_is_an_error(tmp_path):
    found = _lint(tmp_path, {"docker-compose.yml": COMPOSE}, "docker-compose.yml", ["VL304"])
    assert [(r, s) for r, s, _ in found] == [("VL304", Severity.ERROR)]


# 17: VLLM_PORT equal to the HTTP port collides only where the engine starts first ----------------

PORT = """services:
  vllm:
    image: vllm/vllm-openai:{tag}
    command: ["--model", "Qwen/Qwen2.5-7B-Instruct", "--port", "8000"]
    environment:
      - VLLM_PORT=8000
"""


def test_vllm_port_collides_before_the_api_socket_was_bound_first(tmp_path):
    found = _lint(tmp_path, {"docker-compose.yml": PORT.format(tag="v0.5.5")}, "docker-compose.yml", ["VL504"])
    assert [(r, s) for r, s, _ in found] == [("VL504", Severity.WARNING)]


def test_vllm_port_is_only_moot_where_the_api_binds_first(tmp_path):
    found = _lint(tmp_path, {"docker-compose.yml": PORT.format(tag="v0.10.2")}, "docker-compose.yml", ["VL504"])
    assert [(r, s) for r, s, _ in found] == [("VL504", Severity.INFO)]


# 18: capacity of a TPU / Neuron / CPU launch is not modelled -------------------------------------

TPU = """apiVersion: kubeai.org/v1
kind: Model
metadata: {name: llama-tpu}
spec:
  features: [TextGeneration]
  url: hf://meta-llama/Llama-3.1-8B-Instruct
  engine: VLLM
  args: ["--max-model-len=8192"]
  resourceProfile: google-tpu-v5e-2x2:4
"""


def test_a_tpu_launch_says_capacity_is_not_modelled(tmp_path):
    found = _lint(tmp_path, {"model.yaml": TPU}, "model.yaml", ["VL105"])
    assert len(found) == 1 and "runs on a TPU" in found[0][2] and "T4" not in found[0][2]


def test_a_neuron_resource_is_not_a_gpu(tmp_path):
    dep = """apiVersion: apps/v1
kind: Deployment
metadata: {name: neuron}
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.10.2
          args: ["--model", "meta-llama/Llama-3.1-8B-Instruct"]
          resources: {limits: {aws.amazon.com/neuron: 1}}
"""
    found = _lint(tmp_path, {"dep.yaml": dep}, "dep.yaml", ["VL105"])
    assert len(found) == 1 and "AWS Neuron" in found[0][2]


# vendor builds: a later option may be backported; the free-memory check exists only from 0.9 ------

def _compose(image: str, *args: str) -> str:
    return (f"services:\n  vllm:\n    image: {image}\n    command: [\"--model\", \"m\""
            + "".join(f", \"{a}\"" for a in args) + "]\n")


def test_a_later_option_on_a_vendor_build_is_a_warning(tmp_path):
    vendor = _lint(tmp_path, {"a/compose.yaml": _compose("aibrix/vllm-openai:v0.6.1-edb07092-20250118",
                                                         "--disable-fastapi-docs")}, "a/compose.yaml", ["VL202"])
    assert [(r, s) for r, s, _ in vendor] == [("VL202", Severity.WARNING)]
    assert "vendor build of vLLM 0.6.1" in vendor[0][2]
    official = _lint(tmp_path, {"b/compose.yaml": _compose("vllm/vllm-openai:v0.6.1", "--disable-fastapi-docs")},
                     "b/compose.yaml", ["VL202"])
    assert [(r, s) for r, s, _ in official] == [("VL202", Severity.ERROR)]


def test_full_gpu_memory_is_an_error_only_on_a_release_with_the_startup_check(tmp_path):
    script = "#!/bin/sh\npython -m vllm.entrypoints.openai.api_server --model m --gpu-memory-utilization 1.0\n"
    unknown = _lint(tmp_path, {"a/run.sh": script}, "a/run.sh", ["VL208"])
    assert [(r, s) for r, s, _ in unknown] == [("VL208", Severity.WARNING)]
    assert "0.9.0-" in unknown[0][2]
    v1 = _lint(tmp_path, {"b/compose.yaml": _compose("vllm/vllm-openai:v0.9.2", "--gpu-memory-utilization", "1.0")},
               "b/compose.yaml", ["VL208"])
    assert [(r, s) for r, s, _ in v1] == [("VL208", Severity.ERROR)]
    v0 = _lint(tmp_path, {"c/compose.yaml": _compose("vllm/vllm-openai:v0.8.5", "--gpu-memory-utilization", "1.0")},
               "c/compose.yaml", ["VL208"])
    assert v0 == []
