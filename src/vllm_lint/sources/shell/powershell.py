"""PowerShell scripts (``*.ps1``) -> vLLM launches (``docker run ... vllm/vllm-openai``, ``vllm serve``).

Modelled on about_Parsing, about_Quoting_Rules, about_Special_Characters and about_Splatting:

* statements end at a newline, ``;``, ``|``, ``&&``/``||``; a backtick at the end of a line
  continues it (as does a trailing ``|``); ``#`` comments and ``<# ... #>`` block comments;
* in argument mode a word ends at whitespace or ``;|&(){}``; ``'...'`` is verbatim (``''`` is a
  quote), ``"..."`` expands variables and takes backtick escapes (`` `n ``, `` `" ``) and ``""``;
  bare words expand ``$var`` too; a backtick escapes the next character;
* ``$name = <value>`` and ``$env:NAME = <value>`` assign (a string, a number, or ``@(...)``/a
  comma list, an array); ``$env:NAME`` sets the process environment that native commands see;
  ``$var``/``${var}``/``$env:NAME`` expand; ``@var`` splats an array as separate arguments, as an
  array variable does when passed to a native command; ``$(...)`` is a subexpression (unknown);
* ``& <command>`` (the call operator) and ``--%`` (stop parsing: the rest of the line verbatim).

Automatic variables (``$PWD``, ``$HOME``, ``$PSScriptRoot``, ``$args``) and variables set in
branches or loops are unknown: the word that uses them is symbolic. Items added to an array in a
block (``if ($env:QUANT) { $VllmArgs += "--quantization", $env:QUANT }``) are kept, each with the
block's condition (``Token.condition``), so their names are checked as a shell guard's are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vllm_lint.launch import EnvValue, Launch
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile
from vllm_lint.sources.mapped_text import MappedText
from vllm_lint.sources.shell.syntax import Command, Script, Val, Word

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_VAR = re.compile(r"\$(?:env:([A-Za-z_][A-Za-z0-9_]*)|\{([^}]+)\}|([A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z_][A-Za-z0-9_]*)?))",
                  re.I)
_ESC = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "e": "\x1b"}
_END = " \t\r\n;|&(){}"
_BLOCK_OPEN = frozenset({"if", "elseif", "else", "foreach", "for", "while", "do", "switch", "try", "catch",
                         "finally", "function", "until"})


@dataclass(slots=True)
class _Ch:
    ch: str
    start: int
    end: int
    symbolic: bool = False
    expanded: bool = False


@dataclass(slots=True)
class _Tok:
    """One argument-mode word (or operator) as written: [lo, hi) in the file."""

    lo: int
    hi: int
    chars: list[_Ch] = field(default_factory=list)
    quoted: bool = False
    inner: tuple[int, int] | None = None
    op: str = ""  # a statement separator
    splat: str | None = None  # @name
    array_var: str | None = None  # a bare $name that may hold an array


def _skip_ws(s: str, i: int, n: int) -> int:
    while i < n:
        c = s[i]
        if c in " \t":
            i += 1
        elif c == "`" and i + 1 < n and s[i + 1] in "\r\n":
            i += 2 if s[i + 1] == "\n" else (3 if s.startswith("\r\n", i + 1) else 2)
        else:
            break
    return i


class _Lexer:
    def __init__(self, text: str, env: dict[str, Val], process_env: dict[str, Val]) -> None:
        self.s = text
        self.env = env  # PowerShell variables
        self.penv = process_env  # $env:NAME
        self.cond = 0  # depth of { } blocks: assignments there may not run

    def lookup(self, m: re.Match) -> Val | None:
        if m.group(1):
            return self.penv.get(m.group(1).upper())
        name = (m.group(2) or m.group(3) or "")
        if name.lower().startswith("env:"):
            return self.penv.get(name[4:].upper())
        return self.env.get(name.lower())

    def expand_var(self, i: int, out: list[_Ch]) -> int:
        """``$...`` at s[i]: append its value (or its raw text, symbolic); return the index after."""
        s = self.s
        if s.startswith("$(", i):
            j = _match(s, i + 1, "(", ")")
            out.extend(_Ch(c, i, j, symbolic=True, expanded=True) for c in s[i:j])
            return j
        m = _VAR.match(s, i)
        if m is None:
            out.append(_Ch("$", i, i + 1))
            return i + 1
        val = self.lookup(m)
        if val is None or val.symbolic:
            out.extend(_Ch(c, i, m.end(), symbolic=True, expanded=True) for c in m.group(0))
        else:
            text = val.text if val.items is None else " ".join(w.text for w in val.items)
            out.extend(_Ch(c, i, m.end(), expanded=True) for c in text)
        return m.end()

    def word(self, i: int, n: int, stop: str = _END) -> _Tok:
        s = self.s
        tok = _Tok(i, i)
        quotes = 0
        while i < n:
            c = s[i]
            if c in stop:
                break
            if c == "`":
                if i + 1 < n and s[i + 1] not in "\r\n":
                    e = s[i + 1]
                    tok.chars.append(_Ch(_ESC.get(e, e), i, i + 2))
                    i += 2
                    continue
                break
            if c == "'":
                quotes += 1
                tok.quoted = True
                j = i + 1
                while j < n:
                    if s[j] == "'":
                        if j + 1 < n and s[j + 1] == "'":
                            tok.chars.append(_Ch("'", j, j + 2))
                            j += 2
                            continue
                        break
                    tok.chars.append(_Ch(s[j], j, j + 1))
                    j += 1
                if quotes == 1 and i == tok.lo:
                    tok.inner = (i + 1, j)
                i = min(j + 1, n)
                continue
            if c == '"':
                quotes += 1
                tok.quoted = True
                j = i + 1
                while j < n:
                    d = s[j]
                    if d == '"':
                        if j + 1 < n and s[j + 1] == '"':
                            tok.chars.append(_Ch('"', j, j + 2))
                            j += 2
                            continue
                        break
                    if d == "`" and j + 1 < n:
                        e = s[j + 1]
                        tok.chars.append(_Ch(_ESC.get(e, e), j, j + 2))
                        j += 2
                        continue
                    if d == "$" and j + 1 < n and (s[j + 1] in "({" or _VAR.match(s, j)):
                        j = self.expand_var(j, tok.chars)
                        continue
                    tok.chars.append(_Ch(d, j, j + 1))
                    j += 1
                if quotes == 1 and i == tok.lo:
                    tok.inner = (i + 1, j)
                i = min(j + 1, n)
                continue
            if c == "$" and i + 1 < n:
                m = _VAR.match(s, i)
                if m is not None and i == tok.lo and (m.end() >= n or s[m.end()] in _END):
                    tok.array_var = (m.group(2) or m.group(3) or "").lower() if not m.group(1) else None
                i = self.expand_var(i, tok.chars)
                continue
            tok.chars.append(_Ch(c, i, i + 1))
            i += 1
        tok.hi = i
        if quotes != 1 or tok.inner is None or tok.inner[1] + 1 != tok.hi:
            tok.inner = None
        return tok


def _match(s: str, i: int, openc: str, close: str) -> int:
    depth = 0
    n = len(s)
    j = i
    while j < n:
        c = s[j]
        if c == openc:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return j + 1
        elif c in "'\"":
            k = s.find(c, j + 1)
            j = n - 1 if k == -1 else k
        j += 1
    return n


def _statements(lx: _Lexer) -> list[list[_Tok]]:
    """Tokens per statement (operators end statements; ``{``/``}`` are statements of their own)."""
    s = lx.s
    n = len(s)
    out: list[list[_Tok]] = []
    cur: list[_Tok] = []
    i = 0
    while i < n:
        i = _skip_ws(s, i, n)
        if i >= n:
            break
        c = s[i]
        if c == "#":
            j = s.find("\n", i)
            i = n if j == -1 else j
            continue
        if s.startswith("<#", i):
            j = s.find("#>", i + 2)
            i = n if j == -1 else j + 2
            continue
        if c in "\r\n;":
            if cur and cur[-1].op == "|":
                i += 1
                continue  # a trailing pipe continues the statement on the next line
            if cur:
                out.append(cur)
            cur = []
            i += 1
            continue
        if c in "{}()":
            if cur:
                out.append(cur)
            out.append([_Tok(i, i + 1, op=c)])
            cur = []
            i += 1
            continue
        if c in "|&":
            op = s[i:i + 2] if s[i:i + 2] in ("&&", "||") else c
            if op == "&" and not cur:  # the call operator
                i += 1
                continue
            if cur:
                out.append(cur)
            cur = [_Tok(i, i + len(op), op="|")] if op == "|" else []
            i += len(op)
            continue
        if s.startswith("--%", i) and (i + 3 >= n or s[i + 3] in " \t\r\n"):
            j = s.find("\n", i)
            j = n if j == -1 else j
            rest = s[i + 3:j].rstrip("\r")
            k = i + 3
            for m in re.finditer(r"\S+", rest):
                t = _Tok(k + m.start(), k + m.end())
                t.chars = [_Ch(ch, k + m.start() + x, k + m.start() + x + 1) for x, ch in enumerate(m.group(0))]
                cur.append(t)
            i = j
            continue
        if c == "@" and i + 1 < n and _NAME.match(s, i + 1):
            m = _NAME.match(s, i + 1)
            t = _Tok(i, m.end(), splat=m.group(0).lower())
            cur.append(t)
            i = m.end()
            continue
        if c == "@" and s.startswith("@(", i):
            j = _match(s, i + 1, "(", ")")
            t = _Tok(i, j, op="@(")
            cur.append(t)
            i = j
            continue
        if cur and cur[0].op == "|":
            cur = []
        cur.append(lx.word(i, n))
        if cur[-1].hi == i:  # defensive: never loop without progress
            cur[-1].hi = i + 1
            cur[-1].chars = [_Ch(c, i, i + 1)]
            i += 1
        else:
            i = cur[-1].hi
    if cur:
        out.append(cur)
    return out


def _word(tok: _Tok, chars: list[_Ch] | None = None) -> Word:
    chars = tok.chars if chars is None else chars
    start, end = tok.inner if tok.inner is not None else (tok.lo, tok.hi)
    if any(c.expanded for c in chars) and tok.inner is None:
        start, end = tok.lo, tok.hi
    return Word(text="".join(c.ch for c in chars), start=start, end=max(start, end), quoted=tok.quoted,
                symbolic=any(c.symbolic for c in chars), expanded=any(c.expanded for c in chars),
                starts=[c.start for c in chars], ends=[c.end for c in chars], raw_end=tok.hi)


def _array_items(lx: _Lexer, lo: int, hi: int) -> list[Word]:
    """Items of ``@( ... )`` or of a comma list, as words with spans."""
    s = lx.s
    items: list[Word] = []
    i = lo
    while i < hi:
        i = _skip_ws(s, i, hi)
        if i >= hi:
            break
        if s[i] in ",\r\n":
            i += 1
            continue
        if s[i] == "#":
            j = s.find("\n", i, hi)
            i = hi if j == -1 else j
            continue
        tok = lx.word(i, hi, _END + ",")
        if tok.hi == i:
            i += 1
            continue
        items.append(_word(tok))
        i = tok.hi
    return items


def _assignment(lx: _Lexer, stmt: list[_Tok]) -> tuple[str, bool, Val, "bool | Word"] | None:
    """``$x = value`` / ``$env:X = value`` / ``$x += value``: (name, is_env, value, appends);
    ``appends`` is the word itself when ``+=`` adds one word."""
    s = lx.s
    first = stmt[0]
    head = s[first.lo:first.hi]
    m = re.fullmatch(r"\$(?:(env):)?([A-Za-z_][A-Za-z0-9_]*)\s*(\+?=)?", head, re.I)
    rest = stmt[1:]
    if m is None:
        # `$Model="Qwen/..."`: no blank around `=`, so the lexer read one word; its value starts
        # after the `=`
        m = re.match(r"\$(?:(env):)?([A-Za-z_][A-Za-z0-9_]*)(\+?=)(?=.)", head, re.I | re.S)
        if m is None:
            return None
        rest = [lx.word(first.lo + m.end(), first.hi), *rest]
    op = m.group(3)
    if op is None:
        if not rest or s[rest[0].lo:rest[0].hi] not in ("=", "+="):
            return None
        op = s[rest[0].lo:rest[0].hi]
        rest = rest[1:]
    is_env = bool(m.group(1))
    name = m.group(2)
    appends = op == "+="
    val = _value(lx, rest)
    # one item added to an array: the word, spanning inside its quotes
    single = _word(rest[0]) if appends and val.items is None and len(rest) == 1 and rest[0].op == "" else None
    return name, is_env, val, single if single is not None else appends


def _value(lx: _Lexer, rest: list[_Tok]) -> Val:
    """The value an assignment's right-hand side gives (an array for ``@(...)`` or a comma list)."""
    s = lx.s
    if not rest:
        return Val("")
    lo, hi = rest[0].lo, rest[-1].hi
    text = s[lo:hi]
    if rest[0].op == "@(" or "," in text:
        a, b = (rest[0].lo + 2, rest[0].hi - 1) if rest[0].op == "@(" else (lo, hi)
        items = _array_items(lx, a, b)
        return Val(" ".join(w.text for w in items), any(w.symbolic for w in items), items=items)
    if len(rest) == 1 and rest[0].op == "":
        w = _word(rest[0])
        if not rest[0].quoted and not re.fullmatch(r"[\w.:/\\-]+", w.text) and "$" not in s[lo:hi]:
            return Val(text, True)  # an expression or a cmdlet's output
        return Val(w.text, w.symbolic, start=lo, end=hi)
    return Val(text, True)


