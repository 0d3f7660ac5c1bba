"""``vllm-lint explain ID``: a rule's documentation (the same text as docs/rules): rendered with
rich on a terminal, code blocks wrapped rather than cropped; the Markdown itself when piped, as
``ruff rule`` prints it (never padded to a width)."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, Markdown
from rich.syntax import Syntax

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


class _WrappedCode(CodeBlock):
    """A code block whose long lines wrap at the terminal's width (rich before 14 cropped them)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Syntax(str(self.text).rstrip(), self.lexer_name, theme=self.theme, word_wrap=True, padding=1)


class _Markdown(Markdown):
    elements = {**Markdown.elements, "fence": _WrappedCode, "code_block": _WrappedCode}


def render_explain(m: RuleMeta, console: Console, *, terminal: bool = True) -> None:
    """The rule's page: rendered for a terminal, or its Markdown as is (``terminal=False``)."""
    if not terminal:
        console.file.write(rule_markdown(m))
        return
    console.print(_Markdown(rule_markdown(m)), soft_wrap=False)
