"""The `rev:` of the pre-commit snippet and the `@ref` of the GitHub Action snippet name something
that exists: a tag of this repository, or (until a release is tagged) a commit of its history that
holds the hook manifest and the action."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)


def _refs() -> list[tuple[str, str]]:
    doc = (ROOT / "docs" / "github.md").read_text(encoding="utf-8")
    rev = re.search(r"repo: https://github\.com/vllm-lint/vllm-lint\n\s+rev: (\S+)", doc)
    uses = re.search(r"uses: vllm-lint/vllm-lint@(\S+)", doc)
    assert rev and uses
    return [(rev.group(1), ".pre-commit-hooks.yaml"), (uses.group(1), "action.yml")]


@pytest.mark.parametrize("ref,needs", _refs())
def test_snippet_ref_exists(ref, needs):
    if _git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout")
    if ref in _git("tag", "--list").stdout.split():
        return
    assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{ref!r} is neither a tag of this repository nor a full commit sha"
    if _git("cat-file", "-e", f"{ref}^{{commit}}").returncode != 0:
        if _git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
            pytest.skip("shallow clone: older commits are not here")
        pytest.fail(f"{ref} is not a commit of this repository")
    assert _git("merge-base", "--is-ancestor", ref, "HEAD").returncode == 0, f"{ref} is not in HEAD's history"
    assert _git("cat-file", "-e", f"{ref}:{needs}").returncode == 0, f"{needs} is missing at {ref}"


def test_readme_snippets_say_why_a_sha():
    doc = (ROOT / "docs" / "github.md").read_text(encoding="utf-8")
    for ref, _ in _refs():
        if re.fullmatch(r"[0-9a-f]{40}", ref):
            assert "no release is tagged yet" in doc
