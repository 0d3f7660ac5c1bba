"""Shell guards decide which words reach the argv: known tests are evaluated, unknown ones make the
words they add conditional (Token.condition), loops stay as they were."""

from __future__ import annotations

import pytest

from vllm_lint.sources.shell.commands import parse_script


def _argv(script: str, env: dict | None = None) -> list[tuple[str, str | None]]:
    commands = [c for c in parse_script(script, env=env).commands if c.words and c.words[0].text == "vllm"]
    return [(w.text, w.condition) for w in commands[-1].words[2:]]


@pytest.mark.parametrize("test,passes", [
    ('[ -n "$X" ]', False), ('[ -z "$X" ]', True), ('[ "$X" ]', False), ('[ "$X" = "" ]', True),
    ('[ "$N" -gt 1 ]', True), ('[ "$N" -le 1 ]', False), ('[[ "$N" == 2 ]]', True), ('test "$N" != 2', False),
    ('[ ! -n "$X" ]', True),
])
def test_known_tests_are_evaluated(test, passes):
    script = f'X=""\nN=2\nARGS=(m)\n{test} && ARGS+=(--flag)\nvllm serve "${{ARGS[@]}}"\n'
    assert _argv(script) == ([("m", None), ("--flag", None)] if passes else [("m", None)])


def test_or_runs_the_other_side():
    script = 'X=1\nARGS=(m)\n[ "$X" = 1 ] || ARGS+=(--never)\n[ "$X" = 2 ] || ARGS+=(--always)\nvllm serve "${ARGS[@]}"\n'
    assert _argv(script) == [("m", None), ("--always", None)]


def test_unknown_tests_make_words_conditional():
    script = 'ARGS=(m)\n[ -f /etc/x ] && ARGS+=(--a)\n[ -n "$Q" ] && ARGS+=(--quantization "$Q")\nvllm serve "${ARGS[@]}"\n'
    assert _argv(script) == [("m", None), ("--a", "[ -f /etc/x ]"), ("--quantization", '[ -n "$Q" ]'),
                             ("$Q", '[ -n "$Q" ]')]


def test_if_elif_else_branches():
    script = ('M="${M:-b}"\nARGS=(m)\nif [ "$M" = a ]; then\n  ARGS+=(--a)\nelif [ "$M" = b ]; then\n  ARGS+=(--b)\n'
              'else\n  ARGS+=(--c)\nfi\nvllm serve "${ARGS[@]}"\n')
    assert _argv(script) == [("m", None), ("--b", None)]


def test_unknown_if_else_keeps_both_branches_each_with_its_guard():
    script = 'ARGS=(m)\nif [ "$1" = a ]; then ARGS+=(--a); else ARGS+=(--b); fi\nvllm serve "${ARGS[@]}"\n'
    assert _argv(script) == [("m", None), ("--a", '[ "$1" = a ]'), ("--b", '! [ "$1" = a ]')]


def test_plus_expansion_of_an_unknown_variable_is_conditional():
    assert _argv('vllm serve m ${HF:+--hf-token "$HF"}\n', env={"HF": None}) == [
        ("m", None), ("--hf-token", "$HF is not empty"), ("${HF}", "$HF is not empty")]


def test_a_command_under_a_failing_guard_does_not_run():
    assert parse_script('X=0\n[ "$X" = 1 ] && vllm serve m\n').commands[-1].words[0].text == "["


def test_loop_bodies_are_not_guarded():
    script = 'ARGS=(m)\nfor a in x y; do\n  [ -n "$a" ] && ARGS+=(--a)\ndone\nvllm serve "${ARGS[@]}"\n'
    assert all(cond is None for _, cond in _argv(script))
