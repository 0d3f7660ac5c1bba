"""Makefiles -> the vLLM launches in their recipes, read as GNU make would hand them to the shell.

Modelled on the GNU make manual: "Splitting Long Lines", "Recipe Syntax", "The Two Flavors of
Variables", "Using One Shell":

* variables from ``VAR = v`` (recursive: expanded at use), ``VAR := v`` / ``::=`` (simple:
  expanded at definition), ``VAR ?= v`` (only when not yet set), ``VAR += v`` (appended with a
  space), ``VAR != cmd`` (shell output: unknown), ``define VAR ... endef``, ``override`` and
  ``export`` forms, and ``include``-d files beside the Makefile;
* recipe lines start with a tab (or ``.RECIPEPREFIX``); a backslash-newline inside a recipe is
  passed to the shell, minus the recipe prefix of the next line; leading ``@``, ``-``, ``+`` are
  make's own; every logical line runs in its own shell unless ``.ONESHELL:`` is set;
* make expands ``$(VAR)``, ``${VAR}`` and ``$X`` in recipes before the shell sees them, ``$$``
  becomes ``$``; ``$@``, ``$<``, ``$^`` are the target and its prerequisites.

A variable set nowhere in the file may come from the environment or ``make VAR=...``: it stays
unknown (``${VAR}`` to the shell), never the empty string make would use when it is truly unset.
``$(if COND,THEN,ELSE)`` passes THEN's words under COND's condition (``Token.condition``);
functions other than ``$(strip)`` and ``$(if)`` (``$(shell)``, ``$(wildcard)``...) stay unknown too.
Assignments inside ``ifeq``/``ifdef`` blocks are conditional: a variable they set is unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vllm_lint.launch import Launch
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile
from vllm_lint.sources.mapped import script_launches
from vllm_lint.sources.mapped_text import MappedText
from vllm_lint.sources.readfile import load_sibling

_ASSIGN = re.compile(r"^(?:(?:override|export|private)\s+)*([^\s:#=?+!$()]+|\$[({][^)}]*[)}])\s*(::?=|:::=|\?=|\+=|!=|=)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CONDITIONALS = ("ifeq", "ifneq", "ifdef", "ifndef")
_MAX_DEPTH = 30  # recursive expansion (GNU make stops at a self-reference; so do we)
_MAX_INCLUDES = 8
_MAX_CHARS = 200_000


@dataclass(slots=True)
class _Var:
    value: MappedText
    recursive: bool
    symbolic: bool = False
    exported: bool = False


@dataclass(slots=True)
class _Rule:
    targets: list[str]
    prereqs: list[str]
    lines: list[MappedText] = field(default_factory=list)  # logical recipe lines (prefix tab removed)
    line: int = 1


@dataclass(slots=True)
class Makefile:
    vars: dict[str, _Var] = field(default_factory=dict)
    rules: list[_Rule] = field(default_factory=list)
    oneshell: bool = False
    recipe_prefix: str = "\t"


def _logical_lines(text: str, lo: int = 0) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """(first line number, last, [(lo, hi) of each physical piece]) per logical line: a line
    ending in an odd number of backslashes continues on the next."""
    out = []
    n = len(text)
    i = lo
    line = text.count("\n", 0, lo) + 1
    while i < n:
        pieces = []
        first = line
        while True:
            j = text.find("\n", i)
            end = n if j == -1 else j
            body = end - 1 if end > i and text[end - 1] == "\r" else end
            pieces.append((i, body))
            i = n if j == -1 else j + 1
            k = body
            while k > pieces[-1][0] and text[k - 1] == "\\":
                k -= 1
            if (body - k) % 2 == 1 and i < n:
                line += 1
                continue
            break
        out.append((first, line, pieces))
        line += 1
    return out


def _strip_comment(text: str, lo: int, hi: int) -> int:
    """End of a make line before an unescaped ``#`` (outside recipes)."""
    k = lo
    while k < hi:
        c = text[k]
        if c == "\\":
            k += 2
            continue
        if c == "#":
            return k
        k += 1
    return hi


def _join_make_line(text: str, pieces: list[tuple[int, int]]) -> MappedText:
    """A non-recipe logical line: backslash-newline plus surrounding blanks become one space."""
    out = MappedText()
    for n, (lo, hi) in enumerate(pieces):
        end = _strip_comment(text, lo, hi)
        if n + 1 < len(pieces) and end == hi:
            end -= 1  # the continuation backslash
            while end > lo and text[end - 1] in " \t":
                end -= 1
        start = lo
        if n:
            while start < end and text[start] in " \t":
                start += 1
            out.add(" ", start)
        out.copy(text, start, end)
        if end < hi and text[end] == "#":
            break
    return out


