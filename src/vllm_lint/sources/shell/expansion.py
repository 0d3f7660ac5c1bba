"""Word expansion as bash performs it before running a simple command (Bash manual, "Shell
Expansions"): parameter expansion (``$V``, ``${V}``, ``${V:-w}``, ``${V-w}``, ``${V:=w}``,
``${V:+w}``, ``${V+w}``, ``${V:?w}``, nested), bash arrays expanded at ``"${A[@]}"``, quote
removal and field splitting of unquoted expansion results. Command substitution ``$(..)``,
backticks, arithmetic ``$((..))`` and unknown variables stay *symbolic*: the word keeps its raw
text and is flagged, nothing is guessed or run.

Every character keeps the file offset it came from (``offs``, from
``yaml.spans.scalar_offset_map`` when the script sits inside a YAML scalar), so every ``Word``
carries ``start``/``end`` file offsets covering its source characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Sequence

from vllm_lint.sources.shell.lexer import NAME_RE, skip_quoted
from vllm_lint.sources.shell.syntax import MAX_DEPTH, MAX_VALUE, Frame, Val, Word

# Characters Expander.chars treats specially; a word without them is its own expansion.
_WORD_SPECIAL = re.compile(r"[\\'\"`$]")
_FAST_WORDS = True


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
    cond: str | None = None  # present only under this condition (a shell guard)


BREAK = _Ch("", -1, -1)  # forces a field boundary ("${A[@]}" elements)


class Expander:
    def __init__(self, s: str, offs: Sequence[int] | None, env: dict[str, Val], k8s: bool,
                 unknowns: list[str], ends: Sequence[int] | None = None) -> None:
        self.s = s
        self.offs = offs
        self.ends = ends
        self.cond = 0  # depth of if/case/loop bodies: assignments there may not run
        self.after_andor = False  # the command follows && or ||
        # One frame per open if/case/loop: for ``if`` the assignments of each branch (a new
        # dict at elif/else), merged at ``fi`` (see ``_close_frame``).
        self.frames: list[Frame] = []
        # Assignments in the current and-or list: name -> (value, count of ``||`` before it).
        self.chain: dict[str, tuple[Val, int]] = {}
        self.ors = 0  # ``||`` operators seen in the current and-or list
        self.env = env
        self.k8s = k8s
        # while expanding words that a guard protects: a variable known to be empty is unknown
        # there (the guard `[ -n "$X" ]` or `${X:+...}` ran them only when it is not)
        self.guarded = False
        self.last_command = ""  # source text of the previous simple command (an && guard)
        self.last_status: bool | None = True  # whether the and-or list so far lets the next command run
        self.test_of: Frame | None = None  # the `if`/`elif` frame whose test is being read
        self.skipped = False  # the command just read is known not to run
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
            if c.wend is None and c is not BREAK:
                c.wend = word_end
        fields = _split_fields(chars, quoted, self.off(lo), word_end)
        if len(fields) == 1 and not all(c.expanded for c in chars if c is not BREAK):
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
                j = skip_quoted(s, i, hi)
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
                j = skip_quoted(s, i, hi)
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
        out = [_Ch(ch, start, end, split=not in_dq and not val.symbolic, symbolic=val.symbolic, expanded=True)
               for ch in val.text]
        for a, b, when in val.conds or ():
            for c in out[a:b]:
                c.cond = when
        return out

    def dollar(self, i: int, hi: int, in_dq: bool, depth: int) -> tuple[int, list[_Ch] | None]:
        s = self.s
        nxt = s[i + 1]
        if nxt == "(":
            j = skip_quoted(s, i, hi)
            if s.startswith("$((", i):
                return j, self._symbolic(i, j, in_dq, "arithmetic")
            inner = s[i + 2:j - 1]
            if self.k8s and NAME_RE.fullmatch(inner):
                val = self.env.get(inner)
                if val is not None:
                    return j, self._value(val, i, j, True)
                return j, self._symbolic(i, j, in_dq, "variable reference with no source")
            return j, self._symbolic(i, j, in_dq, "command substitution")
        if nxt == "{":
            j = skip_quoted(s, i, hi)
            return j, self.braced(i, j, in_dq, depth)
        if nxt == "'" and not in_dq:  # $'..' ANSI-C quoting: keep text, unescaped minimally
            j = s.find("'", i + 2, hi)
            j = hi if j == -1 else j
            text = s[i + 2:j].encode("utf-8", "replace").decode("unicode_escape", "replace")
            start, end = self.off(i), self.end_off(j + 1)
            return j + 1, [_Ch(ch, start, end) for ch in text]
        m = NAME_RE.match(s, i + 1, hi)
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
        if self.guarded and not val.symbolic and val.text == "" and val.items is None:
            return self._symbolic(lo, hi, in_dq, "")  # empty now, set whenever the guard passes
        if val.items is not None:
            first = val.items[0] if val.items else None
            return [] if first is None else self._value(Val(first.text, first.symbolic), lo, hi, in_dq)
        return self._value(val, lo, hi, in_dq)

    def braced(self, lo: int, hi: int, in_dq: bool, depth: int) -> list[_Ch]:
        """``${...}``: hi is the index after the closing brace."""
        s = self.s
        body_lo, body_hi = lo + 2, hi - 1
        if body_hi < body_lo or s[hi - 1] != "}" or depth > MAX_DEPTH:
            return self._symbolic(lo, hi, in_dq, "unterminated expansion")
        body = s[body_lo:body_hi]
        if body.startswith("#") or body.startswith("!"):
            return self._symbolic(lo, hi, in_dq, "parameter length/indirection")
        m = NAME_RE.match(body) or re.match(r"[0-9]+|[@*#?$!-]", body)
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
        if op is None and rest[:1] in ("#", "%") and val is not None and not val.symbolic and val.items is None:
            longest = rest[:2] in ("##", "%%")
            pattern = rest[2:] if longest else rest[1:]
            if pattern and not any(c in pattern for c in "$`\"'\\"):
                return self._value(Val(strip_pattern(val.text, pattern, rest[0] == "#", longest), False), lo, hi, in_dq)
        if op is None:  # ${V/a/b}, ${V:0:3}, ${V^^}, a pattern holding an expansion ...
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
            if use_word:
                return self._word_part(w_lo, body_hi, in_dq, depth)
            # V is unset, empty or unknown here, but whoever runs the script may set it: the
            # word is passed only then, and its own $V is whatever they set
            saved, self.guarded = self.guarded, True
            try:
                chars = self._word_part(w_lo, body_hi, in_dq, depth)
            finally:
                self.guarded = saved
            when = f"when {name} is set" + (" and not empty" if colon else "")
            for c in chars:
                if c is not BREAK and c.cond is None:
                    c.cond = when
            return chars
        # '?': error when unset
        if not use_word:
            return self.lookup(name, lo, hi, in_dq)
        return self._symbolic(lo, hi, in_dq, f"${name} is required but not set")

    def _word_part(self, lo: int, hi: int, in_dq: bool, depth: int) -> list[_Ch]:
        """The word of ``${V:-word}``/``${V:+word}``: unquoted characters of an unquoted
        expansion are field-split like any expansion result (``${X:+--flag "$X"}`` gives two words)."""
        chars, _ = self.chars(lo, hi, in_dq=in_dq, depth=depth + 1)
        for c in chars:
            if c is BREAK:
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
                    out.append(BREAK if (index == "@" or not in_dq) else _Ch(" ", self.off(lo), self.end_off(hi)))
                out.extend(_Ch(ch, w.start, w.end, split=not in_dq and not w.quoted, symbolic=w.symbolic, expanded=True,
                               wend=w.raw_end, cond=w.condition) for ch in w.text)
                if not w.text and in_dq:
                    out.append(_Ch("", w.start, w.end, expanded=True))
            return out
        if index.isdigit():
            k = int(index)
            if k < len(items):
                w = items[k]
                return [_Ch(ch, w.start, w.end, split=not in_dq, symbolic=w.symbolic, expanded=True, cond=w.condition)
                        for ch in w.text]
            return []
        return self._symbolic(lo, hi, in_dq, "array index expression")


def s_is_one_quoted(s: str, lo: int, hi: int) -> bool:
    """True when s[lo:hi] is exactly one '..' or ".." string."""
    return s[lo] in "'\"" and s[hi - 1] == s[lo] and skip_quoted(s, lo, hi) == hi


def _split_fields(chars: list[_Ch], quoted: bool, start: int, end: int) -> list[Word]:
    fields: list[Word] = []
    cur: list[_Ch] = []
    have = quoted  # a quoted empty string is still a word
    for c in chars:
        if c is BREAK:
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
    if cur or (have and not fields) or (have and chars and chars[-1] is BREAK):
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
        condition=next((c.cond for c in cur if c.cond is not None), None),
    )


def strip_pattern(text: str, pattern: str, prefix: bool, longest: bool) -> str:
    """``${V#p}``/``${V##p}`` (prefix) and ``${V%p}``/``${V%%p}`` (suffix): the shortest or longest
    match of the glob ``p`` removed (``${REPO##*/}`` is the name after the last slash)."""
    cuts = range(len(text) + 1)
    for n in (reversed(cuts) if longest else cuts):
        part = text[:n] if prefix else text[len(text) - n:]
        if fnmatchcase(part, pattern):
            return text[n:] if prefix else text[:len(text) - n]
    return text
