"""``--fix`` / ``--diff``: apply the edits that rules attach to diagnostics, byte-exactly.

Only the characters inside each edit's span change; everything else in the file (other lines,
comments, indentation, a UTF-8 BOM, CRLF line endings) is written back as it was read. Writes
are atomic: the new content goes to a temporary file in the same folder, gets the original
file's mode, and is renamed over the original (through a symlink to its target).

Conflicts follow ruff: fixes are taken in source order; one whose edits overlap an edit already
taken, or that touches an option of a launch another taken fix touches (``fix_isolation``), waits
for the next pass. ``fix_until_stable`` lints each pass's result in memory and repeats until
nothing changes (or ``MAX_PASSES``), then writes once: ``--fix`` and ``--diff`` show the same
converged result. Safe fixes keep behaviour; unsafe ones (a smaller ``max_model_len``) need
``unsafe=True``.

Rule authors build edits with ``rename_flag_edit`` (a flag written in any token style) and
``insertion_edit`` (a flag that is absent, rendered by the source's ``Launch.insertion``).
"""

from __future__ import annotations

import bisect
import difflib
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from vllm_lint.diagnostic import Diagnostic, Edit
from vllm_lint.launch import Insertion, Token
from vllm_lint.span import LineIndex, Span

if TYPE_CHECKING:
    from vllm_lint.results import LintResult
    from vllm_lint.sources.base import SourceFile


@dataclass
class FixOutcome:
    diff: str = ""  # unified diff of every change, "--- a/path" / "+++ b/path"
    remaining: list[Diagnostic] = field(default_factory=list)  # diagnostics not fixed
    fixed: int = 0
    files_changed: list[str] = field(default_factory=list)
    skipped: list[Diagnostic] = field(default_factory=list)  # fixable, but overlapped another fix
    errors: list[str] = field(default_factory=list)  # files that could not be written, with why
    passes: int = 0  # passes that changed something
    converged: bool = True  # False when MAX_PASSES passes still left fixes to apply
    unconverged: list[str] = field(default_factory=list)  # "path (VL201, VL101)" still changing then
    applied: list[tuple[str, str]] = field(default_factory=list)  # (path, rule) of each fix applied, in order


# -- helpers for rules --------------------------------------------------------------------------

_QUOTES = ("'", '"')


def _camel(words: list[str]) -> str:
    return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def render_flag(token: Token, flag: str, original: str | None = None) -> str:
    """The text that writes option ``flag`` (``--max-model-len``) where ``token`` stands.

    argv / argv-eq tokens get the flag itself (keeping quotes the original word had); a Helm
    key keeps the key's case convention (camelCase, snake_case or kebab-case); a vLLM config
    key is snake_case, as vLLM's ``--config`` loader expects.
    """
    name = flag.lstrip("-")
    words = [w for w in re.split(r"[-_]", name) if w]
    raw = original if original is not None else (token.raw if token.raw is not None else token.text)
    if token.style == "config-key":
        return "_".join(words)
    if token.style == "helm-key":
        key = raw.strip("'\"")
        if "_" in key:
            new = "_".join(words)
        elif "-" in key:
            new = "-".join(words)
        else:
            new = _camel(words)
        return _requote(raw, new)
    return _requote(raw, flag)


def _requote(raw: str, new: str) -> str:
    if len(raw) >= 2 and raw[0] in _QUOTES and raw[-1] == raw[0]:
        return raw[0] + new + raw[0]
    return new


def rename_flag_edit(token: Token, flag: str, text: str | None = None) -> Edit | None:
    """An Edit that renames the flag written at ``token`` to ``flag``; None for synthetic tokens.

    ``text`` is the file's text: when given, the span's own characters decide the quoting.
    """
    if token.span is None or token.style == "synthetic":
        return None
    span = token.span
    original = span.slice(text) if text is not None else (token.raw if token.raw is not None else token.text)
    if token.style == "argv" and original.lstrip("'\"").startswith("-") and "=" in original:
        # "--max_model_len=4096" as one word: rename the flag half, keep "=value" as written.
        lead = 1 if original[:1] in _QUOTES else 0
        cut = original.index("=")
        if span.line == span.end_line:
            span = Span(span.path, span.start + lead, span.start + cut, span.line, span.column + lead,
                        span.line, span.column + cut)
            return Edit(span, flag)
    return Edit(span, render_flag(token, flag, original))


