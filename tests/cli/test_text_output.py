"""The text report through the real CLI entry point."""

from __future__ import annotations

from pathlib import Path

from vllm_lint.cli import main

COMPOSE = """services:
  vllm:
    image: vllm/vllm-openai:v0.8.5
    command: ["--model", "Qwen/Qwen2.5-7B-Instruct", "--max-model-length", "8192"]
"""


def _pad_to_line(text: str, line: int) -> str:
    """Push the command to ``line`` with comment lines, so locations have three digits."""
    head, rest = text.split("services:\n", 1)
    return head + "#\n" * (line - 4) + "services:\n" + rest


def test_location_is_plain_text_not_an_emoji(tmp_path: Path, capsys):
    f = tmp_path / "docker-compose.yml"
    f.write_text(_pad_to_line(COMPOSE, 100))
    code = main([str(f), "--select", "VL201", "--no-color"])
    out = capsys.readouterr().out
    assert code == 1
    assert ":100:" in out, out
    assert "\U0001f4af" not in out


def test_summary_line_and_exit_codes(tmp_path: Path, capsys):
    f = tmp_path / "docker-compose.yml"
    f.write_text(COMPOSE)
    assert main([str(f), "--select", "VL201"]) == 1
    out = capsys.readouterr().out
    assert "1 error in 1 file" in out
    assert main([str(f), "--select", "VL201", "--exit-zero"]) == 0
    capsys.readouterr()
    assert main([str(f), "--select", "VL5"]) == 0
    assert "All checks passed" in capsys.readouterr().out


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys):
    assert main([str(tmp_path / "nope.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_unknown_gpu_is_a_usage_error(tmp_path: Path, capsys):
    f = tmp_path / "docker-compose.yml"
    f.write_text(COMPOSE)
    assert main([str(f), "--gpu", "Voodoo5"]) == 2
    assert "unknown GPU" in capsys.readouterr().err
