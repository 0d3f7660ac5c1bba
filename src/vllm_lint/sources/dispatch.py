"""Which extractor reads a file: ``extract(src, opts)`` dispatches on ``src.kind`` through
``REGISTRY`` (kind -> "module:function", imported lazily so a run only loads the formats it
meets). A new format is a new line in ``REGISTRY``. Nesting too deep for Python becomes VL002;
any other exception propagates to the pipeline, which reports VL000.
"""

from __future__ import annotations

import importlib
from typing import Callable

from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile, input_diagnostic

Extractor = Callable[[SourceFile, ExtractOptions], ExtractResult]

REGISTRY: dict[str, str | Extractor] = {
    "compose": "vllm_lint.sources.containers.compose:extract",
    "shell": "vllm_lint.sources.shell.scripts:extract",
    "dockerfile": "vllm_lint.sources.containers.dockerfile:extract",
    "env": "vllm_lint.sources.containers.env_file:extract",
    "vllm-config": "vllm_lint.sources.vllm_config:extract",
    "skypilot": "vllm_lint.sources.skypilot:extract",
    "kubernetes": "vllm_lint.sources.k8s.manifests:extract",
    "helm-values": "vllm_lint.sources.helm.charts:extract",
    "kubeai": "vllm_lint.sources.k8s.manifests:extract",
    "kserve": "vllm_lint.sources.k8s.manifests:extract",
    "rayservice": "vllm_lint.sources.k8s.manifests:extract",
    # launches in other syntaxes: service units, CI, notebooks, launcher scripts
    "systemd": "vllm_lint.sources.services.systemd:extract",
    "procfile": "vllm_lint.sources.services.procfile:extract",
    "nomad": "vllm_lint.sources.services.nomad:extract",
    "makefile": "vllm_lint.sources.shell.makefile:extract",
    "powershell": "vllm_lint.sources.shell.powershell:extract",
    "batch": "vllm_lint.sources.shell.batch:extract",
    "python": "vllm_lint.sources.python.launches:extract",
    "notebook": "vllm_lint.sources.python.notebook:extract",
    "github-actions": "vllm_lint.sources.ci.workflows:extract",
    "gitlab-ci": "vllm_lint.sources.ci.workflows:extract",
    "argo": "vllm_lint.sources.ci.workflows:extract",
    "ansible": "vllm_lint.sources.ci.ansible:extract",
    "embedded": "vllm_lint.sources.embedded.strings:extract",
    "markdown": "vllm_lint.sources.embedded.markdown:extract",
    "unknown": "vllm_lint.sources.unknown:extract",
}

KINDS = tuple(REGISTRY)


def _resolve(kind: str) -> Extractor | None:
    fn = REGISTRY.get(kind)
    if fn is None:
        return None
    if isinstance(fn, str):
        module, _, name = fn.partition(":")
        fn = getattr(importlib.import_module(module), name)
        REGISTRY[kind] = fn
    return fn


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    """Launches and input diagnostics of one file; unknown kinds give an empty result."""
    opts = opts or ExtractOptions()
    fn = _resolve(src.kind)
    if fn is None:
        return ExtractResult()
    try:
        return fn(src, opts)
    except RecursionError:
        return ExtractResult([], [input_diagnostic(
            "VL002", src.display, None, "file is nested too deeply to read safely")])
    # any other exception is a bug: the pipeline (lint.py) turns it into VL000 and exit code 2
