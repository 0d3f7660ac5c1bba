"""Questions about a flag over a set of candidate releases, for launches whose release is not exact.

When the release is unknown or only bounded, a rule must not judge a flag by one release. These
functions answer over the candidates (every known release by default) from ``data/history.json``
alone (one small file, no flag table is loaded):

* ``option_support``: which candidates accept the option string (``--swap-space``);
* ``switch_support``: which take it as a switch (no value: store_true, BooleanOptional, ...);
* ``choice_support``: which accept ``value`` for it (options without choices accept any value);
* ``deprecation_support``: which mark it deprecated.

Each ``Support`` says ``all`` / ``some`` / ``none`` of the candidates, which ones (as compact
ranges, ``0.6.0-0.10.2``), and ``anywhere``: the releases from 0.4.3 to the newest where it holds
at all, so a rule can tell a typo (no release ever accepted it: an error) from a flag of other
releases (a warning naming them). Option strings are matched exactly, after vLLM's own ``_`` ->
``-`` rewrite in releases that do it (FlexibleArgumentParser, ``underscore_options``);
abbreviations (unique prefixes) are the parser's business, not this module's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from vllm_lint.vllm import releases
from vllm_lint.vllm.flags import SWITCH_KINDS, option_runs
from vllm_lint.vllm.releases import ReleaseSet

ALL, SOME, NONE = "all", "some", "none"


@dataclass(frozen=True, slots=True)
class Support:
    """Where a statement about a flag holds among candidate releases."""

    subject: str  # what was asked, e.g. "--swap-space" or "--kv-cache-dtype fp8_e5m2"
    candidates: ReleaseSet
    yes: ReleaseSet  # candidates where it holds
    no: ReleaseSet  # candidates where it does not
    anywhere: ReleaseSet  # every known release where it holds (not only candidates)

    @property
    def verdict(self) -> str:
        if not self.no:
            return ALL if self.yes else NONE
        return SOME if self.yes else NONE

    @property
    def everywhere_false(self) -> bool:
        """It holds in no release at all from the oldest to the newest read (a typo, for options)."""
        return not self.anywhere

    def describe(self) -> str:
        """``0.6.0-0.10.2`` (the candidates where it holds), ``none`` when there are none."""
        return str(self.yes) if self.yes else "none"


def _spec_at(option: str, version: str) -> dict | None:
    """The history spec of ``option`` in ``version``, after the release's underscore rewrite."""
    runs = option_runs(_spelling(option, version))
    pos = releases.index_of(version)
    for first, last, spec in runs:
        if releases.index_of(first) <= pos <= releases.index_of(last):
            return spec
    return None


def _spelling(option: str, version: str) -> str:
    row = releases.release(version)
    if option.startswith("--") and row is not None and row.underscore_options:
        name, dot, rest = option.partition(".")
        return name.replace("_", "-") + dot + rest
    return option


def _support(subject: str, option: str, holds: Callable[[dict | None], bool], candidates: ReleaseSet | None,
             entrypoint: str = "serve") -> Support:
    cand = candidates if candidates is not None else ReleaseSet.everything()

    def spec(version: str) -> dict | None:
        found = _spec_at(option, version)
        if found is None or found.get("only") not in (None, entrypoint):
            return None
        return found

    everywhere = [v for v in releases.release_versions() if holds(spec(v))]
    anywhere = ReleaseSet(tuple(everywhere))
    keep = set(everywhere)
    yes_versions = tuple(v for v in cand if v in keep)
    # a newer release than any read may keep it only when the newest one has it
    yes = ReleaseSet(yes_versions, cand.open_above and releases.newest() in keep)
    no = ReleaseSet(tuple(v for v in cand if v not in keep), False)
    return Support(subject, cand, yes, no, anywhere)


def option_support(option: str, candidates: ReleaseSet | None = None, *, entrypoint: str = "serve") -> Support:
    """Which candidates accept the exact option string ``option`` (aliases and negations included)
    under ``entrypoint`` (``serve``: `vllm serve`; ``api_server``: the OpenAI server module)."""
    return _support(option, option, lambda spec: spec is not None, candidates, entrypoint)


def switch_support(option: str, candidates: ReleaseSet | None = None, *, entrypoint: str = "serve") -> Support:
    """Which candidates take ``option`` without a value (it is a switch there)."""
    def holds(spec: dict | None) -> bool:
        return spec is not None and (spec["kind"] in SWITCH_KINDS or spec.get("nargs") == 0)
    return _support(f"{option} (switch)", option, holds, candidates, entrypoint)


def choice_support(option: str, value: str, candidates: ReleaseSet | None = None, *,
                   entrypoint: str = "serve") -> Support:
    """Which candidates accept ``value`` for ``option`` (a release without the option does not;
    one whose option has no argparse choices accepts any value)."""
    def holds(spec: dict | None) -> bool:
        if spec is None:
            return False
        choices = spec.get("choices")
        return choices is None or value in [str(c) for c in choices]
    return _support(f"{option} {value}", option, holds, candidates, entrypoint)


def deprecation_support(option: str, candidates: ReleaseSet | None = None, *, entrypoint: str = "serve") -> Support:
    """Which candidates mark ``option`` deprecated (in argparse or its help text)."""
    return _support(f"{option} (deprecated)", option, lambda spec: bool(spec and spec.get("dep")), candidates,
                    entrypoint)


def fact_groups(attribute: str, candidates: ReleaseSet | None = None) -> dict[object, ReleaseSet]:
    """The candidates grouped by one per-release fact of ``releases.PublishedRelease`` (``serve_model_flag``,
    ``v0_engine``, ``console_script``...): ``{"error": 0.8.0-0.11.0, "moved": 0.11.1-0.33.0}``."""
    cand = candidates if candidates is not None else ReleaseSet.everything()
    rows = {r.version: r for r in releases.releases()}
    groups: dict[object, list[str]] = {}
    for v in cand:
        value = getattr(rows[v], attribute)
        groups.setdefault(value if not isinstance(value, list) else tuple(value), []).append(v)
    return {k: ReleaseSet(tuple(vs)) for k, vs in groups.items()}
