"""What the extract stage produces: one ``Launch`` per vLLM engine start found in a file.

Nothing downstream of extraction knows which file format a flag came from; it sees tokens
with spans, and a ``style`` that tells the fixer how to write a replacement in that place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Collection

from vllm_lint.span import Span


@dataclass(slots=True)
class Token:
    """One argv word as vLLM will receive it.

    ``text`` is the effective value after variable expansion; ``raw`` is what the file says
    at ``span`` (they differ when a ``${VAR:-x}`` default or ``$(VAR)`` was expanded).
    ``symbolic`` is true when part of the value could not be resolved statically.

    ``style`` is how the token is written in its file; the fixer renders replacements accordingly:

    - ``argv``: a plain argv word (YAML list item, shell word, exec-form JSON item)
    - ``argv-eq``: the flag half of "--flag=value" inside one word (span covers only the flag)
    - ``helm-key``: a chart values key that the chart renders as a flag (camelCase or snake_case)
    - ``config-key``: a key of a vLLM --config YAML file or of Ray Serve engine_kwargs (snake_case)
    - ``synthetic``: not written in the file (image ENTRYPOINT, chart template default); no span edits

    ``condition`` says when the word is passed at all, for a word behind a shell guard
    (``"when REVISION is set"`` for ``${REVISION:+--revision "$REVISION"}``, ``"when [ -n "$X" ]
    succeeds"``); None when it always is. Such a flag is still checked for existence and
    spelling, but a finding about it holds only under that condition.
    """

    text: str
    span: Span | None = None
    raw: str | None = None
    style: str = "argv"
    symbolic: bool = False
    origin: str = "file"
    condition: str | None = None


EDITABLE_STYLES = ("argv", "argv-eq", "config-key", "helm-key")


def is_editable(tok: Token | None, styles: Collection[str] = EDITABLE_STYLES, *, as_written: bool = False) -> bool:
    """True when an edit at ``tok.span`` changes what vLLM receives: the token is written in a
    file (it has a span), nothing in it is left unresolved, and its style is one of ``styles``.
    With ``as_written``, its text in the file must also be its value, quotes aside (no variable
    was expanded, so replacing the span replaces exactly the value)."""
    if tok is None or tok.span is None or tok.symbolic or tok.style not in styles:
        return False
    return not as_written or (tok.raw or tok.text).strip("'\"") == tok.text


@dataclass(slots=True)
class GpuRequest:
    """How many GPUs of which kind a launch asks for or can see, and from which mechanism.

    ``count`` is None when it cannot be known; it may be fractional (``requestGPU: 0.5``).
    ``all_visible`` is true for ``count: all`` / ``--gpus all`` / ``NVIDIA_VISIBLE_DEVICES=all``.
    ``product`` is any hint naming the GPU model (k8s product label, GKE accelerator, instance
    type, ``A100:8``, production-stack ``requestGPUType``), resolved later by ``hardware``.
    """

    count: float | None = None
    count_span: Span | None = None
    all_visible: bool = False
    device_ids: list[str] | None = None
    product: str | None = None
    product_span: Span | None = None
    mig_profile: str | None = None
    mechanism: str | None = None
    notes: list[str] = field(default_factory=list)
    # The host GPUs the container runtime (or the host) exposes before CUDA_VISIBLE_DEVICES narrows
    # inside the process: ["all"] or device ids; None when no GPU reaches the process or not known.
    exposed: list[str] | None = None


@dataclass(slots=True)
class EnvValue:
    value: str
    span: Span | None = None
    symbolic: bool = False


@dataclass(slots=True)
class Insertion:
    """Where and how to add new flags to a launch in the syntax of its surroundings.

    ``render`` turns a list of argv words (``["--max-model-len", "8192"]``) into the exact text
    to insert at ``offset``; it knows the list style, indentation and quoting of the place.
    """

    path: str
    offset: int
    render: Callable[[list[str]], str]


# Entry points vLLM can be started through; the flag parser needs to know which.
ENTRYPOINTS = (
    "serve",  # vllm serve [model] ...
    "api_server",  # python -m vllm.entrypoints.openai.api_server
    "legacy_api_server",  # python -m vllm.entrypoints.api_server (demo server)
    "engine_kwargs",  # a mapping of engine args (Ray Serve LLM, vLLM --config file, chart keys)
)


@dataclass(slots=True)
class Launch:
    """One vLLM engine start: the arguments vLLM would receive and everything around them."""

    path: str
    name: str
    source: str  # format that produced it: compose, shell, kubernetes, helm, dockerfile, ...
    span: Span  # the launch as a whole (a diagnostic with no better place points here)
    entrypoint: str = "serve"
    program: list[Token] = field(default_factory=list)  # e.g. ["vllm", "serve"] or ["python3", "-m", "vllm.entrypoints.openai.api_server"]
    args: list[Token] = field(default_factory=list)  # everything after the program
    env: dict[str, EnvValue] = field(default_factory=dict)
    image: str | None = None
    image_span: Span | None = None
    vllm_version: str | None = None  # from the image tag, when it tells
    gpu: GpuRequest = field(default_factory=GpuRequest)
    replicas: int | None = None
    insertion: Insertion | None = None
    # Orchestrator facts later rules need (ipc: host, shm_size, /dev/shm volume, ports, nodes...).
    facts: dict[str, object] = field(default_factory=dict)
    unknowns: list[str] = field(default_factory=list)  # what could not be resolved, in words
