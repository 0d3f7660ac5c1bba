"""--fix and --diff on copies of every corpus file with a fixable finding (real rules, real
sources): only the bytes inside the chosen edits change, the diff applies with git to a pristine
copy, fixed findings are gone on the next run, and repeated runs converge to no change."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
from pathlib import Path

import pytest

from vllm_lint.resolve.context import RunOptions
from vllm_lint.fix import apply_fixes, fix_until_stable
from vllm_lint.lint import LintOptions, lint_paths


def _lint(gpu: str | None):
    return lint_paths([Path(".")], LintOptions(run=RunOptions(gpu=gpu)))


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.shared
# One 24 GB card: its fixable findings include every one a run without --gpu has (and the capacity
# fixes only a GPU enables); another 24 GB card differs only in the --max-model-len values written.
@pytest.mark.parametrize("gpu", ["L4"])
def test_fix_round_trip_on_corpus(shared_dir, tmp_path, monkeypatch, gpu):
    work = tmp_path / "corpus"
    shutil.copytree(shared_dir / "corpus", work, symlinks=True)
    pristine = tmp_path / "pristine"
    shutil.copytree(work, pristine, symlinks=True)
    monkeypatch.chdir(work)
    before = _files(work)

    result = _lint(gpu)
    fixable = [d for d in result.diagnostics if d.fix and d.fix.edits]
    if not fixable:
        pytest.skip("no fixable finding in the corpus for this GPU")
    texts = {p: s.text for p, s in result.sources.items()}
    boms = {p: s.had_bom for p, s in result.sources.items()}

    preview = apply_fixes(result, unsafe=True, write=False)
    assert _files(work) == before  # --diff writes nothing
    outcome = apply_fixes(result, unsafe=True, write=True)
    assert outcome.diff == preview.diff and not outcome.errors
    fixed = [d for d in fixable if all(d is not r for r in outcome.remaining)]
    assert len(fixed) == outcome.fixed > 0

    # Every byte outside the fixed edits is unchanged: rebuild each file independently.
    after = _files(work)
    edits: dict[str, set] = {}
    for d in fixed:
        for e in d.fix.edits:
            edits.setdefault(e.span.path, set()).add((e.span.start, e.span.end, e.replacement))
    assert set(outcome.files_changed) <= set(edits)
    for rel, data in before.items():
        if rel not in edits:
            assert after[rel] == data, f"{rel} changed without an edit"
            continue
        text, pos, out = texts[rel], 0, []
        nl = "\r\n" if "\r\n" in text.split("\n", 1)[0] + "\n" else "\n"
        for start, end, rep in sorted(edits[rel]):
            assert start >= pos, f"overlapping edits applied in {rel}"
            out += [text[pos:start], rep.replace("\r\n", "\n").replace("\n", nl)]
            pos = end
        out.append(text[pos:])
        assert after[rel] == (b"\xef\xbb\xbf" if boms[rel] else b"") + "".join(out).encode("utf-8"), rel

    # The --diff output applies with git to a pristine copy and gives the same tree.
    if shutil.which("git"):
        proc = subprocess.run(["git", "apply", "-p1", "-"], cwd=pristine, input=preview.diff.encode(), capture_output=True)
        assert proc.returncode == 0, proc.stderr.decode()
        cmp = filecmp.dircmp(pristine, work)
        assert not cmp.diff_files, cmp.diff_files

    # Re-lint: nothing broke, and the findings that were fixed are gone.
    again = _lint(gpu)
    assert not [d for d in again.diagnostics if d.rule in ("VL000", "VL001")
                and d.path in edits], [d.message for d in again.diagnostics if d.rule in ("VL000", "VL001")]
    # (a fix that waited for the next pass may leave another finding of its rule on the launch:
    # what was written at the finding tells them apart)
    def key(d, text: str) -> tuple:
        return d.rule, d.path, d.launch, d.span.slice(text) if d.span else ""

    still = {key(d, again.sources[d.path].text if d.path in again.sources else "") for d in again.diagnostics}
    back = [(d.rule, d.path, d.launch, d.message) for d in fixed if key(d, texts.get(d.path, "")) in still]
    assert not back, back

    # The fix loop converges: the passes pick up the fixes that waited, then nothing changes.
    outcome, _ = fix_until_stable(again, lambda: _lint(gpu), unsafe=True)  # `again` is the tree as it is now
    assert outcome.converged, outcome.unconverged
    assert not apply_fixes(_lint(gpu), unsafe=True, write=False).diff
