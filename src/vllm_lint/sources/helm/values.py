"""Helm values files -> the vLLM launches the chart would render.

Values are merged the way ``helm install -f a.yaml -f b.yaml`` merges them (maps deep-merge,
lists and scalars replace, ``null`` deletes a key), keeping every node's source file so spans
point at the file that set the value. Charts are recognised by their values schema and rendered
by a small model of their templates (``charts``): vLLM production-stack, the vLLM
project's example chart, KubeAI's model catalog, llm-d, and unknown charts by heuristics.
Template files (``templates/*.yaml`` with ``{{ }}``) are not values and are skipped quietly when
met on their own; an unknown chart's templates are instead rendered from its values file
(``renderer``: simple ``.Values`` references only), and that rendering wins over the
heuristics.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode

from vllm_lint.launch import Launch, Token
from vllm_lint.sources.base import ExtractOptions, SourceFile
from vllm_lint.sources.k8s import gpu_requests
from vllm_lint.sources.readfile import load_sibling
from vllm_lint.sources.yaml import loader, lookup, navigate
from vllm_lint.span import Span


@dataclass
class Values:
    """Merged values: a node tree whose nodes remember the file they came from."""

    root: Node | None
    origin: dict[int, SourceFile] = field(default_factory=dict)
    main: SourceFile | None = None  # the file being linted
    overlay: str | None = None  # display name of the overlay, when several files were merged
    files: list[SourceFile] = field(default_factory=list)

    def src_of(self, node: Node | None) -> SourceFile:
        if node is not None and id(node) in self.origin:
            return self.origin[id(node)]
        assert self.main is not None
        return self.main

    def span(self, node: Node | None) -> Span | None:
        if node is None or not navigate.is_scalar(node):
            return None
        return gpu_requests.node_span(self.src_of(node).index, node)

    def token(self, node: Node, style: str = "argv", text: str | None = None) -> Token:
        """A token for a scalar value node (span in the file it came from)."""
        src = self.src_of(node)
        span = self.span(node)
        value = navigate.text(node) or ""
        return Token(text=value if text is None else text, span=span,
                     raw=src.text[span.start:span.end] if span else None, style=style,
                     symbolic=navigate.templated(value))

    def key_token(self, key: Node, flag: str) -> Token:
        """A flag the chart renders from a values key (``maxModelLen`` -> ``--max-model-len``)."""
        src = self.src_of(key)
        span = self.span(key)
        return Token(text=flag, span=span, raw=src.text[span.start:span.end] if span else None, style="helm-key")


def _register(values: Values, src: SourceFile, node: Node | None) -> None:
    for n in lookup.walk(node):
        values.origin[id(n)] = src


def merge(base: Node | None, over: Node | None) -> Node | None:
    """Helm's values merge: maps deep-merge, everything else replaces, null deletes."""
    if over is None:
        return base
    if navigate.is_map(base) and navigate.is_map(over):
        out: list[tuple[Node, Node]] = []
        over_pairs = {navigate.key_text(k): (k, v) for k, v in navigate.pairs(over)}
        for k, v in navigate.pairs(base):
            kt = navigate.key_text(k)
            if kt in over_pairs:
                ok, ov = over_pairs.pop(kt)
                if navigate.is_null(ov):
                    continue
                out.append((ok, merge(v, ov) if navigate.is_map(v) and navigate.is_map(ov) else ov))
            else:
                out.append((k, v))
        for kt, (k, v) in over_pairs.items():
            if not navigate.is_null(v):
                out.append((k, v))
        return MappingNode(over.tag, out, over.start_mark, over.end_mark, flow_style=over.flow_style)
    return over


def _first_doc(src: SourceFile) -> tuple[Node | None, list]:
    loaded = loader.load_documents(src, templated_ok=True)
    return (loaded.documents[0] if loaded.documents else None), list(loaded.diagnostics)


def chain_for(src: SourceFile, opts: ExtractOptions) -> list[SourceFile]:
    """The values files to merge, in order, for linting ``src``.

    ``--values`` overlays apply on top of ``src``. Otherwise an overlay (``values-x.yaml``) that
    sits beside a chart's ``values.yaml`` (a Chart.yaml next to it) is merged over it.
    """
    chain = [src]
    if opts.values_files:
        # as `helm -f a -f b`: the chart's values.yaml first, then the stated files in their
        # order (the file being linted where it is stated, or first when it is not)
        here = src.path.resolve()
        stated: list[SourceFile] = []
        for p in opts.values_files:
            rel = os.path.relpath(str(p), str(src.path.parent))
            f = src if Path(src.path.parent, rel).resolve() == here else load_sibling(src, rel, "helm-values")
            if f is not None and all(g.path.resolve() != f.path.resolve() for g in stated):
                stated.append(f)
        chain = [] if any(f is src for f in stated) else [src]
        base = load_sibling(src, "values.yaml", "helm-values") if load_sibling(src, "Chart.yaml", "") else None
        if base is not None and all(f.path.resolve() != base.path.resolve() for f in stated + chain):
            chain.insert(0, base)
        return chain + stated
    if src.path.name != "values.yaml":
        chart = load_sibling(src, "Chart.yaml", "")
        base = load_sibling(src, "values.yaml", "helm-values")
        if chart is not None and base is not None:
            chain = [base, src]
    return chain


def load_values(src: SourceFile, opts: ExtractOptions, diags: list) -> Values:
    files = chain_for(src, opts)
    values = Values(root=None, main=src, files=files)
    for f in files:
        root, d = _first_doc(f)
        if f is src:
            diags.extend(d)
        _register(values, f, root)
        values.root = merge(values.root, root) if values.root is not None else root
    if len(files) > 1:
        values.overlay = " + ".join(Path(f.display).name for f in files[1:]) if files[0] is not src else \
            " + ".join(Path(f.display).name for f in files)
    return values


def is_scalar_value(node: Node | None) -> bool:
    return isinstance(node, ScalarNode) and not navigate.is_null(node)


def launch_name(values: Values, base: str) -> str:
    return base + (f" [{values.overlay}]" if values.overlay else "")


def new_launch(values: Values, name: str, span_node: Node | None, **kw) -> Launch:
    src = values.main
    assert src is not None
    node_src = values.src_of(span_node)
    if span_node is not None and node_src is src:
        start = span_node.start_mark.index
        span = src.index.span(start, min(span_node.end_mark.index, start + 1))
        sp = values.span(span_node) if navigate.is_scalar(span_node) else span
    else:
        sp = src.index.span(0, 0)
    return Launch(path=src.display, name=launch_name(values, name), source="helm", span=sp or src.index.span(0, 0), **kw)


def synthetic(*words: str) -> list[Token]:
    """Words the chart's template writes itself (no span in the values)."""
    return [Token(text=w, span=None, style="synthetic", origin="chart") for w in words]
