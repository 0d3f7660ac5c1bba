"""``--cpu-offload-gb``: which weights vLLM moves to host memory, and what the profile run brings back.

``maybe_offload_to_cpu`` (model_executor/models/utils.py) wraps every decoder layer that ``make_layers``
builds, in order from layer 0, with a byte budget of ``int(cpu_offload_gb * 1024**3)`` (GiB, per GPU).
It walks the layer's parameters in ``module.parameters()`` order (attention projections, MLP, norms)
and moves each whole parameter to pinned host memory while the running total is below the budget,
so the total offloaded is the first prefix of parameters that reaches the budget (it overshoots by
at most one parameter). The embedding and lm_head are never offloaded.

* V0 engine: the wrapped ``forward`` copies the layer's offloaded parameters back to the GPU for the
  call (``functional_call`` with a device copy of each), so the profile run's peak holds one layer's
  offloaded parameters next to its activations.
* V1 engine (0.8+): the parameters stay in host memory and the GPU reads them through unified virtual
  addressing (``get_cuda_view_from_cpu_tensor``); nothing is copied back.
"""

from __future__ import annotations

from dataclasses import dataclass

from vllm_lint.memory.weight_segments import layer_tensor_bytes
from vllm_lint.models.arch import ModelArch


@dataclass(frozen=True)
class Offload:
    bytes: int = 0  # parameters moved to host memory on this rank
    onload_bytes: int = 0  # the largest layer's offloaded parameters, copied back during its forward (V0)


def cpu_offload(model: ModelArch, *, cpu_offload_gb: float, tp: int, first_layer: int, layers_on_rank: int,
                bytes_per_param: float, dtype_bytes: int, v1: bool) -> Offload:
    """What ``--cpu-offload-gb`` moves off one rank (see the module docstring)."""
    budget = int((cpu_offload_gb or 0) * 1024**3)
    if budget <= 0:
        return Offload()
    h = model.hidden_size
    total = largest = 0
    for n in range(first_layer, first_layer + layers_on_rank):
        params = layer_tensor_bytes(model, tp=tp, layer=n, bytes_per_param=bytes_per_param, dtype_bytes=dtype_bytes)
        if not params:  # layer kinds whose tensors are not enumerated: their share of the weights, one tensor
            params = [int(_other_layer_bytes(model, tp, bytes_per_param))]
        params += [h * dtype_bytes, h * dtype_bytes]  # input and post-attention norms
        moved = 0
        for size in params:
            if total >= budget:
                break
            total += size
            moved += size
        largest = max(largest, moved)
        if total >= budget:
            break
    return Offload(total, 0 if v1 else largest)


def _other_layer_bytes(model: ModelArch, tp: int, bytes_per_param: float) -> float:
    b = model.param_breakdown()
    linear = b["attention"] + b["mlp"] + b["experts"] + b["shared"] + b["mamba"]
    return linear / max(1, model.num_layers) / tp * bytes_per_param
