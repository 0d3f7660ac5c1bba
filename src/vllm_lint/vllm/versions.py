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

# vLLM's releases before the release index's first (0.4.3), down to the oldest engine of the
# ground-truth logs (https://pypi.org/simple/vllm/): a user may name them (capacity estimates
# cover them), though no flag table does.
_OLDER_RELEASES: tuple[str, ...] = ("0.3.0", "0.3.1", "0.3.2", "0.3.3", "0.4.0", "0.4.0.post1", "0.4.1", "0.4.2")

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


@lru_cache(maxsize=1)
def _releases() -> tuple[str, ...]:
    """Every release a user may name, oldest first."""
    return tuple(sorted(set(_OLDER_RELEASES) | set(_known()), key=lambda r: (parse_version(r) or (0,), r)))


def known_release(text: str) -> str | None:
    """The release ``text`` names when vLLM published it and vllm-lint knows it (``v0.8.5`` ->
    ``0.8.5``, ``0.6.6-post1`` -> ``0.6.6.post1``); None otherwise."""
    canonical = re.sub(r"[.-]?post", ".post", text.strip().lstrip("vV"))
    return canonical if canonical in _releases() else None


def newest_of_line(text: str) -> str | None:
    """For a bare minor line (``0.19``, ``v0.8``): its newest release vllm-lint knows; else None."""
    if not re.fullmatch(r"v?\d+\.\d+", text.strip()):
        return None
    v = parse_version(text)
    line = [r for r in _releases() if v is not None and (parse_version(r) or ())[:2] == v[:2]]
    return line[-1] if line else None


def release_problem(text: str) -> str | None:
    """Why ``text`` is not a release a user may target, with the releases it could mean; None
    when it is one. A typed version that names no release would otherwise check every launch
    against a release that does not exist (a guess presented as a fact)."""
    if known_release(text) is not None:
        return None
    releases = _releases()
    known = f"{releases[0]} to {releases[-1]}"
    v = parse_version(text)
    if v is None:
        hint = f"; did you mean {releases[-1]}, the newest?" if text.strip().lower() in ("latest", "newest", "nightly") else ""
        return f"{text!r} is not a vLLM release number such as {releases[-1]}{hint}"
    line = [r for r in releases if (parse_version(r) or ())[:2] == v[:2]]
    if line:
        return f"{text!r} is not a vLLM release; the {v[0]}.{v[1]} releases are {', '.join(line)}"
    if v > (parse_version(releases[-1]) or v):
        return f"{text!r} is newer than every release vllm-lint knows ({known}); a newer vllm-lint may know it"
    if v < (parse_version(releases[0]) or v):
        return f"{text!r} is older than the releases vllm-lint checks ({known})"
    return f"{text!r} is not a vLLM release (vllm-lint knows {known})"


def release_suggestions(text: str, limit: int = 3) -> list[str]:
    """Up to ``limit`` releases ``text`` most likely meant: the newest of its minor line, or the
    nearest known releases by number."""
    releases = _releases()
    v = parse_version(text)
    if v is None:
        return []
    line = [r for r in releases if (parse_version(r) or ())[:2] == v[:2]]
    if line:
        return line[::-1][:limit]
    ordered = sorted(releases, key=lambda r: abs(_as_number(parse_version(r)) - _as_number(v)))
    return ordered[:limit] if v <= (parse_version(releases[-1]) or v) and v >= (parse_version(releases[0]) or v) else []


def _as_number(v: tuple[int, ...] | None) -> float:
    v = v or (0, 0, 0, 0)
    return v[0] * 1e6 + v[1] * 1e3 + v[2]
