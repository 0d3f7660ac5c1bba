"""VL505 on every pod of a multi-pod engine: worker pods that start no engine of their own still
download the weights they hold, so their literal ``$VAR`` env values are reported on the group's
launch (LeaderWorkerSet leader, Ray head), naming the worker container."""

from __future__ import annotations

import shutil
from pathlib import Path

from vllm_lint.lint import LintOptions, lint_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"

LWS = """\
apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata:
  name: llm
spec:
  leaderWorkerTemplate:
    size: 2
    leaderTemplate:
      spec:
        containers:
          - name: leader
            image: vllm/vllm-openai:v0.10.2
            command: ["sh", "-c", "vllm serve Qwen/Qwen2.5-72B-Instruct --tensor-parallel-size 8 --pipeline-parallel-size 2"]
            env:
              - name: HF_TOKEN
                valueFrom: {secretKeyRef: {name: hf, key: token}}
            resources: {limits: {nvidia.com/gpu: "8"}}
    workerTemplate:
      spec:
        containers:
          - name: worker
            image: vllm/vllm-openai:v0.10.2
            command: ["sh", "-c", "ray start --block --address=$(LWS_LEADER_ADDRESS):6379"]
            env:
              - name: HF_TOKEN
                value: $HF_TOKEN
            resources: {limits: {nvidia.com/gpu: "8"}}
"""


def vl505(path: Path) -> list:
    res = lint_paths([path], LintOptions(select=["VL505"]))
    return [d for d in res.diagnostics if d.rule == "VL505"]


def test_lws_worker_token(tmp_path):
    (tmp_path / "lws.yaml").write_text(LWS)
    found = vl505(tmp_path / "lws.yaml")
    assert [d.line for d in found] == [26]
    assert "of the workerTemplate container worker" in found[0].message and found[0].launch.endswith("(container leader)")


def test_ray_worker_group_token_not_the_escaped_dollar(tmp_path):
    shutil.copy(FIXTURES / "vl505" / "ray-workers.yaml", tmp_path / "ray.yaml")
    found = vl505(tmp_path / "ray.yaml")
    assert [d.line for d in found] == [34]  # `$$5` is Kubernetes' escape for a literal `$`
    assert "workerGroupSpecs[gpu] container worker" in found[0].message
