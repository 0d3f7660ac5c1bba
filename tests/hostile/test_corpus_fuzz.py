"""Mutation fuzzing of the real corpus: every file of ../shared/corpus with a few random edits
(syntax characters, anchors/aliases, tags, flags, deleted/duplicated/swapped lines, CRLF,
re-indentation), linted as one tree: no VL000, every span inside its file."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from hostile_support import assert_clean_run, lint

SYNTAX = list("\"'\\$`{}[]()<>:;,-=#!&|*?~%@^\n\r\t ") + [
    "\r\n", "${", "$(", "{{", "}}", "<<", "---", "  ", "- ", "\ufeff", "&a ", "*a ", "!!python/object ", " !Ref ",
    "--max-model-len ", "--tensor-parallel-size ", "-tp ", "8192", "${X:-", "'''", '"""', "<<: *a\n", "=-1", "--no-",
    " \\\n",
]


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(6)
        i = rng.randint(0, len(text))
        lines = text.splitlines(keepends=True)
        if op == 0:
            text = text[:i] + text[min(len(text), i + rng.randint(1, 20)):]
        elif op == 1:
            text = text[:i] + "".join(rng.choice(SYNTAX) for _ in range(rng.randint(1, 3))) + text[i:]
        elif op == 2 and lines:
            a = rng.randrange(len(lines))
            lines.insert(a, lines[a])
            text = "".join(lines)
        elif op == 3 and len(lines) > 1:
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            text = "".join(lines)
        elif op == 4:
            text = text.replace("\n", "\r\n")
        elif lines:
            a = rng.randrange(len(lines))
            lines[a] = " " * rng.randint(0, 6) + lines[a].lstrip()
            text = "".join(lines)
    return text


def _fuzz(shared_dir: Path, tmp_path: Path, copies: int, seed: int) -> None:
    corpus = shared_dir / "corpus"
    files = [p for p in sorted(corpus.rglob("*")) if p.is_file() and p.name not in ("NOTES.md", "corpus.tsv")]
    rng = random.Random(seed)
    n = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for _ in range(copies):
            out = tmp_path / f"{n:05d}" / path.relative_to(corpus)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(mutate(text, rng), encoding="utf-8")
            n += 1
    result = lint(tmp_path, budget=600)
    assert_clean_run(result)
    assert len(result.files) > len(files) * copies // 2


@pytest.mark.shared
def test_mutated_corpus_never_crashes(shared_dir, tmp_path):
    _fuzz(shared_dir, tmp_path, copies=2, seed=0)


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_mutated_corpus_never_crashes_many(shared_dir, tmp_path, seed):
    _fuzz(shared_dir, tmp_path, copies=20, seed=seed)