def _recipe_line(text: str, pieces: list[tuple[int, int]], prefix: str) -> MappedText:
    """A recipe's logical line as the shell gets it: backslash-newlines kept, the recipe prefix
    at the start of each continued physical line removed."""
    out = MappedText()
    for n, (lo, hi) in enumerate(pieces):
        start = lo
        if text.startswith(prefix, start):
            start += len(prefix)
        if n:
            out.add("\n", lo - 1)
        out.copy(text, start, hi)
    return out


def _trim(m: MappedText) -> MappedText:
    lo, hi = 0, len(m)
    while lo < hi and m.chars[lo] in " \t":
        lo += 1
    while hi > lo and m.chars[hi - 1] in " \t":
        hi -= 1
    return m.slice(lo, hi)


class _Expander:
    def __init__(self, mk: Makefile, rule: _Rule | None = None) -> None:
        self.mk = mk
        self.rule = rule
        self.budget = _MAX_CHARS  # characters an expansion may produce (``A = $(B)$(B)`` chains)
        self.forced: frozenset[str] = frozenset()  # variables unknown here (tested by an enclosing $(if))
        self.conds: list[tuple[int, int, str]] = []  # file ranges a $(if) passes only under a condition

    def expand(self, m: MappedText, depth: int = 0) -> MappedText:
        out = MappedText()
        chars = m.chars
        n = len(chars)
        i = 0
        while i < n:
            c = chars[i]
            if c != "$" or i + 1 >= n:
                out.add(c, m.starts[i], m.ends[i])
                i += 1
                continue
            nxt = chars[i + 1]
            if nxt == "$":
                out.add("$", m.starts[i], m.ends[i + 1])
                i += 2
                continue
            if nxt in "({":
                close = _matching(chars, i + 1)
                if close is None:
                    out.add(c, m.starts[i], m.ends[i])
                    i += 1
                    continue
                body = m.slice(i + 2, close)
                self._reference(body, m.starts[i], m.ends[close], out, depth)
                i = close + 1
                continue
            self._reference(m.slice(i + 1, i + 2), m.starts[i], m.ends[i + 1], out, depth)
            i += 2
        return out

    def _reference(self, body: MappedText, start: int, end: int, out: MappedText, depth: int) -> None:
        text = body.text
        name = text.strip()
        if self.rule is not None and name in ("@", "<", "^", "+"):
            words = {"@": self.rule.targets[:1], "<": self.rule.prereqs[:1], "^": self.rule.prereqs,
                     "+": self.rule.prereqs}[name]
            out.add(" ".join(words), start, end)
            return
        if re.match(r"if\s", text) and depth < _MAX_DEPTH:
            self._if(body.slice(3, len(body)), out, depth)
            return
        if name.startswith("strip ") and depth < _MAX_DEPTH:
            inner = self.expand(body.slice(text.index("strip ") + 6, len(body)), depth + 1)
            out.add(" ".join(inner.text.split()), start, end)
            return
        var = self.mk.vars.get(name) if re.fullmatch(r"[\w.\-]+", name) and name not in self.forced else None
        if var is None or var.symbolic or depth >= _MAX_DEPTH or self.budget <= 0:
            # unknown to the file (environment, command line, a function): the shell sees a
            # reference it cannot resolve either
            shown = f"${{{name}}}" if _NAME.fullmatch(name) else f"$({text})"
            out.add(shown, start, end)
            return
        value = self.expand(var.value, depth + 1) if var.recursive else var.value
        self.budget -= len(value) + 1
        if self.budget <= 0:
            out.add(f"$({text})", start, end)
            return
        for ch in value.chars:
            out.add(ch, start, end)


    def _if(self, args: MappedText, out: MappedText, depth: int) -> None:
        """``$(if COND,THEN[,ELSE])``, make's conditional flag (``$(if $(QUANT),--quantization
        $(QUANT))``): THEN when COND expands to a non-empty text. When COND is empty by default or
        not known, the user may still set it (``make run QUANT=awq``), so THEN's words are kept
        with the condition (its variables then unknown, never the empty default) and ELSE's
        apply otherwise."""
        parts = _split_args(args)
        cond = _trim(parts[0])
        raw = cond.text
        value = self.expand(cond, depth + 1).text.strip()
        known = "${" not in value and "$(" not in value
        if known and value:
            for part in parts[1:2]:
                out.extend(self.expand(part, depth + 1))
            return
        one = re.fullmatch(r"\$[({]([\w.\-]+)[)}]", raw.strip())
        names = frozenset(re.findall(r"\$[({]([\w.\-]+)[)}]", raw))
        when = f"when {one.group(1)} is set and not empty" if one else f"when `{raw.strip()}` is not empty"
        saved, self.forced = self.forced, self.forced | names
        try:
            then = self.expand(parts[1], depth + 1) if len(parts) > 1 else MappedText()
        finally:
            self.forced = saved
        self._mark(then, when)
        out.extend(then)
        if len(parts) > 2:
            other = self.expand(parts[2], depth + 1)
            if len(then) and len(other):
                out.add(" ", then.ends[-1])  # both are kept, each with its condition: two words, not one
            if not known:
                self._mark(other, f"when {one.group(1)} is empty" if one else f"when `{raw.strip()}` is empty")
            out.extend(other)

    def _mark(self, m: MappedText, when: str) -> None:
        if len(m):
            self.conds.append((min(m.starts), max(m.ends), when))


