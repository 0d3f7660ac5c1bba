"""systemd unit-file syntax (systemd.syntax(7)) and command lines (systemd.service(5), "Command
lines"), with the file offset of every character: shared by ``.service`` units and Podman Quadlet
``.container`` files.

* ``[Section]`` headers, ``Key=Value`` lines; ``#``/``;`` start comment lines (also between the
  lines of a continued value); a line ending in a backslash continues on the next one, the
  backslash becoming a space.
* An ``Exec*=`` value takes an optional prefix of ``-``, ``@``, ``:``, ``+``, ``!``, ``!!``; with
  ``@`` the second word is argv[0] and the first is the executable. Words are split at whitespace,
  single and double quotes group, C escapes (``\\n``, ``\\"``, ``\\\\``...) are unescaped, a lone
  ``;`` separates commands.
* Specifiers are resolved first (``%%`` is ``%``; ``%n``, ``%N``, ``%p`` come from the unit's
  file name; the others depend on the host and stay unknown).
* At exec time ``${FOO}`` becomes the variable's value as part of one word (never split), and a
  word that is exactly ``$FOO`` becomes the value split at whitespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vllm_lint.sources.mapped_text import MappedText
from vllm_lint.sources.shell.syntax import Val, Word

_PREFIX_CHARS = "-@:+!|"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_C_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\",
              '"': '"', "'": "'", "s": " ", ";": ";"}


@dataclass(slots=True)
class Entry:
    """One ``Key=Value`` assignment; ``value`` is the logical value with file offsets."""

    section: str
    key: str
    value: MappedText
    key_start: int
    key_end: int


@dataclass(slots=True)
class _Ch:
    ch: str
    start: int
    end: int
    symbolic: bool = False
    expanded: bool = False
    quoted: bool = False


@dataclass(slots=True)
class _Raw:
    """A word after quote removal and escapes, before variable expansion."""

    chars: list[_Ch] = field(default_factory=list)
    lo: int = 0  # file offsets of the source word
    hi: int = 0
    quoted: bool = False
    inner: tuple[int, int] | None = None  # the word is one quoted string: offsets inside the quotes

    @property
    def text(self) -> str:
        return "".join(c.ch for c in self.chars)


def parse_unit(text: str) -> list[Entry]:
    """Every ``Key=Value`` of a unit file in order, continuation lines joined."""
    entries: list[Entry] = []
    section = ""
    n = len(text)
    i = 0
    while i < n:
        j = text.find("\n", i)
        line_end = n if j == -1 else j
        nxt = line_end + 1
        k = i
        while k < line_end and text[k] in " \t":
            k += 1
        body_end = line_end - 1 if line_end > k and text[line_end - 1] == "\r" else line_end
        if k >= body_end or text[k] in "#;":
            i = nxt
            continue
        if text[k] == "[":
            close = text.find("]", k, body_end)
            section = text[k + 1:close] if close != -1 else text[k + 1:body_end]
            i = nxt
            continue
        eq = text.find("=", k, body_end)
        if eq == -1:
            i = nxt  # systemd: "Missing '=', ignoring line."
            continue
        key_end = eq
        while key_end > k and text[key_end - 1] in " \t":
            key_end -= 1
        v = eq + 1
        while v < body_end and text[v] in " \t":
            v += 1
        value = MappedText()
        lo, hi = v, body_end
        while True:
            if hi > lo and text[hi - 1] == "\\":
                value.copy(text, lo, hi - 1)
                value.add(" ", hi - 1)
                # the continued value goes on at the next line that is not a comment
                i = nxt
                while i < n:
                    j = text.find("\n", i)
                    le = n if j == -1 else j
                    be = le - 1 if le > i and text[le - 1] == "\r" else le
                    s = i
                    while s < be and text[s] in " \t":
                        s += 1
                    if s < be and text[s] in "#;":
                        i = le + 1
                        continue
                    lo, hi, nxt = i, be, le + 1
                    break
                else:
                    hi = lo
                    break
                continue
            value.copy(text, lo, hi)
            break
        while value.chars and value.chars[-1] in " \t":
            value.chars.pop()
            value.starts.pop()
            value.ends.pop()
        entries.append(Entry(section, text[k:key_end], value, k, key_end))
        i = nxt
    return entries


def _specifiers(value: MappedText, unit_name: str) -> tuple[MappedText, list[bool]]:
    """``%%`` -> ``%``, ``%n``/``%N``/``%p`` from the unit's name; other specifiers unknown."""
    out = MappedText()
    sym: list[bool] = []
    stem = unit_name.rsplit(".", 1)[0]
    known = {"n": unit_name, "N": stem, "p": stem.split("@", 1)[0]}
    chars = value.chars
    i = 0
    while i < len(chars):
        c = chars[i]
        if c == "%" and i + 1 < len(chars):
            spec = chars[i + 1]
            s, e = value.starts[i], value.ends[i + 1]
            if spec == "%":
                out.add("%", s, e)
                sym.append(False)
            elif spec in known:
                out.add(known[spec], s, e)
                sym.extend([False] * len(known[spec]))
            else:
                out.add("%" + spec, s, e)
                sym.extend([True, True])
            i += 2
            continue
        out.add(c, value.starts[i], value.ends[i])
        sym.append(False)
        i += 1
    return out, sym


