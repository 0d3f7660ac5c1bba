"""settings_from_args: vLLM dest names, human-readable ints, symbolic values left at the default."""

from __future__ import annotations

from vllm_lint.memory.settings import EngineSettings, parse_human_int, settings_from_args


def test_human_ints():
    assert parse_human_int("8k") == 8000 and parse_human_int("8K") == 8192
    assert parse_human_int("25.6k") == 25600 and parse_human_int("20G") == 20 * 2**30
    assert parse_human_int("20GiB") == 20 * 2**30 and parse_human_int(4096) == 4096
    assert parse_human_int("${MAX_LEN}") is None and parse_human_int(True) is None


def test_typed_and_string_values():
    s = settings_from_args({"tensor_parallel_size": "2", "gpu_memory_utilization": "0.85", "max_model_len": "16k",
                            "enforce_eager": "true", "kv_cache_dtype": "FP8", "unknown_flag": 3,
                            "kv_cache_memory_bytes": "8G", "num_gpu_blocks_override": 100})
    assert (s.tensor_parallel_size, s.gpu_memory_utilization, s.max_model_len) == (2, 0.85, 16000)
    assert s.enforce_eager and s.kv_cache_dtype == "fp8"
    assert s.kv_cache_memory_bytes == 8 * 2**30 and s.num_gpu_blocks_override == 100


def test_symbolic_values_keep_defaults():
    s = settings_from_args({"max_model_len": "$MAX_LEN", "gpu_memory_utilization": "${GMU}", "dtype": "${DTYPE}"})
    d = EngineSettings()
    assert (s.max_model_len, s.gpu_memory_utilization, s.dtype) == (d.max_model_len, d.gpu_memory_utilization, d.dtype)


def test_auto_len_spec_decode_and_eager_spellings():
    assert settings_from_args({"max_model_len": "auto"}).max_model_len == -1
    assert settings_from_args({"speculative_config": '{"method": "eagle", "num_speculative_tokens": 3}'}).num_speculative_tokens == 3
    assert settings_from_args({"optimization_level": "0"}).enforce_eager
    # cudagraph_mode NONE turns the graphs off but keeps torch.compile: not eager
    no_graphs = settings_from_args({"compilation_config": {"cudagraph_mode": "NONE"}})
    assert not no_graphs.enforce_eager and not no_graphs.cudagraphs
    assert settings_from_args({"compilation_config": "0"}).enforce_eager
    assert not settings_from_args({"compilation_config": {"level": 3}}).enforce_eager


def test_env_keeps_only_vllm_variables():
    s = settings_from_args({}, {"VLLM_USE_V1": "0", "HF_TOKEN": "secret"})
    assert s.env == {"VLLM_USE_V1": "0"}
