"""The shell expansion expands plain words (no quote, escape or `$`) on a fast path; it must build exactly
the Words of the per-character path, on random scripts (plain and Kubernetes `$(VAR)` mode)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vllm_lint.sources.shell import commands, expansion

PIECES = list("\"'\\$`{}[]()<>:;,-=#!&|*?~ \n\t\r") + [
    "${", "$(", "\\\n", "vllm", "serve", "--max-model-len", "8192", "A=1", "export", "X=$A", "'a b'", '"$X"',
    "meta-llama/Llama-3.1-8B-Instruct", "--tp=2", "é", "if true; then", "fi", "<<EOF\nx\nEOF\n", "arr=(a b)", "${arr[@]}",
]


def _both(text: str, k8s: bool) -> tuple[str, str]:
    def run() -> str:
        try:
            return repr(commands.parse_script(text, k8s=k8s))
        except Exception as exc:  # noqa: BLE001 - compare failures too
            return f"raised {type(exc).__name__}"

    old = expansion._FAST_WORDS
    try:
        expansion._FAST_WORDS = True
        fast = run()
        expansion._FAST_WORDS = False
        slow = run()
    finally:
        expansion._FAST_WORDS = old
    return fast, slow


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.sampled_from(PIECES), max_size=30), k8s=st.booleans())
def test_fast_path_builds_the_same_words(parts, k8s):
    fast, slow = _both("".join(parts), k8s)
    assert fast == slow


@pytest.mark.parametrize("text", [
    "vllm serve m --max-model-len 8192\n",
    "vllm serve \\\n  m --x=1 \\\r\n  --y 2\n",
    "A=1 B=2 vllm serve $A \"$B\" 'c' d\\ e\n",
])
def test_fast_path_examples(text):
    fast, slow = _both(text, False)
    assert fast == slow
