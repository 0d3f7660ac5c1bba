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

from yaml.nodes import MappingNode, Node, SequenceNode

from vllm_lint.launch import Launch
from vllm_lint.sources.base import SourceFile
from vllm_lint.sources.readfile import load_sibling
from vllm_lint.sources.yaml import loader, lookup, navigate

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet", "Pod", "CronJob", "LeaderWorkerSet"}
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


@dataclass
class Base:
    src: SourceFile
    doc: Node
    kustomization: str


def looks_like_patch(doc: Node) -> bool:
    """A workload without a selector whose containers carry no image: a partial object."""
    kind = (navigate.text(navigate.get(doc, "kind")) or "").strip()
    if kind not in WORKLOADS or kind == "Pod":
        return False
    spec = navigate.get(doc, "spec")
    if navigate.get(spec, "selector") is not None:
        return False
    containers = navigate.items(navigate.path(spec, "template", "spec", "containers"))
    return bool(containers) and all(navigate.get(c, "image") is None for c in containers)


def _kustomization_refs(k_doc: Node) -> tuple[list[str], list[str]]:
    """(patch paths, resource paths) listed by a kustomization."""
    patches: list[str] = []
    for item in navigate.items(navigate.get(k_doc, "patches")) + navigate.items(navigate.get(k_doc, "patchesStrategicMerge")):
        p = navigate.text(item) if navigate.is_scalar(item) else navigate.text(navigate.get(item, "path"))
        if p:
            patches.append(p.strip())
    resources = [t.strip() for t in (navigate.text(i) for i in navigate.items(navigate.get(k_doc, "resources")) + navigate.items(navigate.get(k_doc, "bases"))) if t]
    return patches, resources


def _load(src: SourceFile, rel: str) -> tuple[SourceFile, list[Node]] | None:
    f = load_sibling(src, rel, "kubernetes")
    if f is None:
        return None
    docs = loader.load_documents(f)
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
    kind = (navigate.text(navigate.get(doc, "kind")) or "").strip()
    name = (navigate.text(navigate.path(doc, "metadata", "name")) or "").strip()
    me = os.path.normpath(str(src.path))
    for kdir, k_doc in _find_kustomization(src):
        patches, resources = _kustomization_refs(k_doc)
        kpath = os.path.normpath(os.path.join(os.path.dirname(str(src.path)), kdir))
        if not any(os.path.normpath(os.path.join(kpath, p)) == me for p in patches):
            continue
        for bsrc, bdoc in _resource_docs(src, kdir, resources):
            if (navigate.text(navigate.get(bdoc, "kind")) or "").strip() == kind and \
                    (navigate.text(navigate.path(bdoc, "metadata", "name")) or "").strip() == name and not looks_like_patch(bdoc):
                return Base(bsrc, bdoc, kdir or ".")
    return None


def _base_container(base: Base, name: str) -> tuple[Node | None, Node | None]:
    spec = navigate.path(base.doc, "spec", "template", "spec")
    for c in navigate.items(navigate.get(spec, "containers")):
        if (navigate.text(navigate.get(c, "name")) or "").strip() == name:
            return c, spec
    return None, spec


def _merge_named(base: Node | None, patch: Node | None) -> Node | None:
    """Strategic merge of a list of named maps (containers, env, volumes, volumeMounts)."""
    if patch is None:
        return base
    if not navigate.is_seq(base) or not navigate.is_seq(patch):
        return patch
    key = "name" if any(navigate.get(i, "name") is not None for i in navigate.items(patch)) else "mountPath"
    names = {(navigate.text(navigate.get(i, key)) or "").strip() for i in navigate.items(patch)}
    items = [i for i in navigate.items(base) if (navigate.text(navigate.get(i, key)) or "").strip() not in names] + navigate.items(patch)
    return SequenceNode(patch.tag, items, patch.start_mark, patch.end_mark, flow_style=patch.flow_style)


_NAMED_LISTS = {"env", "volumeMounts", "volumes", "ports", "containers", "initContainers"}
_ATOMIC = {"command", "args"}


def merge_nodes(base: Node | None, patch: Node | None) -> Node | None:
    """Kustomize strategic merge on nodes: maps merge, named lists merge by name, other lists
    and scalars replace (``command``/``args`` are replaced whole)."""
    if patch is None:
        return base
    if navigate.is_map(base) and navigate.is_map(patch):
        out: list[tuple[Node, Node]] = []
        over = {navigate.key_text(k): (k, v) for k, v in navigate.pairs(patch)}
        for k, v in navigate.pairs(base):
            kt = navigate.key_text(k)
            if kt in over:
                pk, pv = over.pop(kt)
                if kt in _NAMED_LISTS:
                    out.append((pk, _merge_named(v, pv)))
                elif kt in _ATOMIC:
                    out.append((pk, pv))
                else:
                    out.append((pk, merge_nodes(v, pv)))
            else:
                out.append((k, v))
        out.extend(over.values())
        return MappingNode(patch.tag, out, patch.start_mark, patch.end_mark, flow_style=patch.flow_style)
    return patch


def merged_view(patch_container: Node, patch_pod: Node, base: Base) -> tuple[Node, Node, dict[int, SourceFile]]:
    """(container, pod spec, node -> base file) after applying the patch to the base."""
    name = (navigate.text(navigate.get(patch_container, "name")) or "").strip()
    bc, bspec = _base_container(base, name)
    origin = {id(n): base.src for n in lookup.walk(base.doc)}
    container = merge_nodes(bc, patch_container) if bc is not None else patch_container
    pod = merge_nodes(bspec, patch_pod) if bspec is not None else patch_pod
    return container, pod, origin


def mark_origins(launch: Launch, base: Base, patch: SourceFile) -> None:
    """Words the patch leaves to its base say so (``from base/deployment.yaml:15, the kustomize
    base that overlay/patch.yaml patches``): a finding on them names the file to change."""
    for t in launch.program + launch.args:
        if t.span is not None and t.span.path == base.src.display and not t.origin.startswith("value: "):
            t.origin = f"value: from {base.src.display}:{t.span.line}, the kustomize base that {patch.display} patches"