def _assign(val: Val, old: Val | None, appends: "bool | Word", guard: str | None, in_block: bool) -> Val:
    """A variable's value after an assignment. ``$a += ...`` on an array adds its items, each
    under the guard of the block it sits in (``if ($env:QUANT) { $a += "--quantization", ... }``:
    checked, but passed only then); any other assignment in a block may not run, so its value
    is unknown."""
    if appends is not False and old is not None and old.items is not None:
        added = list(val.items) if val.items is not None else \
            [appends] if isinstance(appends, Word) else [Word(val.text, val.start or 0, val.end or 0, val.symbolic)]
        if guard is not None:
            for w in added:
                w.condition = w.condition or guard
        items = old.items + added
        return Val(" ".join(w.text for w in items), any(w.symbolic and not w.condition for w in items), items=items)
    if in_block:
        return Val(val.text, True)
    if appends is not False and old is not None:
        return Val(old.text + val.text, old.symbolic or val.symbolic)
    return val


def _guard(head: str, chain: list[str]) -> str | None:
    """The condition a ``{`` block runs under, from the words before it on its line (``if
    ($x)``, ``elseif (...)``, ``else``, ``foreach (...)``); None when it always runs (``try``,
    ``finally``, ``do``) or is not known. ``chain`` holds the conditions of the ``if`` before an
    ``elseif``/``else``."""
    head = " ".join(head.split())
    m = re.match(r"(?i)(if|elseif|else|foreach|for|while|switch|catch|try|finally|do)\b\s*(.*)$", head)
    if m is None:
        return None
    kw, rest = m.group(1).lower(), m.group(2).strip()
    cond = rest[1:-1].strip() if rest.startswith("(") and rest.endswith(")") else rest
    if kw in ("if", "elseif"):
        before = "".join(f"`{c}` is false and " for c in chain) if kw == "elseif" else ""
        return f"when {before}`{cond}` is true"
    if kw == "else":
        return "when " + " and ".join(f"`{c}` is false" for c in chain) if chain else None
    if kw in ("foreach", "for", "while"):
        return f"in the loop `{kw} {rest}`"
    if kw == "catch":
        return "when the `catch` runs"
    if kw == "switch":
        return f"in a branch of `switch {rest}`"
    return None


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    opts = opts or ExtractOptions()
    penv: dict[str, Val] = {k.upper(): Val(v) for k, v in opts.env.items()}
    return ExtractResult(launches=_launches(src, src.text, None, penv, "", "powershell"))


