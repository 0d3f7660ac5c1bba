"""VL007: a ``# vllm-lint:`` setting directive whose value vllm-lint cannot use.

``# vllm-lint: vllm-version=0.99.0`` used to be taken as the file's release: every flag was then
checked against a release that does not exist. A directive is typed by a user, so it is read as
strictly as ``--vllm-version`` and the configuration's ``vllm-version``: a value that names no
release vLLM published is reported at the directive with the releases it could mean, and the
file's launches fall back to the image tag, ``--vllm-version`` or the configuration.
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
    from vllm_lint.suppress import parse_directives
    from vllm_lint.vllm.versions import release_problem, release_suggestions

    d = parse_directives(src.text)
    if d.vllm_version and d.version_at is not None:
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
