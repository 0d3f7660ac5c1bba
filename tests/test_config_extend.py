"""A nested configuration builds on its parent only through ``extend`` (ruff's rule), and says so
when it drops a setting of the configuration above it instead of losing it silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from vllm_lint.cli import main
from vllm_lint.config import ConfigError, find_config

COMPOSE = """services:
  vllm:
    image: vllm/vllm-openai:v0.8.5
    command: ["--model", "Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "8192"]
"""


def _tree(tmp_path: Path, root: str, nested: str) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.vllm-lint]\n" + root)
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / ".vllm-lint.toml").write_text(nested)
    return tmp_path / "deploy" / "docker-compose.yml"


def test_extend_inherits_what_the_nested_file_does_not_set(tmp_path: Path):
    f = _tree(tmp_path, 'gpu = "L4"\nvllm-version = "0.6.3"\nignore = ["VL5"]\n[tool.vllm-lint.models]\n"/m/a" = "org/a"\n',
              'extend = "../pyproject.toml"\nvllm-version = "0.8.5"\n[models]\n"/m/b" = "org/b"\n')
    cfg = find_config(f).for_path(f)
    assert (cfg.gpu, cfg.vllm_version, cfg.ignore) == ("L4", "0.8.5", ("VL5",))
    assert dict(cfg.models) == {"/m/a": "org/a", "/m/b": "org/b"}
    assert cfg.shadowed_note() is None


def test_extend_select_adds_and_select_replaces(tmp_path: Path):
    f = _tree(tmp_path, 'select = ["VL1"]\nignore = ["VL103"]\n', 'extend = "../pyproject.toml"\nextend-select = ["VL2"]\nignore = []\n')
    cfg = find_config(f).for_path(f)
    assert cfg.select == ("VL1", "VL2") and cfg.ignore == ()


def test_extend_select_alone_does_not_narrow_to_its_rules(tmp_path: Path):
    (tmp_path / ".vllm-lint.toml").write_text('extend-select = ["VL5"]\n')
    f = tmp_path / "a.yaml"
    assert find_config(f).for_path(f).select == ()  # every rule stays on


def test_path_settings_of_both_files_apply_relative_to_their_own_folder(tmp_path: Path):
    f = _tree(tmp_path, 'exclude = ["deploy/legacy"]\n[tool.vllm-lint.per-file-ignores]\n"deploy/staging/*" = ["VL101"]\n',
              'extend = "../pyproject.toml"\nexclude = ["old"]\n[[overrides]]\npath = "prod/*"\ngpu = "H100"\n')
    cfg = find_config(f)
    deploy = tmp_path / "deploy"
    assert cfg.is_excluded(deploy / "legacy" / "x.yaml") and cfg.is_excluded(deploy / "old" / "x.yaml")
    assert not cfg.is_excluded(deploy / "x.yaml")
    assert "VL101" in cfg.for_path(deploy / "staging" / "x.yaml").ignore
    assert cfg.for_path(deploy / "prod" / "x.yaml").gpu == "H100"


def test_extend_cycle_and_missing_file_are_config_errors(tmp_path: Path):
    f = _tree(tmp_path, 'extend = "deploy/.vllm-lint.toml"\n', 'extend = "../pyproject.toml"\n')
    with pytest.raises(ConfigError, match="cycle"):
        find_config(f)
    (tmp_path / "deploy" / ".vllm-lint.toml").write_text('extend = "../nope.toml"\n')
    with pytest.raises(ConfigError, match=r"\.vllm-lint\.toml:1: `extend`: '../nope.toml' is not a file"):
        find_config(tmp_path / "deploy" / "other" / "x.yaml")


def test_error_in_the_extended_file_points_at_that_file(tmp_path: Path):
    f = _tree(tmp_path, 'gpu = "L4"\nselect = ["VL9999"]\n', 'extend = "../pyproject.toml"\n')
    with pytest.raises(ConfigError, match=r"pyproject\.toml:3: `select`: unknown rule 'VL9999'"):
        find_config(f)


def test_nested_file_without_extend_says_what_it_drops(tmp_path: Path, capsys, monkeypatch):
    f = _tree(tmp_path, 'gpu = "L4"\nexclude = ["x"]\n', 'vllm-version = "0.8.5"\n')
    f.write_text(COMPOSE)
    monkeypatch.chdir(tmp_path)
    assert find_config(f).for_path(f).gpu is None  # the nearest file wins, as in ruff
    main(["deploy", "--no-color", "--select", "VL2"])
    err = capsys.readouterr().err
    assert err.count("vllm-lint: note:") == 1
    assert ("deploy/.vllm-lint.toml does not extend pyproject.toml, so the gpu setting of pyproject.toml does "
            "not apply to the files deploy/.vllm-lint.toml configures; add extend = \"../pyproject.toml\" "
            "to inherit it") in err
    main(["deploy", "--no-color", "--select", "VL2", "-q"])
    assert "note:" not in capsys.readouterr().err


def test_nested_file_setting_everything_itself_gets_no_note(tmp_path: Path):
    f = _tree(tmp_path, 'gpu = "L4"\n', 'gpu = "H100"\n')
    assert find_config(f).shadowed_note() is None
