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
import re
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


def _chart_base(f: SourceFile) -> SourceFile | None:
    """The chart's own ``values.yaml`` beside ``f`` (a Chart.yaml next to it): helm reads it first."""
    if load_sibling(f, "Chart.yaml", "") is None:
        return None
    return load_sibling(f, "values.yaml", "helm-values")


def _same(a: Path, b: Path) -> bool:
    return os.path.abspath(a) == os.path.abspath(b) or a.resolve() == b.resolve()


def _load_stated(src: SourceFile, paths: list[Path] | tuple[Path, ...]) -> list[SourceFile]:
    """The stated values files as SourceFiles (``src`` itself where it is stated), each once."""
    out: list[SourceFile] = []
    for p in paths:
        rel = os.path.relpath(str(p), str(src.path.parent))
        f = src if _same(Path(src.path.parent, rel), src.path) else load_sibling(src, rel, "helm-values")
        if f is not None and all(not _same(g.path, f.path) for g in out):
            out.append(f)
    return out


def _with_base(files: list[SourceFile]) -> list[SourceFile]:
    base = _chart_base(files[0]) if files else None
    if base is not None and all(not _same(f.path, base.path) for f in files):
        return [base, *files]
    return files


@dataclass
class Chains:
    """The merges ``src`` is linted as (each a list of values files in ``helm -f`` order), or why none."""

    chains: list[list[SourceFile]]
    note: str | None = None


def chains_for(src: SourceFile, opts: ExtractOptions) -> Chains:
    """The values files to merge, in order, for each release ``src`` is linted as.

    A stated merge (``--values`` on the command line, else the configuration's ``values`` chains)
    is linted once, from its last file: helm's own order, the chart's ``values.yaml`` first (helm
    always reads it), then the stated files in their order, never reversed. A file stated only
    before the last one (a base or a middle overlay) is not a release on its own: it yields no
    launch, and naming it lints the merges that read it (``discover.values_readers``). With
    ``--values``, a linted file that is not stated goes first and the stated files over it.
    Otherwise an overlay (``values-x.yaml``) beside a chart's ``values.yaml`` (a Chart.yaml next
    to it) is merged over it.
    """
    if opts.values_files:
        stated = _load_stated(src, opts.values_files)
        if any(f is src for f in stated):
            if stated[-1] is not src:
                return Chains([], _merged_note(src, [stated]))
            return Chains([_with_base(stated)])
        return Chains([_with_base([src, *stated])])
    mine = [c for c in opts.values_chains if any(_same(p, src.path) for p in c)]
    if mine:
        lasts = [c for c in mine if _same(c[-1], src.path)]
        if not lasts:
            return Chains([], _merged_note(src, [_load_stated(src, c) for c in mine]))
        return Chains([_with_base(_load_stated(src, c)) for c in lasts])
    if src.path.name != "values.yaml":
        base = _chart_base(src)
        if base is not None:
            return Chains([[base, src]])
    return Chains([[src]])


def _merged_note(src: SourceFile, chains: list[list[SourceFile]]) -> str:
    merges = "; ".join(helm_order(c) for c in chains)
    return f"{Path(src.display).name} is merged under other values files ({merges}): it is linted as part of those"


def helm_order(files: list[SourceFile]) -> str:
    """``helm -f a.yaml -f b.yaml``: a merge as the user would type it."""
    return "helm " + " ".join(f"-f {f.display}" for f in files)


def load_chain(src: SourceFile, files: list[SourceFile], diags: list) -> Values:
    """``files`` merged in order (``src``, the file being linted, among them)."""
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


def load_values(src: SourceFile, opts: ExtractOptions, diags: list) -> Values:
    """The first merge ``src`` is linted as (``src`` alone when it is only merged under others)."""
    chains = chains_for(src, opts).chains
    return load_chain(src, chains[0] if chains else [src], diags)


_KEY_LINE = re.compile(r"^\s*(?:-\s+)?([\w.\-/]+)\s*:")


def mark_origins(launch: Launch, values: Values) -> None:
    """In a merge of several values files, a word set in another file than the one linted says
    where it came from and how the files were merged (``maxModelLen from values.yaml:8, merged
    as helm -f values.yaml -f values-prod.yaml``), so a finding on it names the line to change
    and the merge it holds under."""
    if len(values.files) < 2 or values.main is None:
        return
    by_display = {f.display: f for f in values.files}
    order = helm_order(values.files)
    for t in launch.program + launch.args:
        f = by_display.get(t.span.path) if t.span is not None else None
        if f is None or f is values.main or t.origin.startswith("value: "):
            continue
        m = _KEY_LINE.match(f.index.line_text(t.span.line))
        key = f"{m.group(1)} " if m and t.style != "helm-key" else ""
        t.origin = f"value: {key}from {f.display}:{t.span.line}, merged as {order}"


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
