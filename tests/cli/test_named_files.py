"""A file the user names is never silently skipped; a folder walk skips big files quietly unless
they mention vLLM (a generated CRD bundle must not fail the hook)."""

from __future__ import annotations

import json
from pathlib import Path

from vllm_lint.cli import main


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(["--no-color", *argv])
    return code, capsys.readouterr().out


def test_named_invalid_yaml_that_mentions_vllm_is_vl001_with_position(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "scenario.yaml"
    bad.write_text("name: x\nserver: |\n  vllm serve m --max-model-len 4096\n bad: [\n")
    code, out = _run(capsys, str(bad))
    assert code == 1
    assert "scenario.yaml:4:2: VL001" in out and "(line 4, column 2)" in out


def test_named_file_without_a_launch_is_counted_and_verbose_says_why(tmp_path: Path, capsys) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    code, out = _run(capsys, str(notes))
    assert code == 0 and "1 file, 0 vLLM launches" in out
    code, out = _run(capsys, "-v", str(notes))
    assert "0 vLLM launches: not a deployment format vllm-lint reads, and it does not mention vLLM" in out


def test_named_markdown_needs_include_docs(tmp_path: Path, capsys) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("```bash\nvllm serve Qwen/Qwen3-8B --max-model-len 8192\n```\n")
    code, out = _run(capsys, "-v", str(readme))
    assert "1 file, 0 vLLM launches" in out and "read with --include-docs" in out
    code, out = _run(capsys, "--include-docs", "--format", "json", str(readme))
    assert code in (0, 1) and json.loads(out) is not None
    assert main(["launches", "--include-docs", "--format", "json", str(readme)]) == 0
    launches = json.loads(capsys.readouterr().out)["launches"]
    assert [a["text"] for a in launches[0]["argv"]] == ["Qwen/Qwen3-8B", "--max-model-len", "8192"]


def test_big_files_in_a_folder_are_skipped_unless_they_mention_vllm(tmp_path: Path, capsys) -> None:
    pad = "# x\n" * 300_000  # 1.2 MB
    (tmp_path / "crds.yaml").write_text("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n" + pad)
    code, out = _run(capsys, str(tmp_path))
    assert code == 0 and "VL002" not in out
    (tmp_path / "big.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n" + pad + "# image: vllm/vllm-openai\n")
    code, out = _run(capsys, str(tmp_path))
    assert "big.yaml:1:1: VL002" in out and "crds.yaml" not in out
    code, out = _run(capsys, str(tmp_path / "crds.yaml"))  # named: the limit applies and is said
    assert "crds.yaml:1:1: VL002" in out


def test_a_named_env_file_lints_the_compose_files_that_read_it(tmp_path: Path, capsys) -> None:
    (tmp_path / ".env").write_text("MODEL=Qwen/Qwen2.5-0.5B-Instruct\nMAX_LEN=65536\n")
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  vllm:\n    image: vllm/vllm-openai:v0.10.1\n"
        '    command: ["--model", "${MODEL}", "--max-model-len", "${MAX_LEN}"]\n')
    (tmp_path / "other.env").write_text("X=1\n")
    code, out = _run(capsys, "--select", "VL401", str(tmp_path / ".env"))
    assert "docker-compose.yml:4:" in out and "(MAX_LEN from " in out and ".env:2)" in out
    code, out = _run(capsys, str(tmp_path / "other.env"))  # no compose file names other.env
    assert "docker-compose.yml" not in out and "1 file" in out


def test_a_named_binary_file_no_format_claims_is_noted_not_an_error(tmp_path: Path, capsys) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    code, out = _run(capsys, "-v", str(logo))
    assert code == 0 and "VL002" not in out and "logo.png: 0 vLLM launches: file looks binary" in out
