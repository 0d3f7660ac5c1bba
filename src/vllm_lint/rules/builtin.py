"""Input rules (VL0xx). Their diagnostics are produced by the pipeline itself (reading, YAML
parsing, internal errors), so the registered checks yield nothing; they exist so that every
rule file has a registered function and ``--select``/``--ignore`` treat them like any rule."""

from __future__ import annotations

from typing import Iterator

from vllm_lint.diagnostic import Diagnostic
from vllm_lint.rules.registry import register


def _pipeline_rule(_ctx: object) -> Iterator[Diagnostic]:
    return iter(())


for _rule_id in ("VL000", "VL001", "VL002", "VL003"):
    register(_rule_id)(_pipeline_rule)
