"""What a deployment's own text says about the vLLM release it runs, with where each fact came from.

Each function reads one kind of evidence and returns a ``VersionEvidence``: an exact release, a
bounded set of candidate releases (with the reason for each bound), or nothing (``None``: the
text says nothing). ``combine`` intersects several pieces; conflicting pieces make the version
unknown rather than picking one. Pure functions over strings: the sources that found the text
say where it was (``where``), this module never reads files.

Evidence understood (vLLM release numbers as on PyPI, 0.4.3 to the newest known):
* a requirement on the ``vllm`` distribution (``vllm==0.10.1``, ``vllm>=0.8,<0.9``, ``vllm~=0.9.2``,
  ``vllm[audio]==0.11.0``) in a requirements file, a pyproject or a ``pip install`` /
  ``uv pip install`` line;
* a path naming a versioned install (``envs/vllm-0.10.1``, ``/opt/vllm-0.8.5/bin/vllm``, a wheel
  ``vllm-0.10.2-cp38-abi3-...whl``);
* OpenShift AI's ``opendatahub.io/runtime-version`` annotation (``v0.11.0+rhai1``);
* a build date (``nightly_main_20250120``, ``2025-05-05-v1``), bounded by PyPI's release dates;
* ``VLLM_USE_V1=0``: selects the V0 engine, which exists only up to 0.10.2 (``v0_engine``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping

from vllm_lint.vllm import releases
from vllm_lint.vllm.releases import ReleaseSet
from vllm_lint.vllm.versions import parse_version

EXACT, RANGE, UNKNOWN = "exact", "range", "unknown"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where one piece of evidence came from."""

    what: str  # kind of evidence: "image tag", "requirement", "pip install", "path", "annotation", "date", "environment"
    detail: str  # the text that says it, e.g. "vllm==0.10.1" or "vllm/vllm-openai:v0.11.2-cu130"
    source: str  # the data row or document behind the reading (URL, data file row, "PEP 440")
    where: str | None = None  # file:line when the caller knows it

    def __str__(self) -> str:
        loc = f" ({self.where})" if self.where else ""
        return f"{self.what} {self.detail}{loc}"


@dataclass(frozen=True, slots=True)
class VersionEvidence:
    """The vLLM releases a launch may run, and why.

    ``kind``: ``exact`` (one release), ``range`` (several candidates, ``reason`` says why not
    one), ``unknown`` (nothing trustworthy; ``releases`` is every known release, open above).
    ``patched``: a vendor build of the release (extra flags or behaviour possible).
    ``claimed``: a release an untrusted name mentions (``quay.io/x/vllm-dev:0.0.19``) - for
    messages only, never a fact.
    """

    kind: str
    releases: ReleaseSet
    reason: str
    provenance: tuple[Provenance, ...] = ()
    patched: bool = False
    claimed: str | None = None

    @property
    def exact(self) -> str | None:
        """The one release, when the evidence pins it."""
        return self.releases.exact if self.kind == EXACT else None

    @property
    def known(self) -> bool:
        return self.kind != UNKNOWN

    def describe(self) -> str:
        """``vLLM 0.11.2 (image tag vllm/vllm-openai:v0.11.2)`` / ``vLLM 0.10.0-0.10.2 (...)``."""
        if self.kind == UNKNOWN:
            return f"unknown vLLM release ({self.reason})"
        why = "; ".join(str(p) for p in self.provenance)
        return f"vLLM {self.releases}" + (f" ({why})" if why else "")


def unknown(reason: str, *, provenance: Iterable[Provenance] = (), claimed: str | None = None) -> VersionEvidence:
    return VersionEvidence(UNKNOWN, ReleaseSet.everything(), reason, tuple(provenance), claimed=claimed)


def from_set(candidates: ReleaseSet, reason: str, prov: Provenance, *, patched: bool = False) -> VersionEvidence:
    """Evidence naming ``candidates``; an empty set (a release vllm-lint has not read) is unknown."""
    if not candidates:
        return unknown(f"{prov.detail} names no release from {releases.oldest()} to {releases.newest()}",
                       provenance=(prov,))
    kind = EXACT if candidates.exact else RANGE
    return VersionEvidence(kind, candidates, reason if kind == RANGE else "", (prov,), patched=patched)


def exact_release(version: str, prov: Provenance, *, patched: bool = False) -> VersionEvidence:
    """Evidence for one release number (``0.11.0``, ``v0.9.1.0``): unknown if it is no known release."""
    known = releases.canonical(version)
    if known is None:
        key = parse_version(version) or (0,)
        if key > (parse_version(releases.newest()) or (0,)):
            why = f"{version} is newer than every release read (the newest is {releases.newest()})"
        elif key < (parse_version(releases.oldest()) or (0,)):
            why = f"{version} is older than every release read (the oldest is {releases.oldest()})"
        else:
            why = f"{version} is not a vLLM release on PyPI"
        return unknown(why, provenance=(prov,), claimed=version)
    return VersionEvidence(EXACT, ReleaseSet((known,)), "", (prov,), patched=patched)


