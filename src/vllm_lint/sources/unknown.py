"""Files named on the command line that no format claims: counted, never silently dropped.

The note says why the file holds no launch (shown with ``--verbose``); a file that mentions
vLLM but that no reader understands is worth a look by the user, so the note says so.
"""

from __future__ import annotations

import re

from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    if re.search(r"vllm", src.text, re.I):
        why = ("it mentions vLLM, but in no syntax vllm-lint reads (shell, compose, Kubernetes, Helm values, "
               "Dockerfile, systemd, Makefile, PowerShell, Python, notebooks, CI workflows, YAML/JSON/TOML strings)")
    else:
        why = "not a deployment format vllm-lint reads, and it does not mention vLLM"
    return ExtractResult(notes=[why])
