"""Weight bytes per GPU: parameter shapes × storage format, sharded the way vLLM shards them.

Sharding (vLLM's parallel linear layers): attention heads, MLP columns and experts split by TP;
K/V projections replicated once TP exceeds the KV head count; vocab embedding and lm_head padded
to a multiple of 64 and split evenly by TP; norms replicated. Under PP each rank holds its
slice of layers, the first the embedding, the last the lm_head (tied: both ends hold a copy).

Storage per parameter of a quantized linear layer (embeddings, lm_head, norms and the layers a
format lists as not converted stay at the model dtype):
AWQ/GPTQ/compressed-tensors b-bit: b/8 + an fp16 scale per group, plus a b-bit packed zero point per group
only where the loaded layer keeps one (see ``_keeps_zero_points``); FP8 (fp8, fbgemm_fp8, compressed-tensors
float, modelopt fp8): 1 byte; bitsandbytes nf4: 0.5 + absmax per 64 (double-quantized, 1 byte);
int8: 1; MXFP4: 0.5 + one e8m0 scale per 32; NVFP4: 0.5 + one fp8 scale per 16.
"""

from __future__ import annotations

from dataclasses import dataclass

from vllm_lint.models.arch import ModelArch, ceil_div
from vllm_lint.memory.releases import release
from vllm_lint.memory.weight_segments import rounding_bytes


@dataclass(frozen=True)
class WeightFormat:
    name: str  # "bf16", "awq-4bit-g128", ...
    linear_bytes: float  # bytes per parameter of quantized linear layers
    experts_only: bool = False  # format leaves attention unquantized (gpt-oss MXFP4)
    packed_bytes: float | None = None  # bytes per parameter of the main weight tensor (no scales/zeros)

    @property
    def main_tensor_bytes(self) -> float:
        return self.packed_bytes if self.packed_bytes is not None else self.linear_bytes


def _group_overhead(bits: int, group: int | None, zero_point: bool = True) -> float:
    """Bytes per weight of the per-group metadata: one fp16 scale, plus a ``bits``-wide zero point
    packed into int32 words (``[out // (32 // bits), groups]``) when the layer keeps zero points."""
    if not group or group <= 0:
        return 0.0
    return (2 + (bits / 8 if zero_point else 0.0)) / group


def _is_false(v: object) -> bool:
    return v is False or (isinstance(v, str) and v.strip().lower() == "false")


def _is_true(v: object) -> bool:
    return v is True or (isinstance(v, str) and v.strip().lower() == "true")


# Group sizes (and widths) vLLM's Marlin kernels take for GPTQ (``is_gptq_marlin_compatible``).
_MARLIN_GROUPS = frozenset({-1, 32, 64, 128})


def _keeps_zero_points(method: str, q: dict, bits: int, group: int, flag: str, gpu_cc: tuple[int, int] | None,
                       version: str | None) -> bool:
    """Whether the loaded layer still holds zero points (what "Model loading took" counts: the figure is
    taken after ``process_weights_after_loading``, so tensors freed there do not count).

    * AWQ (``awq`` / ``awq_marlin``): ``qzeros`` are always created and kept (Marlin converts them with
      ``awq_to_marlin_zero_points``), so they always count.
    * GPTQ: ``qzeros`` are always created, even for ``sym: true`` checkpoints (stored, constant). Since
      ``GPTQMarlinLinearMethod`` runs through the ``MPLinearKernel`` classes (PR #7701, first in 0.6.2)
      with ``zero_points=False`` (``MemoryProfile.gptq_marlin_frees_zeros``), the ``gptq_marlin`` path that vLLM picks by itself for 4/8-bit
      ``sym: true`` checkpoints with group size -1/32/64/128 on compute capability 8.0+ (unless
      ``--quantization gptq`` forces the exllama kernel) replaces them with an empty tensor
      (``MarlinLinearKernel``: ``marlin_make_empty_g_idx`` for the zero-point parameter). Earlier releases
      and every other GPTQ path keep them. (Marlin on sm75, PR #29901, is not modelled: T4 keeps them.)
    * compressed-tensors ``pack-quantized`` (``CompressedTensorsWNA16.create_weights``): registers
      ``weight_zero_point`` only ``if not self.symmetric``; ``symmetric`` defaults to true in the
      compressed-tensors ``QuantizationArgs``.
    """
    if method in ("awq", "awq_marlin"):
        return True
    if method in ("gptq", "gptq_marlin"):
        if not release(version).gptq_marlin_frees_zeros:
            return True
        marlin = (_is_true(q.get("sym")) and bits in (4, 8) and group in _MARLIN_GROUPS and flag != "gptq"
                  and (gpu_cc is None or tuple(gpu_cc) >= (8, 0)))
        return not marlin
    return True