def insertion_edit(insertion: Insertion, index: LineIndex, words: list[str]) -> Edit:
    """An Edit adding argv ``words`` (``["--max-model-len", "8192"]``) where the source said new
    flags go, written by the source's own renderer in the list style and indentation there."""
    return Edit(index.span(insertion.offset, insertion.offset), insertion.render(list(words)))


_LIST_ITEM_LINE = re.compile(r"^[ \t]*-[ \t]*$")
_CONTINUATION_ONLY = re.compile(r"[ \t]*\\\r?")


def deletion_edit(text: str, index: LineIndex, start: int, end: int) -> Edit | None:
    """An Edit removing the argv words written at ``text[start:end]`` (one word, or a flag and its
    value) with the separator that belongs to them, or None when no removal keeps the syntax:

    - a YAML block-list item: its whole line(s); a flow-list item: it and one comma;
    - a shell line holding only the words before a ``\\`` continuation: the whole line;
    - a shell word after blanks: the blanks before it; the first word of a line: the blanks after.
    """
    if 0 < start and end < len(text) and text[start - 1] == text[end] and text[end] in "\"'":
        start, end = start - 1, end + 1  # the span covers the inside of a quoted scalar
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    before = text[line_start:start]
    after = text[end:line_end]
    after_code = after.split(" #", 1)[0].rstrip()
    next_line = line_end + 1 if line_end < len(text) else line_end
    if _LIST_ITEM_LINE.match(before) and after_code.strip() == "":
        return Edit(index.span(line_start, next_line), "")
    m = re.match(r"[ \t]*,[ \t]*", after)
    if m and before.rstrip().endswith(("[", ",")):
        return Edit(index.span(start, end + m.end()), "")
    m = re.search(r",[ \t]*$", before)
    if m and after.lstrip().startswith("]"):
        return Edit(index.span(line_start + m.start(), end), "")
    if before.strip() == "" and _CONTINUATION_ONLY.fullmatch(after) and line_end < len(text):
        return Edit(index.span(line_start, next_line), "")  # the lines around stay continued
    m = re.search(r"[ \t]+$", before)
    if m and (after == "" or after[0] in " \t\\;\r"):
        return Edit(index.span(line_start + m.start(), end), "")
    m = re.match(r"[ \t]+(?=[^ \t\r\\#])", after)
    if before.strip() == "" and m:
        return Edit(index.span(start, end + m.end()), "")
    return None


# -- planning -----------------------------------------------------------------------------------


def _conflicts(a: Edit, b: Edit) -> bool:
    """Whether two edits cannot both apply. Identical edits are compatible (applied once)."""
    if (a.span.start, a.span.end, a.replacement) == (b.span.start, b.span.end, b.replacement):
        return False
    a0, a1, b0, b1 = a.span.start, a.span.end, b.span.start, b.span.end
    if a0 == a1 and b0 == b1:  # two insertions at one point: their order would be a guess
        return a0 == b0
    if a0 == a1:
        return b0 < a0 < b1
    if b0 == b1:
        return a0 < b0 < a1
    return a0 < b1 and b0 < a1


def _fix_order(diag: Diagnostic) -> tuple:
    edits = diag.fix.edits if diag.fix else ()
    first = min((e.span.start for e in edits), default=0)
    return (diag.path, first, diag.rule)


def _wanted(diag: Diagnostic, unsafe: bool) -> bool:
    fix = diag.fix
    return fix is not None and bool(fix.edits) and (fix.safe or unsafe)


