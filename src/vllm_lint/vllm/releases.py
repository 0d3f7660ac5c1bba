"""Every vLLM release from 0.4.3 to the newest known, in order, with what each one is.

``data/releases.json`` lists each release on PyPI (patch and post releases included) with its
upload date, the flag table that holds its server parser (``flags-<table>.json``; releases whose
parser did not change share the previous release's file) and the facts about it that argparse
does not show, each read from that release's wheel by ``tools/extract_flags.py``:

* ``console_script``: the wheel installs the ``vllm`` command (from 0.5.2);
* ``modules``: which server modules exist (``vllm.entrypoints.api_server``, the demo server, is
  gone in 0.26.0; ``vllm.entrypoints.openai.api_server``);
* ``v0_engine``: the V0 engine is still there, so ``VLLM_USE_V1=0`` selects it (up to 0.10.2);
* ``use_v1_env``: ``VLLM_USE_V1`` is read at all;
* ``underscore_options``: ``--max_model_len`` is accepted as ``--max-model-len``;
* ``serve_model_flag``: what ``vllm serve --model X`` does: ``error_unless_default``
  (0.5.2-0.7.x), ``error`` (exits, 0.8.0-0.11.0), ``moved`` (accepted with a warning, 0.11.1+).

Everything here is loaded once, lazily; the file is small (one row per release).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from vllm_lint.vllm.versions import parse_version

_DATA = Path(__file__).resolve().parent / "data"

SOURCE_PYPI = "https://pypi.org/simple/vllm/"


@dataclass(frozen=True, slots=True)
class PublishedRelease:
    """One vLLM release as published on PyPI."""

    version: str
    date: str  # upload time of the release's first file on PyPI, UTC, YYYY-MM-DD
    table: str  # the release whose flags-<table>.json holds this release's parser
    console_script: bool
    modules: tuple[str, ...]
    v0_engine: bool
    use_v1_env: bool
    underscore_options: bool
    serve_model_flag: str | None  # None: no `vllm serve` in this release

    @property
    def source(self) -> str:
        """Where the facts of this row were read."""
        return f"wheel:vllm-{self.version} (tools/extract_flags.py)"


@lru_cache(maxsize=1)
def _index() -> dict:
    return json.loads((_DATA / "releases.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def releases() -> tuple[PublishedRelease, ...]:
    """Every known release, oldest first."""
    out = []
    for r in _index()["releases"]:
        out.append(PublishedRelease(
            version=r["version"], date=r["date"], table=r["table"],
            console_script=r["console_script"], modules=tuple(r["modules"]), v0_engine=r["v0_engine"],
            use_v1_env=r["use_v1_env"], underscore_options=r["underscore_options"],
            serve_model_flag=r["serve_model_flag"],
        ))
    return tuple(out)


@lru_cache(maxsize=1)
def release_versions() -> tuple[str, ...]:
    """Every known release number, oldest first."""
    return tuple(r.version for r in releases())


@lru_cache(maxsize=1)
def _position() -> dict[str, int]:
    return {v: i for i, v in enumerate(release_versions())}


def newest() -> str:
    """The newest release vllm-lint has read."""
    return release_versions()[-1]


def oldest() -> str:
    return release_versions()[0]


def release(version: str) -> PublishedRelease | None:
    """The release row of an exact release number (``0.8.5.post1``), None when not a known release."""
    i = _position().get(canonical(version) or "")
    return releases()[i] if i is not None else None


def canonical(version: str) -> str | None:
    """The known release spelt by ``version`` (``v0.11.2`` -> ``0.11.2``, ``0.8.5-post1`` ->
    ``0.8.5.post1``), None when it names no known release."""
    key = parse_version(version)
    if key is None:
        return None
    return _by_key().get(key)


@lru_cache(maxsize=1)
def _by_key() -> dict[tuple, str]:
    return {parse_version(v): v for v in release_versions()}


def index_of(version: str) -> int | None:
    """Position of a known release in release order."""
    v = canonical(version)
    return _position()[v] if v else None


def floor_release(version: str) -> str | None:
    """The newest known release at or below ``version`` (None when older than every release)."""
    key = parse_version(version)
    if key is None:
        return None
    best = None
    for v in release_versions():
        if parse_version(v) <= key:
            best = v
        else:
            break
    return best


def between(first: str | None, last: str | None) -> tuple[str, ...]:
    """Known releases from ``first`` to ``last`` inclusive (a missing bound is open)."""
    lo = parse_version(first) if first else None
    hi = parse_version(last) if last else None
    return tuple(v for v in release_versions()
                 if (lo is None or parse_version(v) >= lo) and (hi is None or parse_version(v) <= hi))


def release_date(version: str) -> date | None:
    r = release(version)
    return date.fromisoformat(r.date) if r else None


def released_on_or_before(day: date) -> tuple[str, ...]:
    """Releases uploaded to PyPI on ``day`` or earlier."""
    return tuple(r.version for r in releases() if date.fromisoformat(r.date) <= day)


def first_released_after(day: date) -> str | None:
    """The first release uploaded after ``day`` (None when none is known)."""
    for r in releases():
        if date.fromisoformat(r.date) > day:
            return r.version
    return None


def first_release_where(pred: Callable[[PublishedRelease], bool]) -> str | None:
    """The oldest release for which ``pred`` holds."""
    for r in releases():
        if pred(r):
            return r.version
    return None


# -- sets of releases --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReleaseSet:
    """A set of candidate releases (known releases only), kept in release order.

    ``open_above``: the launch may also run a release newer than every known one (``latest``,
    ``nightly``, ``>=0.10``); a newer release can only add flags, never make a typo valid in the
    releases listed, so answers about ``versions`` stay true.
    """

    versions: tuple[str, ...]
    open_above: bool = False

    @classmethod
    def of(cls, versions: Iterable[str], *, open_above: bool = False) -> "ReleaseSet":
        pos = _position()
        known = {canonical(v) for v in versions} - {None}
        return cls(tuple(sorted(known, key=pos.__getitem__)), open_above)

    @classmethod
    def everything(cls) -> "ReleaseSet":
        return cls(release_versions(), True)

    @classmethod
    def span(cls, first: str | None, last: str | None, *, open_above: bool | None = None) -> "ReleaseSet":
        """Releases from ``first`` to ``last`` inclusive; an open upper bound (``last`` None) is
        open above unless told otherwise."""
        return cls(between(first, last), (last is None) if open_above is None else open_above)

    def __bool__(self) -> bool:
        return bool(self.versions)

    def __len__(self) -> int:
        return len(self.versions)

    def __contains__(self, version: object) -> bool:
        return isinstance(version, str) and canonical(version) in self.versions

    def __iter__(self):
        return iter(self.versions)

    @property
    def exact(self) -> str | None:
        """The one release, when there is exactly one and nothing newer is possible."""
        return self.versions[0] if len(self.versions) == 1 and not self.open_above else None

    @property
    def first(self) -> str | None:
        return self.versions[0] if self.versions else None

    @property
    def last(self) -> str | None:
        return self.versions[-1] if self.versions else None

    def __and__(self, other: "ReleaseSet") -> "ReleaseSet":
        keep = set(other.versions)
        return ReleaseSet(tuple(v for v in self.versions if v in keep), self.open_above and other.open_above)

    def __or__(self, other: "ReleaseSet") -> "ReleaseSet":
        return ReleaseSet.of(self.versions + other.versions, open_above=self.open_above or other.open_above)

    def __sub__(self, other: "ReleaseSet") -> "ReleaseSet":
        drop = set(other.versions)
        return ReleaseSet(tuple(v for v in self.versions if v not in drop), self.open_above and not other.open_above)

    def where(self, pred: Callable[[PublishedRelease], bool]) -> "ReleaseSet":
        rows = {r.version: r for r in releases()}
        return ReleaseSet(tuple(v for v in self.versions if pred(rows[v])), self.open_above)

    def ranges(self) -> list[tuple[str, str]]:
        """Maximal runs of consecutive releases: [("0.6.0", "0.10.2"), ("0.33.0", "0.33.0")]."""
        return compact_ranges(self.versions)

    def __str__(self) -> str:
        return describe_ranges(self.versions) + (" or newer" if self.open_above and self.versions else "")


def compact_ranges(versions: Iterable[str]) -> list[tuple[str, str]]:
    """Runs of consecutive known releases (release order, not numeric gaps) as (first, last)."""
    pos = _position()
    idx = sorted({pos[v] for v in (canonical(x) for x in versions) if v is not None})
    order = release_versions()
    out: list[tuple[str, str]] = []
    for i in idx:
        if out and pos[out[-1][1]] == i - 1:
            out[-1] = (out[-1][0], order[i])
        else:
            out.append((order[i], order[i]))
    return out


def describe_ranges(versions: Iterable[str]) -> str:
    """``"0.6.0-0.10.2, 0.33.0"``; ``"none"`` for an empty set."""
    runs = compact_ranges(versions)
    if not runs:
        return "none"
    return ", ".join(a if a == b else f"{a}-{b}" for a, b in runs)
