"""GPU requests of a Kubernetes pod: extended resources and node-selection hints.

Kubernetes schedules GPUs as extended resources (device plugins): ``nvidia.com/gpu``,
``amd.com/gpu``, MIG slices ``nvidia.com/mig-<g>g.<mem>gb``, HAMi's ``nvidia.com/gpumem``.
Extended resources must be integers and, when both are given, ``requests`` must equal
``limits``; a container that only sets ``limits`` gets ``requests`` defaulted to them. The GPU
*model* is not a resource: it is chosen by node labels in ``nodeSelector`` or node affinity
(GPU feature discovery ``nvidia.com/gpu.product``, GKE ``cloud.google.com/gke-accelerator``,
instance types, Karpenter's ``karpenter.k8s.aws/instance-gpu-name``). Product hints are kept
as written; the hardware module resolves them.
"""

from __future__ import annotations

import re

from yaml.nodes import Node

from vllm_lint.launch import GpuRequest
from vllm_lint.sources.yaml import navigate, spans
from vllm_lint.span import LineIndex, Span

GPU_RESOURCES = ("nvidia.com/gpu", "amd.com/gpu", "gpu.intel.com/i915", "gpu.intel.com/xe")
# accelerators vLLM runs on whose memory vllm-lint does not model
OTHER_ACCELERATORS = {"google.com/tpu": "tpu", "aws.amazon.com/neuron": "neuron", "aws.amazon.com/neuroncore": "neuron",
                      "aws.amazon.com/neurondevice": "neuron"}
MIG_RE = re.compile(r"^nvidia\.com/mig-(?P<profile>\d+g\.\d+gb(?:\+me)?)$")
# Node labels naming a GPU model or a machine type that implies one (checked in this order).
PRODUCT_LABELS = (
    "nvidia.com/gpu.product",
    "cloud.google.com/gke-accelerator",
    "karpenter.k8s.aws/instance-gpu-name",
    "node.kubernetes.io/instance-type",
    "beta.kubernetes.io/instance-type",
    "machine.cluster.vke.volcengine.com/gpu-name",
    "nvidia.com/gpu.family",
)
MEMORY_LABELS = ("karpenter.k8s.aws/instance-gpu-memory", "nvidia.com/gpu.memory")
GPU_NAME_RE = re.compile(r"(?i)(?:^|[^a-z0-9])(?:a100|h100|h200|h20|b200|b100|gb200|l40s?|l4|a10g?|a30|a40|a6000|t4|v100|"
                         r"p100|rtx\s*-?\d{4}|mi2\d0x?|mi3\d\dx?|gh200)(?:$|[^a-z0-9])")
TEMPLATE_RE = re.compile(r"\{\{|\$\{|%\{|\{[A-Za-z_]\w*\}")


# Nodes that belong to another file than the one being read (a kustomize base merged under a
# patch): node id -> that file's LineIndex. Set for the duration of one merge (``container``).
FOREIGN: dict[int, LineIndex] = {}


def node_span(index: LineIndex, node: Node | None) -> Span | None:
    """The span of a scalar's characters as written (quotes excluded for quoted scalars)."""
    if node is None or not navigate.is_scalar(node):
        return None
    index = FOREIGN.get(id(node), index)
    offs = spans.scalar_offset_map(node, index.text)
    if offs:
        last = offs[-1] + (2 if index.text.startswith("\r\n", offs[-1]) else 1)
        return index.span(offs[0], last)
    start, end = node.start_mark.index, node.end_mark.index
    if node.style in ("'", '"') and end - start >= 2:
        start, end = start + 1, end - 1
    return index.span(start, end)


def _count(node: Node) -> tuple[float | None, bool]:
    """(value, symbolic) of a resource quantity node."""
    t = navigate.text(node)
    if t is None:
        return None, True
    t = t.strip()
    if TEMPLATE_RE.search(t):
        return None, True
    try:
        return float(t), False
    except ValueError:
        return None, True