class _Chosen:
    """The edits chosen for one file, sorted by (start, end): overlap checks look only at the
    neighbours of a new edit, so planning thousands of fixes in one file stays fast."""

    def __init__(self) -> None:
        self.keys: list[tuple[int, int]] = []
        self.edits: list[Edit] = []

    def conflicts(self, e: Edit) -> bool:
        i = bisect.bisect_left(self.keys, (e.span.start, e.span.end))
        j = i - 1
        while j >= 0:  # earlier edits: only those reaching past e's start can overlap it
            o = self.edits[j]
            if _conflicts(e, o):
                return True
            if o.span.end <= e.span.start and o.span.start != e.span.start:
                break
            j -= 1
        j = i
        while j < len(self.edits):  # later edits: only those starting before e's end
            o = self.edits[j]
            if o.span.start >= e.span.end and o.span.start != e.span.start:
                break
            if _conflicts(e, o):
                return True
            j += 1
        return False

    def add(self, e: Edit) -> None:
        key = (e.span.start, e.span.end)
        i = bisect.bisect_left(self.keys, key)
        k = i
        while k < len(self.keys) and self.keys[k] == key:
            if self.edits[k].replacement == e.replacement:
                return  # identical edit from another fix: applied once
            k += 1
        self.keys.insert(i, key)
        self.edits.insert(i, e)


def plan_edits(
    diagnostics: list[Diagnostic], texts: dict[str, str], *, unsafe: bool,
    touches: "Callable[[Diagnostic], tuple[object, frozenset[str]] | None] | None" = None,
) -> tuple[dict[str, list[Edit]], list[Diagnostic], list[Diagnostic]]:
    """Choose which fixes to apply: (edits per path, fixed diagnostics, skipped diagnostics).

    A fix applies whole or not at all; it is skipped when one of its edits falls outside its
    file, names a file not read, or overlaps an edit already chosen, or when ``touches`` (launch,
    options) says it changes an option of a launch that a chosen fix already changes.
    """
    chosen: dict[str, _Chosen] = {}
    taken: dict[object, set[str]] = {}  # launch -> options changed by the fixes chosen so far
    fixed: list[Diagnostic] = []
    skipped: list[Diagnostic] = []
    for diag in sorted((d for d in diagnostics if _wanted(d, unsafe)), key=_fix_order):
        edits = diag.fix.edits  # type: ignore[union-attr]
        ok = True
        for i, e in enumerate(edits):
            text = texts.get(e.span.path)
            if text is None or not (0 <= e.span.start <= e.span.end <= len(text)):
                ok = False
                break
            if e.span.path in chosen and chosen[e.span.path].conflicts(e):
                ok = False
                break
            if any(_conflicts(e, o) for o in edits[:i] if o.span.path == e.span.path):
                ok = False
                break
        touched = touches(diag) if ok and touches is not None else None
        if touched is not None and touched[1] & taken.get(touched[0], set()):
            ok = False
        if not ok:
            skipped.append(diag)
            continue
        for e in edits:
            chosen.setdefault(e.span.path, _Chosen()).add(e)
        if touched is not None:
            taken.setdefault(touched[0], set()).update(touched[1])
        fixed.append(diag)
    return {p: c.edits for p, c in chosen.items()}, fixed, skipped


def newline_of(text: str) -> str:
    """The file's line ending: CRLF when its first line ending is CRLF, else LF."""
    i = text.find("\n")
    return "\r\n" if i > 0 and text[i - 1] == "\r" else "\n"


def apply_edits(text: str, edits: list[Edit]) -> str:
    """``text`` with non-overlapping ``edits`` applied; new lines in replacements follow the
    file's own line ending so a CRLF file stays CRLF."""
    nl = newline_of(text)
    out: list[str] = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.span.start, e.span.end)):
        rep = e.replacement
        if nl == "\r\n":
            rep = rep.replace("\r\n", "\n").replace("\n", "\r\n")
        out.append(text[pos : e.span.start])
        out.append(rep)
        pos = e.span.end
    out.append(text[pos:])
    return "".join(out)


