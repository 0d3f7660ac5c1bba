"""Typos never switch checking off: an unknown rule, release or configuration key is a usage error
(exit 2) naming where it was written and what it most likely meant, as ruff does."""

from __future__ import annotations

from pathlib import Path

import pytest

from vllm_lint.cli import main

COMPOSE = """services:
  vllm:
    image: vllm/vllm-openai:v0.8.5
    command: ["--model", "Qwen/Qwen2.5-7B-Instruct", "--max-model-length", "8192"]
"""


@pytest.fixture
def compose(tmp_path: Path) -> Path:
    f = tmp_path / "docker-compose.yml"
    f.write_text(COMPOSE)
    return f


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main([*argv, "--no-color"])
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("option", ["--select", "--ignore"])
@pytest.mark.parametrize("value,needle", [
    ("VL9999", "unknown rule 'VL9999'"),
    ("VL1O1", "did you mean VL101 (kv-cache-capacity)?"),
    ("kv-cache-capacty", "did you mean kv-cache-capacity (VL101)?"),
    ("VL301 VL201", "separate them with commas (VL301,VL201)"),
    ("VL201,VL9999", "unknown rule 'VL9999'"),
])
def test_unknown_rule_on_the_command_line_is_a_usage_error(compose, capsys, option, value, needle):
    code, out, err = _run(capsys, str(compose), option, value)
    assert code == 2, (out, err)
    assert needle in err
    assert "All checks passed" not in out
    assert err.count("\n") == 2, err  # one line, then where help is: not argparse's whole usage


@pytest.mark.parametrize("value", ["VL101", "VL1", "kv-cache-capacity", "ALL", "vl2", "VL201,VL3"])
def test_known_selectors_are_accepted(compose, capsys, value):
    code, _, err = _run(capsys, str(compose), "--select", value)
    assert code in (0, 1), err


@pytest.mark.parametrize("value,needle", [
    ("banana", "'banana' is not a vLLM release number"),
    ("0.99.0", "newer than every release vllm-lint knows"),
    ("0.6.7", "the 0.6 releases are 0.6.0"),
])
def test_unknown_release_on_the_command_line_is_a_usage_error(compose, capsys, value, needle):
    code, _, err = _run(capsys, str(compose), "--vllm-version", value)
    assert code == 2
    assert "--vllm-version" in err and needle in err


def test_published_releases_without_a_flag_table_are_accepted(compose, capsys):
    for value in ("0.8.5", "v0.6.3", "0.10.1.1"):
        code, _, err = _run(capsys, str(compose), "--vllm-version", value, "--select", "VL2")
        assert code in (0, 1), err


def test_capacity_refuses_an_unknown_release(capsys):
    code, _, err = _run(capsys, "capacity", "--gpu", "L4", "--vllm-version", "banana", "--", "Qwen/Qwen2.5-7B-Instruct")
    assert code == 2 and "not a vLLM release" in err


def _config(tmp_path: Path, text: str, name: str = ".vllm-lint.toml") -> Path:
    (tmp_path / name).write_text(text)
    return tmp_path / name


