"""Kubernetes manifests (multi-document YAML) -> vLLM launches.

Every workload kind is read the same way: find each pod template (any mapping holding a
``containers`` list, wherever a kind nests it: Deployment ``spec.template.spec``, CronJob
``spec.jobTemplate.spec.template.spec``, LeaderWorkerSet leader/worker templates, KubeRay head
and worker groups, AIBrix StormService roles, unknown CRDs) and turn each container that runs
vLLM into a Launch (see ``k8s_container``). Kinds with their own rules are dispatched to their
modules: KubeAI ``Model`` (kubeai), KServe (kserve), KubeRay ``RayService`` (ray).

Multipliers from the workload are applied here: a LeaderWorkerSet leader runs one engine over
``size`` pods (leader GPUs + (size-1) x worker GPUs); a Ray head runs an engine over the whole
Ray cluster (head + sum of worker replicas x worker GPUs).
"""

from __future__ import annotations

import re
from pathlib import Path

from yaml.nodes import Node

from vllm_lint.launch import GpuRequest, Launch
from vllm_lint.sources import k8s_gpu
from vllm_lint.sources import k8s_yaml as Y
from vllm_lint.sources import kustomize, yamlspan
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile, input_diagnostic
from vllm_lint.sources.k8s_container import PodContext, container_launch, foreign_nodes
from vllm_lint.span import LineIndex

KSERVE_API = "serving.kserve.io"
RAY_KINDS = {"RayService", "RayCluster", "RayJob", "RayClusterFleet"}
_NOISE = {"spec", "template", "metadata"}


# ----------------------------------------------------------------------------- classification

_API_RE = re.compile(r"^apiVersion:\s*['\"]?([\w.\-/]+)", re.M)
_KIND_RE = re.compile(r"^kind:\s*['\"]?(\w+)", re.M)


def classify_yaml(head_text: str, path: Path | str) -> str | None:
    """The kind of a YAML file from its first bytes, for the kinds this module family reads.

    Returns "kubeai", "kserve", "rayservice", "kubernetes", "helm-values", "kustomization" or
    None (not ours: compose, SkyPilot, vLLM config...).
    """
    name = Path(str(path)).name.lower()
    if name in ("kustomization.yaml", "kustomization.yml", "kustomization"):
        return "kustomization"
    if "templates" in Path(str(path)).parts and "{{" in head_text:
        return "helm-template"
    apis = _API_RE.findall(head_text)
    kinds = _KIND_RE.findall(head_text)
    if apis and kinds:
        if any(a.startswith("kubeai.org") for a in apis) and "Model" in kinds:
            return "kubeai"
        if any(a.startswith(KSERVE_API) for a in apis):
            return "kserve"
        if any(k in ("RayService",) for k in kinds):
            return "rayservice"
        return "kubernetes"
    if re.search(r"^applications:\s*$", head_text, re.M) and re.search(r"import_path:|llm_configs:", head_text):
        return "rayservice"
    if re.search(r"^servingEngineSpec:", head_text, re.M):
        return "helm-values"
    if re.match(r"values[\w.\-]*\.ya?ml$", name) or name.endswith("-values.yaml") or name.endswith("_values.yaml"):
        return "helm-values"
    return None


# ----------------------------------------------------------------------------- extraction


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    """All launches of a Kubernetes-family YAML file (any document kind)."""
    opts = opts or ExtractOptions()
    if "templates" in src.path.parts and "{{" in src.text:
        return ExtractResult()  # a Helm chart template is not YAML until rendered: skipped quietly
    src = blank_template_directives(src)
    loaded = yamlspan.load_documents(src)
    result = ExtractResult(diagnostics=list(loaded.diagnostics))
    try:
        result.launches.extend(documents_launches(src, loaded.documents, opts))
    except (RecursionError, Y.BudgetExceeded) as exc:
        result.diagnostics.append(input_diagnostic("VL002", src.display, None, f"YAML too large or deep to read: {exc}"))
    return result


_DIRECTIVE_LINE = re.compile(r"^[ \t]*(?:%\{[^}\n]*\}|\{\{[^}\n]*\}\}|\{%[^\n]*?%\})[ \t]*\r?$", re.M)


def blank_template_directives(src: SourceFile) -> SourceFile:
    """Whole-line template directives blanked to spaces so the YAML around them parses:
    Terraform templatefile ``%{ for x in y ~}``, Go ``{{- if .X }}``/``{{ end }}`` and Jinja
    ``{% if %}`` lines of a manifest template (``*.tpl``, ``*.tftpl``, ``*.yaml.j2``). Offsets
    and lines are unchanged; ``${var}`` and inline ``{{ .X }}`` values stay symbolic."""
    if not any(m in src.text for m in ("%{", "{{", "{%")) or not _DIRECTIVE_LINE.search(src.text):
        return src
    text = _DIRECTIVE_LINE.sub(lambda m: re.sub(r"[^\r]", " ", m.group(0)), src.text)
    return SourceFile(path=src.path, display=src.display, text=text, index=LineIndex(src.display, text),
                      kind=src.kind, had_bom=src.had_bom, encoding=src.encoding, limits=src.limits)