def weight_format(model: ModelArch, quantization_flag: str | None, dtype_bytes: int, *,
                  gpu_cc: tuple[int, int] | None = None, version: str | None = None) -> WeightFormat:
    """Storage format of the checkpoint's linear layers (the ``--quantization`` flag can add online FP8).
    ``gpu_cc`` (compute capability) and ``version`` decide whether GPTQ runs on Marlin and frees its zero
    points; None assumes a current release on a Marlin-capable GPU."""
    q = model.quantization or {}
    method = str(q.get("quant_method") or "").lower()
    flag = (quantization_flag or "").lower()
    if not method and flag in ("fp8", "fbgemm_fp8", "ptpc_fp8"):
        return WeightFormat("fp8 (online)", 1.0)
    if not method and flag in ("bitsandbytes",):
        return WeightFormat("bitsandbytes nf4 (in-flight)", 0.5 + 1 / 64, packed_bytes=0.5)
    if not method:
        return WeightFormat({4: "fp32", 2: "bf16/fp16", 1: "fp8"}.get(dtype_bytes, "bf16"), float(dtype_bytes))
    if method in ("awq", "awq_marlin", "gptq", "gptq_marlin", "auto-round", "auto_round", "autoround"):
        bits = int(q.get("bits") or q.get("w_bit") or 4)
        group = int(q.get("group_size") or q.get("q_group_size") or 128)
        zp = _keeps_zero_points(method, q, bits, group, flag, gpu_cc, version)
        name = f"{method} {bits}-bit g{group}" + ("" if zp else " sym")
        return WeightFormat(name, bits / 8 + _group_overhead(bits, group, zp), packed_bytes=bits / 8)
    if method in ("fp8", "fbgemm_fp8", "modelopt", "ptpc_fp8") and "fp4" not in str(q.get("quant_algo", "")).lower():
        return WeightFormat("fp8", 1.0)
    if method in ("modelopt_fp4", "nvfp4") or "fp4" in str(q.get("quant_algo", "")).lower():
        return WeightFormat("nvfp4", 0.5 + 1 / 16, packed_bytes=0.5)
    if method == "mxfp4":
        return WeightFormat("mxfp4 (experts)", 0.5 + 1 / 32, experts_only=True)
    if method == "bitsandbytes":
        if q.get("load_in_8bit"):
            return WeightFormat("bitsandbytes int8", 1.0)
        return WeightFormat("bitsandbytes nf4", 0.5 + 1 / 64, packed_bytes=0.5)
    if method in ("compressed-tensors", "compressed_tensors"):
        groups = q.get("config_groups") or {}
        for g in groups.values() if isinstance(groups, dict) else []:
            w = (g or {}).get("weights") or {}
            bits = int(w.get("num_bits") or 8)
            wtype = str(w.get("type") or "int")
            if bits == 4 and wtype == "float":
                return WeightFormat("compressed-tensors nvfp4", 0.5 + 1 / 16, packed_bytes=0.5)
            gs = w.get("group_size")
            zp = _is_false(w.get("symmetric"))  # QuantizationArgs.symmetric defaults to True
            name = f"compressed-tensors {wtype}{bits}" + (f" g{gs}" if gs else "") + (" asym" if zp else "")
            return WeightFormat(name, bits / 8 + _group_overhead(bits, gs, zp), packed_bytes=bits / 8)
        return WeightFormat("compressed-tensors", 1.0)
    if method in ("gguf",):
        return WeightFormat("gguf (~4.5 bit)", 0.5625)
    return WeightFormat(method, float(dtype_bytes))


@dataclass(frozen=True)
class RankWeights:
    bytes: int  # parameters as stored on the rank, allocator rounding included
    params: int
    format: str
    rounding: int = 0  # whole blocks torch's caching allocator hands out (memory/weight_segments.py)
    held: int = 0  # what the weights' segments hold beyond the weights (reserved, not released)


def _pad(v: int, tp: int) -> int:
    """The vocabulary as ``VocabParallelEmbedding`` holds it over ``tp`` ranks: padded to a multiple of 64
    (``pad_vocab_size``), then split evenly (``divide``: vLLM requires the padded size to divide by TP)."""
    return ceil_div(ceil_div(v, 64) * 64, tp) * tp


