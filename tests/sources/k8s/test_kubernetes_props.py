"""Property tests: mutated Kubernetes/Helm/KServe/KubeAI/Ray YAML never raises, and every span
stays inside the file and slices to the token's raw text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from vllm_lint.sources.helm import charts
from vllm_lint.sources.k8s import manifests
from vllm_lint.sources.base import ExtractOptions, SourceFile

FIX = Path(__file__).resolve().parents[2] / "fixtures"
SEEDS = sorted(p.read_text() for p in list((FIX / "k8s").glob("*.yaml")) + list((FIX / "helm").rglob("*.yaml")))
PIECES = ["\n", " ", "  ", "- ", ": ", "'", '"', "{{ .Values.x }}", "$(VAR)", "${X:-y}", "&a ", "*a", "<<: *a\n",
          "|\n", ">-\n", "\\\n", "#", "[", "]", "{", "}", "---\n", "\t", "\r\n", "!Ref ", "nvidia.com/gpu: x\n",
          "command: [sh, -c, 'vllm serve m --tp 2']\n", "args: [\"--max-model-len\", \"8192\"]\n", "\u00e9", "%{ for x ~}\n"]


@st.composite
def mutated(draw) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["insert", "delete", "dup", "indent"]))
        pos = draw(st.integers(0, len(text)))
        if op == "insert":
            text = text[:pos] + draw(st.sampled_from(PIECES)) + text[pos:]
        elif op == "delete":
            end = min(len(text), pos + draw(st.integers(1, 40)))
            text = text[:pos] + text[end:]
        elif op == "dup":
            end = min(len(text), pos + draw(st.integers(1, 200)))
            text = text[:end] + text[pos:end] + text[end:]
        else:
            line_start = text.rfind("\n", 0, pos) + 1
            text = text[:line_start] + draw(st.sampled_from([" ", "  ", "    "])) + text[line_start:]
    return text


def check(text: str) -> None:
    for mod, kind in ((manifests, "kubernetes"), (charts, "helm-values")):
        src = SourceFile.from_text(text, display="m.yaml", kind=kind)
        res = mod.extract(src, ExtractOptions())
        for launch in res.launches:
            for tok in launch.program + launch.args:
                if tok.span is not None and tok.span.path == src.display:
                    assert 0 <= tok.span.start <= tok.span.end <= len(text)
                    assert text[tok.span.start:tok.span.end] == tok.raw
            if launch.insertion is not None:
                assert 0 <= launch.insertion.offset <= len(text)
                launch.insertion.render(["--max-model-len", "8192"])
            for sp in (launch.image_span, launch.gpu.count_span, launch.gpu.product_span, launch.span):
                if sp is not None and sp.path == src.display:
                    assert 0 <= sp.start <= sp.end <= len(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_yaml_never_raises(text: str) -> None:
    check(text)


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_yaml_never_raises_slow(text: str) -> None:
    check(text)


def test_alias_bomb_is_bounded() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    bomb += "spec:\n  containers: [*i]\n"
    res = manifests.extract(SourceFile.from_text(bomb, display="b.yaml", kind="kubernetes"))
    assert res.launches == [] and [d.rule for d in res.diagnostics] == ["VL002"]


def test_deep_nesting_is_a_diagnostic() -> None:
    deep = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    res = manifests.extract(SourceFile.from_text(deep, display="d.yaml", kind="kubernetes"))
    assert res.launches == [] and res.diagnostics
