"""Reading input files as text, within limits, turning every failure into a VL002/VL003 diagnostic.

Deployment tools (Docker Compose, kubectl, Helm, bash) read these files as UTF-8; a UTF-8 BOM
is tolerated and stripped, UTF-16 with a BOM is decoded (editors on Windows write it). Newlines
are left untouched so CRLF files keep their ``\\r`` and spans slice the original characters.
"""

from __future__ import annotations

import os
import re
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from vllm_lint.diagnostic import Diagnostic
from vllm_lint.sources.base import Limits, SourceFile, input_diagnostic
from vllm_lint.span import LineIndex

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "utf-8"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)

# git writes "<<<<<<< ours", "=======", ">>>>>>> theirs" at line starts; all three must be present
# (a lone "=======" is a Markdown/RST underline or an echo banner).
_CONFLICT_START = re.compile(r"^<<<<<<<(?: |$)", re.M)
_CONFLICT_MID = re.compile(r"^=======\r?$", re.M)
_CONFLICT_END = re.compile(r"^>>>>>>>(?: |$)", re.M)


def human_size(n: int) -> str:
    """``209715200`` -> ``"200.0 MiB"``."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


def _limit_text(n: int) -> str:
    mib = n / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else human_size(n)


# Contents that stand in for files on disk while ``--fix``/``--diff`` re-lint their own output
# (real path -> bytes): the fixes of each pass are linted before anything is written.
_OVERLAY: dict[str, bytes] = {}


@contextmanager
def overlay(files: dict[str, bytes]) -> Iterator[None]:
    """Within the block, reading any of ``files`` (real paths) returns the given bytes instead."""
    previous = dict(_OVERLAY)
    _OVERLAY.update(files)
    try:
        yield
    finally:
        _OVERLAY.clear()
        _OVERLAY.update(previous)


def _overlaid(path: Path) -> bytes | None:
    return _OVERLAY.get(os.path.realpath(path)) if _OVERLAY else None


def read_bytes(path: Path, display: str, limits: Limits) -> bytes | Diagnostic:
    """The file's bytes, or VL002 when it is missing, unreadable, a directory or too large."""
    staged = _overlaid(path)
    if staged is not None:
        if len(staged) > limits.max_bytes:
            return input_diagnostic(
                "VL002", display, None,
                f"file is {human_size(len(staged))}, larger than the {_limit_text(limits.max_bytes)} limit "
                "(--max-file-size)")
        return staged
    try:
        # O_NONBLOCK: opening a FIFO named like a config must not wait for a writer; the fstat
        # below then refuses anything that is not a regular file (FIFO, socket, /dev/zero).
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(path)
            if not stat.S_ISREG(st.st_mode):
                return input_diagnostic("VL002", display, None, "cannot read file: not a regular file (a FIFO, socket or device)")
            if st.st_size > limits.max_bytes:
                return input_diagnostic(
                    "VL002", display, None,
                    f"file is {human_size(st.st_size)}, larger than the {_limit_text(limits.max_bytes)} limit "
                    "(--max-file-size)")
            data = fh.read(limits.max_bytes + 1)
    except IsADirectoryError:
        return input_diagnostic("VL002", display, None, "cannot read file: it is a directory")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return input_diagnostic("VL002", display, None, f"cannot read file: {reason}")
    if len(data) > limits.max_bytes:  # grew while being read
        return input_diagnostic(
            "VL002", display, None,
            f"file is larger than the {_limit_text(limits.max_bytes)} limit (--max-file-size)")
    return data


def decode(data: bytes, display: str) -> tuple[str, bool, str] | Diagnostic:
    """(text, had_bom, encoding) or VL002 for binary data or invalid UTF-8."""
    had_bom = False
    encoding = "utf-8"
    codec = "utf-8"
    for bom, name, label in _BOMS:
        if data.startswith(bom):
            had_bom, codec, encoding = True, name, label
            data = data[len(bom):]
            break
    if codec == "utf-8":
        nul = data.find(b"\x00")
        if nul != -1:
            line = data.count(b"\n", 0, nul) + 1
            return input_diagnostic(
                "VL002", display, None,
                f"file looks binary: it holds a NUL byte at byte offset {nul} (line {line})")
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start:exc.start + 1].hex()
        return input_diagnostic(
            "VL002", display, None,
            f"file is not valid {encoding.upper()}: byte 0x{bad} at byte offset {exc.start} (line {line})")
    if codec != "utf-8" and "\x00" in text:
        return input_diagnostic("VL002", display, None, "file looks binary: it holds NUL characters")
    return text, had_bom, encoding


def conflict_marker(text: str, display: str, index: LineIndex) -> Diagnostic | None:
    """VL003 at the first ``<<<<<<<`` line when a complete unresolved git conflict is present."""
    start = _CONFLICT_START.search(text)
    if not start or not _CONFLICT_END.search(text, start.end()) or not _CONFLICT_MID.search(text, start.end()):
        return None
    line_end = text.find("\n", start.start())
    line_end = len(text) if line_end == -1 else line_end
    end = line_end - 1 if line_end > start.start() and text[line_end - 1] == "\r" else line_end
    span = index.span(start.start(), end)
    return input_diagnostic(
        "VL003", display, span,
        f"unresolved git merge-conflict marker on line {span.line}: {text[start.start():end]!r}")


def load_source(path: Path, display: str, kind: str, limits: Limits | None = None) -> SourceFile | Diagnostic:
    """Read and decode one file into a SourceFile, or the diagnostic that explains why not."""
    limits = limits or Limits()
    data = read_bytes(path, display, limits)
    if isinstance(data, Diagnostic):
        return data
    decoded = decode(data, display)
    if isinstance(decoded, Diagnostic):
        return decoded
    text, had_bom, encoding = decoded
    index = LineIndex(display, text)
    conflict = conflict_marker(text, display, index)
    if conflict is not None:
        return conflict
    return SourceFile(path=path, display=display, text=text, index=index, kind=kind,
                      had_bom=had_bom, encoding=encoding, limits=limits)


_SIBLINGS: dict[tuple[str, str, str], tuple[tuple, SourceFile | None]] = {}


def load_sibling(src: SourceFile, rel: str, kind: str = "") -> SourceFile | None:
    """A context file relative to ``src``'s folder (``.env`` beside a compose file, a kustomize
    base, ``values.yaml`` beside an overlay); None when it is missing or unreadable. Cached per
    process, keyed by path, size and mtime."""
    target = src.path.parent / rel
    display_parent = os.path.dirname(src.display)
    display = os.path.normpath(os.path.join(display_parent, rel)) if display_parent else os.path.normpath(rel)
    try:
        st = target.stat()
    except OSError:
        return None
    if not target.is_file():
        return None
    key = (str(target.resolve()), kind, display)  # the display depends on how the caller named src
    staged = _overlaid(target)
    stamp = (st.st_size, st.st_mtime_ns) if staged is None else ("overlay", hash(staged))
    hit = _SIBLINGS.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    loaded = load_source(target, display, kind, src.limits)
    result = loaded if isinstance(loaded, SourceFile) else None
    _SIBLINGS[key] = (stamp, result)
    return result
