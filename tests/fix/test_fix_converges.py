"""Fixes converge: applying every fix the tool offers, safe and unsafe (`--fix --unsafe-fixes`),
to every rule example and to every corpus repository leaves no new finding at warning or above,
no VL000 and no VL001, and the fix loop ends before its pass limit.

"New" is counted per (file, rule): a fix may change a finding's message or place, but must not
add a finding of a rule that was not reported as often before.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from vllm_lint.resolve.context import RunOptions
from vllm_lint.diagnostic import Diagnostic
from vllm_lint.fix import fix_until_stable
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


def _check_converges(paths: list[Path], options: LintOptions, case: str) -> None:
    before = lint_paths(paths, options)
    broken_before = {(d.path, d.rule) for d in _broken(before)}
    outcome, after = fix_until_stable(before, lambda: lint_paths(paths, options), unsafe=True)
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
@pytest.mark.parametrize("gpu", [None, "L4"])
@pytest.mark.parametrize("repo", REPOS or ["<no corpus>"])
def test_fixing_a_corpus_repository_adds_no_finding(shared_dir, tmp_path, monkeypatch, repo, gpu):
    work = tmp_path / repo
    shutil.copytree(shared_dir / "corpus" / repo, work, symlinks=True)
    monkeypatch.chdir(tmp_path)
    _check_converges([Path(repo)], LintOptions(run=RunOptions(gpu=gpu)), f"{repo}@{gpu}")
