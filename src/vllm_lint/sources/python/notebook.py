"""Jupyter notebooks (``*.ipynb``, nbformat 4 and 3) -> vLLM launches, with spans in the JSON text.

Per code cell, as IPython runs it:

* ``%%bash``, ``%%sh``, ``%%script bash|sh``, ``%%shell`` cells are shell scripts; ``%%writefile
  x.sh`` writes one (read too: the file is made to be run);
* ``!cmd``/``!!cmd`` lines (a trailing backslash continues them), ``%sx``/``%system`` are shell
  commands; IPython first replaces ``{expr}`` and ``$name`` with Python values: a name bound
  once to a literal in the notebook is filled in (``{sys.executable}`` is a Python
  interpreter), anything else stays unknown; ``get_ipython().system(...)``, as nbconvert exports
  ``!cmd``, is a shell command too;
* ``%env NAME=value`` sets the environment of later commands;
* the Python code of every cell (magics blanked), read together as one module, for ``LLM(...)``,
  ``EngineArgs(...)`` and ``subprocess`` launches (see ``python_launch``).
"""

from __future__ import annotations

import ast
import re

from vllm_lint.launch import Launch
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile, input_diagnostic
from vllm_lint.sources.embedded.strings import _escaped
from vllm_lint.sources.embedded.json_spans import JObject, JsonError, parse_json
from vllm_lint.sources.mapped import script_launches
from vllm_lint.sources.mapped_text import ListLiteral, MappedText, TextLiteral

_SHELL_CELL = re.compile(r"%%(?:bash|sh|shell|script\s+(?:ba|z|da)?sh|writefile\s+(?:-a\s+)?\S+\.(?:sh|bash))\b")
_BANG = re.compile(r"^[ \t]*(?:!!?|%sx\b|%system\b)")
_ENV = re.compile(r"^[ \t]*%env[ \t]+([A-Za-z_][A-Za-z0-9_]*)(?:[ \t]*=[ \t]*|[ \t]+)(.*?)[ \t]*$")
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*|sys\.executable)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    result = ExtractResult()
    if "vllm" not in src.text.lower():
        result.notes.append("a notebook that does not mention vLLM")
        return result
    try:
        root = parse_json(src.text, src.limits.max_depth)
    except JsonError as exc:
        if re.search("vllm", src.text, re.I):
            span = src.span(exc.offset, min(exc.offset + 1, len(src.text)))
            result.diagnostics.append(input_diagnostic(
                "VL001", src.display, span, f"invalid notebook JSON: {exc} (line {span.line}, column {span.column})"))
        return result
    cells = _code_cells(root)
    python = MappedText()
    shell_parts: list[tuple[int, MappedText, str]] = []  # (cell number, text, kind)
    for n, cell in cells:
        lines = _lines(cell)
        if lines and _SHELL_CELL.match(lines[0].text):
            body = MappedText()
            for line in lines[1:]:
                body.extend(line)
            kind = "writefile" if lines[0].text.startswith("%%writefile") else "cell"
            shell_parts.append((n, body, kind))
            continue
        if lines and lines[0].text.lstrip().startswith("%%"):
            lines = [_blank(lines[0])] + lines[1:]  # %%time, %%capture: the rest is Python
        code = MappedText()
        k = 0
        while k < len(lines):
            line = lines[k]
            if _BANG.match(line.text) or _ENV.match(line.text.rstrip("\r\n")):
                cmd = MappedText()
                cmd.extend(line)
                code.extend(_blank(line))
                while cmd.text.rstrip("\r\n").endswith("\\") and k + 1 < len(lines):
                    k += 1
                    cmd.extend(lines[k])
                    code.extend(_blank(lines[k]))
                shell_parts.append((n, cmd, "line"))
            elif line.text.lstrip().startswith("%"):
                code.extend(_blank(line))
            else:
                code.extend(line)
            k += 1
        if len(python) and len(code):
            python.add("\n", code.starts[0])
        python.extend(code)
    consts = _constants(python.text)
    env: dict[str, object] = dict((opts or ExtractOptions()).env)
    for n, part, kind in sorted(shell_parts, key=lambda p: p[1].starts[0] if len(p[1]) else 0):
        text = part.text
        m = _ENV.match(text.rstrip("\r\n"))
        if kind == "line" and m is not None:
            env[m.group(1)] = m.group(2)
            continue
        if kind == "line":
            bang = _BANG.match(text)
            part = part.slice(bang.end() if bang else 0, len(part))
            part = _fill(part, consts)
        launches = script_launches(src, part, source="notebook", env=env, prefix=f"cell {n}: ")
        for launch in launches:
            if kind == "writefile":
                launch.facts.writefile = True
            if launch.insertion is not None:
                launch.insertion = _escaped(launch.insertion, "json")
        result.launches.extend(launches)
    if len(python):
        from vllm_lint.sources.python.launches import mapped_python_launches

        result.launches.extend(_named(mapped_python_launches(src, python, "", "notebook"), src, cells))
    result.launches.sort(key=lambda x: x.span.start)
    if not result.launches:
        result.notes.append("no code cell starts vLLM (!vllm serve, %%bash cells, LLM(...), subprocess)")
    return result


