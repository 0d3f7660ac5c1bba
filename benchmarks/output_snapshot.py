"""Write every user-visible output of vllm-lint on the corpus and the examples to one folder.

A change meant to keep behaviour (a refactoring) must leave this folder byte-identical:

    python benchmarks/output_snapshot.py /tmp/snap-before      # on the base commit
    python benchmarks/output_snapshot.py /tmp/snap-after       # on the change
    diff -r /tmp/snap-before /tmp/snap-after

What it records, each as stdout, stderr and exit status of ``vllm_lint.cli.main`` (run in this
process, so a full snapshot takes minutes, not an interpreter start per command):

* for every file of ``../shared/corpus`` (when present) and ``examples/``: ``--format json``,
  ``--format text --no-color``, ``--format sarif``, ``--format github``, ``launches --format json``,
  ``--diff`` and ``--diff --unsafe-fixes``;
* for each of the two trees as a whole: the same, plus ``--statistics``, ``-q`` and ``-v``, and
  ``--fix --unsafe-fixes`` applied to a scratch copy of the tree (its report and every changed file);
* ``rules`` (text and json), ``explain`` for every rule, and a few ``capacity`` command lines.

Paths in the output are relative: the corpus is linted from the folder that holds it, the
examples from the repository root.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

PER_FILE = {
    "json": ["--format", "json"],
    "text": ["--format", "text", "--no-color"],
    "sarif": ["--format", "sarif"],
    "github": ["--format", "github"],
    "diff": ["--diff"],
    "diff-unsafe": ["--diff", "--unsafe-fixes"],
}
PER_TREE = {
    **PER_FILE,
    "statistics": ["--statistics", "--no-color"],
    "quiet": ["-q", "--no-color"],
    "verbose": ["-v", "--no-color"],
}
CAPACITY = [
    ["--gpu", "A10G", "--vllm-version", "0.4.0", "--", "Qwen/Qwen1.5-7B-Chat"],
    ["--gpu", "A10G", "--format", "json", "--", "Qwen/Qwen1.5-7B-Chat", "--max-model-len", "8192"],
    ["--gpu", "H100:8", "--", "meta-llama/Llama-3.1-70B-Instruct", "--tensor-parallel-size", "8"],
    ["--gpu", "L4", "--vllm-version", "0.8.5", "--", "meta-llama/Llama-3.1-8B-Instruct",
     "--gpu-memory-utilization", "0.95", "--max-num-seqs", "64"],
    ["--gpu", "H200", "--compile-cache", "warm", "--format", "json", "--",
     "Qwen/Qwen2.5-7B-Instruct", "--enforce-eager"],
    ["--gpu", "23.58GiB", "--", "mistralai/Mistral-7B-Instruct-v0.3", "--kv-cache-dtype", "fp8"],
    ["--gpu", "A10G", "--", "no-such-org/no-such-model"],
]


def run(argv: list[str], cwd: Path) -> str:
    """stdout, stderr and exit status of one command, as one text."""
    from vllm_lint.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse errors
                code = exc.code
    finally:
        os.chdir(old)
    return f"$ vllm-lint {' '.join(argv)}\n--- exit {code}\n--- stdout\n{out.getvalue()}--- stderr\n{err.getvalue()}"


def write(dest: Path, name: str, text: str) -> None:
    path = dest / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def lint_files(tree: Path, cwd: Path, dest: Path) -> None:
    for path in sorted(p for p in tree.rglob("*") if p.is_file()):
        rel = path.relative_to(cwd).as_posix()
        for label, flags in PER_FILE.items():
            write(dest, f"{rel}/{label}.txt", run([*flags, rel], cwd))
        write(dest, f"{rel}/launches.txt", run(["launches", "--format", "json", rel], cwd))


def lint_tree(tree: Path, cwd: Path, dest: Path) -> None:
    rel = tree.relative_to(cwd).as_posix()
    for label, flags in PER_TREE.items():
        write(dest, f"{rel}/_tree/{label}.txt", run([*flags, rel], cwd))
    write(dest, f"{rel}/_tree/launches.txt", run(["launches", "--format", "json", rel], cwd))
    write(dest, f"{rel}/_tree/launches-text.txt", run(["launches", "--no-color", rel], cwd))
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / cwd.name
        shutil.copytree(cwd / rel, copy / rel)
        for config in (".vllm-lint.toml", "pyproject.toml"):  # the nearest configuration, as in place
            if (cwd / config).is_file() and cwd != REPO:
                shutil.copy2(cwd / config, copy / config)
        report = run(["--fix", "--unsafe-fixes", "--format", "json", rel], copy)
        changes = []
        for before in sorted(p for p in (cwd / rel).rglob("*") if p.is_file()):
            name = before.relative_to(cwd).as_posix()
            old = before.read_text(encoding="utf-8", errors="surrogateescape")
            new = (copy / name).read_text(encoding="utf-8", errors="surrogateescape")
            if old != new:
                changes.extend(difflib.unified_diff(old.splitlines(True), new.splitlines(True), name, name))
        write(dest, f"{rel}/_tree/fix-unsafe.txt", report + "--- files\n" + "".join(changes))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dest", type=Path, help="folder to write (must not exist, or be empty)")
    p.add_argument("--no-corpus", action="store_true", help="skip ../shared/corpus")
    ns = p.parse_args(argv)
    dest: Path = ns.dest
    if dest.exists() and any(dest.iterdir()):
        p.error(f"{dest} is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    os.environ.pop("GITHUB_ACTIONS", None)
    os.environ["CI"] = "1"  # no progress bar

    from vllm_lint.rule_meta import all_meta

    write(dest, "rules.txt", run(["rules", "--no-color"], REPO))
    write(dest, "rules-json.txt", run(["rules", "--format", "json"], REPO))
    for rule_id in sorted(all_meta()):
        write(dest, f"explain/{rule_id}.txt", run(["explain", "--no-color", rule_id], REPO))
    for i, args in enumerate(CAPACITY):
        write(dest, f"capacity/{i:02d}.txt", run(["capacity", "--no-color", *args], REPO))

    lint_files(REPO / "examples", REPO, dest)
    lint_tree(REPO / "examples", REPO, dest)
    if not ns.no_corpus and (SHARED / "corpus").is_dir():
        lint_files(SHARED / "corpus", SHARED, dest)
        lint_tree(SHARED / "corpus", SHARED, dest)
    elif not ns.no_corpus:
        print(f"{SHARED / 'corpus'} not found: corpus skipped", file=sys.stderr)
    print(f"wrote {sum(1 for f in dest.rglob('*') if f.is_file())} files to {dest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
