"""The table of wrappers that hand vLLM arguments from an environment variable, and the shell
semantics each applies (sources/wrappers.py, sources/data/wrappers.json)."""

from __future__ import annotations

from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.resolve.context import RunOptions
from vllm_lint.sources.wrappers import Wrapper, expand, wrapper

VALUE = "--kv-transfer-config '{\"kv_connector\":\"NixlConnector\"}' --max-model-len $LEN"


def test_eval_removes_quotes_and_expands_the_container_environment():
    words = expand(wrapper("kserve-llminferenceservice"), VALUE, env={"LEN": "4096"})
    assert [w.text for w in words] == ["--kv-transfer-config", '{"kv_connector":"NixlConnector"}', "--max-model-len", "4096"]


def test_split_keeps_quotes_literally():
    w = Wrapper("x", "a plain $VAR", "VAR", "split", "an unquoted expansion")
    assert [x.text for x in expand(w, VALUE)][:2] == ["--kv-transfer-config", "'{\"kv_connector\":\"NixlConnector\"}'"]


LLMISVC = """apiVersion: serving.kserve.io/v1alpha2
kind: LLMInferenceService
metadata: {name: pd}
spec:
  model: {uri: hf://Qwen/Qwen2.5-7B-Instruct}
  template:
    containers:
    - name: main
      image: vllm/vllm-openai:v0.11.0
      env:
      - name: VLLM_ADDITIONAL_ARGS
        value: "--kv_transfer_config '{\\"kv_connector\\":\\"NixlConnector\\",\\"kv_role\\":\\"kv_both\\"}'"
"""


def test_json_in_kserve_additional_args_is_valid(tmp_path):
    (tmp_path / "isvc.yaml").write_text(LLMISVC)
    res = lint_paths([tmp_path / "isvc.yaml"], LintOptions(select=["VL2"], run=RunOptions(vllm_version="0.11.0")))
    assert [d.rule for d in res.diagnostics] == []
