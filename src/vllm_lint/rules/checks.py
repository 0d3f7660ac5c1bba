"""Imports every check module so their ``@register`` decorators run. One line per topic."""

from vllm_lint.rules import builtin  # noqa: F401  VL000-VL00x: input problems (reported by the pipeline)
from vllm_lint.rules import hygiene_meta  # noqa: F401  VL006: unused suppressions (reported by the pipeline)
from vllm_lint.rules import directives  # noqa: F401  VL007: setting directives vllm-lint cannot use
from vllm_lint.rules import parallelism, model, hygiene  # noqa: F401  VL3xx parallelism/hardware, VL4xx model, VL5xx security/hygiene
from vllm_lint.rules import capacity  # noqa: F401  VL1xx: memory and KV-cache capacity
from vllm_lint.rules import chart  # noqa: F401,E402  VL506: chart values the chart never renders
from vllm_lint.rules import files  # noqa: F401,E402  VL507-VL508: file-level hygiene
from vllm_lint.rules import flags  # noqa: F401,E402  VL2xx: flags as the target release parses them
