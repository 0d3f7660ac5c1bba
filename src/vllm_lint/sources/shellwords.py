"""A static reading of POSIX sh/bash command text: words with exact file offsets, never executed.

Models what bash does before running a simple command (Bash manual, "Shell Operation"):
quote removal (``'..'``, ``".."``, ``\\x``), line continuation (backslash-newline), comments,
command separators (``;`` ``&&`` ``||`` ``|`` ``&`` newline), redirections (dropped with their
target), here-documents (bodies skipped), variable assignments (prefix, plain, ``export``),
bash arrays ``A=( .. )``/``A+=( .. )`` expanded at ``"${A[@]}"``, parameter expansion
(``$V``, ``${V}``, ``${V:-w}``, ``${V-w}``, ``${V:=w}``, ``${V:+w}``, ``${V+w}``, ``${V:?w}``,
nested) and field splitting of unquoted expansion results. Command substitution ``$(..)``,
backticks, arithmetic ``$((..))`` and unknown variables stay *symbolic*: the word keeps its
raw text and is flagged, nothing is guessed or run.

The input is a string ``s`` plus, optionally, ``offs``: the file offset of every character of
``s`` (from ``yamlspan.scalar_offset_map`` when the script sits inside a YAML scalar). Every
``Word`` carries ``start``/``end`` file offsets covering the characters it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from vllm_lint.launch import Token

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGN_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\+?)=")
# Characters Expander.chars treats specially; a word without them is its own expansion.
_WORD_SPECIAL = re.compile(r"[\\'\"`$]")
_FAST_WORDS = True
# Words of one simple command that are expanded; later ones are dropped (vllm-lint refuses a
# launch with more than Limits.max_args words anyway, so only the count past this cap is lost).
MAX_COMMAND_WORDS = 100_000
_BLANKS = " \t\r"
_META = " \t\r\n;&|()<>"
SEPARATORS = (";", "&&", "||", "|", "|&", "&", "\n", "(", ")", ";;", ";&", ";;&", "{", "}")
KEYWORDS = frozenset({"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "case",
                      "esac", "{", "}", "!", "time", "in", "function", "select", "coproc"})
_DECLARE = frozenset({"export", "declare", "typeset", "local", "readonly"})
_MAX_DEPTH = 50
MAX_VALUE = 100_000  # longest variable value kept; longer ones become symbolic


@dataclass(slots=True)
class Val:
    """A shell variable's value. ``symbolic`` when it is not statically known (``$1``,
    ``$(cmd)``); ``items`` for a bash array (its element words, with spans)."""

    text: str
    symbolic: bool = False
    items: list["Word"] | None = None
    start: int | None = None  # where the value was written, when known
    end: int | None = None


@dataclass(slots=True)
class Word:
    """One word after expansion and quote removal. ``start``/``end`` are file offsets of the
    source characters it came from (a ``${X:-d}`` default points inside the braces)."""

    text: str
    start: int
    end: int
    symbolic: bool = False
    quoted: bool = False
    expanded: bool = False  # some characters came from a parameter expansion
    starts: list[int] | None = None  # per character of text: file offset of its source
    ends: list[int] | None = None  # per character: offset after its source (nested sh -c)
    raw_end: int | None = None  # file offset after the whole source word (closing quotes, braces)

    def token(self, src_text: str, index, style: str = "argv") -> Token:
        """A launch Token; ``index`` is the file's LineIndex."""
        span = index.span(self.start, self.end)
        return Token(text=self.text, span=span, raw=src_text[self.start:self.end], style=style,
                     symbolic=self.symbolic)


@dataclass(slots=True)
class Command:
    """A simple command: its words (assignment prefixes removed) and the prefix assignments."""

    words: list[Word]
    assigns: dict[str, Val] = field(default_factory=dict)
    start: int = 0  # file offsets of the command's first and last source characters
    end: int = 0
    sep: str = ""  # the operator that ended it
    background: bool = False
    env: dict[str, Val] = field(default_factory=dict)  # shell variables visible to it
    raw_start: int = 0  # index into s
    raw_end: int = 0
    unknowns: list[str] = field(default_factory=list)  # what its expansion left unresolved
    heredocs: list[tuple[int, int, bool]] = field(default_factory=list)  # (lo, hi, quoted) into s
    redirects: list[str] = field(default_factory=list)  # output redirection targets as written


@dataclass(slots=True)
class _Frame:
    """An open compound command; ``branches`` holds each if/elif/else branch's assignments."""

    kind: str
    branches: list[dict[str, Val]] = field(default_factory=lambda: [{}])


@dataclass(slots=True)
class Script:
    commands: list[Command]
    env: dict[str, Val]
    unknowns: list[str]


# ---------------------------------------------------------------------------------- lexing


@dataclass(slots=True)
class _RawWord:
    lo: int
    hi: int


