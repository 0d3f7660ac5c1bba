"""The shell reader's raw words against tree-sitter-bash, a real grammar: every simple command
of the shell fixtures that starts vLLM has the same words at the same character ranges in both
(benchmarks/shell_grammar.py compares the whole corpus and times both)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_bash

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "benchmarks"))

from shell_grammar import grammar_commands, hand_commands  # noqa: E402

FIXTURES = sorted((REPO / "tests" / "fixtures").rglob("*.sh"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_vllm_commands_have_the_grammars_words(path: Path) -> None:
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))
    text = path.read_text(encoding="utf-8")
    hand = [c for c in hand_commands(text) if any(text[a:b] in ("vllm", "serve", "run") for a, b in c)]
    grammar = {tuple(c) for c in grammar_commands(parser, text)}
    for cmd in hand:
        words = [text[a:b] for a, b in cmd]
        if "vllm" not in words and "docker" not in words:
            continue
        # the grammar splits leading assignments and keywords off; the command's own words agree
        assert any(set(g) <= set(cmd) and len(g) >= min(3, len(cmd)) for g in grammar), words


def test_trailing_continuation_is_not_in_the_word() -> None:
    text = "vllm serve m --max-model-len 16384\\\n  --port 8000\n"
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))
    (hand,) = hand_commands(text)
    (gram,) = grammar_commands(parser, text)
    assert [text[a:b] for a, b in hand] == [text[a:b] for a, b in gram]
