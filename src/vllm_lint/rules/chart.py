"""Platform settings that never reach vLLM: chart values the templates do not read
(vllm-production-stack), a KServe runtime name that matches no runtime."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from vllm_lint.diagnostic import Diagnostic, Edit, Fix
from vllm_lint.rules.registry import register

if TYPE_CHECKING:
    from vllm_lint.rules.context import RuleContext

# Where each ignored key's settings really belong in vllm-production-stack's values schema
# (helm/templates/deployment-vllm-multi.yaml renders only these places into flags).
_MOVE_TO = {
    "extraArgs": "servingEngineSpec.modelSpec[].vllmConfig.extraArgs",
    "args": "servingEngineSpec.modelSpec[].vllmConfig.extraArgs",
    "vllmConfig.pipelineParallelSize": "vllmConfig.extraArgs (as --pipeline-parallel-size N), or the raySpec path",
    "nodeSelector": "servingEngineSpec.modelSpec[].nodeSelectorTerms (as matchExpressions) or modelSpec[].affinity",
    "servingEngineSpec.nodeSelector": "servingEngineSpec.modelSpec[].nodeSelectorTerms (as matchExpressions) or "
                                      "modelSpec[].affinity",
    "servingEngineSpec.affinity": "servingEngineSpec.modelSpec[].affinity",
    "servingEngineSpec.nodeSelectorTerms": "servingEngineSpec.modelSpec[].nodeSelectorTerms",
    "servingEngineSpec.nodeName": "servingEngineSpec.modelSpec[].nodeName",
}


def _known_keys(ctx: "RuleContext", key: str) -> tuple[str, set[str]]:
    """(section, keys the chart renders there) for an ignored key of vllm-production-stack."""
    from vllm_lint.sources.helm.production_stack import (
        PS_MODELSPEC_KEYS,
        PS_RAY_CONFIG,
        PS_VLLM_CONFIG,
        PS_VLLM_CONFIG_OTHER,
    )

    if key.startswith("vllmConfig."):
        on_ray = ctx.launch.facts.nodes is not None
        known = (set(PS_RAY_CONFIG) | {"v1", "extraArgs", "enableChunkedPrefill", "enablePrefixCaching"}) if on_ray \
            else set(PS_VLLM_CONFIG) | PS_VLLM_CONFIG_OTHER - {"pipelineParallelSize"}
        return "vllmConfig", known
    return "", set(PS_MODELSPEC_KEYS)


@register("VL506")
def ignored_chart_key(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A values key the chart's templates do not render: its setting never reaches vLLM."""
    from vllm_lint.suggest import closest

    ignored = ctx.launch.facts.ignored_keys or []
    chart = ctx.launch.facts.chart or "the chart"
    set_keys = {(t.raw or "").strip("'\"") for t in ctx.launch.args if t.style == "helm-key"}
    for key, span in ignored:
        short = key.split(".")[-1] if key.startswith("vllmConfig.") and key not in _MOVE_TO else key
        where = _MOVE_TO.get(key) or _MOVE_TO.get(short)
        hint = f"; put it under `{where}`" if where else ""
        suggestions, notes = [], []
        if not where and chart == "vllm-production-stack":
            section, known = _known_keys(ctx, key)
            leaf = key.rsplit(".", 1)[-1]
            guess = closest(leaf, sorted(known), cutoff=0.8,
                            normalise=lambda k: k.lower().replace("_", "").replace("-", ""))
            if not section and leaf in _vllm_config_keys():
                hint = f"; put it under `vllmConfig.{leaf}`"
            elif guess and guess != leaf:
                hint = f" (did you mean `{guess}`?)"
                if guess in set_keys:
                    notes.append(f"`{section + '.' if section else ''}{guess}` is set too: the chart renders that one")
                elif span is not None and span.slice(ctx.src.text) == leaf:
                    suggestions.append(Fix(f"rename to {guess}", (Edit(span, guess),), safe=False))
        yield ctx.report(
            "VL506",
            f"`{key}` is not read by {chart}'s templates, so this setting never reaches vLLM{hint}",
            span=span,
            suggestions=suggestions,
            notes=notes,
        )


def _vllm_config_keys() -> set[str]:
    from vllm_lint.sources.helm.production_stack import PS_VLLM_CONFIG

    return set(PS_VLLM_CONFIG)


@register("VL314")
def serving_runtime_not_found(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A KServe InferenceService whose ``runtime:`` names a runtime found nowhere (sources.k8s.kserve)."""
    name = ctx.launch.facts.runtime_missing
    if not name:
        return
    yield ctx.report(
        "VL314",
        f"runtime `{name}` is in neither this file, the YAML files beside it or in its parent folder, nor "
        "KServe's built-in runtimes; unless it is created elsewhere (cluster-wide, or in the OpenShift AI "
        "dashboard), KServe leaves this InferenceService not ready",
        span=ctx.launch.facts.runtime_span,
    )