@dataclass(slots=True)
class _Op:
    op: str
    lo: int
    hi: int


@dataclass(slots=True)
class _Heredoc:
    """A here-document body: s[lo:hi] (without the delimiter line)."""

    lo: int
    hi: int
    quoted: bool  # <<'EOF': no expansion in the body
    strip_tabs: bool


@dataclass(slots=True)
class _Array:
    name: str
    append: bool
    items: list[_RawWord]
    lo: int
    hi: int


def _skip_quoted(s: str, i: int, n: int) -> int:
    """Index after the quoted/expansion construct starting at s[i]."""
    ch = s[i]
    if ch == "'":
        j = s.find("'", i + 1, n)
        return n if j == -1 else j + 1
    if ch == '"':
        j = i + 1
        while j < n:
            c = s[j]
            if c == "\\":
                j += 2
            elif c == '"':
                return j + 1
            elif c == "$" and j + 1 < n and s[j + 1] in "({":
                j = _skip_quoted(s, j, n)
            elif c == "`":
                j = _skip_quoted(s, j, n)
            else:
                j += 1
        return n
    if ch == "`":
        j = i + 1
        while j < n:
            if s[j] == "\\":
                j += 2
            elif s[j] == "`":
                return j + 1
            else:
                j += 1
        return n
    if ch == "$" and i + 1 < n and s[i + 1] in "({":
        close = ")" if s[i + 1] == "(" else "}"
        openc = s[i + 1]
        depth = 1
        j = i + 2
        while j < n:
            c = s[j]
            if c == "\\":
                j += 2
                continue
            if c in "'\"`":  # quotes inside $(..)/${..} hide their closing bracket
                j = _skip_quoted(s, j, n)
                continue
            if c == "$" and j + 1 < n and s[j + 1] in "({":
                j = _skip_quoted(s, j, n)
                continue
            if c == openc:
                depth += 1
            elif c == close:
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return n
    return i + 1


def _word_end(s: str, i: int, n: int) -> int:
    j = i
    while j < n:
        c = s[j]
        if c in _META:
            return j
        if c == "\\":
            j += 2
        elif c in "'\"`" or (c == "$" and j + 1 < n and s[j + 1] in "({"):
            j = _skip_quoted(s, j, n)
        else:
            j += 1
    return min(j, n)


def _lex(s: str) -> list[_RawWord | _Op | _Array]:
    out: list[_RawWord | _Op | _Array] = []
    n = len(s)
    i = 0
    heredocs: list[tuple[str, bool, bool]] = []
    at_word_start = True
    while i < n:
        c = s[i]
        if c in _BLANKS:
            i += 1
            continue
        if c == "\\" and i + 1 < n and s[i + 1] == "\n":
            i += 2
            continue
        if c == "\\" and s.startswith("\r\n", i + 1):
            i += 3
            continue
        if c == "#":
            j = s.find("\n", i)
            i = n if j == -1 else j
            continue
        if c == "\n":
            nl = _Op("\n", i, i + 1)
            i += 1
            if heredocs:
                # the bodies belong to the command on this line: emit them before its newline
                i = _skip_heredoc_bodies(s, i, heredocs, out)
                heredocs = []
            out.append(nl)
            continue
        if c in ";&|()<>":
            op = _read_op(s, i)
            out.append(_Op(op, i, i + len(op)))
            i += len(op)
            if op in ("<<", "<<-"):
                while i < n and s[i] in " \t":
                    i += 1
                j = _word_end(s, i, n)
                delim = _unquote_simple(s[i:j])
                if delim:
                    heredocs.append((delim, op == "<<-", any(q in s[i:j] for q in "'\"\\")))
                out.append(_RawWord(i, j))
                i = j
            continue
        j = _word_end(s, i, n)
        if j == i:  # defensive: never loop without progress
            j = i + 1
        # an fd number right before a redirection belongs to it (2>&1)
        if j < n and s[j] in "<>" and s[i:j].isdigit():
            op = _read_op(s, j)
            out.append(_Op(op, i, j + len(op)))
            i = j + len(op)
            continue
        m = _ASSIGN_RE.match(s[i:j])
        if m and m.end() == j - i and j < n and s[j] == "(":
            items, k = _lex_array(s, j + 1, n)
            out.append(_Array(m.group(1), bool(m.group(2)), items, i, k))
            i = k
            continue
        out.append(_RawWord(i, j))
        i = j
    del at_word_start
    return out


def _lex_array(s: str, i: int, n: int) -> tuple[list[_RawWord], int]:
    items: list[_RawWord] = []
    while i < n:
        c = s[i]
        if c in " \t\r\n":
            i += 1
        elif c == "\\" and i + 1 < n and s[i + 1] in "\r\n":
            i += 2
        elif c == "#":
            j = s.find("\n", i)
            i = n if j == -1 else j
        elif c == ")":
            return items, i + 1
        elif c in ";&|(<>":
            i += 1
        else:
            j = _word_end(s, i, n)
            j = max(j, i + 1)
            items.append(_RawWord(i, j))
            i = j
    return items, n


