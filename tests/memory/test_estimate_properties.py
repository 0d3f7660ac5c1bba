"""The estimate never crashes and keeps its invariants over catalog models, GPUs, releases and flags."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vllm_lint.hardware.gpus import all_gpus
from vllm_lint.memory.estimate import estimate
from vllm_lint.memory.settings import EngineSettings
from vllm_lint.models.resolve import catalog_ids, lookup_catalog
from vllm_lint.vllm.versions import KNOWN_VERSIONS

# Models the estimator refuses (ModelArch.unsupported: KV layouts it does not model) raise UnsupportedModel by contract.
MODELS = [m for m in catalog_ids() if not lookup_catalog(m).unsupported]
GPUS = all_gpus()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    model=st.sampled_from(MODELS),
    gpu=st.sampled_from(GPUS),
    version=st.sampled_from(KNOWN_VERSIONS + ("0.4.0",)),
    tp=st.sampled_from([1, 2, 3, 4, 8, 16]),
    pp=st.sampled_from([1, 2, 3]),
    util=st.one_of(st.none(), st.floats(0.05, 1.0)),
    mml=st.one_of(st.none(), st.just(-1), st.integers(1, 2_000_000)),
    kv=st.sampled_from(["auto", "fp8", "fp8_e5m2", "bfloat16"]),
    eager=st.booleans(),
    seqs=st.one_of(st.none(), st.integers(1, 4096)),
    mnbt=st.one_of(st.none(), st.integers(1, 200_000)),
)
def test_estimate_invariants(model, gpu, version, tp, pp, util, mml, kv, eager, seqs, mnbt):
    s = EngineSettings(tensor_parallel_size=tp, pipeline_parallel_size=pp, gpu_memory_utilization=util,
                       max_model_len=mml, kv_cache_dtype=kv, enforce_eager=eager, max_num_seqs=seqs,
                       max_num_batched_tokens=mnbt)
    cap = estimate(lookup_catalog(model), gpu, s, version)
    assert cap.num_gpu_blocks >= 0 and cap.kv_cache_tokens >= 0 and cap.block_size > 0
    assert 0 <= cap.max_model_len_that_fits
    if cap.fits:
        assert cap.max_model_len_that_fits >= cap.max_model_len
    else:
        assert cap.max_model_len_that_fits < cap.max_model_len or cap.max_model_len_that_fits == 0
    if cap.min_gpu_memory_utilization is not None:
        assert 0 < cap.min_gpu_memory_utilization <= 1.0
    assert cap.weights_gib > 0 and cap.activation_gib >= 0
    assert isinstance(cap.to_json(), dict) and cap.breakdown_lines()
