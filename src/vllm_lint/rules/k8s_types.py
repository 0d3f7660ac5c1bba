"""VL511: a Kubernetes field given a value of the wrong type, so the API server rejects the object.

Kubernetes decodes a manifest into its Go types (YAML becomes JSON first): ``EnvVar.value``,
``Container.args``/``command`` items, ``nodeSelector`` and label/annotation values are strings, and
``ContainerPort.containerPort``/``hostPort`` and ``spec.replicas`` are int32. A plain ``value: 80``
is a YAML integer, so ``kubectl apply`` fails with ``json: cannot unmarshal number into Go struct
field EnvVar...env.value of type string``; ``containerPort: "8000"`` fails the other way. These
are certain from the file alone for the built-in workloads and for the operators whose CRDs embed
the core pod template (LeaderWorkerSet, KubeRay); for other custom resources that embed a container
the CRD's schema is assumed to type it the same way (warning). A manifest Terraform renders
(``*.tftpl``) may be applied through ``kubernetes_manifest``, which converts values to the schema's
types: there the finding is information.

Only objects that hold a vLLM launch are read (another object of the same file is applied on its
own), plus production-stack chart values, whose ``env`` lists the chart copies into the Deployment
with ``toYaml`` (types preserved). Values that are still template text (``${x}``, ``{{ .X }}``) are
not judged.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from yaml.nodes import Node, ScalarNode

from vllm_lint.diagnostic import Diagnostic, Edit, Fix, Severity
from vllm_lint.rule_meta import make_diagnostic
from vllm_lint.rules.context import RuleContext
from vllm_lint.rules.registry import register
from vllm_lint.sources.yaml import navigate

RULE = "VL511"

BUILTIN_KINDS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job",
                 "CronJob", "PodTemplate"}
# CRDs whose schema embeds the core PodTemplateSpec as generated from the Go types.
FULL_SCHEMA_KINDS = {"LeaderWorkerSet", "RayCluster", "RayService", "RayJob"}
_REPLICAS_KINDS = {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "LeaderWorkerSet"}
_K8S_SOURCES = ("kubernetes", "kserve", "kubeai", "rayservice")

# Plain scalars both PyYAML and Kubernetes' YAML reader (go-yaml, YAML 1.1) read as numbers or booleans.
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?[0-9]*\.[0-9]+")
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_TEMPLATED = re.compile(r"\$\{|\{\{|%\{|\$\(")


def _plain_kind(node: Node) -> str | None:
    """``number`` or ``boolean`` for a plain scalar Kubernetes reads as one; None otherwise."""
    if not isinstance(node, ScalarNode) or node.style is not None:
        return None
    v = node.value
    if node.tag in (navigate.INT_TAG, navigate.FLOAT_TAG) and (_INT.fullmatch(v) or _FLOAT.fullmatch(v)):
        return "number"
    if node.tag == navigate.BOOL_TAG and _BOOL.fullmatch(v):
        return "boolean"
    return None


class _Finder:
    """Collects (node, what, Go field, Go type, what YAML made of it) for one object."""

    def __init__(self) -> None:
        self.found: list[tuple[ScalarNode, str, str, str, str]] = []

    def want_string(self, node: Node | None, what: str, go_field: str) -> None:
        got = _plain_kind(node) if node is not None else None
        if got:
            self.found.append((node, what, go_field, "string", got))  # type: ignore[arg-type]

    def want_int(self, node: Node | None, what: str, go_field: str) -> None:
        if isinstance(node, ScalarNode) and node.style in ("'", '"') and _INT.fullmatch(node.value.strip()):
            self.found.append((node, what, go_field, "int32", "string"))

    def want_bool(self, node: Node | None, what: str, go_field: str) -> None:
        if isinstance(node, ScalarNode) and node.style in ("'", '"') and _BOOL.fullmatch(node.value.strip()):
            self.found.append((node, what, go_field, "bool", "string"))

    def string_map(self, node: Node | None, what: str, go_field: str) -> None:
        for k, v in navigate.pairs(node) if navigate.is_map(node) else ():
            self.want_string(v, f"{what} {navigate.key_text(k)}", go_field)

    def env_list(self, node: Node | None, what: str) -> None:
        for item in navigate.items(node):
            if navigate.is_map(item):
                name = (navigate.text(navigate.get(item, "name")) or "?").strip()
                self.want_string(navigate.get(item, "value"), f"{what} {name}", "EnvVar.value")

    def container(self, c: Node) -> None:
        at = f"container {(navigate.text(navigate.get(c, 'name')) or '?').strip()}"
        self.env_list(navigate.get(c, "env"), f"{at}: env")
        for key in ("command", "args"):
            for item in navigate.items(navigate.get(c, key)):
                self.want_string(item, f"{at}: {key} item", f"Container.{key}")
        for p in navigate.items(navigate.get(c, "ports")):
            for key in ("containerPort", "hostPort"):
                self.want_int(navigate.get(p, key), f"{at}: {key}", f"ContainerPort.{key}")

    def pod_spec(self, spec: Node) -> None:
        for key in ("containers", "initContainers", "ephemeralContainers"):
            for c in navigate.items(navigate.get(spec, key)):
                if navigate.is_map(c):
                    self.container(c)
        self.string_map(navigate.get(spec, "nodeSelector"), "nodeSelector", "PodSpec.nodeSelector")
        for key in ("hostIPC", "hostNetwork", "hostPID"):
            self.want_bool(navigate.get(spec, key), key, f"PodSpec.{key}")

    def metadata(self, meta: Node | None) -> None:
        self.string_map(navigate.get(meta, "labels"), "label", "ObjectMeta.labels")
        self.string_map(navigate.get(meta, "annotations"), "annotation", "ObjectMeta.annotations")


def _object_findings(doc: Node, budget: navigate.Budget) -> tuple[str, list[tuple[ScalarNode, str, str, str, str]]]:
    from vllm_lint.sources.k8s.workloads import find_pod_specs

    kind = (navigate.text(navigate.get(doc, "kind")) or "").strip()
    f = _Finder()
    f.metadata(navigate.get(doc, "metadata"))
    if kind in _REPLICAS_KINDS:
        f.want_int(navigate.path(doc, "spec", "replicas"), "spec.replicas", f"{kind}Spec.replicas")
    for trail, spec in find_pod_specs(doc, budget):
        f.pod_spec(spec)
        parent = trail[-1][1] if trail else None  # the pod template holding this spec
        if parent is not None and navigate.get(parent, "metadata") is not None:
            f.metadata(navigate.get(parent, "metadata"))
    return kind, f.found


def _chart_findings(root: Node) -> list[tuple[ScalarNode, str, str, str, str]]:
    """production-stack values: the env lists the chart renders with toYaml."""
    ses = navigate.get(root, "servingEngineSpec")
    f = _Finder()
    f.env_list(navigate.get(ses, "env"), "servingEngineSpec.env")
    for i, spec in enumerate(navigate.items(navigate.get(ses, "modelSpec"))):
        f.env_list(navigate.get(spec, "env"), f"servingEngineSpec.modelSpec[{i}].env")
    return f.found


def _fix(ctx: RuleContext, node: ScalarNode, go_type: str, *, safe: bool) -> Fix:
    span = ctx.src.index.span(node.start_mark.index, node.end_mark.index)
    if go_type == "string":
        return Fix(f'quote the value: "{node.value}"', (Edit(span, f'"{node.value}"'),), safe=safe)
    return Fix(f"write it unquoted: {node.value.strip()}", (Edit(span, node.value.strip()),), safe=safe)


def _files(launches: Iterable[RuleContext]) -> dict[str, tuple[RuleContext, list[int]]]:
    out: dict[str, tuple[RuleContext, list[int]]] = {}
    for ctx in launches:
        kind = ctx.src.kind
        is_chart = kind == "helm-values" and ctx.launch.facts.chart == "vllm-production-stack"
        if kind not in _K8S_SOURCES and not is_chart:
            continue
        if ctx.launch.span is None or ctx.launch.span.path != ctx.src.display:
            continue
        entry = out.setdefault(ctx.src.display, (ctx, []))
        entry[1].append(ctx.launch.span.start)
    return out


@register(RULE, scope="project")
def kubernetes_field_type(launches: Iterable[RuleContext]) -> Iterator[Diagnostic]:
    from vllm_lint.sources.k8s.manifests import blank_template_directives
    from vllm_lint.sources.yaml import loader

    for display, (ctx, starts) in _files(launches).items():
        src = ctx.src
        if "templates" in src.path.parts and "{{" in src.text:
            continue
        loaded = loader.load_documents(blank_template_directives(src))
        seen: set[int] = set()
        for doc in loaded.documents:
            if not navigate.is_map(doc):
                continue
            if src.kind == "helm-values":
                if navigate.get(doc, "servingEngineSpec") is None:
                    continue
                kind, found, owner = "chart", _chart_findings(doc), "the Deployment the chart renders"
            else:
                lo, hi = doc.start_mark.index, doc.end_mark.index
                if not any(lo <= s <= hi for s in starts):
                    continue
                try:
                    kind, found = _object_findings(doc, navigate.Budget(src.limits.max_aliases, src.limits.max_depth))
                except (navigate.BudgetExceeded, RecursionError):
                    continue  # the extractor already reported the file as too large (VL002)
                owner = f"this {kind or 'object'}"
            for node, what, go_field, go_type, got in found:
                if node.start_mark.index in seen or _TEMPLATED.search(node.value):
                    continue
                seen.add(node.start_mark.index)
                yield _diagnostic(ctx, display, kind, owner, node, what, go_field, go_type, got)


def terraform_template(ctx: RuleContext) -> bool:
    """A manifest Terraform renders (``templatefile``): applied through ``kubernetes_manifest`` its
    values are converted to the schema's types, so a number where a string belongs is accepted."""
    name = ctx.src.path.name.lower()
    return name.endswith(".tftpl") or (name.endswith(".tpl") and bool(re.search(r"%\{|\$\{\w", ctx.src.text)))


