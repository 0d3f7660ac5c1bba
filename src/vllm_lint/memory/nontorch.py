"""Non-torch memory vLLM subtracts, term by term, per release and GPU.

What the figure holds depends on what the release measures (``Runtime.profiling``):

* ``memory_profiling`` (V0 0.6.5–0.10, V1 0.9+): ``(total − free) − torch reserved`` after the profile
  run minus the same at a baseline. V0 and V1 up to 0.29 take the baseline in ``init_device`` *before*
  ``init_worker_distributed_environment``, so NCCL communicators and the custom all-reduce buffers
  created after it count; 0.30+ takes it after distributed init and a warm-up GEMM.
* ``used_minus_torch`` (V0 0.6.4, V1 0.8.x): ``(total − free) − torch allocated``: the CUDA context,
  anything else on the GPU, and the free part of segments torch holds (estimate.py adds the weights').
* ``free_drop`` (≤ 0.6.3): the drop of free memory from ``init_device``; the context predates it.

Terms:

* ``growth``: what the first forward loads or creates outside torch's allocator: lazily loaded kernel
  modules (CUDA_MODULE_LOADING=LAZY, torch's default), cuBLAS/cuBLASLt handle state, the driver's
  local-memory reservation for kernels that spill (per resident thread, so it scales with the SM
  count), cuDNN for convolutional vision towers. None of it is set by vLLM's source; its size depends
  on the driver, the CUDA/cuDNN builds and the kernels that run. The estimate keeps one figure per
  engine: 0.10 GiB on V0 (median of the public V0 logs), 0.22 GiB on V1 (measured, 0.26 on an H200).
* ``cuda_context``: only where ``used_minus_torch`` counts it; driver-dependent (0.51 GiB measured on
  an H200 as ``init_non_torch``; 0.25 GiB elsewhere, from an RTX 3090 log of 0.6.4).
* ``custom_all_reduce``: ``CustomAllreduce(max_size=8 MiB)`` (0.5–0.33) allocates its meta and data
  buffers with ``cudaMalloc`` (``create_shared_buffer``): 2 × 8 MiB per GPU, outside torch; its 8 MiB
  ``rank_data`` is a torch tensor created before the model, so no term holds it. Only with TP in
  {2, 4, 6, 8} on GPUs with peer access (not GeForce cards, whose driver refuses P2P) and without
  ``--disable-custom-all-reduce``; not counted where the baseline follows distributed init (0.30+).
* ``nccl``: the communicators of the tensor/pipeline group (vLLM's PyNccl communicator and torch's
  process group). NCCL sizes its buffers per channel and peer (NCCL_BUFFSIZE 4 MiB for the Simple
  protocol, plus LL and LL128 buffers) with channel counts and transports (P2P on device, SHM in host
  memory) chosen at run time from the topology, so no static fact fixes it: 0.15 GiB, the figure an
  RTX 4090 TP-2 startup log prints (vllm#13061), is kept for every TP/PP > 1.
"""

from __future__ import annotations

from vllm_lint.hardware.gpus import GpuSpec
from vllm_lint.memory.engine import Runtime
from vllm_lint.units import GIB, MIB

GROWTH_V0 = 0.10
GROWTH_V1 = 0.22
CONTEXT_HOPPER = 0.51
CONTEXT_OTHER = 0.25
NCCL = 0.15
CUSTOM_AR_MAX_SIZE = 8 * MIB  # CustomAllreduce max_size
CUSTOM_AR_WORLD_SIZES = frozenset({2, 4, 6, 8})


def custom_all_reduce_on(tp: int, gpu: GpuSpec, disabled: bool = False) -> bool:
    """vLLM's custom all-reduce runs: TP in {2, 4, 6, 8}, peer access between the GPUs (GeForce cards
    have none), not turned off."""
    return not disabled and tp in CUSTOM_AR_WORLD_SIZES and not gpu.consumer


def non_torch_terms(rt: Runtime, *, tp: int, pp: int, gpu: GpuSpec,
                    disable_custom_all_reduce: bool = False) -> dict[str, int]:
    """Bytes per term (see the module docstring); the sum is what the estimate subtracts."""
    terms = {"growth": int((GROWTH_V1 if rt.v1 else GROWTH_V0) * GIB)}
    if rt.profiling == "used_minus_torch":
        cc = gpu.compute_capability
        terms["cuda_context"] = int((CONTEXT_HOPPER if cc and cc[0] >= 9 else CONTEXT_OTHER) * GIB)
    after_init = rt.release.snapshot_after_distributed_init
    if tp * pp > 1:
        terms["nccl"] = int(NCCL * GIB)
    if custom_all_reduce_on(tp, gpu, disable_custom_all_reduce) and not after_init:
        terms["custom_all_reduce"] = 2 * CUSTOM_AR_MAX_SIZE
    return terms
