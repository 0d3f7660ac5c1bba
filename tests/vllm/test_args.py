"""parse_args against vLLM's documented parser behaviour (knowledge/vllm-flags-0.33.0.json, parser rules)."""

from __future__ import annotations

import pytest

from vllm_lint.vllm.args import parse_args


def codes(p):
    return [x.code for x in p.problems]


def parse(line: str, version: str = "0.33.0", entrypoint: str = "serve", **kw):
    return parse_args(line.split(), version=version, entrypoint=entrypoint, **kw)


def test_basic_values_and_model():
    p = parse("meta-llama/Llama-3.1-8B --max-model-len 8192 --gpu-memory-utilization 0.85 -tp 2")
    assert p.model == "meta-llama/Llama-3.1-8B" and p.model_index == 0
    assert p.values == {"max_model_len": 8192, "gpu_memory_utilization": 0.85, "tensor_parallel_size": 2}
    assert p.error is None and p.problems == []
    assert p.uses["tensor_parallel_size"].flag_index == 5 and p.uses["tensor_parallel_size"].value_index == 6


@pytest.mark.parametrize("line", ["m --max_model_len 4096", "m --max_model_len=4096", "m --max-model-len=4096"])
def test_underscores_and_equals(line):
    p = parse(line)
    assert p.values["max_model_len"] == 4096 and p.error is None


@pytest.mark.parametrize(
    "text,value",
    [("8k", 8000), ("8K", 8192), ("25.6k", 25600), ("1m", 1_000_000), ("2M", 2 * 2**20), ("131072", 131072)],
)
def test_human_readable_ints(text, value):
    assert parse(f"m --max-model-len {text}").values["max_model_len"] == value


def test_binary_suffix_decimal_error():
    p = parse("m --max-model-len 1.5K")
    assert p.error == (
        "vllm serve: error: argument --max-model-len: Decimals are not allowed with binary suffixes like K. "
        "Did you mean to use 1.5k instead?"
    )
    assert "invalid-int" in codes(p)


def test_human_readable_not_before_0_8():
    p = parse("m --max-model-len 8k", version="0.6.6.post1")
    assert "invalid-int" in codes(p)
    assert "invalid int value: '8k'" in p.error


def test_unknown_flag_did_you_mean():
    p = parse("m --max-model-length 8192")
    (prob,) = [x for x in p.problems if x.code == "unknown-flag"]
    assert prob.token_index == 1 and prob.value_index == 2
    assert prob.replacement == [(1, "--max-model-len")]
    assert p.error == "vllm: error: unrecognized arguments: --max-model-length 8192"
    assert codes(p) == ["unknown-flag"]  # the value is not reported again as a stray positional


@pytest.mark.parametrize(
    "bad,good",
    [("--gpu-memory-utilisation", "--gpu-memory-utilization"), ("--disable-log-requrests", "--disable-log-requests")],
)
def test_did_you_mean_spelling(bad, good):
    p = parse(f"m {bad} 0.8" if "util" in bad else f"m {bad}", version="0.10.2")
    (prob,) = [x for x in p.problems if x.code == "unknown-flag"]
    assert prob.replacement[0][1] == good


def test_unknown_flag_keeps_value_in_equals_form():
    p = parse("m --max-model-length=8192")
    (prob,) = [x for x in p.problems if x.code == "unknown-flag"]
    assert prob.replacement == [(1, "--max-model-len=8192")]


def test_abbreviation_warns_and_expands():
    p = parse("m --max-num-seq 8 --max-num-batched-token=4096")
    assert p.values == {"max_num_seqs": 8, "max_num_batched_tokens": 4096}
    ab = [x for x in p.problems if x.code == "abbreviated-flag"]
    assert [x.replacement for x in ab] == [[(1, "--max-num-seqs")], [(3, "--max-num-batched-tokens=4096")]]
    assert p.error is None


def test_ambiguous_abbreviation():
    p = parse("m --max-num 8")
    assert p.error.startswith("vllm serve: error: ambiguous option: --max-num could match --max-num-")
    assert codes(p) == ["ambiguous-abbreviation"]


def test_bool_with_value_new_releases():
    p = parse("m --enable-chunked-prefill=false", version="0.10.2")
    (prob,) = p.problems
    assert prob.code == "bool-with-value" and prob.fatal
    assert prob.replacement == [(1, "--no-enable-chunked-prefill")]
    assert "ignored explicit argument 'false'" in p.error