def _split_args(m: MappedText) -> list[MappedText]:
    """A make function's arguments: split at commas outside nested parentheses and braces."""
    parts: list[MappedText] = []
    depth = lo = 0
    for i, c in enumerate(m.chars):
        if c in "({":
            depth += 1
        elif c in ")}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(m.slice(lo, i))
            lo = i + 1
    parts.append(m.slice(lo, len(m)))
    return parts


def _conditions(launches: list[Launch], conds: list[tuple[int, int, str]]) -> list[Launch]:
    """Words that came from a ``$(if)`` part carry its condition (``Token.condition``)."""
    for launch in launches:
        for t in launch.program + launch.args:
            if t.span is None or t.condition is not None:
                continue
            t.condition = next((w for lo, hi, w in conds if lo <= t.span.start and t.span.end <= hi), None)
    return launches


def _matching(chars: list[str], i: int) -> int | None:
    openc = chars[i]
    close = ")" if openc == "(" else "}"
    depth = 0
    for k in range(i, len(chars)):
        if chars[k] == openc:
            depth += 1
        elif chars[k] == close:
            depth -= 1
            if depth == 0:
                return k
    return None


def parse_makefile(src: SourceFile, env: dict[str, str] | None = None, _depth: int = 0,
                   mk: Makefile | None = None) -> Makefile:
    """Variables and rules of a Makefile (recipes as logical lines with file offsets)."""
    mk = mk or Makefile()
    for k, v in (env or {}).items():
        mk.vars.setdefault(k, _Var(_const(v), recursive=False, exported=True))
    text = src.text
    lines = _logical_lines(text)
    rule: _Rule | None = None
    cond = 0
    k = 0
    while k < len(lines):
        first, last, pieces = lines[k]
        k += 1
        lo, hi = pieces[0]
        if rule is not None and text.startswith(mk.recipe_prefix, lo):
            rule.lines.append(_recipe_line(text, pieces, mk.recipe_prefix))
            continue
        line = _trim(_join_make_line(text, pieces))
        s = line.text
        if not s.strip():
            continue  # blank and comment lines do not end a recipe
        word = s.split(None, 1)[0]
        rule = None if word not in ("else", "endif") and not word.startswith(_CONDITIONALS) else rule
        if word in _CONDITIONALS:
            cond += 1
            continue
        if word == "endif":
            cond = max(0, cond - 1)
            continue
        if word == "else":
            continue
        toks = s.split()
        if "define" in toks[:3] and all(t in ("override", "export", "private") for t in toks[:toks.index("define")]):
            after = toks[toks.index("define") + 1:]
            if not after:
                continue
            name = after[0]
            body = MappedText()
            while k < len(lines):
                f2, l2, p2 = lines[k]
                k += 1
                if text[p2[0][0]:p2[0][1]].strip() == "endef":
                    break
                if len(body):
                    body.add("\n", p2[0][0] - 1)
                body.extend(_recipe_line(text, p2, "\x00"))
            mk.vars[name] = _Var(body, recursive=True, symbolic=cond > 0)
            continue
        if word in ("include", "-include", "sinclude"):
            if _depth < _MAX_INCLUDES:
                for rel in s.split()[1:]:
                    if "$" in rel:
                        continue
                    sib = load_sibling(src, rel, "makefile")
                    if sib is not None:
                        parse_makefile(sib, None, _depth + 1, mk)
            continue
        m = _ASSIGN.match(s)
        if m is not None and ":" not in s[:m.start(2)].replace("::=", ""):
            _assign(mk, line, m, cond > 0)
            continue
        if s.startswith(".ONESHELL"):
            mk.oneshell = True
            continue
        if s.startswith(".RECIPEPREFIX"):
            mm = re.match(r"\.RECIPEPREFIX\s*:?=\s*(.)", s)
            mk.recipe_prefix = mm.group(1) if mm else "\t"
            continue
        colon = _rule_colon(s)
        if colon is None:
            continue
        targets = s[:colon].split()
        rest = s[colon:].lstrip(":")
        recipe_at = rest.find(";")
        prereqs = (rest[:recipe_at] if recipe_at != -1 else rest).split()
        if any(_ASSIGN.match(p) for p in [" ".join(prereqs)]):
            continue  # target-specific variable: ``target: VAR = x``
        rule = _Rule(targets, prereqs, line=first)
        if recipe_at != -1:
            off = colon + (len(s[colon:]) - len(rest)) + recipe_at + 1
            rule.lines.append(line.slice(off, len(line)))
        mk.rules.append(rule)
    return mk