def _read_op(s: str, i: int) -> str:
    for op in (";;&", "<<<", "<<-", "&>>", "&&", "||", ";;", ";&", "|&", "<<", ">>", ">&", "<&", "&>", ">|", "<>"):
        if s.startswith(op, i):
            return op
    return s[i]


def _unquote_simple(w: str) -> str:
    return w.replace("'", "").replace('"', "").replace("\\", "")


def _skip_heredoc_bodies(s: str, i: int, heredocs: list[tuple[str, bool, bool]], out: list) -> int:
    n = len(s)
    for delim, strip_tabs, quoted in heredocs:
        body_lo = i
        body_hi = n
        while i < n:
            j = s.find("\n", i)
            line_end = n if j == -1 else j
            line = s[i:line_end].rstrip("\r")
            if strip_tabs:
                line = line.lstrip("\t")
            if line == delim:
                body_hi = i
                i = n if j == -1 else j + 1
                break
            i = n if j == -1 else j + 1
        out.append(_Heredoc(body_lo, body_hi, quoted, strip_tabs))
    return i


# ---------------------------------------------------------------------------------- expansion


@dataclass(slots=True)
class _Ch:
    ch: str
    start: int
    end: int
    split: bool = False  # from an unquoted expansion: subject to field splitting
    symbolic: bool = False
    expanded: bool = False
    q: bool = False  # written inside quotes or escaped
    wend: int | None = None  # file offset after the source word holding this character


_BREAK = _Ch("", -1, -1)  # forces a field boundary ("${A[@]}" elements)


