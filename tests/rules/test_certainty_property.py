"""Mark any one fact a finding can rest on as uncertain, and no
error may remain that depends on it.

For every launch (every rule example's file and ``examples/``; with ``../shared`` a quarter of the
corpus; with ``-m slow`` the rest of it and the fixture trees), each fact kind in turn (vLLM
release, image ENTRYPOINT, GPU, model) is marked assumed with a handful of other plausible values
(``LaunchContext.doubt``), and every check runs through the same settling ``lint`` uses. Each error
that remains must then hold when the fact really has each of those other values: the check run
under that reading (``in_world``, no settling) reports the same finding as an error there too. A
rule that reads a fact behind the tracking's back (a version comparison on a raw string, a GPU
read from the launch) breaks this.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vllm_lint.diagnostic import Diagnostic, Severity
from vllm_lint.hardware.gpus import parse_gpu_option
from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.resolve.facts import ENTRYPOINT, GPU, MODEL, VERSION, Reads, World
from vllm_lint.rules.certainty import Trials, settle
from vllm_lint.rules.checks import checks
from vllm_lint.rules.context import RuleContext
from vllm_lint.rules.examples import write_example
from vllm_lint.rules.registry import iter_examples
from vllm_lint.vllm import releases

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"

VERSIONS = ("0.4.3", "0.6.6.post1", "0.8.5.post1", "0.10.2", "0.19.1", "0.33.0")
GPUS = tuple(parse_gpu_option(g)[0] for g in ("T4", "L4", "A100-80GB", "H200"))
MODELS = ("Qwen/Qwen2.5-0.5B-Instruct", "meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-70B-Instruct")
PLAUSIBLE = {VERSION: VERSIONS, ENTRYPOINT: ("serve", "api_server"), GPU: GPUS, MODEL: MODELS}


def _key(d: Diagnostic) -> tuple:
    return (d.rule[:3], d.path, d.line, d.column, d.about)


def _settled_errors(ctx: RuleContext) -> list[Diagnostic]:
    groups: dict[str, list] = {}
    for rule_id, check in checks().items():
        if check.scope == "launch":
            groups.setdefault(rule_id[:3], []).append(check.func)
    out = []
    trials: dict[str, Trials] = {}
    for rule_id, check in checks().items():
        if check.scope != "launch":
            continue
        ctx.reads = Reads()
        try:
            found = list(check.func(ctx))
        finally:
            ctx.reads = None
        group = rule_id[:3]
        trials.setdefault(group, Trials(ctx, groups[group], groups.get("VL2", [])))
        out += [d for d in settle(trials[group], found) if d.severity is Severity.ERROR]
    return out


def _errors_under(ctx: RuleContext) -> set[tuple]:
    """Every finding's key that is an error under this reading, with no settling at all."""
    keys = set()
    for check in checks().values():
        if check.scope != "launch":
            continue
        for d in check.func(ctx):
            if d.severity is Severity.ERROR:
                keys.add(_key(d))
    return keys


def _violations(ctxs: list[RuleContext]) -> list[str]:
    bad = []
    for base in ctxs:
        for kind, values in PLAUSIBLE.items():
            if kind == VERSION and any(t.style != "synthetic" and t.text.rsplit("/", 1)[-1] == "vllm"
                                       for t in base.launch.program):
                values = tuple(v for v in values if releases.release(v).console_script)  # `vllm serve` is 0.5.2+
            doubted = RuleContext(base.launch, base.src, base.config, base.options, base.file_gpu,
                                  base.file_version, doubt={kind: values})
            fact = {VERSION: doubted.version_fact, ENTRYPOINT: doubted.entrypoint_fact, GPU: doubted.gpu_fact,
                    MODEL: doubted.model_fact}[kind]
            if fact is None:
                continue
            for err in _settled_errors(doubted):
                for alt in fact.alternatives:
                    there = doubted.in_world(World((((kind, ""), alt),)))
                    if _key(err) not in _errors_under(there):
                        bad.append(f"{err.path}:{err.line} {err.rule} stays an error with {kind} doubted, "
                                   f"but is not one when it is {getattr(alt, 'key', alt)}: {err.message[:160]}")
                        break
    return bad


def _launches(paths: list[Path]) -> list[RuleContext]:
    return lint_paths(paths, LintOptions()).launches


def test_no_error_rests_on_a_doubted_fact_in_the_rule_examples(tmp_path):
    paths = []
    for n, (meta, kind, ex) in enumerate(iter_examples()):
        if kind != "bad" or meta.id.startswith("VL0"):
            continue
        paths.append(write_example(tmp_path / f"{meta.id}-{n}", ex))
    bad = _violations(_launches(paths))
    assert not bad, "\n".join(bad)


def test_no_error_rests_on_a_doubted_fact_in_the_examples():
    bad = _violations(_launches([ROOT / "examples"]))
    assert not bad, "\n".join(bad)


@pytest.mark.slow  # every launch of the fixture trees (150) under every doubted fact
def test_no_error_rests_on_a_doubted_fact_in_the_fixtures():
    bad = _violations(_launches([ROOT / "tests" / "fixtures"]))
    assert not bad, "\n".join(bad)


REPOS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []


@pytest.mark.shared
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
# every fourth repository in the default run; -m slow runs the others
@pytest.mark.parametrize("repo", [pytest.param(r, marks=() if i % 4 == 0 else pytest.mark.slow) for i, r in enumerate(REPOS)])
def test_no_error_rests_on_a_doubted_fact_in_the_corpus(repo):
    cwd = os.getcwd()
    os.chdir(CORPUS)
    try:
        bad = _violations(_launches([Path(repo)]))
    finally:
        os.chdir(cwd)
    assert not bad, "\n".join(bad)
