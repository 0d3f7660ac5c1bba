"""The environment variables vLLM reads, per release, and what a name that is none of them meant.

``data/env_vars.json`` (written by ``tools/extract_env_vars.py`` from each release's wheel) lists
every name a release *defines* (a key of ``vllm/envs.py``'s ``environment_variables``: from 0.17.0
vLLM warns about any ``VLLM_*`` variable that is not one, and ``--fail-on-environ-validation``
makes that an error) or *mentions* elsewhere as an exact string (``os.environ.get("VLLM_X")`` in
platform code of older releases), and the name templates some releases build at run time
(``VLLM_{phase}_{dim}_BUCKET_{p}``, Gaudi bucketing in 0.6.4-0.8.4).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vllm_lint.suggest import closest
from vllm_lint.vllm import releases
from vllm_lint.vllm.releases import ReleaseSet

_DATA = Path(__file__).resolve().parent / "data" / "env_vars.json"
SOURCE = "vllm/envs.py of each release's wheel (tools/extract_env_vars.py)"

# From this release on, vLLM logs "Unknown vLLM environment variable detected: <name>" for a VLLM_*
# variable that envs.py does not define (vllm/platforms/interface.py validate_environ).
WARNS_UNKNOWN_SINCE = "0.17.0"


@dataclass(frozen=True, slots=True)
class Reading:
    """Which releases read one name: ``defined`` in envs.py, ``read`` anywhere (defined or
    mentioned as an exact name elsewhere)."""

    name: str
    defined: ReleaseSet
    read: ReleaseSet

    @property
    def known(self) -> bool:
        return bool(self.read)

    def describe(self) -> str:
        """``0.6.4-0.11.0`` style text of the releases that read the name."""
        return runs_text(self.read)


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(_DATA.read_text("utf-8"))


def _expand(runs: list[list[str]]) -> set[str]:
    out: set[str] = set()
    for first, last in runs:
        out.update(releases.between(first, last))
    return out


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[re.Pattern, frozenset[str]], ...]:
    out = []
    for pat, runs in _data()["patterns"].items():
        rx = re.compile("^" + ".+".join(re.escape(p) for p in pat.split("*")) + "$")
        out.append((rx, frozenset(_expand(runs))))
    return tuple(out)


@lru_cache(maxsize=4096)
def reading(name: str) -> Reading:
    """Which releases define or read ``name`` (empty sets: none does)."""
    row = _data()["variables"].get(name) or {}
    defined = _expand(row.get("defined", []))
    read = defined | _expand(row.get("mentioned", []))
    for rx, versions in _patterns():
        if rx.match(name):
            read |= versions
    return Reading(name, ReleaseSet.of(defined), ReleaseSet.of(read))


@lru_cache(maxsize=1)
def vllm_names() -> tuple[str, ...]:
    """Every ``VLLM_*`` name some release defines or reads, sorted."""
    return tuple(sorted(n for n in _data()["variables"] if n.startswith("VLLM_")))


def data_range() -> tuple[str, str]:
    """The first and last release the data was read from."""
    return _data()["first"], _data()["last"]


def runs_text(versions: ReleaseSet | set[str]) -> str:
    """Consecutive releases as ``0.4.3-0.14.1, 0.20.0``."""
    order = releases.release_versions()
    pos = {v: i for i, v in enumerate(order)}
    idx = sorted(pos[v] for v in versions if v in pos)
    parts: list[str] = []
    start = prev = None
    for i in idx + [None]:
        if start is None:
            start = prev = i
            continue
        if i is not None and i == prev + 1:
            prev = i
            continue
        parts.append(order[start] if start == prev else f"{order[start]}-{order[prev]}")
        start = prev = i
    return ", ".join(parts)


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[_\-\s.]+", name.upper()) if t]


@lru_cache(maxsize=1)
def _names_by_words() -> dict[tuple[str, ...], tuple[str, ...]]:
    """vLLM's names grouped by their sorted words (``USE_VLLM_V1`` finds ``VLLM_USE_V1``)."""
    out: dict[tuple[str, ...], list[str]] = {}
    for n in vllm_names():
        out.setdefault(tuple(sorted(_tokens(n))), []).append(n)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=4096)
def did_you_mean(name: str) -> str | None:
    """The vLLM variable a name that no release reads was most likely meant to be, or None.

    Accepted only when the slip is one a person makes: a different case or ``-`` for ``_``
    (``vllm-use-v1``), the same words in another order (``USE_VLLM_V1``,
    ``VLLM_USE_FLASHINFER_MXFP4_BF16_MOE``), a misspelt prefix (``VLM_USE_V1``), or a near spelling of
    a long name (``VLLM_ATTENTION_BACKEN``, difflib ratio >= 0.9 with one clear best match).
    """
    names = vllm_names()
    toks = _tokens(name)
    if not toks:
        return None
    joined = "_".join(toks)
    if joined in names and joined != name:
        return joined
    key = tuple(sorted(toks))
    same_words = _names_by_words().get(key, ())
    if len(same_words) == 1:
        return same_words[0]
    if toks[0] != "VLLM" and re.fullmatch(r"V+L+M+|VL+|VLM+L*", toks[0]):
        fixed = "_".join(["VLLM", *toks[1:]])
        if fixed in names:
            return fixed
    if len(joined) < 10:
        return None
    return closest(joined, names, cutoff=0.9, normalise=str.upper)