def read_resources(index: LineIndex, resources: Node | None, gpu: GpuRequest, unknowns: list[str],
                   where: str = "resources") -> bool:
    """Fill ``gpu`` from a container ``resources`` block; True when a GPU resource was found."""
    chosen: dict[str, Node] = {}
    for section in ("requests", "limits"):  # limits read last: they win (requests default to them)
        for k, v in navigate.pairs(navigate.get(resources, section)):
            chosen[navigate.key_text(k).strip()] = v
    found = False
    for name, v in chosen.items():
        mig = MIG_RE.match(name)
        if name in GPU_RESOURCES or mig:
            count, symbolic = _count(v)
            found = True
            gpu.mechanism = f"{where}:{name}"
            gpu.count_span = node_span(index, v)
            if symbolic:
                gpu.count = None
                gpu.notes.append(f"{name} is templated ({navigate.text(v)!r})")
                unknowns.append(f"GPU count {name}: {navigate.text(v)!r} is not a literal number")
            else:
                gpu.count = count
            if mig:
                gpu.mig_profile = mig.group("profile")
            if name.startswith("amd.com"):
                gpu.notes.append("vendor: amd")
        elif name in OTHER_ACCELERATORS and not found:
            gpu.accelerator = OTHER_ACCELERATORS[name]
            gpu.notes.append(f"{name}: a {gpu.accelerator.upper()} device, not a GPU")
        elif name in ("nvidia.com/gpumem", "nvidia.com/gpumem-percentage", "nvidia.com/gpucores"):
            gpu.notes.append(f"HAMi {name}={navigate.text(v)}")
    return found


def _selector_values(pod_spec: Node | None) -> list[tuple[str, Node]]:
    """(label key, value node) pairs from nodeSelector and required/preferred node affinity."""
    out: list[tuple[str, Node]] = []
    for k, v in navigate.pairs(navigate.get(pod_spec, "nodeSelector")):
        out.append((navigate.key_text(k).strip(), v))
    na = navigate.path(pod_spec, "affinity", "nodeAffinity")
    terms = navigate.items(navigate.path(na, "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"))
    for pref in navigate.items(navigate.get(na, "preferredDuringSchedulingIgnoredDuringExecution")):
        pt = navigate.get(pref, "preference")
        if pt is not None:
            terms.append(pt)
    for term in terms:
        for expr in navigate.items(navigate.get(term, "matchExpressions")):
            key = navigate.text(navigate.get(expr, "key")) or ""
            op = (navigate.text(navigate.get(expr, "operator")) or "").strip()
            if op != "In":
                continue
            for val in navigate.items(navigate.get(expr, "values")):
                out.append((key.strip(), val))
    return out


def read_product(index: LineIndex, pod_spec: Node | None, gpu: GpuRequest) -> None:
    """Set ``gpu.product`` from node-selection labels of a pod spec (first known label wins)."""
    found = _selector_values(pod_spec)
    for label in PRODUCT_LABELS:
        vals = [v for k, v in found if k == label and navigate.text(v)]
        if vals and gpu.product is None:
            gpu.product = navigate.text(vals[0])
            gpu.product_span = node_span(index, vals[0])
            if len(vals) > 1:
                gpu.notes.append(f"{label} allows several values: " + ", ".join(navigate.text(v) or "" for v in vals))
    for label in MEMORY_LABELS:
        for k, v in found:
            if k == label:
                gpu.notes.append(f"{label}={navigate.text(v)}")
    for k, v in found:  # custom labels (gpuspecs: A100_40GB): a low-confidence product hint
        val = (navigate.text(v) or "").strip()
        if k in PRODUCT_LABELS or k in MEMORY_LABELS or not val:
            continue
        if GPU_NAME_RE.search(val) and gpu.product is None:
            gpu.product, gpu.product_span = val, node_span(index, v)
            gpu.notes.append(f"GPU product from custom node label {k}={val} (low confidence)")
        elif "gpu" in k.lower() or "gpu" in val.lower():
            gpu.notes.append(f"node label {k}={val}")


def pod_gpu(index: LineIndex, container: Node, pod_spec: Node | None, unknowns: list[str],
            annotations: Node | None = None) -> GpuRequest:
    """GPU request of one container in a pod: resources plus node-selection product hints."""
    gpu = GpuRequest()
    if not read_resources(index, navigate.get(container, "resources"), gpu, unknowns):
        unknowns.append("no GPU resource (nvidia.com/gpu, amd.com/gpu, MIG) requested by the container")
    read_product(index, pod_spec, gpu)
    for k, v in navigate.pairs(annotations):
        if navigate.key_text(k).strip() == "gpu-memory":  # KAI scheduler fractional GPU memory (MiB)
            gpu.notes.append(f"KAI gpu-memory={navigate.text(v)} MiB")
    return gpu
