"""A small, safe renderer for Helm chart templates: simple ``.Values`` references only.

Models the subset of Go ``text/template`` + Helm that charts use to write a container command
(Go text/template docs; Helm "Template Functions" docs):

* ``{{ .Values.a.b }}`` / ``{{ $.Values.a.b }}``, ``{{ . }}`` and ``{{ .x }}`` inside
  ``range``/``with``; ``.Chart.Name|Version|AppVersion`` from Chart.yaml when present;
* pipelines through ``default D``, ``quote``, ``lower``, ``upper``, ``trim``, ``toString``
  (also written prefix-style: ``default "y" .Values.x``, ``quote .Values.x``);
* ``{{- ... -}}`` whitespace trimming (the adjacent text loses its spaces and newlines);
* ``{{ if P }}..{{ else if P }}..{{ else }}..{{ end }}``, ``{{ with P }}``, ``{{ range P }}``
  over a list or map (Go truthiness: false, 0, "", null, empty list/map and missing are false);
* ``{{/* comments */}}`` and ``{{ define }}`` bodies render nothing.

Anything else is never evaluated: an action inside a line keeps its text (so the word holding it
is symbolic downstream); an action that writes YAML structure (``include``, ``toYaml``,
``nindent``, a line of its own) is dropped and named in ``unknowns``; a block whose condition
cannot be decided renders its first branch and is named in ``unknowns``.

Every output character remembers where it came from: template text -> its template offset; a
substituted value -> its character in the values file (``Origin.file`` > 0) when the value is
written there verbatim. ``Rendered.map_span`` turns a span of the rendered text back into a
span of the template or of the values file.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from yaml.nodes import Node

from vllm_lint.sources.base import SourceFile
from vllm_lint.sources.readfile import load_sibling
from vllm_lint.sources.yaml import loader, lookup, navigate, spans
from vllm_lint.span import Span

if TYPE_CHECKING:
    from vllm_lint.launch import Launch

# an action ends at the first `}}` outside its string literals (`{{ "}}" }}` prints `}}`)
_ACTION = re.compile(r'\{\{(-(?=[ \t\r\n]))?((?:"(?:[^"\\\n]|\\.)*"|`[^`]*`|.)*?)((?<=[ \t\r\n])-)?\}\}', re.S)
_STRUCTURAL = re.compile(r"\b(?:include|toYaml|toJson|nindent|indent|tpl|template)\b")
_FUNCS = {"quote", "lower", "upper", "trim", "toString", "default", "squote"}
MAX_OUTPUT = 2_000_000  # a range over a huge list must not blow up memory
MAX_DEPTH = 30
MAX_STEPS = 200_000  # nested ranges with empty bodies emit nothing but still loop


class Unknown(Exception):
    """An expression this renderer does not evaluate."""


@dataclass(slots=True)
class Val:
    """A value in a pipeline: its text, per-character (file, offset) origins (None for derived
    characters), the node it came from (for range/with/truthiness) and its truthiness."""

    text: str
    origins: list[tuple[int, int] | None]
    node: Node | None = None
    truthy: bool = True
    missing: bool = False


@dataclass(slots=True)
class Rendered:
    text: str
    # per output character: (file id, offset, template lo, template hi, symbolic, from values)
    file: list[int]
    off: list[int]
    tlo: list[int]
    thi: list[int]
    symbolic: list[bool]
    valued: list[bool]
    files: list[SourceFile]  # file id -> SourceFile (0 is the template)
    unknowns: list[str] = field(default_factory=list)

    def map_span(self, span: Span) -> tuple[Span, bool, bool]:
        """(span in the template or a values file, symbolic, touches a substituted value)."""
        s, e = max(0, span.start), min(span.end, len(self.text))
        tpl = self.files[0]
        if s >= len(self.text):
            n = len(tpl.text)
            return tpl.index.span(n, n), False, False
        if e <= s:
            o = self.tlo[s]
            return tpl.index.span(o, o), False, False
        fid = self.file[s]
        contiguous = fid > 0 and all(self.file[i] == fid and self.off[i] == self.off[s] + (i - s) for i in range(s, e))
        sym = any(self.symbolic[s:e])
        valued = any(self.valued[s:e])
        if contiguous:
            f = self.files[fid]
            return f.index.span(self.off[s], self.off[e - 1] + 1), sym, valued
        return tpl.index.span(min(self.tlo[s:e]), max(self.thi[s:e])), sym, valued


@dataclass
class _Node:
    kind: str  # text | action | if | range | with | define
    lo: int = 0
    hi: int = 0
    expr: str = ""
    alo: int = 0  # the action's template range (whole {{ .. }})
    ahi: int = 0
    branches: list[tuple[str | None, list["_Node"]]] = field(default_factory=list)
    alone: bool = False  # the action stands on a line of its own


def _parse(text: str) -> list[_Node]:
    """Template text -> a tree of text, actions and blocks (trim markers applied to the text)."""
    tokens: list[_Node] = []
    pos = 0
    for m in _ACTION.finditer(text):
        lo, hi = pos, m.start()
        if m.group(1):
            while hi > lo and text[hi - 1] in " \t\r\n":
                hi -= 1
        tokens.append(_Node("text", lo, hi))
        line_lo = text.rfind("\n", 0, m.start()) + 1
        line_hi = text.find("\n", m.end())
        line_hi = len(text) if line_hi == -1 else line_hi
        alone = not text[line_lo:m.start()].strip() and not text[m.end():line_hi].strip()
        tokens.append(_Node("action", expr=m.group(2).strip(), alo=m.start(), ahi=m.end(), alone=alone))
        pos = m.end()
        if m.group(3):
            while pos < len(text) and text[pos] in " \t\r\n":
                pos += 1
    tokens.append(_Node("text", pos, len(text)))
    out = tokens
    root: list[_Node] = []
    stack: list[tuple[_Node, list[_Node]]] = []
    cur = root
    for t in out:
        if t.kind == "text":
            if t.hi > t.lo:
                cur.append(t)
            continue
        word = t.expr.split(None, 1)[0] if t.expr else ""
        if word in ("if", "range", "with", "define", "block"):
            blk = _Node("define" if word in ("define", "block") else word, alo=t.alo, ahi=t.ahi,
                        expr=t.expr[len(word):].strip())
            blk.branches.append((blk.expr, []))
            cur.append(blk)
            stack.append((blk, cur))
            cur = blk.branches[-1][1]
        elif word == "else" and stack:
            blk = stack[-1][0]
            rest = t.expr[4:].strip()
            cond: str | None = None
            if rest.startswith("if ") or rest.startswith("with "):
                cond = rest.split(None, 1)[1] if " " in rest else ""
            blk.branches.append((cond, []))
            cur = blk.branches[-1][1]
        elif word == "end" and stack:
            blk, cur = stack.pop()
        else:
            cur.append(t)
    return root


class _Renderer:
    def __init__(self, tpl: SourceFile, root: Node | None, origin_of, chart: dict[str, Node]) -> None:
        self.tpl = tpl
        self.root = root
        self.origin_of = origin_of  # node -> SourceFile it came from
        self.chart = chart
        self.files: list[SourceFile] = [tpl]
        self.out: list[str] = []
        self.file: list[int] = []
        self.off: list[int] = []
        self.tlo: list[int] = []
        self.thi: list[int] = []
        self.sym: list[bool] = []
        self.valued: list[bool] = []
        self.unknowns: list[str] = []
        self.steps = 0

    # -- output
    def emit_text(self, lo: int, hi: int, symbolic: bool = False) -> None:
        if len(self.out) + (hi - lo) > MAX_OUTPUT:
            raise Unknown("rendered output too large")
        t = self.tpl.text
        for i in range(lo, hi):
            self.out.append(t[i])
            self.file.append(0)
            self.off.append(i)
            self.tlo.append(i)
            self.thi.append(i + 1)
            self.sym.append(symbolic)
            self.valued.append(symbolic)

    def emit_val(self, v: Val, alo: int, ahi: int) -> None:
        if len(self.out) + len(v.text) > MAX_OUTPUT:
            raise Unknown("rendered output too large")
        for ch, o in zip(v.text, v.origins):
            self.out.append(ch)
            self.file.append(o[0] if o else -1)
            self.off.append(o[1] if o else -1)
            self.tlo.append(alo)
            self.thi.append(ahi)
            self.sym.append(False)
            self.valued.append(True)

    def _fid(self, src: SourceFile) -> int:
        for i, f in enumerate(self.files):
            if f is src:
                return i
        self.files.append(src)
        return len(self.files) - 1

    # -- values
    def node_val(self, node: Node | None) -> Val:
        if node is None or navigate.is_null(node):
            return Val("", [], node, truthy=False, missing=node is None)
        if navigate.is_map(node) or navigate.is_seq(node):
            truthy = bool(navigate.pairs(node)) if navigate.is_map(node) else bool(navigate.items(node))
            return Val("", [], node, truthy=truthy)  # printing a collection: see _print
        text = node.value
        src = self.origin_of(node)
        offs = spans.scalar_offset_map(node, src.text) if src is not None else None
        fid = self._fid(src) if src is not None else -1
        origins = [(fid, o) for o in offs] if offs and len(offs) == len(text) else [None] * len(text)
        py = lookup.to_python(node)
        truthy = bool(py) if not isinstance(py, str) else bool(text)
        return Val(text, origins, node, truthy=truthy)

    def lookup(self, path: str, dot: Val | None) -> Val:
        """``.Values.a.b``, ``$.Values.a``, ``.Chart.Name``, ``.`` and ``.x`` relative to dot."""
        if path in (".", "$") and dot is not None:
            return dot
        if path.startswith("$."):
            path = path[1:]
            dot = None
        if not re.fullmatch(r"(?:\.[A-Za-z_][\w\-]*)+", path):
            raise Unknown(path)
        parts = path[1:].split(".")
        if dot is not None and parts[0] not in ("Values", "Chart", "Release", "Capabilities", "Files", "Template"):
            node = dot.node
        elif parts[0] == "Values":
            node = self.root
            parts = parts[1:]
        elif parts[0] == "Chart" and len(parts) == 2 and parts[1] in self.chart:
            return self.node_val(self.chart[parts[1]])
        else:
            raise Unknown(path)
        for p in parts:
            if node is None:
                return Val("", [], None, truthy=False, missing=True)
            if not navigate.is_map(node):
                raise Unknown(path)
            node = navigate.get(node, p)
        return self.node_val(node)

    def literal(self, word: str) -> Val | None:
        if len(word) >= 2 and word[0] == word[-1] == '"':
            try:
                import json
                s = json.loads(word)
            except ValueError:
                return None
            return Val(s, [None] * len(s), truthy=bool(s))
        if len(word) >= 2 and word[0] == word[-1] == "`":
            s = word[1:-1]
            return Val(s, [None] * len(s), truthy=bool(s))
        if re.fullmatch(r"-?\d+(?:\.\d+)?", word):
            return Val(word, [None] * len(word), truthy=float(word) != 0)
        if word in ("true", "false"):
            return Val(word, [None] * len(word), truthy=word == "true")
        return None

    def operand(self, word: str, dot: Val | None) -> Val:
        lit = self.literal(word)
        if lit is not None:
            return lit
        return self.lookup(word, dot)

    def pipeline(self, expr: str, dot: Val | None) -> Val:
        if "(" in expr or ":=" in expr or "=" in expr.replace("==", ""):
            raise Unknown(expr)
        stages = [s.strip() for s in _split_pipes(expr)]
        val: Val | None = None
        for i, stage in enumerate(stages):
            words = _split_words(stage)
            if not words:
                raise Unknown(expr)
            fn, args = words[0], words[1:]
            if i == 0 and fn not in _FUNCS:
                if args:
                    raise Unknown(expr)
                val = self.operand(fn, dot)
                continue
            if fn not in _FUNCS:
                raise Unknown(expr)
            operands = [self.operand(a, dot) for a in args]
            if val is not None:
                operands.append(val)
            val = _apply(fn, operands, expr)
        assert val is not None
        return val

    def _print(self, v: Val, expr: str) -> Val:
        if v.node is not None and (navigate.is_map(v.node) or navigate.is_seq(v.node)):
            raise Unknown(expr)  # Go prints map[..]/[..]: never what a chart wants in a command
        if v.missing or (v.node is not None and navigate.is_null(v.node)):
            return Val("", [])  # Helm renders a missing value as "" (<no value> only without Helm)
        return v

    # -- tree
    def render(self, nodes: list[_Node], dot: Val | None, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            raise Unknown("template nesting too deep")
        self.steps += 1 + len(nodes)
        if self.steps > MAX_STEPS:
            raise Unknown("template rendering too long")
        for n in nodes:
            if n.kind == "text":
                self.emit_text(n.lo, n.hi)
            elif n.kind == "action":
                self.action(n, dot)
            elif n.kind == "define":
                continue
            else:
                self.block(n, dot, depth)

    def action(self, n: _Node, dot: Val | None) -> None:
        e = n.expr
        if e.startswith("/*") or not e:
            return
        try:
            v = self._print(self.pipeline(e, dot), e)
        except Unknown:
            if n.alone or _STRUCTURAL.search(e) or e.startswith("$") and ":=" in e:
                self.unknowns.append(f"template action {{{{ {e} }}}} not rendered")
                return
            if self._starts_plain_scalar():
                # `name: {{ .Release.Name }}-x` would read as a YAML flow mapping: a `$` before
                # the kept action makes it a plain scalar (still symbolic: it holds `{{`)
                self.out.append("$")
                self.file.append(0)
                self.off.append(n.alo)
                self.tlo.append(n.alo)
                self.thi.append(n.ahi)
                self.sym.append(True)
                self.valued.append(True)
            self.emit_text(n.alo, n.ahi, symbolic=True)
            return
        self.emit_val(v, n.alo, n.ahi)

    def _starts_plain_scalar(self) -> bool:
        """True when the next output character would start a YAML scalar in block context."""
        line: list[str] = []
        for ch in reversed(self.out):
            if ch == "\n":
                break
            line.append(ch)
            if len(line) > 400:
                return False
        before = "".join(reversed(line)).rstrip()
        return before == "" or before.endswith((":", "- ")) or before == "-" or before.endswith(" -")

    def block(self, n: _Node, dot: Val | None, depth: int) -> None:
        first_cond = n.branches[0][0] or ""
        if n.kind == "range":
            try:
                v = self.pipeline(first_cond, dot)
            except Unknown:
                self.unknowns.append(f"{{{{ range {first_cond} }}}} not rendered")
                return
            items: list[Node] = []
            if v.node is not None and navigate.is_seq(v.node):
                items = navigate.items(v.node)
            elif v.node is not None and navigate.is_map(v.node):
                items = [val for _, val in sorted(navigate.pairs(v.node), key=lambda kv: navigate.key_text(kv[0]))]
            elif v.truthy and not v.missing:
                self.unknowns.append(f"{{{{ range {first_cond} }}}} over a scalar not rendered")
                return
            if items:
                for it in items:
                    self.render(n.branches[0][1], self.node_val(it), depth + 1)
            elif len(n.branches) > 1:
                self.render(n.branches[1][1], dot, depth + 1)
            return
        for i, (cond, body) in enumerate(n.branches):
            if cond is None:  # else
                self.render(body, dot, depth + 1)
                return
            try:
                v = self.pipeline(_strip_not(cond), dot)
                truth = v.truthy and not v.missing
                if cond.startswith("not "):
                    truth = not truth
            except Unknown:
                self.unknowns.append(f"{{{{ {n.kind if i == 0 else 'else if'} {cond} }}}} not decided: "
                                     "its first branch was rendered")
                self.render(body, dot, depth + 1)
                return
            if truth:
                self.render(body, v if n.kind == "with" else dot, depth + 1)
                return


def _strip_not(cond: str) -> str:
    return cond[4:].strip() if cond.startswith("not ") and "|" not in cond else cond


def _apply(fn: str, ops: list[Val], expr: str) -> Val:
    if fn == "default":
        if len(ops) != 2:
            raise Unknown(expr)
        d, v = ops
        return v if (v.truthy and not v.missing) else d
    if len(ops) != 1:
        raise Unknown(expr)
    v = ops[0]
    if v.node is not None and (navigate.is_map(v.node) or navigate.is_seq(v.node)):
        raise Unknown(expr)
    if fn in ("quote", "squote"):
        q = '"' if fn == "quote" else "'"
        inner = v.text.replace("\\", "\\\\").replace('"', '\\"') if fn == "quote" else v.text
        if inner != v.text:
            return Val(q + inner + q, [None] * (len(inner) + 2), truthy=True)
        return Val(q + v.text + q, [None] + list(v.origins) + [None], truthy=True)
    if fn == "toString":
        return Val(v.text, list(v.origins), v.node, truthy=bool(v.text))
    if fn in ("lower", "upper"):
        t = v.text.lower() if fn == "lower" else v.text.upper()
        return Val(t, list(v.origins) if t == v.text else [None] * len(t), truthy=bool(t))
    if fn == "trim":
        t = v.text.strip()
        lead = len(v.text) - len(v.text.lstrip())
        return Val(t, list(v.origins[lead:lead + len(t)]), truthy=bool(t))
    raise Unknown(expr)


def _split_pipes(expr: str) -> list[str]:
    out, cur, q = [], [], None
    for ch in expr:
        if q:
            cur.append(ch)
            if ch == q:
                q = None
        elif ch in "\"`":
            q = ch
            cur.append(ch)
        elif ch == "|":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _split_words(stage: str) -> list[str]:
    return re.findall(r'"(?:[^"\\]|\\.)*"|`[^`]*`|\S+', stage)


def render(tpl: SourceFile, root: Node | None, origin_of: Callable[[Node | None], SourceFile],
           chart: dict[str, Node] | None = None) -> Rendered:
    """Render ``tpl`` with the merged values ``root`` (``origin_of(node)`` -> its SourceFile)."""
    r = _Renderer(tpl, root, origin_of, chart or {})
    r.render(_parse(tpl.text), None)
    return Rendered("".join(r.out), r.file, r.off, r.tlo, r.thi, r.sym, r.valued, r.files, r.unknowns)


def references_values(text: str) -> bool:
    return ".Values" in text and "{{" in text


# ----------------------------------------------------------------------------- launches


def _remap_obj(obj: object, rendered: Rendered, depth: int = 0) -> object:
    """Spans anywhere in a fact value (Span, or lists/tuples/dicts holding them) remapped."""
    if depth > 10:
        return obj
    if isinstance(obj, Span):
        return rendered.map_span(obj)[0]
    if isinstance(obj, list):
        return [_remap_obj(x, rendered, depth + 1) for x in obj]
    if isinstance(obj, tuple):
        return tuple(_remap_obj(x, rendered, depth + 1) for x in obj)
    if isinstance(obj, dict):
        return {k: _remap_obj(v, rendered, depth + 1) for k, v in obj.items()}
    return obj


def remap_launch(launch: Launch, rendered: Rendered) -> bool:
    """Point every span of a launch read from the rendered text back at the template or the
    values file; tokens that hold an unrendered action become symbolic. Returns True when an
    argv token came (partly) from a substituted or unrendered ``{{ }}`` action."""
    from vllm_lint.launch import Token

    touched = False

    def tok(t: Token) -> Token:
        nonlocal touched
        if t.span is None:
            return t
        span, sym, valued = rendered.map_span(t.span)
        touched = touched or valued
        f = rendered.files[0] if span.path == rendered.files[0].display else next(
            (x for x in rendered.files if x.display == span.path), rendered.files[0])
        raw = f.text[span.start:span.end]
        origin = "helm-values" if f is not rendered.files[0] else ("helm-template" if valued else t.origin)
        return dataclasses.replace(t, span=span, raw=raw, symbolic=t.symbolic or sym, origin=origin)

    launch.program = [tok(t) for t in launch.program]
    launch.args = [tok(t) for t in launch.args]
    launch.span = rendered.map_span(launch.span)[0]
    if launch.image_span is not None:
        launch.image_span = rendered.map_span(launch.image_span)[0]
    for ev in launch.env.values():
        if ev.span is not None:
            span, sym, _ = rendered.map_span(ev.span)
            ev.span = span
            ev.symbolic = ev.symbolic or sym
    g = launch.gpu
    if g.count_span is not None:
        g.count_span = rendered.map_span(g.count_span)[0]
    if g.product_span is not None:
        g.product_span = rendered.map_span(g.product_span)[0]
    for name, value in launch.facts.items():
        setattr(launch.facts, name, _remap_obj(value, rendered))
    launch.insertion = None  # new flags cannot be written into a template safely
    return touched


def chart_templates(values_src: SourceFile) -> list[SourceFile]:
    """The manifest templates of the chart whose ``values.yaml`` is (or underlies) ``values_src``:
    ``templates/*.yaml|yml`` beside it (helpers ``_*.tpl`` are not manifests), those whose
    container command or args reference ``.Values``."""
    tdir = values_src.path.parent / "templates"
    try:
        names = sorted(p.name for p in tdir.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("_"))
    except OSError:
        return []
    out = []
    for name in names[:50]:
        f = load_sibling(values_src, f"templates/{name}", "helm-template")
        if f is None or "containers" not in f.text or not references_values(f.text):
            continue
        if not _argv_uses_values(f.text):
            continue
        out.append(f)
    return out


_ARGV_KEY = re.compile(r"^([ \t]*)(?:-[ \t]+)?(?:command|args)[ \t]*:(.*)$")


def _argv_uses_values(text: str) -> bool:
    """True when a ``command:``/``args:`` entry (its line and the deeper-indented lines under it)
    holds a ``.Values`` reference or a ``range``/``with`` over values."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = _ARGV_KEY.match(line)
        if not m:
            continue
        if ".Values" in m.group(2):
            return True
        indent = len(m.group(1))
        for nxt in lines[i + 1:i + 200]:
            body = nxt.strip()
            if not body:
                continue
            lead = len(nxt) - len(nxt.lstrip())
            if lead < indent or (lead == indent and not body.startswith(("-", "{{"))):
                break
            if ".Values" in body:
                return True
    return False


def chart_meta(values_src: SourceFile) -> tuple[dict[str, Node], SourceFile | None]:
    """``.Chart.Name|Version|AppVersion`` nodes from the Chart.yaml beside the values file."""
    f = load_sibling(values_src, "Chart.yaml", "")
    if f is None:
        return {}, None
    loaded = loader.load_documents(f)
    if not loaded.documents or not navigate.is_map(loaded.documents[0]):
        return {}, None
    doc = loaded.documents[0]
    out = {}
    for key, name in (("name", "Name"), ("version", "Version"), ("appVersion", "AppVersion")):
        n = navigate.get(doc, key)
        if n is not None and navigate.is_scalar(n):
            out[name] = n
    return out, f
