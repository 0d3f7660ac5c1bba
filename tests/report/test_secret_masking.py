"""Secrets are shown the same way everywhere (vllm_lint.redact): in `launches` (text and JSON), in
VL501's message and in the text report's code frames, never in full."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vllm_lint.cli import main
from vllm_lint.redact import mask_argv, mask_env, mask_line, moved_column, redact

HF = "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH1234"
HF2 = "hf_zyxwvutsrqponmlkjihgfedcbaZYXWVU9876"
SK = "sk-proj-abcdefghijklmnopqrstuvwx"
PLAIN = "supersecretvalue123"
SCRIPT = f"""#!/bin/sh
HF_TOKEN={HF} VLLM_API_KEY={PLAIN} HF_HOME=/data vllm serve Qwen/Qwen2.5-7B-Instruct --api-key {SK} --hf-token={HF2} --max-model-len 4096
HF_TOKEN=$HF_TOKEN vllm serve Qwen/Qwen2.5-7B-Instruct --api-key "$VLLM_API_KEY" --max-model-len 4096
"""
POD = f"""apiVersion: v1
kind: Pod
metadata:
  name: x
spec:
  containers:
    - name: vllm
      image: vllm/vllm-openai:v0.8.5
      args: ["--model", "Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "4096"]
      env:
        - name: VLLM_API_KEY
          value: {PLAIN}
"""
SECRETS = (HF, HF2, SK, PLAIN)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "serve.sh").write_text(SCRIPT)
    (tmp_path / "pod.yaml").write_text(POD)
    return tmp_path


def _out(capsys, *argv: str) -> str:
    main([*argv, "--no-color"])
    return capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_launches_never_print_a_secret(tree, capsys, fmt):
    out = _out(capsys, "launches", str(tree), "--format", fmt)
    for secret in SECRETS:
        assert secret not in out
    for shown in (redact(HF), redact(SK), redact(PLAIN), "--hf-token=" + redact(HF2)):
        assert shown in out
    assert "HF_HOME" in out and "/data" in out  # other variables as written
    assert "$HF_TOKEN" in out or "${HF_TOKEN}" in out  # a reference is not a secret
    if fmt == "json":
        env = json.loads(out)["launches"]
        shell = next(x for x in env if x["path"].endswith("serve.sh") and "HF_HOME" in x["env"])
        assert shell["env"]["HF_TOKEN"]["value"] == redact(HF)
        assert [t["text"] for t in shell["argv"]][-5:-1] == ["--api-key", redact(SK), "--hf-token=" + redact(HF2), "--max-model-len"]


def test_report_masks_secrets_in_messages_and_code_frames(tree, capsys):
    out = _out(capsys, str(tree), "--select", "VL501")
    for secret in SECRETS:
        assert secret not in out
    assert f"(--api-key value {redact(SK)})" in out  # the message redacts as the frame does
    frame = [line for line in out.splitlines() if line.startswith("  12 |")]
    assert frame == [f"  12 |           value: {redact(PLAIN)}"]
    caret = out.splitlines()[out.splitlines().index(frame[0]) + 1]
    assert caret == "     |                  " + "^" * len(redact(PLAIN))


def test_mask_helpers():
    assert mask_env("HF_TOKEN", HF) == redact(HF)
    assert mask_env("HF_TOKEN", "$HF_TOKEN", symbolic=True) == "$HF_TOKEN"
    assert mask_env("HF_HOME", "/data") == "/data"
    assert mask_env("NOTES", f"token {HF} here") == f"token {redact(HF)} here"
    assert mask_argv(["--api-key", PLAIN, "--api-key=changeme", "--port", "8000"]) == \
        ["--api-key", redact(PLAIN), "--api-key=changeme", "--port", "8000"]
    line = f"A={HF} B=x"
    masked, regions = mask_line(line)
    assert masked == f"A={redact(HF)} B=x"
    assert moved_column(line.index(" B="), regions) == masked.index(" B=")
    assert moved_column(line.index(HF) + 5, regions) == 2
    assert moved_column(line.index(HF) + len(HF), regions, end=True) == 2 + len(redact(HF))
