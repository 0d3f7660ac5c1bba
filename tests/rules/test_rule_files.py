"""Meta-tests: every rule file is valid, documented and bound to exactly one check function."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from vllm_lint.rule_meta import all_meta, rules_dir, schema
from vllm_lint.rules.checks import checks


def _rule_files():
    return sorted(rules_dir().glob("VL*.yaml"))


@pytest.mark.parametrize("path", _rule_files(), ids=lambda p: p.stem)
def test_rule_file_matches_schema(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, schema())
    assert data["id"] == path.stem, "file name must be the rule id"


def test_every_rule_has_a_check_and_every_check_a_rule():
    metas, registered = set(all_meta()), set(checks())
    assert metas - registered == set(), "rule files without a check function"
    assert registered - metas == set(), "check functions without a rule file"


def test_names_are_unique():
    names = [m.name for m in all_meta().values()]
    assert len(names) == len(set(names))


def test_every_rule_has_examples():
    for m in all_meta().values():
        if m.id == "VL000":
            continue  # an internal error has no example that should trigger it
        assert m.examples.get("bad"), f"{m.id} has no bad example"
        assert m.examples.get("good"), f"{m.id} has no good example"
