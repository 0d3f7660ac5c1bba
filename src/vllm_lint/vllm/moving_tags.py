"""Whether an image tag moves: each pull may bring another vLLM build.

Decided from ``image_evidence`` rather than from a list of tag words: a tag of the vLLM project's
repositories (or of a vendor whose tags are mapped) that names no single release and is open above
(``latest``, ``latest-x86_64-cu130``, ``nightly``, ``cu130-nightly-x86_64``) is retagged by every
release or nightly build. A tag that names a commit or a build date (``nightly-<sha>``,
``nightly_main_20250120``) is one fixed build, however it was made. A vendor tag that names no
release at all moves when one of its words says so (``rocm/vllm:latest``, ``rocm/vllm:instinct_main``).
"""

from __future__ import annotations

import re

from vllm_lint.vllm.evidence import date_in
from vllm_lint.vllm.image_evidence import image_evidence

# Words a registry uses for a channel that is retagged (only for tags that name no release).
CHANNEL_WORDS = frozenset({"latest", "nightly", "main", "master", "dev", "edge", "stable"})
_COMMIT = re.compile(r"g?[0-9a-f]{7,40}")


def fixed_build(tag: str) -> bool:
    """True when the tag names one build: a word that is a commit hash, or a date."""
    if any(_COMMIT.fullmatch(word) for word in re.split(r"[-_.]", tag.lower())):
        return True
    return date_in(tag) is not None


def moving_tag(image: str) -> bool:
    """True when ``image``'s written tag is a moving one of a vLLM or mapped vendor repository."""
    ev = image_evidence(image)
    tag = ev.tag
    if not tag or ev.family is None or fixed_build(tag):
        return False
    if ev.version.exact is not None:
        return False
    if ev.version.known:
        return ev.version.releases.open_above
    return bool(CHANNEL_WORDS & set(re.split(r"[-_.]", tag.lower())))
