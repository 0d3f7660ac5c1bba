"""What a container image runs when only arguments are given (its ENTRYPOINT).

Source: /work/shared/knowledge/vllm-flag-history.md, "Official docker image vllm/vllm-openai":
older ``vllm/vllm-openai`` images use ``ENTRYPOINT ["python3", "-m",
"vllm.entrypoints.openai.api_server"]`` (confirmed by maintainers in vllm issue #17172, still
true for ``:latest`` in Jan 2026 per PR #32292); newer images use ``ENTRYPOINT ["vllm", "serve"]``
(verified on ``:latest`` = 0.26.0, July 2026). The exact switch release is not pinned down
(somewhere after ~0.15); ``SERVE_ENTRYPOINT_SINCE`` is the one place that decides, and launches
on releases in the uncertain window get ``facts["image_entrypoint_uncertain"]``.
The ``vllm/vllm-openai-xpu`` image still used the api_server module in Aug 2026.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vllm_lint.launch import Token
from vllm_lint.vllm.versions import at_least, version_from_image

SERVE_ENTRYPOINT_SINCE = "0.26.0"  # first release known to ship ENTRYPOINT ["vllm", "serve"]
UNCERTAIN_SINCE = "0.15.0"  # releases in [UNCERTAIN_SINCE, SERVE_ENTRYPOINT_SINCE) may have either

API_SERVER_PROGRAM = ("python3", "-m", "vllm.entrypoints.openai.api_server")
SERVE_PROGRAM = ("vllm", "serve")

_OFFICIAL = re.compile(r"^(?:(?:docker\.io|index\.docker\.io|public\.ecr\.aws/[\w-]+|ghcr\.io)/)?vllm/vllm-openai(?P<variant>-[\w-]+)?(?::|@|$)")


@dataclass(frozen=True, slots=True)
class ImageEntrypoint:
    program: tuple[str, ...]
    entrypoint: str  # serve | api_server
    uncertain: bool = False
    reason: str = ""

    def tokens(self) -> list[Token]:
        """Synthetic tokens (no span: not written in the linted file)."""
        return [Token(text=w, span=None, raw=None, style="synthetic", origin="image") for w in self.program]


def split_image(image: str) -> tuple[str, str | None]:
    """``repo/name:tag`` -> (``repo/name``, ``tag``); digests and registry ports handled."""
    ref = image.split("@", 1)[0]
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        return ref[:colon], ref[colon + 1:]
    return ref, None


def is_vllm_image(image: str | None) -> bool:
    """True for images known to run vLLM (official images and common forks)."""
    if not image:
        return False
    name = split_image(image)[0].lower()
    return bool(_OFFICIAL.match(image)) or name.endswith("/vllm-openai") or name.endswith("/vllm") or "vllm" in name.rsplit("/", 1)[-1]


def image_entrypoint(image: str | None) -> ImageEntrypoint | None:
    """The ENTRYPOINT of an official ``vllm/vllm-openai`` image, or None when unknown.

    Only official images are modelled; forks (``lmcache/vllm-openai``, ``rocm/vllm``, NGC) are
    not guessed.
    """
    if not image or "$" in image or "{{" in image:
        return None
    m = _OFFICIAL.match(image)
    if not m:
        return None
    variant = m.group("variant") or ""
    if variant.startswith("-xpu"):
        return ImageEntrypoint(API_SERVER_PROGRAM, "api_server", reason="vllm-openai-xpu uses the api_server module")
    _, tag = split_image(image)
    version = version_from_image("vllm/vllm-openai:" + (tag or "latest"))
    if tag is None or version is None:
        # untagged means :latest; an unparseable tag (a commit sha, a custom build) is a guess
        if tag is None:
            return ImageEntrypoint(SERVE_PROGRAM, "serve", reason="untagged image is :latest")
        return ImageEntrypoint(SERVE_PROGRAM, "serve", uncertain=True, reason=f"tag {tag!r} does not name a release")
    if at_least(version, SERVE_ENTRYPOINT_SINCE):
        return ImageEntrypoint(SERVE_PROGRAM, "serve")
    uncertain = at_least(version, UNCERTAIN_SINCE)
    return ImageEntrypoint(API_SERVER_PROGRAM, "api_server", uncertain=uncertain,
                           reason=("the release that switched the image ENTRYPOINT to `vllm serve` is not known"
                                   if uncertain else ""))


def entrypoint_words(image: str | None) -> list[str] | None:
    """The image ENTRYPOINT as words, or None when the image is not modelled."""
    ep = image_entrypoint(image)
    return list(ep.program) if ep else None


def cmd_words(image: str | None) -> list[str] | None:
    """The image CMD as words: official vLLM images have none ([]); None when not modelled."""
    return [] if image_entrypoint(image) else None
