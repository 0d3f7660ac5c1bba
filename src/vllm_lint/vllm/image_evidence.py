"""Which vLLM release a container image runs, and what its ENTRYPOINT is, as facts with sources.

Only images known to carry vLLM releases say the release (``data/images.json``):

* the vLLM project's images (``vllm/vllm-openai``, ``-rocm``, ``-cpu``, ``-xpu``): ``v<X>`` with
  any published suffix (``-cu130``, ``-x86_64``, ``-ubuntu2404``, ``-rocm``) is release X;
  ``latest[-...]`` is whichever release was newest when pulled (bounded below by the first
  release that published that tag), ``nightly[-<sha>]`` a build of main;
* vendor images with a published release-to-vLLM mapping or tag convention (Red Hat AI Inference
  Server, NVIDIA NGC, AWS Deep Learning Containers, AMD ROCm images, AIBrix);
* any other image says nothing, except a build date in its tag, which bounds the release from
  above.

The ENTRYPOINT of the official images is read per release from each release's own Dockerfile
(``data/image_entrypoints.json``, ``tools/image_entrypoints.py``): ``python3 -m
vllm.entrypoints.openai.api_server`` up to 0.11.0, ``vllm serve`` from 0.11.1 (CUDA, CPU and XPU
images; the ROCm release image has ``vllm serve`` from its first release, 0.14.0).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vllm_lint.vllm import releases
from vllm_lint.vllm.evidence import (
    EXACT,
    Provenance,
    VersionEvidence,
    date_in,
    exact_release,
    from_date,
    from_set,
    unknown,
)
from vllm_lint.vllm.releases import ReleaseSet
from vllm_lint.vllm.versions import parse_version

_DATA = Path(__file__).resolve().parent / "data"

SERVE = ("vllm", "serve")
API_SERVER_MODULE = "vllm.entrypoints.openai.api_server"


@lru_cache(maxsize=1)
def _images() -> dict:
    return json.loads((_DATA / "images.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def _entrypoints() -> dict:
    return json.loads((_DATA / "image_entrypoints.json").read_text("utf-8"))


@dataclass(frozen=True, slots=True)
class EntrypointFact:
    """The ENTRYPOINT an image starts with, when known.

    ``kind``: ``serve`` (``vllm serve``: arguments are the model and flags), ``api_server``
    (``python3 -m vllm.entrypoints.openai.api_server``: only flags; a positional model is
    rejected, or ignored from 0.10), ``other``, or None when unknown. ``certain``: read from the
    Dockerfile of every candidate release (not inferred from neighbouring releases).
    """

    program: tuple[str, ...] | None
    kind: str | None
    certain: bool
    reason: str
    source: str = ""

    @property
    def basis(self) -> str:
        """``dockerfile`` (read from every candidate release's Dockerfile), ``inferred`` (from
        neighbouring releases' Dockerfiles) or ``unknown``."""
        return "dockerfile" if self.certain else ("inferred" if self.program else "unknown")


UNKNOWN_ENTRYPOINT = EntrypointFact(None, None, False, "the image's ENTRYPOINT is not known to vllm-lint")


@dataclass(frozen=True, slots=True)
class ImageEvidence:
    """What an image reference says: the vLLM release(s) it runs and its ENTRYPOINT."""

    image: str
    repository: str | None
    tag: str | None
    family: str | None  # cuda | rocm | cpu | xpu for the vLLM project's images, else the vendor id
    version: VersionEvidence
    entrypoint: EntrypointFact

    @property
    def official(self) -> bool:
        return self.family in ("cuda", "rocm", "cpu", "xpu")


# -- parsing an image reference ---------------------------------------------------------------------


def split_reference(image: str) -> tuple[str, str | None, str | None]:
    """``registry/repo:tag@sha256:...`` -> (repository, tag, digest); Docker Hub prefixes dropped."""
    ref, _, digest = image.strip().partition("@")
    slash, colon = ref.rfind("/"), ref.rfind(":")
    repo, tag = (ref[:colon], ref[colon + 1:]) if colon > slash else (ref, None)
    repo = repo.lower()
    for prefix in _images()["official"]["registry_prefixes"]:
        if repo.startswith(prefix):
            repo = repo[len(prefix):]
            break
    if repo.startswith("library/"):
        repo = repo[len("library/"):]
    return repo, tag, digest or None


def _is_symbolic(text: str) -> bool:
    return "$" in text or "{{" in text or "{" in text or "<" in text


# -- the vLLM project's images --------------------------------------------------------------------


def _official_repo(repo: str) -> dict | None:
    for row in _images()["official"]["repositories"]:
        if row["name"] == repo:
            return row
    return None


def _prov(image: str, source: str) -> Provenance:
    return Provenance("image tag", image, source)


def _official(image: str, repo_row: dict, tag: str | None) -> tuple[VersionEvidence, str]:
    """(version evidence, family) for a tag of one of the vLLM project's repositories."""
    off = _images()["official"]
    parts_by_name = {p["part"]: p for p in off["tag_parts"]}
    family = repo_row["family"]
    words = (tag or "latest").split("-")
    head, rest = words[0], words[1:]
    bounds = [repo_row.get("since")]
    sources = [repo_row["source"]]
    for bad in off["not_vllm_parts"]:
        if bad["part"] in rest:
            return unknown(bad["reason"], provenance=(_prov(image, bad["reason"]),)), family
    moving = next((m for m in off["moving_tags"] if m["tag"] == head), None)
    if head.startswith("cu") and rest[:1] == ["nightly"]:  # cu130-nightly-x86_64
        moving, rest = next(m for m in off["moving_tags"] if m["tag"] == f"{head}-nightly"), rest[1:]
    if moving and moving["main_build"] and rest and re.fullmatch(r"[0-9a-f]{7,40}", rest[0]):
        rest = rest[1:]  # nightly-<commit>
    unknown_parts = []
    for word in rest:
        part = parts_by_name.get(word)
        if part is None:
            unknown_parts.append(word)
            continue
        bounds.append(part["since"])
        sources.append(part["source"])
        family = part.get("family", family)
    m = re.fullmatch(r"v(\d+\.\d+\.\d+(?:\.\d+)?(?:\.post\d+)?)(rc\d+)?", head)
    if m and not m.group(2):
        ev = exact_release(m.group(1), _prov(image, sources[0]), patched=bool(unknown_parts))
        if unknown_parts and ev.kind == EXACT:
            ev = VersionEvidence(EXACT, ev.releases, "", ev.provenance, patched=True)
        return ev, family
    if m:  # a release candidate: between the release before it and the release itself
        final = m.group(1)
        below = releases.floor_release(final)
        low = below if below != releases.canonical(final) else _previous(below)
        cand = ReleaseSet.span(low, releases.canonical(final) or None)
        return from_set(cand, f"release candidate {head[1:]} of {final}", _prov(image, sources[0])), family
    if moving is None and re.fullmatch(r"[0-9a-f]{7,40}", head):
        moving = {"tag": "<commit>", "main_build": True, "since": None, "source": "a build of a vLLM commit"}
    if moving is None or unknown_parts:
        what = "-".join(unknown_parts) if unknown_parts and moving else tag
        return unknown(f"tag {what!r} of {repo_row['name']} names no release",
                       provenance=(_prov(image, sources[0]),)), family
    bounds.append(moving["since"])
    low = max((b for b in bounds if b), key=lambda v: parse_version(v) or (0,), default=None)
    cand = ReleaseSet.span(low, None)
    kind = "a build of vLLM's main branch" if moving["main_build"] else "whichever release was newest when pulled"
    reason = f"{repo_row['name']}:{tag or 'latest'} is {kind}" + (f", {low} or newer" if low else "")
    return from_set(cand, reason, _prov(image, moving["source"])), family


def _previous(version: str | None) -> str | None:
    i = releases.index_of(version) if version else None
    return releases.release_versions()[i - 1] if i else None


# -- vendor images ----------------------------------------------------------------------------------


def _vendor(repo: str, tag: str | None) -> dict | None:
    """The vendor row for ``repo``: the first whose tag pattern also matches, else the first of its
    repository (whose tag then names nothing)."""
    rows = [row for row in _images()["vendors"] if any(re.fullmatch(p, repo) for p in row["repositories"])]
    for row in rows:
        if re.search(row["tag"], tag or ""):
            return row
    return rows[0] if rows else None


def _vendor_evidence(image: str, row: dict, tag: str | None) -> VersionEvidence:
    m = re.search(row["tag"], tag or "")
    if not m:
        return unknown(f"tag {tag!r} of {row['name']} names no vLLM release",
                       provenance=(_prov(image, row.get("source", row["name"])),))
    groups = m.groupdict()
    if groups.get("key"):
        return _vendor_row(image, row, groups["key"])
    if groups.get("vllm"):
        ver = groups["vllm"]
        prov = _prov(image, row["source"])
        if ver.count(".") == 1:  # a minor line (vllm:0.15-gpu): any of its patch releases
            cand = ReleaseSet.of(v for v in releases.release_versions() if (parse_version(v) or ())[:2] == parse_version(ver)[:2])
            return from_set(cand, f"{row['name']} tag names the {ver} line", prov) if cand else \
                unknown(f"{ver} is no vLLM release line", provenance=(prov,))
        return exact_release(ver, prov, patched=row["patched"])
    day = date_in(groups.get("date") or "")
    if day:
        return from_date(day, main_build=row["main_build"], detail=image, source=row["source"])
    return unknown(f"tag {tag!r} of {row['name']} names no vLLM release")


def _vendor_row(image: str, row: dict, key: str) -> VersionEvidence:
    rows = {r["key"]: r for r in row["rows"]}
    hit = rows.get(key)
    if hit:
        return exact_release(hit["vllm"], _prov(image, hit["source"]), patched=row["patched"])
    if row.get("interpolate") and rows:
        order = sorted(rows, key=lambda k: tuple(int(x) for x in k.split(".")))
        kkey = tuple(int(x) for x in key.split("."))
        lower = [k for k in order if tuple(int(x) for x in k.split(".")) < kkey]
        upper = [k for k in order if tuple(int(x) for x in k.split(".")) > kkey]
        if lower and upper:
            lo, hi = rows[lower[-1]], rows[upper[0]]
            cand = ReleaseSet.span(lo["vllm"], hi["vllm"], open_above=False)
            prov = _prov(image, f"{lo['source']} ; {hi['source']}")
            return from_set(cand, f"{row['name']} {key} is unpublished; {lower[-1]} has {lo['vllm']} and {upper[0]} has "
                                  f"{hi['vllm']}", prov)
    return unknown(f"no published vLLM release for {row['name']} {key}",
                   provenance=(_prov(image, row.get("source", row["name"])),))


# -- entrypoints ------------------------------------------------------------------------------------


def _kind(program: tuple[str, ...]) -> str:
    if program[:2] == SERVE:
        return "serve"
    if API_SERVER_MODULE in program:
        return "api_server"
    return "other"


def _entrypoint_of(family: str, version: str) -> tuple[tuple[str, ...] | None, bool, str]:
    """(ENTRYPOINT, read from this release's own Dockerfile?, where) for one release."""
    runs = _entrypoints()["families"].get(family, [])
    pos = releases.index_of(version)
    if pos is None or not runs:
        return None, False, ""
    before = after = None
    for run in runs:
        lo, hi = releases.index_of(run["first"]), releases.index_of(run["last"])
        if lo <= pos <= hi:
            return tuple(run["entrypoint"]), True, f"vllm-{version}.tar.gz {run['file']} (target vllm-openai)"
        if hi < pos:
            before = run
        elif lo > pos and after is None:
            after = run
    if before and after and before["entrypoint"] == after["entrypoint"]:
        return tuple(before["entrypoint"]), False, (f"no Dockerfile in vllm-{version}'s sdist; {before['last']} and "
                                                    f"{after['first']} both have it")
    if after and not before and family == "cuda":
        return tuple(after["entrypoint"]), False, (f"no Dockerfile in vllm-{version}'s sdist; every release from "
                                                   f"{after['first']} to {after['last']} has it")
    return None, False, ""


def entrypoint_for(family: str, candidates: ReleaseSet) -> EntrypointFact:
    """The ENTRYPOINT of the official ``family`` image (cuda, rocm, cpu, xpu) over candidate releases:
    known when every candidate has the same one."""
    per_release = {v: _entrypoint_of(family, v) for v in candidates}
    programs = {p for p, _, _ in per_release.values()}
    if not per_release or None in programs:
        missing = [v for v, (p, _, _) in per_release.items() if p is None]
        return EntrypointFact(None, None, False, f"no {family} image Dockerfile read for {releases.describe_ranges(missing)}")
    if len(programs) > 1:
        groups = {}
        for v, (p, _, _) in per_release.items():
            groups.setdefault(p, []).append(v)
        text = "; ".join(f"{' '.join(p)} for {releases.describe_ranges(vs)}" for p, vs in groups.items())
        return EntrypointFact(None, None, False, f"depends on the release: {text}", _entrypoints()["source"])
    program = programs.pop()
    inferred = [(v, why) for v, (_, ok, why) in per_release.items() if not ok]
    source = "; ".join(dict.fromkeys(why for _, (_, ok, why) in per_release.items() if ok)) or _entrypoints()["source"]
    if inferred:
        return EntrypointFact(program, _kind(program), False, inferred[0][1], source)
    newer = " (releases newer than the newest read are assumed unchanged)" if candidates.open_above else ""
    return EntrypointFact(program, _kind(program), True, f"read from the Dockerfile of {candidates}{newer}", source)


# -- the public entry point -------------------------------------------------------------------------


def image_evidence(image: str) -> ImageEvidence:
    """What ``image`` says about the vLLM release it runs and its ENTRYPOINT.

    >>> image_evidence("vllm/vllm-openai:v0.11.2-cu130").version.exact
    '0.11.2'
    >>> image_evidence("quay.io/someone/vllm-dev-pplx:0.0.19").version.kind
    'unknown'
    """
    text = (image or "").strip()
    if not text or _is_symbolic(text):
        return ImageEvidence(text, None, None, None, unknown(f"image {text!r} is not expanded"), UNKNOWN_ENTRYPOINT)
    repo, tag, digest = split_reference(text)
    row = _official_repo(repo)
    if row is not None:
        if tag is None and digest is not None:
            version = unknown(f"{repo}@{digest[:19]}... pins a digest vllm-lint cannot map to a release")
            return ImageEvidence(text, repo, None, row["family"], version, UNKNOWN_ENTRYPOINT)
        version, family = _official(text, row, tag)
        if version.known:
            ep = entrypoint_for(family, version.releases)
        elif version.claimed and (parse_version(version.claimed) or (0,)) < (parse_version(releases.oldest()) or (0,)):
            oldest = entrypoint_for(family, ReleaseSet((releases.oldest(),)))
            ep = EntrypointFact(oldest.program, oldest.kind, False, f"{version.claimed} is older than every release read; "
                                f"taken as {releases.oldest()}'s ({oldest.reason})", oldest.source)
        else:
            ep = UNKNOWN_ENTRYPOINT
        return ImageEvidence(text, repo, tag, family, version, ep)
    vendor = _vendor(repo, tag)
    if vendor is not None:
        return ImageEvidence(text, repo, tag, vendor["id"], _vendor_evidence(text, vendor, tag), UNKNOWN_ENTRYPOINT)
    return ImageEvidence(text, repo, tag, None, _other_image(text, repo, tag), UNKNOWN_ENTRYPOINT)


def _other_image(image: str, repo: str, tag: str | None) -> VersionEvidence:
    """An image nobody publishes a vLLM mapping for: its tag says nothing, except a build date."""
    claimed = None
    if "vllm" in repo:
        m = re.search(r"(?<![\d.])v?(\d+\.\d+\.\d+(?:\.\d+)?(?:\.post\d+)?)(?![\d])", tag or "")
        claimed = m.group(1) if m else None
    day = date_in(tag or "")
    if day:
        ev = from_date(day, main_build=False, detail=image, source="a date in the tag, taken as the build date")
        return VersionEvidence(ev.kind, ev.releases, ev.reason, ev.provenance, claimed=claimed)
    return unknown(f"{repo} is not an image known to publish vLLM releases; its tag says nothing about the vLLM release",
                   claimed=claimed)
