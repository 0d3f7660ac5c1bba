"""VL007: a ``# vllm-lint:`` setting directive whose value vllm-lint cannot use.

Ignoring ``# vllm-lint: gpu=H1OO`` would have VL105 tell the user to set the GPU they had just
set; taking ``# vllm-lint: vllm-version=0.99.0`` as the file's release would check every flag
against a release that does not exist. A directive is typed by a user, so it is
read as strictly as ``--gpu``/``--vllm-version`` and the configuration (``parse_gpu_strict``,
``release_problem``): a misspelt or ambiguous GPU, or a value that names no release vLLM
published, is reported at the directive with what it could mean, and the file's launches fall
back to the launch itself, the command line or the configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from vllm_lint.diagnostic import Diagnostic, Edit, Fix
from vllm_lint.rule_meta import make_diagnostic
from vllm_lint.rules.registry import register

if TYPE_CHECKING:
    from vllm_lint.sources.base import SourceFile
    from vllm_lint.suppress import Directives


@register("VL007", scope="file")
def invalid_directive(src: "SourceFile") -> Iterator[Diagnostic]:
    if "vllm-lint:" not in src.text:
        return
    from vllm_lint.suppress import parse_directives

    d = parse_directives(src.text)
    yield from _gpu(src, d)
    yield from _version(src, d)


def _gpu(src: "SourceFile", d: "Directives") -> Iterator[Diagnostic]:
    from vllm_lint.hardware.gpus import GpuNameError, parse_gpu_strict

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


def _version(src: "SourceFile", d: "Directives") -> Iterator[Diagnostic]:
    from vllm_lint.vllm.versions import release_problem, release_suggestions

    if not d.vllm_version or d.version_at is None:
        return
    problem = release_problem(d.vllm_version)
    if problem:
        span = src.index.span(*d.version_at)
        yield make_diagnostic(
            "VL007", src.display, span,
            f"`# vllm-lint: vllm-version={d.vllm_version}` is not used: {problem}",
            suggestions=[Fix(f"name {r}", (Edit(span, r),), safe=False) for r in release_suggestions(d.vllm_version)],
            notes=["the file's launches are checked against the release of their image tag, --vllm-version or "
                   "the configuration's vllm-version instead"],
        )