def unified_diff(display: str, before: str, after: str) -> str:
    """A git-style unified diff of one file (``\\ No newline at end of file`` included)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{display}", f"b/{display}"
    )
    out: list[str] = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


# -- writing ------------------------------------------------------------------------------------


def encode_like(src: "SourceFile", text: str, original: bytes) -> bytes:
    """``text`` encoded as the original file was: same codec, same byte-order mark."""
    if src.encoding == "utf-16":
        bom = original[:2]
        codec = "utf-16-le" if bom == b"\xff\xfe" else "utf-16-be"
        return bom + text.encode(codec)
    data = text.encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if src.had_bom else data


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` via a temporary file and rename, keeping its mode
    (and its owner, where permitted).

    A symlink is followed so the link stays a link and its target gets the new content.
    """
    target = Path(os.path.realpath(path))
    st = os.stat(target)
    mode = stat.S_IMODE(st.st_mode)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".vllm-lint-tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            try:  # keep the owner when allowed (root fixing another user's file)
                os.chown(tmp, st.st_uid, st.st_gid)
            except OSError:
                pass
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _current_bytes(src: "SourceFile") -> bytes | None:
    """The file's bytes now, or None when it changed since it was linted (or is unreadable)."""
    from vllm_lint.sources.readfile import decode

    try:
        data = Path(src.path).read_bytes()
    except OSError:
        return None
    decoded = decode(data, src.display)
    if not isinstance(decoded, tuple) or decoded[0] != src.text:
        return None
    return data


def _sources(result: "LintResult", diagnostics: list[Diagnostic]) -> dict[str, "SourceFile"]:
    """Every file an edit touches: those linted, plus context files (a ``.env`` beside a
    compose file) read from disk by their display path."""
    from vllm_lint.sources.readfile import load_source
    from vllm_lint.sources.base import SourceFile

    out: dict[str, SourceFile] = dict(result.sources)
    for d in diagnostics:
        for e in d.fix.edits if d.fix else ():
            p = e.span.path
            if p in out:
                continue
            loaded = load_source(Path(p), p, "")
            if isinstance(loaded, SourceFile):
                out[p] = loaded
    return out


def _plan(result: "LintResult", unsafe: bool):
    """One pass's choice over ``result``: (sources, edits per path, fixed, skipped)."""
    from vllm_lint.fix_isolation import OptionTouches

    diags = list(result.diagnostics)
    sources = _sources(result, [d for d in diags if _wanted(d, unsafe)])
    texts = {p: s.text for p, s in sources.items()}
    chosen, fixed, skipped = plan_edits(diags, texts, unsafe=unsafe, touches=OptionTouches(result.launches))
    return sources, chosen, fixed, skipped


def apply_fixes(result: "LintResult", *, unsafe: bool, write: bool) -> FixOutcome:
    """Apply one pass of ``result``'s fixes: write the files (``write=True``) or only compute the
    diff. Returns the diff, what was fixed and what remains. ``fix_until_stable`` repeats it."""
    diags = list(result.diagnostics)
    sources, chosen, fixed, skipped = _plan(result, unsafe)
    outcome = FixOutcome(skipped=skipped)

    failed_paths: set[str] = set()
    diffs: list[str] = []
    for path in sorted(chosen):
        src = sources[path]
        after = apply_edits(src.text, chosen[path])
        if after == src.text:
            continue
        if write:
            original = _current_bytes(src)
            if original is None:
                failed_paths.add(path)
                outcome.errors.append(f"{path}: changed on disk since it was read; not fixed")
                continue
            try:
                atomic_write(Path(src.path), encode_like(src, after, original))
            except OSError as exc:
                failed_paths.add(path)
                outcome.errors.append(f"{path}: cannot write: {exc.strerror or exc}")
                continue
        outcome.files_changed.append(path)
        diffs.append(unified_diff(path, src.text, after))
    outcome.diff = "".join(diffs)

    done = {id(d) for d in fixed if not any(e.span.path in failed_paths for e in d.fix.edits)}  # type: ignore[union-attr]
    outcome.fixed = len(done)
    outcome.passes = 1 if outcome.files_changed else 0
    outcome.remaining = [d for d in diags if id(d) not in done]
    return outcome


# ruff stops after 100 passes; each pass here re-lints every path given, so fewer: chains of
# deferred fixes are short (a rename, then the value the next pass computes).
MAX_PASSES = 10


