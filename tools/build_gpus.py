"""Developer tool: build ``hardware/data/gpus.json`` from the sourced GPU knowledge file
(``knowledge/gpus.jsonl`` of the shared folder beside the checkout).

Run: ``python tools/build_gpus.py ../shared/knowledge/gpus.jsonl``.
``total_gib`` is the memory CUDA reports (what vLLM multiplies by the utilization), not the
marketing size. Where a vLLM log or a measurement printed it, that value is used and cited;
otherwise it is derived as nvidia-smi total minus the driver reservation seen on measured cards
(480 MiB on the H100, 616 on the H200, ~440 on the A10G/3090/T4), and the entry says "derived".
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "vllm_lint" / "hardware" / "data" / "gpus.json"
GT = "groundtruth/NOTES.md table 'total_gpu_memory vs the nominal card size' (vLLM-printed total_gpu_memory)"
MEASURED = "gpus-notes.md measured torch mem_get_info total (2026-11-25)"
# CUDA-visible totals printed by vLLM or measured, GiB.
SEEN_TOTAL = {
    "T4": (14.56, GT + ": T4 (Colab) 14.56, 14.74 on another driver"),
    "A10G": (22.06, GT + ": A10/A10G class 22.06-22.07"),
    "A10": (22.06, GT + ": A10/A10G class 22.06-22.07"),
    "RTX 3090": (23.58, GT + ": RTX 3090 23.58 (named)"),
    "RTX 4090": (23.53, GT + ": other 24 GB consumer 23.53-23.67"),
    "A100-SXM4-80GB": (79.15, GT + ": A100-80GB 79.15 (vllm#10533)"),
    "A100-PCIe-80GB": (79.15, GT + ": A100-80GB 79.15"),
    "H100-SXM": (79.18, MEASURED + ": 85,017,493,504 B"),
    "H200": (139.80, MEASURED + ": 150,109,880,320 B; vLLM logs 139.80/139.81"),
    "V100-SXM2-32GB": (31.74, GT + ": V100-32GB 31.74 (named V100)"),
    "V100-PCIe-32GB": (31.74, GT + ": V100-32GB 31.74"),
    "L40S": (44.52, "gpus.jsonl cuda_total_mib_seen 45589 MiB (torch total_memory)"),
}
RESERVED_MIB = 480  # driver reservation between nvidia-smi total and the CUDA-visible total (H100 measured)
CONSUMER = ("RTX", "GeForce", "TITAN")
# Cloud instance types -> (gpu key, count). Sources: gpus.jsonl `cloud` fields (AWS table from rapidsai
# deployment docs; GCP machine families), expanded to the sizes AWS/GCP document per family.
INSTANCES: dict[str, tuple[str, int]] = {}
for size, n in (("xlarge", 1), ("2xlarge", 1), ("4xlarge", 1), ("8xlarge", 1), ("16xlarge", 1), ("12xlarge", 4),
                ("24xlarge", 4), ("48xlarge", 8)):
    INSTANCES[f"g5.{size}"] = ("A10G", n)
    INSTANCES[f"g6.{size}"] = ("L4", n)
    INSTANCES[f"g6e.{size}"] = ("L40S", n)
for size, n in (("xlarge", 1), ("2xlarge", 1), ("4xlarge", 1), ("8xlarge", 1), ("16xlarge", 1), ("12xlarge", 4),
                ("metal", 8)):
    INSTANCES[f"g4dn.{size}"] = ("T4", n)
INSTANCES.update({
    "p3.2xlarge": ("V100-SXM2-16GB", 1), "p3.8xlarge": ("V100-SXM2-16GB", 4), "p3.16xlarge": ("V100-SXM2-16GB", 8),
    "p3dn.24xlarge": ("V100-SXM2-32GB", 8), "p4d.24xlarge": ("A100-SXM4-40GB", 8), "p4de.24xlarge": ("A100-SXM4-80GB", 8),
    "p5.48xlarge": ("H100-SXM", 8), "p5e.48xlarge": ("H200", 8), "p5en.48xlarge": ("H200", 8),
    "p6-b200.48xlarge": ("B200", 8), "p6-b300.48xlarge": ("B300", 8),
    "a2-highgpu-1g": ("A100-SXM4-40GB", 1), "a2-highgpu-2g": ("A100-SXM4-40GB", 2), "a2-highgpu-4g": ("A100-SXM4-40GB", 4),
    "a2-highgpu-8g": ("A100-SXM4-40GB", 8), "a2-megagpu-16g": ("A100-SXM4-40GB", 16),
    "a2-ultragpu-1g": ("A100-SXM4-80GB", 1), "a2-ultragpu-2g": ("A100-SXM4-80GB", 2), "a2-ultragpu-4g": ("A100-SXM4-80GB", 4),
    "a2-ultragpu-8g": ("A100-SXM4-80GB", 8),
    "a3-highgpu-1g": ("H100-SXM", 1), "a3-highgpu-2g": ("H100-SXM", 2), "a3-highgpu-4g": ("H100-SXM", 4),
    "a3-highgpu-8g": ("H100-SXM", 8), "a3-edgegpu-8g": ("H100-SXM", 8), "a3-megagpu-8g": ("H100-SXM", 8),
    "a3-ultragpu-8g": ("H200", 8), "a4-highgpu-8g": ("B200", 8), "a4x-highgpu-4g": ("GB200", 4),
    "g2-standard-4": ("L4", 1), "g2-standard-8": ("L4", 1), "g2-standard-12": ("L4", 1), "g2-standard-16": ("L4", 1),
    "g2-standard-32": ("L4", 1), "g2-standard-24": ("L4", 2), "g2-standard-48": ("L4", 4), "g2-standard-96": ("L4", 8),
})
EXTRA_ALIASES = {
    "A100-SXM4-40GB": ["A100", "A100-40GB", "A100 40GB", "a100-40g"],
    "A100-SXM4-80GB": ["A100-80GB", "A100 80GB", "a100-80g", "A100 80G"],
    "H100-SXM": ["H100", "H100 80GB", "H100-80GB", "H100 SXM"],
    "H200": ["H200 141GB"],
    "RTX 3090": ["3090", "RTX3090", "GeForce RTX 3090"],
    "RTX 4090": ["4090", "RTX4090", "GeForce RTX 4090"],
    "RTX 5090": ["5090", "RTX5090"],
    "L40S": ["L40s"],
    "T4": ["Tesla T4"],
    "V100-SXM2-32GB": ["V100", "V100-32GB", "V100 32GB"],
    "V100-SXM2-16GB": ["V100-16GB"],
    "A10G": ["NVIDIA A10G"],
    # Cerebrium's `compute` name for the card (its other names, AMPERE_A10, HOPPER_H100..., contain
    # one of the card's own names)
    "RTX PRO 6000 Blackwell": ["BLACKWELL_RTX6000"],
}
# MIG profiles: (parent key, GiB of the slice as CUDA reports it, approximately the profile size).
MIG = {
    "1g.5gb": ("A100-SXM4-40GB", 4.75), "2g.10gb": ("A100-SXM4-40GB", 9.75), "3g.20gb": ("A100-SXM4-40GB", 19.62),
    "4g.20gb": ("A100-SXM4-40GB", 19.62), "7g.40gb": ("A100-SXM4-40GB", 39.38),
    "1g.10gb": ("A100-SXM4-80GB", 9.5), "2g.20gb": ("A100-SXM4-80GB", 19.5), "3g.40gb": ("A100-SXM4-80GB", 39.25),
    "4g.40gb": ("A100-SXM4-80GB", 39.25), "7g.80gb": ("A100-SXM4-80GB", 79.15),
    "1g.12gb": ("H100-SXM", 10.75), "1g.20gb": ("H100-SXM", 19.62), "2g.24gb": ("H100-SXM", 21.5),
    "3g.47gb": ("H100-SXM", 46.38), "4g.47gb": ("H100-SXM", 46.38), "7g.80gb-h100": ("H100-SXM", 79.18),
    "1g.18gb": ("H200", 16.75), "3g.71gb": ("H200", 69.75), "7g.141gb": ("H200", 139.8),
}


def _cc(text) -> list[int] | None:
    if not text:
        return None
    m = re.match(r"(\d+)\.(\d+)", str(text))
    return [int(m.group(1)), int(m.group(2))] if m else None


def build(path: Path) -> list[dict]:
    out = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        key = r["key"]
        if r.get("vendor") != "NVIDIA" and key not in ("MI300X", "MI325X"):
            continue
        total, total_src = None, None
        if key in SEEN_TOTAL:
            total, total_src = SEEN_TOTAL[key]
        elif r.get("cuda_total_gib"):
            total, total_src = float(r["cuda_total_gib"]), "gpus.jsonl cuda_total_gib"
        elif isinstance(r.get("nvidia_smi_total_mib"), (int, float)):
            total = round((r["nvidia_smi_total_mib"] - RESERVED_MIB) / 1024, 2)
            total_src = f"derived: nvidia-smi total {r['nvidia_smi_total_mib']} MiB minus {RESERVED_MIB} MiB driver reservation"
        elif key == "MI300X":
            total, total_src = 191.98, "gpus-notes.md: MI300X 206,141,652,992 B from rocm-smi/KFD"
        if total is None:
            continue
        cc = _cc(r.get("compute_capability"))
        if cc is None and key.startswith("MI3"):
            cc = [9, 4]
        if cc is None:
            continue
        names = [n.strip() for n in str(r.get("device_name") or "").split("|") if n.strip()]
        k8s = r.get("k8s_gpu_product")
        gke = r.get("gke_accelerator")
        gke_list = gke if isinstance(gke, list) else ([gke.split(" ")[0]] if gke else [])
        mname = str(r.get("marketing_name") or key)
        out.append({
            "key": key,
            "name": names[0] if names else mname,
            "vendor": r.get("vendor", "NVIDIA"),
            "device_names": names,
            "aliases": EXTRA_ALIASES.get(key, []),
            "marketing_gb": r.get("memory_gb") if isinstance(r.get("memory_gb"), (int, float)) else None,
            "total_gib": total,
            "total_gib_source": total_src,
            "compute_capability": cc,
            "bf16": bool(r.get("bf16_supported", cc >= [8, 0])),
            "fp8": bool(r.get("fp8_supported_vllm") is True or (r.get("fp8_supported_vllm") is None and cc >= [8, 9])),
            "consumer": any(c in mname or c in (names[0] if names else "") for c in CONSUMER)
            and "PRO 6000" not in mname and "6000 Ada" not in mname and "A6000" not in mname and "A5000" not in mname and "A4000" not in mname,
            "k8s_products": [k8s] if k8s else [],
            "gke_accelerators": gke_list,
            "instances": {k: n for k, (g, n) in INSTANCES.items() if g == key},
            "mig": {p: s for p, (g, s) in MIG.items() if g == key},
            "source": "; ".join(r.get("sources", [])[:3]),
        })
    return out


CC_TABLE = "compute_capability_table in gpus-notes.md (GeForce RTX 30x0 8.6; GeForce RTX 40x0 8.9; public GitHub file ids 1663556763, 52997099978)"
# Cards absent from gpus.jsonl but common on desks; memory derived from the marketing size.
EXTRA = [
    ("RTX 4080", "NVIDIA GeForce RTX 4080", 16, 15.56, GT + ": RTX 4080 15.56", [8, 9]),
    ("RTX 3090 Ti", "NVIDIA GeForce RTX 3090 Ti", 24, 23.58, "derived: same 24 GB GDDR6X as the RTX 3090 (23.58 printed)", [8, 6]),
    ("RTX 3080", "NVIDIA GeForce RTX 3080", 10, round((10240 - RESERVED_MIB) / 1024, 2), "derived: 10 GB marketing size minus driver reservation", [8, 6]),
    ("RTX 3060", "NVIDIA GeForce RTX 3060", 12, round((12288 - RESERVED_MIB) / 1024, 2), "derived: 12 GB marketing size minus driver reservation", [8, 6]),
    ("RTX 4060 Ti", "NVIDIA GeForce RTX 4060 Ti", 16, round((16380 - RESERVED_MIB) / 1024, 2), "derived: 16 GB marketing size minus driver reservation", [8, 9]),
    ("RTX 2080 Ti 22GB", "NVIDIA GeForce RTX 2080 Ti", 22, 21.66, GT + ": 22 GB 2080 Ti mod 21.66", [7, 5]),
]


def _extra() -> list[dict]:
    out = []
    for key, name, gb, total, src, cc in EXTRA:
        out.append({
            "key": key, "name": name, "vendor": "NVIDIA", "device_names": [name], "aliases": [key.replace("RTX ", "")],
            "marketing_gb": gb, "total_gib": total, "total_gib_source": src, "compute_capability": cc,
            "bf16": cc >= [8, 0], "fp8": cc >= [8, 9], "consumer": True, "k8s_products": [], "gke_accelerators": [],
            "instances": {}, "mig": {}, "source": f"{src}; compute capability: {CC_TABLE}; bf16/fp8: vLLM rules (CC>=8.0 / CC>=8.9)",
        })
    return out


def main(argv: list[str]) -> int:
    gpus = build(Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "knowledge" / "gpus.jsonl")
    gpus += _extra()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"version": 1, "gpus": gpus}, indent=1) + "\n")
    print(f"wrote {len(gpus)} GPUs to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
