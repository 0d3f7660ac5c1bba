"""vLLM release numbers: parsing, ordering, and reading them from image tags."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

KNOWN_VERSIONS: tuple[str, ...]  # every release with a flag table, oldest first (data/releases.json)
NEWEST: str  # the newest release read


@lru_cache(maxsize=1)
def _known() -> tuple[str, ...]:
    index = json.loads((Path(__file__).resolve().parent / "data" / "releases.json").read_text("utf-8"))
    return tuple(r["version"] for r in index["releases"])


def __getattr__(name: str):  # read the release index on first use only (PEP 562)
    if name == "KNOWN_VERSIONS":
        return _known()
    if name == "NEWEST":
        return _known()[-1]
    raise AttributeError(name)

_VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[.-]?post(\d+))?")


@lru_cache(maxsize=1024)  # called for every version comparison of every rule (hot in big trees)
def parse_version(text: str) -> tuple[int, int, int, int] | None:
    """``"0.6.6.post1"`` -> (0, 6, 6, 1); ``"0.10.1.1"`` -> (0, 10, 1, 1); ``"v0.8.3"`` -> (0, 8, 3, 0);
    None when it is not a version. The fourth number is the post release or vLLM's four-part
    release number (0.9.0.1, 0.10.1.1): both come after X.Y.Z and before X.Y.Z+1, and no release
    has both. Anything after the number (``rc1``, ``+rhai1``, ``.dev12``) is ignored."""
    m = _VERSION_RE.match(text.strip())
    if not m:
        return None
    major, minor, patch, micro, post = m.groups()
    return int(major), int(minor), int(patch or 0), int(micro or post or 0)


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
_FORK_TAG_VERSION = re.compile(r"(?:^|vllm[_-])v?(\d+\.\d+\.\d+(?:\.\d+)?(?:\.?post\d+)?)(?=$|[-_+])")


def version_from_image(image: str) -> str | None:
    """The vLLM release an image runs, when its name says so.

    Official images: ``vllm/vllm-openai:v0.6.3`` -> ``0.6.3``; ``latest``/``nightly`` -> the newest
    release known. Other images whose name mentions vLLM: the release written in the tag
    (``v0.6.2-distributed`` -> ``0.6.2``, ``rocm6.4.1_vllm_0.10.1_2025`` -> ``0.10.1``); their
    ``latest`` says nothing, since a fork's latest need not be vLLM's. Anything else: None.
    """
    image = image.strip()
    if _OFFICIAL_RE.match(image + ":latest") and ":" not in image.rsplit("/", 1)[-1] and "@" not in image:
        return _known()[-1]  # no tag is docker's `latest`
    m = _OFFICIAL_RE.match(image)
    if m:
        tag = m.group("tag")
        if tag in ("latest", "nightly") or tag.startswith("nightly"):
            return _known()[-1]
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
