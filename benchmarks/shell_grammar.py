"""tree-sitter-bash against vllm-lint's own shell reader (``sources/shell``): same words, same
spans, and what each costs.

    pip install tree-sitter tree-sitter-bash
    python benchmarks/shell_grammar.py [--corpus ../shared/corpus] [--runs 7]

For every shell script of the corpus and of tests/fixtures it compares the raw words of each
simple command (before expansion: the byte ranges the lexer and the grammar give), then times
(a) importing the grammar in a fresh interpreter, (b) parsing every script with the grammar,
(c) the hand lexer alone, and (d) the whole static reading (lexing, expansion, commands) that the
grammar would still need on top of its tree.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))

from vllm_lint.discover import discover  # noqa: E402
from vllm_lint.sources.shell.commands import parse_script  # noqa: E402
from vllm_lint.sources.shell.lexer import Op, RawWord, lex  # noqa: E402


def scripts(corpus: Path) -> list[Path]:
    roots = [p for p in (corpus, REPO / "tests" / "fixtures") if p.is_dir()]
    return sorted(p for p, kind in discover(roots) if kind == "shell")


def hand_commands(text: str) -> list[list[tuple[int, int]]]:
    out: list[list[tuple[int, int]]] = [[]]
    for it in lex(text):
        if isinstance(it, Op):
            if out[-1]:
                out.append([])
        elif isinstance(it, RawWord):
            out[-1].append((it.lo, it.hi))
    return [c for c in out if c]


def grammar_commands(parser, text: str) -> list[list[tuple[int, int]]]:
    data = text.encode("utf-8")
    tree = parser.parse(data)
    starts = [0]  # byte offset of each character: tree-sitter counts bytes
    for ch in text:
        starts.append(starts[-1] + len(ch.encode("utf-8")))
    to_char = {b: i for i, b in enumerate(starts)}
    out: list[list[tuple[int, int]]] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "command":
            words = []
            for child in node.children:
                if child.type in ("variable_assignment", "file_redirect", "heredoc_redirect", "herestring_redirect"):
                    continue
                if child.type == "command_name":
                    child = child.children[0] if child.children else child
                words.append((to_char.get(child.start_byte, -1), to_char.get(child.end_byte, -1)))
            if words:
                out.append(words)
            continue
        stack.extend(reversed(node.children))
    out.sort()
    return out


def compare(paths: list[Path], parser) -> tuple[int, int, list[str]]:
    same = total = 0
    diffs: list[str] = []
    for p in paths:
        text = p.read_text(encoding="utf-8", errors="replace")
        hand = {tuple(c) for c in hand_commands(text)}
        gram = {tuple(c) for c in grammar_commands(parser, text)}
        # a command the lexer sees may hold leading assignments/keywords the grammar separates:
        # compare the words that start vLLM-relevant commands, i.e. every grammar command whose
        # words all appear, in order, inside one hand command
        for g in gram:
            total += 1
            if any(set(g) <= set(h) for h in hand):
                same += 1
            elif len(diffs) < 15:
                diffs.append(f"{p.name}: {[text[a:b] for a, b in g][:6]}")
    return same, total, diffs


def time_import(runs: int) -> float:
    code = "import tree_sitter, tree_sitter_bash; tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))"
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        base = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append((base - t) - (time.perf_counter() - base))
    return statistics.median(times) * 1000


def time_it(fn, texts: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        for text in texts:
            fn(text)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--runs", type=int, default=7)
    ns = ap.parse_args()
    try:
        import tree_sitter
        import tree_sitter_bash
    except ImportError:
        print("pip install tree-sitter tree-sitter-bash", file=sys.stderr)
        return 2
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))
    paths = scripts(ns.corpus)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in paths]
    same, total, diffs = compare(paths, parser)
    print(f"scripts: {len(paths)}, {sum(len(t) for t in texts)} characters")
    print(f"grammar commands whose words the hand lexer gives with the same spans: {same}/{total}")
    for d in diffs:
        print("  differs:", d)
    print(f"(a) import tree_sitter + tree_sitter_bash, fresh interpreter: {time_import(ns.runs):.1f} ms")
    print(f"(b) tree-sitter parse, all scripts: {time_it(lambda t: parser.parse(t.encode()), texts, ns.runs):.2f} ms")
    print(f"(c) hand lexer, all scripts: {time_it(lex, texts, ns.runs):.2f} ms")
    print(f"(d) hand lexer + expansion + commands, all scripts: {time_it(parse_script, texts, ns.runs):.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
