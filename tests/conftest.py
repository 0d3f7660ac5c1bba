from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# CI (.ci/run) sets HYPOTHESIS_PROFILE=ci: the same examples on every run, no deadline and no
# speed health check (a loaded 2-core runner must not turn slowness into a failure), and no
# example database carried between runs. A test's own max_examples still wins.
settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=100, database=None,
    suppress_health_check=[HealthCheck.too_slow], print_blob=True,
)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout; tests that need it are marked `shared` and skip without it."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared is not present (reference material; CI has it)")
    return SHARED


@pytest.fixture(scope="session")
def corpus_lint(shared_dir):
    """``corpus_lint(gpu)``: the LintResult of ``vllm-lint .`` run inside ../shared/corpus with that
    --gpu (None: no --gpu), linted once per session and shared: tests must not change it."""
    from vllm_lint.lint import LintOptions, lint_paths
    from vllm_lint.resolve.context import RunOptions

    results = {}

    def lint(gpu: str | None = None):
        if gpu not in results:
            cwd = os.getcwd()
            os.chdir(shared_dir / "corpus")
            try:
                results[gpu] = lint_paths([Path(".")], LintOptions(run=RunOptions(gpu=gpu)))
            finally:
                os.chdir(cwd)
        return results[gpu]

    return lint


def pytest_collection_modifyitems(config, items):
    if (SHARED / "corpus").is_dir():
        return
    skip = pytest.mark.skip(reason="../shared is not present")
    for item in items:
        if "shared" in item.keywords:
            item.add_marker(skip)
