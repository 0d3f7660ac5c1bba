from __future__ import annotations

from pathlib import Path

import pytest

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


def pytest_collection_modifyitems(config, items):
    if (SHARED / "corpus").is_dir():
        return
    skip = pytest.mark.skip(reason="../shared is not present")
    for item in items:
        if "shared" in item.keywords:
            item.add_marker(skip)
