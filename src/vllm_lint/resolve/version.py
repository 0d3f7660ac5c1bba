"""The vLLM release a launch runs, as a fact: the candidate releases and how they are known.

Evidence, first that says wins: the image tag (``launch.vllm_version``, set by the sources from
images known to publish vLLM releases), a ``# vllm-lint: vllm-version=`` directive, ``--vllm-version``,
the configuration. With none of them the release is not known: every release vllm-lint has read is a
candidate and the checks read the newest as an *assumed* reading, so a finding that holds only for
some releases is at most a warning naming them (``rules.certainty``). A custom tag or
``${VLLM_VERSION}`` never becomes the newest release as a fact.

``ReleaseEvidence`` is the interface the release tables answer (``candidates``: the releases the
evidence leaves, oldest first; ``exact``: the one release when it pins one); ``read_release`` turns
evidence into the version ``Fact`` the rules read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from vllm_lint.resolve.facts import VERSION, Certainty, Fact
from vllm_lint.vllm import versions


class ReleaseEvidence(Protocol):
    """What a piece of evidence says about the release (the release tables implement it)."""

    @property
    def candidates(self) -> tuple[str, ...]: ...

    @property
    def exact(self) -> str | None: ...


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

    @property
    def exact(self) -> str | None:
        return self.assumed if self.certainty.certain else None


def all_releases() -> tuple[str, ...]:
    """Every release vllm-lint can check against, oldest first."""
    return tuple(sorted(versions.KNOWN_VERSIONS, key=lambda v: versions.parse_version(v) or (0,)))


# An image whose repository is not vLLM's own names its vLLM release in the tag only when it is
# written as one: ``v0.6.2-distributed``, ``rocm6.4.1_vllm_0.10.1_2025``; a bare ``0.0.19`` or
# ``3.2.3`` is the image's own version.
_RELEASE_IN_TAG = re.compile(r"(?:^|[_-])(?:v|vllm[_-]v?)\d+\.\d+\.\d+")
_OFFICIAL = re.compile(r"^(?:(?:docker\.io|index\.docker\.io|public\.ecr\.aws/[\w-]+|ghcr\.io)/)?vllm/vllm-openai(?:-[\w-]+)?(?::|@|$)")


def image_says_release(image: str | None, version: str | None) -> bool:
    """True when ``version`` (read from ``image`` by the sources) is the vLLM release the image
    carries: an official ``vllm/vllm-openai`` tag, or a fork's tag that writes it as a release."""
    if not image or not version:
        return False
    if _OFFICIAL.match(image):
        return True
    tag = image.split("@", 1)[0].rpartition("/")[2].partition(":")[2]
    return bool(_RELEASE_IN_TAG.search("-" + tag))


def read_release(
    *,
    image: str | None,
    image_version: str | None,
    stated: list[tuple[str | None, str]],
    runs_vllm_serve: bool = False,
) -> ReleaseReading:
    """The release reading of a launch. ``stated`` lists (version, where) the user gave, in order
    of precedence (directive, --vllm-version, configuration); ``runs_vllm_serve``: the file itself
    runs the ``vllm serve`` command, which releases before 0.5.2 do not have."""
    everything = all_releases()
    if runs_vllm_serve:
        everything = tuple(v for v in everything if _has_serve_command(v)) or everything
    if image_version and versions.parse_version(image_version) and image_says_release(image, image_version):
        return ReleaseReading((image_version,), image_version, Certainty.TRUSTED, f"image tag {image}")
    for value, where in stated:
        if value and versions.parse_version(value):
            return ReleaseReading((value,), value, Certainty.STATED, where)
    why = (f"image {image} does not name a vLLM release" if image else "no image tag or pin names the release")
    return ReleaseReading(everything, everything[-1], Certainty.ASSUMED, why)


def _has_serve_command(version: str) -> bool:
    from vllm_lint.vllm.flags import flag_table

    return flag_table(version).prog is not None


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
