"""How a Helm chart's values spell vLLM options, so a finding on a values file names the key the
user edits (``vllmConfig.maxModelLen: 7424``) rather than the flag the chart renders from it.

The spellings come from the launch itself: the keys it already sets (``helm-key`` tokens, whose
raw text is the key), and for vllm-production-stack every ``vllmConfig`` key its template renders
(so an option the values do not set yet is named as the key the fix adds).
"""

from __future__ import annotations

import re

from vllm_lint.launch import Launch

# A value worth carrying into "key: value": a number or one of the words vLLM options take.
_VALUE = r"(?:\d[\d.]*|auto|fp8(?:_e4m3|_e5m2)?|half|float16|bfloat16|float32|true|false)(?![\w.-])"
_FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9_-]*)(?:[ =](" + _VALUE + r"))?")
_QUOTED = re.compile(r"(`[^`]*`|\"[^\"]*\")")


def chart_keys(launch: Launch) -> dict[str, str]:
    """flag (dashes) -> the values key that sets it, for a launch read from Helm values."""
    facts = launch.facts
    chart = facts.chart
    if not chart or chart == "rendered-template":
        return {}
    out: dict[str, str] = {}
    if chart == "vllm-production-stack":
        from vllm_lint.sources.helm.production_stack import PS_RAY_CONFIG, PS_VLLM_CONFIG

        table = PS_RAY_CONFIG if facts.nodes is not None else PS_VLLM_CONFIG
        out.update({flag.replace("_", "-"): f"vllmConfig.{key}" for key, flag in table.items()})
    for tok in launch.args:
        if tok.style == "helm-key" and tok.raw and tok.text.startswith("--"):
            out.setdefault(tok.text.replace("_", "-"), tok.raw.strip("'\""))
    return out


def respell(text: str, keys: dict[str, str]) -> str:
    """``text`` with each option the chart sets by a key written as that key (``--max-model-len
    7424`` -> ``vllmConfig.maxModelLen: 7424``); quoted text (vLLM's own messages) is left alone."""
    if not keys or "--" not in text:
        return text

    def one(m: re.Match) -> str:
        key = keys.get(m.group(1).replace("_", "-"))
        if key is None:
            return m.group(0)
        return f"{key}: {m.group(2)}" if m.group(2) else key

    parts = _QUOTED.split(text)
    return "".join(p if i % 2 else _FLAG.sub(one, p) for i, p in enumerate(parts))