def test_store_boolean_old_releases():
    for line in ("m --enable-chunked-prefill=false", "m --enable-chunked-prefill False"):
        p = parse(line, version="0.6.6.post1")
        assert p.values["enable_chunked_prefill"] is False and p.error is None, line
    assert parse("m --enable-chunked-prefill", version="0.6.6.post1").values["enable_chunked_prefill"] is True


def test_stray_false_after_switch():
    p = parse("m --enforce-eager False")
    (prob,) = p.problems
    assert prob.code == "bool-with-value" and prob.value_index == 2
    assert prob.replacement == [(1, "--no-enforce-eager"), (2, "")]
    assert p.error == "vllm: error: unrecognized arguments: False"


def test_negation():
    p = parse("m --no-enable-prefix-caching --disable-chunked-prefill")
    assert p.values == {"enable_prefix_caching": False, "enable_chunked_prefill": False}


def test_removed_flag_names_release_and_replacement():
    p = parse("m --swap-space 4 --num-scheduler-steps 8", version="0.26.0")
    removed = [x for x in p.problems if x.code == "removed-flag"]
    assert len(removed) == 2
    assert "removed in vLLM 0.18.0 (last seen in 0.17.1)" in removed[0].detail
    assert removed[0].replacement == [(1, ""), (2, "")]
    assert p.error == "vllm: error: unrecognized arguments: --swap-space 4 --num-scheduler-steps 8"


def test_flag_still_present_in_its_release():
    assert parse("m --swap-space 4", version="0.11.2").values["swap_space"] == 4


def test_not_yet_added():
    p = parse("m --kv-cache-memory-bytes 1000", version="0.8.5.post1")
    assert [x.code for x in p.problems] == ["not-yet-added"]


def test_invalid_choice():
    p = parse("m --kv-cache-dtype fp4", version="0.10.2")
    assert codes(p) == ["invalid-choice"]
    assert "invalid choice: 'fp4' (choose from 'auto'" in p.error


def test_invalid_int_and_float():
    assert codes(parse("m -tp two")) == ["invalid-int"]
    p = parse("m --gpu-memory-utilization high")
    assert codes(p) == ["invalid-float"] and "invalid float value: 'high'" in p.error


def test_out_of_range_gpu_util():
    p = parse("m --gpu-memory-utilization 1.0")
    assert codes(p) == ["out-of-range"] and p.error is None
    assert "never start" in p.problems[0].message and p.problems[0].fatal


def test_startup_memory_check_exists_only_from_its_release():
    """V1's free-memory check came with 0.9.0; V0 releases start with 1.0 (and may OOM later)."""
    assert codes(parse("m --gpu-memory-utilization 1.0", version="0.8.5")) == []
    assert codes(parse("m --gpu-memory-utilization 1.0", version="0.9.0")) == ["out-of-range"]


def test_099_is_a_risk_not_a_certainty():
    """0.99 fails only when the context and other tenants hold over 1% of the card."""
    p = parse("m --gpu-memory-utilization 0.99")
    assert codes(p) == ["out-of-range"] and not p.problems[0].fatal
    assert "starts only if" in p.problems[0].message


def test_duplicate_flag_last_wins():
    p = parse("m --gpu-memory-utilization 0.95 --gpu-memory-utilization 0.4")
    assert p.values["gpu_memory_utilization"] == 0.4
    (dup,) = [x for x in p.problems if x.code == "duplicate-flag"]
    assert "last one wins: --gpu-memory-utilization=0.4" in dup.detail
    assert len(p.occurrences["gpu_memory_utilization"]) == 2
    assert codes(parse("m --dtype auto --dtype auto")) == []


def test_serve_model_flag_moved():
    p = parse("--model org/m --dtype half")
    assert p.model == "org/m" and p.error is None
    assert codes(p) == ["model-flag"]


def test_serve_model_flag_error_0_9():
    p = parse("--model org/m", version="0.9.2")
    assert p.error.startswith("ValueError: With `vllm serve`, you should provide the model as a positional argument")


def test_model_twice():
    p = parse("org/m --model org/m2")
    assert "model-twice" in codes(p) or "extra-argument" in codes(p)
    assert p.error == "vllm: error: unrecognized arguments: org/m"


def test_api_server_positional_ignored():
    p = parse("org/m --dtype half", entrypoint="api_server", version="0.14.1")
    assert codes(p) == ["model-ignored"] and p.error is None
    assert p.problems[0].replacement == [(0, "--model=org/m")]
    p = parse("org/m --dtype half", entrypoint="api_server", version="0.9.2")
    assert p.error == "api_server.py: error: unrecognized arguments: org/m"


