"""``.env`` files as a source format: context for compose files that starts nothing by itself,
unless a value holds a whole vLLM command line.
"""

from __future__ import annotations

import re

from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile
from vllm_lint.sources.containers.dotenv import parse_dotenv_full


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    """A ``.env`` file is context for compose files and starts nothing by itself, unless a
    value holds a whole vLLM command (``VLLM_CMD=vllm serve m --x 1``): that value is read as a
    shell command line (spans inside the value) and is a launch named after its key."""
    from vllm_lint.sources.shell.commands import parse_script
    from vllm_lint.sources.shell.scripts import command_launch

    env = parse_dotenv_full(src.text, src.index)
    result = ExtractResult()
    for key, ev in env.values.items():
        if ev.span is None or not _COMMAND.search(ev.value):
            continue
        raw = src.text[ev.span.start:ev.span.end]
        script = parse_script(raw, range(ev.span.start, ev.span.end),
                              {k: (None if v.symbolic else v.value) for k, v in env.values.items() if k != key})
        for cmd in script.commands:
            launch = command_launch(src, cmd, script, depth=0)
            if launch is not None:
                launch.name = f"{key}: {launch.name}"
                launch.source = "env"
                result.launches.append(launch)
                break
    return result


_COMMAND = re.compile(r"\bvllm\s+serve\b|vllm\.entrypoints\.")
