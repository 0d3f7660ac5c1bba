"""Partial model facts: what is known of a model when its whole geometry is not.

A launch can name a model whose shapes vllm-lint cannot read (a config.json without them, a name
that matches nothing in the catalog) while some facts are still known: its context length
(``max_position_embeddings``, RoPE scaling), from a config, or its parameter count, from the name
(``-13B``, ``-8x7B``, ``-30B-A3B``). The checks that need only those facts still run:
VL401 (``--max-model-len`` above the model's limit) needs the context, and the "weights alone
exceed the GPU" check needs the parameter count. ``ModelFacts`` carries those facts and where
each came from; it is never a ``ModelArch`` (a rule reading head counts must not see zeros).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from vllm_lint.models.arch import ModelArch
from vllm_lint.models.config_fields import MAX_LEN_KEYS, TEXT_CONFIG_KEYS


@dataclass(frozen=True)
class ModelFacts:
    """Known facts of one model; each group says where it came from (``context_source``,
    ``params_source``). ``certain`` is False when they were read from a name."""

    id: str
    certain: bool = True
    # context length (vLLM's _get_and_verify_max_len inputs)
    max_len_keys: tuple[tuple[str, int], ...] = ()
    model_max_length: int | None = None
    rope_scaling: dict | None = None
    sliding_window: int | None = None
    model_type: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)
    context_source: str = ""
    # size
    num_params: int | None = None  # total parameters (a lower bound when read from a name)
    params_source: str = ""
    quantization: dict | None = None  # the weight format, when known

    @property
    def knows_context(self) -> bool:
        return bool(self.max_len_keys or self.model_max_length)

    @property
    def max_position_embeddings(self) -> int | None:
        return dict(self.max_len_keys).get("max_position_embeddings")

    def derived_max_model_len(self, version: str, *, disable_sliding_window: bool = False) -> int | None:
        """vLLM's derived max_model_len for ``version`` (``ModelArch.derived_max_model_len``'s rule),
        or None when no context fact is known."""
        if not self.knows_context:
            return None
        shell = ModelArch(id=self.id, model_type=self.model_type, num_layers=0, num_attention_heads=0,
                          num_kv_heads=0, head_dim=0, hidden_size=0, intermediate_size=0, vocab_size=0,
                          rope_scaling=self.rope_scaling, sliding_window=self.sliding_window,
                          max_len_keys=self.max_len_keys, model_max_length=self.model_max_length,
                          extra=dict(self.extra))
        return shell.derived_max_model_len(version, disable_sliding_window=disable_sliding_window)

    @classmethod
    def from_arch(cls, arch: ModelArch, *, certain: bool = True, context: bool = True) -> "ModelFacts":
        """The facts of a full architecture (``context=False``: its context is not the model's)."""
        return cls(
            id=arch.id, certain=certain,
            max_len_keys=arch.max_len_keys if context else (),
            model_max_length=arch.model_max_length if context else None,
            rope_scaling=arch.rope_scaling if context else None,
            sliding_window=arch.sliding_window, model_type=arch.model_type, extra=dict(arch.extra),
            context_source=(arch.source or arch.id) if context else "",
            num_params=arch.total_params() if arch.num_layers else arch.num_params,
            params_source=arch.num_params_source or (arch.source or arch.id),
            quantization=arch.quantization,
        )

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any], *, id: str, source: str) -> "ModelFacts | None":
        """The context facts of a config.json mapping too incomplete for a ``ModelArch``; None when it
        holds none."""
        text: Mapping[str, Any] = cfg
        for sub in TEXT_CONFIG_KEYS:
            if isinstance(cfg.get(sub), Mapping):
                text = cfg[sub]
                break
        keys = tuple((k, int(text[k])) for k in MAX_LEN_KEYS
                     if isinstance(text.get(k), (int, float)) and not isinstance(text.get(k), bool) and text.get(k))
        mml = text.get("model_max_length")
        rope = text.get("rope_scaling")
        if not keys and not isinstance(mml, int):
            return None
        sw = text.get("sliding_window")
        return cls(
            id=id, certain=True, max_len_keys=keys,
            model_max_length=mml if isinstance(mml, int) and mml > 0 else None,
            rope_scaling=dict(rope) if isinstance(rope, Mapping) else None,
            sliding_window=sw if isinstance(sw, int) and sw > 0 else None,
            model_type=str(text.get("model_type") or cfg.get("model_type") or ""),
            context_source=source,
        )

    def weight_bytes_lower_bound(self, dtype_bytes: int = 2) -> float | None:
        """The fewest bytes the weights can take: the parameter count at the narrowest width the
        known format allows (no group scales, no unquantized embeddings), None without a count."""
        if not self.num_params:
            return None
        q = self.quantization or {}
        method = str(q.get("quant_method") or "").lower()
        if not method:
            width = float(dtype_bytes)
        elif method == "compressed-tensors":
            groups = q.get("config_groups") or {}
            bits = min((int(((g or {}).get("weights") or {}).get("num_bits") or 8) for g in groups.values()), default=4)
            width = bits / 8
        elif method == "bitsandbytes":
            width = 1.0 if q.get("load_in_8bit") else 0.5
        elif method == "modelopt":
            width = 0.5 if "fp4" in str(q.get("quant_algo", "")).lower() else 1.0
        elif method in ("awq", "gptq"):
            width = int(q.get("bits") or 4) / 8
        elif method == "mxfp4":
            width = 0.5
        else:
            width = 1.0 if "8" in method else 0.5
        return self.num_params * width