class _Expander:
    def __init__(self, s: str, offs: Sequence[int] | None, env: dict[str, Val], k8s: bool,
                 unknowns: list[str], ends: Sequence[int] | None = None) -> None:
        self.s = s
        self.offs = offs
        self.ends = ends
        self.cond = 0  # depth of if/case/loop bodies: assignments there may not run
        self.after_andor = False  # the command follows && or ||
        # One frame per open if/case/loop: for ``if`` the assignments of each branch (a new
        # dict at elif/else), merged at ``fi`` (see ``_close_frame``).
        self.frames: list[_Frame] = []
        # Assignments in the current and-or list: name -> (value, count of ``||`` before it).
        self.chain: dict[str, tuple[Val, int]] = {}
        self.ors = 0  # ``||`` operators seen in the current and-or list
        self.env = env
        self.k8s = k8s
        self.unknowns = unknowns

    def off(self, i: int) -> int:
        if self.offs is None:
            return i
        if i < len(self.offs):
            return self.offs[i]
        return (self.offs[-1] + 1) if self.offs else 0

    def cend(self, i: int) -> int:
        """File offset just after the source of s[i] (``ends`` when given: a character produced
        by an interpolation covers the whole ``${...}`` it came from)."""
        if self.ends is not None and i < len(self.ends):
            return self.ends[i]
        return self.off(i) + 1

    def end_off(self, i: int) -> int:
        """File offset just after the character at s[i-1]."""
        return self.cend(i - 1) if i > 0 else self.off(0)

    # [off(i) for i in range(lo, hi)] and [cend(i) ...] by slicing (a plain word's offsets)
    def _starts(self, lo: int, hi: int) -> list[int]:
        if self.offs is None:
            return list(range(lo, hi))
        if hi <= len(self.offs):
            return list(self.offs[lo:hi])
        return [self.off(i) for i in range(lo, hi)]

    def _ends(self, lo: int, hi: int) -> list[int]:
        if self.ends is None:
            return [x + 1 for x in self._starts(lo, hi)]
        if hi <= len(self.ends):
            return list(self.ends[lo:hi])
        return [self.cend(i) for i in range(lo, hi)]

    # -- words
    def expand_word(self, lo: int, hi: int) -> list[Word]:
        if _FAST_WORDS and hi > lo and _WORD_SPECIAL.search(self.s, lo, hi) is None:
            # A plain word (no quote, escape or expansion: most flags and values) expands to
            # itself; this is exactly what the per-character path below builds, without it.
            word_end = self.end_off(hi)
            a = self.off(lo)
            return [Word(text=self.s[lo:hi], start=a, end=max(a, word_end),
                         starts=self._starts(lo, hi), ends=self._ends(lo, hi), raw_end=word_end)]
        chars, quoted = self.chars(lo, hi, in_dq=False, depth=0)
        word_end = self.end_off(hi)
        for c in chars:
            if c.wend is None and c is not _BREAK:
                c.wend = word_end
        fields = _split_fields(chars, quoted, self.off(lo), word_end)
        if len(fields) == 1 and not all(c.expanded for c in chars if c is not _BREAK):
            # one word written in the file: its span is the whole source word, minus the
            # quotes when the word is a single quoted string (so replacing it keeps them)
            a, b = lo, hi
            if hi - lo >= 2 and s_is_one_quoted(self.s, lo, hi):
                a, b = lo + 1, hi - 1
            fields[0].start, fields[0].end = self.off(a), max(self.off(a), self.end_off(b))
        return fields

    def literal(self, lo: int, hi: int) -> str:
        """Quote-removed text without expansions (assignment names, heredoc delimiters)."""
        return "".join(c.ch for c in self.chars(lo, hi, in_dq=False, depth=0)[0])

    def chars(self, lo: int, hi: int, in_dq: bool, depth: int) -> tuple[list[_Ch], bool]:
        s = self.s
        out: list[_Ch] = []
        quoted = False
        i = lo
        while i < hi:
            c = s[i]
            if c == "\\":
                if i + 1 < hi and s[i + 1] == "\n":
                    i += 2
                    continue
                if s.startswith("\r\n", i + 1) and i + 2 < hi:
                    i += 3
                    continue
                if in_dq:
                    if i + 1 < hi and s[i + 1] in '$`"\\':
                        out.append(_Ch(s[i + 1], self.off(i), self.cend(i + 1)))
                        i += 2
                    else:
                        out.append(_Ch("\\", self.off(i), self.cend(i)))
                        i += 1
                    continue
                if i + 1 < hi:
                    out.append(_Ch(s[i + 1], self.off(i), self.cend(i + 1), q=True))
                    quoted = True
                    i += 2
                else:
                    i += 1
                continue
            if c == "'" and not in_dq:
                j = s.find("'", i + 1, hi)
                j = hi if j == -1 else j
                for k in range(i + 1, j):
                    out.append(_Ch(s[k], self.off(k), self.cend(k), q=True))
                quoted = True
                i = j + 1
                continue
            if c == '"' and not in_dq:
                j = _skip_quoted(s, i, hi)
                inner_hi = j - 1 if j <= hi and j > i + 1 and s[j - 1] == '"' else j
                inner, _ = self.chars(i + 1, max(i + 1, inner_hi), in_dq=True, depth=depth)
                for ch in inner:
                    ch.q = True
                    ch.split = False
                out.extend(inner)
                quoted = True
                i = j
                continue
            if c == "`":
                j = _skip_quoted(s, i, hi)
                out.extend(self._symbolic(i, j, in_dq, "command substitution"))
                i = j
                continue
            if c == "$" and i + 1 < hi:
                j, chars = self.dollar(i, hi, in_dq, depth)
                if chars is not None:
                    out.extend(chars)
                    i = j
                    continue
            out.append(_Ch(c, self.off(i), self.cend(i)))
            i += 1
        return out, quoted

    def _symbolic(self, lo: int, hi: int, in_dq: bool, why: str) -> list[_Ch]:
        start, end = self.off(lo), self.end_off(hi)
        raw = self.s[lo:hi]
        if why:
            self.unknowns.append(f"{raw} ({why}) left unresolved")
        return [_Ch(ch, start, end, split=False, symbolic=True, expanded=True) for ch in raw]

    def _value(self, val: Val, lo: int, hi: int, in_dq: bool) -> list[_Ch]:
        if len(val.text) > MAX_VALUE:
            return self._symbolic(lo, hi, in_dq, f"value longer than {MAX_VALUE} characters")
        start, end = self.off(lo), self.end_off(hi)
        return [_Ch(ch, start, end, split=not in_dq and not val.symbolic, symbolic=val.symbolic, expanded=True)
                for ch in val.text]

    def dollar(self, i: int, hi: int, in_dq: bool, depth: int) -> tuple[int, list[_Ch] | None]:
        s = self.s
        nxt = s[i + 1]
        if nxt == "(":
            j = _skip_quoted(s, i, hi)
            if s.startswith("$((", i):
                return j, self._symbolic(i, j, in_dq, "arithmetic")
            inner = s[i + 2:j - 1]
            if self.k8s and _NAME_RE.fullmatch(inner):
                val = self.env.get(inner)
                if val is not None:
                    return j, self._value(val, i, j, True)
                return j, self._symbolic(i, j, in_dq, "variable reference with no source")
            return j, self._symbolic(i, j, in_dq, "command substitution")
        if nxt == "{":
            j = _skip_quoted(s, i, hi)
            return j, self.braced(i, j, in_dq, depth)
        if nxt == "'" and not in_dq:  # $'..' ANSI-C quoting: keep text, unescaped minimally
            j = s.find("'", i + 2, hi)
            j = hi if j == -1 else j
            text = s[i + 2:j].encode("utf-8", "replace").decode("unicode_escape", "replace")
            start, end = self.off(i), self.end_off(j + 1)
            return j + 1, [_Ch(ch, start, end) for ch in text]
        m = _NAME_RE.match(s, i + 1, hi)
        if m:
            name = m.group(0)
            return m.end(), self.lookup(name, i, m.end(), in_dq)
        if nxt in "0123456789@*#?$!-":
            name = nxt
            val = self.env.get(name)
            if val is not None:
                return i + 2, self._value(val, i, i + 2, in_dq)
            return i + 2, self._symbolic(i, i + 2, in_dq, "positional or special parameter")
        return i + 1, None

    def lookup(self, name: str, lo: int, hi: int, in_dq: bool) -> list[_Ch]:
        val = self.env.get(name)
        if val is None:
            return self._symbolic(lo, hi, in_dq, f"${name} is not set")
        if val.items is not None:
            first = val.items[0] if val.items else None
            return [] if first is None else self._value(Val(first.text, first.symbolic), lo, hi, in_dq)
        return self._value(val, lo, hi, in_dq)

    def braced(self, lo: int, hi: int, in_dq: bool, depth: int) -> list[_Ch]:
        """``${...}``: hi is the index after the closing brace."""
        s = self.s
        body_lo, body_hi = lo + 2, hi - 1
        if body_hi < body_lo or s[hi - 1] != "}" or depth > _MAX_DEPTH:
            return self._symbolic(lo, hi, in_dq, "unterminated expansion")
        body = s[body_lo:body_hi]
        if body.startswith("#") or body.startswith("!"):
            return self._symbolic(lo, hi, in_dq, "parameter length/indirection")
        m = _NAME_RE.match(body) or re.match(r"[0-9]+|[@*#?$!-]", body)
        if not m:
            return self._symbolic(lo, hi, in_dq, "unsupported expansion")
        name = m.group(0)
        k = m.end()
        index = None
        if k < len(body) and body[k] == "[":
            close = body.find("]", k)
            if close == -1:
                return self._symbolic(lo, hi, in_dq, "unsupported expansion")
            index = body[k + 1:close]
            k = close + 1
        rest = body[k:]
        val = self.env.get(name)
        if index is not None and not rest:
            return self._array(val, index, lo, hi, in_dq, name)
        if not rest:
            return self.lookup(name, lo, hi, in_dq)
        op = None
        for cand in (":-", ":=", ":+", ":?", "-", "=", "+", "?"):
            if rest.startswith(cand):
                op = cand
                break
        if op is None:  # ${V%x}, ${V/a/b}, ${V:0:3}, ${V^^} ...
            return self._symbolic(lo, hi, in_dq, "pattern/substring expansion")
        w_lo = body_lo + k + len(op)
        colon = op.startswith(":")
        is_set = val is not None
        is_null = is_set and not val.symbolic and val.text == "" and val.items is None
        use_word = (not is_set or (colon and is_null)) if op.lstrip(":") in "-=?" else (is_set and not (colon and is_null))
        kind = op.lstrip(":")
        if kind in "-=":
            if not use_word:
                return self.lookup(name, lo, hi, in_dq)
            chars = self._word_part(w_lo, body_hi, in_dq, depth)
            if kind == "=":
                self.env[name] = Val("".join(c.ch for c in chars), any(c.symbolic for c in chars))
            return chars
        if kind == "+":
            if not use_word:
                return []
            return self._word_part(w_lo, body_hi, in_dq, depth)
        # '?': error when unset
        if not use_word:
            return self.lookup(name, lo, hi, in_dq)
        return self._symbolic(lo, hi, in_dq, f"${name} is required but not set")

    def _word_part(self, lo: int, hi: int, in_dq: bool, depth: int) -> list[_Ch]:
        """The word of ``${V:-word}``/``${V:+word}``: unquoted characters of an unquoted
        expansion are field-split like any expansion result (``${X:+--flag "$X"}`` gives two words)."""
        chars, _ = self.chars(lo, hi, in_dq=in_dq, depth=depth + 1)
        for c in chars:
            if c is _BREAK:
                continue
            c.expanded = True
            if not in_dq and not c.q and not c.symbolic:
                c.split = True
        return chars

    def _array(self, val: Val | None, index: str, lo: int, hi: int, in_dq: bool, name: str) -> list[_Ch]:
        if val is None:
            return self._symbolic(lo, hi, in_dq, f"${{{name}[{index}]}} is not set")
        items = val.items if val.items is not None else [Word(val.text, self.off(lo), self.end_off(hi), val.symbolic)]
        if index in ("@", "*"):
            out: list[_Ch] = []
            for n, w in enumerate(items):
                if n:
                    out.append(_BREAK if (index == "@" or not in_dq) else _Ch(" ", self.off(lo), self.end_off(hi)))
                out.extend(_Ch(ch, w.start, w.end, split=not in_dq and not w.quoted, symbolic=w.symbolic, expanded=True,
                               wend=w.raw_end) for ch in w.text)
                if not w.text and in_dq:
                    out.append(_Ch("", w.start, w.end, expanded=True))
            return out
        if index.isdigit():
            k = int(index)
            if k < len(items):
                w = items[k]
                return [_Ch(ch, w.start, w.end, split=not in_dq, symbolic=w.symbolic, expanded=True) for ch in w.text]
            return []
        return self._symbolic(lo, hi, in_dq, "array index expression")