def _rule_colon(s: str) -> int | None:
    depth = 0
    for i, c in enumerate(s):
        if c in "({":
            depth += 1
        elif c in ")}":
            depth -= 1
        elif c == ":" and depth == 0:
            return i
        elif c == "=" and depth == 0:
            return None
    return None


def _const(text: str) -> MappedText:
    m = MappedText()
    m.add(text, 0, 0)
    return m


def _assign(mk: Makefile, line: MappedText, m: re.Match, conditional: bool) -> None:
    name = m.group(1)
    op = m.group(2)
    value = _trim(line.slice(m.end(), len(line)))
    exported = line.text.lstrip().startswith("export")
    old = mk.vars.get(name)
    if conditional:
        same = old is not None and not old.symbolic and old.value.text == value.text and op in ("=", ":=", "::=")
        if not same:
            mk.vars[name] = _Var(value, recursive=True, symbolic=True, exported=exported)
        return
    if op == "?=":
        if old is None:
            mk.vars[name] = _Var(value, recursive=True, exported=exported)
        return
    if op == "!=":
        mk.vars[name] = _Var(value, recursive=False, symbolic=True, exported=exported)
        return
    if op == "+=":
        if old is None:
            mk.vars[name] = _Var(value, recursive=True, exported=exported)
            return
        add = value if old.recursive else _Expander(mk).expand(value)
        joined = MappedText()
        joined.extend(old.value)
        if len(old.value) and len(add):
            joined.add(" ", add.starts[0])
        joined.extend(add)
        mk.vars[name] = _Var(joined, old.recursive, old.symbolic, old.exported or exported)
        return
    recursive = op == "="
    mk.vars[name] = _Var(value if recursive else _Expander(mk).expand(value), recursive, exported=exported)


_PREFIX = "@-+"


def _strip_prefix(m: MappedText) -> MappedText:
    i = 0
    while i < len(m) and (m.chars[i] in _PREFIX or m.chars[i] in " \t"):
        i += 1
    return m.slice(i, len(m))


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    opts = opts or ExtractOptions()
    mk = parse_makefile(src, dict(opts.env))
    result = ExtractResult()
    shell_env: dict[str, object] = {}
    for name, var in mk.vars.items():
        if var.exported and _NAME.fullmatch(name):
            shell_env[name] = None if var.symbolic else _Expander(mk).expand(var.value).text
    for rule in mk.rules:
        if not rule.lines or not rule.targets:
            continue
        ex = _Expander(mk, rule)
        prefix = f"make {rule.targets[0]}: "
        if mk.oneshell:
            script = MappedText()
            for n, line in enumerate(rule.lines):
                if n:
                    script.add("\n", line.starts[0] if len(line) else 0)
                script.extend(ex.expand(_strip_prefix(line)))
            result.launches.extend(_conditions(_launches(src, script, shell_env, prefix), ex.conds))
            continue
        for line in rule.lines:
            result.launches.extend(_conditions(_launches(src, ex.expand(_strip_prefix(line)), shell_env, prefix),
                                               ex.conds))
    return result


def _launches(src: SourceFile, script: MappedText, env: dict[str, object], prefix: str) -> list[Launch]:
    return script_launches(src, script, source="makefile", env=env, prefix=prefix)