def documents_launches(src: SourceFile, docs: list[Node], opts: ExtractOptions) -> list[Launch]:
    from vllm_lint.sources import kserve, kubeai, ray  # local: these import this module

    launches: list[Launch] = []
    kserve_docs = [d for d in docs if (Y.text(Y.get(d, "apiVersion")) or "").startswith(KSERVE_API)]
    if kserve_docs:
        launches.extend(kserve.launches(src, kserve_docs))
    for doc in docs:
        if not Y.is_map(doc) or doc in kserve_docs:
            continue
        api = (Y.text(Y.get(doc, "apiVersion")) or "").strip()
        kind = (Y.text(Y.get(doc, "kind")) or "").strip()
        if kind == "Model" and api.startswith("kubeai.org"):
            launches.extend(kubeai.model_launches(src, doc))
        elif kind == "RayService" or (not kind and Y.get(doc, "applications") is not None):
            launches.extend(ray.doc_launches(src, doc))
        elif kind == "VLLMRuntime":
            from vllm_lint.sources.k8s_crds import vllmruntime_launches
            launches.extend(vllmruntime_launches(src, doc))
        elif kind == "DynamoGraphDeployment":
            from vllm_lint.sources.k8s_crds import dynamo_launches
            launches.extend(dynamo_launches(src, doc))
        elif kind == "List":
            launches.extend(documents_launches(src, Y.items(Y.get(doc, "items")), opts))
        else:
            launches.extend(workload_launches(src, doc, opts))
    return launches


def object_name(doc: Node) -> tuple[str, str]:
    kind = (Y.text(Y.get(doc, "kind")) or "Object").strip()
    name = (Y.text(Y.path(doc, "metadata", "name")) or "?").strip()
    return kind, name


def find_pod_specs(node: Node, budget: Y.Budget, trail: tuple = ()) -> list[tuple[tuple, Node]]:
    """(trail, pod spec) for every mapping holding a ``containers`` list under ``node``.

    ``trail`` is the chain of (key, node) from the document to the pod spec, used for names,
    replicas and annotations.
    """
    out: list[tuple[tuple, Node]] = []
    stack = [(trail, node)]
    while stack:
        tr, n = stack.pop()
        budget.spend()
        if len(tr) > budget.max_depth:
            raise Y.BudgetExceeded("YAML nesting too deep")
        if Y.is_map(n):
            containers = Y.get(n, "containers")
            if Y.is_seq(containers) and any(Y.is_map(c) for c in Y.items(containers)):
                out.append((tr, n))
                continue
            for k, v in reversed(Y.pairs(n)):
                if Y.is_map(v) or Y.is_seq(v):
                    stack.append((tr + ((Y.key_text(k), v),), v))
        elif Y.is_seq(n):
            for i, v in reversed(list(enumerate(Y.items(n)))):
                if Y.is_map(v) or Y.is_seq(v):
                    stack.append((tr + ((str(i), v),), v))
    return out


def role_of(trail: tuple) -> str | None:
    """A readable role from the path to a pod spec: ``leaderTemplate``, ``workerGroupSpecs[0]``,
    ``roles[prefill]``; None for the standard ``spec.template.spec`` of a workload."""
    parts: list[str] = []
    for i, (key, node) in enumerate(trail):
        if key in _NOISE or key in ("jobTemplate", "rayClusterConfig", "leaderWorkerTemplate"):
            continue
        if key.isdigit():
            label = Y.text(Y.get(node, "name")) or Y.text(Y.get(node, "groupName")) or key
            if parts:
                parts[-1] += f"[{label.strip()}]"
            else:
                parts.append(f"[{label.strip()}]")
        else:
            parts.append(key)
    return ".".join(parts) or None


def _replicas_near(doc: Node, trail: tuple) -> tuple[int | None, Node | None]:
    nodes = [doc] + [n for _, n in trail]
    for n in reversed(nodes):
        r = Y.get(n, "replicas")
        if r is not None:
            v = Y.as_number(r)
            return (int(v) if v is not None and v == int(v) else None), r
    return None, None


def _annotations(doc: Node, trail: tuple) -> list[Node]:
    out = []
    nodes = [doc] + [n for _, n in trail]
    for n in reversed(nodes):
        a = Y.path(n, "metadata", "annotations")
        if a is not None and Y.is_map(a):
            out.append(a)
    return out


def pod_gpu_count(src: SourceFile, pod_spec: Node | None) -> tuple[GpuRequest, list[str]]:
    """GPUs one pod requests: the first container with a GPU resource (others are sidecars)."""
    unknowns: list[str] = []
    for c in Y.items(Y.get(pod_spec, "containers")):
        g = GpuRequest()
        if k8s_gpu.read_resources(src.index, Y.get(c, "resources"), g, unknowns):
            return g, unknowns
    return GpuRequest(count=0), unknowns