def s_is_one_quoted(s: str, lo: int, hi: int) -> bool:
    """True when s[lo:hi] is exactly one '..' or ".." string."""
    return s[lo] in "'\"" and s[hi - 1] == s[lo] and _skip_quoted(s, lo, hi) == hi


def _split_fields(chars: list[_Ch], quoted: bool, start: int, end: int) -> list[Word]:
    fields: list[Word] = []
    cur: list[_Ch] = []
    have = quoted  # a quoted empty string is still a word
    for c in chars:
        if c is _BREAK:
            if cur or have:
                fields.append(_mkword(cur, quoted, start, end))
            cur, have = [], True
            continue
        if c.split and c.ch in " \t\n":
            if cur:
                fields.append(_mkword(cur, quoted, start, end))
            cur, have = [], False
            continue
        cur.append(c)
    if cur or (have and not fields) or (have and chars and chars[-1] is _BREAK):
        fields.append(_mkword(cur, quoted, start, end))
    return fields


def _mkword(cur: list[_Ch], quoted: bool, start: int, end: int) -> Word:
    real = [c for c in cur if c.start >= 0]
    if real:
        start = min(c.start for c in real)
        end = max(c.end for c in real)
    return Word(
        text="".join(c.ch for c in cur),
        start=start,
        end=max(start, end),
        symbolic=any(c.symbolic for c in cur),
        quoted=quoted,
        expanded=any(c.expanded for c in cur),
        starts=[c.start for c in cur if c.ch],
        ends=[c.end for c in cur if c.ch],
        raw_end=max((c.wend for c in cur if c.wend is not None), default=None),
    )


