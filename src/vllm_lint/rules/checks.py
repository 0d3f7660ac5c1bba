"""Every check: imports each check module so its ``@register`` decorators run. One line per topic."""

# VL000-VL00x: input problems, and VL006: unused suppressions (both reported by the pipeline)
from vllm_lint.rules import builtin, hygiene_meta  # noqa: F401
# VL007: setting directives (`# vllm-lint: gpu=`, `vllm-version=`) vllm-lint cannot use
from vllm_lint.rules import directives  # noqa: F401
# VL3xx parallelism and hardware, VL4xx model, VL5xx security and hygiene
from vllm_lint.rules import parallelism, model, hygiene  # noqa: F401
# VL408: --hf-overrides keys the model's config does not have
from vllm_lint.rules import hf_overrides  # noqa: F401
# VL309, VL310, VL312, VL313: what the GPU's compute capability rules out
from vllm_lint.rules import gpu_capability  # noqa: F401
# VL315: engines of one project that share GPUs and together ask for more than all of their memory
from vllm_lint.rules import shared_gpus  # noqa: F401
# VL1xx: memory and KV-cache capacity
from vllm_lint.rules import capacity  # noqa: F401
# VL506: chart values the chart never renders; VL507-VL508: file-level hygiene
from vllm_lint.rules import chart, files  # noqa: F401
# VL510: a comment line that ends a continued shell command
from vllm_lint.rules import continuation  # noqa: F401
# VL2xx: flags as the target release parses them
from vllm_lint.rules import flags  # noqa: F401
# VL215: environment variables vLLM does not read
from vllm_lint.rules import env_vars  # noqa: F401
# VL511: Kubernetes fields of the wrong type (the API server rejects the object)
from vllm_lint.rules import k8s_types  # noqa: F401
from vllm_lint.rules.registry import Check, registered


def checks() -> dict[str, Check]:
    """Every check by rule id."""
    return registered()
