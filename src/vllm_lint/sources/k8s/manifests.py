"""Kubernetes manifests (multi-document YAML) -> vLLM launches.

Recognises a manifest from its head, loads its documents and dispatches each object: kinds with
their own rules go to their modules (KubeAI ``Model``: ``kubeai``, KServe: ``kserve``, KubeRay
``RayService``: ``ray``, operator CRDs: ``crds``); every other object is read as a workload
(``workloads``).
"""

from __future__ import annotations

import re
from pathlib import Path

from yaml.nodes import Node

from vllm_lint.launch import Launch
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile, input_diagnostic
from vllm_lint.sources.k8s import kserve, kubeai, ray
from vllm_lint.sources.k8s.workloads import workload_launches
from vllm_lint.sources.yaml import loader, navigate
from vllm_lint.span import LineIndex

KSERVE_API = "serving.kserve.io"


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
    loaded = loader.load_documents(src)
    result = ExtractResult(diagnostics=list(loaded.diagnostics))
    try:
        result.launches.extend(documents_launches(src, loaded.documents, opts))
    except (RecursionError, navigate.BudgetExceeded) as exc:
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
    launches: list[Launch] = []
    kserve_docs = [d for d in docs if (navigate.text(navigate.get(d, "apiVersion")) or "").startswith(KSERVE_API)]
    if kserve_docs:
        launches.extend(kserve.launches(src, kserve_docs))
    for doc in docs:
        if not navigate.is_map(doc) or doc in kserve_docs:
            continue
        api = (navigate.text(navigate.get(doc, "apiVersion")) or "").strip()
        kind = (navigate.text(navigate.get(doc, "kind")) or "").strip()
        if kind == "Model" and api.startswith("kubeai.org"):
            launches.extend(kubeai.model_launches(src, doc))
        elif kind == "RayService" or (not kind and navigate.get(doc, "applications") is not None):
            launches.extend(ray.doc_launches(src, doc))
        elif kind == "VLLMRuntime":
            from vllm_lint.sources.k8s.crds import vllmruntime_launches
            launches.extend(vllmruntime_launches(src, doc))
        elif kind == "DynamoGraphDeployment":
            from vllm_lint.sources.k8s.crds import dynamo_launches
            launches.extend(dynamo_launches(src, doc))
        elif kind == "List":
            launches.extend(documents_launches(src, navigate.items(navigate.get(doc, "items")), opts))
        else:
            launches.extend(workload_launches(src, doc, opts))
    return launches
