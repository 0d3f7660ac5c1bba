"""Transient peak of vLLM's profile run (the "activation peak"), non-torch memory and CUDA graphs.

vLLM reports ``torch peak − torch allocated before the profile run`` (``allocated_bytes.all.peak``,
i.e. tensor sizes rounded to 512 B, not the caching allocator's 2 MiB segments), so the estimate
is the largest set of tensors that are alive at one moment, plus anything the profile run leaves
allocated. Terms (read from vLLM's model and model-runner source per release):

* Forward pass of ``N = max_num_batched_tokens`` tokens (V0 without chunked prefill:
  max(max_model_len, 2048)); the peak is in the MLP of one layer, in the model dtype:

  - eager (every V0 profile run; V1 with ``--enforce-eager`` / ``-O0``): Python references decide.
    The decoder loop still holds the layer's input (``hidden_states`` of the previous layer), the
    layer holds the residual and the MLP input, the MLP holds ``gate_up`` (2 × intermediate), the
    activation output (intermediate) and the down-projection output: 4 × hidden + 3 × intermediate.
    Where the MLP rebinds ``x`` to the gate_up output (``LlamaMLP`` from 0.6; the 0.5 source still
    held ``gate_up``) gate_up is freed before the down projection and the peak is at the activation
    kernel: 3 × hidden + 3 × intermediate. ``Qwen2MLP`` (Qwen1.5/2/2.5/3) keeps ``gate_up``.
    Gemma's RMSNorm is not in place (returns new tensors), so the loop's previous residual stays
    alive next to the new one: one more hidden.
  - compiled (V1 default: piecewise torch.compile; Inductor frees each buffer after its last use):
    the piece after attention holds its inputs (attention output, heads × head_dim, and the residual),
    the new residual, gate_up and the activation output at the activation kernel:
    attention width + 2 × hidden + 3 × intermediate.
  - under TP the all-reduce of the down projection returns a new tensor next to the partial one,
    which outgrows the MLP's own tensors once intermediate / TP is small (dense_mlp_elements).

  MoE layers hold, per token and selected expert, the fused-MoE caches (3 × moe_intermediate / TP +
  hidden), in chunks of at most 32768 tokens (0.5.2+).
* Sampler over ``R = min(max_num_seqs, N)`` rows of vocabulary logits (lm_head padded to a multiple
  of 64), which peaks separately, next to the final hidden states (N × hidden, still held by
  ``profile_run``) and the R sampled rows:

  - V0 runs a top-p/top-k dummy batch: fp32 logits, sorted values, int64 indices, softmax, cumsum,
    mask, scatter, probs and logprobs (≈37 bytes per logit).
  - the V1 model runner's ``_dummy_sampler_run`` samples a ``rand_like`` copy of the rows with
    top-p 0.9 and top-k vocab − 1, and ``Sampler.forward`` casts the logits to fp32. Then, by backend:
    FlashInfer (``top_k_top_p_sampling_from_logits``: masked fp32 logits, their softmax) or, from 0.17,
    vLLM's Triton top-k/top-p in place followed by a softmax and exponential noise: 2 + 4 + 4 + 4 =
    14 bytes per logit. The PyTorch sort path sorts (fp32 values, int64 indices), masks, takes a
    softmax (cumsum in place) and scatters back: 2 + 4 + 12 + 1 + 4 + 1 + 4 = 28 bytes at the scatter.
    FlashInfer was the default from 0.8 to 0.11 (when installed), opt-in in 0.12–0.20 (so 0.12–0.16
    sort), and the default again from 0.21, which also added a second, native warm-up call.
  - Model Runner V2 (0.22+ for a growing set of models, ``engine.runner_of``) samples in place on
    the model-dtype logits: 2 bytes per logit. Measured on 0.26 (V2): 0.30 GiB at 2048 tokens and
    1024 rows of Llama-3.1-8B = 1024 × 128256 × 2 + (2048 + 1024) × 4096 × 2 + 32 MiB.
  - the 0.33+ V2 runner also runs the fp32 pipeline (≈10 bytes per logit).
  - final-logit soft-capping (Gemma-2: ``logits / cap``, ``tanh``, ``* cap`` in ``LogitsProcessor``)
    holds two model-dtype copies at each step, which outgrows an in-place sampler: 2 × 2 bytes.
* Cold torch.compile from 0.12: vLLM compiles every piece before the profiling forward's tensors exist
  but inside the profile's peak window (the piecewise backend compiles at trace time; from 0.17, on
  torch >= 2.10, ``VLLM_USE_AOT_COMPILE`` compiles ahead of the call). Since 0.12 (torch 2.9) vLLM turns
  on Inductor's combo kernels with ``benchmark_combo_kernel``, which times candidate kernels while
  compiling on random copies of their arguments at the traced token count (``get_args()``:
  rand_strided inputs and outputs). The largest is the first piece's fused embedding-lookup +
  input-norm kernel: the embedding table shard, the token ids and the two hidden-size outputs
  (residual and normed input). The copies are freed before the forward, so the profile peak is the
  larger of this spike and the forward's. It exceeds the forward when the vocabulary is large against
  the MLP or the batch is short: Gemma-2-9B on 0.26 (1.71 GiB table + 2 × 16384 × 3584 × 2 B =
  1.93 GiB, measured 1.93), Devstral-Small-2 at 2048 tokens on 0.15.1 (1.29 GiB);
  Llama-3.1-8B's 1.23 GiB stays below its 1.77 GiB forward. vLLM PR #54209 (open at 0.33) drops it.
* The cuBLAS workspace: torch allocates it through the caching allocator on the first GEMM of a
  (handle, stream) and keeps it, so it lands in the profile run's peak up to 0.32 (0.33 runs a tiny
  matmul in ``init_device`` before the memory snapshot). Size: torch's default
  ``CUBLAS_WORKSPACE_CONFIG`` = 4096 KiB × 8 = 32 MiB on compute capability 9.x/10.x/12.x,
  ``:4096:2:16:8`` = 8.125 MiB otherwise (ATen CublasHandlePool ``parseChosenWorkspaceSize``).
* Non-torch memory: ``memory/nontorch.py``.
* CUDA graphs, where the release and runner subtract them (``releases.cuda_graph_statement``): grows
  with the capture sizes (up to 512 by default) and the layer count; a few hundred MiB to ~1 GiB.

Which release does what is read from ``memory/releases.py``; which engine and runner run a launch from
``memory/engine.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from vllm_lint.memory.allocator import eager_decoder_events, simulate
from vllm_lint.memory.engine import Runtime
from vllm_lint.models.arch import ModelArch
from vllm_lint.units import GIB, MIB

MOE_CHUNK = 32768  # VLLM_FUSED_MOE_CHUNK_SIZE default
VOCAB_PADDING = 64  # DEFAULT_VOCAB_PADDING_SIZE of ParallelLMHead
V0_SAMPLER_BYTES_PER_LOGIT = 4 + 4 + 8 + 4 + 4 + 1 + 4 + 4 + 4  # fp32 logits, sort values+int64 idx, softmax, cumsum, mask, scatter, probs, logprobs
V1_SORT_SAMPLER_BYTES_PER_LOGIT = 2 + 4 + 4 + 8 + 1 + 4 + 1 + 4  # bf16, fp32 copy, sort values+idx, top-k mask, softmax, top-p mask, scatter
V1_SAMPLER_BYTES_PER_LOGIT = 2 + 4 + 4 + 4  # bf16, fp32 copy, masked logits (or in place) + softmax + noise
CUBLAS_WORKSPACE_HOPPER = 4096 * 8 * 1024  # torch default on compute capability 9.x, 10.x, 12.x
CUBLAS_WORKSPACE_DEFAULT = 4096 * 1024 * 2 + 16 * 1024 * 8  # ":4096:2:16:8" elsewhere
# Families whose MLP rebinds ``x`` to the gate_up output (LlamaMLP; Mistral runs on it since 0.6), from
# the release that says so (``MemoryProfile.llama_mlp_rebinds``); the 0.5 source named it ``gate_up`` and held
# it through the down projection. A 0.6.4 log of Llama-3.1-8B at 29000 tokens (2.99 GiB = 3 × hidden
# + 3 × intermediate) shows the rebinding.
_MLP_REBINDS_X = frozenset({"llama", "mistral"})
# Gemma RMSNorm (weight + 1, computed in fp32) returns new tensors instead of working in place.
_OUT_OF_PLACE_NORM = frozenset({"gemma", "gemma2", "gemma3", "gemma3_text"})


@dataclass(frozen=True)
class Activation:
    forward_bytes: int
    sampler_bytes: int
    tokens: int
    rows: int
    workspace_bytes: int = 0  # persistent buffers the profile run allocates (cuBLAS workspace)
    autotune_bytes: int = 0  # cold torch.compile: Inductor's L2-flush buffer while it benchmarks a kernel
    reserved_bytes: int = 0  # free_drop releases: the allocator segments the profile run reserved (0: not modelled)
    compile_bytes: int = 0  # cold torch.compile: benchmark copies of the embedding kernel's arguments

    @property
    def live_bytes(self) -> int:
        """Peak of the profiling forward and sampler themselves."""
        return max(self.forward_bytes + self.autotune_bytes, self.sampler_bytes) + self.workspace_bytes

    @property
    def peak_bytes(self) -> int:
        return max(self.live_bytes, self.reserved_bytes, self.compile_bytes)


def sampler_bytes_per_logit(rt: Runtime, env: dict[str, str] | None = None) -> int:
    """Bytes per vocabulary logit at the dummy sampler run's peak, by engine, model runner and sampler
    backend (see the module docstring)."""
    rel = rt.release
    if not rt.v1:
        return V0_SAMPLER_BYTES_PER_LOGIT
    if rt.runner_v2:
        return rel.v2_sampler_bytes_per_logit
    if rel.inplace_top_k_top_p:
        return V1_SAMPLER_BYTES_PER_LOGIT  # FlashInfer or the in-place Triton top-k/top-p
    flag = (env or {}).get("VLLM_USE_FLASHINFER_SAMPLER", "").strip().lower()
    flashinfer = flag in ("1", "true") if flag else rel.flashinfer_sampler_default
    return V1_SAMPLER_BYTES_PER_LOGIT if flashinfer else V1_SORT_SAMPLER_BYTES_PER_LOGIT


def cublas_workspace_bytes(rt: Runtime, compute_capability: tuple[int, int] | None) -> int:
    """cuBLAS workspace that first appears inside the profile run (0 where the worker creates its cuBLAS
    handle before the memory snapshot)."""
    if (rt.v1 and rt.release.cublas_before_snapshot) or compute_capability is None:
        return 0
    return CUBLAS_WORKSPACE_HOPPER if compute_capability[0] in (9, 10, 12) else CUBLAS_WORKSPACE_DEFAULT


FLASHINFER_WORKSPACE = 256 * MIB  # FLASHINFER_WORKSPACE_BUFFER_SIZE of V0's FlashInfer backend


def attention_workspace_bytes(rt: Runtime, env: dict[str, str] | None) -> int:
    """V0's FlashInfer backend (``VLLM_ATTENTION_BACKEND=FLASHINFER``; 0.6.5–0.8.5 pick it only when asked):
    ``FlashInferState.begin_forward`` builds the prefill wrapper on the profile run's first forward, which
    allocates the 256 MiB workspace through torch and keeps it, inside the activation peak."""
    backend = (env or {}).get("VLLM_ATTENTION_BACKEND", "").strip().upper()
    return FLASHINFER_WORKSPACE if not rt.v1 and backend == "FLASHINFER" else 0


def compile_autotune_bytes(compiled: bool, compile_cache: str, l2_bytes: int) -> int:
    """Extra profile-run peak of a cold torch.compile start (V1, not eager, no compile cache).

    Inductor compiles during the first forward, which is vLLM's profile run, and benchmarks every
    kernel that has more than one Triton config on its first call: 1D pointwise kernels get two by
    default (``triton_heuristics.pointwise``), so the activation kernel at the MLP peak is timed with
    its inputs and output alive. ``InductorBenchmarker.benchmark_gpu`` allocates an L2-sized buffer to
    flush the cache between timings. A warm start loads the tuned configs and skips this. Measured on
    0.26 (H200, L2 50 MiB): runs that compiled peaked 0.05–0.06 GiB above identical warm runs."""
    return l2_bytes if compiled and compile_cache != "warm" else 0


def compile_spike_bytes(model: ModelArch, *, tokens: int, dtype_bytes: int, tp: int, rt: Runtime,
                        compiled: bool, compile_cache: str, multimodal_inputs: bool | None = None) -> int:
    """Bytes a cold torch.compile allocates on the first pipeline rank before the profiling forward
    (``MemoryProfile.compile_spike``): random copies of the embedding kernel's arguments, i.e. the embedding
    table shard (vocabulary padded to 64, split over TP), int32 token ids and two hidden-size outputs
    for ``tokens`` tokens. 0 when eager, warm, older, or when the runner takes multimodal inputs
    (``multimodal_inputs``; None: the model has a vision tower): it then embeds outside the compiled
    graph and passes ``inputs_embeds``. A multimodal model in language-model-only mode embeds inside."""
    if not compiled or compile_cache == "warm" or not rt.release.compile_spike:
        return 0
    if multimodal_inputs is None:
        multimodal_inputs = bool(model.extra.get("vision_params"))
    if multimodal_inputs:
        return 0
    table = -(-_padded_vocab(model.vocab_size) // tp) * model.hidden_size * dtype_bytes
    return table + tokens * (2 * model.hidden_size * dtype_bytes + 4)


def mlp_holds_gate_up(model: ModelArch, rt: Runtime) -> bool:
    """Whether the eager MLP keeps its gate_up output alive through the down projection."""
    return model.model_type not in _MLP_REBINDS_X or not rt.release.llama_mlp_rebinds


def dense_mlp_elements(model: ModelArch, *, tp: int, compiled: bool, rt: Runtime) -> float:
    """Elements per token alive at the dense-MLP peak of one layer, the largest of three moments:
    the activation kernel (gate_up and its output), the down projection (gate_up only if the MLP holds
    it, the activation output and the partial output) and, under TP, the all-reduce (its output is a
    new tensor next to the partial one: custom all-reduce and pynccl work out of place)."""
    h, i = model.hidden_size, model.intermediate_size / tp
    gate_up = (2 if model.gated_mlp else 1) * i  # non-gated MLPs: one up projection of width I
    reduce_out = h if tp > 1 else 0.0
    if compiled:
        # piece inputs (attention output, residual) + the new residual; Inductor frees gate_up after the
        # activation kernel and the activation output after the down projection
        base = model.num_attention_heads * model.head_dim / tp + 2 * h
        return base + max(gate_up + i, i + h, h + reduce_out)
    base = 3 * h + (h if model.model_type in _OUT_OF_PLACE_NORM else 0.0)
    held = gate_up if mlp_holds_gate_up(model, rt) else 0.0
    return base + max(gate_up + i, held + i + h + reduce_out)


def _hidden_live(model: ModelArch, rt: Runtime, compiled: bool) -> float:
    """Hidden-sized tensors alive at the MLP peak (eager: by Python references; compiled: by Inductor)."""
    if compiled:
        return 2.0
    live = 4.0 if mlp_holds_gate_up(model, rt) else 3.0
    if model.model_type in _OUT_OF_PLACE_NORM:
        live += 1.0
    return live


def reserved_profile_bytes(model: ModelArch, *, tokens: int, rows: int, dtype_bytes: int, tp: int,
                           rt: Runtime, cublas_workspace: int, vocab: int | None = None) -> int:
    """Segments reserved by the eager V0 profile run (what ``free_drop`` releases subtract), by replaying
    its allocations on a model of torch's caching allocator (memory/allocator.py). Modelled for
    single-GPU Llama-style decoders (gated MLP, in-place fused norms); 0 for the rest (MoE, MLA,
    Gemma's out-of-place norms, TP all-reduces), which keep the allocated peak."""
    if tp != 1 or model.is_moe or not model.gated_mlp or model.model_type in _OUT_OF_PLACE_NORM \
            or model.kv_lora_rank:
        return 0
    h, i, hd = model.hidden_size, model.intermediate_size, model.head_dim
    vocab = _padded_vocab(vocab or model.vocab_size)
    per_logit = (4, 4, 8, 4, 4, 1, 4, 4, 4)  # the V0 sampler's tensors (V0_SAMPLER_BYTES_PER_LOGIT)
    events = [("alloc", "cublas", cublas_workspace)] if cublas_workspace else []
    events += eager_decoder_events(
        tokens=tokens, hidden=h, qkv=(model.num_attention_heads + 2 * model.num_kv_heads) * hd,
        attn=model.num_attention_heads * hd, gate_up=2 * i, inter=i, dtype_bytes=dtype_bytes,
        layers=min(model.num_layers, 4), holds_gate_up=mlp_holds_gate_up(model, rt),
        sampler=[rows * h * dtype_bytes] + [rows * vocab * b for b in per_logit])
    return simulate(events)[1]


def _padded_vocab(vocab: int) -> int:
    return -(-vocab // VOCAB_PADDING) * VOCAB_PADDING


def activation_peak(model: ModelArch, *, tokens: int, rows: int, dtype_bytes: int, tp: int, rt: Runtime,
                    last_rank: bool = True, compiled: bool = False, cublas_workspace: int = 0, autotune: int = 0,
                    compile_spike: int = 0, sampler_per_logit: int | None = None,
                    reserved: bool | None = None, samples: bool = True, onload: int = 0,
                    vocab: int | None = None, ep: int = 1) -> Activation:
    """Profile-run peak on one rank at the runtime ``rt`` (release, engine, model runner).
    ``compiled``: V1 with torch.compile (not ``--enforce-eager``); ``autotune``: the buffer a cold
    torch.compile benchmark allocates next to the forward's live set (``compile_autotune_bytes``);
    ``compile_spike``: a cold compile's benchmark copies on this rank (``compile_spike_bytes``);
    ``sampler_per_logit``: ``sampler_bytes_per_logit`` (None: from ``rt`` without environment).
    ``samples``: this last-stage rank runs the sampler; V0 gathers the logits to the driver rank, so
    the other tensor-parallel ranks hold only their shard of the logits (``ModelRunner.execute_model``
    returns before sampling unless ``is_driver_worker``).
    ``reserved``: the release counts the allocator's reserved segments, not live tensors (None: where
    ``rt.profiling`` is ``free_drop``); the replay of the eager forward then replaces the live set when
    larger. ``onload``: offloaded weights the V0 forward copies back for one layer (``memory/offload.py``).
    ``vocab``: the logits' width when it is not the model's (LoRA's extra vocabulary, ``memory/lora.py``).
    ``ep``: expert parallel group; the fused-MoE caches then hold every token × top-k at the whole
    expert width (non-local experts are masked by the expert map, not skipped in the allocation)."""
    h = model.hidden_size
    rel = rt.release
    hidden_live = _hidden_live(model, rt, compiled)
    attn_width = model.num_attention_heads * model.head_dim / tp if compiled else 0.0
    dense = tokens * dtype_bytes * dense_mlp_elements(model, tp=tp, compiled=compiled, rt=rt)
    if model.is_moe:
        moe_i = (model.moe_intermediate_size or model.intermediate_size) / (1 if ep > 1 else tp)
        chunk = min(tokens, MOE_CHUNK) if rel.moe_chunking else tokens
        moe = tokens * dtype_bytes * (hidden_live * h + attn_width) + \
            chunk * model.num_experts_per_tok * dtype_bytes * (3 * moe_i + h)
        shared = tokens * dtype_bytes * 3 * model.shared_expert_intermediate_size / tp
        forward = max(moe + shared, dense if model.first_dense_layers else 0)
    else:
        forward = dense
    forward += onload
    sampler = 0
    if last_rank and not samples:
        vocab_shard = -(-_padded_vocab(vocab or model.vocab_size) // tp)
        sampler = (rows * vocab_shard + tokens * h) * dtype_bytes
    elif last_rank:
        vocab = _padded_vocab(vocab or model.vocab_size)
        per = sampler_per_logit if sampler_per_logit is not None else sampler_bytes_per_logit(rt)
        if model.extra.get("final_logit_softcapping"):
            per = max(per, 2 * dtype_bytes)  # the capped logits are new tensors next to the previous step's
        if not rt.v1:
            sampler = rows * vocab * per + (2 * tokens + rows) * h * dtype_bytes
        else:
            # final hidden states of all N tokens, the R sampled rows and (V1 runner) their rand_like copy
            copies = rel.v2_sampler_row_copies if rt.runner_v2 else 2
            sampler = rows * vocab * per + (tokens + copies * rows) * h * dtype_bytes
    seg = 0
    if reserved is None:
        reserved = rt.profiling == "free_drop"
    if reserved and last_rank and samples:
        seg = reserved_profile_bytes(model, tokens=tokens, rows=rows, dtype_bytes=dtype_bytes, tp=tp, rt=rt,
                                     cublas_workspace=cublas_workspace, vocab=vocab)
    return Activation(int(forward), int(sampler), tokens, rows, int(cublas_workspace), int(autotune), seg,
                      int(compile_spike))


def cuda_graph_bytes(rt: Runtime, *, enforce_eager: bool, layers_on_rank: int, capture_size: int,
                     env: dict[str, str]) -> int:
    """CUDA-graph memory vLLM subtracts before sizing the KV cache (``Runtime.cuda_graphs_counted``; the
    model runner's ``profile_cudagraph_memory`` captures the graphs into a throwaway pool and the worker
    subtracts it unless ``VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS=0``). Zero under enforce_eager."""
    if enforce_eager or not rt.cuda_graphs_counted:
        return 0
    if env.get("VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS", "1").strip() == "0":
        return 0
    scale = min(1.0, capture_size / 512)
    return int((0.25 + 0.02 * layers_on_rank) * scale * GIB)