def combine(*pieces: VersionEvidence | None) -> VersionEvidence:
    """Everything the pieces say together: the releases all of them allow.

    Unknown pieces add nothing; pieces that contradict each other (no release satisfies all)
    make the result unknown, naming both.
    """
    known = [p for p in pieces if p is not None and p.kind != UNKNOWN]
    if not known:
        unk = [p for p in pieces if p is not None]
        return unk[0] if unk else unknown("nothing in the deployment names the vLLM release")
    cand = known[0].releases
    for p in known[1:]:
        cand = cand & p.releases
    prov = tuple(x for p in known for x in p.provenance)
    if not cand:
        return unknown("conflicting evidence: " + " vs ".join(p.describe() for p in known), provenance=prov)
    kind = EXACT if cand.exact else RANGE
    reasons = "; ".join(p.reason for p in known if p.reason)
    return VersionEvidence(kind, cand, reasons if kind == RANGE else "", prov, patched=any(p.patched for p in known))


# -- requirement specifiers ------------------------------------------------------------------------

# `vllm` as a whole distribution name (not vllm-flash-attn / vllm_ascend), optional extras, then a
# PEP 440 specifier list: ==0.10.1 / >=0.8,<0.9 / ~=0.9.2 / ==0.9.*
_REQ_RE = re.compile(
    r"""(?<![\w.-])vllm(?:\[[^\]]*\])?\s*
        (?P<spec>(?:===|==|~=|!=|<=|>=|<|>)\s*v?[\d.*]+(?:\.?post\d+)?
        (?:\s*,\s*(?:===|==|~=|!=|<=|>=|<|>)\s*v?[\d.*]+(?:\.?post\d+)?)*)""",
    re.X | re.I,
)
_CLAUSE_RE = re.compile(r"(===|==|~=|!=|<=|>=|<|>)\s*v?([\d.*]+(?:\.?post\d+)?)")


def _satisfies(key: tuple, op: str, ver: str) -> bool:
    """Whether release ``key`` (a parse_version tuple) satisfies one PEP 440 clause."""
    if ver.endswith(".*"):
        prefix = tuple(int(x) for x in ver[:-2].split(".") if x)
        same = key[:len(prefix)] == prefix
        return same if op == "==" else (not same) if op == "!=" else False
    want = parse_version(ver)
    if want is None:
        return False
    if op == "~=":  # ~=X.Y.Z: >=X.Y.Z and ==X.Y.* (the last written component dropped)
        width = max(1, len([p for p in ver.split(".") if p.isdigit()]) - 1)
        return key >= want and key[:width] == want[:width]
    return {"==": key == want, "===": key == want, "!=": key != want, ">=": key >= want, "<=": key <= want,
            ">": key > want, "<": key < want}[op]


def releases_matching(spec: str) -> ReleaseSet:
    """Known releases satisfying a specifier list such as ``>=0.8,<0.9``; open above when a release
    newer than the newest read would satisfy it too."""
    clauses = _CLAUSE_RE.findall(spec)
    ok = [v for v in releases.release_versions() if all(_satisfies(parse_version(v), op, ver) for op, ver in clauses)]
    newest = parse_version(releases.newest())
    later = [newest[:2] + (newest[2] + 1, 0), (newest[0], newest[1] + 1, 0, 0), (newest[0] + 1, 0, 0, 0)]
    open_above = any(all(_satisfies(k, op, ver) for op, ver in clauses) for k in later)
    return ReleaseSet.of(ok, open_above=open_above)


def from_requirement(text: str, *, what: str = "requirement", where: str | None = None) -> VersionEvidence | None:
    """A requirement on ``vllm`` anywhere in ``text`` (requirements line, pyproject string,
    Dockerfile RUN line); None when there is none. Several requirements are combined."""
    found = [m.group(0).strip() for m in _REQ_RE.finditer(text)]
    if not found:
        return None
    pieces = []
    for req in found:
        spec = _REQ_RE.match(req).group("spec")
        cand = releases_matching(spec)
        prov = Provenance(what, req, "PEP 440 version specifiers over vLLM's releases on PyPI", where)
        reason = f"{req} allows {cand}" if len(cand) != 1 or cand.open_above else ""
        pieces.append(from_set(cand, reason, prov))
    return combine(*pieces)


_PIP_RE = re.compile(r"\b(?:uv\s+)?pip3?\s+install\b[^\n;&|]*", re.I)


def from_pip_command(text: str, *, where: str | None = None) -> VersionEvidence | None:
    """``pip install vllm==X`` / ``uv pip install "vllm>=X"`` lines in shell or Dockerfile text."""
    pieces = [from_requirement(m.group(0).replace('"', " ").replace("'", " "), what="pip install", where=where)
              for m in _PIP_RE.finditer(text)]
    pieces = [p for p in pieces if p is not None]
    return combine(*pieces) if pieces else None