# ---------------------------------------------------------------------------------- commands


def env_from(mapping: Mapping[str, object] | None) -> dict[str, Val]:
    """Shell variables from a plain mapping; a None value means set but unknown (symbolic)."""
    out: dict[str, Val] = {}
    for k, v in (mapping or {}).items():
        if isinstance(v, Val):
            out[k] = v
        elif v is None:
            out[k] = Val(f"${{{k}}}", symbolic=True)
        else:
            out[k] = Val(str(v))
    return out


def parse_script(s: str, offs: Sequence[int] | None = None, env: Mapping[str, object] | None = None,
                 *, k8s: bool = False, ends: Sequence[int] | None = None) -> Script:
    """Split ``s`` into simple commands with expanded words, tracking assignments in order.

    ``env`` seeds the variables (values are str, ``Val`` or None for unknown). ``k8s`` also
    expands Kubernetes ``$(NAME)`` references (kubelet does that before the shell runs).
    ``offs``/``ends`` give each character's file offset and the offset after its source
    (``ends`` defaults to ``offs + 1``; pass it when ``s`` was produced by an interpolation).
    """
    shell_env = env_from(env)
    unknowns: list[str] = []
    ex = _Expander(s, offs, shell_env, k8s, unknowns, ends)
    items = _lex(s)
    commands: list[Command] = []
    group: list[_RawWord | _Array] = []
    skip_next = False
    group_lo = None
    docs: list[_Heredoc] = []
    redirects: list[str] = []
    target_next = False

    def flush(sep: str, sep_at: int) -> None:
        nonlocal group, group_lo, docs, redirects
        if group:
            before = len(unknowns)
            cmd = _build_command(ex, group, sep)
            if cmd is not None:
                cmd.unknowns = unknowns[before:]
                cmd.heredocs = [(d.lo, d.hi, d.quoted) for d in docs]
                cmd.redirects = list(redirects)
                commands.append(cmd)
        ex.after_andor = sep in ("&&", "||")
        if sep in (";;", ";&", ";;&") and ex.frames and ex.frames[-1].kind == "case":
            ex.frames[-1].branches.append({})  # the next case pattern's branch
        if sep == "||":
            ex.ors += 1
        elif sep not in ("&&", "|", "|&"):
            ex.chain, ex.ors = {}, 0  # the and-or list ends
        group, group_lo, docs, redirects = [], None, [], []

    for it in items:
        if isinstance(it, _Heredoc):
            docs.append(it)
            continue
        if isinstance(it, _Op):
            if it.op in ("<", ">", ">>", ">&", "<&", "&>", "&>>", ">|", "<>", "<<", "<<-", "<<<"):
                skip_next = True
                target_next = it.op in (">", ">>", ">|", "&>", "&>>")
                continue
            flush(it.op, it.lo)
            continue
        if skip_next:
            skip_next = False
            if target_next and isinstance(it, _RawWord):
                redirects.append(s[it.lo:it.hi])
            target_next = False
            continue
        if len(group) < MAX_COMMAND_WORDS:  # a hostile 1,000,000-word command: expand a bounded prefix
            group.append(it)
    flush("", len(s))
    return Script(commands, shell_env, unknowns)


