"""The GPUs a serverless platform's configuration gives the command found in it.

* **Truss** (Baseten) ``config.yaml``: ``resources.accelerator`` is ``NAME`` or ``NAME:COUNT``
  (``A10G:2``; Truss's names are T4, L4, A10G, V100, A100, H100, H100_40GB, ...), the command is
  ``docker_server.start_command``, run in ``base_image.image``.
* **Cerebrium** ``cerebrium.toml``: ``[cerebrium.hardware] compute`` names the card
  (``AMPERE_A10``, ``HOPPER_H100``, ``CPU``...) or lists several in order of preference, and
  ``gpu_count`` how many; the command is ``[cerebrium.runtime.custom] entrypoint``.

A generator's placeholder (``{gpu}``, ``{gpu_count}``) stays unknown. Several preferred cards are
choices, as SkyPilot's: the launch is checked against the one with the least GPU memory in all.
``H100_40GB`` is a slice of an H100 whose memory vllm-lint does not model: unknown.
"""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, ScalarNode

from vllm_lint.launch import GpuRequest, Launch
from vllm_lint.sources.base import SourceFile
from vllm_lint.span import Span

_NAME_COUNT = re.compile(r"^\s*([A-Za-z][\w.\-]*)\s*(?::\s*(\d+))?\s*$")
_NOT_MODELLED = {"H100_40GB": "a 40 GB slice of an H100, whose memory vllm-lint does not model"}
_NO_GPU = frozenset({"CPU", "INF2", "TRN1"})  # Cerebrium: CPU only, AWS Inferentia and Trainium


def apply(src: SourceFile, fmt: str, launches: list[Launch]) -> None:
    """Set the GPU request (and, for Truss, the image) of ``launches`` found in a Truss or
    Cerebrium configuration file; other files are left alone."""
    if not launches:
        return
    if fmt == "yaml" and ("accelerator" in src.text or "docker_server" in src.text):
        _truss(src, launches)
    elif fmt == "toml" and "cerebrium" in src.text:
        _cerebrium(src, launches)


def _set_gpu(launch: Launch, req: GpuRequest, choice: str | None) -> None:
    launch.gpu = req
    launch.unknowns = [u for u in launch.unknowns if "host are visible" not in u and "GPU count" not in u]
    if req.count is None:
        launch.unknowns.append("GPU count is not known: " + ("; ".join(req.notes) or "no accelerator"))
    if choice is not None:
        launch.facts.accelerator_choices = choice


# ----------------------------------------------------------------------------- Truss


def _truss(src: SourceFile, launches: list[Launch]) -> None:
    from vllm_lint.sources.yaml import loader, lookup, spans
    from vllm_lint.vllm.versions import version_from_image

    docs = loader.load_documents(src, templated_ok=True)
    doc = next((d for d in docs.documents if isinstance(d, MappingNode)), None)
    resources = lookup.get(doc, "resources") if doc is not None else None
    if not isinstance(resources, MappingNode) or lookup.get(doc, "docker_server") is None and \
            lookup.get(doc, "model_name") is None:
        return
    node = lookup.get(resources, "accelerator")
    req = GpuRequest(mechanism="resources.accelerator")
    if node is None or lookup.is_null(node):
        use_gpu = lookup.to_python(lookup.get(resources, "use_gpu")) if lookup.get(resources, "use_gpu") else None
        req.notes.append("resources.use_gpu is true but no accelerator is named" if use_gpu is True
                         else "no resources.accelerator: the model runs on CPU")
    elif not isinstance(node, ScalarNode) or "{" in node.value:
        req.notes.append("resources.accelerator is a template placeholder filled in by another tool")
    else:
        _name_count(req, node.value, spans.node_span(node, src))
    image = lookup.get(lookup.get(doc, "base_image"), "image")
    for launch in launches:
        _set_gpu(launch, req, None)
        if launch.image is None and isinstance(image, ScalarNode) and not lookup.is_null(image) and image.value:
            launch.image = image.value
            launch.image_span = spans.node_span(image, src)
            launch.vllm_version = version_from_image(image.value) if "{" not in image.value else None
            launch.facts.runs_in_image = image.value


def _name_count(req: GpuRequest, text: str, span: Span | None) -> None:
    m = _NAME_COUNT.match(text)
    if m is None:
        req.notes.append(f"resources.accelerator {text!r} could not be read")
        return
    name, count = m.group(1), int(m.group(2) or 1)
    if name in _NOT_MODELLED:
        req.notes.append(f"{name} is {_NOT_MODELLED[name]}")
        req.count = count
        return
    req.product, req.product_span, req.count, req.count_span = name, span, count, span


# ----------------------------------------------------------------------------- Cerebrium


def _cerebrium(src: SourceFile, launches: list[Launch]) -> None:
    from vllm_lint.sources.embedded.toml_spans import parse_toml
    from vllm_lint.sources.mapped_text import ListLiteral, RawLiteral, TextLiteral
    from vllm_lint.sources.skypilot import choice_words, smallest_choice

    try:
        pairs = dict(parse_toml(src.text, src.limits.max_depth))
    except RecursionError:
        return
    compute = pairs.get(("cerebrium", "hardware", "compute"))
    count_node = pairs.get(("cerebrium", "hardware", "gpu_count"))
    if compute is None and count_node is None:
        return
    req = GpuRequest(mechanism="cerebrium.hardware")
    count: int | None = 1
    if isinstance(count_node, RawLiteral) and count_node.raw.strip().isdigit():
        count = int(count_node.raw)
        req.count_span = src.span(count_node.lo, count_node.hi)
    elif count_node is not None:
        count = None
        req.notes.append("gpu_count is a template placeholder filled in by another tool")
    names: list[str] = []
    if isinstance(compute, TextLiteral):
        names = [compute.text]
    elif isinstance(compute, ListLiteral):
        names = [x.text for x in compute.items if isinstance(x, TextLiteral)]
    choice = None
    if compute is None:
        req.notes.append("no [cerebrium.hardware] compute")
    elif not names or any("{" in n for n in names):
        req.notes.append("compute is a template placeholder filled in by another tool")
    elif any(n.upper() in _NO_GPU for n in names):
        req.notes.append(f"compute = {', '.join(names)}: no NVIDIA GPU")
        count = None
    else:
        span = src.span(compute.lo, compute.hi)
        name = names[0]
        if len(names) > 1 and count is not None:
            smallest = smallest_choice([(n, float(count)) for n in names])
            if smallest is None:
                req.notes.append(f"any one of {choice_words([(n, count) for n in names])}; the memory of one is not known")
                name = ""
            else:
                name = smallest[0]
                choice = (f"{name}:{count}, the choice with the least GPU memory of "
                          f"{choice_words([(n, count) for n in names])}")
        if name:
            req.product, req.product_span = name, span
    req.count = count
    for launch in launches:
        _set_gpu(launch, req, choice)
