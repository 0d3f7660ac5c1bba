"""The vLLM release a launch runs, as a fact: the candidate releases and how they are known.

Evidence (``vllm.evidence``, ``vllm.image_evidence``), strongest first:
* the tag of an image that publishes vLLM releases (``vllm/vllm-openai:v0.9.2``, ROCm and vendor
  images with a published mapping): one release, *trusted*; a moving tag (``latest``,
  ``nightly``) of vLLM's own images is the newest release, as pulled now;
* what the user states: a ``# vllm-lint: vllm-version=`` directive, ``--vllm-version``, the
  configuration: *stated*;
* what the deployment implies, combined: a date in the tag (a build of that day), a ``vllm==X``
  pin or ``pip install vllm==X`` in the file or a requirements file / pyproject beside it, a
  versioned install path, OpenShift AI's runtime-version annotation, ``VLLM_USE_V1=0`` (the V0
  engine, up to 0.10.2), running the ``vllm serve`` command (0.5.2 on): one release (*trusted*)
  or a range of candidates;
* nothing: every release vllm-lint has read is a candidate.

With several candidates the checks read the newest one as an *assumed* reading and the other
candidates are its alternatives, so a finding that holds only for some releases is at most a
warning naming them (``rules.certainty``); a custom tag or ``${VLLM_VERSION}`` never becomes the
newest release as a fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

from vllm_lint.resolve.facts import VERSION, Certainty, Fact
from vllm_lint.vllm import releases
from vllm_lint.vllm.evidence import EXACT, UNKNOWN, VersionEvidence, combine, from_environment, from_text
from vllm_lint.vllm.image_evidence import image_evidence
from vllm_lint.vllm.releases import ReleaseSet
from vllm_lint.vllm.versions import parse_version


@dataclass(frozen=True, slots=True)
class ReleaseReading:
    """The releases a launch may run and the one its checks read.

    ``assumed`` is the exact release when the evidence pins one, else the newest candidate;
    ``certainty`` is ASSUMED whenever there is more than one candidate.
    """

    candidates: tuple[str, ...]
    assumed: str
    certainty: Certainty
    source: str  # where the release came from, for messages
    patched: bool = False  # a vendor's build of the release: it may carry options of later releases

    @property
    def exact(self) -> str | None:
        return self.assumed if self.certainty.certain else None


def all_releases() -> tuple[str, ...]:
    """Every release vllm-lint can check against, oldest first."""
    return releases.release_versions()


_MOVING = re.compile(r"^(?:latest|nightly)(?:$|-(?![0-9a-f]{7,40}(?:-|$)))")


def image_release(image: str | None) -> VersionEvidence | None:
    """What an image reference says about the vLLM release; a moving tag of vLLM's own images is
    the newest release (as pulled now). None for no image or an unexpanded one."""
    if not image or "$" in image or "{{" in image:
        return None
    ev = image_evidence(image)
    if ev.official and ev.version.kind != EXACT and _MOVING.match(ev.tag or "latest") and ev.version.kind != UNKNOWN:
        newest = releases.newest()
        return VersionEvidence(EXACT, ReleaseSet((newest,)), "", ev.version.provenance)
    return ev.version


def _older_release(image: str | None) -> str | None:
    """The release an official vLLM image's tag names when it is older than every release read."""
    if not image or "$" in image or "{{" in image:
        return None
    ev = image_evidence(image)
    claimed = ev.version.claimed
    if not ev.official or not claimed or parse_version(claimed) is None:
        return None
    return claimed if parse_version(claimed) < (parse_version(releases.oldest()) or (0,)) else None