def mapped_launches(src: SourceFile, script: MappedText, env: dict[str, object], prefix: str,
                    source: str) -> list[Launch]:
    """Launches of a PowerShell script held in another file (a workflow step's ``run:``)."""
    penv = {k.upper(): (Val(f"$env:{k}", True) if v is None else Val(str(v))) for k, v in env.items()}
    return _launches(src, script.text, script, penv, prefix, source)


def _launches(src: SourceFile, text: str, mapped: MappedText | None, penv: dict[str, Val], prefix: str,
              source: str) -> list[Launch]:
    from vllm_lint.sources.shell.scripts import command_launch

    env: dict[str, Val] = {}
    lx = _Lexer(text, env, penv)
    out: list[Launch] = []
    guards: list[str | None] = []  # one per open { } block
    chain: list[str] = []  # conditions of the if/elseif chain just closed
    for stmt in _statements(lx):
        if stmt[0].op == "{":
            head = _head(text, stmt[0].lo)
            word = head.split(None, 1)[0].lower() if head.split() else ""
            if word not in ("elseif", "else"):
                chain = []
            guards.append(_guard(head, chain))
            m = re.match(r"(?i)(?:else)?if\s*\((.*)\)\s*$", " ".join(head.split()))
            if m:
                chain.append(m.group(1).strip())
            continue
        if stmt[0].op == "}":
            if guards:
                guards.pop()
            continue
        if stmt[0].op:
            continue
        got = _assignment(lx, stmt)
        if got is not None:
            name, is_env, val, appends = got
            scope, key = (penv, name.upper()) if is_env else (env, name.lower())
            known = [g for g in guards if g is not None]
            scope[key] = _assign(val, scope.get(key), appends, " and ".join(known) if known else None,
                                 in_block=bool(guards))
            continue
        words: list[Word] = []
        for tok in stmt:
            if not tok.op and tok.splat is None:
                tok = lx.word(tok.lo, tok.hi)  # expanded with the variables set so far
            if tok.splat is not None or tok.array_var is not None:
                val = env.get(tok.splat or tok.array_var or "")
                if val is not None and val.items is not None:
                    # each element keeps the span where the array wrote it, as bash's "${A[@]}" does
                    words.extend(Word(text=w.text, start=w.start, end=w.end, symbolic=w.symbolic, quoted=w.quoted,
                                      expanded=True, starts=w.starts, ends=w.ends, raw_end=tok.hi,
                                      condition=w.condition)
                                 for w in val.items)
                    continue
                if tok.splat is not None:
                    words.append(Word(text=text[tok.lo:tok.hi], start=tok.lo, end=tok.hi, symbolic=True,
                                      starts=list(range(tok.lo, tok.hi)), ends=list(range(tok.lo + 1, tok.hi + 1)),
                                      raw_end=tok.hi))
                    continue
            if tok.op:
                continue
            words.append(_word(tok))
        if not words or words[0].text.lower() in _BLOCK_OPEN:
            continue
        program = re.split(r"[\\/]", words[0].text)[-1]
        if program.lower().endswith(".exe"):
            words[0].text = program[:-4].lower()  # & "C:\Program Files\Docker\docker.exe" run ...
        if mapped is not None:
            words = [_remap(w, mapped) for w in words]
        cmd = Command(words=words, env=dict(penv), start=words[0].start, end=words[-1].end)
        launch = command_launch(src, cmd, Script([cmd], dict(penv), []), depth=0)
        if launch is None:
            continue
        launch.source = source
        launch.name = prefix + launch.name
        if mapped is None:
            _env_spans(launch, penv, src)
        out.append(launch)
    return out


