"""vLLM release numbers: parsing, ordering, and reading them from image tags."""

from __future__ import annotations

import re
from functools import lru_cache

# Releases whose flag tables ship with vllm-lint (each minor line's last patch that was read).
KNOWN_VERSIONS: tuple[str, ...] = (
    "0.4.3", "0.5.5", "0.6.6.post1", "0.7.3", "0.8.3", "0.8.5.post1", "0.9.2", "0.10.2", "0.11.2",
    "0.14.1", "0.18.1", "0.19.1", "0.20.0", "0.20.2", "0.22.1", "0.26.0", "0.30.0", "0.32.0", "0.33.0",
)
NEWEST = KNOWN_VERSIONS[-1]

_VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:\.?post(\d+))?")


@lru_cache(maxsize=1024)  # called for every version comparison of every rule (hot in big trees)
def parse_version(text: str) -> tuple[int, int, int, int] | None:
    """``"0.6.6.post1"`` -> (0, 6, 6, 1); ``"v0.8.3"`` -> (0, 8, 3, 0); None when it is not a version."""
    m = _VERSION_RE.match(text.strip())
    if not m:
        return None
    major, minor, patch, post = m.groups()
    return int(major), int(minor), int(patch or 0), int(post or 0)


def at_least(version: str, minimum: str) -> bool:
    """True when ``version`` is ``minimum`` or later (unparseable versions count as newest)."""
    v, m = parse_version(version), parse_version(minimum)
    if v is None or m is None:
        return True
    return v >= m


_IMAGE_RE = re.compile(r"(?:^|/)vllm(?:-openai)?(?:-[\w.]+)?:(?P<tag>[^@\s]+)")


def version_from_image(image: str) -> str | None:
    """The vLLM release an official image runs: ``vllm/vllm-openai:v0.6.3`` -> ``0.6.3``.

    ``latest``/``nightly`` map to the newest release known; other images say nothing.
    """
    m = _IMAGE_RE.search(image)
    if not m:
        return None
    tag = m.group("tag")
    if tag in ("latest", "nightly") or tag.startswith("nightly"):
        return NEWEST
    v = parse_version(tag)
    if v is None:
        return None
    return tag.lstrip("v").split("-")[0]
