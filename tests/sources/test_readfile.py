"""readfile: limits, encodings, binary files, conflict markers, vanished files."""

from __future__ import annotations

from pathlib import Path

from vllm_lint.sources.base import Limits, SourceFile
from vllm_lint.sources.readfile import load_sibling, load_source


def _load(tmp_path: Path, data: bytes, limits: Limits | None = None):
    p = tmp_path / "f.yaml"
    p.write_bytes(data)
    return load_source(p, "f.yaml", "compose", limits)


def test_plain_utf8(tmp_path: Path) -> None:
    src = _load(tmp_path, "a: é\r\n".encode())
    assert isinstance(src, SourceFile)
    assert src.text == "a: é\r\n" and not src.had_bom and src.kind == "compose"


def test_bom_stripped_and_recorded(tmp_path: Path) -> None:
    src = _load(tmp_path, b"\xef\xbb\xbfa: 1\n")
    assert isinstance(src, SourceFile) and src.had_bom and src.text == "a: 1\n"


def test_utf16_with_bom(tmp_path: Path) -> None:
    src = _load(tmp_path, "\ufeffa: 1\n".encode("utf-16-le"))
    assert isinstance(src, SourceFile) and src.text == "a: 1\n" and src.encoding == "utf-16"


def test_oversized(tmp_path: Path) -> None:
    d = _load(tmp_path, b"a" * 3 * 1024 * 1024, Limits(max_bytes=1024 * 1024))
    assert d.rule == "VL002"
    assert d.message == "file is 3.0 MiB, larger than the 1 MiB limit (--max-file-size)"


def test_binary(tmp_path: Path) -> None:
    d = _load(tmp_path, b"abc\n\x00\x01")
    assert d.rule == "VL002" and "NUL byte at byte offset 4 (line 2)" in d.message


def test_invalid_utf8_names_offset(tmp_path: Path) -> None:
    d = _load(tmp_path, b"a: 1\nb: \xff\n")
    assert d.rule == "VL002" and "byte offset 8" in d.message and "line 2" in d.message


def test_conflict_markers(tmp_path: Path) -> None:
    d = _load(tmp_path, b"a: 1\n<<<<<<< HEAD\nimage: x\n=======\nimage: y\n>>>>>>> f24a4f8\n")
    assert d.rule == "VL003" and d.span.line == 2 and "<<<<<<< HEAD" in d.message


def test_lone_separator_is_not_conflict(tmp_path: Path) -> None:
    assert isinstance(_load(tmp_path, b"echo hi\n=======\n"), SourceFile)


def test_missing_file_is_diagnostic(tmp_path: Path) -> None:
    d = load_source(tmp_path / "gone.yaml", "gone.yaml", "compose")
    assert d.rule == "VL002" and "No such file" in d.message


def test_directory_is_diagnostic(tmp_path: Path) -> None:
    d = load_source(tmp_path, "dir", "compose")
    assert d.rule == "VL002"


def test_sibling_cached_and_missing(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("A=1\n")
    src = _load(tmp_path, b"a: 1\n")
    sib = load_sibling(src, ".env", "env")
    assert sib is not None and sib.text == "A=1\n" and sib.display == ".env"
    assert load_sibling(src, ".env", "env") is sib
    assert load_sibling(src, "nope.env") is None
