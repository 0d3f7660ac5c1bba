"""Shell guards decide which words reach the argv: tests of values the script fixes are evaluated
(a guard that fails runs nothing, one that passes is no condition); the others leave the words they
add conditional, with formats' condition text (Token.condition)."""

from __future__ import annotations

import pytest

from vllm_lint.sources.shell.commands import parse_script


def _argv(script: str, env: dict | None = None) -> list[tuple[str, str | None]]:
    commands = [c for c in parse_script(script, env=env).commands if c.words and c.words[0].text == "vllm"]
    return [(w.text, w.condition) for w in commands[-1].words[2:]]


@pytest.mark.parametrize("test,passes", [
    ('[ -n "$X" ]', True), ('[ -z "$X" ]', False), ('[ "$X" ]', True), ('[ "$X" = "on" ]', True),
    ('[ "$N" -gt 1 ]', True), ('[ "$N" -le 1 ]', False), ('[[ "$N" == 2 ]]', True), ('test "$N" != 2', False),
    ('[ ! -n "$X" ]', False), ("true", True), ("false", False),
])
def test_tests_of_values_the_script_fixes_are_evaluated(test, passes):
    script = f'X=on\nN=2\nARGS=(m)\n{test} && ARGS+=(--flag)\nvllm serve "${{ARGS[@]}}"\n'
    assert _argv(script) == ([("m", None), ("--flag", None)] if passes else [("m", None)])


def test_an_empty_default_tested_for_emptiness_is_a_knob_left_to_the_environment():
    script = 'R="${R:-}"\nARGS=(m)\n[ -n "$R" ] && ARGS+=(--rope-scaling "$R")\nvllm serve "${ARGS[@]}"\n'
    assert [c for _, c in _argv(script)][1:] == ['when `[ -n "$R" ]` succeeds'] * 2


def test_or_runs_the_other_side():
    script = ('X=1\nARGS=(m)\n[ "$X" = 1 ] || ARGS+=(--never)\n[ "$X" = 2 ] || ARGS+=(--always)\n'
              '[ "$X" = 2 ] && ARGS+=(--no) || ARGS+=(--yes)\nvllm serve "${ARGS[@]}"\n')
    assert _argv(script) == [("m", None), ("--always", None), ("--yes", None)]


def test_if_elif_else_branches_of_known_values():
    script = ('M=b\nARGS=(m)\nif [ "$M" = a ]; then\n  ARGS+=(--a)\nelif [ "$M" = b ]; then\n  ARGS+=(--b)\n'
              'else\n  ARGS+=(--c)\nfi\nvllm serve "${ARGS[@]}"\n')
    assert _argv(script) == [("m", None), ("--b", None)]


def test_then_on_the_line_of_its_if():
    script = 'TP=2\nARGS=(m)\nif [ "$TP" -gt 1 ]; then ARGS+=(--tensor-parallel-size "$TP"); fi\nvllm serve "${ARGS[@]}"\n'
    assert _argv(script) == [("m", None), ("--tensor-parallel-size", None), ("2", None)]


def test_a_command_under_a_failing_guard_does_not_run():
    assert parse_script('X=0\n[ "$X" = 1 ] && vllm serve m\n').commands[-1].words[0].text == "["


def test_unknown_tests_keep_their_condition():
    script = 'ARGS=(m)\n[ -f /etc/x ] && ARGS+=(--a)\nvllm serve "${ARGS[@]}"\n'
    assert _argv(script) == [("m", None), ("--a", "when `[ -f /etc/x ]` succeeds")]