def _head(text: str, brace: int) -> str:
    """The words before a ``{`` on its line, after a ``}`` that closes the block before it
    (``} elseif ($x) {`` -> ``elseif ($x)``)."""
    start = text.rfind("\n", 0, brace) + 1
    head = text[start:brace]
    if not head.strip() and start > 0:  # Allman style: `if ($x)` on the line above
        prev = text.rfind("\n", 0, start - 1) + 1
        head = text[prev:start - 1].split("#", 1)[0]
    close = head.rfind("}")
    return (head[close + 1:] if close != -1 else head).strip()


def _remap(w: Word, m: MappedText) -> Word:
    """A word lexed from ``m.text`` with its positions turned into file offsets."""
    n = len(m)

    def start(i: int) -> int:
        return m.starts[i] if i < n else (m.ends[-1] if n else 0)

    def end(i: int) -> int:  # exclusive index -> file offset after that character
        return m.ends[i - 1] if 0 < i <= n else start(i)

    return Word(text=w.text, start=start(w.start), end=max(start(w.start), end(w.end)), symbolic=w.symbolic,
                quoted=w.quoted, expanded=w.expanded, starts=[start(i) for i in (w.starts or [])],
                ends=[end(i) for i in (w.ends or [])], raw_end=end(w.raw_end) if w.raw_end is not None else None,
                condition=w.condition)


def _env_spans(launch: Launch, penv: dict[str, Val], src: SourceFile) -> None:
    for name, val in penv.items():
        if name in launch.env and val.start is not None and val.end is not None and launch.image is None:
            launch.env[name] = EnvValue(launch.env[name].value, src.span(val.start, val.end), launch.env[name].symbolic)