@pytest.mark.parametrize("text,line,needle", [
    ('gpu = "L4"\nselect = ["VL1O1", "VL2"]\n', 2, "`select`: unknown rule 'VL1O1': did you mean VL101"),
    ('select = [\n  "VL2",\n  "kv-cache-capacty",\n]\n', 3, "did you mean kv-cache-capacity (VL101)?"),
    ('ignore = ["VL9999"]\n', 1, "`ignore`: unknown rule 'VL9999'"),
    ('extend-ignore = ["VL1O1"]\n', 1, "did you mean VL101"),
    ('gpu = "L4"\n\n[per-file-ignores]\n"staging/*" = ["VL9999"]\n', 4, "unknown rule 'VL9999'"),
    ('[[overrides]]\npath = "prod/*"\nignore = ["hard-coded-secrets"]\n', 3, "did you mean hard-coded-secret (VL501)?"),
    ('vllm-version = "banana"\n', 1, "`vllm-version`: 'banana' is not a vLLM release number"),
    ('[[overrides]]\npath = "prod/*"\nvllm-version = "0.99.0"\n', 3, "newer than every release"),
    ('vllm_version = "0.8.5"\n', 1, "unknown key `vllm_version` (did you mean 'vllm-version'?)"),
    ('[[overrides]]\npath = "prod/*"\ngpu-type = "H100"\n', 3, "unknown key `gpu-type` in the overrides for 'prod/*'"),
    ('gpu = \n', 1, ".vllm-lint.toml:1:7: invalid TOML"),
])
def test_config_typo_is_a_usage_error_with_file_and_line(tmp_path, compose, capsys, text, line, needle):
    _config(tmp_path, text)
    code, out, err = _run(capsys, str(compose))
    assert code == 2, (out, err)
    assert f".vllm-lint.toml:{line}" in err, err
    assert needle in err, err
    assert "VL000" not in out + err


def test_readme_table_pasted_into_dotfile_says_drop_the_header(tmp_path, compose, capsys):
    _config(tmp_path, '# ours\n[tool.vllm-lint]\ngpu = "L4"\n\n[tool.vllm-lint.per-file-ignores]\n"x/*" = ["VL103"]\n')
    code, out, err = _run(capsys, str(compose))
    assert code == 2
    assert err.count("vllm-lint: error:") == 1  # one message, not one per file
    assert ".vllm-lint.toml:2: drop the [tool.vllm-lint] header in .vllm-lint.toml" in err
    assert "VL000" not in out + err


def test_misspelt_pyproject_table_is_not_silently_skipped(tmp_path, compose, capsys):
    _config(tmp_path, '[project]\nname = "x"\n\n[tool.vllm_lint]\ngpu = "L4"\n', "pyproject.toml")
    code, _, err = _run(capsys, str(compose))
    assert code == 2
    assert "pyproject.toml:4: [tool.vllm_lint] is not read: the table is [tool.vllm-lint]" in err


@pytest.mark.parametrize("ids,needle", [
    ("VL1O1", "VL1O1 names no rule (did you mean VL101?)"),
    ("kv-cache-capacty", "kv-cache-capacty names no rule (did you mean kv-cache-capacity?)"),
    ("VL9999", "VL9999 names no rule"),
])
def test_unknown_rule_in_a_directive_is_a_finding_at_the_directive(tmp_path, capsys, ids, needle):
    f = tmp_path / "serve.sh"
    f.write_text(f"#!/bin/sh\n# vllm-lint: disable={ids}\nvllm serve Qwen/Qwen2.5-7B-Instruct --max-model-len 4096\n")
    code, out, _ = _run(capsys, str(f), "--gpu", "L4", "-q")
    assert code == 1
    assert "serve.sh:2:1: VL006" in out and needle in out


def test_unknown_release_in_a_directive_is_a_finding_and_is_not_used(tmp_path, capsys):
    f = tmp_path / "serve.sh"
    f.write_text("#!/bin/sh\n# vllm-lint: vllm-version=0.99.0\nvllm serve Qwen/Qwen2.5-7B-Instruct --max-model-length 4096\n")
    code, out, _ = _run(capsys, str(f), "--gpu", "L4", "--vllm-version", "0.8.5", "-q")
    assert code == 1
    assert "serve.sh:2:27: VL007" in out and "newer than every release vllm-lint knows" in out
    assert "not a vLLM 0.8.5 option" in out  # the launch is checked against --vllm-version instead


def test_config_option_naming_a_file_without_our_table_is_a_usage_error(tmp_path, compose, capsys):
    cfg = _config(tmp_path, '[project]\nname = "x"\n', "pyproject.toml")
    code, _, err = _run(capsys, str(compose), "--config", str(cfg))
    assert code == 2 and "without a [tool.vllm-lint] table" in err
