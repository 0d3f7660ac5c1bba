"""Generate a deterministic tree of deployment files for the speed benchmark.

Seeds are real files: ../shared/corpus (or ``--corpus DIR``) when present, else the project's
own fixtures and examples. Each generated file is a seed with value-level mutations that keep its
syntax intact (flag values, image tags, model ids, replica/GPU counts, a trailing comment), written
under ``<out>/NNNN/<the seed's own relative path>`` so that file names (``docker-compose.yml``,
``values.yaml``, ``Dockerfile``, ``*.sh``, ``.env``...) and neighbours (``Chart.yaml``) still tell
discovery what each file is.

    python benchmarks/gen_tree.py OUT [--files 2000] [--seed 0] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
SKIP_NAMES = {"NOTES.md", "corpus.tsv", "README.md"}

MODELS = [
    "meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-70B-Instruct", "Qwen/Qwen1.5-14B-Chat",
    "google/gemma-2-9b-it", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "meta-llama/Llama-3.2-1B-Instruct",
]
TAGS = ["v0.4.0", "v0.5.5", "v0.6.3", "v0.7.3", "v0.8.5", "v0.9.2", "v0.10.2", "v0.11.2", "latest"]

# (pattern, replacement choices): group 1 is kept, group 2 replaced.
VALUE_MUTATIONS: list[tuple[re.Pattern[str], list[str]]] = [
    (re.compile(r"(--max[-_]model[-_]len[= ]+[\"']?)(\d+)"), ["2048", "4096", "8192", "16384", "32768", "131072"]),
    (re.compile(r"(maxModelLen:\s*)(\d+)"), ["4096", "8192", "32768"]),
    (re.compile(r"(--tensor[-_]parallel[-_]size[= ]+[\"']?)(\d+)"), ["1", "2", "4", "8"]),
    (re.compile(r"(tensorParallelSize:\s*)(\d+)"), ["1", "2", "4"]),
    (re.compile(r"(--gpu[-_]memory[-_]utilization[= ]+[\"']?)([\d.]+)"), ["0.8", "0.85", "0.9", "0.95"]),
    (re.compile(r"(nvidia\.com/gpu[\"']?:\s*[\"']?)(\d+)"), ["1", "2", "4", "8"]),
    (re.compile(r"(replicas:\s*)(\d+)"), ["1", "2", "3"]),
    (re.compile(r"(vllm/vllm-openai:)([\w.\-]+)"), TAGS),
    (re.compile(r"(--model[= ]+[\"']?)([\w.\-]+/[\w.\-]+)"), MODELS),
]


def seed_files(corpus: Path | None) -> list[tuple[Path, Path]]:
    """(absolute path, path relative to its root) of every seed file, sorted for determinism."""
    roots: list[Path]
    if corpus is not None and corpus.is_dir():
        roots = [corpus]
    else:
        roots = [p for p in (REPO / "tests" / "fixtures", REPO / "examples") if p.is_dir()]
    out: list[tuple[Path, Path]] = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.is_symlink() or path.name in SKIP_NAMES:
                continue
            try:
                text = path.read_bytes()
            except OSError:
                continue
            if b"\x00" in text or len(text) > 2_000_000:
                continue
            out.append((path, path.relative_to(root)))
    return out


def mutate(text: str, rng: random.Random) -> str:
    """Change values, never structure: the result parses exactly when the seed does."""
    for pattern, choices in VALUE_MUTATIONS:
        if rng.random() < 0.6:
            text = pattern.sub(lambda m: m.group(1) + rng.choice(choices), text)
    if rng.random() < 0.3:
        sep = "" if text.endswith("\n") or not text else "\n"
        text = f"{text}{sep}# variant {rng.randrange(10**6)}\n"
    return text


def generate(out: Path, files: int = 2000, seed: int = 0, corpus: Path | None = SHARED_CORPUS) -> list[Path]:
    """Write ``files`` mutated seeds under ``out``; returns the paths written."""
    seeds = seed_files(corpus)
    if not seeds:
        raise SystemExit("no seed files found (corpus or tests/fixtures/examples)")
    rng = random.Random(seed)
    written: list[Path] = []
    n = 0
    while n < files:
        abs_path, rel = seeds[n % len(seeds)]
        # Each copy keeps the seed's relative path, so a seed's siblings (Chart.yaml, .env) are
        # only beside it in the copy of the same cycle; discovery sees real names either way.
        target = out / f"{n:04d}" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = abs_path.read_bytes()
        try:
            text = mutate(data.decode("utf-8"), rng)
            target.write_bytes(text.encode("utf-8"))
        except UnicodeDecodeError:
            target.write_bytes(data)
        written.append(target)
        n += 1
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--files", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--corpus", type=Path, default=SHARED_CORPUS, help="seed corpus (default ../shared/corpus when present)")
    ns = p.parse_args(argv)
    written = generate(ns.out, ns.files, ns.seed, ns.corpus)
    print(f"wrote {len(written)} files under {ns.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
