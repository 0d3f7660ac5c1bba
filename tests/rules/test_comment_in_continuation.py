"""VL510: a comment line inside a backslash-continued command, checked against what bash itself
does with the script; and `# vllm-lint:` directives above a continued command cover all its lines."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vllm_lint.resolve.context import RunOptions
from vllm_lint.fix import apply_fixes
from vllm_lint.lint import LintOptions, lint_paths

HEAD = "#!/bin/bash\n"
BODY = "vllm serve Qwen/Qwen2.5-7B-Instruct \\\n  --max-model-len 8192 \\\n{middle}  --trust-remote-code \\\n  --seed 1\n"
VARIANTS = {
    "indented comment": "  # a note\n",
    "comment at column 1": "# a note\n",
    "directive": "  # vllm-lint: disable=VL502 -- reviewed\n",
    "comment ending in a backslash": "  # a note \\\n",
    "two comment lines": "  # one\n  # two\n",
    "no comment": "",
}


def _lint(tmp_path: Path, text: str, name: str = "serve.sh", select=("VL510",)):
    f = tmp_path / name
    f.write_text(text)
    return lint_paths([f], LintOptions(run=RunOptions(gpu="L4"), select=list(select)))


def _bash_reaches_vllm(tmp_path: Path, text: str) -> list[str]:
    """The arguments a stub `vllm` receives when bash runs the script."""
    stub = 'vllm() { printf "%s\\n" "$@" > "$OUT"; }\n'
    script = tmp_path / "run.sh"
    script.write_text(stub + text.split("\n", 1)[1])
    out = tmp_path / "argv"
    subprocess.run(["bash", str(script)], env={"OUT": str(out), "PATH": "/usr/bin:/bin"}, capture_output=True, check=False)
    return out.read_text().split() if out.exists() else []


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("variant", VARIANTS)
def test_reported_exactly_when_bash_cuts_the_command(tmp_path, variant):
    text = HEAD + BODY.format(middle=VARIANTS[variant])
    cut = "--trust-remote-code" not in _bash_reaches_vllm(tmp_path, text)
    diags = _lint(tmp_path, text).diagnostics
    assert bool(diags) == cut, (variant, diags)
    if diags:
        (d,) = diags
        assert d.span.line == 4 and "`--trust-remote-code …` below runs as a command of its own" in d.message


def test_dockerfile_continuations_drop_comment_lines(tmp_path):
    text = "FROM vllm/vllm-openai:v0.10.2\nCMD vllm serve Qwen/Qwen2.5-7B-Instruct \\\n  # a note\n  --max-model-len 8192\n"
    assert _lint(tmp_path, text, "Dockerfile").diagnostics == []


def test_nothing_after_the_comment_is_not_a_cut(tmp_path):
    text = HEAD + "vllm serve Qwen/Qwen2.5-7B-Instruct \\\n  --max-model-len 8192 \\\n  # done\n\necho started\n"
    assert _lint(tmp_path, text).diagnostics == []


def test_moving_the_directive_keeps_it_working_on_every_line(tmp_path):
    text = HEAD + BODY.format(middle=VARIANTS["directive"])
    result = _lint(tmp_path, text, select=("VL510", "VL502", "VL006"))
    assert [d.rule for d in result.diagnostics] == ["VL510"]  # no VL006: removing it would rejoin the command
    apply_fixes(result, unsafe=True, write=True)
    fixed = (tmp_path / "serve.sh").read_text()
    assert fixed == HEAD + "# vllm-lint: disable=VL502 -- reviewed\n" + BODY.format(middle="")
    again = _lint(tmp_path, fixed, select=("VL510", "VL502", "VL006"))
    assert again.diagnostics == []
    assert [d.rule for d in again.suppressed] == ["VL502"]  # on line 5, three lines below the directive


def test_a_directive_covers_a_continued_command_only(tmp_path):
    text = HEAD + "# vllm-lint: disable=VL502\nvllm serve A/b \\\n  --trust-remote-code\nvllm serve C/d --trust-remote-code\n"
    result = _lint(tmp_path, text, select=("VL502",))
    assert [(d.rule, d.line) for d in result.suppressed] == [("VL502", 4)]
    assert [(d.rule, d.line) for d in result.diagnostics] == [("VL502", 5)]
