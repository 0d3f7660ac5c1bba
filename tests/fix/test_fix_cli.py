"""`vllm-lint --fix / --diff / --unsafe-fixes` end to end through the CLI, with the real rules
(VL101's unsafe --max-model-len fix, VL006's safe removal of an unused suppression)."""

from __future__ import annotations


import pytest

from vllm_lint.cli import main

SCRIPT = (
    "#!/bin/sh\n"
    "# vllm-lint: gpu=L4\n"
    "vllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 65536   # vllm-lint: disable=VL999\n"
)


@pytest.fixture
def script(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    path = tmp_path / "serve.sh"
    path.write_text(SCRIPT)
    path.chmod(0o755)
    return path


def test_diff_previews_without_writing(script, capsys):
    assert main(["--diff", "--unsafe-fixes", "--select", "VL101,VL006", "serve.sh"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("--- a/serve.sh\n+++ b/serve.sh\n")
    assert "-vllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 65536   # vllm-lint: disable=VL999\n" in out
    assert script.read_text() == SCRIPT


def test_fix_applies_only_safe_fixes_unless_asked(script, capsys):
    assert main(["--fix", "--select", "VL101,VL006", "-q", "serve.sh"]) == 1  # VL101 remains
    assert script.read_text() == SCRIPT.replace("   # vllm-lint: disable=VL999", "")
    assert "VL101" in capsys.readouterr().out

    assert main(["--fix", "--unsafe-fixes", "--select", "VL101,VL006", "-q", "serve.sh"]) == 0
    fixed = script.read_text()
    assert fixed.startswith("#!/bin/sh\n# vllm-lint: gpu=L4\nvllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len ")
    assert "65536" not in fixed and oct(script.stat().st_mode & 0o777) == "0o755"

    # A second run changes nothing and finds nothing.
    assert main(["--fix", "--unsafe-fixes", "--select", "VL101,VL006", "-q", "serve.sh"]) == 0
    assert script.read_text() == fixed
    assert main(["--diff", "--unsafe-fixes", "--select", "VL101,VL006", "serve.sh"]) == 0
