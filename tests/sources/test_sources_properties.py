"""Property tests: mutated or arbitrary inputs give launches or diagnostics, never an exception,
and every span lies inside the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from vllm_lint.sources.containers import compose, dockerfile
from vllm_lint.sources.shell import scripts
from vllm_lint.sources import skypilot, vllm_config
from vllm_lint.sources.base import ExtractOptions, Limits, SourceFile

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
SEEDS = {
    "compose": (FIX / "compose" / "docker-compose.yml").read_text(),
    "shell": (FIX / "shell" / "run_vllm.sh").read_text(),
    "dockerfile": (FIX / "dockerfile_shellform" / "Dockerfile").read_text() + (FIX / "dockerfile" / "Dockerfile").read_text(),
    "skypilot": (FIX / "skypilot" / "task.sky.yaml").read_text(),
    "vllm-config": (FIX / "config" / "config.yaml").read_text(),
}
MODULES = {"compose": compose, "shell": scripts, "dockerfile": dockerfile, "skypilot": skypilot, "vllm-config": vllm_config}
PIECES = ["\n", " ", "  ", "\t", "\r\n", "'", '"', "\\", "$", "${", "}", "${X:-", "$$", ":", "- ", "-", "[", "]", "{", "}",
          "#", "&", "*", "<<: *gpu\n", "|\n", ">-\n", "!!python/object ", "!Ref ", "\x00", "\ufeff", "é", "{{ .Values.x }}",
          "vllm serve ", "--max-model-len ", "bash -c '", "sh -c \"", "ENTRYPOINT ", "CMD [", "<<EOF\n", "EOF\n", "((", "))"]


@st.composite
def mutated(draw, kind: str) -> str:
    text = SEEDS[kind]
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "dup"]))
        pos = draw(st.integers(0, len(text)))
        if op == "insert":
            text = text[:pos] + draw(st.sampled_from(PIECES)) + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)):]
        elif op == "replace":
            text = text[:pos] + draw(st.text(max_size=8)) + text[pos + draw(st.integers(0, 8)):]
        else:
            end = min(len(text), pos + draw(st.integers(1, 200)))
            text = text[:end] + text[pos:end] + text[end:]
    return text


def _check(kind: str, text: str, tmp: Path | None = None) -> None:
    path = (tmp or Path("/nonexistent")) / "f"
    src = SourceFile.from_text(text, "f", kind, path=path, limits=Limits(max_aliases=2000, max_depth=60))
    res = MODULES[kind].extract(src, ExtractOptions())
    n = len(text)
    for d in res.diagnostics:
        if d.span is not None:
            assert 0 <= d.span.start <= d.span.end <= n
    for launch in res.launches:
        assert 0 <= launch.span.start <= launch.span.end <= n
        for t in launch.program + launch.args:
            if t.span is not None:
                assert 0 <= t.span.start <= t.span.end <= n, (t, kind)
                assert t.span.slice(text) == t.raw
        if launch.insertion is not None:
            assert 0 <= launch.insertion.offset <= n
            launch.insertion.render(["--max-model-len", "8192"])


KINDS = sorted(SEEDS)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_inputs(data) -> None:
    kind = data.draw(st.sampled_from(KINDS))
    _check(kind, data.draw(mutated(kind)))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(KINDS), st.text(max_size=300))
def test_arbitrary_text(kind: str, text: str) -> None:
    _check(kind, text)


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_inputs_slow(data) -> None:
    kind = data.draw(st.sampled_from(KINDS))
    _check(kind, data.draw(mutated(kind)))
