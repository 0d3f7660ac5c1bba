"""Command-line interface: argument handling only; the work happens in lint.py and friends.

    vllm-lint [check] [PATH ...]      lint (default .); exit 0 when nothing is at or above --fail-on
                                      (default warning), 1 when something is, 2 usage/config/internal error
    vllm-lint capacity --gpu G[:N] [--vllm-version V] [--log FILE] [--format text|json] -- <vllm serve args>
    vllm-lint launches PATH [--format json]
    vllm-lint rules [--format json]
    vllm-lint explain RULE
    vllm-lint models [QUERY] [--resolve NAME] [--format json]
    vllm-lint gpus [QUERY] [--resolve NAME] [--format json]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from vllm_lint import __version__, cli_types

SUBCOMMANDS = ("check", "capacity", "launches", "rules", "explain", "models", "gpus")
FORMATS = ("text", "json", "github", "sarif")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse with ruff's error form: one line naming the problem and where help is, not the
    whole usage (vllm-lint's usage is twenty lines long)."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\nFor more information, try '{self.prog} --help'.\n")


def _console(no_color: bool = False, stderr: bool = False):
    from rich.console import Console

    color = not no_color and "NO_COLOR" not in os.environ
    stream = sys.stderr if stderr else sys.stdout
    return Console(
        file=stream,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        emoji=False,  # ":100:" in "file.yaml:100:23" must stay text
        soft_wrap=True,
        width=None if stream.isatty() else 200,
    )


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--gpu", metavar="GPU[:N]", help="target GPU where a config does not say (A10G, H100:8, nvidia-l4, g5.xlarge, 23.58GiB)")
    p.add_argument("--vllm-version", metavar="X.Y.Z", type=cli_types.release, help="vLLM release where the image tag does not say (default: not known; findings that depend on it name the releases they hold for)")
    p.add_argument("--compile-cache", choices=("cold", "warm"),
                   help="torch.compile cache at the start: cold (default; a new container) or warm (a persisted VLLM_CACHE_ROOT)")
    p.add_argument("--online", action="store_true", help="allow fetching config.json from the Hugging Face Hub (never weights)")
    p.add_argument("--no-color", action="store_true", help="plain output even on a terminal")


EXIT_STATUS = """\
exit status:
  0  no finding at or above --fail-on (default warning: info findings never fail a run)
  1  at least one finding at or above --fail-on
  2  usage, configuration or internal error (an internal error is also reported as VL000)

  --fail-on error is yamllint without --strict (warnings pass); the default, warning, is yamllint
  --strict; --fail-on info fails on every finding, like ruff (which has no severities) and
  hadolint's default --failure-threshold info. `fail-on` in [tool.vllm-lint] sets it per project;
  the command line wins. --exit-zero always exits 0 unless vllm-lint itself failed.

