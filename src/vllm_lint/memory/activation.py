"""Transient peak of vLLM's profile run (the "activation peak"), non-torch memory and CUDA graphs.

vLLM measures these; a static linter models what drives them (vllm-memory-model.md §1.3, §1.4, §7):

* Forward pass of ``N = max_num_batched_tokens`` tokens (V0 without chunked prefill:
  max(max_model_len, 2048)). The peak sits in the MLP of one layer: residual, normed input and
  down-projection output (3 × hidden) plus gate_up (2 × intermediate / TP) and the activation output
  (intermediate / TP), all in the model dtype. Sandwich-norm models (Gemma 2/3, GLM-4) add one
  more hidden-sized tensor. MoE layers instead hold, per token and selected expert, the fused-MoE
  caches (3 × moe_intermediate / TP + hidden), in chunks of at most 32768 tokens.
* Sampler over ``R = min(max_num_seqs, N)`` rows of vocabulary logits, which peaks separately:
  V0 runs a top-p/top-k dummy batch: fp32 logits, sorted values, int64 indices, softmax, cumsum,
  mask, scatter, probs and logprobs (≈37 bytes per logit); V1 up to 0.26 samples the dummy batch in
  the model dtype (bf16 logits plus the final hidden states); the 0.33+ V2 runner also runs the
  fp32 pipeline (≈10 bytes per logit).
* Non-torch memory that grows during profiling (cuBLAS workspaces, NCCL and custom all-reduce
  buffers): medians of real logs, more with TP > 1.
* CUDA graphs (counted only by the 0.33+ V2 runner, zero under enforce_eager): grows with the capture
  sizes (up to 512 by default) and the layer count; a few hundred MiB to ~1 GiB.
"""

from __future__ import annotations

from dataclasses import dataclass

from vllm_lint.models.arch import ModelArch

GIB = 2**30
MOE_CHUNK = 32768  # VLLM_FUSED_MOE_CHUNK_SIZE default
V0_SAMPLER_BYTES_PER_LOGIT = 4 + 4 + 8 + 4 + 4 + 1 + 4 + 4 + 4  # fp32 logits, sort values+int64 idx, softmax, cumsum, mask, scatter, probs, logprobs
V1_SAMPLER_BYTES_PER_LOGIT = 2  # model-dtype logits (greedy dummy sampling)
V2_SAMPLER_BYTES_PER_LOGIT = 2 + 4 + 4  # model-dtype logits, fp32 copy, fp32 probabilities


@dataclass(frozen=True)
class Activation:
    forward_bytes: int
    sampler_bytes: int
    tokens: int
    rows: int

    @property
    def peak_bytes(self) -> int:
        return max(self.forward_bytes, self.sampler_bytes)


def activation_peak(model: ModelArch, *, tokens: int, rows: int, dtype_bytes: int, tp: int, era: str,
                    last_rank: bool = True, moe_chunking: bool = True) -> Activation:
    h = model.hidden_size
    norms = 4 if model.sandwich_norms else 3
    dense_i = model.intermediate_size / tp
    mult = 3 if model.gated_mlp else 2
    dense = tokens * dtype_bytes * (norms * h + mult * dense_i)
    if model.is_moe:
        moe_i = (model.moe_intermediate_size or model.intermediate_size) / tp
        chunk = min(tokens, MOE_CHUNK) if moe_chunking else tokens  # fused-MoE chunking arrived in 0.5.2
        moe = tokens * dtype_bytes * norms * h + chunk * model.num_experts_per_tok * dtype_bytes * (3 * moe_i + h)
        shared = tokens * dtype_bytes * 3 * model.shared_expert_intermediate_size / tp
        forward = max(moe + shared, dense if model.first_dense_layers else 0)
    else:
        forward = dense
    sampler = 0
    if last_rank:
        if era.startswith("v0"):
            per = V0_SAMPLER_BYTES_PER_LOGIT
        elif era == "v1-0.33":
            per = V2_SAMPLER_BYTES_PER_LOGIT
        else:
            per = V1_SAMPLER_BYTES_PER_LOGIT
        sampler = rows * model.vocab_size * per + 2 * tokens * h * dtype_bytes + rows * h * dtype_bytes
    return Activation(int(forward), int(sampler), tokens, rows)


def non_torch_bytes(era: str, tp: int, consumer: bool) -> int:
    """Non-torch growth during profiling. Medians of logs (groundtruth/NOTES.md pattern 4; 0.26 measured 0.22 GiB)."""
    if era.startswith("v0"):
        base = 0.10 + (0.35 if consumer else 0.0)
    else:
        base = 0.22
    if tp > 1:
        base += 0.15  # NCCL and custom all-reduce buffers
    return int(base * GIB)


def cuda_graph_bytes(era: str, *, enforce_eager: bool, layers_on_rank: int, capture_size: int, env: dict[str, str]) -> int:
    """CUDA-graph memory vLLM subtracts before sizing the KV cache (0.33+ V2 model runner only)."""
    if enforce_eager or era != "v1-0.33":
        return 0
    if env.get("VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS", "1").strip() == "0":
        return 0
    scale = min(1.0, capture_size / 512)
    return int((0.25 + 0.02 * layers_on_rank) * scale * GIB)