def read_release(
    *,
    image: str | None,
    stated: list[tuple[str | None, str]],
    texts: Iterable[tuple[str, str]] = (),
    env: Mapping[str, str] | None = None,
    runs_vllm_serve: bool = False,
) -> ReleaseReading:
    """The release reading of a launch. ``stated`` lists (version, where) the user gave, in order of
    precedence (directive, --vllm-version, configuration); ``texts`` (text, where) are the linted
    file and the requirement files beside it; ``env`` the launch's literal environment;
    ``runs_vllm_serve``: the file itself runs the ``vllm serve`` command."""
    from_image = image_release(image)
    old = _older_release(image)
    if old is not None:
        # vLLM's own image of a release older than every flag table (0.3-0.4.2): the release is
        # certain; its flags are read from the oldest table, as the capacity estimate covers it
        return ReleaseReading((old,), old, Certainty.TRUSTED, f"image tag {image}")
    if from_image is not None and from_image.kind == EXACT:
        version = str(from_image.releases.exact)
        # a vendor's build of a release (AIBrix, ROCm, RHAIIS) patches kernels and integrations, not
        # the server's parser: its release is the one the mapping names
        where = f"image tag {image}" + (f" (a vendor build of vLLM {version})" if from_image.patched else "")
        return ReleaseReading((version,), version, Certainty.TRUSTED, where, patched=from_image.patched)
    for value, where in stated:
        if value and parse_version(value):
            return ReleaseReading((value,), value, Certainty.STATED, where)
    pieces = [from_image, *(from_text(text, where=where) for text, where in texts),
              from_environment(dict(env or {}))]
    found = combine(*(p for p in pieces if p is not None))
    if found.kind == EXACT:
        version = str(found.releases.exact)
        return ReleaseReading((version,), version, Certainty.TRUSTED if not found.patched else Certainty.ASSUMED,
                              found.describe())
    candidates = tuple(found.releases) if found.kind != UNKNOWN else all_releases()
    why = found.describe() if found.kind != UNKNOWN else (found.reason or "no image tag or pin names the release")
    if runs_vllm_serve:
        candidates = tuple(v for v in candidates if (r := releases.release(v)) is None or r.console_script) or candidates
    if not candidates:
        candidates = all_releases()
    if len(candidates) == 1:
        return ReleaseReading(candidates, candidates[0], Certainty.DERIVED, why)
    # the release an image's tag claims without a published mapping (substratusai/vllm:v0.6.4.post1-tpu)
    # is the likeliest reading: checks read it, and the other candidates stay alternatives
    claimed = releases.canonical(from_image.claimed) if from_image is not None and from_image.claimed else None
    if claimed in candidates:
        return ReleaseReading(candidates, claimed, Certainty.ASSUMED, f"{why}; its tag says {claimed}")
    return ReleaseReading(candidates, candidates[-1], Certainty.ASSUMED, why)


_REQUIREMENT_FILES = ("requirements.txt", "requirements-gpu.txt", "requirements-cuda.txt", "pyproject.toml")
_MAX_REQUIREMENTS = 256 * 1024


@lru_cache(maxsize=256)
def requirement_files(folder: Path) -> tuple[tuple[str, str], ...]:
    """(text, name) of the files beside a launch that may pin vLLM (requirements, pyproject)."""
    out = []
    for name in _REQUIREMENT_FILES:
        path = folder / name
        try:
            if path.is_file() and path.stat().st_size <= _MAX_REQUIREMENTS:
                out.append((path.read_text("utf-8", errors="replace"), name))
        except OSError:
            continue
    return tuple(out)


def version_fact(reading: ReleaseReading) -> Fact[str]:
    """The version fact: certain when one release is known, else assumed with the other
    candidates as its alternatives."""
    if reading.certainty.certain:
        return Fact(VERSION, reading.assumed, reading.certainty, reading.source)
    others = tuple(v for v in reading.candidates if v != reading.assumed)
    return Fact(VERSION, reading.assumed, Certainty.ASSUMED, reading.source,
                assumption=f"if it runs vLLM {reading.assumed}: the release is not known ({reading.source})",
                alternatives=others)


def describe_releases(subset: list[str], universe: tuple[str, ...] | None = None) -> str:
    """Releases as runs of consecutive known releases: ``0.4.3-0.14.1, 0.20.0``."""
    order = list(universe or all_releases())
    pos = {v: i for i, v in enumerate(order)}
    known = sorted((v for v in set(subset) if v in pos), key=pos.__getitem__)
    runs: list[list[str]] = []
    for v in known:
        if runs and pos[v] == pos[runs[-1][-1]] + 1:
            runs[-1].append(v)
        else:
            runs.append([v])
    other = sorted(set(subset) - set(pos))
    parts = [r[0] if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs] + other
    return ", ".join(parts)
