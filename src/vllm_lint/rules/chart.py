"""Platform settings that never reach vLLM: chart values the templates do not read
(vllm-production-stack), a KServe runtime name that matches no runtime."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from vllm_lint.diagnostic import Diagnostic
from vllm_lint.rules.registry import register

if TYPE_CHECKING:
    from vllm_lint.rules.context import RuleContext

# Where each ignored key's settings really belong in vllm-production-stack's values schema
# (helm/templates/deployment-vllm-multi.yaml renders only these places into flags).
_MOVE_TO = {
    "extraArgs": "servingEngineSpec.modelSpec[].vllmConfig.extraArgs",
    "args": "servingEngineSpec.modelSpec[].vllmConfig.extraArgs",
    "vllmConfig.pipelineParallelSize": "vllmConfig.extraArgs (as --pipeline-parallel-size N), or the raySpec path",
}


@register("VL506")
def ignored_chart_key(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A values key the chart's templates do not render: its setting never reaches vLLM."""
    ignored = ctx.launch.facts.get("ignored_keys") or []
    chart = ctx.launch.facts.get("chart", "the chart")
    for key, span in ignored:
        short = key.split(".")[-1] if key.startswith("vllmConfig.") and key not in _MOVE_TO else key
        where = _MOVE_TO.get(key) or _MOVE_TO.get(short)
        hint = f"; put it under `{where}`" if where else ""
        yield ctx.report(
            "VL506",
            f"`{key}` is not read by {chart}'s templates, so this setting never reaches vLLM{hint}",
            span=span,
        )


@register("VL314")
def serving_runtime_not_found(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A KServe InferenceService whose ``runtime:`` names a runtime found nowhere (sources.k8s.kserve)."""
    name = ctx.launch.facts.get("runtime_missing")
    if not name:
        return
    yield ctx.report(
        "VL314",
        f"runtime `{name}` is in neither this file, the YAML files beside it or in its parent folder, nor "
        "KServe's built-in runtimes; unless it is created elsewhere (cluster-wide, or in the OpenShift AI "
        "dashboard), KServe leaves this InferenceService not ready",
        span=ctx.launch.facts.get("runtime_span"),
    )