Other commands: vllm-lint capacity|launches|rules|explain|models|gpus --help"""


def _fail_on_level(value: str) -> str:
    """argparse type of --fail-on: a severity, with a did-you-mean for a near miss."""
    from vllm_lint.config import FAIL_ON_LEVELS
    from vllm_lint.suggest import did_you_mean

    if value.lower() in FAIL_ON_LEVELS:
        return value.lower()
    raise argparse.ArgumentTypeError(
        f"{value!r} is not one of {', '.join(FAIL_ON_LEVELS)}{did_you_mean(value, FAIL_ON_LEVELS, cutoff=0.5)}")


def _lint_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="vllm-lint",
        description="Static linter for vLLM deployments: catches KV-cache, flag and GPU mistakes before they reach a GPU.",
        epilog=EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="*", type=Path, help="files or folders to lint (default: .)")
    _common(p)
    p.add_argument("--format", choices=FORMATS, help="output format (default: text; github under GitHub Actions)")
    p.add_argument("--output-file", "-o", type=Path, metavar="FILE", help="write the report to this file")
    p.add_argument("--select", action="append", metavar="IDS", type=cli_types.rule_selectors, help="rule ids, prefixes or names to enable (comma-separated; repeatable)")
    p.add_argument("--ignore", action="append", metavar="IDS", type=cli_types.rule_selectors, help="rule ids, prefixes or names to disable")
    p.add_argument("--exclude", action="append", metavar="GLOB", default=[], help="paths to skip")
    p.add_argument("--force-exclude", action="store_true", help="apply excludes to files passed by name too (for pre-commit)")
    p.add_argument("--values", "-f", action="append", type=Path, default=[], metavar="FILE", help="Helm values overlay, in order (repeatable, like helm -f)")
    p.add_argument("--config", type=Path, metavar="FILE", help="configuration file (default: nearest pyproject.toml [tool.vllm-lint] or .vllm-lint.toml)")
    p.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    p.add_argument("--unsafe-fixes", action="store_true", help="with --fix/--diff: also apply fixes that change behaviour")
    p.add_argument("--diff", action="store_true", help="print the fixes as a unified diff instead of writing")
    p.add_argument("--no-inline-ignores", action="store_true", help="ignore `# vllm-lint: disable` comments and annotations (audits)")
    p.add_argument("--statistics", action="store_true", help="print a count per rule, with totals and a legend (JSON with --format json)")
    p.add_argument("--quiet", "-q", action="store_true", help="one line per finding, no summary")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="also list suppressed findings with their reasons, and why a file holds no launch")
    p.add_argument("--include-docs", action="store_true",
                   help="also read shell and YAML code blocks in Markdown files (READMEs are where flags get copied from)")
    p.add_argument("--fail-on", type=_fail_on_level, metavar="error|warning|info",
                   help="exit 1 only for findings at least this severe (default: the configuration's "
                        "`fail-on`, else warning); see exit status below")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument("--max-file-size", type=int, default=1024 * 1024, metavar="BYTES", help="skip larger files with VL002 (default 1 MiB)")
    p.add_argument("--max-yaml-depth", type=int, default=200, metavar="N", help="skip YAML nested deeper with VL002 (default 200)")
    p.add_argument("--max-yaml-aliases", type=int, default=100_000, metavar="N", help="skip YAML whose aliases expand to more extra nodes with VL002 (default 100000)")
    p.add_argument("--max-args", type=int, default=10_000, metavar="N", help="skip launches with more argv words with VL002 (default 10000)")
    p.add_argument("--version", action="version", version=f"vllm-lint {__version__}")
    return p


def _check_gpu(text: str) -> None:
    """--gpu names exactly one card (a typo or an ambiguous name is a usage error, never a guess)."""
    from vllm_lint.hardware.gpus import GpuNameError, parse_gpu_strict

    try:
        parse_gpu_strict(text)
    except GpuNameError as exc:
        raise UsageError(f"--gpu: {exc}") from None


def _split_ids(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def run_lint(argv: Sequence[str]) -> int:
    from vllm_lint.config import ConfigError
    from vllm_lint.resolve.context import RunOptions
    from vllm_lint.sources.base import Limits
    from vllm_lint.lint import LintOptions, fewer_collections, lint_paths

    ns = _lint_parser().parse_args(argv)
    fmt = ns.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    options = LintOptions(
        run=RunOptions(gpu=ns.gpu, vllm_version=ns.vllm_version, online=ns.online, compile_cache=ns.compile_cache),
        select=_split_ids(ns.select),
        ignore=_split_ids(ns.ignore) or [],
        exclude=list(ns.exclude),
        force_exclude=ns.force_exclude,
        values_files=list(ns.values),
        limits=Limits(max_bytes=ns.max_file_size, max_depth=ns.max_yaml_depth, max_aliases=ns.max_yaml_aliases,
                      max_args=ns.max_args),
        inline_ignores=not ns.no_inline_ignores,
        config_file=ns.config,
        include_docs=ns.include_docs,
    )
    if ns.gpu:
        _check_gpu(ns.gpu)
    for p in ns.paths or []:
        if not p.exists():
            raise UsageError(f"{p}: no such file or directory")
    try:
        result = lint_paths(ns.paths or [Path(".")], options, progress=_progress_bar(fmt))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None

    if not ns.quiet:
        for note in result.notes:
            print(f"vllm-lint: note: {note}", file=sys.stderr)
    if ns.diff or ns.fix:
        from vllm_lint.fix import fix_until_stable

        outcome, result = fix_until_stable(
            result, lambda: lint_paths(ns.paths or [Path(".")], options), unsafe=ns.unsafe_fixes,
            write=not ns.diff,
        )
        for err in outcome.errors:
            print(f"vllm-lint: warning: {err}", file=sys.stderr)
        if not outcome.converged:
            print(_not_converged(outcome), file=sys.stderr)
        n, files = outcome.fixed, len(outcome.files_changed)
        counted = f"{n} finding{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}"
        if ns.diff:
            sys.stdout.write(outcome.diff)
            print(f"Would fix {counted}.", file=sys.stderr)
            return 1 if outcome.diff else 0
        if fmt == "text" and not ns.quiet:
            print(f"Fixed {counted}.", file=sys.stderr)

    out = open(ns.output_file, "w", encoding="utf-8") if ns.output_file else sys.stdout
    try:
        with fewer_collections():  # the report of a large tree allocates as much as the run
            _write(result, fmt, out, ns)
    finally:
        if out is not sys.stdout:
            out.close()
    if result.internal_error:
        return 2
    if ns.exit_zero:
        return 0
    return 1 if result.failing(ns.fail_on) else 0


def _not_converged(outcome) -> str:
    """The warning for a fix loop stopped by its pass limit (ruff's "failed to converge")."""
    from vllm_lint import HOMEPAGE

    where = "; ".join(outcome.unconverged) or "some files"
    return (f"vllm-lint: warning: fixes did not converge after {outcome.passes} passes: {where} still "
            f"changed on the last pass. The files hold the result of the last pass; "
            f"please report this at {HOMEPAGE}/issues")


def _progress_bar(fmt: str):
    """A rich progress bar on stderr for long runs on a terminal; nothing otherwise."""
    if not sys.stderr.isatty() or fmt != "text" or os.environ.get("CI"):
        return None
    state: dict = {}

    def progress(n: int, total: int) -> None:
        if total < 200:
            return
        if "bar" not in state:
            from rich.progress import Progress

            bar = Progress(transient=True, console=_console(stderr=True))
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task("linting", total=total)
        state["bar"].update(state["task"], completed=n + 1)
        if n + 1 >= total:
            state["bar"].stop()

    return progress


def _write(result, fmt: str, out, ns) -> None:
    if ns.statistics and fmt == "json":
        from vllm_lint.report.statistics import write_statistics_json

        write_statistics_json(result, out)
    elif ns.statistics:  # GitHub annotations and SARIF have no counts: the text table
        from vllm_lint.report.statistics import write_statistics

        console = _console(ns.no_color) if out is sys.stdout else _file_console(out)
        write_statistics(result, console, console.width if console.is_terminal else None)
    elif fmt == "json":
        from vllm_lint.report.json_format import write_json

        write_json(result, out)
    elif fmt == "github":
        from vllm_lint.report.github import write_github

        write_github(result, out)
    elif fmt == "sarif":
        from vllm_lint.report.sarif import write_sarif

        write_sarif(result, out)
    else:
        from vllm_lint.report.lines import PlainLines, plain_stream_ok
        from vllm_lint.report.text import write_text

        if plain_stream_ok(out):  # what rich would write, without importing it (the pre-commit hook)
            write_text(result, PlainLines(out), quiet=ns.quiet, verbose=ns.verbose)
            return
        console = _console(ns.no_color) if out is sys.stdout else _file_console(out)
        write_text(result, console, quiet=ns.quiet, verbose=ns.verbose,
                   width=console.width if console.is_terminal else None)


def _file_console(out):
    from rich.console import Console

    return Console(file=out, no_color=True, width=200, highlight=False, emoji=False)


def run_capacity(argv: Sequence[str]) -> int:
    from vllm_lint.capacity_cmd import main as capacity_main

    return capacity_main(argv, _console)


def run_launches(argv: Sequence[str]) -> int:
    from vllm_lint.resolve.context import RunOptions
    from vllm_lint.lint import LintOptions, lint_paths
    from vllm_lint.report.launches import render_launches

    p = _Parser(prog="vllm-lint launches", description="Show every vLLM launch found: effective argv with spans, env, GPU request, image, version.")
    p.add_argument("paths", nargs="*", type=Path, help="files or folders to read (default: .)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--values", "-f", action="append", type=Path, default=[], metavar="FILE",
                   help="Helm values overlay, in order (repeatable, like helm -f)")
    p.add_argument("--include-docs", action="store_true", help="also read code blocks in Markdown files")
    p.add_argument("--no-color", action="store_true", help="plain output even on a terminal")
    ns = p.parse_args(argv)
    result = lint_paths(ns.paths or [Path(".")], LintOptions(run=RunOptions(), select=["VL0"], values_files=ns.values,
                                                             include_docs=ns.include_docs))
    render_launches([c.launch for c in result.launches], ns.format, _console(ns.no_color),
                    models=[_resolution(c) for c in result.launches])
    return 2 if result.internal_error else 0


def _resolution(ctx) -> dict | None:
    """How a launch's model resolved, for `launches` (None when the launch names no model)."""
    from vllm_lint.models_cmd import resolution_json

    try:
        res = ctx.model_resolution
    except Exception:  # noqa: BLE001 - a launch whose flags do not parse still lists
        return None
    return resolution_json(res) if res is not None else None


def run_rules(argv: Sequence[str]) -> int:
    import json

    from vllm_lint.rule_meta import all_meta

    p = _Parser(prog="vllm-lint rules", description="List every rule.")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--no-color", action="store_true", help="plain output even on a terminal")
    ns = p.parse_args(argv)
    metas = sorted(all_meta().values(), key=lambda m: m.id)
    if ns.format == "json":
        json.dump([{"id": m.id, "name": m.name, "severity": m.severity.value, "summary": m.summary, "help_uri": m.help_uri} for m in metas], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    from vllm_lint.report.rule_list import render_rules

    console = _console(ns.no_color)
    render_rules(metas, console, console.width if console.is_terminal else None)
    return 0


def run_explain(argv: Sequence[str]) -> int:
    from vllm_lint.report.explain import render_explain
    from vllm_lint.rule_meta import all_meta

    p = _Parser(prog="vllm-lint explain", description="Explain a rule: what, why, examples, fix.")
    p.add_argument("rule")
    p.add_argument("--no-color", action="store_true", help="plain output even on a terminal")
    ns = p.parse_args(argv)
    metas = all_meta()
    key = ns.rule.upper()
    m = metas.get(key) or next((x for x in metas.values() if x.name == ns.rule), None)
    if m is None:
        from vllm_lint.rules.registry import guess_rule

        guess = guess_rule(ns.rule, metas)
        raise UsageError(f"unknown rule {ns.rule!r}: " + (f"did you mean {guess}?" if guess else "`vllm-lint rules` lists them"))
    console = _console(ns.no_color)
    render_explain(m, console, terminal=console.is_terminal)
    return 0


def _models_cmd():
    from vllm_lint import models_cmd

    return models_cmd


def _gpus_cmd():
    from vllm_lint import gpus_cmd

    return gpus_cmd


def main(argv: Sequence[str] | None = None) -> int:
    from vllm_lint.config import ConfigError

    argv = list(sys.argv[1:] if argv is None else argv)
    if "--online" in argv:  # one reachability verdict per run
        from vllm_lint.models import hub

        hub.reset()
    try:
        if argv and argv[0] in SUBCOMMANDS:
            cmd, rest = argv[0], argv[1:]
            return {
                "check": run_lint,
                "capacity": run_capacity,
                "launches": run_launches,
                "rules": run_rules,
                "explain": run_explain,
                "models": lambda rest: _models_cmd().models_command(rest, _console),
                "gpus": lambda rest: _gpus_cmd().gpus_command(rest, _console),
            }[cmd](rest)
        return run_lint(argv)
    except UsageError as exc:
        print(f"vllm-lint: error: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"vllm-lint: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
