"""VL006 unused-suppression: a ``# vllm-lint: disable`` that silences nothing (ruff's RUF100).

Whether a suppression was used is only known after every check ran, so the pipeline
(``lint._apply_suppressions``) calls ``unused_suppressions`` once per file; the registered
check yields nothing, like the other pipeline rules, so ``--select``/``--ignore`` treat VL006
as any rule. An id is only reported when the rules it names ran on the file: under
``--select VL2`` a ``disable=VL101`` cannot be judged. Ids naming no rule at all are reported.
"""

from __future__ import annotations

from typing import Iterator

from vllm_lint.diagnostic import Diagnostic, Edit, Fix
from vllm_lint.rule_meta import RuleMeta, make_diagnostic
from vllm_lint.rules.registry import guess_rule, register
from vllm_lint.span import LineIndex
from vllm_lint.suppress import Directives, Suppression

RULE = "VL006"
MAX_PER_FILE = 200  # bounds the report (and the work) on a file of thousands of stale directives


@register(RULE)
def _pipeline_rule(_ctx: object) -> Iterator[Diagnostic]:
    return iter(())


def _rules_named(ident: str, metas: dict[str, RuleMeta]) -> set[str]:
    if not ident:
        return set(metas)
    return {rid for rid, m in metas.items() if rid.startswith(ident.upper()) or m.name == ident}


def _removal(s: Suppression, text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) edits that delete the directive comment (and its range end)."""
    out: list[tuple[int, int, str]] = []
    if s.own_line and s.code_end == s.line_start:  # the directive is the whole line
        out.append((s.line_start, s.line_end, ""))
    else:
        out.append((s.code_end, s.comment_end, ""))
    if s.closer is not None:
        out.append((s.closer[0], s.closer[1], ""))
    return out


def unused_suppressions(
    path: str,
    directives: Directives,
    index: LineIndex,
    enabled: set[str],
    metas: dict[str, RuleMeta],
) -> list[Diagnostic]:
    """VL006 findings for the comment suppressions of one file that suppressed nothing."""
    out: list[Diagnostic] = []
    text = index.text
    unused_count = 0
    for s in directives.suppressions:
        if s.origin != "comment" or s.comment_start < 0:
            continue
        if not s.ids:
            if s.used:
                continue
            unused, unknown = [""], []
        else:
            unknown = [i for i in s.ids if not _rules_named(i, metas)]
            if any(RULE in _rules_named(i, metas) for i in s.ids if i not in unknown):
                continue  # it may be there to silence VL006 itself; judging it would be circular
            unused = [i for i in s.ids if i not in unknown and i not in s.used_ids and _rules_named(i, metas) & enabled]
        if not unused and not unknown:
            continue
        unused_count += 1
        if len(out) >= MAX_PER_FILE:
            continue
        bad = [*unused, *unknown]
        written = text[s.comment_start : s.comment_end]
        span = index.span(s.comment_start, s.comment_end)
        if not s.ids:
            message = f"`{written}` suppresses nothing {s.scope_text()}"
        else:
            parts = []
            if unused:
                parts.append(f"{', '.join(unused)} found nothing {s.scope_text()}")
            if unknown:
                guesses = {i: g.split(" (")[0] for i in unknown if (g := guess_rule(i, metas))}
                if len(unknown) == 1 and guesses:
                    hint = f" (did you mean {guesses[unknown[0]]}?)"
                else:
                    hint = f" (did you mean {', '.join(f'{g} for {i}' for i, g in guesses.items())}?)" if guesses else ""
                parts.append(f"{', '.join(unknown)} name{'s' if len(unknown) == 1 else ''} no rule{hint}")
            message = f"unused suppression `{written}`: " + "; ".join(parts)
        keep = [i for i in s.ids if i not in bad]
        if keep:
            edits = (Edit(index.span(s.value_start, s.value_end), ",".join(keep)),)
            desc = f"remove {', '.join(bad)} from the directive"
        else:
            edits = tuple(Edit(index.span(a, b), r) for a, b, r in _removal(s, text))
            desc = "remove the unused directive" + (" and its `enable`" if s.closer else "")
        out.append(make_diagnostic(RULE, path, span, message, fix=Fix(desc, edits, safe=True)))
    if unused_count > len(out):
        out[-1].notes.append(f"{unused_count - len(out)} more unused suppressions in this file are not listed "
                             f"(at most {MAX_PER_FILE} are reported per file)")
    return out
