"""Shell command text split into raw words, operators, here-documents and array assignments
(POSIX "Token Recognition" with bash's ``A=( .. )`` arrays): quotes, escapes, line continuations
and comments are recognised but not removed; here-document bodies are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ASSIGN_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\+?)=")
_BLANKS = " \t\r"
_META = " \t\r\n;&|()<>"


# ---------------------------------------------------------------------------------- lexing


@dataclass(slots=True)
class RawWord:
    lo: int
    hi: int


@dataclass(slots=True)
class Op:
    op: str
    lo: int
    hi: int


@dataclass(slots=True)
class Heredoc:
    """A here-document body: s[lo:hi] (without the delimiter line)."""

    lo: int
    hi: int
    quoted: bool  # <<'EOF': no expansion in the body
    strip_tabs: bool


@dataclass(slots=True)
class ArrayAssign:
    name: str
    append: bool
    items: list[RawWord]
    lo: int
    hi: int


def skip_quoted(s: str, i: int, n: int) -> int:
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
                j = skip_quoted(s, j, n)
            elif c == "`":
                j = skip_quoted(s, j, n)
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
                j = skip_quoted(s, j, n)
                continue
            if c == "$" and j + 1 < n and s[j + 1] in "({":
                j = skip_quoted(s, j, n)
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
            j = skip_quoted(s, j, n)
        else:
            j += 1
    return min(j, n)


def lex(s: str) -> list[RawWord | Op | ArrayAssign]:
    out: list[RawWord | Op | ArrayAssign] = []
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
            nl = Op("\n", i, i + 1)
            i += 1
            if heredocs:
                # the bodies belong to the command on this line: emit them before its newline
                i = _skip_heredoc_bodies(s, i, heredocs, out)
                heredocs = []
            out.append(nl)
            continue
        if c in ";&|()<>":
            op = _read_op(s, i)
            out.append(Op(op, i, i + len(op)))
            i += len(op)
            if op in ("<<", "<<-"):
                while i < n and s[i] in " \t":
                    i += 1
                j = _word_end(s, i, n)
                delim = _unquote_simple(s[i:j])
                if delim:
                    heredocs.append((delim, op == "<<-", any(q in s[i:j] for q in "'\"\\")))
                out.append(RawWord(i, j))
                i = j
            continue
        j = _word_end(s, i, n)
        if j == i:  # defensive: never loop without progress
            j = i + 1
        # an fd number right before a redirection belongs to it (2>&1)
        if j < n and s[j] in "<>" and s[i:j].isdigit():
            op = _read_op(s, j)
            out.append(Op(op, i, j + len(op)))
            i = j + len(op)
            continue
        m = ASSIGN_RE.match(s[i:j])
        if m and m.end() == j - i and j < n and s[j] == "(":
            items, k = _lex_array(s, j + 1, n)
            out.append(ArrayAssign(m.group(1), bool(m.group(2)), items, i, k))
            i = k
            continue
        out.append(RawWord(i, _without_continuation(s, i, j)))
        i = j
    del at_word_start
    return out


def _without_continuation(s: str, lo: int, hi: int) -> int:
    """End of a word before a trailing backslash-newline (``16384\\`` then a new line): bash
    removes the pair, so the word's characters, and its span, stop before it."""
    while True:
        if hi - lo >= 2 and s[hi - 2:hi] == "\\\n" and not _escaped(s, lo, hi - 2):
            hi -= 2
        elif hi - lo >= 3 and s[hi - 3:hi] == "\\\r\n" and not _escaped(s, lo, hi - 3):
            hi -= 3
        else:
            return hi


def _escaped(s: str, lo: int, i: int) -> bool:
    """True when the backslash at ``s[i]`` is itself escaped (an odd run of backslashes before it)."""
    k = i
    while k > lo and s[k - 1] == "\\":
        k -= 1
    return (i - k) % 2 == 1


def _lex_array(s: str, i: int, n: int) -> tuple[list[RawWord], int]:
    items: list[RawWord] = []
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
            items.append(RawWord(i, j))
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
        out.append(Heredoc(body_lo, body_hi, quoted, strip_tabs))
    return i
