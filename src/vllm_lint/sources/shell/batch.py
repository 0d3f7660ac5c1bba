"""Windows batch files (``*.bat``, ``*.cmd``) -> vLLM launches (``docker run ... vllm/vllm-openai``).

Modelled on cmd.exe's parser (``cmd /?``, ``set /?``) and the Windows argument rules
(CommandLineToArgvW) that ``docker.exe`` and Python use:

* a ``^`` at the end of a line joins the next line; ``^x`` is a literal ``x`` outside quotes;
* ``REM`` and ``::`` lines are comments, a leading ``@`` only hides the echo;
* ``%NAME%`` expands when the line is read, ``%%`` is ``%``; ``set NAME=value`` (the rest of the
  line) and ``set "NAME=value"`` assign; ``%1``, ``%*``, ``%~dp0`` and ``!NAME!`` (delayed
  expansion) are known only at run time;
* ``&``, ``&&``, ``||`` and ``|`` outside quotes separate commands; ``call`` and ``start ["title"]``
  run their command;
* a program splits its command line at blanks outside double quotes and removes the quotes.

``if``/``for`` prefixes and ``( ... )`` blocks are conditions (see ``extract``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile
from vllm_lint.sources.mapped_text import MappedText
from vllm_lint.sources.shell.syntax import Command, Script, Val, Word

_SET = re.compile(r'^set\s+(?:/[a-z]\s+)?("?)([A-Za-z_][\w.\-]*)=', re.I)


def _logical_lines(text: str) -> list[MappedText]:
    """Lines with ``^``-newline continuations joined (file offsets kept)."""
    out: list[MappedText] = []
    cur = MappedText()
    n = len(text)
    i = 0
    while i <= n:
        j = text.find("\n", i)
        end = n if j == -1 else j
        body = end - 1 if end > i and text[end - 1] == "\r" else end
        if body > i and text[body - 1] == "^" and (body - 1 == i or text[body - 2] != "^") and j != -1:
            cur.copy(text, i, body - 1)
            i = end + 1
            continue
        cur.copy(text, i, body)
        out.append(cur)
        cur = MappedText()
        if j == -1:
            break
        i = end + 1
    return out


def _expand(line: MappedText, env: dict[str, Val], conds: list[str | None] | None = None,
            unknown: dict[str, list[tuple[int, int]]] | None = None) -> tuple[MappedText, list[bool]]:
    """``%NAME%`` expansion; unknown values keep their text and are marked symbolic. ``conds``,
    when given, receives per character the condition under which a value's part was added
    (``Val.conds``), else None; ``unknown`` holds the parts of known values that are not known
    (``%QUANT%`` added under ``if defined QUANT``)."""
    out = MappedText()
    sym: list[bool] = []
    conds = conds if conds is not None else []
    chars = line.chars
    n = len(chars)
    i = 0
    while i < n:
        c = chars[i]
        if c == "%":
            if i + 1 < n and chars[i + 1] == "%":
                out.add("%", line.starts[i], line.ends[i + 1])
                sym.append(False)
                conds.append(None)
                i += 2
                continue
            if i + 1 < n and (chars[i + 1].isdigit() or chars[i + 1] in "*~"):
                k = i + 2
                if chars[i + 1] == "~":
                    while k < n and chars[k].isalpha():
                        k += 1
                    k += 1
                out.add("".join(chars[i:k]), line.starts[i], line.ends[min(k, n) - 1])
                sym.extend([True] * len("".join(chars[i:k])))
                conds.extend([None] * len("".join(chars[i:k])))
                i = k
                continue
            close = "".join(chars).find("%", i + 1)
            name = "".join(chars[i + 1:close]) if close != -1 else ""
            if close != -1 and re.fullmatch(r"[A-Za-z_][\w.\-]*", name):
                val = env.get(name.upper())
                s, e = line.starts[i], line.ends[close]
                if val is None or val.symbolic:
                    out.add("%" + name + "%", s, e)
                    sym.extend([True] * (len(name) + 2))
                    conds.extend([None] * (len(name) + 2))
                else:
                    out.add(val.text, s, e)
                    parts = (unknown or {}).get(name.upper(), ())
                    sym.extend(any(a <= j < b for a, b in parts) for j in range(len(val.text)))
                    conds.extend(next((w for a, b, w in val.conds or () if a <= j < b), None)
                                 for j in range(len(val.text)))
                i = close + 1
                continue
        if c == "!":
            close = "".join(chars).find("!", i + 1)
            name = "".join(chars[i + 1:close]) if close != -1 else ""
            if close != -1 and re.fullmatch(r"[A-Za-z_][\w.\-]*", name):
                out.add("!" + name + "!", line.starts[i], line.ends[close])
                sym.extend([True] * (len(name) + 2))
                conds.extend([None] * (len(name) + 2))
                i = close + 1
                continue
        out.add(c, line.starts[i], line.ends[i])
        sym.append(False)
        conds.append(None)
        i += 1
    return out, sym


def _commands(line: MappedText, sym: list[bool], conds: list[str | None] | None = None) -> list[list[Word]]:
    """Commands of one expanded line, split at ``&``/``|`` outside quotes, as argv words (a word
    made of characters added under a condition carries it)."""
    conds = conds or [None] * len(line)
    chars = line.chars
    n = len(chars)
    commands: list[list[Word]] = [[]]
    i = 0
    while i < n:
        c = chars[i]
        if c in " \t\r":
            i += 1
            continue
        if c in "&|":
            commands.append([])
            i += 2 if i + 1 < n and chars[i + 1] == c else 1
            continue
        if c in "()":
            commands.append([])
            i += 1
            continue
        lo = i
        text: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        symbolic = False
        quoted = False
        in_q = False
        cond: str | None = None
        while i < n:
            c = chars[i]
            if not in_q and (c in " \t\r&|" or (c in "()" and not text)):
                break
            if c == "^" and not in_q and i + 1 < n:
                text.append(chars[i + 1])
                starts.append(line.starts[i])
                ends.append(line.ends[i + 1])
                i += 2
                continue
            if c == '"':
                in_q = not in_q
                quoted = True
                i += 1
                continue
            text.append(c)
            starts.append(line.starts[i])
            ends.append(line.ends[i])
            symbolic = symbolic or sym[i]
            cond = cond or conds[i]
            i += 1
        start, end = line.starts[lo], line.ends[i - 1] if i > lo else line.starts[lo]
        if quoted and chars[lo] == '"' and chars[i - 1] == '"' and '"' not in chars[lo + 1:i - 1] and i - lo >= 2:
            start, end = line.ends[lo], line.starts[i - 1]
        commands[-1].append(Word(text="".join(text), start=start, end=max(start, end), symbolic=symbolic, quoted=quoted,
                                 expanded=any(e - s > 1 for s, e in zip(starts, ends)), starts=starts, ends=ends,
                                 raw_end=line.ends[i - 1] if i > lo else start, condition=cond))
    return [c for c in commands if c]


def _strip(words: list[Word]) -> list[Word]:
    """Drop ``@``, ``call`` and ``start ["title"] [/b ...]`` before the program."""
    while words:
        head = words[0].text.lower().lstrip("@")
        if head == "call":
            words = words[1:]
        elif head == "start":
            words = words[1:]
            if words and words[0].quoted and " " not in words[0].text or (words and words[0].text == ""):
                words = words[1:]  # the window title
            while words and words[0].text.startswith("/"):
                words = words[1:]
        else:
            break
    if words:
        program = re.split(r"[\\/]", words[0].text.lstrip("@"))[-1]
        words[0].text = program[:-4].lower() if program.lower().endswith(".exe") else program
    return words


_IF = re.compile(r'(?i)^if\s+(?:/i\s+)?((?:not\s+)?(?:defined\s+\S+|exist\s+(?:"[^"]*"|\S+)|errorlevel\s+\d+|'
                 r'(?:"[^"]*"|\S+)\s*==\s*(?:"[^"]*"|\S+)|(?:"[^"]*"|\S+)\s+(?:equ|neq|lss|leq|gtr|geq)\s+'
                 r'(?:"[^"]*"|\S+)))\s*(.*)$')
_FOR = re.compile(r"(?i)^(for\s+.*?\s+do)\s+(.*)$")
_ELSE = re.compile(r"(?i)^else\b\s*(.*)$")


@dataclass
class _Block:
    guard: str | None
    negated: str | None = None  # what an `else (` after this block runs under


def _peel(text: str) -> tuple[int, int, list[str], bool]:
    """Leading ``)``, ``else``, ``if COND``, ``for ... do`` and ``(`` of a line: (offset of the
    statement left, blocks closed first, the conditions in order, whether a block opens)."""
    i = 0
    conds: list[str] = []
    closes = 0
    while True:
        rest = text[i:]
        body = rest.lstrip().lstrip("@")
        i += len(rest) - len(body)
        if body.startswith(")") and not conds:
            closes += 1
            i += 1
            continue
        m = _ELSE.match(body) if closes else None
        if m:
            i += m.start(1)
            conds.append("else")
            continue
        m = _IF.match(body)
        if m:
            conds.append(" ".join(m.group(1).split()))
            i += m.start(2)
            continue
        m = _FOR.match(body)
        if m:
            conds.append("loop:" + " ".join(m.group(1).split()))
            i += m.start(2)
            continue
        if body.startswith("("):
            return i + 1, closes, conds, True
        return i, closes, conds, False


def _words(cond: str, prev: str | None) -> tuple[str | None, str | None]:
    """(guard, the guard of an ``else`` after it) for one ``if``/``for``/``else`` prefix; ``prev``
    is the guard an ``else`` takes (the negation of the ``if`` it follows)."""
    if cond == "else":
        return prev, None
    if cond.startswith("loop:"):
        return f"in the loop `{cond[5:]}`", None
    return f"when `if {cond}` holds", f"when `if {cond}` does not hold"


def _trailing_closes(text: str) -> int:
    """``)`` at the end of a statement that close blocks (``if x ( set A=1 )``), not its own."""
    body = text.rstrip()
    n = 0
    while body.endswith(")") and body.count(")") > body.count("("):
        body = body[:-1].rstrip()
        n += 1
    return n


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    """The launches of a batch file. Blocks (``if ... ( ... ) else ( ... )``, ``for ... do``)
    and one-line ``if`` prefixes are read as conditions: a variable they extend
    (``if defined QUANT set ARGS=%ARGS% --quantization %QUANT%``) keeps the words it adds, each
    under that condition, so their names are checked as a shell guard's are; a default set
    only when the variable is undefined (``if not defined LEN set LEN=8192``) is its value; any
    other variable set under a condition is unknown."""
    from vllm_lint.sources.shell.scripts import command_launch

    opts = opts or ExtractOptions()
    env: dict[str, Val] = {k.upper(): Val(v) for k, v in opts.env.items()}
    result = ExtractResult()
    blocks: list[_Block] = []
    last_else: str | None = None  # the guard an `else` after the block closed last takes
    unknown: dict[str, list[tuple[int, int]]] = {}  # variable -> ranges of its value not known
    for line in _logical_lines(src.text):
        stripped = line.text.strip().lstrip("@")
        low = stripped.lower()
        if not stripped or low.startswith(("rem ", "::")) or low == "rem":
            continue
        at, closes, conds, opens = _peel(line.text)
        for _ in range(closes):
            if blocks:
                last_else = blocks.pop().negated
        guards = [b.guard for b in blocks]
        negated = None
        mine: list[str | None] = []
        for cond in conds:
            g, negated = _words(cond, last_else)
            mine.append(g)
        if opens:
            known = [g for g in mine if g]
            blocks.append(_Block(" and ".join(known) if known else None, negated))
            mine = []
        stmt = line.slice(at, len(line))
        after = _trailing_closes(stmt.text)
        if after:
            cut = stmt.text.rstrip()
            for _ in range(after):
                cut = cut[:cut.rfind(")")].rstrip()
            stmt = stmt.slice(0, len(cut))
        known = [g for g in [b.guard for b in blocks] + mine if g]
        guard = " and ".join(dict.fromkeys(known)) if known else None
        conditional = bool(blocks) or bool(conds)
        _statement(src, stmt, env, unknown, guard, conditional, conds, result, command_launch)
        for _ in range(after):
            if blocks:
                last_else = blocks.pop().negated
    return result


def _statement(src: SourceFile, stmt: MappedText, env: dict[str, Val], unknown: dict[str, list[tuple[int, int]]],
               guard: str | None, conditional: bool, conds: list[str], result: ExtractResult, command_launch) -> None:
    """One ``set`` or command (its ``if``/``for`` prefixes already read)."""
    body = stmt.text.strip()
    if not body:
        return
    m = _SET.match(body)
    if m is not None:
        lead = len(stmt.text) - len(stmt.text.lstrip())
        value_at = lead + m.end()
        expanded, sym = _expand(stmt.slice(value_at, len(stmt)), env, unknown=unknown)
        value = expanded.text.rstrip("\r")
        if m.group(1):
            value = value.rsplit('"', 1)[0] if '"' in value else value
        name = m.group(2).upper()
        old = env.get(name)
        new = Val(value, any(sym[:len(value)]),
                  start=stmt.starts[value_at] if value_at < len(stmt) else None,
                  end=stmt.ends[-1] if len(stmt) else None)
        got = _conditional_set(old, new, name, stmt.text[value_at:], guard, conditional, conds[-1] if conds else None)
        if got.conds and not got.symbolic and new.symbolic:
            # `if defined QUANT set ARGS=%ARGS% --quantization %QUANT%`: only %QUANT% is unknown
            parts = [(j, j + 1) for j in range(len(value)) if sym[j]]
            unknown[name] = parts
        else:
            unknown.pop(name, None) if got is not old else None
        env[name] = got
        return
    cond_chars: list[str | None] = []
    expanded, sym = _expand(stmt, env, cond_chars, unknown)
    for words in _commands(expanded, sym, cond_chars):
        words = _strip(words)
        if not words:
            continue
        cmd = Command(words=words, env=dict(env), start=words[0].start, end=words[-1].end)
        launch = command_launch(src, cmd, Script([cmd], dict(env), []), depth=0)
        if launch is not None:
            launch.source = "batch"
            result.launches.append(launch)


def _conditional_set(old: Val | None, new: Val, name: str, raw: str, guard: str | None, conditional: bool,
                     cond: str | None) -> Val:
    """A variable's value after ``set`` under a condition (see ``extract``)."""
    if not conditional:
        return new
    if old is not None and not old.symbolic and raw.upper().startswith(f"%{name}%") \
            and new.text.startswith(old.text) and guard is not None:
        return Val(new.text, False, start=new.start, end=new.end,
                   conds=list(old.conds or []) + [(len(old.text), len(new.text), guard)])
    if old is None and cond and re.fullmatch(rf"(?i)not\s+defined\s+{re.escape(name)}", cond):
        return new  # a default: the variable was not set before
    if old is not None and not old.symbolic and old.text == new.text:
        return old
    return Val(new.text, True)
