from __future__ import annotations

from pathlib import Path

import pytest

from vllm_lint.config import ConfigError, find_config, load_config_file, parse_config


def test_pyproject_table_is_read(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.vllm-lint]\ngpu = "L4"\nvllm-version = "0.6.3"\nignore = ["VL5"]\n')
    (tmp_path / "deploy").mkdir()
    cfg = find_config(tmp_path / "deploy" / "compose.yml")
    assert (cfg.gpu, cfg.vllm_version, cfg.ignore) == ("L4", "0.6.3", ("VL5",))


def test_pyproject_without_table_is_skipped_for_dotfile_above(tmp_path: Path):
    (tmp_path / ".vllm-lint.toml").write_text('gpu = "H100"\n')
    sub = tmp_path / "svc"
    sub.mkdir()
    (sub / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config(sub / "a.yaml").gpu == "H100"


def test_overrides_and_per_file_ignores(tmp_path: Path):
    cfg = parse_config(
        {
            "gpu": "L4",
            "overrides": [{"path": "prod/*", "gpu": "H100"}],
            "per-file-ignores": {"staging/*.yaml": ["VL101"]},
        },
        tmp_path,
        "test",
    )
    assert cfg.for_path(tmp_path / "prod" / "x.yaml").gpu == "H100"
    assert cfg.for_path(tmp_path / "staging" / "x.yaml").gpu == "L4"
    assert "VL101" in cfg.for_path(tmp_path / "staging" / "x.yaml").ignore
    assert "VL101" not in cfg.for_path(tmp_path / "prod" / "x.yaml").ignore


@pytest.mark.parametrize(
    "data,needle",
    [({"gpuu": "L4"}, "unknown key"), ({"gpu": 3}, "must be a string"), ({"select": [1]}, "list of strings")],
)
def test_bad_config_names_the_problem(tmp_path: Path, data, needle):
    with pytest.raises(ConfigError, match=needle):
        parse_config(data, tmp_path, "cfg.toml")


def test_invalid_toml_is_a_config_error(tmp_path: Path):
    p = tmp_path / ".vllm-lint.toml"
    p.write_text("gpu = \n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config_file(p)
