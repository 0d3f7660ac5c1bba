"""docs/architecture.md matches the code: every module or package it names exists, every package and
module of ``src/vllm_lint`` is named, and the pipeline drawing lists its stages in the order of the
module table."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "vllm_lint"
DOC = ROOT / "docs" / "architecture.md"

_PATH = re.compile(r"^[\w./-]+(?:\.py|\.json|\.yaml|/)$")
_DOTTED = re.compile(r"^[a-z_]+(?:\.[A-Za-z_]+)+$")


def _rows(text: str) -> list[tuple[str, list[str]]]:
    """(the row's package folder relative to src/vllm_lint, every backticked name of the row)."""
    out = []
    for line in text.splitlines():
        if not line.startswith("| `"):
            continue
        first = line.split("|")[1]
        lead = re.findall(r"`([^`]+)`", first)[0]
        package = lead if lead.endswith("/") else (lead.rsplit("/", 1)[0] + "/" if "/" in lead else "")
        out.append((package, re.findall(r"`([^`]+)`", line)))
    return out


def _resolves(name: str, package: str) -> Path | None:
    for base in (SRC / package, SRC, ROOT):
        path = base / name
        if path.exists() and (name.endswith("/") == path.is_dir()):
            return path.resolve()
    return None


def _named(text: str) -> tuple[set[Path], list[str]]:
    """(files and folders the doc names, names that resolve to nothing)."""
    found: set[Path] = set()
    missing: list[str] = []
    for package, names in _rows(text):
        for name in names:
            if "xxx" in name:  # a pattern (rules/VLxxx.yaml), not a file
                continue
            if _PATH.match(name):
                path = _resolves(name, package)
                if path is None:
                    missing.append(f"{name} (row of {package or 'src/vllm_lint/'})")
                else:
                    found.add(path)
            elif _DOTTED.match(name) and (SRC / name.split(".")[0]).is_dir():
                parts = name.split(".")
                if not any((SRC / "/".join(parts[:i])).with_suffix(".py").is_file() for i in range(2, len(parts) + 1)):
                    missing.append(name)
    for name in _drawing(text):
        path = _resolves(name, "")
        if path is None:
            missing.append(f"{name} (drawing)")
        else:
            found.add(path)
    return found, missing


def _drawing(text: str) -> list[str]:
    """The stages of the pipeline drawing (the first code block), in order."""
    block = text.split("```", 2)[1]
    stages = []
    for line in block.splitlines():
        stages += re.findall(r"─([\w/]+(?:\.py|/))─", line)
    return stages


def test_every_name_in_the_doc_exists():
    _, missing = _named(DOC.read_text(encoding="utf-8"))
    assert not missing, f"docs/architecture.md names what the code does not have: {missing}"


def test_every_package_and_module_is_in_the_doc():
    found, _ = _named(DOC.read_text(encoding="utf-8"))
    code = [p for p in sorted(SRC.rglob("*")) if "__pycache__" not in p.parts
            and ((p.is_dir() and (p / "__init__.py").is_file()) or (p.suffix == ".py" and p.name != "__init__.py"))]
    absent = [p.relative_to(SRC).as_posix() + ("/" if p.is_dir() else "") for p in code if p.resolve() not in found]
    assert not absent, f"add these to docs/architecture.md (its module table): {absent}"


def test_the_drawing_follows_the_table_order():
    text = DOC.read_text(encoding="utf-8")
    stages = _drawing(text)
    assert stages[:3] == ["discover.py", "sources/", "vllm/"] and "report/" in stages
    first_row = {}
    for i, (package, names) in enumerate(_rows(text)):
        for name in names:
            first_row.setdefault(name, i)
    order = [first_row[s] for s in stages if s in first_row]
    assert len(order) == len(stages), [s for s in stages if s not in first_row]
    assert order == sorted(order), f"the drawing's stages {stages} are not in the table's order"


def test_a_missing_module_is_caught():
    text = DOC.read_text(encoding="utf-8").replace("`paths.py`", "`no_such_module.py`")
    found, missing = _named(text)
    assert "no_such_module.py (row of src/vllm_lint/)" in missing
    assert (SRC / "paths.py").resolve() not in found