def _diagnostic(ctx: RuleContext, display: str, kind: str, owner: str, node: ScalarNode, what: str,
                go_field: str, go_type: str, got: str) -> Diagnostic:
    written = ctx.src.text[node.start_mark.index:node.end_mark.index]
    if kind != "chart" and terraform_template(ctx):
        return _terraform_diagnostic(ctx, display, node, what, go_field, go_type, got, written)
    certain = kind in BUILTIN_KINDS or kind in FULL_SCHEMA_KINDS or kind == "chart"
    yaml_is = {"number": "a YAML number", "boolean": "a YAML boolean", "string": "a quoted string"}[got]
    article = "an" if go_type[0] in "aeiou" else "a"
    json_kind = {"boolean": "bool"}.get(got, got)
    message = (f"{what} is {yaml_is} ({written}), but Kubernetes' {go_field} is {article} {go_type}: the API "
               f"server rejects {owner} (json: cannot unmarshal {json_kind} into Go struct field {go_field} of "
               f"type {go_type})")
    if not certain:
        message += f"; this assumes the {kind} CRD types the embedded pod spec as Kubernetes does"
    fix = _fix(ctx, node, go_type, safe=certain)
    return make_diagnostic(
        RULE, display, ctx.src.index.span(node.start_mark.index, node.end_mark.index), message,
        launch=ctx.launch.name if kind != "chart" else None,
        fix=fix if certain else None, suggestions=() if certain else (fix,),
        severity=None if certain else Severity.WARNING,
    )


def _terraform_diagnostic(ctx: RuleContext, display: str, node: ScalarNode, what: str, go_field: str,
                          go_type: str, got: str, written: str) -> Diagnostic:
    article = "an" if go_type[0] in "aeiou" else "a"
    fix = _fix(ctx, node, go_type, safe=False)
    return make_diagnostic(
        RULE, display, ctx.src.index.span(node.start_mark.index, node.end_mark.index),
        f"{what} is a YAML {got} ({written}), but Kubernetes' {go_field} is {article} {go_type}: applied as YAML "
        f"(kubectl, kubectl_manifest) the rendered manifest is rejected; Terraform's kubernetes_manifest converts "
        f"it to the schema's type, so it works only through kubernetes_manifest",
        launch=ctx.launch.name, suggestions=(fix,), severity=Severity.INFO,
    )
