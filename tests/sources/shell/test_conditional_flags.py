"""Flags behind shell guards: kept in the argv so their names are checked, marked with the
condition under which the script passes them, never phantom values, and findings on them hold
only under that condition (at most a warning, unless no release knows the flag)."""

from __future__ import annotations

from pathlib import Path

from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.resolve.context import RunOptions
from vllm_lint.sources.shell.commands import parse_script

SCRIPT = """\
REVISION=${REVISION:-}
ROPE=${ROPE_SCALING:-}
ARGS=(--max-model-len 8192)
[ -n "$ROPE" ] && ARGS+=(--rope-scaling "$ROPE")
if [ -n "$CHAT_TEMPLATE" ]; then
  ARGS+=(--chat-template "$CHAT_TEMPLATE")
else
  ARGS+=(--enforce-eager)
fi
for m in a b; do ARGS+=(--lora-modules "$m"); done
exec vllm serve Qwen/Qwen2.5-7B-Instruct ${REVISION:+--revision "$REVISION"} ${QUANT:+--quantizaton "$QUANT"} "${ARGS[@]}"
"""


def _words():
    cmd = [c for c in parse_script(SCRIPT).commands if c.words and c.words[0].text == "exec"][0]
    return [(w.text, w.condition, w.symbolic) for w in cmd.words[4:]]


def test_each_guard_form_is_a_condition() -> None:
    assert _words() == [
        ("--revision", "when REVISION is set and not empty", False),
        ("$REVISION", "when REVISION is set and not empty", True),  # not the empty default
        ("--quantizaton", "when QUANT is set and not empty", False),
        ("$QUANT", "when QUANT is set and not empty", True),
        ("--max-model-len", None, False),
        ("8192", None, False),
        ("--rope-scaling", 'when `[ -n "$ROPE" ]` succeeds', False),
        ("$ROPE", 'when `[ -n "$ROPE" ]` succeeds', True),  # no phantom '' value
        ("--chat-template", 'when `[ -n "$CHAT_TEMPLATE" ]` succeeds', False),
        ("$CHAT_TEMPLATE", 'when `[ -n "$CHAT_TEMPLATE" ]` succeeds', True),
        ("--enforce-eager", 'in the else branch of when `[ -n "$CHAT_TEMPLATE" ]` succeeds', False),
        ("--lora-modules", "in the loop `for m in a b`", False),
        ("$m", "in the loop `for m in a b`", True),
    ]


def test_a_set_variable_passes_its_flag_always() -> None:
    cmd = parse_script('X=4\nvllm serve m ${X:+--tensor-parallel-size "$X"}').commands[-1]
    assert [(w.text, w.condition) for w in cmd.words[3:]] == [("--tensor-parallel-size", None), ("4", None)]


def test_findings_on_guarded_flags(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/bash\n" + SCRIPT)
    result = lint_paths([script], LintOptions(run=RunOptions(gpu="H100", vllm_version="0.33.0")))
    found = {(d.rule, d.severity.value, d.line) for d in result.diagnostics if d.rule.startswith("VL2")}
    # misspelled in every release: an error whenever QUANT is set
    assert ("VL201", "error", 12) in found
    # --rope-scaling left vLLM in 0.11.2: the script passes it only when ROPE_SCALING is set
    assert ("VL202", "warning", 5) in found
    messages = [d.message for d in result.diagnostics if d.rule in ("VL201", "VL202")]
    assert any("(passed only when QUANT is set and not empty)" in m for m in messages)
    assert any('(passed only when `[ -n "$ROPE" ]` succeeds)' in m for m in messages)


def test_string_variables_extended_behind_guards() -> None:
    script = """ARGS="--max-model-len 4096"
X=${X:-}
[ -n "$X" ] && ARGS="$ARGS --rope-scaling $X"
if [ "$EAGER" = 1 ]; then ARGS+=" --enforce-eager"; fi
vllm serve m $ARGS
"""
    words = parse_script(script).commands[-1].words[3:]
    assert [(w.text, w.condition) for w in words] == [
        ("--max-model-len", None), ("4096", None),
        ("--rope-scaling", 'when `[ -n "$X" ]` succeeds'), ("$X", 'when `[ -n "$X" ]` succeeds'),
        ("--enforce-eager", 'when `[ "$EAGER" = 1 ]` succeeds'),
    ]
