"""L2 sizes feed the cold torch.compile term of the activation peak."""

from __future__ import annotations

from vllm_lint.hardware.gpus import all_gpus, resolve_gpu
from vllm_lint.hardware.l2 import FALLBACK_MIB, L2_MIB, l2_cache_bytes
from vllm_lint.memory.activation import compile_autotune_bytes


def test_every_listed_key_is_a_catalog_gpu():
    keys = {g.key for g in all_gpus()}
    assert set(L2_MIB) <= keys


def test_sizes_by_chip():
    assert l2_cache_bytes(resolve_gpu("H100")) == 50 * 2**20  # measured through torch device properties
    assert l2_cache_bytes(resolve_gpu("A10G")) == 6 * 2**20
    assert l2_cache_bytes(resolve_gpu("RTX 4090")) == 72 * 2**20
    assert l2_cache_bytes(resolve_gpu("B200")) == FALLBACK_MIB * 2**20  # not listed: the H100 figure


def test_only_a_cold_compiled_start_benchmarks():
    assert compile_autotune_bytes(True, "cold", 1000) == 1000
    assert compile_autotune_bytes(True, "warm", 1000) == 0
    assert compile_autotune_bytes(False, "cold", 1000) == 0
