"""The pipeline: discover -> read -> extract -> (parse, resolve, estimate lazily) -> check -> suppress.

Every file is processed in isolation: an unexpected exception becomes a VL000 diagnostic on
that file and the run goes on (``LintResult.internal_error`` makes the exit code 2).
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from vllm_lint.config import ConfigError, FileConfig, find_config, load_config_file
from vllm_lint.diagnostic import Diagnostic
from vllm_lint.paths import display_path
from vllm_lint.resolve.context import RunOptions
from vllm_lint.results import LintResult
from vllm_lint.rule_meta import all_meta, make_diagnostic
from vllm_lint.resolve.facts import Reads
from vllm_lint.rules.certainty import Trials, settle
from vllm_lint.rules.checks import checks
from vllm_lint.rules.context import RuleContext
from vllm_lint.rules.registry import select_rules
from vllm_lint.sources.base import ExtractResult, Limits, SourceFile
from vllm_lint.suppress import Directives, parse_directives
from vllm_lint.vllm.versions import known_release  # an unknown release in a directive is VL007's, not a target


@dataclass
class LintOptions:
    run: RunOptions = field(default_factory=RunOptions)
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    force_exclude: bool = False
    values_files: list[Path] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    inline_ignores: bool = True
    config_file: Path | None = None
    include_docs: bool = False


def _internal(display: str, exc: BaseException, stage: str) -> Diagnostic:
    reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    return make_diagnostic("VL000", display, None, f"internal error while {stage}: {reason}")


class _Configs:
    """The configuration for each file: an explicit --config for all, else the nearest one."""

    def __init__(self, explicit: Path | None) -> None:
        self.explicit = load_config_file(explicit) if explicit else None
        if explicit and self.explicit is None:
            raise ConfigError(f"{explicit}: --config names a pyproject.toml without a [tool.vllm-lint] table")
        # nearest configuration per folder, for this run: resolving every file's path and
        # probing every folder above it cost ~0.2 s on a 2,000-file tree
        self._by_folder: dict[str, FileConfig] = {}
        self.notes: dict[str, None] = {}  # configuration notes for the user, once each, in order

    def __call__(self, path: Path) -> FileConfig:
        if self.explicit is not None:
            base = self.explicit
        elif os.path.islink(path):  # the configuration is the one nearest the link's target
            base = find_config(path)
        else:
            folder = os.path.dirname(path)
            base = self._by_folder.get(folder)
            if base is None:
                base = self._by_folder[folder] = find_config(path)
                note = base.shadowed_note()
                if note:
                    self.notes[note] = None
        return (base or FileConfig()).for_path(path)


# The run allocates millions of small objects (YAML nodes, tokens, spans) that stay alive until
# the report is written, so CPython's default thresholds (700, 10, 10) trigger full collections
# that re-scan all of them again and again: ~10 % of the CPU of a 2,000-file tree (benchmarks/).
# Rarer collections keep the same peak memory within a few MB; cyclic garbage is still collected.
_GC_THRESHOLDS = (10_000, 50, 100)


def lint_paths(
    paths: list[Path],
    options: LintOptions,
    progress: Callable[[int, int], None] | None = None,
) -> LintResult:
    """Lint every file under ``paths`` (see ``_lint_paths``), with rarer garbage collections.

    Raises ValueError when ``options.select`` or ``options.ignore`` names no rule, as the command
    line and the configuration refuse it: a typo must not switch checking off."""
    from vllm_lint.rules.registry import selector_problem

    problems = [p for item in (*(options.select or ()), *options.ignore) if (p := selector_problem(item))]
    if problems:
        raise ValueError("; ".join(problems))
    with fewer_collections():
        return _lint_paths(paths, options, progress)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the garbage collector's thresholds to ``_GC_THRESHOLDS`` for the block, then restore."""
    previous = gc.get_threshold()
    gc.set_threshold(*_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _lint_paths(
    paths: list[Path],
    options: LintOptions,
    progress: Callable[[int, int], None] | None = None,
) -> LintResult:
    from vllm_lint.discover import discover
    from vllm_lint.sources.base import ExtractOptions
    from vllm_lint.sources.dispatch import extract
    from vllm_lint.sources.readfile import load_source

    result = LintResult()
    configs = _Configs(options.config_file)

    def values_chains(path: Path) -> tuple[tuple[Path, ...], ...]:
        """The Helm values merges stated for ``path``: ``--values`` wins over the configuration."""
        if options.values_files:
            return (tuple(options.values_files),)
        return configs(path).values_chains()

    files = discover(paths, exclude=options.exclude, force_exclude=options.force_exclude,
                     max_bytes=options.limits.max_bytes, include_docs=options.include_docs,
                     values_chains=values_chains)
    directives: dict[str, Directives] = {}
    enabled: dict[str, set[str]] = {}
    extract_opts = ExtractOptions(values_files=list(options.values_files), limits=options.limits,
                                  include_docs=options.include_docs)

    for n, (path, kind) in enumerate(files):
        if progress:
            progress(n, len(files))
        display = display_path(path)
        try:
            cfg = configs(path)
            if cfg.is_excluded(path) and options.force_exclude:
                continue
            opts = extract_opts
            chains = () if options.values_files else cfg.values_chains()
            if chains:
                opts = replace(extract_opts, values_chains=chains)
                if kind != "helm-values" and any(os.path.abspath(p) == os.path.abspath(path) for c in chains for p in c):
                    kind = "helm-values"  # a values file of a stated merge, whatever its own schema
            result.files.append(display)
            if cfg.fail_on:
                result.fail_on[display] = cfg.fail_on
            enabled[display] = select_rules(options.select or cfg.select or None, [*cfg.ignore, *options.ignore])
            loaded = load_source(path, display, kind, options.limits)
            if isinstance(loaded, Diagnostic):
                if kind == "unknown" and os.path.isfile(path) and loaded.message.startswith(("file looks binary",
                                                                                              "file is not valid")):
                    # a named file no format claims that is not text (an image, a wheel): not a finding
                    result.file_notes[display] = [loaded.message]
                    continue
                result.diagnostics.append(loaded)
                continue
            src = loaded
            result.sources[display] = src
            d = parse_directives(src.text)
            directives[display] = d
            _take_extracted(result, extract(src, opts), display, kind, src, cfg, d, options)
        except ConfigError:
            raise  # a broken configuration is the user's to fix before anything is linted: exit 2
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
            result.diagnostics.append(_internal(display, exc, "reading the file"))
            result.internal_error = True

    result.diagnostics.extend(_run_checks(result, enabled))
    _apply_suppressions(result, directives, enabled, options.inline_ignores)
    result.diagnostics.sort(key=Diagnostic.sort_key)
    result.notes = list(configs.notes)
    _context_file_thresholds(result, configs)
    _context_sources(result, options.limits)
    return result


def _take_extracted(result: LintResult, extracted: ExtractResult, display: str, kind: str, src: SourceFile,
                    cfg: FileConfig, d: Directives, options: LintOptions) -> None:
    """Record what one file's extraction gave: its findings (a format's own crash is a tool failure),
    a note when it holds no launch, and one RuleContext per launch within ``--max-args``."""
    for diag in extracted.diagnostics:
        if diag.rule == "VL000":  # a format caught its own crash: still a tool failure (exit 2)
            result.internal_error = True
            diag.message = (diag.message.splitlines() or [""])[0][:300]
    result.diagnostics.extend(extracted.diagnostics)
    if not extracted.launches and not extracted.diagnostics:
        result.file_notes[display] = extracted.notes or [f"no vLLM launch found in this {kind} file"]
    for launch in extracted.launches:
        if len(launch.args) > options.limits.max_args:
            # a generated or hostile command line: checking it would cost time and
            # output proportional to its size for every rule
            result.diagnostics.append(make_diagnostic(
                "VL002", display, launch.span,
                f"{launch.name} has {len(launch.args)} arguments, more than the limit of "
                f"{options.limits.max_args} (--max-args); it was not checked",
                launch=launch.name))
            continue
        result.launches.append(
            RuleContext(launch, src, cfg, options.run, file_gpu=d.gpu,
                        file_version=known_release(d.vllm_version) if d.vllm_version else None)
        )


def _context_sources(result: LintResult, limits: Limits) -> None:
    """The text of files read only as context that findings point into (the chart's values.yaml
    under a linted overlay, a ``.env``), so reports can show the line as for a linted file."""
    from vllm_lint.sources.readfile import load_source

    for path in sorted({d.path for d in result.diagnostics if d.span is not None} - set(result.sources)):
        if not os.path.isfile(path):
            continue
        loaded = load_source(Path(path), path, "", limits)
        if isinstance(loaded, SourceFile):
            result.sources[path] = loaded


def _context_file_thresholds(result: LintResult, configs: "_Configs") -> None:
    """``fail-on`` for findings in files read only as context (the ``.env`` beside a compose
    file, chart values beside an overlay): the configuration nearest that file."""
    for path in {d.path for d in result.diagnostics} - set(result.files):
        try:
            level = configs(Path(path)).fail_on
        except (ConfigError, OSError, ValueError):  # a pseudo path (<project>), a broken config elsewhere
            continue
        if level:
            result.fail_on[path] = level


def _run_checks(result: LintResult, enabled: dict[str, set[str]]) -> list[Diagnostic]:
    """Run each enabled check on what its scope receives: a launch, a file, or the whole run."""
    out: list[Diagnostic] = []
    all_checks = checks()

    groups: dict[str, list] = {}
    metas = all_meta()
    for rule_id, check in all_checks.items():
        # the readings a finding is tried under run its group's checks; info-only rules cannot
        # turn a finding into an error elsewhere, so they are left out of the trials
        if check.scope == "launch" and (rule_id not in metas or metas[rule_id].severity != "info"):
            groups.setdefault(rule_id[:3], []).append(check.func)

    def run(scope: str, display: str, subject: object, where: str) -> None:
        wanted = enabled.get(display, set())
        trials: dict[str, Trials] = {}
        for rule_id, check in all_checks.items():
            if check.scope != scope or rule_id not in wanted:
                continue
            try:
                if isinstance(subject, RuleContext):
                    # the check's findings rest on the facts it reads; one place settles them
                    subject.reads = Reads()
                    try:
                        found = list(check.func(subject))
                    finally:
                        subject.reads = None
                    group = rule_id[:3]
                    if group not in trials:
                        trials[group] = Trials(subject, groups.get(group, []), groups.get("VL2", []))
                    out.extend(settle(trials[group], found))
                else:
                    out.extend(check.func(subject))
            except Exception as exc:  # noqa: BLE001 - one failing check must not stop the run
                out.append(_internal(display, exc, f"checking {rule_id}{where}"))
                result.internal_error = True

    for ctx in result.launches:
        run("launch", ctx.src.display, ctx, f" on {ctx.launch.name}")
        ctx.shared.clear()  # the other readings of this launch are not needed any more
    for display, src in result.sources.items():
        run("file", display, src, "")
    for rule_id, check in all_checks.items():
        if check.scope != "project":
            continue
        try:
            found = list(check.func(result.launches))
        except Exception as exc:  # noqa: BLE001
            out.append(_internal("<project>", exc, f"checking {rule_id}"))
            result.internal_error = True
            continue
        out.extend(d for d in found if rule_id in enabled.get(d.path, set()))
    return out


def _apply_suppressions(
    result: LintResult, directives: dict[str, Directives], enabled: dict[str, set[str]], inline: bool
) -> None:
    """Drop findings of rules not enabled for their file; move those silenced by an inline
    directive or a Kubernetes ``ignore-check.vllm-lint.io/<ID>`` annotation on their launch to
    ``result.suppressed`` (with the reason); then add VL006 for directives that silenced nothing.
    ``inline=False`` (``--no-inline-ignores``) disregards both comments and annotations."""
    from vllm_lint.rule_meta import all_meta
    from vllm_lint.rules.hygiene_meta import RULE as UNUSED
    from vllm_lint.rules.hygiene_meta import unused_suppressions
    from vllm_lint.suppress import annotation_suppressions

    annotations: dict[tuple[str, str], list] = {}
    if inline:
        shared: dict[tuple[str, str], object] = {}  # one annotation shared by a pod's containers
        for ctx in result.launches:
            found = annotation_suppressions(ctx.launch.facts.annotations, ctx.launch.span.line)
            for s in found:
                key = (ctx.src.display, s.ids[0], s.reason)
                s = shared.setdefault(key, s)
                annotations.setdefault((ctx.src.display, ctx.launch.name), []).append(s)

    def silence(diag: Diagnostic, reported_at: int = -1) -> bool:
        if not inline or diag.rule == "VL000":
            return False
        d = directives.get(diag.path)
        hits = [s for s in d.matches(diag.rule, diag.name, diag.line) if s.comment_start != reported_at] if d else []
        if diag.launch is not None:
            hits += [s for s in annotations.get((diag.path, diag.launch), ()) if s.covers(diag.rule, diag.name, 1)]
        for s in hits:
            s.mark(diag.rule, diag.name)
        if hits:
            diag.suppressed = hits[0].reason or "inline directive"
            result.suppressed.append(diag)
        return bool(hits)

    kept: list[Diagnostic] = []
    for diag in result.diagnostics:
        if diag.rule != "VL000" and diag.path in enabled and diag.rule not in enabled[diag.path]:
            continue
        if not silence(diag):
            kept.append(diag)
    if inline:
        metas = all_meta()
        # a directive that cuts a continued command is VL510's to report (its fix moves it;
        # VL006's removal would silently rejoin the command)
        cutting = {(k.path, line) for k in kept if k.rule == "VL510" and k.span
                   for line in range(k.span.line, k.span.end_line + 1)}
        for path, d in directives.items():
            src = result.sources.get(path)
            if src is None or not d.suppressions or UNUSED not in enabled.get(path, set()):
                continue
            for diag in unused_suppressions(path, d, src.index, enabled[path], metas):
                if (diag.path, diag.line) in cutting:
                    continue
                # a directive cannot excuse itself
                if not silence(diag, reported_at=diag.span.start if diag.span else -1):
                    kept.append(diag)
    result.diagnostics = kept
