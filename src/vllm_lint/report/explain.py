"""``vllm-lint explain ID``: a rule's documentation rendered with rich (the same text as docs/rules)."""

from __future__ import annotations

from rich.console import Console
from rich.markdown import Markdown

from vllm_lint.rule_meta import RuleMeta


def rule_markdown(m: RuleMeta) -> str:
    """The rule's page as Markdown; docs/rules/<ID>.md is generated from this."""
    parts = [f"# {m.id} {m.name}", "", f"**Severity:** {m.severity.value}", "", m.summary, ""]
    parts += ["## What it does", "", m.what.strip(), "", "## Why is this bad?", "", m.why.strip(), ""]
    bad = (m.examples or {}).get("bad") or []
    good = (m.examples or {}).get("good") or []
    if bad:
        ex = bad[0]
        parts += ["## Example", "", f"`{ex['filename']}`" + (f" (GPU {ex['options']['gpu']})" if ex.get("options", {}).get("gpu") else ""), "", "```" + _lang(ex["filename"]), ex["content"].rstrip("\n"), "```", ""]
    if good:
        ex = good[0]
        parts += ["## Use instead", "", f"`{ex['filename']}`", "", "```" + _lang(ex["filename"]), ex["content"].rstrip("\n"), "```", ""]
    parts += ["## How to fix", "", m.fix.strip(), "", "## Fix safety", "", m.fix_safety.strip(), ""]
    if m.references:
        parts += ["## References", ""] + [f"- <{r}>" for r in m.references] + [""]
    return "\n".join(parts)


def _lang(filename: str) -> str:
    if filename.endswith((".yaml", ".yml")):
        return "yaml"
    if filename.endswith(".sh") or filename.startswith("entrypoint"):
        return "bash"
    if "Dockerfile" in filename:
        return "dockerfile"
    return ""


def render_explain(m: RuleMeta, console: Console) -> None:
    console.print(Markdown(rule_markdown(m)))