def split_words(value: MappedText, symbolic: list[bool] | None = None) -> list[_Raw | None]:
    """systemd's word splitting with quotes and C escapes; None stands for a lone ``;``."""
    chars = value.chars
    n = len(chars)
    sym = symbolic or [False] * n
    out: list[_Raw | None] = []
    i = 0
    while i < n:
        if chars[i] in " \t\n\r":
            i += 1
            continue
        word = _Raw(lo=value.starts[i])
        first = i
        quote = ""
        quotes = 0
        open_at = -1
        while i < n:
            c = chars[i]
            if not quote and c in " \t\n\r":
                break
            if c in "'\"" and (not quote or quote == c):
                if not quote:
                    quotes += 1
                    open_at = i
                quote = "" if quote else c
                word.quoted = True
                i += 1
                continue
            if c == "\\" and i + 1 < n:
                e = chars[i + 1]
                start, end = value.starts[i], value.ends[i + 1]
                if e == "x" and i + 3 < n and all(h in "0123456789abcdefABCDEF" for h in chars[i + 2:i + 4]):
                    word.chars.append(_Ch(chr(int("".join(chars[i + 2:i + 4]), 16)), start, value.ends[i + 3], quoted=True))
                    i += 4
                    continue
                word.chars.append(_Ch(_C_ESCAPES.get(e, e), start, end, quoted=True))
                i += 2
                continue
            word.chars.append(_Ch(c, value.starts[i], value.ends[i], symbolic=sym[i], quoted=bool(quote)))
            i += 1
        word.hi = value.ends[i - 1] if i > first else word.lo
        if quotes == 1 and open_at == first and chars[i - 1] == chars[first] and i - first >= 2:
            word.inner = (value.ends[first], value.starts[i - 1])
        if not word.quoted and word.text == ";":
            out.append(None)
        else:
            out.append(word)
    return out


def _expand(word: _Raw, env: dict[str, Val]) -> list[Word]:
    """systemd's ``$FOO`` (a word of its own: split) and ``${FOO}`` (inside a word) at exec time."""
    text = word.text
    m = _NAME.fullmatch(text[1:]) if text.startswith("$") and not word.quoted else None
    if m is not None:
        val = env.get(text[1:])
        if val is None or val.symbolic:
            return [_word(word.chars, word, symbolic=True)]
        parts = val.text.split()
        return [_word([_Ch(ch, word.lo, word.hi, expanded=True) for ch in p], word) for p in parts]
    chars: list[_Ch] = []
    i = 0
    cs = word.chars
    while i < len(cs):
        c = cs[i]
        if c.ch == "$" and i + 1 < len(cs) and cs[i + 1].ch == "{" and not c.quoted:
            close = next((k for k in range(i + 2, len(cs)) if cs[k].ch == "}"), None)
            name = "".join(x.ch for x in cs[i + 2:close]) if close is not None else ""
            if close is not None and _NAME.fullmatch(name):
                val = env.get(name)
                s, e = c.start, cs[close].end
                if val is None or val.symbolic:
                    chars.extend(_Ch(x.ch, x.start, x.end, symbolic=True) for x in cs[i:close + 1])
                else:
                    chars.extend(_Ch(ch, s, e, expanded=True) for ch in val.text)
                i = close + 1
                continue
        if c.ch == "$" and i + 1 < len(cs) and cs[i + 1].ch == "$":
            chars.append(_Ch("$", c.start, cs[i + 1].end))
            i += 2
            continue
        chars.append(c)
        i += 1
    return [_word(chars, word)]


def _word(chars: list[_Ch], raw: _Raw, symbolic: bool = False) -> Word:
    """A Word whose span is the source word (inside its quotes when it is one quoted string)."""
    start, end = raw.inner if raw.inner is not None else (raw.lo, raw.hi)
    return Word(text="".join(c.ch for c in chars), start=start, end=max(start, end),
                symbolic=symbolic or any(c.symbolic for c in chars), quoted=raw.quoted,
                expanded=any(c.expanded for c in chars), starts=[c.start for c in chars],
                ends=[c.end for c in chars], raw_end=raw.hi)


def environment(entry: Entry, env: dict[str, Val], spans: dict[str, tuple[int, int]]) -> None:
    for raw in split_words(entry.value):
        if raw is None:
            continue
        name, eq, value = raw.text.partition("=")
        if not eq or not _NAME.fullmatch(name):
            continue
        value_chars = raw.chars[len(name) + 1:]
        lo = value_chars[0].start if value_chars else raw.hi
        hi = value_chars[-1].end if value_chars else raw.hi
        env[name] = Val(value, start=lo, end=hi)
        spans[name] = (lo, hi)


def exec_commands(value: MappedText, env: dict[str, Val], unit_name: str, prefixes: bool = True) -> list[list[Word]]:
    """The argv (as shell Words with spans) of each command of an ``Exec*=`` value; with
    ``prefixes`` false (Quadlet's ``Exec=``, ``PodmanArgs=``) a leading ``-`` is a word."""
    value, sym = _specifiers(value, unit_name)
    k = 0
    while k < len(value.chars) and value.chars[k] in " \t":
        k += 1
    prefix = ""
    while prefixes and k < len(value.chars) and value.chars[k] in _PREFIX_CHARS:
        prefix += value.chars[k]
        k += 1
    raws = split_words(value.slice(k, len(value)), sym[k:])
    commands: list[list[Word]] = [[]]
    for raw in raws:
        if raw is None:
            commands.append([])
            continue
        commands[-1].extend(_expand(raw, env))
    if "@" in prefix:
        commands[0] = commands[0][1:]  # @/path argv0 ...: the first word is only the executable
    return [c for c in commands if c]