def _code_cells(root) -> list[tuple[int, JObject]]:
    out: list[tuple[int, JObject]] = []
    if not isinstance(root, JObject):
        return out
    cells = root.get("cells")
    if not isinstance(cells, ListLiteral):  # nbformat 3: worksheets[].cells
        ws = root.get("worksheets")
        cells = ListLiteral([c for w in (ws.items if isinstance(ws, ListLiteral) else []) if isinstance(w, JObject)
                        for c in (w.get("cells").items if isinstance(w.get("cells"), ListLiteral) else [])], 0, 0)
    for n, cell in enumerate(cells.items, 1):
        if isinstance(cell, JObject) and isinstance(cell.get("cell_type"), TextLiteral) and cell.get("cell_type").text == "code":
            out.append((n, cell))
    return out


def _lines(cell: JObject) -> list[MappedText]:
    """The cell's source split into lines (each keeps its newline)."""
    source = cell.get("source") or cell.get("input")
    text = MappedText()
    if isinstance(source, TextLiteral):
        text = source.value
    elif isinstance(source, ListLiteral):
        for item in source.items:
            if isinstance(item, TextLiteral):
                text.extend(item.value)
    lines: list[MappedText] = []
    start = 0
    for i, c in enumerate(text.chars):
        if c == "\n":
            lines.append(text.slice(start, i + 1))
            start = i + 1
    if start < len(text):
        lines.append(text.slice(start, len(text)))
    return lines


def _blank(line: MappedText) -> MappedText:
    """The line as spaces (newline kept): Python positions stay where they were."""
    return MappedText([c if c in "\r\n" else " " for c in line.chars], list(line.starts), list(line.ends))


def _constants(code: str) -> dict[str, str]:
    """Names bound exactly once, at module level, to a string or number literal."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    counts: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
    out: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, (str, int, float)) \
                and not isinstance(stmt.value.value, bool) and counts.get(stmt.targets[0].id) == 1:
            out[stmt.targets[0].id] = str(stmt.value.value)
    return out


def _fill(part: MappedText, consts: dict[str, str]) -> MappedText:
    """IPython's ``{name}``/``$name`` expansion in a ``!`` line, for names the notebook binds
    to literals; other fields are left as written."""
    text = part.text
    out = MappedText()
    last = 0
    for m in _FIELD.finditer(text):
        name = m.group(1) or m.group(2)
        value = "python" if name == "sys.executable" else consts.get(name)  # !{sys.executable} -m ...
        if value is None:
            continue
        out.extend(part.slice(last, m.start()))
        out.add(value, part.starts[m.start()], part.ends[m.end() - 1])
        last = m.end()
    out.extend(part.slice(last, len(part)))
    return out


def _named(launches: list[Launch], src: SourceFile, cells: list[tuple[int, JObject]]) -> list[Launch]:
    for launch in launches:
        for n, cell in cells:
            if cell.lo <= launch.span.start < cell.hi:
                launch.name = f"cell {n}: {launch.name}"
                break
    return launches