def test_api_server_model_flag():
    p = parse("--model org/m --port 8000", entrypoint="api_server")
    assert p.model == "org/m" and p.problems == []


def test_repeated_subcommand():
    p = parse("vllm serve org/m --dtype half")
    assert p.problems[0].code == "repeated-subcommand"
    assert p.problems[0].replacement == [(0, ""), (1, "")]
    assert p.model == "org/m" and p.values == {"dtype": "half"}
    assert p.error == "vllm: error: unrecognized arguments: serve org/m"


def test_non_vllm_option():
    p = parse("m --temperature 0.95")
    assert codes(p) == ["non-vllm-option"]


def test_dotted_and_append():
    p = parse("m --limit-mm-per-prompt.image 2 --limit-mm-per-prompt.video=0 -cc.cudagraph_capture_sizes+ 1,2")
    assert p.values["limit_mm_per_prompt"] == {"image": 2, "video": 0}
    # vLLM splits "+" values on commas as strings; pydantic converts them later
    assert p.values["compilation_config"] == {"cudagraph_capture_sizes": ["1", "2"]}


def test_json_flag():
    p = parse("""m --speculative-config {"method":"ngram","num_speculative_tokens":3}""")
    assert p.values["speculative_config"] == {"method": "ngram", "num_speculative_tokens": 3}
    assert codes(parse("m --speculative-config {bad")) == ["invalid-json"]


def test_opt_level():
    assert "optimization_level" in parse("m -O3").values
    assert parse("m -O3", version="0.10.2").values["compilation_config"] == {"level": 3}


def test_symbolic_values_are_not_judged():
    p = parse("${MODEL} --max-model-len ${MAX_LEN} --gpu-memory-utilization $(UTIL) $EXTRA_ARGS")
    assert p.problems == [] and p.error is None
    assert "max_model_len" not in p.values and "max_model_len" in p.symbolic


def test_config_file_precedence():
    cfg = {"model": "org/m", "max-model-len": 4096, "enforce_eager": True, "enable-prefix-caching": False, "dtype": "half"}
    p = parse("--config c.yaml --dtype bfloat16", config_loader=lambda path: cfg)
    assert p.model == "org/m"
    assert p.values["max_model_len"] == 4096 and p.values["enforce_eager"] is True
    assert p.values["enable_prefix_caching"] is False
    assert p.values["dtype"] == "bfloat16"  # CLI wins
    assert p.uses["max_model_len"].from_config


def test_config_must_be_yaml():
    p = parse("--config c.json")
    assert p.error == "ValueError: Config file must be of a yaml/yml type. json supplied"


def test_engine_kwargs():
    p = parse_args(["--max_model_len", "8192", "--enable_chunked_prefill", "true", "--max_model_length", "1"],
                   version="0.33.0", entrypoint="engine_kwargs")
    assert p.values["max_model_len"] == 8192 and p.values["enable_chunked_prefill"] is True
    (prob,) = p.problems
    assert prob.code == "unknown-flag" and "unexpected keyword argument 'max_model_length'" in prob.message
    # no prefix matching for keyword arguments
    p = parse_args(["--max_num_seq", "8"], version="0.33.0", entrypoint="engine_kwargs")
    assert [x.code for x in p.problems] == ["unknown-flag"]


def test_between_samples_uncertain_flags_not_unknown():
    # --speculative-config appeared between 0.7.3 and 0.8.5.post1: on 0.8.3 it may exist
    p = parse('m --speculative-config {}', version="0.8.3")
    assert "unknown-flag" not in codes(p) and "not-yet-added" not in codes(p)


def test_quantization_checked_against_the_release_registry():
    # argparse choices up to 0.8; from 0.9 ModelConfig checks QUANTIZATION_METHODS after parsing
    p = parse("m --quantization none", version="0.8.3")
    assert codes(p) == ["invalid-choice"] and "invalid choice: 'none'" in p.error
    p = parse("m --quantization none", version="0.33.0")
    assert codes(p) == ["invalid-choice"] and p.error is None
    assert p.problems[0].message.startswith("ValueError: Unknown quantization method: none. Must be one of ['awq'")
    assert codes(parse("m --quantization awq", version="0.33.0")) == []


def test_config_file_missing_when_loader_knows():
    def missing(path):
        raise FileNotFoundError(path)

    p = parse("m --config c.yaml", config_loader=missing)
    assert p.error == "FileNotFoundError: [Errno 2] No such file or directory: 'c.yaml'"
    assert parse("m --config c.yaml", config_loader=lambda path: None).error is None
