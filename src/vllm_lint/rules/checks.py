"""Imports every check module so their ``@register`` decorators run. One line per topic."""

from vllm_lint.rules import builtin  # noqa: F401  VL000-VL00x: input problems (reported by the pipeline)
