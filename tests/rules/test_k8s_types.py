"""VL511 (Kubernetes field of the wrong type) on fixtures of our own: a LeaderWorkerSet with a cache
Deployment beside it, a KServe ServingRuntime, production-stack chart values; and the fix."""

from __future__ import annotations

import shutil
from pathlib import Path

from vllm_lint.diagnostic import Severity
from vllm_lint.lint import LintOptions, lint_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules" / "vl511"


def lint(tmp_path: Path, name: str, *, fix: bool = False):
    target = tmp_path / name
    shutil.copy(FIXTURES / name, target)
    res = lint_paths([target], LintOptions(select=["VL511"]))
    assert not [d for d in res.diagnostics if d.rule == "VL000"], res.diagnostics
    return target, [d for d in res.diagnostics if d.rule == "VL511"]


def test_lws_types_certain_and_other_objects_ignored(tmp_path):
    _, found = lint(tmp_path, "lws.yaml")
    # label 1.0, replicas "1", hostIPC "true", containerPort '8000', the worker's env value 1;
    # not ${POD_IP} (template text) nor the cache Deployment's values (it runs no vLLM)
    assert [d.line for d in found] == [7, 9, 14, 25, 37]
    assert all(d.severity == Severity.ERROR and d.fix is not None and d.fix.safe for d in found)
    assert "cannot unmarshal string into Go struct field ContainerPort.containerPort of type int32" in found[3].message
    assert "container worker: env NCCL_IB_DISABLE" in found[4].message


def test_custom_resource_is_a_warning_that_says_why(tmp_path):
    _, found = lint(tmp_path, "runtime.yaml")
    assert [(d.line, d.severity) for d in found] == [(12, Severity.WARNING)]
    assert "assumes the ServingRuntime CRD" in found[0].message
    assert found[0].fix is None and found[0].suggestions and not found[0].suggestions[0].safe


def test_production_stack_env_lists(tmp_path):
    _, found = lint(tmp_path, "values.yaml")
    assert [d.line for d in found] == [4, 13]
    assert "cannot unmarshal bool" in found[1].message


def test_fix_quotes_and_unquotes_and_converges(tmp_path):
    from vllm_lint.fix import apply_fixes

    target, found = lint(tmp_path, "lws.yaml")
    assert found
    apply_fixes(lint_paths([target], LintOptions(select=["VL511"])), unsafe=False, write=True)
    text = target.read_text()
    assert 'app.kubernetes.io/version: "1.0"' in text and "replicas: 1\n" in text
    assert "containerPort: 8000" in text and 'value: "1"' in text and "hostIPC: true" in text
    res = lint_paths([target], LintOptions(select=["VL511"]))
    assert not res.diagnostics


def test_terraform_template_is_information(tmp_path):
    (tmp_path / "vllm.tftpl").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: vllm\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: vllm\n          image: vllm/vllm-openai:v0.5.5\n"
        "          args: [\"--model\", \"${model_id}\"]\n          env:\n            - name: VLLM_PORT\n"
        "              value: 80\n")
    res = lint_paths([tmp_path / "vllm.tftpl"], LintOptions(select=["VL511"]))
    found = [d for d in res.diagnostics if d.rule == "VL511"]
    assert [(d.line, d.severity) for d in found] == [(14, Severity.INFO)]
    assert "kubernetes_manifest converts" in found[0].message and found[0].fix is None
