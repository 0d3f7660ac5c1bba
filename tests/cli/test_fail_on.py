"""Exit status: `--fail-on error|warning|info` and `fail-on` in the configuration decide which
findings fail a run (default warning: an info finding never does); 2 is for usage, configuration
and internal errors, with a did-you-mean for a misspelt level."""

from __future__ import annotations

from pathlib import Path

import pytest

from vllm_lint.cli import main

# One launch, one finding of each severity: VL105 (info: no GPU named), VL502 (warning:
# --trust-remote-code) and VL201 (error: an option no release knows); --select picks the levels.
SCRIPT = "#!/bin/sh\nvllm serve Qwen/Qwen2.5-0.5B-Instruct --trust-remote-code --max-model-length 8192\n"
ONLY = {"info": "VL105", "warning": "VL502", "error": "VL201"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / "serve.sh").write_text(SCRIPT, encoding="utf-8")
    return tmp_path


def _configure(project: Path, text: str, name: str = ".vllm-lint.toml") -> None:
    from vllm_lint.config import _config_in_dir

    (project / name).write_text(text, encoding="utf-8")
    _config_in_dir.cache_clear()  # configurations are read once per folder per process


def _run(*args: str) -> int:
    return main(["--no-color", "-q", *args, "serve.sh"])


# (severity of the only finding, --fail-on or None for the default) -> exit status
CASES = [
    ("info", None, 0), ("info", "error", 0), ("info", "warning", 0), ("info", "info", 1),
    ("warning", None, 1), ("warning", "error", 0), ("warning", "warning", 1), ("warning", "info", 1),
    ("error", None, 1), ("error", "error", 1), ("error", "warning", 1), ("error", "info", 1),
]


@pytest.mark.parametrize("severity,fail_on,status", CASES)
def test_each_threshold(project, capsys, severity, fail_on, status):
    args = ["--select", ONLY[severity]] + (["--fail-on", fail_on] if fail_on else [])
    assert _run(*args) == status
    out = capsys.readouterr().out
    assert f"{ONLY[severity]} {severity} " in out  # -q keeps the severity word


def test_all_levels_together_fail_by_default_and_pass_with_nothing_selected(project, capsys):
    assert _run() == 1
    assert _run("--select", "VL5", "--ignore", "VL502") == 0


def test_config_sets_the_threshold_and_the_command_line_wins(project):
    _configure(project, 'fail-on = "error"\n')
    assert _run("--select", "VL502") == 0  # a warning passes under fail-on = "error"
    assert _run("--select", "VL201") == 1
    assert _run("--select", "VL502", "--fail-on", "warning") == 1  # the command line wins
    _configure(project, 'fail-on = "info"\n')
    assert _run("--select", "VL105") == 1
    assert _run("--select", "VL105", "--fail-on", "warning") == 0


def test_pyproject_table_sets_it_too(project):
    _configure(project, '[tool.vllm-lint]\nfail-on = "error"\n', "pyproject.toml")
    assert _run("--select", "VL502") == 0


def test_each_file_follows_its_nearest_configuration(project):
    sub = project / "staging"
    sub.mkdir()
    (sub / "serve.sh").write_text(SCRIPT, encoding="utf-8")
    _configure(sub, 'fail-on = "error"\n')
    assert main(["--no-color", "-q", "--select", "VL502", "staging/serve.sh"]) == 0
    assert main(["--no-color", "-q", "--select", "VL502", "staging/serve.sh", "serve.sh"]) == 1


def test_exit_zero_still_wins(project):
    assert _run("--fail-on", "info", "--exit-zero") == 0


def test_invalid_level_on_the_command_line_is_a_usage_error(project, capsys):
    with pytest.raises(SystemExit) as exc:  # argparse's own usage error
        _run("--fail-on", "warn")
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--fail-on" in err and "did you mean 'warning'?" in err


def test_invalid_level_in_the_configuration_is_a_usage_error(project, capsys):
    _configure(project, 'fail-on = "errors"\n')
    assert _run() == 2
    err = capsys.readouterr().err
    assert ".vllm-lint.toml" in err and "`fail-on`" in err and "did you mean 'error'?" in err
    _configure(project, "fail-on = 1\n")
    assert _run() == 2
    assert "`fail-on` must be one of error, warning, info" in capsys.readouterr().err


def test_misspelt_configuration_key_gets_a_did_you_mean(project, capsys):
    _configure(project, 'fail_on = "error"\n')
    assert _run() == 2
    assert "did you mean 'fail-on'?" in capsys.readouterr().err


def test_help_documents_the_exit_status_beside_other_linters(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for needle in ("--fail-on", "exit status:", "yamllint", "--strict", "hadolint", "--failure-threshold", "ruff"):
        assert needle in out, needle


def test_fix_leaves_only_info_and_passes(project):
    """After --fix the run is judged on what remains: here only the info finding."""
    assert _run("--select", "VL105,VL201", "--fix") == 0
    assert "--max-model-len 8192" in (project / "serve.sh").read_text(encoding="utf-8")
