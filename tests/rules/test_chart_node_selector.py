"""VL506 on production-stack placement keys no chart version reads: servingEngineSpec.nodeSelector
(and any other servingEngineSpec key outside the chart's history), modelSpec[].nodeSelector."""

from __future__ import annotations

from vllm_lint.lint import LintOptions, lint_paths

VALUES = """\
servingEngineSpec:
  runtimeClassName: ""
  nodeSelector:
    node-group: gpu-pool
  tolerations:
    - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
  modelSpec:
  - name: a
    repository: vllm/vllm-openai
    tag: v0.10.2
    modelURL: Qwen/Qwen2.5-0.5B-Instruct
    requestGPU: 1
    nodeSelector:
      app: gpu
  - name: b
    repository: vllm/vllm-openai
    tag: v0.10.2
    modelURL: Qwen/Qwen2.5-0.5B-Instruct
    requestGPU: 1
    nodeSelectorTerms:
      - matchExpressions:
          - {key: app, operator: In, values: [gpu]}
"""


def test_placement_keys_the_chart_never_reads(tmp_path):
    (tmp_path / "values.yaml").write_text(VALUES)
    res = lint_paths([tmp_path / "values.yaml"], LintOptions(select=["VL506"]))
    found = sorted((d.line, d.message) for d in res.diagnostics if d.rule == "VL506")
    assert [line for line, _ in found] == [3, 13]  # once for the section, once for modelSpec a
    assert "`servingEngineSpec.nodeSelector`" in found[0][1] and "nodeSelectorTerms" in found[0][1]
    assert found[1][1].startswith("`nodeSelector`") and "modelSpec[].affinity" in found[1][1]
