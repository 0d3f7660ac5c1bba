"""VL215: environment variables set for vLLM that vLLM does not read.

Three findings, each against the release data of ``vllm/env_vars.py`` (read from every release's
``vllm/envs.py``):

* a name no release reads but one slip away from a vLLM variable (``USE_VLLM_V1``,
  ``VLLM_ATTENTION_BACKEN``): warning with the variable meant;
* a real vLLM variable that the launch's release(s) do not read (``VLLM_ATTENTION_BACKEND`` on
  0.15+, ``VLLM_USE_V1`` on 0.11.1+): warning, only when the release is known (an exact release or a
  bounded set of candidates, none of which reads it);
* a ``VLLM_*`` name far from every vLLM variable: info, only where the variable can only be meant
  for upstream vLLM (an official vLLM image or a process started on the host).

A variable the file itself reads back (``$VLLM_MODEL`` on another line) is the file's own, and
images of vLLM forks and plugins (ROCm, Gaudi, Ascend, Neuron, TPU builds) read names upstream vLLM
does not: both stay silent. With ``--fail-on-environ-validation`` (0.17.0+) vLLM refuses to start on
an unknown ``VLLM_*`` variable; on a known release that is an error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from vllm_lint.diagnostic import Diagnostic, Severity
from vllm_lint.rules import flag_values
from vllm_lint.rules.context import RuleContext
from vllm_lint.rules.registry import register
from vllm_lint.span import Span
from vllm_lint.vllm import env_vars, releases
from vllm_lint.vllm.releases import ReleaseSet
from vllm_lint.vllm.versions import parse_version

RULE = "VL215"

# Names that contain VLLM or a misspelt VLLM_ prefix are looked at; others belong to other programs.
_CANDIDATE = re.compile(r"VLLM|^V+L+M+_|^VLM_", re.I)
# Forks and plugins that read VLLM_* names upstream vLLM does not define.
_FORK_IMAGE = re.compile(r"rocm|hpu|gaudi|habana|neuron|ascend|tpu|xpu|intel|spyre|musa|\bcpu\b", re.I)
# Formats whose launches without an image are processes started on a host (pip's vLLM).
_HOST_SOURCES = ("shell", "skypilot", "makefile", "systemd", "procfile", "powershell", "batch", "notebook", "python")
_PLUGIN_PREFIX = re.compile(r"^VLLM_(?:ASCEND|HPU|GAUDI|NEURON|TPU|SPYRE|ROCM_FORK|MUSA|OMNI|KUNLUN)_")


def launch_releases(ctx: RuleContext) -> tuple[ReleaseSet, str, bool] | None:
    """(candidate releases, how they are known, exact) of the launch; None when nothing says.

    A release the user states (``--vllm-version``, a directive, the configuration) is exact; an
    image tag counts through ``image_evidence`` (an official tag, a vendor mapping, a build date).
    """
    src = ctx.version_source
    if src in ("file directive", "--vllm-version") or src.startswith("config"):
        v = releases.canonical(ctx.version)
        if v:
            return ReleaseSet((v,)), f"vLLM {v} ({src})", True
    image = ctx.launch.image
    if image:
        from vllm_lint.vllm.image_evidence import image_evidence

        ev = image_evidence(image)
        if ev.version.known and not ev.version.patched:
            return ev.version.releases, ev.version.describe(), ev.version.exact is not None
    return None


def _image_kind(ctx: RuleContext) -> str:
    """``official`` (a vLLM project image), ``host`` (a process on the host: pip's vLLM), ``fork``
    (an image of a fork or plugin), or ``other`` (a custom or vendor image)."""
    image = ctx.launch.image
    if not image:
        return "host" if ctx.launch.source in _HOST_SOURCES else "other"
    if _FORK_IMAGE.search(image):
        return "fork"
    from vllm_lint.vllm.image_evidence import image_evidence

    ev = image_evidence(image)
    if ev.official and ev.family == "cuda":
        return "official"
    if ev.family in ("amd-rocm", "amd-rocm-nightly", "aibrix"):
        return "fork"
    return "other"


def _read_back(text: str, name: str) -> bool:
    """True when the file reads ``name`` (``$NAME``, ``${NAME}``, ``$(NAME)``, ``os.environ``) on a
    line other than one that sets it (``X=${X:-1}`` passes the host's value through)."""
    refs = re.compile(r"\$\{?\(?" + re.escape(name) + r"(?![A-Za-z0-9_])|environ(?:\.get)?[\[(]\s*['\"]"
                      + re.escape(name) + r"['\"]|getenv\(\s*['\"]" + re.escape(name) + r"['\"]")
    sets = re.compile(r"(?<![A-Za-z0-9_${])" + re.escape(name) + r"\s*[=:]|name:\s*['\"]?" + re.escape(name) + r"\b")
    for m in refs.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        line = text[start:end if end != -1 else len(text)]
        if not sets.search(line):
            return True
    return False


def _launch_texts(ctx: RuleContext) -> list[str]:
    """The text of every file the launch was read from: this one, and a script it runs (a compose or
    Dockerfile entrypoint followed into ``start.sh``), whose ``$NAME`` reads count too."""
    texts = [ctx.src.text]
    paths = {t.span.path for t in [*ctx.launch.program, *ctx.launch.args] if t.span is not None}
    paths.discard(ctx.src.display)
    followed = ctx.launch.facts.followed_script
    candidates = [Path(p) for p in sorted(paths)]
    if isinstance(followed, str):  # as displayed (relative to the working directory) or to the file
        candidates += [Path(followed), ctx.src.path.parent / followed]
    for path in candidates:
        try:
            if path.is_file() and path.stat().st_size <= 1_000_000:
                texts.append(path.read_text("utf-8", errors="replace"))
        except OSError:
            continue
    return texts


def _name_span(ctx: RuleContext, name: str) -> Span | None:
    """Where the file sets ``name``: its first occurrence that is not a ``$NAME`` reference or a
    comment; else the value's span; else None (the launch)."""
    text = ctx.src.text
    for m in re.finditer(r"(?<![A-Za-z0-9_$({])" + re.escape(name) + r"(?![A-Za-z0-9_])", text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if "#" in text[line_start:m.start()] and re.search(r"(?:^|\s)#", text[line_start:m.start()]):
            continue
        return ctx.src.index.span(m.start(), m.end())
    ev = ctx.launch.env.get(name)
    return ev.span if ev is not None else None


def _flag_hint(name: str, version: str) -> str | None:
    """``--attention-backend`` for ``VLLM_ATTENTION_BACKEND`` when that release has such a flag."""
    if not name.startswith("VLLM_"):
        return None
    from vllm_lint.vllm.flags import flag_table

    option = "--" + name[5:].lower().replace("_", "-")
    try:
        found = flag_table(version).lookup(option)
    except (KeyError, ValueError):
        return None
    return option if found is not None else None


def _fails_validation(ctx: RuleContext, name: str, candidates: ReleaseSet | None) -> bool:
    """vLLM 0.17.0+ exits on an unknown VLLM_* variable when --fail-on-environ-validation is set."""
    if not name.startswith("VLLM_") or flag_values.bool_arg(ctx, "fail_on_environ_validation") is not True:
        return False
    if candidates is None or not candidates or candidates.open_above:
        return False
    defined = env_vars.reading(name).defined
    floor = parse_version(env_vars.WARNS_UNKNOWN_SINCE)
    return all(v not in defined and (parse_version(v) or (0,)) >= floor for v in candidates)


def _unread_names(ctx: RuleContext) -> tuple[str, tuple[tuple[str, Span | None], ...]]:
    """The image kind, and each variable of the launch that vLLM might read and nothing in its
    files reads back, with where it is set. None of it depends on the reading of the launch (the
    release, a guard), so the readings of one launch share it."""
    launch = ctx.launch
    paths = tuple(sorted({t.span.path for t in [*launch.program, *launch.args] if t.span is not None}))
    key = ("VL215 names", paths)
    got = ctx.shared.get(key)
    if got is None:
        kind = _image_kind(ctx)
        names: list[tuple[str, Span | None]] = []
        texts: list[str] | None = None
        for name in launch.env:
            if not _CANDIDATE.search(name) or _PLUGIN_PREFIX.match(name):
                continue
            if name in (launch.facts.wrapper_reads or ()):
                continue  # the program that starts vLLM reads it (KServe's VLLM_ADDITIONAL_ARGS)
            texts = texts if texts is not None else _launch_texts(ctx)
            if kind == "fork" or any(_read_back(text, name) for text in texts):
                continue
            names.append((name, _name_span(ctx, name)))
        got = ctx.shared[key] = (kind, tuple(names))
    return got


@register(RULE)
def unknown_env_var(ctx: RuleContext) -> Iterator[Diagnostic]:
    launch = ctx.launch
    if not launch.env:
        return
    known = None
    first, last = env_vars.data_range()
    kind, names = _unread_names(ctx)
    for name, span in names:
        reading = env_vars.reading(name)
        if known is None:
            known = launch_releases(ctx) or (None, "", False)
        candidates, how, exact = known
        if not reading.known:
            meant = env_vars.did_you_mean(name)
            severity = Severity.ERROR if _fails_validation(ctx, name, candidates) else None
            if meant is not None:
                yield _near_miss(ctx, name, meant, span, candidates, how, severity, first, last,
                                 assumed=kind == "other" and candidates is None)
            elif name.upper().startswith("VLLM_") and kind in ("official", "host"):
                yield _far(ctx, name, span, candidates, severity, first, last)
            continue
        if candidates is None:
            continue
        reads = [v for v in candidates if v in reading.read]
        if reads:
            continue
        diag = _not_in_release(ctx, name, reading, span, candidates, how, exact)
        if _fails_validation(ctx, name, candidates):
            diag.severity = Severity.ERROR
            diag.message += "; with --fail-on-environ-validation vLLM refuses to start because of it"
        yield diag


def _unknown_note(candidates: ReleaseSet | None) -> list[str]:
    floor = parse_version(env_vars.WARNS_UNKNOWN_SINCE)
    if candidates and all((parse_version(v) or (0,)) >= floor for v in candidates):
        return ["vLLM logs \"Unknown vLLM environment variable detected\" for it at startup (0.17.0 and later)"]
    return []


def _near_miss(ctx: RuleContext, name: str, meant: str, span: Span | None, candidates: ReleaseSet | None,
               how: str, severity: Severity | None, first: str, last: str, *, assumed: bool) -> Diagnostic:
    target = env_vars.reading(meant)
    tail = ""
    if candidates is not None and not any(v in target.read for v in candidates):
        tail = f" (though {how} does not read {meant} either: vLLM reads it in {target.describe()})"
    fails = " and, with --fail-on-environ-validation, refuses to start" if severity == Severity.ERROR else ""
    hedge = (f" (if image {ctx.launch.image} runs a vLLM release: a build of an unreleased commit may "
             f"have read other names)") if assumed else ""
    diag = ctx.report(
        RULE,
        f"{name} is not an environment variable vLLM reads (no release from {first} to {last} defines it), "
        f"so it has no effect{fails}; did you mean {meant}?{tail}{hedge}",
        span=span,
        notes=[f"rename it to {meant}", *_unknown_note(candidates)],
    )
    if severity is not None:
        diag.severity = severity
    return diag


def _far(ctx: RuleContext, name: str, span: Span | None, candidates: ReleaseSet | None,
         severity: Severity | None, first: str, last: str) -> Diagnostic:
    fails = ("; with --fail-on-environ-validation vLLM refuses to start because of it"
             if severity == Severity.ERROR else "")
    diag = ctx.report(
        RULE,
        f"{name} is not one of vLLM's environment variables (no release from {first} to {last} reads it), "
        f"and nothing in this file reads it back: it has no effect{fails}",
        span=span,
        notes=["remove it, or pass the setting as a `vllm serve` option", *_unknown_note(candidates)],
    )
    diag.severity = severity or Severity.INFO
    return diag


def _not_in_release(ctx: RuleContext, name: str, reading: env_vars.Reading, span: Span | None,
                    candidates: ReleaseSet, how: str, exact: bool) -> Diagnostic:
    newest = candidates.versions[-1]
    since = reading.read.versions[0]
    if (parse_version(newest) or (0,)) < (parse_version(since) or (0,)):
        when = f"vLLM reads it only from {since} on ({reading.describe()})"
    else:
        when = f"vLLM reads it in {reading.describe()} only"
    runs = "this release does not read it" if exact else "none of these releases reads it"
    notes = []
    hint = _flag_hint(name, newest)
    if hint:
        notes.append(f"this release takes the setting as `{hint}`")
    if name.startswith("VLLM_") and not any(v in reading.defined for v in candidates):
        notes.extend(_unknown_note(candidates))
    return ctx.report(
        RULE,
        f"{name} has no effect on {how}: {when}, and {runs}",
        span=span,
        notes=notes or ["remove it, or pin the release that reads it"],
    )