# -- paths -----------------------------------------------------------------------------------------

_PATH_RE = re.compile(r"(?:^|[/\\\s\"'=:])(?:\.?venv[-_]?)?vllm[-_]?v?(?P<ver>\d+\.\d+\.\d+(?:\.\d+)?(?:\.post\d+)?)(?=$|[/\\\s\"':_-])",
                      re.I)


def from_path(text: str, *, where: str | None = None) -> VersionEvidence | None:
    """A versioned install path (``envs/vllm-0.10.1/bin/vllm``, ``/opt/vllm-0.8.5``, a wheel file
    ``vllm-0.10.2-cp38-abi3-manylinux1_x86_64.whl``)."""
    found = [m.group("ver") for m in _PATH_RE.finditer(text)]
    if not found:
        return None
    return combine(*(exact_release(v, Provenance("path", f"vllm-{v}", "install directory named after the release",
                                                 where)) for v in dict.fromkeys(found)))


# -- annotations -----------------------------------------------------------------------------------

RUNTIME_VERSION_ANNOTATION = "opendatahub.io/runtime-version"


def from_annotation(value: str, *, where: str | None = None) -> VersionEvidence | None:
    """OpenShift AI's ``opendatahub.io/runtime-version`` annotation on a ServingRuntime: the vLLM
    release of its image (``v0.11.0+rhai1``: Red Hat's build of 0.11.0)."""
    m = re.match(r"^\s*v?(\d+\.\d+(?:\.\d+){0,2}(?:\.post\d+)?)(\+\S+)?\s*$", value or "")
    if not m:
        return None
    prov = Provenance("annotation", f"{RUNTIME_VERSION_ANNOTATION}: {value.strip()}",
                      "OpenShift AI ServingRuntime templates set it to the vLLM release of their image", where)
    return exact_release(m.group(1), prov, patched=bool(m.group(2)))


# -- dates -----------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"(?<!\d)(20\d\d)([-_.]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?!\d)")


def date_in(text: str) -> date | None:
    """The first calendar date in a tag or name (``20250120``, ``2025-05-05``, ``2025.05.05``)."""
    for m in _DATE_RE.finditer(text or ""):
        try:
            return date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        except ValueError:
            continue
    return None


def from_date(day: date, *, main_build: bool, detail: str, source: str, where: str | None = None) -> VersionEvidence:
    """A build made on ``day`` runs no vLLM code newer than that day.

    ``main_build``: built from vLLM's main branch (a nightly), so its flags lie between the last
    release before ``day`` and the first one after. Otherwise only the upper bound holds (an image
    built today may pin an old release).
    """
    prov = Provenance("date", detail, source, where)
    before = releases.released_on_or_before(day)
    after = releases.first_released_after(day)
    low = before[-1] if (main_build and before) else None
    cand = ReleaseSet.span(low, after, open_above=after is None)
    if after is None:
        reason = f"built {day.isoformat()}, after the newest release read ({releases.newest()})"
    elif main_build:
        reason = f"a build of main from {day.isoformat()}: between {low or releases.oldest()} and {after}"
    else:
        reason = f"built {day.isoformat()}: no release newer than {after} (the first one published after that day)"
    return from_set(cand, reason, prov)


# -- environment -----------------------------------------------------------------------------------


def from_environment(env: Mapping[str, str], *, where: str | None = None) -> VersionEvidence | None:
    """What the launch's environment implies: ``VLLM_USE_V1=0`` asks for the V0 engine, which only
    releases up to 0.10.2 have (read from each wheel: ``PublishedRelease.v0_engine``)."""
    value = env.get("VLLM_USE_V1")
    if value is None or value.strip().lower() not in ("0", "false"):
        return None
    cand = ReleaseSet.everything().where(lambda r: r.v0_engine)
    cand = ReleaseSet(cand.versions, open_above=False)
    prov = Provenance("environment", f"VLLM_USE_V1={value}", "releases whose wheel still has the V0 engine", where)
    return from_set(cand, f"VLLM_USE_V1={value} needs the V0 engine ({cand})", prov)


_COMMENT_RE = re.compile(r"(?m)(?:^|(?<=\s))#.*$")


def from_text(text: str, *, where: str | None = None) -> VersionEvidence | None:
    """Every kind of text evidence in one file's content (requirements, pip lines, paths,
    annotation), combined; None when there is none."""
    text = _COMMENT_RE.sub("", text)  # "# tested with vllm==0.8.0" is not what runs
    pieces = [from_pip_command(text, where=where)]
    stripped = _PIP_RE.sub(" ", text)
    pieces.append(from_requirement(stripped, where=where))
    pieces.append(from_path(text, where=where))
    m = re.search(re.escape(RUNTIME_VERSION_ANNOTATION) + r"\s*:\s*[\"']?([^\s\"']+)", text)
    if m:
        pieces.append(from_annotation(m.group(1), where=where))
    found = [p for p in pieces if p is not None]
    return combine(*found) if found else None
