"""Speculative decoding with multi-token-prediction (MTP) heads: the draft layers' weights and KV cache.

With ``--speculative-config '{"method": "mtp", ...}'`` (or ``deepseek_mtp``, ``qwen3_next_mtp``, ...)
vLLM builds the drafter from the target's own config: ``num_nextn_predict_layers`` decoder layers
of the target's kind (for a MoE model, a MoE layer with all its experts), each with ``enorm`` and
``hnorm`` and the ``eh_proj`` projection of [embedding ; hidden] (2 × hidden → hidden; a plain
``nn.Linear``, so replicated on every TP rank and in the model dtype), and loads it
inside "Model loading took" (V1 ``load_model``: the drafter's ``load_model`` runs in the same
``DeviceMemoryProfiler`` block). The drafter's embedding and lm_head are shared with the target when
they hold the same weights (``maybe_share_target_embed`` / ``_should_share``, read on 0.33), so they
add nothing. Each MTP layer's attention registers its own KV cache layer: one more layer of the
target's KV per token. More speculative tokens than MTP layers reuse the layers (no more memory).
A separate draft model (``method: draft_model`` / EAGLE checkpoints) needs that model's own config
and is not estimated here.
"""

from __future__ import annotations

from vllm_lint.models.arch import ModelArch

MTP_METHODS_HINT = "mtp"


def mtp_layers(model: ModelArch, method: str | None) -> tuple[int, bool]:
    """(MTP decoder layers the drafter loads, whether the count was assumed) for ``method``; 0 unless the
    method is an MTP one. ``num_nextn_predict_layers`` from the model config; 1 when the facts lack it."""
    if not method or MTP_METHODS_HINT not in method.lower():
        return 0, False
    n = model.extra.get("num_nextn_predict_layers")
    if isinstance(n, int) and not isinstance(n, bool):
        return max(0, n), False
    return 1, True


def mtp_layer_params(model: ModelArch, *, tp: int, ep: int = 1) -> tuple[float, float]:
    """(linear parameters per rank in the checkpoint's format, model-dtype parameters per rank) of one MTP
    layer: the attention of one layer and the MLP or experts of the last (MoE) layer; the replicated
    eh_proj and three norms of hidden size."""
    b = model.param_breakdown()
    kinds = model.attention_layer_kinds()
    n_attn = max(1, sum(1 for k in kinds if k in ("full", "sliding")))
    attn = b["attention"] / n_attn / tp
    h = model.hidden_size
    if model.is_moe:
        n_moe = max(1, (model.num_layers - model.first_dense_layers) // max(1, model.moe_layer_step))
        mlp = b["experts"] / n_moe / (ep if ep > 1 else tp) + b["shared"] / n_moe / tp
    else:
        mlp = b["mlp"] / max(1, model.num_layers) / tp
    return attn + mlp, 2 * h * h + 3 * h
