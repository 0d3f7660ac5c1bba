"""docs/rules/ is generated from rules/*.yaml; this fails when the two drift apart."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from vllm_lint.rule_meta import all_meta

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location("gen_rule_docs", ROOT / "tools" / "gen_rule_docs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_docs_match_rule_files():
    stale = _tool().drift()
    assert not stale, f"regenerate with `python tools/gen_rule_docs.py`: {stale}"


def test_every_rule_has_its_help_uri_page():
    for m in all_meta().values():
        assert m.help_uri.endswith(f"/docs/rules/{m.id}.md")
        assert (ROOT / "docs" / "rules" / f"{m.id}.md").is_file()


def test_drift_is_detected_and_repaired(tmp_path):
    tool = _tool()
    assert set(tool.drift(tmp_path)) == set(tool.expected_pages())
    tool.write(tmp_path)
    assert tool.drift(tmp_path) == []
    page = tmp_path / "VL006.md"
    page.write_text(page.read_text() + "edited by hand\n")
    (tmp_path / "VL999.md").write_text("a removed rule\n")
    assert tool.drift(tmp_path) == ["VL006.md", "VL999.md"]
    tool.write(tmp_path)
    assert tool.drift(tmp_path) == [] and not (tmp_path / "VL999.md").exists()


def test_rule_paragraphs_are_generated_from_the_one_statement(tmp_path):
    """VL101's CUDA-graph paragraph is ``memory.releases.cuda_graph_statement()``, wrapped: a hand edit
    is drift, and regenerating restores the shipped file byte for byte."""
    tool = _tool()
    assert tool.rule_file_drift() == []
    shipped = (ROOT / "rules" / "VL101.yaml").read_text(encoding="utf-8")
    edited = tmp_path / "VL101.yaml"
    edited.write_text(shipped.replace("CUDA graphs: vLLM subtracts", "CUDA graphs: vLLM takes"), encoding="utf-8")
    assert tool.rule_file_drift(tmp_path) == [edited]
    assert tool.generated_rule_files(tmp_path)[edited] == shipped
