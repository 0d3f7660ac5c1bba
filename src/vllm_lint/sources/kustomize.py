"""Kustomize strategic-merge patches: find the base a patch applies to and merge containers.

Kustomize (``patches:``/``patchesStrategicMerge:`` in a kustomization.yaml) matches a patch to a
resource by kind and ``metadata.name``, then applies a strategic merge: maps merge key by key,
``containers`` merge by ``name``, ``env`` by ``name``, and scalar lists such as ``command`` and
``args`` are replaced whole. A patch found without its base is linted alone; the launch then
says the image and resources may come from the base.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from yaml.nodes import Node

from vllm_lint.launch import Launch
from vllm_lint.sources import k8s_gpu
from vllm_lint.sources import k8s_yaml as Y
from vllm_lint.sources import yamlspan
from vllm_lint.sources.base import SourceFile

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet", "Pod", "CronJob", "LeaderWorkerSet"}
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


@dataclass
class Base:
    src: SourceFile
    doc: Node
    kustomization: str


def looks_like_patch(doc: Node) -> bool:
    """A workload without a selector whose containers carry no image: a partial object."""
    kind = (Y.text(Y.get(doc, "kind")) or "").strip()
    if kind not in WORKLOADS or kind == "Pod":
        return False
    spec = Y.get(doc, "spec")
    if Y.get(spec, "selector") is not None:
        return False
    containers = Y.items(Y.path(spec, "template", "spec", "containers"))
    return bool(containers) and all(Y.get(c, "image") is None for c in containers)


def _kustomization_refs(k_doc: Node) -> tuple[list[str], list[str]]:
    """(patch paths, resource paths) listed by a kustomization."""
    patches: list[str] = []
    for item in Y.items(Y.get(k_doc, "patches")) + Y.items(Y.get(k_doc, "patchesStrategicMerge")):
        p = Y.text(item) if Y.is_scalar(item) else Y.text(Y.get(item, "path"))
        if p:
            patches.append(p.strip())
    resources = [t.strip() for t in (Y.text(i) for i in Y.items(Y.get(k_doc, "resources")) + Y.items(Y.get(k_doc, "bases"))) if t]
    return patches, resources


def _load(src: SourceFile, rel: str) -> tuple[SourceFile, list[Node]] | None:
    f = src.read_sibling(rel, "kubernetes")
    if f is None:
        return None
    docs = yamlspan.load_documents(f)
    return f, docs.documents


def _find_kustomization(src: SourceFile, max_up: int = 3) -> list[tuple[str, Node]]:
    """Kustomizations (relative dir from src, doc) in src's folder and up to ``max_up`` parents."""
    found = []
    up = ""
    for _ in range(max_up + 1):
        for n in KUSTOMIZATION_NAMES:
            loaded = _load(src, os.path.join(up, n) if up else n)
            if loaded and loaded[1]:
                found.append((up, loaded[1][0]))
                break
        up = os.path.join(up, "..")
    return found


def _resource_docs(src: SourceFile, kdir: str, resources: list[str], depth: int = 0) -> list[tuple[SourceFile, Node]]:
    out: list[tuple[SourceFile, Node]] = []
    if depth > 3:
        return out
    for res in resources:
        if "://" in res:
            continue
        rel = os.path.normpath(os.path.join(kdir, res)) if kdir else os.path.normpath(res)
        loaded = _load(src, rel)
        if loaded is not None:
            out.extend((loaded[0], d) for d in loaded[1])
            continue
        for n in KUSTOMIZATION_NAMES:  # a directory with its own kustomization
            k = _load(src, os.path.join(rel, n))
            if k and k[1]:
                _, sub = _kustomization_refs(k[1][0])
                out.extend(_resource_docs(src, rel, sub, depth + 1))
                break
    return out


