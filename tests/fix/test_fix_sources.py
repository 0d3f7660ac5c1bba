"""The fixer on launches extracted by the real sources: a flag rename at a token's span and an
insertion rendered by ``Launch.insertion``, written with --fix and previewed with --diff, for
every source syntax. Whole files are compared; a re-lint must see exactly the intended argv."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vllm_lint.diagnostic import Diagnostic, Fix, Severity
from vllm_lint.fix import apply_fixes, insertion_edit, rename_flag_edit
from vllm_lint.lint import LintOptions, LintResult, lint_paths

FIXTURES = Path(__file__).with_name("fixtures")
CASES = sorted(p.name for p in FIXTURES.iterdir())
NEW = ["--enforce-eager", "--max-num-seqs", "64"]


def _lint(path: Path) -> LintResult:
    result = lint_paths([path], LintOptions(select=["VL0"]))
    assert not [d for d in result.diagnostics if d.rule in ("VL000", "VL001")], result.diagnostics
    return result


def _launch(result: LintResult, name: str):
    if not result.launches:
        pytest.skip(f"no source extracts launches from {name} yet")
    return result.launches[0]


def _fix_diags(ctx) -> list[Diagnostic]:
    token = next(t for t in ctx.launch.args if t.text.startswith("--max_model_len"))
    rename = rename_flag_edit(token, "--max-model-len", ctx.src.text)
    out = [Diagnostic("VL201", "t", Severity.WARNING, ctx.src.display, rename.span, "m", fix=Fix("rename", (rename,)))]
    if ctx.launch.insertion is not None:
        ins = insertion_edit(ctx.launch.insertion, ctx.src.index, NEW)
        out.append(Diagnostic("VL101", "t", Severity.ERROR, ctx.src.display, None, "m", fix=Fix("add", (ins,), safe=False)))
    return out


@pytest.mark.parametrize("name", CASES)
def test_rename_and_insert_round_trip(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / name
    shutil.copyfile(FIXTURES / name, path)
    before_bytes = path.read_bytes()
    result = _lint(Path(name))
    ctx = _launch(result, name)
    old_argv = [t.text for t in ctx.launch.args]
    result.diagnostics = _fix_diags(ctx)
    rename, *insert = [d.fix.edits[0] for d in result.diagnostics]

    preview = apply_fixes(result, unsafe=True, write=False)
    assert path.read_bytes() == before_bytes
    outcome = apply_fixes(result, unsafe=True, write=True)
    assert outcome.fixed == len(result.diagnostics) and outcome.diff == preview.diff

    # Whole file: the original bytes with exactly these two splices (in the file's encoding).
    text = ctx.src.text
    nl = "\r\n" if "\r\n" in text else "\n"
    splices = sorted([(rename.span.start, rename.span.end, rename.replacement)]
                     + [(e.span.start, e.span.end, e.replacement.replace("\r\n", "\n").replace("\n", nl)) for e in insert])
    expected, pos = "", 0
    for start, end, rep in splices:
        expected += text[pos:start] + rep
        pos = end
    expected += text[pos:]
    assert path.read_bytes() == (b"\xef\xbb\xbf" if ctx.src.had_bom else b"") + expected.encode("utf-8")
    assert text[rename.span.start:rename.span.end].strip("'\"") == "--max_model_len"

    # What vLLM would now receive: the renamed flag in place, the new words at the end.
    again = _lint(Path(name))
    new_argv = [t.text for t in _launch(again, name).launch.args]
    want = [a.replace("--max_model_len", "--max-model-len", 1) if a.startswith("--max_model_len") else a for a in old_argv]
    assert new_argv == want + (NEW if insert else [])

    # --diff output applies with git to a pristine copy and gives the same bytes.
    if shutil.which("git"):
        copy = tmp_path / "copy"
        copy.mkdir()
        (copy / name).write_bytes(before_bytes)
        proc = subprocess.run(["git", "apply", "--unsafe-paths", "-p1", "-"], cwd=copy, input=preview.diff.encode(),
                              capture_output=True)
        assert proc.returncode == 0, proc.stderr.decode()
        assert (copy / name).read_bytes() == path.read_bytes()

    # A second run with the same fixes has nothing left to do.
    assert apply_fixes(again, unsafe=True, write=True).diff == ""
