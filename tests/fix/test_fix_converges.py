"""Fixes converge: applying every fix the tool offers, safe and unsafe (`--fix --unsafe-fixes`),
to every rule example and to every corpus repository leaves no new finding at warning or above,
no VL000 and no VL001, and the fix loop ends before its pass limit.

"New" is counted per (file, rule): a fix may change a finding's message or place, but must not
add a finding of a rule that was not reported as often before.

On copies of the corpus repositories with --gpu L4 (real rules, real sources) the first pass is
also written with `apply_fixes` and checked byte by byte: only the bytes inside the chosen edits
change, the --diff preview writes nothing and applies with git to a pristine copy, and the
findings it fixed are gone on the next run; the loop then goes on from there.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from vllm_lint.resolve.context import RunOptions
from vllm_lint.diagnostic import Diagnostic
from vllm_lint.fix import apply_fixes, fix_until_stable
from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.results import LintResult
from vllm_lint.rules import examples
from vllm_lint.rules.registry import iter_examples

SHARED_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
BLOCKING = ("error", "warning")

# Findings another rule's fix may leave behind, by design: (rule whose fix was applied, new rule) -> why.
KNOWN: dict[tuple[str, str], str] = {}


def _counts(result: LintResult) -> Counter:
    return Counter((d.path, d.rule) for d in result.diagnostics if d.severity.value in BLOCKING)


def _broken(result: LintResult) -> list[Diagnostic]:
    return [d for d in result.diagnostics if d.rule in ("VL000", "VL001")]


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _check_first_pass(before: LintResult, relint, work: Path, pristine: Path) -> LintResult:
    """Write ``before``'s fixes (one pass, with ``apply_fixes``) in ``work``, the current directory
    (a copy of ``pristine``), and check the bytes written; returns the run after it."""
    fixable = [d for d in before.diagnostics if d.fix and d.fix.edits]
    files = _files(work)
    texts = {p: s.text for p, s in before.sources.items()}
    boms = {p: s.had_bom for p, s in before.sources.items()}

    preview = apply_fixes(before, unsafe=True, write=False)
    assert _files(work) == files  # --diff writes nothing
    outcome = apply_fixes(before, unsafe=True, write=True)
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
    for rel, data in files.items():
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
        assert _files(pristine) == after

    # Re-lint: nothing broke, and the findings that were fixed are gone.
    again = relint()
    assert not [d for d in again.diagnostics if d.rule in ("VL000", "VL001")
                and d.path in edits], [d.message for d in again.diagnostics if d.rule in ("VL000", "VL001")]
    # (a fix that waited for the next pass may leave another finding of its rule on the launch:
    # what was written at the finding tells them apart)
    def key(d, text: str) -> tuple:
        return d.rule, d.path, d.launch, d.span.slice(text) if d.span else ""

    still = {key(d, again.sources[d.path].text if d.path in again.sources else "") for d in again.diagnostics}
    back = [(d.rule, d.path, d.launch, d.message) for d in fixed if key(d, texts.get(d.path, "")) in still]
    assert not back, back
    return again


def _check_converges(paths: list[Path], options: LintOptions, case: str, *,
                     first_pass: tuple[Path, Path] | None = None) -> None:
    """``first_pass``: (work copy, pristine copy): write the first pass with ``apply_fixes`` and
    check it byte by byte (``_check_first_pass``) before the fix loop goes on."""
    def relint() -> LintResult:
        return lint_paths(paths, options)

    before = relint()
    broken_before = {(d.path, d.rule) for d in _broken(before)}
    start = before
    if first_pass and any(d.fix and d.fix.edits for d in before.diagnostics):
        start = _check_first_pass(before, relint, *first_pass)
    outcome, after = fix_until_stable(start, relint, unsafe=True)
    assert outcome.converged, f"{case}: fixes did not converge: {outcome.unconverged}"
    assert not outcome.errors, outcome.errors
    broken = [d for d in _broken(after) if (d.path, d.rule) not in broken_before]
    assert not broken, [(d.path, d.rule, d.message) for d in broken]
    grew = _counts(after) - _counts(before)
    # a launch's fix may edit another file (a --config file, a .env): match known pairs per case
    applied = sorted({rule for _, rule in outcome.applied})
    new, known = [], set()
    for d in after.diagnostics:
        if not grew.get((d.path, d.rule)):
            continue
        why = [KNOWN[(fixed, d.rule)] for fixed in applied if (fixed, d.rule) in KNOWN]
        if why:
            known.update(why)
        else:
            new.append((d.path, d.rule, d.severity.value, d.message))
    assert not new, new
    if first_pass and start is not before:
        assert not apply_fixes(relint(), unsafe=True, write=False).diff  # the files written converged
    if known:
        pytest.xfail("; ".join(sorted(known)))


EXAMPLES = [(m, k, e) for m, k, e in iter_examples()]


@pytest.mark.parametrize("meta,kind,ex", EXAMPLES, ids=[f"{m.id}-{k}-{e['name']}" for m, k, e in EXAMPLES])
def test_fixing_a_rule_example_adds_no_finding(tmp_path, monkeypatch, meta, kind, ex):
    monkeypatch.chdir(tmp_path)
    target = examples.write_example(tmp_path, ex)
    opts = ex.get("options") or {}
    options = LintOptions(run=RunOptions(gpu=opts.get("gpu"), vllm_version=opts.get("vllm_version")),
                          values_files=[tmp_path / v for v in opts.get("values", [])])
    _check_converges([target.relative_to(tmp_path)], options, f"{meta.id}-{kind}-{ex['name']}")


REPOS = sorted(p.name for p in SHARED_CORPUS.iterdir() if p.is_dir()) if SHARED_CORPUS.is_dir() else []


@pytest.mark.shared
@pytest.mark.parametrize("gpu", [pytest.param(None, marks=pytest.mark.slow), "L4"])
# every other repository in the default run; -m slow runs the others
@pytest.mark.parametrize("repo", [pytest.param(r, marks=() if i % 2 == 0 else pytest.mark.slow)
                                  for i, r in enumerate(REPOS or ["<no corpus>"])])
def test_fixing_a_corpus_repository_adds_no_finding(shared_dir, tmp_path, monkeypatch, repo, gpu):
    """With L4 the first pass is also checked byte by byte (one 24 GB card: its fixable findings
    include every one a run without --gpu has, and the capacity fixes only a GPU enables); the
    run without --gpu (other findings, the loop from the files as read) is in -m slow."""
    work = tmp_path / "work"
    shutil.copytree(shared_dir / "corpus" / repo, work / repo, symlinks=True)
    first_pass = None
    if gpu == "L4":
        pristine = tmp_path / "pristine"
        shutil.copytree(work, pristine, symlinks=True)
        first_pass = (work, pristine)
    monkeypatch.chdir(work)
    _check_converges([Path(repo)], LintOptions(run=RunOptions(gpu=gpu)), f"{repo}@{gpu}", first_pass=first_pass)