class _Staged:
    """The files a fix loop has changed so far, in memory: their first-read SourceFile and bytes
    (to encode alike and to check nothing else wrote them) and their current text."""

    def __init__(self) -> None:
        self.first: dict[str, "SourceFile"] = {}
        self.data: dict[str, bytes] = {}
        self.text: dict[str, str] = {}
        self.failed: set[str] = set()

    def stage(self, src: "SourceFile", after: str, errors: list[str]) -> bool:
        path = src.display
        if path in self.failed:
            return False
        if path not in self.first:
            data = _current_bytes(src)
            if data is None:
                self.failed.add(path)
                errors.append(f"{path}: changed on disk since it was read; not fixed")
                return False
            self.first[path], self.data[path] = src, data
        self.text[path] = after
        return True

    def overlay(self) -> dict[str, bytes]:
        return {os.path.realpath(self.first[p].path): encode_like(self.first[p], t, self.data[p])
                for p, t in self.text.items()}

    def changed(self) -> list[str]:
        return sorted(p for p, t in self.text.items() if t != self.first[p].text)


def fix_until_stable(
    result: "LintResult", relint: "Callable[[], LintResult]", *, unsafe: bool, write: bool = True,
    max_passes: int | None = None,
) -> tuple[FixOutcome, "LintResult"]:
    """``--fix`` (``write=True``) and ``--diff`` as ruff does them: apply a pass of fixes, lint the
    result again (in memory: ``relint`` reads the staged texts through ``readfile.overlay``), and
    repeat until a pass changes nothing or ``max_passes`` passes ran; then write each changed file
    once. The diff is from the files as read to the converged text, so ``--diff`` shows exactly
    what ``--fix`` writes.

    Returns the outcome (fixes applied over all passes, files changed, the diff, whether the loop
    converged) and the last lint result, which describes the files as they now are.
    """
    from vllm_lint.sources.readfile import overlay

    max_passes = MAX_PASSES if max_passes is None else max_passes
    staged = _Staged()
    total = FixOutcome()
    seen: set[tuple] = {()}  # texts that differ from the files as read; () is the start
    last_rules: dict[str, set[str]] = {}
    for n in range(max_passes + 1):
        with overlay(staged.overlay()):
            sources, chosen, fixed, skipped = _plan(result, unsafe)
            fixed = [d for d in fixed if not any(e.span.path in staged.failed for e in d.fix.edits)]  # type: ignore[union-attr]
            moved: dict[str, str] = {}
            for path in sorted(chosen):
                if path in staged.failed:
                    continue
                src = sources[path]
                after = apply_edits(src.text, chosen[path])
                if after != src.text:
                    moved[path] = after
            if not moved:
                total.skipped = skipped
                break
            if n == max_passes:  # fixes remain after the last allowed pass
                total.converged = False
                for d in fixed:
                    last_rules.setdefault(d.path, set()).add(d.rule)
                break
            for path, after in moved.items():
                staged.stage(sources[path], after, total.errors)
            done = [d for d in fixed if not any(e.span.path in staged.failed for e in d.fix.edits)]  # type: ignore[union-attr]
            total.fixed += len(done)
            total.applied += [(d.path, d.rule) for d in done]
            total.passes += 1
            state = tuple((p, staged.text[p]) for p in staged.changed())
            if state in seen:  # back to an earlier text: the fixes undo each other
                total.converged = False
                for d in fixed:
                    last_rules.setdefault(d.path, set()).add(d.rule)
                break
            seen.add(state)
        with overlay(staged.overlay()):
            result = relint()
    total.unconverged = [f"{p} ({', '.join(sorted(r))})" for p, r in sorted(last_rules.items())]

    changed = staged.changed()
    total.diff = "".join(unified_diff(p, staged.first[p].text, staged.text[p]) for p in changed)
    written_failed = False
    for path in changed:
        src = staged.first[path]
        if not write:
            total.files_changed.append(path)
            continue
        if _current_bytes(src) != staged.data[path]:
            total.errors.append(f"{path}: changed on disk since it was read; not fixed")
            written_failed = True
            continue
        try:
            atomic_write(Path(src.path), encode_like(src, staged.text[path], staged.data[path]))
        except OSError as exc:
            total.errors.append(f"{path}: cannot write: {exc.strerror or exc}")
            written_failed = True
            continue
        total.files_changed.append(path)
    if written_failed:
        result = relint()  # report the files as they are on disk
    total.remaining = list(result.diagnostics)
    return total, result
