"""Forms met in the second round of files nobody on the team had written (benchmarks/unseen2-judgments.md).

Each case is a minimal file of our own reproducing the form behind one false finding, linted through
the real pipeline.
"""

from __future__ import annotations

from pathlib import Path

from vllm_lint.diagnostic import Severity
from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.resolve.context import RunOptions


def _lint(tmp_path: Path, name: str, text: str, *, select: list[str] | None = None, **run) -> list:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    result = lint_paths([path], LintOptions(select=select, run=RunOptions(**run)))
    assert not [d for d in result.diagnostics if d.rule == "VL000"], result.diagnostics
    return result


# -- a choice a later release added, on a vendor's build ----------------------------------------------

def _compose(image: str, value: str) -> str:
    return (f"services:\n  llm:\n    image: {image}\n"
            f"    command: >\n      vllm serve Qwen/Qwen2.5-0.5B-Instruct\n"
            f"      --mamba-ssm-cache-dtype {value}\n")


def test_a_vendor_build_may_carry_a_choice_of_a_later_release(tmp_path):
    """NGC 26.01 is vLLM 0.11.1 with NVIDIA's patches; 0.13.0 added float16 to
    --mamba-ssm-cache-dtype, so the vendor build may accept it: a warning that says so."""
    diags = _lint(tmp_path, "docker-compose.yml", _compose("nvcr.io/nvidia/vllm:26.01-py3", "float16"),
                  select=["VL206"]).diagnostics
    assert [d.severity for d in diags] == [Severity.WARNING]
    assert "0.13.0" in diags[0].message and "vendor build" in diags[0].message


def test_a_choice_no_release_has_stays_an_error_on_a_vendor_build(tmp_path):
    diags = _lint(tmp_path, "docker-compose.yml", _compose("nvcr.io/nvidia/vllm:26.01-py3", "float8"),
                  select=["VL206"]).diagnostics
    assert [d.severity for d in diags] == [Severity.ERROR]


def test_a_later_choice_on_vllms_own_image_stays_an_error(tmp_path):
    """vllm/vllm-openai:v0.11.1 is the release as published: the choice is rejected."""
    diags = _lint(tmp_path, "docker-compose.yml", _compose("vllm/vllm-openai:v0.11.1", "float16"),
                  select=["VL206"]).diagnostics
    assert [d.severity for d in diags] == [Severity.ERROR]


# -- an API key that only says it is one -----------------------------------------------------------

MODAL_APP = '''import subprocess

API_KEY = "super-secret-key"  # replace with a secret for production


def serve():
    cmd = ["vllm", "serve", "Qwen/Qwen2.5-0.5B-Instruct", "--api-key", API_KEY]
    subprocess.Popen(" ".join(cmd), shell=True)
'''


def test_a_key_made_of_the_words_secret_and_key_is_a_test_value(tmp_path):
    """`super-secret-key` (a launcher example's key) is a stand-in: one warning, never an error."""
    diags = _lint(tmp_path, "app.py", MODAL_APP, select=["VL501"]).diagnostics
    assert [d.severity for d in diags] == [Severity.WARNING]
    assert "test value" in diags[0].message


def test_a_hand_written_key_still_is_an_error(tmp_path):
    diags = _lint(tmp_path, "app.py", MODAL_APP.replace("super-secret-key", "blue-harbor-lantern"),
                  select=["VL501"]).diagnostics
    assert Severity.ERROR in [d.severity for d in diags]


# -- a token read by code at run time ---------------------------------------------------------------

RAY_SERVE_CONFIGMAP = '''apiVersion: v1
kind: ConfigMap
metadata:
  name: serve-script
data:
  serve.py: |
    import os
    from huggingface_hub import login

    def start():
        hf_token = os.getenv("HUGGING_FACE_HUB_TOKEN")
        login(token=hf_token)
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: vllm
      image: vllm/vllm-openai:v0.8.5
      args: [--model, Qwen/Qwen2.5-0.5B-Instruct]
'''


def test_a_token_read_from_the_environment_by_code_is_not_hard_coded(tmp_path):
    """`hf_token = os.getenv(...)` in a script a ConfigMap holds names where the token comes from."""
    assert _lint(tmp_path, "serve.yaml", RAY_SERVE_CONFIGMAP, select=["VL501", "VL509"]).diagnostics == []
