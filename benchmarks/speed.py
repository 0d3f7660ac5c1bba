"""How fast vllm-lint is, as whole processes, against yamllint and a parse-only lower bound.

Scenarios (each the median of repeated runs; CPU is user + system time; peak memory is the
largest max-RSS of the runs, from GNU ``/usr/bin/time`` when present, else ``os.wait4``):

  a. pre-commit path: ``vllm-lint <one compose file>`` whose model is in the catalog, and
     ``yamllint`` on the same file, the runs of the three interleaved so load changes hit all alike;
  b. ``vllm-lint --format json <tree>`` over a generated tree (benchmarks/gen_tree.py, >= 2,000
     files of every format, mutated from the corpus);
  c. ``yamllint <tree>`` over the same tree, and a parse-only pass (PyYAML's C loader over every
     YAML file of the tree, plus reading every other file) as the lower bound.

    python benchmarks/speed.py [--files 2000] [--runs 15] [--tree-runs 5] [--write-readme] [--profile]

Targets: (a) within 2.5x yamllint on the same file, by CPU time (user + system):
on a shared machine the wall time carries the wait for a core, the CPU time is what the process
spent; and a median wall time under 250 ms. (b) faster than yamllint and within 3x of parse-only,
peak memory under 200 MB.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
README = HERE / "README.md"
BEGIN, END = "<!-- speed:begin -->", "<!-- speed:end -->"

COMPOSE = """\
services:
  vllm:
    image: vllm/vllm-openai:v0.8.5
    command: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--max-model-len", "32768",
              "--gpu-memory-utilization", "0.9"]
    ipc: host
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: 1
              capabilities: [gpu]
"""

PARSE_ONLY = r"""
import os, sys, yaml
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
n = 0
for root, dirs, files in os.walk(sys.argv[1]):
    dirs.sort()
    for name in sorted(files):
        path = os.path.join(root, name)
        with open(path, "rb") as fh:
            data = fh.read()
        if name.endswith((".yaml", ".yml")):
            try:
                for _ in yaml.load_all(data, Loader=Loader):
                    n += 1
            except yaml.YAMLError:
                pass
print(n)
"""


@dataclass
class Stats:
    name: str
    command: str
    walls: list[float]
    cpus: list[float]
    peak_rss_mib: float
    exit_codes: set[int]

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


TIME = Path("/usr/bin/time")


def run_once(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds (user + system), max RSS MiB, exit code) of one child process.

    With GNU time present the child is started by it, so max RSS is the child's own: a child
    forked from this (larger) harness would otherwise inherit the harness's RSS as its floor."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        use_time = TIME.exists()
        full = [str(TIME), "-f", "%M", "-o", tf.name, *cmd] if use_time else cmd
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            err.seek(0)
            sys.stderr.write(err.read().decode("utf-8", "replace")[-3000:])
        # CPU from wait4 (microseconds; with GNU time it also counts time's own ~1 ms): GNU time
        # prints hundredths of a second, too coarse to compare two 60-150 ms runs
        cpu = usage.ru_utime + usage.ru_stime
        if use_time:
            rss_kib = float(tf.read().split()[-1])
            return wall, cpu, rss_kib / 1024, code
    rss_kib = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
    return wall, cpu, rss_kib / 1024, code


def measure(name: str, cmd: list[str], runs: int, cwd: Path, env: dict, warmup: int = 1) -> Stats:
    for _ in range(warmup):
        run_once(cmd, cwd, env)
    walls, cpus, peak, codes = [], [], 0.0, set()
    for _ in range(runs):
        wall, cpu, rss, code = run_once(cmd, cwd, env)
        walls.append(wall)
        cpus.append(cpu)
        peak = max(peak, rss)
        codes.add(code)
    shown = " ".join(Path(c).name if c == sys.executable else c for c in cmd)
    stats = Stats(name, shown, walls, cpus, peak, codes)
    print(f"  {name:<34} median {stats.median * 1000:8.0f} ms  (min {min(walls) * 1000:.0f}, max {max(walls) * 1000:.0f}, "
          f"n={runs})  cpu {stats.cpu * 1000:8.0f} ms  peak {peak:6.1f} MiB  exit {sorted(codes)}", file=sys.stderr)
    return stats


def measure_interleaved(specs: list[tuple[str, list[str]]], runs: int, cwd: Path, env: dict) -> list[Stats]:
    """``measure`` for several commands, run in turns (one run of each per round), so a change of
    the machine's load during the measurement weighs on each alike."""
    for _, cmd in specs:
        run_once(cmd, cwd, env)
    walls: list[list[float]] = [[] for _ in specs]
    cpus: list[list[float]] = [[] for _ in specs]
    peaks = [0.0] * len(specs)
    codes: list[set[int]] = [set() for _ in specs]
    for _ in range(runs):
        for i, (_, cmd) in enumerate(specs):
            wall, cpu, rss, code = run_once(cmd, cwd, env)
            walls[i].append(wall)
            cpus[i].append(cpu)
            peaks[i] = max(peaks[i], rss)
            codes[i].add(code)
    out = []
    for i, (name, cmd) in enumerate(specs):
        shown = " ".join(Path(c).name if c == sys.executable else c for c in cmd)
        stats = Stats(name, shown, walls[i], cpus[i], peaks[i], codes[i])
        print(f"  {name:<34} median {stats.median * 1000:8.0f} ms  (min {min(walls[i]) * 1000:.0f}, "
              f"max {max(walls[i]) * 1000:.0f}, n={runs})  cpu {stats.cpu * 1000:8.0f} ms  peak {peaks[i]:6.1f} MiB  "
              f"exit {sorted(codes[i])}", file=sys.stderr)
        out.append(stats)
    return out


