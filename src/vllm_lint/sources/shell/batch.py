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

Assignments inside ``( ... )`` blocks (``if``, ``for``) may not run: their variables are unknown.
"""

from __future__ import annotations

import re

from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile
from vllm_lint.sources.mapped import MappedText
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


def _expand(line: MappedText, env: dict[str, Val]) -> tuple[MappedText, list[bool]]:
    """``%NAME%`` expansion; unknown values keep their text and are marked symbolic."""
    out = MappedText()
    sym: list[bool] = []
    chars = line.chars
    n = len(chars)
    i = 0
    while i < n:
        c = chars[i]
        if c == "%":
            if i + 1 < n and chars[i + 1] == "%":
                out.add("%", line.starts[i], line.ends[i + 1])
                sym.append(False)
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
                else:
                    out.add(val.text, s, e)
                    sym.extend([False] * len(val.text))
                i = close + 1
                continue
        if c == "!":
            close = "".join(chars).find("!", i + 1)
            name = "".join(chars[i + 1:close]) if close != -1 else ""
            if close != -1 and re.fullmatch(r"[A-Za-z_][\w.\-]*", name):
                out.add("!" + name + "!", line.starts[i], line.ends[close])
                sym.extend([True] * (len(name) + 2))
                i = close + 1
                continue
        out.add(c, line.starts[i], line.ends[i])
        sym.append(False)
        i += 1
    return out, sym


def _commands(line: MappedText, sym: list[bool]) -> list[list[Word]]:
    """Commands of one expanded line, split at ``&``/``|`` outside quotes, as argv words."""
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
            i += 1
        start, end = line.starts[lo], line.ends[i - 1] if i > lo else line.starts[lo]
        if quoted and chars[lo] == '"' and chars[i - 1] == '"' and '"' not in chars[lo + 1:i - 1] and i - lo >= 2:
            start, end = line.ends[lo], line.starts[i - 1]
        commands[-1].append(Word(text="".join(text), start=start, end=max(start, end), symbolic=symbolic, quoted=quoted,
                                 expanded=any(e - s > 1 for s, e in zip(starts, ends)), starts=starts, ends=ends,
                                 raw_end=line.ends[i - 1] if i > lo else start))
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


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    from vllm_lint.sources.shell.scripts import command_launch

    opts = opts or ExtractOptions()
    env: dict[str, Val] = {k.upper(): Val(v) for k, v in opts.env.items()}
    result = ExtractResult()
    depth = 0
    for line in _logical_lines(src.text):
        stripped = line.text.strip().lstrip("@")
        low = stripped.lower()
        if not stripped or low.startswith(("rem ", "::")) or low == "rem":
            continue
        opened = line.text.count("(") - line.text.count(")")
        m = _SET.match(stripped)
        if m is not None:
            lead = len(line.text) - len(line.text.lstrip()) + (len(line.text.strip()) - len(stripped))
            value_at = lead + m.end()
            expanded, _ = _expand(line.slice(value_at, len(line)), env)
            value = expanded.text.rstrip("\r")
            if m.group(1):
                value = value.rsplit('"', 1)[0] if '"' in value else value
            symbolic = depth > 0 or "%" in value or "!" in value
            env[m.group(2).upper()] = Val(value, symbolic, start=line.starts[value_at] if value_at < len(line) else None,
                                          end=line.ends[-1] if len(line) else None)
            depth = max(0, depth + opened)
            continue
        expanded, sym = _expand(line, env)
        for words in _commands(expanded, sym):
            words = _strip(words)
            if not words:
                continue
            cmd = Command(words=words, env=dict(env), start=words[0].start, end=words[-1].end)
            launch = command_launch(src, cmd, Script([cmd], dict(env), []), depth=0)
            if launch is not None:
                launch.source = "batch"
                result.launches.append(launch)
        depth = max(0, depth + opened)
    return result
