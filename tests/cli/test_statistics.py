"""--statistics: a count per rule with its severity and fix mark, the totals, a legend for the
marks, and the same counts as JSON with --format json."""

from __future__ import annotations

import json
from pathlib import Path

from vllm_lint.cli import main

SCRIPT = """#!/bin/sh
vllm serve Qwen/Qwen2.5-7B-Instruct --max-model-length 4096 --enable-chunked-prefill=false
vllm serve Qwen/Qwen2.5-7B-Instruct --max-model-length 2048
vllm serve Qwen/Qwen2.5-7B-Instruct --trust-remote-code --max-model-len 4096
"""


def _lint(tmp_path: Path, capsys, *extra: str) -> str:
    f = tmp_path / "serve.sh"
    f.write_text(SCRIPT)
    assert main([str(f), "--statistics", "--select", "VL2,VL5", "--vllm-version", "0.10.2", "--no-color", *extra]) == 1
    return capsys.readouterr().out


def test_text_statistics_have_counts_totals_and_a_legend(tmp_path, capsys):
    lines = _lint(tmp_path, capsys).splitlines()
    assert lines[0].split() == ["2", "VL201", "error", "[*]", "unknown-flag"]
    assert ["1", "VL205", "error", "[*]", "boolean-flag-value"] in [line.split() for line in lines]
    assert ["1", "VL502", "warning", "trust-remote-code"] in [line.split() for line in lines]
    assert lines[-2].startswith("    4  findings: 3 errors, 1 warning in 1 file (3 fixable with --fix")
    assert lines[-1] == "[*] fixable with --fix   [-] fixable with --fix --unsafe-fixes"


def test_json_statistics(tmp_path, capsys):
    doc = json.loads(_lint(tmp_path, capsys, "--format", "json"))
    assert doc["version"] == 1
    assert doc["statistics"][0] == {"rule": "VL201", "name": "unknown-flag", "count": 2, "severities": ["error"],
                                    "fixable": 2, "unsafe_fixable": 0}
    assert [s["rule"] for s in doc["statistics"]] == ["VL201", "VL205", "VL502"]
    assert doc["summary"]["errors"] == 3 and doc["summary"]["warnings"] == 1


def test_statistics_of_a_clean_run_say_so(tmp_path, capsys):
    f = tmp_path / "serve.sh"
    f.write_text("#!/bin/sh\nvllm serve Qwen/Qwen2.5-7B-Instruct --max-model-len 4096\n")
    assert main([str(f), "--statistics", "--select", "VL2", "--no-color"]) == 0
    assert capsys.readouterr().out.startswith("All checks passed")
