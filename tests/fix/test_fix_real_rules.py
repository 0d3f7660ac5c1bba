"""The flag rules' own safe fixes (prefix expansion, boolean forms, renames) applied with the
real pipeline to one file per syntax; whole files compared, then nothing is left to fix."""

from __future__ import annotations

import shutil
from pathlib import Path


from vllm_lint.fix import apply_fixes
from vllm_lint.lint import LintOptions, lint_paths

HERE = Path(__file__).with_name("real_rules")

EXPECTED = {
    "Dockerfile": [('"--max-model"', '"--max-model-len"')],
    "dep.yaml": [("--max-model=4096", "--max-model-len=4096"), ("--enforce-eager=True", "--enforce-eager")],
    "docker-compose.yml": [('"--max-model"', '"--max-model-len"'), ('"--enable-prefix-caching=false"', '"--no-enable-prefix-caching"'),
                           ('"--gpu-memory-util"', '"--gpu-memory-utilization"')],
    "run.sh": [("--max-model 4096", "--max-model-len 4096"), ("--disable-log-req\n", "--disable-log-requests\n")],
    "values.yaml": [('"--gpu-memory-util"', '"--gpu-memory-utilization"'), ('"--enforce-eager=true"', '"--enforce-eager"')],
}


def test_flag_fixes_every_syntax(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in EXPECTED:
        shutil.copyfile(HERE / name, tmp_path / name)
    before = {name: (tmp_path / name).read_text() for name in EXPECTED}
    options = LintOptions(select=["VL2"])
    result = lint_paths([Path(".")], options)
    assert {d.rule for d in result.diagnostics} >= {"VL203", "VL205"}
    outcome = apply_fixes(result, unsafe=False, write=True)
    assert outcome.remaining == [] and sorted(outcome.files_changed) == sorted(EXPECTED)
    for name, subs in EXPECTED.items():
        want = before[name]
        for old, new in subs:
            assert want.count(old) == 1, (name, old)
            want = want.replace(old, new)
        assert (tmp_path / name).read_text() == want, name
    again = lint_paths([Path(".")], options)
    assert again.diagnostics == []
    assert apply_fixes(again, unsafe=False, write=True).diff == ""
