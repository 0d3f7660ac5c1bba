"""A program given as the container's arguments after an ENTRYPOINT that already runs the server
(Dockerfile CMD ["sh", "-c", ...] on vllm/vllm-openai): reported as what vLLM really receives, and
its words are not linted as vLLM flags (no "-c is a prefix of -cc" with a rename fix)."""

from __future__ import annotations

import pytest

from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.vllm.args import parse_args


@pytest.mark.parametrize("tokens", [
    ["sh", "-c", "python -m vllm.entrypoints.openai.api_server --model m"],
    ["/bin/bash", "-lc", "vllm serve m"],
    ["python3", "serve.py", "--model", "m"],
])
def test_program_in_arguments(tokens):
    got = parse_args(tokens, version="0.33.0", entrypoint="serve")
    assert [p.code for p in got.problems] == ["program-in-arguments"]
    if "--model" not in tokens:
        assert got.model == tokens[0]


def test_repeating_the_server_is_still_the_repeated_subcommand():
    got = parse_args(["python3", "-m", "vllm.entrypoints.openai.api_server", "--model", "m"], version="0.33.0",
                     entrypoint="api_server")
    assert "program-in-arguments" not in [p.code for p in got.problems]


def test_a_dockerfile_cmd_shell_on_the_serve_image(tmp_path):
    (tmp_path / "Dockerfile").write_text(
        'FROM vllm/vllm-openai:v0.26.0\nCMD ["sh", "-c", "python -m vllm.entrypoints.openai.api_server --model m"]\n')
    res = lint_paths([tmp_path / "Dockerfile"], LintOptions(select=["VL2"]))
    assert [(d.rule, d.severity.value) for d in res.diagnostics] == [("VL212", "error")]
    assert res.diagnostics[0].fix is None and "takes `sh` as the model" in res.diagnostics[0].message