_OPENERS = frozenset({"if", "case", "while", "until", "for", "select"})
_CLOSERS = frozenset({"fi", "esac", "done"})


def _build_command(ex: _Expander, group: list[_RawWord | _Array], sep: str) -> Command | None:
    s = ex.s
    lead = 0  # leading keywords: `then N=2` assigns like `N=2`
    for it in group:
        if not isinstance(it, _RawWord):
            break
        w = s[it.lo:it.hi]
        if w in _OPENERS:
            ex.cond += 1
            ex.frames.append(_Frame(w))
        elif w in _CLOSERS:
            ex.cond = max(0, ex.cond - 1)
            _close_frame(ex)
        elif w in ("elif", "else"):
            if ex.frames and ex.frames[-1].kind == "if":
                ex.frames[-1].branches.append({})
        elif w not in KEYWORDS:
            break
        lead += 1
    assigns: dict[str, Val] = {}
    words: list[Word] = []
    k = lead if lead < len(group) and isinstance(group[lead], _RawWord) and _ASSIGN_RE.match(
        s, group[lead].lo, group[lead].hi) else 0
    lo = group[0].lo
    hi = group[-1].hi
    # leading assignments
    while k < len(group):
        it = group[k]
        if isinstance(it, _Array):
            _assign_array(ex, it, assigns)
            k += 1
            continue
        m = _ASSIGN_RE.match(s, it.lo, it.hi)
        if not m:
            break
        saved_env = ex.env
        ex.env = {**saved_env, **assigns}  # A=1 B=$A: later prefixes see earlier ones
        try:
            assigns[m.group(1)] = _assign_value(ex, m.group(1), bool(m.group(2)), m.end(), it.hi, assigns)
        finally:
            ex.env = saved_env
        k += 1
    rest = group[k:]
    # strip leading keywords (then/do/else/!...), so "then vllm serve" is found
    while rest and isinstance(rest[0], _RawWord) and s[rest[0].lo:rest[0].hi] in KEYWORDS:
        rest = rest[1:]
    if not rest:
        _update_env(ex, assigns)
        if not assigns:
            return None
        return Command([], assigns, ex.off(lo), ex.end_off(hi), sep, sep == "&", dict(ex.env), lo, hi)
    first = rest[0]
    if isinstance(first, _RawWord) and s[first.lo:first.hi] in _DECLARE:
        for it in rest[1:]:
            if isinstance(it, _Array):
                _assign_array(ex, it, ex.env)
                continue
            m = _ASSIGN_RE.match(s, it.lo, it.hi)
            if m:
                _update_env(ex, {m.group(1): _assign_value(ex, m.group(1), bool(m.group(2)), m.end(), it.hi, ex.env)})
        _update_env(ex, assigns)
        return Command([w for it in rest if isinstance(it, _RawWord) for w in ex.expand_word(it.lo, it.hi)],
                       assigns, ex.off(lo), ex.end_off(hi), sep, sep == "&", dict(ex.env), lo, hi)
    saved = ex.env
    ex.env = {**saved, **assigns}
    try:
        for it in rest:
            if isinstance(it, _Array):
                continue
            words.extend(ex.expand_word(it.lo, it.hi))
    finally:
        cmd_env = ex.env
        ex.env = saved
        for name, val in cmd_env.items():  # ${X:=d} assigns in the shell
            if name not in saved and name not in assigns:
                saved[name] = val
    return Command(words, assigns, ex.off(lo), ex.end_off(hi), sep, sep == "&", cmd_env, lo, hi)


def _update_env(ex: _Expander, assigns: dict[str, Val]) -> None:
    """Apply plain assignments. One that may not run (inside if/case/loops, after && or ||) does
    not replace a known value with an unknown one: ``MODEL=${MODEL:-x}; [ -n "$P" ] && MODEL=$P``
    keeps x as the statically best value."""
    conditional = ex.cond > 0 or ex.after_andor
    for name, val in assigns.items():
        old = ex.env.get(name)
        prev = ex.chain.get(name)
        ex.chain[name] = (val, ex.ors)
        if ex.frames:
            ex.frames[-1].branches[-1][name] = val
        if prev is not None and prev[1] < ex.ors and not _same(prev[0], val):
            # `X=$(probe) || X=0`: which one ran is decided at run time
            ex.env[name] = _unknown(name)
            continue
        if conditional and val.symbolic and old is not None and not old.symbolic:
            continue
        ex.env[name] = val


