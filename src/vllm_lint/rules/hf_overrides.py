"""VL408: a ``--hf-overrides`` key that is not a key of the model's config, one slip from one that is.

vLLM applies ``--hf-overrides`` to the Hugging Face config object as written: flat values through
``PretrainedConfig.update`` and dict values with ``setattr`` (nested ``*_config`` objects are
updated key by key) - ``ModelConfig._apply_dict_overrides`` and ``transformers_utils/config.py`` in
0.33, ``config.update(hf_overrides)`` since the option appeared. No name is normalised, so
``{"rope-scaling": {...}}`` adds an attribute called ``rope-scaling`` that no model code reads, and
the override silently does nothing.

Judged only when the model's config keys are known (the catalog's config facts, a local
``config.json``, the Hugging Face cache). A key that differs from a config key only in case or in
``-``/``.``/blank for ``_`` is reported for any of them; a near spelling (difflib ratio >= 0.9) only
against a whole ``config.json`` (the catalog keeps only the keys vllm-lint reads, so a key missing
from it may still be in the model's config).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from vllm_lint.diagnostic import Diagnostic
from vllm_lint.rules import flag_values
from vllm_lint.rules.context import RuleContext
from vllm_lint.rules.registry import register
from vllm_lint.span import Span
from vllm_lint.suggest import closest

RULE = "VL408"


def _norm(key: str) -> str:
    return re.sub(r"[\s\-.]+", "_", key.strip()).lower()


def config_keys(ctx: RuleContext) -> tuple[dict, bool, str] | None:
    """(the model's config as far as known, whether it is the whole config.json, where from)."""
    res = ctx.model_resolution
    arch = res.arch if res is not None else None
    if arch is None:
        return None
    if res.how == "catalog":
        from vllm_lint.models.resolve import catalog_entry

        entry = catalog_entry(arch.id)
        return (dict(entry["config"]), False, "the catalog's copy of its config.json") if entry else None
    if res.how in ("local", "hf-cache"):
        from vllm_lint.models.config_file import read_config

        path = Path(arch.source.removeprefix("hf-cache:"))
        try:
            return read_config(path), True, f"its config.json ({path})"
        except (OSError, ValueError, UnicodeDecodeError):
            return None
    return None


def _meant(key: str, config: dict, whole: bool) -> str | None:
    """The config key ``key`` was meant to be: same name but for case and separators, or (against a
    whole config.json) a near spelling."""
    if key in config:
        return None
    return closest(key, config, cutoff=0.9 if whole and len(key) >= 6 else 1.0, normalise=_norm)


def _unknown_keys(overrides: dict, config: dict, whole: bool, prefix: str = "") -> Iterator[tuple[str, str, str]]:
    """(key as written, dotted path, key meant) for each override key that misses the config."""
    for key, value in overrides.items():
        if not isinstance(key, str):
            continue
        meant = _meant(key, config, whole)
        if meant is not None:
            yield key, prefix + key, meant
            continue
        target = config.get(key)
        if isinstance(value, dict) and key.endswith("_config") and isinstance(target, dict):
            yield from _unknown_keys(value, target, whole, prefix + key + ".")


def _key_span(ctx: RuleContext, key: str) -> Span | None:
    """The key as written inside the option's value (or in a dotted ``--hf-overrides.<key>``)."""
    for tok in (ctx.value_token("hf_overrides"), ctx.flag_token("hf_overrides")):
        if tok is None or tok.span is None or tok.span.path != ctx.src.display:
            continue
        text = ctx.src.text[tok.span.start:tok.span.end]
        for pat in (r"(?<=[\"'])" + re.escape(key) + r"(?=\\?[\"'])", r"(?<=\.)" + re.escape(key) + r"(?=[.\s=]|$)"):
            m = re.search(pat, text)
            if m:
                return ctx.src.index.span(tok.span.start + m.start(), tok.span.start + m.end())
    tok = ctx.value_token("hf_overrides")
    return tok.span if tok is not None else None


@register(RULE)
def hf_overrides_unknown_key(ctx: RuleContext) -> Iterator[Diagnostic]:
    if not flag_values.given(ctx, "hf_overrides") or flag_values.symbolic(ctx, "hf_overrides"):
        return
    overrides = flag_values.raw_value(ctx, "hf_overrides")
    if not isinstance(overrides, dict) or not overrides:
        return
    known = config_keys(ctx)
    if known is None:
        return
    config, whole, where = known
    model = ctx.model.id if ctx.model is not None else ctx.model_name
    for written, path, meant in _unknown_keys(overrides, config, whole):
        full = path[: -len(written)] + meant
        yield ctx.report(
            RULE,
            f"--hf-overrides key {written!r} is not a key of {model}'s config ({where}): vLLM sets it as a new "
            f"attribute that no model code reads, so this override does nothing; did you mean {full!r}?",
            span=_key_span(ctx, written),
            notes=[f"vLLM applies --hf-overrides to the Hugging Face config as written (setattr / "
                   f"PretrainedConfig.update), without turning '-' into '_'; write {full!r}"],
        )
