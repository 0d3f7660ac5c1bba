#!/usr/bin/env python3
"""Read the ENTRYPOINT of vLLM's official images, release by release, from each release's sdist.

vLLM's release images are built from the Dockerfiles of the release's own source tree
(``.buildkite/release-pipeline.yaml``: ``docker build --target vllm-openai -f docker/Dockerfile``
and the ROCm/CPU/XPU equivalents). The sdist ``vllm-<X>.tar.gz`` on PyPI is that source tree, so
for every release this script downloads it, keeps only the Dockerfiles, resolves the ENTRYPOINT of
the ``vllm-openai`` target (following ``FROM <stage>`` to the stage it inherits from) and writes
src/vllm_lint/vllm/data/image_entrypoints.json: per image family, runs of consecutive releases
with the same ENTRYPOINT and the file it was read from. Releases without an sdist (0.15.0,
0.15.1) or whose sdist has no Dockerfile (before 0.6.2) are left out of every run.

Usage: python tools/image_entrypoints.py [--cache /tmp/vllm-sdists] [--pypi-json saved-simple-index.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "vllm_lint" / "vllm" / "data"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tools"))

from build_flag_tables import PYPI_SIMPLE, _line  # noqa: E402

# image family -> (Dockerfile paths, newest layout first; the release target)
FAMILIES = {
    "cuda": (("docker/Dockerfile", "Dockerfile"), "vllm-openai"),
    "rocm": (("docker/Dockerfile.rocm", "Dockerfile.rocm"), "vllm-openai"),
    "cpu": (("docker/Dockerfile.cpu", "Dockerfile.cpu"), "vllm-openai"),
    "xpu": (("docker/Dockerfile.xpu", "Dockerfile.xpu"), "vllm-openai"),
}


def simple_index(saved: Path | None) -> dict:
    if saved is not None:
        return json.loads(saved.read_text())
    req = urllib.request.Request(PYPI_SIMPLE, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(req, timeout=120) as resp:  # noqa: S310 (fixed https URL)
        return json.loads(resp.read())


def dockerfiles(version: str, urls: dict[str, str], cache: Path) -> Path | None:
    """The Dockerfiles of release ``version``'s sdist (downloaded once, the archive deleted)."""
    out = cache / version
    if out.is_dir():
        return out
    name = f"vllm-{version}.tar.gz"
    if name not in urls:
        return None
    tmp = cache / name
    urllib.request.urlretrieve(urls[name], tmp)  # noqa: S310 (files.pythonhosted.org URL from the index)
    out.mkdir(parents=True)
    with tarfile.open(tmp) as tf:
        for member in tf.getmembers():
            rel = member.name.split("/", 1)[-1]
            if member.isfile() and re.fullmatch(r"(docker/)?Dockerfile[\w.-]*", rel):
                member.name = rel
                tf.extract(member, out, filter="data")
    tmp.unlink()
    return out


def stages(text: str) -> dict[str, dict]:
    """Build stages of a Dockerfile: name -> {"from": parent, "entrypoint": [...] | None}."""
    out: dict[str, dict] = {}
    current = None
    for line in text.replace("\\\n", " ").splitlines():
        line = line.strip()
        m = re.match(r"FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", line, re.I)
        if m:
            current = (m.group(2) or f"<{len(out)}>").lower()
            out[current] = {"from": m.group(1).lower(), "entrypoint": None}
            continue
        m = re.match(r"ENTRYPOINT\s+(\[.*\])\s*$", line, re.I)
        if m and current is not None:
            out[current]["entrypoint"] = json.loads(m.group(1))
    return out


def target_entrypoint(text: str, target: str) -> list[str] | None:
    """The ENTRYPOINT a `docker build --target <target>` image ends with (inherited through stages)."""
    st = stages(text)
    name, seen = target, set()
    while name in st and name not in seen:
        seen.add(name)
        if st[name]["entrypoint"] is not None:
            return st[name]["entrypoint"]
        name = st[name]["from"]
    return None


def read_release(src: Path) -> dict[str, tuple[list[str], str]]:
    """family -> (ENTRYPOINT, file) for the families this release's sdist builds."""
    found = {}
    for family, (paths, target) in FAMILIES.items():
        for rel in paths:
            path = src / rel
            if path.exists():
                ep = target_entrypoint(path.read_text(errors="replace"), target)
                if ep is not None:
                    found[family] = (ep, rel)
                break
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default="/tmp/vllm-sdists")
    ap.add_argument("--pypi-json", type=Path)
    ns = ap.parse_args()
    from vllm_lint.vllm.releases import release_versions

    cache = Path(ns.cache)
    cache.mkdir(parents=True, exist_ok=True)
    urls = {f["filename"]: f["url"] for f in simple_index(ns.pypi_json)["files"]}
    runs: dict[str, list[dict]] = {f: [] for f in FAMILIES}
    previous: str | None = None
    for v in release_versions():
        src = dockerfiles(v, urls, cache)
        seen = read_release(src) if src is not None else {}
        for family, (ep, rel) in seen.items():
            run = runs[family][-1] if runs[family] else None
            if run and run["last"] == previous and run["entrypoint"] == ep and run["file"] == rel:
                run["last"] = v
            else:
                runs[family].append({"first": v, "last": v, "entrypoint": ep, "file": rel})
        print(f"{v}: {', '.join(f'{f}={seen[f][0]}' for f in seen) or 'no sdist Dockerfile'}", file=sys.stderr)
        previous = v
    body = ",\n".join(f'{_line(f)}:[\n' + ",\n".join(_line(r) for r in rs) + "\n]" for f, rs in runs.items())
    head = {
        "source": "Dockerfile of each release's sdist vllm-<X>.tar.gz on PyPI (tools/image_entrypoints.py)",
        "targets": {f: {"files": list(p), "target": t} for f, (p, t) in FAMILIES.items()},
    }
    text = "{\n" + "".join(f'"{k}":{_line(v)},\n' for k, v in head.items()) + '"families":{\n' + body + "\n}\n}\n"
    if not any(runs.values()):
        raise SystemExit("no Dockerfile read")
    (DATA / "image_entrypoints.json").write_text(text)


if __name__ == "__main__":
    main()
