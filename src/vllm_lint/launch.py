"""What the extract stage produces: one ``Launch`` per vLLM engine start found in a file.

Nothing downstream of extraction knows which file format a flag came from; it sees tokens
with spans, and a ``style`` that tells the fixer how to write a replacement in that place.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
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
    written: float | None = None  # the count as written, when the platform renders another (requestGPU 0.5 -> none)
    accelerator: str | None = None  # tpu | neuron | cpu when the launch runs on no GPU vllm-lint models
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
    facts: "LaunchFacts" = field(default_factory=lambda: LaunchFacts())
    unknowns: list[str] = field(default_factory=list)  # what could not be resolved, in words


@dataclass(slots=True)
class LaunchFacts:
    """What the source found around the vLLM command that later stages need, one typed field each.

    Every field is None until a source sets it, so "not said" (None) differs from "said no"
    (False, an empty list). ``merged`` lays the fields another source set over these.
    """

    # -- container: Compose service, docker run, pod
    ipc: str | None = None  # compose/docker --ipc value as written
    ipc_host: bool | None = None  # the container shares the host IPC namespace (hostIPC, ipc: host)
    shm_size: str | None = None  # size of /dev/shm as written (shm_size, --shm-size, emptyDir sizeLimit)
    dev_shm_volume: bool | None = None  # a memory-backed volume is (True) / is not (False) mounted at /dev/shm
    shm_note: str | None = None  # who provides /dev/shm when the platform does (KubeRay), with its source
    ports: list[str] | None = None  # published or declared container ports as written
    mounts: dict[str, str] | None = None  # container path -> project path of a bind mount
    network_mode: str | None = None
    runtime_nvidia: bool | None = None  # compose runtime: nvidia
    profiles: list[str] | None = None  # compose profiles the service belongs to
    container_name: str | None = None
    container_cli: bool | None = None  # started by docker/podman run
    container_exec: str | None = None  # runs inside an existing container (docker exec NAME)
    runs_in_image: str | None = None  # the image a launch found in another file runs in
    shell_assigns: dict | None = None  # `NAME=value vllm serve ...` prefixes (moved into the env)

    # -- Kubernetes objects and platforms
    annotations: dict[str, str] | None = None
    ignore_checks: dict[str, Span | None] | None = None  # ignore-check.vllm-lint.io/<ID> annotations
    literal_dollar_env: list[tuple[str, Span | None]] | None = None  # env values with a literal $(VAR)
    group_literal_dollar_env: list | None = None  # the same in the other pods of the group (name, span, where)
    env_notes: list[str] | None = None
    group_size: int | None = None  # pods of one LeaderWorkerSet group
    nodes: int | None = None  # nodes (pods) one engine spans
    gpus_per_node: int | None = None  # GPUs of one node when the source says (SkyPilot)
    lws_role: str | None = None  # leader | worker | all (LeaderWorkerSet template)
    gpu_per_pod_note: str | None = None
    max_replicas: int | None = None
    kustomize_base: str | None = None  # the base this patch applies to
    kustomize_patch: bool | None = None  # a kustomize patch: the base holds the rest of the pod
    operator: str | None = None  # the controller that starts vLLM (production-stack VLLMRuntime)
    wrapper: str | None = None  # a program between the platform and vLLM (dynamo.vllm, huggingfaceserver)
    wrapper_args: list[str] | None = None  # the wrapper's own arguments
    wrapper_reads: list[str] | None = None  # environment variables the wrapper reads (sources/wrappers.py)
    component_type: str | None = None  # Dynamo component (worker, prefill, decode)
    runtime: str | None = None  # KServe serving runtime
    runtime_file: str | None = None  # the file holding the ServingRuntime the InferenceService names
    runtime_missing: str | None = None  # a runtime the InferenceService names that no file holds
    runtime_span: Span | None = None
    accelerator_choices: str | None = None  # SkyPilot: any one of several accelerators
    model_uri: str | None = None  # KServe storageUri
    model_format: str | None = None
    model_id: str | None = None  # the model a platform names outside the argv (hf://...)
    model_hint: str | None = None  # a model named in the environment of a custom app
    kubeai_profile: str | None = None
    image_from: str | None = None  # where the image comes from when the file does not name one
    ray_serve_llm: bool | None = None
    ray_custom_app: str | None = None  # import path of a Ray Serve application
    engine_env: dict[str, str] | None = None

    # -- charts
    chart: str | None = None  # vllm-production-stack, vllm-example-chart, rendered-template, unknown
    chart_template: str | None = None
    chart_values: str | None = None
    image_tag_span: Span | None = None  # the values file's `tag:` key, apart from the repository
    ignored_keys: list | None = None  # values keys the chart does not read
    implicit_no_prefix_caching: bool | None = None
    vllm_use_v1: str | None = None
    insertion_note: str | None = None

    # -- how the command is started
    shell: str | None = None  # the shell that runs the command (sh -c, bash -c)
    env_prefix: dict[str, str] | None = None  # VAR=x before the command
    repeated_subcommand: bool | None = None  # the args repeat what the image ENTRYPOINT runs
    image_entrypoint_assumed: bool | None = None  # the image's ENTRYPOINT was assumed to run vLLM
    image_entrypoint_uncertain: str | None = None  # why the image's ENTRYPOINT is uncertain
    followed_script: str | None = None  # the script a launch was followed into
    heredoc: str | None = None  # the here-document that holds the command
    args_files: list[str] | None = None  # files whose words were spliced into the argv
    config_file: bool | None = None  # a vLLM --config YAML file
    config_notes: list[str] | None = None
    documentation: bool | None = None  # a launch shown in documentation (not run by the project)
    writefile: bool | None = None  # a notebook cell that writes the script rather than runs it
    python_call: str | None = None  # the vLLM Python API called (LLM, AsyncEngineArgs...)
    usage_context: str | None = None  # llm: the offline LLM class, not the server

    def merged(self, over: "LaunchFacts") -> "LaunchFacts":
        """These facts with every field ``over`` sets laid over them."""
        out = LaunchFacts()
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(over, f.name)
            setattr(out, f.name, theirs if theirs is not None else mine)
        return out

    def items(self) -> list[tuple[str, object]]:
        """(name, value) of every field a source set, in declaration order."""
        return [(f.name, getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) is not None]

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))
