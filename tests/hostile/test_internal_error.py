"""An unexpected exception in one file's processing becomes VL000 on that file; the run goes on
and the CLI exits 2 so CI can tell a tool failure from a finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hostile_support import lint, run_cli

GOOD = """\
services:
  vllm:
    image: vllm/vllm-openai:v0.8.5
    command: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--max-model-len", "32768"]
"""


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    bad = tmp_path / "a" / "docker-compose.yml"
    good = tmp_path / "b" / "docker-compose.yml"
    for p in (bad, good):
        p.parent.mkdir(parents=True)
        p.write_text(GOOD)
    return bad, good


@pytest.fixture
def raising_extract(monkeypatch, tmp_path):
    """Make the source stage raise for one file (the first one) and work for the others."""
    from vllm_lint.sources import dispatch

    bad, good = _tree(tmp_path)
    real = dispatch.extract

    def extract(src, *args, **kwargs):
        if Path(src.path).resolve() == bad.resolve():
            raise ValueError("simulated bug\nwith a second line that must not be shown")
        return real(src, *args, **kwargs)

    monkeypatch.setattr(dispatch, "extract", extract)
    return bad, good


def test_source_crash_becomes_vl000_and_run_goes_on(raising_extract, tmp_path):
    bad, good = raising_extract
    result = lint(tmp_path)
    assert result.internal_error
    vl000 = [d for d in result.diagnostics if d.rule == "VL000"]
    assert len(vl000) == 1, [d.message for d in result.diagnostics]
    d = vl000[0]
    assert d.path.endswith(str(Path("a") / "docker-compose.yml"))
    assert d.name == "internal-error"
    assert "ValueError" in d.message and "simulated bug" in d.message
    assert "\n" not in d.message and "second line" not in d.message
    # the other file was still processed: its launch was extracted
    assert any(ctx.src.display.endswith(str(Path("b") / "docker-compose.yml")) for ctx in result.launches)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_source_crash_exit_code_2(raising_extract, tmp_path, fmt):
    code, out, err = run_cli([tmp_path, "--format", fmt])
    assert code == 2, (code, out, err)
    assert "VL000" in out
    if fmt == "json":
        rules = [d["rule"] for d in json.loads(out)["diagnostics"]]
        assert rules.count("VL000") == 1


def test_check_crash_becomes_vl000(monkeypatch, tmp_path):
    """A rule's check function raising is contained the same way (per launch)."""
    import vllm_lint.lint as lint_mod
    from vllm_lint.rules.checks import checks
    from vllm_lint.rules.registry import Check

    real = checks()
    target = next(r for r, c in sorted(real.items()) if c.scope == "launch")

    def boom(ctx):
        raise ZeroDivisionError("simulated check bug")

    patched = dict(real)
    patched[target] = Check(target, boom, "launch")
    monkeypatch.setattr(lint_mod, "checks", lambda: patched)
    _tree(tmp_path)
    result = lint(tmp_path)
    assert result.internal_error
    vl000 = [d for d in result.diagnostics if d.rule == "VL000"]
    assert len(vl000) == 2 and all("ZeroDivisionError" in d.message for d in vl000)
    assert all(target in d.message for d in vl000)


def test_read_crash_becomes_vl000(monkeypatch, tmp_path):
    from vllm_lint.sources import readfile

    _tree(tmp_path)
    monkeypatch.setattr(readfile, "load_source", lambda *a, **k: (_ for _ in ()).throw(MemoryError()))
    result = lint(tmp_path)
    assert result.internal_error
    assert [d.rule for d in result.diagnostics] == ["VL000", "VL000"]


K8S = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: vllm}
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.8.5
          args: ["--model", "meta-llama/Llama-3.1-8B-Instruct"]
"""


def test_format_extractor_crash_exits_2(monkeypatch, tmp_path):
    """A bug inside one format module (caught by sources.dispatch.extract) still makes the run exit 2,
    with a one-line VL000 on that file, and the other files are still linted."""
    from vllm_lint.sources import dispatch

    def broken(src, opts):
        raise IndexError("simulated format bug\nsecond line")

    monkeypatch.setitem(dispatch.REGISTRY, "kubernetes", broken)
    (tmp_path / "deployment.yaml").write_text(K8S)
    (tmp_path / "serve.sh").write_text("#!/bin/sh\nvllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 8192\n")
    result = lint(tmp_path)
    vl000 = [d for d in result.diagnostics if d.rule == "VL000"]
    assert len(vl000) == 1 and vl000[0].path.endswith("deployment.yaml"), [d.message for d in result.diagnostics]
    assert "IndexError" in vl000[0].message and "\n" not in vl000[0].message
    assert result.internal_error
    assert any(f.endswith("serve.sh") for f in result.files)
    code, out, err = run_cli([tmp_path, "--format", "json"])
    assert code == 2, (code, err)