def _same(a: Val, b: Val) -> bool:
    return not a.symbolic and not b.symbolic and a.text == b.text and a.items is None and b.items is None


def _unknown(name: str) -> Val:
    return Val(f"${{{name}}}", True)


def _close_frame(ex: _Expander) -> None:
    """At ``fi``/``done``/``esac``: a variable that two branches of an ``if`` (or of a ``case``)
    set to different
    values (``then N=$(nvidia-smi -L | wc -l); else N=0``) is unknown after it, not whichever
    branch came last; the branch assignments then count as assignments of the enclosing frame."""
    if not ex.frames:
        return
    frame = ex.frames.pop()
    merged: dict[str, Val] = {}
    for branch in frame.branches:
        for name, val in branch.items():
            first = merged.get(name)
            if first is None:
                merged[name] = val
            elif not _same(first, val):
                merged[name] = _unknown(name)
    for name, val in merged.items():
        if frame.kind in ("if", "case") and sum(name in b for b in frame.branches) > 1 and val.symbolic:
            ex.env[name] = val
        if ex.frames:
            ex.frames[-1].branches[-1][name] = val


def _assign_value(ex: _Expander, name: str, append: bool, lo: int, hi: int, scope: dict[str, Val]) -> Val:
    chars, _ = ex.chars(lo, hi, in_dq=False, depth=0)  # quote removal, but no field splitting
    text = "".join(c.ch for c in chars if c is not _BREAK)
    symbolic = any(c.symbolic for c in chars)
    if len(text) > MAX_VALUE:  # A="$A$A" doubling: stop before memory runs out
        return Val(f"${{{name}}}", True)
    if append:
        old = scope.get(name) or ex.env.get(name)
        if old is not None:
            if len(old.text) + len(text) > MAX_VALUE:
                return Val(f"${{{name}}}", True)
            return Val(old.text + text, old.symbolic or symbolic)
    return Val(text, symbolic, start=ex.off(lo) if hi > lo else None, end=ex.end_off(hi) if hi > lo else None)


def _assign_array(ex: _Expander, arr: _Array, scope: dict[str, Val]) -> None:
    items: list[Word] = []
    for rw in arr.items:
        items.extend(ex.expand_word(rw.lo, rw.hi))
    old = scope.get(arr.name) or ex.env.get(arr.name)
    if arr.append and old is not None:
        prior = old.items if old.items is not None else [Word(old.text, 0, 0, old.symbolic)]
        items = prior + items
    scope[arr.name] = Val(" ".join(w.text for w in items), any(w.symbolic for w in items), items=items)


def split_words(s: str, offs: Sequence[int] | None = None, env: Mapping[str, object] | None = None) -> list[Word]:
    """All words of ``s`` as one command line (separators ignored); a convenience for tests and
    for strings that hold just arguments (``VLLM_ARGS="--a 1 --b 2"``)."""
    script = parse_script(s, offs, env)
    return [w for c in script.commands for w in c.words]


def expand_words(s: str, offs: Sequence[int] | None = None, env: Mapping[str, object] | None = None) -> list[Word]:
    """Every word of ``s`` expanded, with no command semantics: ``A=b`` stays a word (used for
    Dockerfile ``ENV``/``ARG``/``FROM`` arguments, which Docker substitutes without a shell)."""
    ex = _Expander(s, offs, env_from(env), False, [])
    out: list[Word] = []
    for it in _lex(s):
        if isinstance(it, _RawWord):
            out.extend(ex.expand_word(it.lo, it.hi))
        elif isinstance(it, _Array):
            out.extend(ex.expand_word(it.lo, it.hi))
    return out


def words_end(words: list[Word]) -> int | None:
    """File offset after the last word's source text (its closing quote or brace included):
    where new words can be appended to the command."""
    for w in reversed(words):
        if w.raw_end is not None:
            return w.raw_end
        if w.end > w.start:
            return w.end
    return None


def expand_heredoc(s: str, lo: int, hi: int, quoted: bool, offs: Sequence[int] | None = None,
                   env: Mapping[str, object] | None = None, ends: Sequence[int] | None = None
                   ) -> tuple[str, list[int], list[int]]:
    """The text a here-document feeds its command, with file offsets per character: an
    unquoted delimiter expands ``$VAR``/``${..}``/``$(..)`` (symbolic ones keep their raw text)
    but not quotes; a quoted one (``<<'EOF'``) is literal."""
    ex = _Expander(s, offs, env_from(env), False, [], ends)
    if quoted:
        return s[lo:hi], [ex.off(k) for k in range(lo, hi)], [ex.cend(k) for k in range(lo, hi)]
    chars, _ = ex.chars(lo, hi, in_dq=True, depth=0)
    chars = [c for c in chars if c is not _BREAK and c.ch]
    return "".join(c.ch for c in chars), [c.start for c in chars], [c.end for c in chars]
