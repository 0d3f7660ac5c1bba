"""VL007: a ``# vllm-lint:`` setting directive whose value vllm-lint cannot use.

``# vllm-lint: gpu=H1OO`` used to be ignored, after which VL105 told the user to set the GPU they
had just set. A directive is typed by a user, so it is read strictly (``parse_gpu_strict``): a
misspelt or ambiguous name is reported at the directive with the names it could mean, and the
launches of the file fall back to --gpu or the configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from vllm_lint.diagnostic import Diagnostic, Edit, Fix
from vllm_lint.rule_meta import make_diagnostic
from vllm_lint.rules.registry import register

if TYPE_CHECKING:
    from vllm_lint.sources.base import SourceFile


@register("VL007", scope="file")
def invalid_directive(src: "SourceFile") -> Iterator[Diagnostic]:
    if "vllm-lint:" not in src.text:
        return
    from vllm_lint.hardware.gpus import GpuNameError, parse_gpu_strict
    from vllm_lint.suppress import parse_directives

    d = parse_directives(src.text)
    if not d.gpu or d.gpu_at is None:
        return
    try:
        parse_gpu_strict(d.gpu)
    except GpuNameError as exc:
        span = src.index.span(*d.gpu_at)
        suggestions = [Fix(f"name {c}", (Edit(span, c.replace(" ", "-") if " " in c else c),), safe=False)
                       for c in exc.candidates[:3]]
        yield make_diagnostic(
            "VL007", src.display, span,
            f"`# vllm-lint: gpu={d.gpu}` is not used: {exc}",
            suggestions=suggestions,
            notes=["the file's launches are checked with --gpu or the configuration's gpu instead"],
        )
