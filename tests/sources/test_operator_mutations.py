"""What operators add to the pods they create (sources/data/pod-mutations.json): KubeRay's
memory-backed /dev/shm in every Ray container, so VL308 does not ask for one there."""

from __future__ import annotations

from vllm_lint.lint import LintOptions, lint_paths

RAY = """apiVersion: ray.io/v1
kind: RayCluster
metadata: {{name: qwen}}
spec:
  headGroupSpec:
    rayStartParams:
      dashboard-host: 0.0.0.0{extra}
    template:
      spec:
        containers:
          - name: ray-head
            image: vllm/vllm-openai:v0.7.1
            command: ["/bin/bash", "-lc", "--"]
            args: ["ray start --head; vllm serve Qwen/Qwen2.5-7B-Instruct --tensor-parallel-size 2"]
            resources: {{limits: {{nvidia.com/gpu: 2}}}}
"""


def _vl308(tmp_path, extra: str) -> list:
    (tmp_path / "ray.yaml").write_text(RAY.format(extra=extra))
    res = lint_paths([tmp_path / "ray.yaml"], LintOptions(select=["VL308"]))
    return [d for d in res.diagnostics if d.rule == "VL308"]


def test_kuberay_mounts_dev_shm_in_every_ray_container(tmp_path):
    assert _vl308(tmp_path, "") == []


def test_a_plasma_directory_turns_kuberays_dev_shm_off(tmp_path):
    assert len(_vl308(tmp_path, "\n      plasma-directory: /tmp")) == 1


def test_a_plain_deployment_gets_nothing_from_kuberay(tmp_path):
    text = """apiVersion: apps/v1
kind: Deployment
metadata: {name: qwen}
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.7.1
          args: ["--model", "Qwen/Qwen2.5-7B-Instruct", "--tensor-parallel-size", "2"]
          resources: {limits: {nvidia.com/gpu: 2}}
"""
    (tmp_path / "dep.yaml").write_text(text)
    res = lint_paths([tmp_path / "dep.yaml"], LintOptions(select=["VL308"]))
    assert [d.rule for d in res.diagnostics] == ["VL308"]