def _load_average() -> str:
    """The 1-minute load average (other processes waiting for the cores), or "unknown"."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):
        return "unknown"


def count_files(tree: Path) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for p in tree.rglob("*"):
        if p.is_file():
            ext = p.suffix or p.name
            kinds[ext] = kinds.get(ext, 0) + 1
    return kinds


def profile_tree(tree: Path, top: int = 35) -> None:
    """cProfile of one in-process lint of the tree, by own time and cumulative time."""
    import cProfile
    import pstats

    sys.path.insert(0, str(REPO / "src"))
    from vllm_lint.lint import LintOptions, lint_paths

    prof = cProfile.Profile()
    prof.enable()
    result = lint_paths([tree], LintOptions())
    prof.disable()
    print(f"profiled: {len(result.files)} files, {len(result.launches)} launches, "
          f"{len(result.diagnostics)} diagnostics", file=sys.stderr)
    stats = pstats.Stats(prof, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def render_table(results: dict[str, Stats], meta: dict[str, str]) -> str:
    a = results["precommit"]
    tree = results["tree"]
    yl = results["yamllint"]
    po = results["parse_only"]
    rows = [
        ("python -c pass (interpreter start)", results["python"]),
        ("(a) pre-commit: one compose file, text", a),
        ("(a) pre-commit: one compose file, json", results["precommit_json"]),
        ("(a) yamllint, same compose file", results["precommit_yamllint"]),
        ("(b) vllm-lint --format json, tree", tree),
        ("(c) yamllint, same tree", yl),
        ("(c) parse-only (PyYAML CSafeLoader), same tree", po),
    ]
    lines = [
        f"Measured {meta['date']} on {meta['machine']} ({meta['cpus']} CPUs), Python {meta['python']}; "
        f"tree: {meta['files']} files generated by `benchmarks/gen_tree.py --seed 0` from {meta['seeds']}; "
        f"load average {meta['load']}.",
        "",
        "| scenario | median wall | min wall | max wall | median CPU (user+sys) | runs | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, s in rows:
        lines.append(f"| {label} | {s.median * 1000:.0f} ms | {min(s.walls) * 1000:.0f} ms | "
                     f"{max(s.walls) * 1000:.0f} ms | {s.cpu * 1000:.0f} ms | {len(s.walls)} | {s.peak_rss_mib:.0f} MiB |")
    a_yl = results["precommit_yamllint"]
    ca_yl = a.cpu / a_yl.cpu
    ra_yl = a.median / a_yl.median
    r_yl = tree.median / yl.median
    r_po = tree.median / po.median
    c_yl = tree.cpu / yl.cpu
    c_po = tree.cpu / po.cpu
    lines += [
        "",
        "| target | measured | met |",
        "|---|---|---|",
        f"| (a) pre-commit within 2.5× yamllint on the same file (CPU time) | {ca_yl:.2f}× yamllint's CPU time "
        f"({ra_yl:.2f}× its wall time) | {'yes' if ca_yl <= 2.5 else 'no'} |",
        f"| (a) pre-commit median < 250 ms | {a.median * 1000:.0f} ms | {'yes' if a.median < 0.25 else 'no'} |",
        f"| (b) faster than yamllint | {r_yl:.2f}× yamllint's wall time ({c_yl:.2f}× its CPU time) | {'yes' if r_yl < 1 else 'no'} |",
        f"| (b) within 3× of parse-only | {r_po:.2f}× parse-only's wall time ({c_po:.2f}× its CPU time) | {'yes' if r_po <= 3 else 'no'} |",
        f"| (b) peak memory < 200 MB | {tree.peak_rss_mib:.0f} MiB | {'yes' if tree.peak_rss_mib * 1.048576 < 200 else 'no'} |",
    ]
    return "\n".join(lines) + "\n"


def write_readme(table: str) -> None:
    text = README.read_text(encoding="utf-8") if README.exists() else ""
    block = f"{BEGIN}\n{table}{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + ("\n\n" if text else "") + "## Results\n\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="vllm-lint speed vs yamllint and parse-only")
    p.add_argument("--files", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--runs", type=int, default=15, help="runs of the pre-commit scenario")
    p.add_argument("--tree-runs", type=int, default=5, help="runs of each tree scenario")
    p.add_argument("--tree", type=Path, help="reuse an existing generated tree")
    p.add_argument("--write-readme", action="store_true", help="write the results table into benchmarks/README.md")
    p.add_argument("--profile", action="store_true", help="also print a cProfile of linting the tree in-process")
    ns = p.parse_args(argv)

    sys.path.insert(0, str(HERE))
    from gen_tree import SHARED_CORPUS, generate

    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "0"}
    for var in ("GITHUB_ACTIONS", "CI"):
        env.pop(var, None)
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="vllm-lint-speed-") as tmp:
        work = Path(tmp)
        tree = ns.tree or work / "tree"
        if ns.tree is None:
            generate(tree, ns.files, ns.seed)
        n_files = sum(1 for q in tree.rglob("*") if q.is_file())
        one = work / "precommit" / "docker-compose.yml"
        one.parent.mkdir()
        one.write_text(COMPOSE)
        print(f"tree: {tree} ({n_files} files)", file=sys.stderr)

        load_before = _load_average()
        results = {
            "python": measure("python -c pass", [py, "-c", "pass"], ns.runs, work, env),
            **dict(zip(("precommit", "precommit_json", "precommit_yamllint"), measure_interleaved([
                ("(a) pre-commit, text", [py, "-m", "vllm_lint", "--gpu", "A10G", str(one)]),
                ("(a) pre-commit, json", [py, "-m", "vllm_lint", "--gpu", "A10G", "--format", "json", str(one)]),
                ("(a) yamllint, same file", [py, "-m", "yamllint", "-f", "parsable", str(one)]),
            ], ns.runs, one.parent, env))),
            "tree": measure("(b) vllm-lint tree", [py, "-m", "vllm_lint", "--format", "json", str(tree)], ns.tree_runs, work, env),
            "yamllint": measure("(c) yamllint tree", [py, "-m", "yamllint", "-f", "parsable", str(tree)], ns.tree_runs, work, env),
            "parse_only": measure("(c) parse-only tree", [py, "-c", PARSE_ONLY, str(tree)], ns.tree_runs, work, env),
        }
        tree_s, yl, po = results["tree"], results["yamllint"], results["parse_only"]
        print(f"\nratios (wall): vllm-lint/yamllint = {tree_s.median / yl.median:.2f}, "
              f"vllm-lint/parse-only = {tree_s.median / po.median:.2f}; (cpu): "
              f"{tree_s.cpu / yl.cpu:.2f}, {tree_s.cpu / po.cpu:.2f}; "
              f"pre-commit median = {results['precommit'].median * 1000:.0f} ms, "
              f"{results['precommit'].cpu / results['precommit_yamllint'].cpu:.2f}× yamllint's CPU time on the same file",
              file=sys.stderr)
        meta = {
            "date": time.strftime("%Y-%m-%d", time.gmtime()),
            "machine": f"{platform.system()} {platform.machine()}",
            "cpus": str(os.cpu_count()),
            "python": platform.python_version(),
            "files": str(n_files),
            "seeds": "the shared corpus" if SHARED_CORPUS.is_dir() else "the project's fixtures",
            "load": f"{load_before} at the start, {_load_average()} at the end",
        }
        table = render_table(results, meta)
        print(table)
        if ns.write_readme:
            write_readme(table)
            print(f"wrote {README}", file=sys.stderr)
        if ns.profile:
            profile_tree(tree)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
