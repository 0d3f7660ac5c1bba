"""Kubernetes workloads -> vLLM launches.

Every workload kind is read the same way: find each pod template (any mapping holding a
``containers`` list, wherever a kind nests it: Deployment ``spec.template.spec``, CronJob
``spec.jobTemplate.spec.template.spec``, LeaderWorkerSet leader/worker templates, KubeRay head
and worker groups, AIBrix StormService roles, unknown CRDs) and turn each container that runs
vLLM into a Launch (see ``container``).

Multipliers from the workload are applied here: a LeaderWorkerSet leader runs one engine over
``size`` pods (leader GPUs + (size-1) x worker GPUs); a Ray head runs an engine over the whole
Ray cluster (head + sum of worker replicas x worker GPUs).
"""

from __future__ import annotations

from yaml.nodes import Node

from vllm_lint.launch import GpuRequest, Launch
from vllm_lint.sources.base import (
    ExtractOptions,
    SourceFile,
)
from vllm_lint.sources.k8s import gpu_requests, kustomize
from vllm_lint.sources.k8s.container import PodContext, container_launch, foreign_nodes, read_env
from vllm_lint.sources.k8s.operators import operator_mutations
from vllm_lint.sources.yaml import navigate

_NOISE = {"spec", "template", "metadata"}


def object_name(doc: Node) -> tuple[str, str]:
    kind = (navigate.text(navigate.get(doc, "kind")) or "Object").strip()
    name = (navigate.text(navigate.path(doc, "metadata", "name")) or "?").strip()
    return kind, name


def find_pod_specs(node: Node, budget: navigate.Budget, trail: tuple = ()) -> list[tuple[tuple, Node]]:
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
            raise navigate.BudgetExceeded("YAML nesting too deep")
        if navigate.is_map(n):
            containers = navigate.get(n, "containers")
            if navigate.is_seq(containers) and any(navigate.is_map(c) for c in navigate.items(containers)):
                out.append((tr, n))
                continue
            for k, v in reversed(navigate.pairs(n)):
                if navigate.is_map(v) or navigate.is_seq(v):
                    stack.append((tr + ((navigate.key_text(k), v),), v))
        elif navigate.is_seq(n):
            for i, v in reversed(list(enumerate(navigate.items(n)))):
                if navigate.is_map(v) or navigate.is_seq(v):
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
            label = navigate.text(navigate.get(node, "name")) or navigate.text(navigate.get(node, "groupName")) or key
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
        r = navigate.get(n, "replicas")
        if r is not None:
            v = navigate.as_number(r)
            return (int(v) if v is not None and v == int(v) else None), r
    return None, None


def _annotations(doc: Node, trail: tuple) -> list[Node]:
    out = []
    nodes = [doc] + [n for _, n in trail]
    for n in reversed(nodes):
        a = navigate.path(n, "metadata", "annotations")
        if a is not None and navigate.is_map(a):
            out.append(a)
    return out


def pod_gpu_count(src: SourceFile, pod_spec: Node | None) -> tuple[GpuRequest, list[str]]:
    """GPUs one pod requests: the first container with a GPU resource (others are sidecars)."""
    unknowns: list[str] = []
    for c in navigate.items(navigate.get(pod_spec, "containers")):
        g = GpuRequest()
        if gpu_requests.read_resources(src.index, navigate.get(c, "resources"), g, unknowns):
            return g, unknowns
    return GpuRequest(count=0), unknowns


def _lws_context(src: SourceFile, doc: Node, trail: tuple, ctx: PodContext, pod_spec: Node) -> None:
    lwt = navigate.path(doc, "spec", "leaderWorkerTemplate")
    size_node = navigate.get(lwt, "size")
    size_v = navigate.as_number(size_node)
    size = int(size_v) if size_v is not None else 1
    if size_v is None:
        ctx.unknowns.append(f"LeaderWorkerSet size {navigate.text(size_node)!r} is not a number: group size unknown"
                            if size_node is not None else "LeaderWorkerSet size not set (defaults to 1)")
    ctx.group_size = size
    ctx.nodes = size
    keys = [k for k, _ in trail]
    has_leader = navigate.get(lwt, "leaderTemplate") is not None
    if "leaderTemplate" in keys or not has_leader:
        ctx.facts.lws_role = "leader" if "leaderTemplate" in keys else "all"
    else:
        ctx.facts.lws_role = "worker"
    if "leaderTemplate" in keys:
        leader, u1 = pod_gpu_count(src, pod_spec)
        worker, u2 = pod_gpu_count(src, navigate.path(lwt, "workerTemplate", "spec"))
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
        ctx.facts.gpu_per_pod_note = f"every pod of the {size}-pod group runs this command"


