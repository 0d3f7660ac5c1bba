"""A launch's option and environment values as the rules may trust them (VL3xx-VL5xx).

Pure functions over a ``RuleContext``: typed flag values that are only trusted when written
literally, the token or span that sets an option, environment switches. Every helper returns
None for "not known" so rules can stay silent instead of guessing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from vllm_lint.launch import is_editable

if TYPE_CHECKING:
    from vllm_lint.launch import Token
    from vllm_lint.rules.context import RuleContext
    from vllm_lint.span import Span


_INT_RE = re.compile(r"^\s*\d+\s*$")


def given(ctx: "RuleContext", dest: str) -> bool:
    """True when the launch sets ``dest`` itself (a flag, a config key or a chart key)."""
    uses = getattr(ctx.args, "uses", None) or {}
    return dest in uses


def symbolic(ctx: "RuleContext", dest: str) -> bool:
    """True when the value of ``dest`` comes from something unresolved (``$VAR``, a template)."""
    if dest in (getattr(ctx.args, "symbolic", None) or ()):
        return True
    tok = ctx.value_token(dest) if given(ctx, dest) else None
    if tok is not None and tok.symbolic:
        return True
    val = raw_value(ctx, dest)
    return isinstance(val, str) and ("$" in val or "{{" in val)


def raw_value(ctx: "RuleContext", dest: str, default: Any = None) -> Any:
    """The parsed value of ``dest`` as vLLM's parser typed it (its default when not given)."""
    values = getattr(ctx.args, "values", None) or {}
    val = values.get(dest, default)
    return default if val is None else val


def int_arg(ctx: "RuleContext", dest: str, default: int | None = None) -> int | None:
    """The integer value of ``dest``: ``default`` when not given, None when not a literal number."""
    if not given(ctx, dest):
        val = raw_value(ctx, dest)
        return val if isinstance(val, int) and not isinstance(val, bool) else default
    if symbolic(ctx, dest):
        return None
    val = raw_value(ctx, dest)
    if isinstance(val, bool):
        return None
    if isinstance(val, int):
        return val
    if isinstance(val, float) and val.is_integer():
        return int(val)
    if isinstance(val, str) and _INT_RE.match(val):
        return int(val)
    return None


def str_arg(ctx: "RuleContext", dest: str) -> str | None:
    """A string flag value written literally (None when absent or symbolic)."""
    val = raw_value(ctx, dest)
    if val is None or symbolic(ctx, dest):
        return None
    return str(val)


def bool_arg(ctx: "RuleContext", dest: str) -> bool | None:
    """True/False when the launch sets a boolean flag; None when not set."""
    if not given(ctx, dest):
        return None
    val = raw_value(ctx, dest)
    if isinstance(val, bool):
        return val
    if isinstance(val, str):
        low = val.strip().lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
    return None


def env_value(ctx: "RuleContext", name: str) -> str | None:
    """A literal environment value of the launch (None when unset or symbolic)."""
    ev = ctx.launch.env.get(name)
    if ev is None or ev.symbolic:
        return None
    return ev.value


def env_truthy(ctx: "RuleContext", name: str) -> bool:
    """vLLM's reading of boolean env vars: "1"/"true" (any case) turn them on.

    A symbolic value counts as set: the user clearly meant to control it.
    """
    ev = ctx.launch.env.get(name)
    if ev is None:
        return False
    if ev.symbolic:
        return True
    return ev.value.strip().lower() in ("1", "true", "yes")


def token_for(ctx: "RuleContext", *dests: str) -> "Token | None":
    """The first written flag token among ``dests`` (for placing a diagnostic)."""
    for d in dests:
        if given(ctx, d):
            tok = ctx.flag_token(d)
            if tok is not None and tok.span is not None:
                return tok
    return None


def checkpoint_quant_method(ctx: "RuleContext") -> str | None:
    """The checkpoint's quantization method as vLLM names it, from config.json's
    ``quantization_config`` (``quant_method``, or ModelOpt's ``quant_algo``): lower-case, with
    ``compressed_tensors`` written ``compressed-tensors``. None when the checkpoint is not quantized."""
    m = ctx.model
    if m is None or not m.quantization or m.quantization.get("_from_name"):
        return None  # a weight width read from the name does not say which method vLLM will load
    q = str(m.quantization.get("quant_method") or m.quantization.get("quant_algo") or "").strip().lower()
    if not q:
        return None
    return "compressed-tensors" if q == "compressed_tensors" else q


def model_token(ctx: "RuleContext") -> "Token | None":
    """The token naming the model: the positional word, or the --model value."""
    idx = getattr(ctx.args, "model_index", None)
    tok = ctx.token(idx) if idx is not None else None
    if tok is None and given(ctx, "model"):
        tok = ctx.value_token("model")
    return tok


def value_span(ctx: "RuleContext", dest: str) -> "Span | None":
    """The span of just the value of ``dest`` as written, when it can be edited in place.

    Handles ``--flag value`` (its own token) and ``--flag=value`` (the part after ``=``); None for
    symbolic values, synthetic tokens, or text that differs from what vLLM receives (quoting,
    expansions), where an edit would not mean what it says.
    """
    if not given(ctx, dest) or symbolic(ctx, dest):
        return None
    tok = ctx.value_token(dest)
    flag = ctx.flag_token(dest)
    if not is_editable(tok):
        return None
    written = tok.span.slice(ctx.src.text)
    if tok is flag or (flag is not None and flag.span == tok.span):
        if "=" not in written or not written.startswith("-"):
            return None
        eq = written.index("=")
        value = written[eq + 1:]
        if not value or value != tok.text.split("=", 1)[-1]:
            return None
        return ctx.src.index.span(tok.span.start + eq + 1, tok.span.end)
    if written.strip("'\"") != tok.text:
        return None
    if written != tok.text:  # quoted: replace inside the quotes
        q = len(written) - len(written.lstrip("'\""))
        return ctx.src.index.span(tok.span.start + q, tok.span.start + q + len(tok.text))
    return tok.span