def _lws_context(src: SourceFile, doc: Node, trail: tuple, ctx: PodContext, pod_spec: Node) -> None:
    lwt = Y.path(doc, "spec", "leaderWorkerTemplate")
    size_node = Y.get(lwt, "size")
    size_v = Y.as_number(size_node)
    size = int(size_v) if size_v is not None else 1
    if size_v is None:
        ctx.unknowns.append(f"LeaderWorkerSet size {Y.text(size_node)!r} is not a number: group size unknown"
                            if size_node is not None else "LeaderWorkerSet size not set (defaults to 1)")
    ctx.group_size = size
    ctx.nodes = size
    keys = [k for k, _ in trail]
    has_leader = Y.get(lwt, "leaderTemplate") is not None
    if "leaderTemplate" in keys or not has_leader:
        ctx.facts["lws_role"] = "leader" if "leaderTemplate" in keys else "all"
    else:
        ctx.facts["lws_role"] = "worker"
    if "leaderTemplate" in keys:
        leader, u1 = pod_gpu_count(src, pod_spec)
        worker, u2 = pod_gpu_count(src, Y.path(lwt, "workerTemplate", "spec"))
        total = GpuRequest(mechanism="LeaderWorkerSet: leader + (size-1) x worker",
                           count_span=leader.count_span or worker.count_span,
                           mig_profile=leader.mig_profile or worker.mig_profile)
        if leader.count is not None and worker.count is not None:
            total.count = leader.count + (size - 1) * worker.count
            total.notes.append(f"{leader.count:g} + {size - 1} x {worker.count:g} GPUs over {size} pods")
        else:
            total.notes.append("a pod's GPU count is templated or missing")
        ctx.gpu_total = total
    elif not has_leader and size > 1:
        ctx.facts["gpu_per_pod_note"] = f"every pod of the {size}-pod group runs this command"


def _ray_context(src: SourceFile, trail: tuple, ctx: PodContext) -> None:
    """Ray head: the engine spans the cluster (head + workers x replicas)."""
    keys = [k for k, _ in trail]
    if "headGroupSpec" not in keys:
        return
    i = keys.index("headGroupSpec")
    cluster = trail[i - 1][1] if i > 0 else None
    if cluster is None:
        return
    head, _ = pod_gpu_count(src, Y.path(cluster, "headGroupSpec", "template", "spec"))
    total = head.count
    nodes = 1
    parts = [f"head {head.count if head.count is not None else '?'}"]
    for g in Y.items(Y.get(cluster, "workerGroupSpecs")):
        rep = Y.as_number(Y.get(g, "replicas"))
        if rep is None:
            rep = Y.as_number(Y.get(g, "minReplicas"))
        wg, _ = pod_gpu_count(src, Y.path(g, "template", "spec"))
        if rep is None or wg.count is None or total is None:
            total = None
        else:
            total += rep * wg.count
        nodes += int(rep or 0)
        parts.append(f"{rep if rep is not None else '?'} x {wg.count if wg.count is not None else '?'}")
    ctx.gpu_total = GpuRequest(count=total, count_span=head.count_span, mechanism="Ray cluster: head + workers x replicas",
                               notes=[" + ".join(parts)])
    ctx.nodes = nodes


def workload_launches(src: SourceFile, doc: Node, opts: ExtractOptions, *, source: str = "kubernetes") -> list[Launch]:
    """Launches of every vLLM container in any workload-like document."""
    kind, name = object_name(doc)
    budget = Y.Budget(src.limits.max_aliases, src.limits.max_depth)
    launches: list[Launch] = []
    base = kustomize.base_for_patch(src, doc)
    for trail, pod_spec in find_pod_specs(doc, budget):
        replicas, _ = _replicas_near(doc, trail)
        ctx = PodContext(kind=kind, name=name, pod_spec=pod_spec, role=role_of(trail), replicas=replicas,
                         annotations=_annotations(doc, trail), source=source)
        if kind == "LeaderWorkerSet":
            _lws_context(src, doc, trail, ctx, pod_spec)
        else:
            _ray_context(src, trail, ctx)
        for c in Y.items(Y.get(pod_spec, "containers")):
            if not Y.is_map(c):
                continue
            if base is not None:
                mc, mpod, origin = kustomize.merged_view(c, pod_spec, base)
                ctx.pod_spec = mpod
                with foreign_nodes(origin):
                    launch = container_launch(src, ctx, mc)
                ctx.pod_spec = pod_spec
                if launch is not None:
                    launch.facts["kustomize_base"] = base.src.display
            else:
                launch = container_launch(src, ctx, c)
                if launch is not None and kustomize.looks_like_patch(doc):
                    launch.facts["kustomize_patch"] = True
                    launch.unknowns.append("kustomize patch linted alone (base not found): image and resources may come from the base")
            if launch is not None:
                launches.append(launch)
    return launches
