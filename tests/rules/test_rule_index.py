"""rules/index.json holds exactly what rules/*.yaml state, and a stale index is never used."""

from __future__ import annotations

import shutil
from dataclasses import asdict

import pytest

from vllm_lint import rule_meta
from vllm_lint.rule_meta import INDEX, index_text, rules_dir, yaml_records


def _metas(records: list[dict]) -> dict[str, dict]:
    # asdict keeps ``examples`` (not part of RuleMeta's equality)
    return {r["id"]: asdict(rule_meta._meta_of(r)) for r in records}


def test_index_is_current():
    text = (rules_dir() / INDEX).read_text(encoding="utf-8")
    assert text == index_text(yaml_records()), "regenerate with `python tools/gen_rule_docs.py`"


def test_index_is_used_and_equals_the_yaml():
    index = rule_meta._fresh_index(rules_dir())
    assert index is not None, "rules/index.json is stale: run python tools/gen_rule_docs.py"
    assert _metas(index["rules"]) == _metas(yaml_records())
    assert {m.id for m in rule_meta.all_meta().values()} == {r["id"] for r in index["rules"]}


@pytest.fixture
def folder(tmp_path):
    dst = tmp_path / "rules"
    shutil.copytree(rules_dir(), dst)
    return dst


def test_fresh_copy_uses_the_index(folder):
    assert rule_meta._fresh_index(folder) is not None


def test_edited_rule_file_makes_the_index_stale(folder):
    path = folder / "VL101.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("severity: error", "severity: warning"),
                    encoding="utf-8")
    assert rule_meta._fresh_index(folder) is None


def test_added_or_removed_rule_file_makes_the_index_stale(folder, tmp_path):
    shutil.copy(folder / "VL101.yaml", folder / "VL999.yaml")
    assert rule_meta._fresh_index(folder) is None
    (folder / "VL999.yaml").unlink()
    assert rule_meta._fresh_index(folder) is not None
    (folder / "VL102.yaml").unlink()
    assert rule_meta._fresh_index(folder) is None


def test_missing_or_broken_index_is_not_used(folder):
    (folder / INDEX).write_text("{not json", encoding="utf-8")
    assert rule_meta._fresh_index(folder) is None
    (folder / INDEX).unlink()
    assert rule_meta._fresh_index(folder) is None


def test_stale_index_falls_back_to_the_yaml(folder, monkeypatch):
    path = folder / "VL101.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("severity: error", "severity: warning"),
                    encoding="utf-8")
    monkeypatch.setattr(rule_meta, "rules_dir", lambda: folder)
    rule_meta.all_meta.cache_clear()
    try:
        assert rule_meta.all_meta()["VL101"].severity.value == "warning"
    finally:
        rule_meta.all_meta.cache_clear()
