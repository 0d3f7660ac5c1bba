"""VL510 comment-in-continuation: a comment line inside a backslash-continued shell command.

bash removes a backslash-newline and reads on; a line that then starts with ``#`` is a comment to
the end of its line, and that newline ends the command (the backslash of a comment line is part
of the comment). Every line after it runs as a command of its own: ``--max-model-len: command
not found``, while vLLM starts without those flags. shellcheck reports the orphaned line as
SC2215; here the comment that cut the command is reported, on the vLLM launch it cut.

Docker's parser removes comment lines before it joins a Dockerfile's continuation lines, so a
comment inside a ``RUN``/``CMD`` continuation is harmless there and not reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from vllm_lint.diagnostic import Diagnostic, Edit, Fix
from vllm_lint.rules.registry import register

if TYPE_CHECKING:
    from vllm_lint.resolve.context import LaunchContext


def _lines_after(text: str, offset: int) -> tuple[str, list[tuple[int, int]], int]:
    """(rest of the line at ``offset``, (start, end) of each comment-only line right below it,
    start of the first line after those)."""
    eol = text.find("\n", offset)
    eol = len(text) if eol < 0 else eol
    rest = text[offset:eol]
    comments: list[tuple[int, int]] = []
    at = eol + 1
    while at < len(text):
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        if not text[at:end].lstrip().startswith("#"):
            break
        comments.append((at, end))
        at = end + 1
    return rest, comments, at


@register("VL510")
def comment_in_continuation(ctx: "LaunchContext") -> Iterator[Diagnostic]:
    launch = ctx.launch
    if launch.source == "dockerfile" or not (launch.source == "shell" or launch.facts.shell is not None):
        return
    here = [t for t in (*launch.program, *launch.args) if t.span is not None and t.span.path == ctx.src.display]
    if not here:
        return
    text = ctx.src.text
    last = max(here, key=lambda t: t.span.end)
    rest, comments, after = _lines_after(text, last.span.end)
    if not comments or not rest.rstrip().endswith("\\") or " #" in rest:
        return
    eol = text.find("\n", after)
    orphan = text[after:len(text) if eol < 0 else eol].rstrip("\r")
    if not (orphan.lstrip().startswith("-") or orphan.rstrip().endswith("\\")):
        return  # the command was meant to end there (nothing continues it)
    first, last_comment = comments[0], comments[-1]
    start = first[0] + (len(text[first[0]:first[1]]) - len(text[first[0]:first[1]].lstrip()))
    span = ctx.src.index.span(start, last_comment[1] - (1 if text[last_comment[1] - 1:last_comment[1]] == "\r" else 0))
    word = " ".join(orphan.rstrip().rstrip("\\").split()[:2])
    yield ctx.report(
        "VL510",
        f"this comment ends the vLLM command of line {min(t.span.line for t in here)}: in a backslash-continued "
        f"command bash reads a comment line to its end and ends the command there, so `{word} …` below runs as a "
        f"command of its own and never reaches vLLM",
        span=span,
        fix=_move_above(ctx, here, comments),
        notes=["move the comment above the command (a `# vllm-lint:` directive there covers every line of the "
               "continued command), or after its last line"],
    )


def _move_above(ctx: "LaunchContext", here: list, comments: list[tuple[int, int]]) -> Fix | None:
    """Delete the comment lines and write them above the command's first line, at its indentation.
    Unsafe: the lines after the comment then belong to the command again, which changes what runs."""
    text = ctx.src.text
    first_tok = min(here, key=lambda t: t.span.start)
    line_start = text.rfind("\n", 0, first_tok.span.start) + 1
    lead = text[line_start:first_tok.span.start]
    if any(c in lead for c in "\"'`:[{(|;&") or (lead.strip() and "=" not in lead and lead.strip() not in ("exec", "nohup")):
        return None  # the command shares its line with other syntax: no safe place to write a comment line
    indent = lead[: len(lead) - len(lead.lstrip())]
    nl = "\r\n" if text[comments[-1][1] - 1:comments[-1][1]] == "\r" else "\n"
    moved = "".join(indent + text[a:b].rstrip("\r").lstrip() + nl for a, b in comments)
    index = ctx.src.index
    delete = Edit(index.span(comments[0][0], min(comments[-1][1] + 1, len(text))), "")
    insert = Edit(index.span(line_start, line_start), moved)
    return Fix("move the comment above the command", (insert, delete), safe=False)
