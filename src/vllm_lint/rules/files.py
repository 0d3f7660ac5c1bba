"""File-level hygiene: problems in a file itself, whether or not it holds a vLLM launch."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from vllm_lint.diagnostic import Diagnostic, Edit, Fix
from vllm_lint.rule_meta import make_diagnostic
from vllm_lint.rules.registry import register

if TYPE_CHECKING:
    from vllm_lint.sources.base import SourceFile

_SHEBANG = re.compile(r"#![ \t]*/\S+")


@register("VL507", scope="file")
def misplaced_shebang(src: SourceFile) -> Iterator[Diagnostic]:
    """The kernel reads ``#!`` only from the first two bytes of the file (execve(2)); a script
    run directly (Dockerfile ``CMD ["/entrypoint.sh"]``) with its shebang further down fails
    with "exec format error"."""
    if src.kind != "shell":
        return
    text = src.text
    if text.startswith("#!"):
        return
    idx = src.index
    for line in range(2, min(idx.line_count, 20) + 1):
        body = idx.line_text(line)
        if _SHEBANG.match(body):
            start = idx.line_start(line)
            end = start + len(body)
            nl = text[end : end + 2]
            end += 2 if nl == "\r\n" else (1 if nl[:1] == "\n" else 0)
            eol = "\r\n" if nl == "\r\n" else "\n"
            move = Fix(
                f"move `{body.strip()}` to line 1",
                (Edit(idx.span(0, 0), body.rstrip() + eol), Edit(idx.span(start, end), "")),
                safe=True,
            )
            yield make_diagnostic(
                "VL507",
                src.display,
                idx.span(start, start + len(body)),
                f"the shebang `{body.strip()}` is on line {line}, but the kernel only reads it from line 1: "
                f"executing this script directly (an exec-form ENTRYPOINT or command naming it) fails with "
                f"\"exec format error\"; a shell that runs it reads it anyway",
                fix=move,
            )
            return


@register("VL508", scope="file")
def dotenv_duplicate_key(src: SourceFile) -> Iterator[Diagnostic]:
    """docker compose and ``docker run --env-file`` keep the last of two assignments to one key."""
    if src.kind != "env":
        return
    from vllm_lint.sources.containers.dotenv import parse_dotenv_full

    parsed = parse_dotenv_full(src.text, src.index, interpolate_values=False)
    last_line = {k: v.span.line for k, v in parsed.values.items() if v.span is not None}
    for key, earlier in parsed.duplicates:
        if earlier.span is None:
            continue
        yield make_diagnostic(
            "VL508",
            src.display,
            earlier.span,
            f"`{key}` is set again on line {last_line.get(key, '?')}; docker compose uses the later value "
            f"({parsed.values[key].value!r}), so this one ({earlier.value!r}) has no effect",
        )
