"""L2 cache size per GPU, for the one place vLLM's memory accounting sees it.

On a cold start (no torch.compile cache), Inductor benchmarks its Triton kernels the first time they
run, which is inside vLLM's profile run. ``InductorBenchmarker.benchmark_gpu`` (torch
``_inductor/runtime/benchmarking.py``, the default benchmarker) allocates an L2-sized int32 buffer
to flush the cache between timings, so the profile peak grows by the L2 size.

Sizes are the chips' published L2 capacities (NVIDIA architecture whitepapers and product pages);
the H100's 50 MiB was also read from ``torch.cuda.get_device_properties`` (gpus.jsonl evidence).
"""

from __future__ import annotations

from vllm_lint.hardware.gpus import GpuSpec
from vllm_lint.units import MIB

# Measured on an H100 (torch props L2_cache_size); used for GPUs without a published figure here.
FALLBACK_MIB = 50

# GPU catalog key -> L2 MiB, by chip.
L2_MIB: dict[str, float] = {
    # Volta GV100 6 MiB; Turing TU104 4 MiB
    "V100-SXM2-16GB": 6, "V100-SXM2-32GB": 6, "V100-PCIe-16GB": 6, "V100-PCIe-32GB": 6, "T4": 4,
    # Ampere: GA100 (A100/A800) 40 MiB, A30 24 MiB, GA102 (A10/A10G/A40/RTX 3090/A5000/A6000) 6 MiB, GA106 (3060) 3 MiB
    "A100-SXM4-40GB": 40, "A100-PCIe-40GB": 40, "A100-SXM4-80GB": 40, "A100-PCIe-80GB": 40, "A800-SXM4-80GB": 40,
    "A30": 24, "A10": 6, "A10G": 6, "A40": 6, "RTX 3090": 6, "RTX 3090 Ti": 6, "RTX A5000": 6, "RTX A6000": 6,
    "RTX 3080": 5, "RTX 3060": 3,
    # Ada: AD102 full 96 MiB (L40, L40S, L20, RTX 6000 Ada), RTX 4090 72 MiB, AD104 (L4) 48 MiB
    "L40": 96, "L40S": 96, "L20": 96, "RTX 6000 Ada": 96, "RTX 4090": 72, "L4": 48,
    "RTX 4080": 64, "RTX 4060 Ti": 32,
    # Turing TU102 (RTX 2080 Ti) 5.5 MiB
    "RTX 2080 Ti 22GB": 5.5,
    # Hopper GH100 as shipped: 50 MiB
    "H100-SXM": 50, "H100-PCIe": 50, "H100-NVL": 50, "H800": 50, "H200": 50, "H200-NVL": 50, "GH200": 50,
    # Blackwell GB202 (RTX 5090) 96 MiB
    "RTX 5090": 96,
}


def l2_cache_bytes(gpu: GpuSpec) -> int:
    """The GPU's L2 size in bytes (the H100's 50 MiB where the chip is not listed)."""
    return int(L2_MIB.get(gpu.key, FALLBACK_MIB) * MIB)