def ray_context(src: SourceFile, trail: tuple, ctx: PodContext) -> None:
    """Ray head: the engine spans the cluster (head + workers x replicas)."""
    keys = [k for k, _ in trail]
    if "headGroupSpec" not in keys:
        return
    i = keys.index("headGroupSpec")
    cluster = trail[i - 1][1] if i > 0 else None
    if cluster is None:
        return
    head, _ = pod_gpu_count(src, navigate.path(cluster, "headGroupSpec", "template", "spec"))
    total = head.count
    nodes = 1
    parts = [f"head {head.count if head.count is not None else '?'}"]
    for g in navigate.items(navigate.get(cluster, "workerGroupSpecs")):
        rep = navigate.as_number(navigate.get(g, "replicas"))
        if rep is None:
            rep = navigate.as_number(navigate.get(g, "minReplicas"))
        wg, _ = pod_gpu_count(src, navigate.path(g, "template", "spec"))
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
    budget = navigate.Budget(src.limits.max_aliases, src.limits.max_depth)
    launches: list[Launch] = []
    base = kustomize.base_for_patch(src, doc)
    for trail, pod_spec in find_pod_specs(doc, budget):
        replicas, _ = _replicas_near(doc, trail)
        ctx = PodContext(kind=kind, name=name, pod_spec=pod_spec, role=role_of(trail), replicas=replicas,
                         annotations=_annotations(doc, trail), source=source)
        if kind == "LeaderWorkerSet":
            _lws_context(src, doc, trail, ctx, pod_spec)
        else:
            ray_context(src, trail, ctx)
        ctx.facts = ctx.facts.merged(operator_mutations(kind, trail))
        for c in navigate.items(navigate.get(pod_spec, "containers")):
            if not navigate.is_map(c):
                continue
            if base is not None:
                mc, mpod, origin = kustomize.merged_view(c, pod_spec, base)
                ctx.pod_spec = mpod
                with foreign_nodes(origin):
                    launch = container_launch(src, ctx, mc)
                ctx.pod_spec = pod_spec
                if launch is not None:
                    launch.facts.kustomize_base = base.src.display
                    kustomize.mark_origins(launch, base, src)
            else:
                launch = container_launch(src, ctx, c)
                if launch is not None and kustomize.looks_like_patch(doc):
                    launch.facts.kustomize_patch = True
                    launch.unknowns.append("kustomize patch linted alone (base not found): image and resources may come from the base")
            if launch is not None:
                launches.append(launch)
    if launches and base is None:
        _group_literal_env(src, doc, launches)
    return launches


def _group_literal_env(src: SourceFile, doc: Node, launches: list[Launch]) -> None:
    """Worker pods of a LeaderWorkerSet or Ray cluster that start no engine of their own still load
    the weights the engine shards onto them: their ``$VAR`` env values (a token Kubernetes does not
    expand) belong to the group's launch, as ``group_literal_dollar_env`` (name, span, where)."""
    launched = [launch.span.start for launch in launches if launch.span is not None]
    found: list[tuple[str, object, str]] = []
    for trail, pod_spec in find_pod_specs(doc, navigate.Budget(src.limits.max_aliases, src.limits.max_depth)):
        keys = [k for k, _ in trail]
        if "workerTemplate" not in keys and "workerGroupSpecs" not in keys:
            continue
        for c in navigate.items(navigate.get(pod_spec, "containers")):
            name_node = navigate.get(c, "name")
            if not navigate.is_map(c) or (name_node is not None and any(
                    name_node.start_mark.index <= at <= name_node.end_mark.index for at in launched)):
                continue
            _, literal, _ = read_env(src, c)
            where = f"{role_of(trail) or 'worker'} container {(navigate.text(name_node) or '?').strip()}"
            found.extend((name, span, where) for name, span in literal)
    if not found:
        return
    for launch in launches:  # the group's engine: the LWS leader, the Ray head
        if launch.facts.lws_role == "leader" or "headGroupSpec" in launch.name:
            launch.facts.group_literal_dollar_env = found
            return
