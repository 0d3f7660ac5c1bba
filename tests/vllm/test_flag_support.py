"""Flag questions over a set of candidate releases (unknown or bounded versions)."""

from __future__ import annotations

from vllm_lint.vllm import releases
from vllm_lint.vllm.flag_support import (
    ALL,
    NONE,
    SOME,
    choice_support,
    deprecation_support,
    fact_groups,
    option_support,
    switch_support,
)
from vllm_lint.vllm.releases import ReleaseSet


def test_typo_is_known_to_no_release():
    s = option_support("--max-model-length")
    assert s.verdict == NONE and s.everywhere_false and s.describe() == "none"


def test_removed_flag_over_every_release_is_some():
    s = option_support("--swap-space")
    assert s.verdict == SOME and not s.everywhere_false
    assert s.describe() == "0.4.3-0.17.1"
    assert s.no.first == "0.18.0"


def test_flag_over_a_bounded_set():
    cand = ReleaseSet.span("0.20.0", "0.33.0")
    s = option_support("--swap-space", cand)
    assert s.verdict == NONE and not s.everywhere_false  # removed before these, not a typo
    assert option_support("--max-model-len", cand).verdict == ALL
    gap = option_support("--disable-log-requests", ReleaseSet.span("0.16.0", "0.33.0"))
    assert gap.verdict == SOME and gap.describe() == "0.16.0, 0.33.0"


def test_compact_ranges_in_answers():
    assert str(option_support("--num-scheduler-steps").yes) == "0.5.5-0.10.0"
    assert str(ReleaseSet.span("0.30.0", None)) == "0.30.0-0.33.0 or newer"


def test_underscores_follow_each_releases_parser():
    s = option_support("--max_model_len")
    assert s.no.versions == ("0.4.3", "0.5.0", "0.5.0.post1")  # plain argparse before 0.5.1
    assert s.yes.first == "0.5.1"


def test_switches():
    # --enable-chunked-prefill: a switch in 0.4.3, true/false-valued 0.5-0.8.x, BooleanOptional later
    s = switch_support("--enable-chunked-prefill")
    assert "0.4.3" in s.yes and "0.6.0" in s.no and "0.10.2" in s.yes
    assert switch_support("--max-model-len").verdict == NONE


def test_choices():
    s = choice_support("--kv-cache-dtype", "fp8_e5m2")
    assert s.yes.first == "0.4.3"
    bf16 = choice_support("--kv-cache-dtype", "bfloat16", ReleaseSet.span("0.10.0", "0.11.2"))
    assert bf16.verdict == SOME and bf16.yes.first == "0.11.0"
    # 0.33 validates --kv-cache-dtype after parsing: argparse takes any value
    assert choice_support("--kv-cache-dtype", "nonsense", ReleaseSet(("0.33.0",))).verdict == ALL
    assert choice_support("--no-such-flag", "x").verdict == NONE


def test_deprecations():
    s = deprecation_support("--use-v2-block-manager")
    assert s.verdict == SOME and "0.6.4" in s.yes and "0.6.0" in s.no and "0.4.3" in s.no


def test_entrypoint_only_options():
    assert "0.9.0" in option_support("--model", entrypoint="api_server").yes
    assert "0.9.0" in option_support("--model").no  # `vllm serve` in 0.9.0 does not define it
    assert "0.6.0" in option_support("--config").yes and "0.6.0" in option_support("--config", entrypoint="api_server").no


def test_fact_groups():
    groups = fact_groups("serve_model_flag", ReleaseSet.span("0.10.0", "0.12.0"))
    assert str(groups["error"]) == "0.10.0-0.11.0" and str(groups["moved"]) == "0.11.1-0.12.0"
    assert set(fact_groups("v0_engine")) == {True, False}
    assert sum(len(v) for v in fact_groups("console_script").values()) == len(releases.release_versions())
