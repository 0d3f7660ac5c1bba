"""Which vLLM options a fix touches, so that one ``--fix`` pass never applies two fixes to the
same option of the same launch (ruff's isolation of fixes, keyed here by option).

Two fixes can each be right alone and wrong together without overlapping by a single character:
renaming ``--max-model-length 8192`` to ``--max-model-len`` and VL101 appending
``--max-model-len 25600`` (computed while the misspelt flag was ignored) would leave two values
for one option, and argparse keeps the last, so the user's 8192 silently becomes 25600. The
planner takes the first such fix in source order and leaves the other for the next pass, which
re-lints the result and recomputes it (here VL101 no longer fires).

An option is named by a key that ignores dashes, underscores, case and a ``no-`` prefix, so
``--max-model-len``, ``--max_model_len``, ``maxModelLen`` and ``max_model_len:`` are one option.
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING, Iterable

from vllm_lint.diagnostic import Diagnostic, Edit

if TYPE_CHECKING:
    from vllm_lint.rules.context import RuleContext

_NUMBER = re.compile(r"-\d[\d.eE+-]*")
# `--flag` words in inserted or replacing text (argv of any list style)
_FLAG_WORD = re.compile(r"(?<![\w-])--([A-Za-z][\w-]*)")
# `key:` at a line start (a chart values key, a vLLM --config or Ray engine_kwargs key)
_YAML_KEY = re.compile(r"(?m)^[ \t]*(?:-[ \t]+)?['\"]?([A-Za-z_][\w-]*)['\"]?[ \t]*:(?=[ \t]|$)")


def option_key(name: str) -> str:
    """``--no-enable-prefix-caching`` / ``enablePrefixCaching`` -> ``enableprefixcaching``."""
    n = name.strip().strip("'\"").split("=", 1)[0].lstrip("-")
    if n[:3].lower() in ("no-", "no_"):
        n = n[3:]
    return re.sub(r"[-_]", "", n).lower()


def _is_flag(text: str) -> bool:
    return text.startswith("-") and len(text) > 1 and not _NUMBER.fullmatch(text)


class _Written:
    """Where one launch writes its options: per file, token spans sorted by start, with the
    option each belongs to (a flag token its own, a value token the flag before it)."""

    def __init__(self, ctx: "RuleContext") -> None:
        per_path: dict[str, list[tuple[int, int, str, bool]]] = {}
        previous: str | None = None
        for tok in ctx.launch.args:
            if _is_flag(tok.text):
                key, is_flag = option_key(tok.text), True
                previous = None if "=" in tok.text else key
            else:
                key, is_flag, previous = previous, False, None
            if key and tok.span is not None and tok.span.path:
                per_path.setdefault(tok.span.path, []).append((tok.span.start, tok.span.end, key, is_flag))
        self.paths = set(per_path)
        self.spans: dict[str, tuple[list[int], list[tuple[int, int, str, bool]], int]] = {}
        for path, items in per_path.items():
            items.sort()
            self.spans[path] = ([s for s, _, _, _ in items], items, max(e - s for s, e, _, _ in items))

    def options(self, edit: Edit) -> set[str]:
        """The options whose written tokens ``edit`` changes, and those its new text writes."""
        out: set[str] = set()
        a, b = edit.span.start, edit.span.end
        found = self.spans.get(edit.span.path)
        if found is not None:
            starts, items, longest = found
            i = bisect.bisect_left(starts, a - longest)
            while i < len(items) and items[i][0] <= b:
                s, e, key, is_flag = items[i]
                inside = s < a < e if a == b else (s < b and a < e)
                if inside:
                    out.add(key)
                    if is_flag and edit.replacement.strip():
                        out.add(option_key(edit.replacement))  # a rename writes the new name
                i += 1
        rep = edit.replacement
        if rep:
            out.update(option_key(m.group(1)) for m in _FLAG_WORD.finditer(rep))
            out.update(option_key(m.group(1)) for m in _YAML_KEY.finditer(rep))
        out.discard("")
        return out


class OptionTouches:
    """For each diagnostic with a fix: its launch and the options the fix touches."""

    def __init__(self, launches: Iterable["RuleContext"]) -> None:
        self._by_name: dict[str, list[tuple["RuleContext", _Written | None]]] = {}
        for ctx in launches:
            self._by_name.setdefault(ctx.launch.name, []).append((ctx, None))

    def _written(self, diag: Diagnostic) -> tuple[int, _Written] | None:
        candidates = self._by_name.get(diag.launch or "")
        if not candidates:
            return None
        for i, (ctx, written) in enumerate(candidates):
            if written is None:
                written = _Written(ctx)
                candidates[i] = (ctx, written)
            if diag.path in (ctx.src.display, ctx.launch.path) or diag.path in written.paths:
                return id(ctx), written
        return None

    def __call__(self, diag: Diagnostic) -> tuple[int, frozenset[str]] | None:
        """(launch identity, options) or None when the diagnostic belongs to no launch."""
        if diag.fix is None or diag.launch is None:
            return None
        found = self._written(diag)
        if found is None:
            return None
        launch_id, written = found
        options: set[str] = set()
        for edit in diag.fix.edits:
            options |= written.options(edit)
        return launch_id, frozenset(options)