def weights_per_rank(model: ModelArch, *, tp: int, pp: int, pp_rank: int, layers_on_rank: int, dtype_bytes: int,
                     quantization_flag: str | None = None, vision: bool = True,
                     gpu_cc: tuple[int, int] | None = None, version: str | None = None,
                     first_layer: int | None = None, env: dict[str, str] | None = None,
                     extra_vocab: int = 0, ep: int = 1) -> RankWeights:
    """Bytes of weights held by one (TP rank, PP rank). ``vision=False``: the multimodal encoder is not
    built (language-model-only mode, see ``memory.multimodal``). ``first_layer`` (default: an even
    split) and ``env`` (``PYTORCH_CUDA_ALLOC_CONF``) place the rank's tensors on torch's allocator.
    ``extra_vocab``: LoRA's extra vocabulary rows on the embedding and the lm_head (``memory/lora.py``).
    ``ep``: the expert-parallel group (``--enable-expert-parallel``: TP × DP ranks, each holding
    ``num_experts / ep`` whole experts, ``FusedMoE`` with an ``expert_map``); 1 slices every expert by TP."""
    fmt = weight_format(model, quantization_flag, dtype_bytes, gpu_cc=gpu_cc, version=version)
    b = model.param_breakdown()
    L = max(1, model.num_layers)
    frac = layers_on_rank / L
    h = model.hidden_size
    kinds = model.attention_layer_kinds()
    n_attn = max(1, sum(1 for k in kinds if k in ("full", "sliding")))
    # K/V projections are replicated once TP exceeds the KV heads: add the replicated share back.
    attn = b["attention"] / tp
    if not model.is_mla and model.num_kv_heads < tp:
        kv_per_layer = 2 * h * model.num_kv_heads * model.head_dim
        attn += n_attn * kv_per_layer * (1 / model.num_kv_heads - 1 / tp)
    experts_rank = b["experts"] / (ep if ep > 1 else tp)
    linear_q = (b["mlp"] + b["shared"] + b["mamba"]) / tp + experts_rank
    linear_attn = attn
    dense_bytes = 0.0
    if fmt.experts_only:
        quant_bytes = experts_rank * fmt.linear_bytes
        dense_bytes += (b["mlp"] + b["shared"] + b["mamba"]) / tp * dtype_bytes + linear_attn * dtype_bytes
    else:
        quant_bytes = (linear_q + linear_attn) * fmt.linear_bytes
    per_layers = (quant_bytes + dense_bytes) * frac + b["norms"] * frac * dtype_bytes
    if not vision:
        b = {**b, "vision": 0}
    if pp_rank == 0 and b.get("vision"):
        per_layers += b["vision"] / tp * dtype_bytes  # vision tower: first stage, unquantized
    vocab_rank = _pad(model.vocab_size, tp) // tp
    ends = 0
    if pp_rank == 0:
        ends += vocab_rank * h + ceil_div(extra_vocab, tp) * h
    if pp_rank == pp - 1 and (not model.tie_word_embeddings or pp > 1):
        # with LoRA the lm_head pads to lora_vocab_padding_size (256) and adds the extra rows
        head = (ceil_div(model.vocab_size, 256) * 256 + extra_vocab) // tp if extra_vocab else vocab_rank
        ends += head * h
    total = per_layers + ends * dtype_bytes
    total += mla_kv_b_copy_bytes(model, fmt, tp=tp, layers_on_rank=layers_on_rank, dtype_bytes=dtype_bytes,
                                 version=version)
    total += mla_absorbed_bytes(model, fmt, tp=tp, layers_on_rank=layers_on_rank, dtype_bytes=dtype_bytes,
                                version=version, env=env)
    params = int(((b["attention"] + b["mlp"] + b["shared"] + b["mamba"] + b["norms"]) / tp + experts_rank) * frac + ends
                 + (b.get("vision", 0) / tp if pp_rank == 0 else 0))
    rounding = held = 0
    if not fmt.experts_only:
        start = first_layer if first_layer is not None else pp_rank * (model.num_layers // max(1, pp))
        rounding, held = rounding_bytes(model, tp=tp, pp=pp, pp_rank=pp_rank, first_layer=start,
                                        layers_on_rank=layers_on_rank, bytes_per_param=fmt.main_tensor_bytes,
                                        dtype_bytes=dtype_bytes, vocab_rank=vocab_rank,
                                        rope=rope_cache_shape(model), env=env, ep=ep)
    # the free-memory drop (≤ 0.6.3) sees the weights' whole segments; later releases allocated_bytes
    counted = held if release(version).v0_profiling == "free_drop" else rounding
    return RankWeights(int(total) + counted, params, fmt.name, rounding, held)


def mla_kv_b_copy_bytes(model: ModelArch, fmt: WeightFormat, *, tp: int, layers_on_rank: int, dtype_bytes: int,
                        version: str | None) -> int:
    """The model-dtype copy of kv_b_proj an MLA layer keeps after loading (``process_weights_after_loading``
    of the MLA attention, ``MemoryProfile.mla_dequantized_kv_b``): ``get_and_maybe_dequant_weights`` returns the
    weight itself when it is unquantized, so W_UK_T and W_UV are views and cost nothing; a quantized
    kv_b_proj (FP8, INT4, ...) is dequantized into a new [kv_lora_rank, heads/TP × (qk_nope + v)] tensor
    that the views keep alive. Counted by "Model loading took"."""
    if not model.is_mla or not model.kv_lora_rank or fmt.experts_only or fmt.name in ("bf16/fp16", "fp32", "bf16"):
        return 0
    if not release(version).mla_dequantized_kv_b:
        return 0
    heads = -(-model.num_attention_heads // tp)
    per_layer = int(model.kv_lora_rank) * heads * ((model.qk_nope_head_dim or 0) + (model.v_head_dim or 0))
    return per_layer * layers_on_rank * dtype_bytes


def mla_absorbed_bytes(model: ModelArch, fmt: WeightFormat, *, tp: int, layers_on_rank: int, dtype_bytes: int,
                       version: str | None, env: dict[str, str] | None = None) -> int:
    """The products V0's MLA keeps after loading (``MLACommonImpl.process_weights_after_loading``, 0.7.1–0.7.3,
    ``MemoryProfile.mla_absorbed``), per layer and rank with N = heads / TP and q_in = q_lora_rank (or hidden):
    ``W_QR`` [q_in, N × qk_rope] in the model dtype, ``W_Q_UK`` [q_in, N × kv_lora] and ``W_UV_O``
    [N × kv_lora, hidden], in the model dtype, or requantized to FP8 for an FP8 checkpoint, which also
    keeps the dequantized kv_b_proj [kv_lora, N × (qk_nope + v)] alive (``W_UK``/``W_UV`` are views of it).
    The original projections stay registered. ``VLLM_MLA_PERFORM_MATRIX_ABSORPTION=0`` keeps only W_QR
    (bf16 checkpoints); ``VLLM_MLA_DISABLE=1`` runs the model without MLA. Counted by "Model loading took"."""
    env = env or {}
    if not model.is_mla or not model.kv_lora_rank or not release(version).mla_absorbed \
            or env.get("VLLM_MLA_DISABLE", "0") not in ("", "0"):
        return 0
    n = -(-model.num_attention_heads // tp)
    q_in = int(model.q_lora_rank or model.hidden_size)
    rope, nope, v = int(model.qk_rope_head_dim or 0), int(model.qk_nope_head_dim or 0), int(model.v_head_dim or 0)
    lora = int(model.kv_lora_rank)
    w_qr = q_in * n * rope * dtype_bytes
    if env.get("VLLM_MLA_PERFORM_MATRIX_ABSORPTION", "1") in ("0", ""):
        return w_qr * layers_on_rank
    fp8 = fmt.name.startswith("fp8") or fmt.name == "compressed-tensors float8"
    products = (q_in * n * lora + n * lora * model.hidden_size) * (1 if fp8 else dtype_bytes)
    kv_b = lora * n * (nope + v) * dtype_bytes if fp8 else 0
    return (w_qr + products + kv_b) * layers_on_rank


# Position schemes without a rotary cache (learned or ALiBi positions).
_NO_ROPE = frozenset({"opt", "gpt2", "gpt_bigcode", "bloom", "mpt", "bert", "roberta", "mamba", "mamba2"})
# Rotary classes whose cache covers original length × factor (vLLM's Linear/DynamicNTK/YaRN/DeepSeek-YaRN
# scaling embeddings); llama3 and longrope keep the configured length.
_SCALED_CACHE = frozenset({"linear", "dynamic", "yarn", "deepseek_yarn"})


def rope_cache_bytes(model: ModelArch, dtype_bytes: int) -> int:
    """The rotary embedding's ``cos_sin_cache`` buffer: [cache length, rotary dim] in the model dtype,
    built at model init and shared by every layer (``get_rope`` caches instances), so vLLM's "Model
    loading took" figure includes it (e.g. Llama-3.1-8B: 131072 × 128 × 2 B = 32 MiB; measured on
    0.26: 15.00 GiB vs 14.96 of parameters)."""
    shape = rope_cache_shape(model)
    return shape[0] * shape[1] * dtype_bytes if shape else 0


def rope_cache_shape(model: ModelArch) -> tuple[int, int] | None:
    """(cache length, rotary dim) of the shared rotary cache, or None without one."""
    if model.model_type in _NO_ROPE or not model.max_position_embeddings:
        return None
    rotary_dim = (model.qk_rope_head_dim or model.head_dim) if model.is_mla else model.head_dim
    length = float(model.max_position_embeddings)
    rs = model.rope_scaling or {}
    rtype = str(rs.get("rope_type") or rs.get("type") or "")
    factor = rs.get("factor")
    if rtype in _SCALED_CACHE and factor:
        orig = rs.get("original_max_position_embeddings")
        length = float(orig) * float(factor) if orig and rtype != "linear" else length * float(factor)
    return int(length), int(rotary_dim)