def base_for_patch(src: SourceFile, doc: Node) -> Base | None:
    """The resource a patch document applies to, when a kustomization names both."""
    if not looks_like_patch(doc):
        return None
    kind = (Y.text(Y.get(doc, "kind")) or "").strip()
    name = (Y.text(Y.path(doc, "metadata", "name")) or "").strip()
    me = os.path.normpath(str(src.path))
    for kdir, k_doc in _find_kustomization(src):
        patches, resources = _kustomization_refs(k_doc)
        kpath = os.path.normpath(os.path.join(os.path.dirname(str(src.path)), kdir))
        if not any(os.path.normpath(os.path.join(kpath, p)) == me for p in patches):
            continue
        for bsrc, bdoc in _resource_docs(src, kdir, resources):
            if (Y.text(Y.get(bdoc, "kind")) or "").strip() == kind and \
                    (Y.text(Y.path(bdoc, "metadata", "name")) or "").strip() == name and not looks_like_patch(bdoc):
                return Base(bsrc, bdoc, kdir or ".")
    return None


def _base_container(base: Base, name: str) -> tuple[Node | None, Node | None]:
    spec = Y.path(base.doc, "spec", "template", "spec")
    for c in Y.items(Y.get(spec, "containers")):
        if (Y.text(Y.get(c, "name")) or "").strip() == name:
            return c, spec
    return None, spec


def apply_base(src: SourceFile, ctx, patch_container: Node, launch: Launch | None, base: Base) -> Launch | None:
    """Complete a patch's launch with what the base provides (strategic-merge semantics)."""
    from vllm_lint.sources.k8s_container import PodContext, container_launch, pod_facts, read_env

    name = (Y.text(Y.get(patch_container, "name")) or "").strip()
    bc, bspec = _base_container(base, name)
    if bc is None:
        if launch is not None:
            launch.unknowns.append(f"kustomize base {base.src.display} has no container {name!r}")
        return launch
    if launch is None:
        if Y.get(patch_container, "command") is not None or Y.get(patch_container, "args") is not None:
            return None
        # The base's command/args survive the patch: lint them where they are written.
        bctx = PodContext(kind=ctx.kind, name=ctx.name, pod_spec=bspec, role=ctx.role, replicas=ctx.replicas,
                          annotations=ctx.annotations, source=ctx.source)
        launch = container_launch(base.src, bctx, bc)
        if launch is None:
            return None
        launch.name += f" patched by {src.display}"
        if ctx.replicas is not None:
            launch.replicas = ctx.replicas
        unknowns: list[str] = []
        g = launch.gpu.__class__()
        if k8s_gpu.read_resources(src.index, Y.get(patch_container, "resources"), g, unknowns):
            launch.gpu = g
        launch.facts["kustomize_patch"] = src.display
        return launch
    launch.facts["kustomize_base"] = base.src.display
    if launch.image is None:
        image_node = Y.get(bc, "image")
        if image_node is not None:
            from vllm_lint.vllm.versions import version_from_image

            launch.image = (Y.text(image_node) or "").strip() or None
            launch.image_span = k8s_gpu.node_span(base.src.index, image_node)
            launch.vllm_version = version_from_image(launch.image) if launch.image else None
    if Y.get(patch_container, "resources") is None or launch.gpu.count is None:
        unknowns = []
        g = launch.gpu.__class__()
        if k8s_gpu.read_resources(base.src.index, Y.get(bc, "resources"), g, unknowns):
            product, pspan = launch.gpu.product, launch.gpu.product_span
            launch.gpu = g
            launch.gpu.product, launch.gpu.product_span = product, pspan
            launch.unknowns = [u for u in launch.unknowns if "GPU" not in u]
    if launch.gpu.product is None:
        k8s_gpu.read_product(base.src.index, bspec, launch.gpu)
    benv, _, _ = read_env(base.src, bc)
    for k, v in benv.items():
        launch.env.setdefault(k, v)
    if not launch.facts.get("dev_shm_volume"):
        bctx = PodContext(kind=ctx.kind, name=ctx.name, pod_spec=bspec)
        bf = pod_facts(base.src, bctx, bc)
        if bf.get("dev_shm_volume"):
            launch.facts["dev_shm_volume"] = True
            if "shm_size" in bf:
                launch.facts["shm_size"] = bf["shm_size"]
    return launch
