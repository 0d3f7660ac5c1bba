"""Flag rules declare in their YAML which problem codes of vLLM's parser model they report
(``parser_problems``): each code belongs to exactly one rule, and no code goes unreported."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from vllm_lint.rule_meta import all_meta

VLLM = Path(__file__).resolve().parents[2] / "src" / "vllm_lint" / "vllm"


def _declared() -> list[str]:
    return [code for m in all_meta().values() for code in m.parser_problems]


def _string_literals() -> set[str]:
    out = set()
    for path in VLLM.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.add(node.value)
    return out


def _literal_codes() -> set[str]:
    """Codes written literally where problems are made: ``ArgProblem("code", ...)``, ``code=...``."""
    out = set()
    for path in VLLM.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("ArgProblem", "ConvertError")
                    and node.args):
                first = node.args[0] if getattr(node.func, "id", None) == "ArgProblem" else node.args[-1]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    out.add(first.value)
            if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(node.value, ast.Constant):
                out.add(node.value.value)
    return out


def test_each_code_belongs_to_one_rule():
    twice = [code for code, n in Counter(_declared()).items() if n > 1]
    assert not twice


def test_declared_codes_exist_in_the_parser_model():
    unknown = set(_declared()) - _string_literals()
    assert not unknown, f"rules declare codes the parser never produces (typo?): {sorted(unknown)}"


def test_every_code_the_parser_makes_is_reported_by_a_rule():
    literal = _literal_codes()
    assert {"unknown-flag", "bool-with-value", "out-of-range"} <= literal  # the scan finds them
    unclaimed = literal - set(_declared())
    assert not unclaimed, f"parser problems no rule reports: {sorted(unclaimed)}"
