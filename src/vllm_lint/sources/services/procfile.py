"""``Procfile`` (Heroku, Dokku, foreman, honcho) -> the vLLM launch of each process type.

Each line is ``<process type>: <command>``; the command runs under ``sh -c`` (``$PORT`` and the
app's config vars come from the platform at run time, so they stay unknown). ``#`` lines are
comments (foreman and honcho skip them).
"""

from __future__ import annotations

import re

from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile
from vllm_lint.sources.mapped import script_launches
from vllm_lint.sources.mapped_text import MappedText

_LINE = re.compile(r"^[ \t]*([A-Za-z0-9_-]+)[ \t]*:[ \t]?", re.M)


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    opts = opts or ExtractOptions()
    result = ExtractResult()
    text = src.text
    for m in _LINE.finditer(text):
        end = text.find("\n", m.end())
        end = len(text) if end == -1 else end
        mapped = MappedText()
        mapped.copy(text, m.end(), end)
        result.launches.extend(script_launches(src, mapped, source="procfile", env=dict(opts.env),
                                               prefix=f"{m.group(1)}: "))
    return result
