"""The fixer on launches extracted by the real sources: a flag rename at a token's span and an
insertion rendered by ``Launch.insertion``, written with --fix and previewed with --diff, for
every source syntax. Whole files are compared; a re-lint must see exactly the intended argv."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vllm_lint.diagnostic import Diagnostic, Edit, Fix, Severity
from vllm_lint.fix import apply_fixes, insertion_edit, rename_flag_edit
from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.results import LintResult

FIXTURES = Path(__file__).with_name("fixtures")
CASES = sorted(p.name for p in FIXTURES.iterdir())
NEW = ["--enforce-eager", "--max-num-seqs", "64"]


def _lint(path: Path) -> LintResult:
    result = lint_paths([path], LintOptions(select=["VL0"]))
    assert not [d for d in result.diagnostics if d.rule in ("VL000", "VL001")], result.diagnostics
    return result


def _launch(result: LintResult, name: str):
    assert result.launches, f"no launch extracted from {name}"
    return result.launches[0]


def _is_len_flag(text: str) -> bool:
    return text.split("=", 1)[0] in ("--max_model_len", "--max-model-len")


def _fix_diags(ctx) -> list[Diagnostic]:
    """A rename where the flag is misspelt as argv, a value change, and an insertion."""
    args = ctx.launch.args
    i = next(i for i, t in enumerate(args) if _is_len_flag(t.text) and t.style != "synthetic")
    flag = args[i]
    out = []
    if flag.style == "argv" and flag.text.startswith("--max_model_len"):
        rename = rename_flag_edit(flag, "--max-model-len", ctx.src.text)
        out.append(Diagnostic("VL201", "t", Severity.WARNING, ctx.src.display, rename.span, "m", fix=Fix("rename", (rename,))))
    if "=" not in flag.text:
        value = args[i + 1]
        assert value.span is not None and value.span.slice(ctx.src.text).strip("'\"") == "4096"
        edit = Edit(value.span, "2048")
        out.append(Diagnostic("VL101", "t", Severity.ERROR, ctx.src.display, value.span, "m", fix=Fix("value", (edit,), safe=False)))
    if ctx.launch.insertion is not None:
        ins = insertion_edit(ctx.launch.insertion, ctx.src.index, NEW)
        out.append(Diagnostic("VL102", "t", Severity.ERROR, ctx.src.display, None, "m", fix=Fix("add", (ins,), safe=False)))
    return out


def _expected_argv(old: list[str], edits_kinds: set[str]) -> list[str]:
    out = []
    for a in old:
        if "VL201" in edits_kinds and a.startswith("--max_model_len"):
            a = a.replace("--max_model_len", "--max-model-len", 1)
        out.append(a)
    if "VL101" in edits_kinds:
        j = next(j for j, a in enumerate(out) if _is_len_flag(a))
        out[j + 1] = "2048"
    return out


@pytest.mark.parametrize("name", CASES)
def test_edits_round_trip(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / name
    shutil.copyfile(FIXTURES / name, path)
    before_bytes = path.read_bytes()
    result = _lint(Path(name))
    ctx = _launch(result, name)
    old_argv = [t.text for t in ctx.launch.args]
    result.diagnostics = _fix_diags(ctx)
    kinds = {d.rule for d in result.diagnostics}
    assert kinds & {"VL201", "VL101"}
    edits = [d.fix.edits[0] for d in result.diagnostics]

    preview = apply_fixes(result, unsafe=True, write=False)
    assert path.read_bytes() == before_bytes
    outcome = apply_fixes(result, unsafe=True, write=True)
    assert outcome.fixed == len(result.diagnostics) and outcome.diff == preview.diff

    # Whole file: the original bytes with exactly these splices (in the file's encoding).
    text = ctx.src.text
    nl = "\r\n" if "\r\n" in text else "\n"
    splices = sorted((e.span.start, e.span.end, e.replacement.replace("\r\n", "\n").replace("\n", nl)) for e in edits)
    expected, pos = "", 0
    for start, end, rep in splices:
        expected += text[pos:start] + rep
        pos = end
    expected += text[pos:]
    assert path.read_bytes() == (b"\xef\xbb\xbf" if ctx.src.had_bom else b"") + expected.encode("utf-8")

    # What vLLM would now receive: flag renamed, value changed, the new words added.
    again = _lint(Path(name))
    new_argv = [t.text for t in _launch(again, name).launch.args]
    want = _expected_argv(old_argv, kinds)
    if "VL102" in kinds:
        k = next(k for k in range(len(new_argv)) if new_argv[k:k + len(NEW)] == NEW)
        assert new_argv[:k] + new_argv[k + len(NEW):] == want, new_argv
    else:
        assert new_argv == want

    # --diff output applies with git to a pristine copy and gives the same bytes.
    if shutil.which("git"):
        copy = tmp_path / "copy"
        copy.mkdir()
        (copy / name).write_bytes(before_bytes)
        proc = subprocess.run(["git", "apply", "-p1", "-"], cwd=copy, input=preview.diff.encode(), capture_output=True)
        assert proc.returncode == 0, proc.stderr.decode()
        assert (copy / name).read_bytes() == path.read_bytes()

    # A second run with the same fixes has nothing left to do.
    assert apply_fixes(again, unsafe=True, write=True).diff == ""


@pytest.mark.parametrize("name,written", [("values.yaml", "maxNumSeqs: 4096   # tokens"),
                                          ("vllm-config.yaml", "max_num_seqs: 4096")])
def test_key_rename_keeps_the_key_convention(tmp_path, monkeypatch, name, written):
    """A Helm camelCase key and a vLLM config snake_case key are renamed in their own style."""
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(FIXTURES / name, tmp_path / name)
    result = _lint(Path(name))
    ctx = _launch(result, name)
    token = next(t for t in ctx.launch.args if _is_len_flag(t.text) and t.style in ("helm-key", "config-key"))
    edit = rename_flag_edit(token, "--max-num-seqs", ctx.src.text)
    result.diagnostics = [Diagnostic("VL201", "t", Severity.WARNING, ctx.src.display, edit.span, "m", fix=Fix("r", (edit,)))]
    apply_fixes(result, unsafe=False, write=True)
    after = (tmp_path / name).read_text()
    assert written in after
    assert after == ctx.src.text[:edit.span.start] + edit.replacement + ctx.src.text[edit.span.end:]
    again = [t.text for t in _launch(_lint(Path(name)), name).launch.args]
    assert "--max-num-seqs" in [a.replace("_", "-") for a in again] and not any(_is_len_flag(a) for a in again)
