"""GPU catalog and resolution from the ways configs name a GPU.

Accepted forms: marketing names (``A10G``, ``H100``), torch/NVML device names
(``NVIDIA A100-SXM4-80GB``), Kubernetes ``nvidia.com/gpu.product`` values
(``NVIDIA-A100-SXM4-80GB``), GKE accelerator labels (``nvidia-l4``), cloud instance types
(``g5.12xlarge`` -> 4 × A10G), MIG profiles (``nvidia.com/mig-1g.10gb``, ``A100-80GB:3g.40gb``),
and a plain CUDA-visible size (``23.58GiB``, ``80GB``). ``total_gib`` is always the memory CUDA
reports, which is what vLLM multiplies by ``--gpu-memory-utilization``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vllm_lint.units import GIB

DATA_PATH = Path(__file__).parent / "data" / "gpus.json"


@dataclass(frozen=True)
class GpuSpec:
    """One GPU model as vLLM sees it: the memory CUDA reports and what its kernels support."""

    key: str
    name: str
    total_gib: float  # CUDA-reported memory, GiB
    compute_capability: tuple[int, int]
    bf16: bool
    fp8: bool
    consumer: bool = False
    source: str = ""
    vendor: str = "NVIDIA"

    @property
    def total_bytes(self) -> int:
        return int(round(self.total_gib * GIB))


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.strip().lower()).replace("nvidia", "").replace("geforce", "").replace("tesla", "")


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, dict], dict[str, str], dict[str, tuple[str, int]], dict[str, tuple[str, float]]]:
    data = json.loads(DATA_PATH.read_text(encoding="utf-8"))["gpus"]
    by_key = {g["key"]: g for g in data}
    names: dict[str, str] = {}
    instances: dict[str, tuple[str, int]] = {}
    mig: dict[str, tuple[str, float]] = {}
    for g in data:
        for n in [g["key"], g["name"], *g["device_names"], *g["aliases"], *g["k8s_products"], *g["gke_accelerators"]]:
            if n:
                names.setdefault(_norm(n), g["key"])
        for inst, count in g["instances"].items():
            instances[inst.lower()] = (g["key"], count)
        for prof, size in g["mig"].items():
            mig[prof.lower().split("-h")[0] + ("@" + g["key"])] = (g["key"], size)
    return by_key, names, instances, mig


def _spec(entry: dict, *, total: float | None = None, key: str | None = None, name: str | None = None) -> GpuSpec:
    cc = entry["compute_capability"]
    return GpuSpec(
        key=key or entry["key"],
        name=name or entry["name"],
        total_gib=total if total is not None else float(entry["total_gib"]),
        compute_capability=(int(cc[0]), int(cc[1])),
        bf16=bool(entry["bf16"]),
        fp8=bool(entry["fp8"]),
        consumer=bool(entry["consumer"]),
        source=entry.get("total_gib_source") or entry.get("source", ""),
        vendor=entry.get("vendor", "NVIDIA"),
    )


def all_gpus() -> list[GpuSpec]:
    """Every GPU of the bundled table, in table order."""
    return list(_all_specs())


@lru_cache(maxsize=1)
def _all_specs() -> tuple[GpuSpec, ...]:
    by_key, *_ = _load()
    return tuple(_spec(e) for e in by_key.values())


COMMON = ("T4", "L4", "A10G", "RTX 4090", "A100-SXM4-40GB", "L40S", "A100-SXM4-80GB", "H100-SXM", "H200")


def common_gpus() -> list[GpuSpec]:
    """Popular GPUs, smallest first, for "fits on ... / not on ..." hints."""
    by_key, *_ = _load()
    return [_spec(by_key[k]) for k in COMMON if k in by_key]


_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(gib|gb|g|mib|mb)\s*$", re.I)  # a size always has a unit
_BARE_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")
_MIG_RE = re.compile(r"(?:mig[-_]?)?(\d+g\.\d+gb)", re.I)


def _size_spec(text: str) -> GpuSpec | None:
    m = _SIZE_RE.match(text)
    if not m:
        return None
    value, unit = float(m.group(1)), m.group(2).lower()
    if unit in ("mib", "mb"):
        gib = value / 1024
    elif unit in ("gb", "g") and value in (8, 10, 12, 16, 24, 32, 40, 48, 80, 94, 96, 141, 192):
        # a marketing size: CUDA shows it minus the driver/ECC reservation; take the catalog card of that size
        by_key, *_ = _load()
        same = sorted((e for e in by_key.values() if e.get("marketing_gb") == value), key=lambda e: e["total_gib"])
        gib = float(same[0]["total_gib"]) if same else value * 0.97
    else:
        gib = value
    if gib <= 0:
        return None  # "0" / "00" is no size (a SkyPilot accelerator typo), not a 0-byte GPU
    # Assume a current data-center part (bf16 and fp8 capable) unless told otherwise.
    return GpuSpec(key=f"{gib:.2f}GiB", name=f"GPU with {gib:.2f} GiB", total_gib=round(gib, 2),
                   compute_capability=(8, 9), bf16=True, fp8=True, consumer=False, source=f"size given as {text!r}")


def _mig_spec(text: str, parent_hint: str | None) -> GpuSpec | None:
    m = _MIG_RE.search(text)
    if not m:
        return None
    prof = m.group(1).lower()
    by_key, names, _, mig = _load()
    parent_key = names.get(_norm(parent_hint)) if parent_hint else None
    for k, (gkey, size) in mig.items():
        p, _, g = k.partition("@")
        if p == prof and (parent_key is None or g == parent_key):
            return _spec(by_key[gkey], total=size, key=f"{gkey}/{prof}", name=f"{by_key[gkey]['name']} MIG {prof}")
    gb = re.search(r"\.(\d+)gb", prof)
    if gb:
        return _size_spec(f"{gb.group(1)}GiB")
    return None


def parse_gpu_option(text: str) -> tuple[GpuSpec | None, int | None]:
    """``"H100:8"`` -> (H100, 8); ``"g5.12xlarge"`` -> (A10G, 4); ``"A10G"`` -> (A10G, None)."""
    if not text or not text.strip():
        return None, None
    t = text.strip().strip("'\"")
    count: int | None = None
    m = re.match(r"^(.*?)(?:\s*[:x×]\s*|\s+)(\d+)$", t)
    if m and not _SIZE_RE.match(t) and not re.match(r".*\d+g\.\d+gb$", t, re.I):
        head, n = m.group(1), int(m.group(2))
        spec = resolve_gpu(head)
        if spec is not None:
            return spec, n
    m = re.match(r"^(\d+)\s*[x×]\s*(.+)$", t)
    if m:
        spec = resolve_gpu(m.group(2))
        if spec is not None:
            return spec, int(m.group(1))
    _, _, instances, _ = _load()
    low = t.lower()
    inst = instances.get(low[3:] if low.startswith("ml.") else low)  # SageMaker names: ml.g5.12xlarge
    if inst:
        by_key, *_ = _load()
        return _spec(by_key[inst[0]]), inst[1]
    return resolve_gpu(t), count


def resolve_gpu(text: str) -> GpuSpec | None:
    """A GpuSpec for any of the accepted names, or None."""
    if not text or not text.strip():
        return None
    t = text.strip().strip("'\"")
    by_key, names, instances, _ = _load()
    low = t.lower()
    low = low[3:] if low.startswith("ml.") and low[3:] in instances else low
    if low in instances:
        return _spec(by_key[instances[low][0]])
    if "mig" in low or re.search(r"\d+g\.\d+gb", low):
        head = re.split(r"[:/]|mig", t, flags=re.I)[0].strip("-_: ") or None
        if head and head.lower().startswith("nvidia.com"):
            head = None
        spec = _mig_spec(t, head)
        if spec is not None:
            return spec
    n = _norm(t)
    if n in names:  # before sizes: "4090" is the RTX 4090, not a 4090 GiB card
        return _spec(by_key[names[n]])
    size = _size_spec(t)
    if size is not None:
        return size
    if _BARE_NUMBER.match(t):
        return None  # a number without a unit names nothing
    # "NVIDIA A100-SXM4-80GB" style with extra words; "nvidia-tesla-a100" GKE; longest name contained wins
    best = None
    for alias, key in names.items():
        if len(alias) >= 2 and alias in n and (best is None or len(alias) > len(best[0])):
            best = (alias, key)
    if best is not None:
        return _spec(by_key[best[1]])
    return None


_MEMORY_IN_NAME = re.compile(r"\d+\s*(?:g|gi|gb|gib)\b|\d+g\.\d+gb", re.I)
_FAMILY_SUFFIX = re.compile(r"[-_ ]?(?:sxm\d?|pcie|\d+gb)", re.I)


def memory_variants(spec: GpuSpec, text: str) -> list[GpuSpec]:
    """Other catalog cards that ``text`` could equally mean, with a different memory size.

    ``Tesla-V100`` (a node label) resolves to the 16 GB V100 but could be the 32 GB one; a name
    that states its memory (``V100-32GB``), an instance type or a plain size is not ambiguous.
    """
    if not text or _MEMORY_IN_NAME.search(text) or _size_spec(text) is not None:
        return []
    by_key, _, instances, _ = _load()
    entry = by_key.get(spec.key)
    if entry is None:
        return []  # not a catalog card: a MIG slice or a plain size fixes its own memory
    low = text.strip().lower()
    if low.removeprefix("ml.") in instances:
        return []
    if low in {a.lower() for a in entry.get("gke_accelerators") or ()}:
        return []  # GKE accelerator labels name one card each (nvidia-tesla-a100 is the 40 GB A100)
    family = _FAMILY_SUFFIX.sub("", spec.key).lower()
    return [
        g for g in all_gpus()
        if g.key != spec.key and _FAMILY_SUFFIX.sub("", g.key).lower() == family
        and abs(g.total_gib - spec.total_gib) > 1.0
    ]


# -- names the user typed (--gpu, the configuration, `# vllm-lint: gpu=`) ----------------------------

class GpuNameError(ValueError):
    """A GPU name that does not name exactly one card; ``candidates`` are the names it could mean.
    ``ambiguous``: a known card family whose name leaves the memory open (``A100``)."""

    def __init__(self, message: str, candidates: tuple[str, ...] = (), *, ambiguous: bool = False) -> None:
        super().__init__(message)
        self.candidates = candidates
        self.ambiguous = ambiguous


LIST_HINT = "`vllm-lint gpus` lists the GPUs vllm-lint knows"


def _count(text: str, whole: str) -> int:
    if not re.fullmatch(r"\s*\d+\s*", text) or int(text) < 1:
        raise GpuNameError(f"the GPU count in {whole!r} must be a positive integer, as in H100:8 ({LIST_HINT})")
    return int(text)


def _sized_name(entry: dict) -> str:
    """The shortest name of a card that states its memory (``A100-40GB``), else its key."""
    named = [a for a in [entry["key"], *entry["aliases"]] if _MEMORY_IN_NAME.search(a)]
    return min(named, key=lambda a: (not re.search(r"-\d+GB$", a), len(a))) if named else entry["key"]


def _fold(text: str) -> str:
    """Compare letter O and digit 0 as one (``H1OO`` is H100 typed with the letter)."""
    return text.replace("o", "0")


def did_you_mean(text: str, limit: int = 3) -> list[str]:
    """Catalog names close to ``text`` (keys, in table order of closeness)."""
    by_key, _, _, _ = _load()
    spelled: dict[str, tuple[str, str]] = {}  # folded name -> (card key, the name as the table spells it)
    for e in by_key.values():
        for n in (e["key"], *e["aliases"], *e["k8s_products"], *e["gke_accelerators"]):
            if n:
                spelled.setdefault(_fold(_norm(n)), (e["key"], n))
    import difflib  # here: only a GPU name that matches nothing needs it

    close = difflib.get_close_matches(_fold(_norm(text)), list(spelled), n=8, cutoff=0.6)
    out: list[str] = []
    keys: set[str] = set()
    for folded in close:
        key, shown = spelled[folded]
        if key not in keys:
            keys.add(key)
            out.append(shown)
    return out[:limit]


def parse_gpu_strict(text: str) -> tuple[GpuSpec, int | None]:
    """A GPU name as a user types it: exactly one card, or :class:`GpuNameError`.

    Accepted: a catalog name (``L40S``, ``A100-80GB``, ``NVIDIA A100-SXM4-80GB``, ``nvidia-l4``,
    ``4090``), an instance type (``g5.12xlarge``), a MIG slice (``A100-80GB:3g.40gb``), a size with a
    unit (``23.58GiB``, ``24GB``), each optionally with a positive count (``H100:8``, ``4x L40S``).
    Refused with the candidates: a misspelt name (``L4S``, ``H1OO``), a name that leaves the memory
    open (``A100``: 40 or 80 GB), a number without a unit (``24``), a count that is not a positive
    integer (``H100:0``, ``H100:x``). Names found in deployment files go through the tolerant
    :func:`parse_gpu_option` instead.
    """
    t = (text or "").strip().strip("'\"").strip()
    if not t:
        raise GpuNameError("an empty GPU name; " + LIST_HINT)
    count: int | None = None
    name = t
    if ":" in t:
        head, _, tail = t.rpartition(":")
        if not _MIG_RE.fullmatch(tail.strip()):
            name, count = head.strip(), _count(tail, t)
    else:
        m = re.match(r"^(\d+)\s*[x×]\s*(\D.*)$", t)
        if m:
            name, count = m.group(2).strip(), _count(m.group(1), t)
    spec, inst_count = _strict_name(name)
    return spec, count if count is not None else inst_count


def _strict_name(name: str) -> tuple[GpuSpec, int | None]:
    by_key, names, instances, _ = _load()
    low = name.lower()
    inst = instances.get(low[3:] if low.startswith("ml.") else low)
    if inst:
        return _spec(by_key[inst[0]]), inst[1]
    if "mig" in low or re.search(r"\d+g\.\d+gb", low):
        spec = resolve_gpu(name)
        if spec is None:
            raise GpuNameError(f"unknown MIG slice {name!r}; name it as CARD:PROFILE, e.g. A100-80GB:3g.40gb")
        return spec, None
    n = _norm(name)
    if n in names:
        spec = _spec(by_key[names[n]])
        others = memory_variants(spec, name)
        if others:
            sizes: dict[int, str] = {round(spec.total_gib): _sized_name(by_key[spec.key])}
            for g in others:
                sizes.setdefault(round(g.total_gib), _sized_name(by_key[g.key]))
            cands = tuple(sizes[k] for k in sorted(sizes))
            raise GpuNameError(
                f"GPU {name!r} does not say how much memory the card has: name one of "
                f"{', '.join(cands)} ({LIST_HINT})", cands, ambiguous=True)
        return spec, None
    size = _size_spec(name)
    if size is not None:
        return size, None
    if _BARE_NUMBER.match(name):
        raise GpuNameError(f"{name!r} names no GPU: a memory size needs a unit, as in {name}GiB (what CUDA reports) "
                           f"or {name}GB (the card's size); {LIST_HINT}")
    cands = tuple(did_you_mean(name))
    hint = f"; did you mean {' or '.join(cands)}?" if cands else ""
    raise GpuNameError(f"unknown GPU {name!r}{hint} ({LIST_HINT}, or give a size like 23.58GiB)", cands)
