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


_OFFICIAL_RE = re.compile(
    r"^(?:(?:docker\.io|index\.docker\.io|public\.ecr\.aws/[\w-]+|ghcr\.io)/)?vllm/vllm-openai(?:-[\w-]+)?:(?P<tag>[^@\s]+)"
)
# Forks and rebuilds (aibrix/vllm-openai:v0.6.2-distributed, substratusai/vllm:v0.6.4.post1-tpu,
# rocm/vllm:rocm6.4.1_vllm_0.10.1_20250909) name the release they carry in the tag.
_FORK_RE = re.compile(r"(?:^|/)[\w.-]*vllm[\w.-]*:(?P<tag>[^@\s]+)")
_FORK_TAG_VERSION = re.compile(r"(?:^|vllm[_-])v?(\d+\.\d+\.\d+(?:\.?post\d+)?)(?=$|[-_+])")


def version_from_image(image: str) -> str | None:
    """The vLLM release an image runs, when its name says so.

    Official images: ``vllm/vllm-openai:v0.6.3`` -> ``0.6.3``; ``latest``/``nightly`` -> the newest
    release known. Other images whose name mentions vLLM: the release written in the tag
    (``v0.6.2-distributed`` -> ``0.6.2``, ``rocm6.4.1_vllm_0.10.1_2025`` -> ``0.10.1``); their
    ``latest`` says nothing, since a fork's latest need not be vLLM's. Anything else: None.
    """
    image = image.strip()
    if _OFFICIAL_RE.match(image + ":latest") and ":" not in image.rsplit("/", 1)[-1] and "@" not in image:
        return NEWEST  # no tag is docker's `latest`
    m = _OFFICIAL_RE.match(image)
    if m:
        tag = m.group("tag")
        if tag in ("latest", "nightly") or tag.startswith("nightly"):
            return NEWEST
        return _version_in_tag(tag)
    m = _FORK_RE.search(image)
    if m:
        return _version_in_tag(m.group("tag"))
    return None


def _version_in_tag(tag: str) -> str | None:
    m = _FORK_TAG_VERSION.search(tag)
    if not m:
        return None
    v = m.group(1)
    return v if parse_version(v) else None
