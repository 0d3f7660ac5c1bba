"""vLLM command lines inside strings and lists of YAML, JSON or TOML files of any schema.

A benchmark harness scenario, a CI definition, an operator's custom resource, a Baseten/Truss
``start_command``, a Cerebrium ``entrypoint = [...]`` (whose GPU fields ``platforms`` reads):
whatever the schema, a string that holds
``vllm serve ...``, ``python -m vllm.entrypoints...`` or ``docker run ... vllm/vllm-openai ...``
is a shell command at that place, and a list whose items spell such a command is an argv. Both
are read with spans into the file, so their flags get the same checks as anywhere else.

Only a command that starts with the program counts (after process wrappers and ``A=b``
assignments): prose that mentions ``vllm serve`` mid-sentence is not a launch. A list already
read as an argv is not read again through its items. Template placeholders (``{model}``,
``{{ .Values.x }}``) are unknown values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable, Iterator

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from vllm_lint.launch import Insertion, Launch
from vllm_lint.sources.yaml import loader, spans
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile, input_diagnostic
from vllm_lint.sources.insertion import yaml_list_insertion
from vllm_lint.sources.mapped import script_launches, starts_command
from vllm_lint.sources.mapped_text import MappedText
from vllm_lint.sources.shell.syntax import Command, Script, Word

# cheap pre-filter before a string is parsed as a script
HINT = re.compile(r"vllm|docker|podman", re.I)
_TEMPLATE_SUFFIXES = (".tpl", ".tmpl", ".j2", ".jinja", ".jinja2", ".template", ".tftpl")


@dataclass(slots=True)
class Candidate:
    """A string (``words`` None) or a list of strings (``words``) found at ``path``."""

    path: str
    mapped: MappedText | None = None
    words: list[Word] | None = None
    insertion: Callable[[], Insertion | None] | None = None
    quote: str = ""  # how inserted text must be escaped: "json", "toml" or "" (none)


def file_format(name: str) -> str:
    """yaml, json or toml from a file name (a template's inner suffix: ``x.toml.tpl``)."""
    low = name.lower()
    for suf in _TEMPLATE_SUFFIXES:
        if low.endswith(suf):
            low = low[: -len(suf)]
            break
    if low.endswith(".json") or low.endswith(".ipynb"):
        return "json"
    if low.endswith(".toml"):
        return "toml"
    return "yaml"


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    fmt = file_format(src.path.name)
    result = ExtractResult()
    if not re.search("vllm", src.text, re.I):  # a pyproject.toml or package.json named by the hook
        result.notes.append(f"a {fmt.upper()} file that does not mention vLLM")
        return result
    if fmt == "json":
        cands = _json_candidates(src, result)
    elif fmt == "toml":
        cands = _toml_candidates(src, result)
    else:
        cands = _yaml_candidates(src, result)
    result.launches.extend(candidate_launches(src, cands, source="embedded"))
    from vllm_lint.sources.embedded.platforms import apply

    apply(src, fmt, result.launches)
    if not result.launches and not result.diagnostics:
        result.notes.append("no string or list in this file starts vLLM (a command must begin with the program: "
                            "vllm serve, python -m vllm.entrypoints..., docker run ... IMAGE)")
    return result


def candidate_launches(src: SourceFile, cands: Iterator[Candidate], *, source: str,
                       env: dict[str, object] | None = None) -> list[Launch]:
    from vllm_lint.sources.shell.scripts import command_launch

    out: list[Launch] = []
    for cand in cands:
        if cand.words is not None:
            cmd = Command(words=cand.words, env={}, start=cand.words[0].start, end=cand.words[-1].end)
            if not starts_command([w.text for w in cand.words]):
                continue
            launch = command_launch(src, cmd, Script([cmd], {}, []), depth=0)
            if launch is None:
                continue
            launch.source = source
            launch.name = f"{cand.path}: {launch.name}"
            launch.insertion = cand.insertion() if cand.insertion is not None else None
            out.append(launch)
            continue
        if cand.mapped is None or not HINT.search(cand.mapped.text):
            continue
        for launch in script_launches(src, cand.mapped, source=source, env=env, prefix=f"{cand.path}: ",
                                      strict=True):
            if launch.insertion is not None and cand.quote:
                launch.insertion = _escaped(launch.insertion, cand.quote)
            out.append(launch)
    return out


def _escaped(ins: Insertion, quote: str) -> Insertion:
    """Inserted shell words inside a JSON or TOML basic string need that string's escapes."""
    inner = ins.render

    def render(words: list[str]) -> str:
        text = inner(words)
        return json.dumps(text)[1:-1] if quote in ("json", "toml") else text

    return Insertion(ins.path, ins.offset, render)


# ----------------------------------------------------------------------------- YAML


def _yaml_candidates(src: SourceFile, result: ExtractResult) -> Iterator[Candidate]:
    docs = loader.load_documents(src, templated_ok=True)
    result.diagnostics.extend(docs.diagnostics)
    for doc in docs.documents:
        yield from yaml_node_candidates(src, doc)


def yaml_node_candidates(src: SourceFile, root: Node, base: str = "") -> Iterator[Candidate]:
    """Every string and list of strings under ``root`` that may spell a command, lists first."""
    handled: set[int] = set()
    budget = src.limits.max_aliases
    items = list(_yaml_walk(root, base, budget))
    for path, node in items:
        if isinstance(node, SequenceNode) and node.value and all(isinstance(x, ScalarNode) for x in node.value):
            texts = [x.value for x in node.value]
            if not any(HINT.search(t) for t in texts) or not starts_command(texts):
                continue
            words = [_yaml_word(src, x) for x in node.value]
            handled.update(id(x) for x in node.value)
            yield Candidate(path, words=words, insertion=lambda node=node: yaml_list_insertion(node, src))
    for path, node in items:
        if isinstance(node, ScalarNode) and id(node) not in handled and node.tag == "tag:yaml.org,2002:str" \
                and HINT.search(node.value):
            offs = spans.scalar_offset_map(node, src.text)
            if offs is None:
                continue
            mapped = MappedText(list(node.value), list(offs), [o + 1 for o in offs])
            yield Candidate(path, mapped=mapped)


def _yaml_walk(root: Node, base: str, budget: int) -> Iterator[tuple[str, Node]]:
    seen: set[int] = set()
    stack: list[tuple[str, Node]] = [(base, root)]
    while stack and budget > 0:
        path, node = stack.pop()
        budget -= 1
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield path, node
        if isinstance(node, MappingNode):
            for k, v in reversed(node.value):
                key = k.value if isinstance(k, ScalarNode) else "?"
                stack.append((f"{path}.{key}" if path else key, v))
        elif isinstance(node, SequenceNode):
            for i, v in reversed(list(enumerate(node.value))):
                stack.append((f"{path}[{i}]", v))


def _yaml_word(src: SourceFile, node: ScalarNode) -> Word:
    span = spans.scalar_span(node, src)
    offs = spans.scalar_offset_map(node, src.text)
    starts = list(offs) if offs is not None else [span.start] * len(node.value)
    return Word(text=node.value, start=span.start, end=span.end, quoted=node.style in ("'", '"'), starts=starts,
                ends=[s + 1 for s in starts] if offs is not None else [span.end] * len(node.value),
                raw_end=node.end_mark.index)


# ----------------------------------------------------------------------------- JSON


def _json_candidates(src: SourceFile, result: ExtractResult) -> Iterator[Candidate]:
    from vllm_lint.sources.embedded.json_spans import JsonError, parse_json, walk
    from vllm_lint.sources.mapped_text import ListLiteral, TextLiteral

    try:
        root = parse_json(src.text, src.limits.max_depth)
    except JsonError as exc:
        if not _templated(src) and re.search("vllm", src.text, re.I):
            span = src.span(exc.offset, min(exc.offset + 1, len(src.text)))
            result.diagnostics.append(input_diagnostic(
                "VL001", src.display, span, f"invalid JSON: {exc} (line {span.line}, column {span.column})"))
        return
    handled: set[int] = set()
    nodes = list(walk(root))
    for path, node in nodes:
        if isinstance(node, ListLiteral) and node.items and all(isinstance(x, TextLiteral) for x in node.items):
            texts = [x.text for x in node.items]
            if any(HINT.search(t) for t in texts) and starts_command(texts):
                handled.update(id(x) for x in node.items)
                words = [_str_word(x.value, x.lo, x.hi) for x in node.items]
                yield Candidate(_dotted(path), words=words,
                                insertion=lambda node=node: _array_insertion(src, node.items[-1].hi, "json"))
    for path, node in nodes:
        if isinstance(node, TextLiteral) and id(node) not in handled:
            yield Candidate(_dotted(path), mapped=node.value, quote="json")


def _templated(src: SourceFile) -> bool:
    return src.path.name.lower().endswith(_TEMPLATE_SUFFIXES) or "{{" in src.text


def _str_word(value: MappedText, lo: int, hi: int) -> Word:
    """One string literal as an argv word (span inside its quotes)."""
    return Word(text=value.text, start=lo + 1, end=max(lo + 1, hi - 1), quoted=True, starts=list(value.starts),
                ends=list(value.ends), raw_end=hi)


def _array_insertion(src: SourceFile, last_hi: int, style: str) -> Insertion:
    def render(words: list[str]) -> str:
        return "".join(", " + json.dumps(w) for w in words)

    return Insertion(src.display, last_hi, render)


def _dotted(path: tuple[str, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out or "(root)"


# ----------------------------------------------------------------------------- TOML


def _toml_candidates(src: SourceFile, result: ExtractResult) -> Iterator[Candidate]:
    from vllm_lint.sources.embedded.toml_spans import parse_toml
    from vllm_lint.sources.mapped_text import ListLiteral, RawLiteral, TextLiteral

    if not _templated(src) and not src.path.name.lower().endswith(_TEMPLATE_SUFFIXES):
        import tomllib

        try:
            tomllib.loads(src.text)
        except tomllib.TOMLDecodeError as exc:
            if re.search("vllm", src.text, re.I):
                m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
                span = None
                if m:
                    off = src.index.offset(int(m.group(1)), int(m.group(2)))
                    span = src.span(off, min(off + 1, len(src.text)))
                result.diagnostics.append(input_diagnostic("VL001", src.display, span, f"invalid TOML: {exc}"))
            return
    for path, node in parse_toml(src.text, src.limits.max_depth):
        name = ".".join(path)
        if isinstance(node, ListLiteral):
            strs = [x for x in node.items if isinstance(x, TextLiteral)]
            texts = [x.text for x in strs]
            if strs and any(HINT.search(t) for t in texts) and starts_command(texts):
                # a non-string item (``{eager_flag}``, read as an empty inline table) is a
                # placeholder a generator fills in: an unknown word
                words = [_str_word(x.value, x.lo, x.hi) if isinstance(x, TextLiteral)
                         else _other_word(RawLiteral(src.text[x.lo:x.hi], x.lo, x.hi)) for x in node.items]
                last = node.items[-1]
                yield Candidate(name, words=words,
                                insertion=lambda hi=last.hi: _array_insertion(src, hi, "toml"))
                continue
            for i, x in enumerate(node.items):
                if isinstance(x, TextLiteral):
                    yield Candidate(f"{name}[{i}]", mapped=x.value, quote="toml" if src.text[x.lo] == '"' else "")
        elif isinstance(node, TextLiteral):
            yield Candidate(name, mapped=node.value, quote="toml" if src.text[node.lo] == '"' else "")


def _other_word(x) -> Word:
    """A value that is not a string (a generator's ``{eager_flag}`` placeholder): unknown."""
    return Word(text=x.raw, start=x.lo, end=x.hi, symbolic=True, starts=list(range(x.lo, x.hi)),
                ends=list(range(x.lo + 1, x.hi + 1)), raw_end=x.hi)
