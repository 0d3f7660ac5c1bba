"""What a container image runs when only arguments are given (its ENTRYPOINT).

The facts live in ``vllm_lint.vllm.image_evidence``: the ENTRYPOINT of vLLM's official images is
read per release from each release's own Dockerfile (``data/image_entrypoints.json``):
``python3 -m vllm.entrypoints.openai.api_server`` up to 0.11.0 and ``vllm serve`` from 0.11.1 on
the CUDA, CPU and XPU images, ``vllm serve`` on every ROCm release image (0.14.0+). A release
whose sdist has no Dockerfile (0.15.x) gets its neighbours' ENTRYPOINT, marked uncertain; so does
a tag whose releases disagree (``nightly-<sha>``). Moving tags (``latest``, ``nightly``) are taken
as pulled now: the newest release's ENTRYPOINT.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vllm_lint.launch import Token
from vllm_lint.vllm import releases
from vllm_lint.vllm.image_evidence import entrypoint_for, image_evidence
from vllm_lint.vllm.releases import ReleaseSet

API_SERVER_PROGRAM = ("python3", "-m", "vllm.entrypoints.openai.api_server")
SERVE_PROGRAM = ("vllm", "serve")

_OFFICIAL = re.compile(r"^(?:(?:docker\.io|index\.docker\.io|public\.ecr\.aws/[\w-]+|ghcr\.io)/)?vllm/vllm-openai(?P<variant>-[\w-]+)?(?::|@|$)")
_MOVING = ("latest", "nightly")


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


# Programs a container's arguments start with when they replace the image's command instead of
# extending a `vllm serve` ENTRYPOINT (`ray start --head`, `python app.py`, `bash -c ...`).
_PROGRAMS = frozenset({
    "ray", "python", "python3", "bash", "sh", "dash", "zsh", "env", "exec", "sleep", "tail", "cat", "echo",
    "uvicorn", "gunicorn", "jupyter", "torchrun", "deepspeed", "accelerate", "pip", "pip3", "uv", "conda",
    "supervisord", "tini", "dumb-init", "nginx", "huggingface-cli", "hf", "tritonserver", "sglang"})


def starts_with_program(words: list[str]) -> bool:
    """True when container arguments begin with a program or script rather than vLLM options or
    a model: an image whose ENTRYPOINT is not known then runs that program, not `vllm serve`."""
    if not words:
        return False
    first = words[0].strip()
    if not first or first.startswith("-") or "$" in first or "{{" in first:
        return False
    return first.rsplit("/", 1)[-1] in _PROGRAMS or first.endswith((".sh", ".py"))


def image_entrypoint(image: str | None) -> ImageEntrypoint | None:
    """The ENTRYPOINT of one of vLLM's official images, or None when the image is not modelled.

    Forks and vendor images (``lmcache/vllm-openai``, ``rocm/vllm``, NGC) are not guessed.
    """
    if not image or "$" in image or "{{" in image:
        return None
    ev = image_evidence(image)
    if not ev.official or ev.family is None:
        return None
    fact = ev.entrypoint
    moving = (ev.tag or "latest").split("-")[0] in _MOVING and not re.search(r"-[0-9a-f]{7,40}(?:-|$)", ev.tag or "")
    if moving and ev.version.known:
        # a moving tag is whatever was pulled: take it as pulled now
        fact = entrypoint_for(ev.family, ReleaseSet((releases.newest(),)))
        if fact.program is not None:
            return ImageEntrypoint(fact.program, fact.kind or "serve",
                                   reason=f"{ev.tag or 'untagged'} taken as the newest release, {releases.newest()}")
    if fact.program is None or fact.kind not in ("serve", "api_server"):
        why = fact.reason if ev.version.known else ev.version.reason
        return ImageEntrypoint(SERVE_PROGRAM, "serve", uncertain=True, reason=why)
    return ImageEntrypoint(fact.program, fact.kind, uncertain=not fact.certain, reason="" if fact.certain else fact.reason)


def entrypoint_words(image: str | None) -> list[str] | None:
    """The image ENTRYPOINT as words, or None when the image is not modelled."""
    ep = image_entrypoint(image)
    return list(ep.program) if ep else None


def cmd_words(image: str | None) -> list[str] | None:
    """The image CMD as words: official vLLM images have none ([]); None when not modelled."""
    return [] if image_entrypoint(image) else None
