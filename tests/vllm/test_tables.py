"""The shipped per-release flag tables: lookup semantics, release brackets, history, and agreement
with the team's independently gathered knowledge file (../shared/knowledge/vllm-flag-history.json)."""

from __future__ import annotations

import json

import pytest

from vllm_lint.vllm.flags import bracket, flag_table, option_history, sampled_versions
from vllm_lint.vllm.versions import KNOWN_VERSIONS


def test_every_known_release_has_a_table_read_from_its_wheel():
    for v in KNOWN_VERSIONS:
        t = flag_table(v)
        assert t.version == v and t.origin.startswith("wheel:vllm-" + v)
        assert len(t.flags) > 80


def test_lookup_aliases_and_negations():
    t = flag_table("0.33.0")
    spec, neg = t.lookup("-tp")
    assert spec.dest == "tensor_parallel_size" and not neg
    spec, neg = t.lookup("--disable-prefix-caching")
    assert spec.dest == "enable_prefix_caching" and neg
    spec, neg = t.lookup("--no-enable-prefix-caching")  # hidden in --help, still accepted
    assert spec.dest == "enable_prefix_caching" and neg
    assert t.lookup("--swap-space") is None
    assert flag_table("0.11.2").lookup("--swap-space")[0].dest == "swap_space"


def test_prefix_matches_in_argparse_order():
    t = flag_table("0.33.0")
    assert t.prefix_matches("--max-num-seq") == ["--max-num-seqs"]
    assert len(t.prefix_matches("--max-num")) >= 6


def test_bracket_and_uncertain_between_samples():
    assert bracket("0.8.4") == ("0.8.3", "0.8.5.post1")
    assert bracket("0.4.0")[0] == "0.4.3"
    assert bracket("nightly") == (sampled_versions()[-1], None)
    t = flag_table("0.8.4")
    assert t.version == "0.8.3" and "--hf-token" in t.uncertain
    assert t.lookup("--hf-token") is not None  # may exist: never "unknown"
    # chunked prefill became BooleanOptionalAction between the samples: both spellings pass
    assert t.lookup("--no-enable-chunked-prefill") is not None
    assert t.lookup("--enable-chunked-prefill")[0].kind == "store_boolean"
    assert not flag_table("0.8.3").uncertain


def test_option_history():
    h = option_history("--swap-space")
    assert h.removed_by == "0.18.1" and "0.14.1" in h.present
    h = option_history("--disable-log-requests")
    assert "0.33.0" in h.present and "0.20.0" not in h.present
    assert option_history("--no-such-option") is None


def test_engine_defaults_follow_the_release():
    assert flag_table("0.19.1").by_dest("gpu_memory_utilization").default == 0.9
    assert flag_table("0.20.0").by_dest("gpu_memory_utilization").default == 0.92


@pytest.mark.shared
def test_tables_agree_with_knowledge_history(shared_dir):
    """Every option string the knowledge file lists for a sampled release is in our table and vice
    versa (ours also holds the `vllm serve`-only options the knowledge file leaves out)."""
    hist = json.loads((shared_dir / "knowledge" / "vllm-flag-history.json").read_text())
    for v in hist["sampled_versions"]:
        t = flag_table(v)
        ours = {o for s in t.flags for o in s.all_options}
        serve_only = {o for s in t.flags if s.serve_only for o in s.all_options}
        theirs = {o for o, r in hist["timeline"].items() if v in r["present_in_sampled"]}
        assert theirs - ours == set(), v
        assert ours - theirs - serve_only == set(), v
