"""GPU catalog (schema, sources) and resolution from every way a config names a GPU."""

from __future__ import annotations

import json

import jsonschema
import pytest

from vllm_lint.hardware.gpus import DATA_PATH, all_gpus, common_gpus, parse_gpu_option, resolve_gpu

SCHEMA = json.loads(DATA_PATH.with_name("gpus.schema.json").read_text(encoding="utf-8"))


def test_gpu_data_schema_and_size():
    data = json.loads(DATA_PATH.read_text())
    jsonschema.validate(data, SCHEMA)
    assert len(data["gpus"]) >= 40
    keys = {g["key"] for g in data["gpus"]}
    for k in ("T4", "L4", "A10", "A10G", "RTX 3090", "RTX 4090", "L40S", "A100-SXM4-40GB", "A100-SXM4-80GB",
              "H100-SXM", "H200"):
        assert k in keys


def test_cuda_totals_are_below_marketing_size_and_follow_vllm_rules():
    for g in all_gpus():
        if g.vendor == "NVIDIA":
            assert g.bf16 == (g.compute_capability >= (8, 0)), g.key
            assert g.fp8 == (g.compute_capability >= (8, 9)), g.key
    # values printed by vLLM (groundtruth NOTES) or measured
    assert resolve_gpu("A10G").total_gib == 22.06
    assert resolve_gpu("RTX 3090").total_gib == 23.58
    assert resolve_gpu("H100").total_gib == 79.18
    assert resolve_gpu("H200").total_gib == 139.80


@pytest.mark.parametrize("text,key,count", [
    ("A10G", "A10G", None),
    ("H100:8", "H100-SXM", 8),
    ("nvidia-l4", "L4", None),
    ("g5.12xlarge", "A10G", 4),
    ("g5.xlarge", "A10G", 1),
    ("ml.g5.12xlarge", "A10G", 4),
    ("NVIDIA-A100-SXM4-80GB:1g.10gb", "A100-SXM4-80GB/1g.10gb", None),
    ("p4d.24xlarge", "A100-SXM4-40GB", 8),
    ("a3-highgpu-8g", "H100-SXM", 8),
    ("g2-standard-48", "L4", 4),
    ("NVIDIA-A100-SXM4-80GB", "A100-SXM4-80GB", None),
    ("NVIDIA A100-SXM4-80GB", "A100-SXM4-80GB", None),
    ("Tesla-T4", "T4", None),
    ("nvidia-tesla-t4", "T4", None),
    ("nvidia-a100-80gb", "A100-SXM4-80GB", None),
    ("NVIDIA-H100-80GB-HBM3", "H100-SXM", None),
    ("NVIDIA GeForce RTX 4090", "RTX 4090", None),
    ("4x L40S", "L40S", 4),
])
def test_parse_gpu_option(text, key, count):
    spec, n = parse_gpu_option(text)
    assert spec is not None and spec.key == key
    assert n == count


def test_sizes_and_mig():
    assert resolve_gpu("23.58GiB").total_gib == 23.58
    assert resolve_gpu("24000MiB").total_gib == pytest.approx(23.44, abs=0.01)
    assert resolve_gpu("80GB").total_gib == pytest.approx(79.15, abs=0.1)  # marketing size -> CUDA-visible
    mig = resolve_gpu("nvidia.com/mig-1g.10gb")
    assert mig is not None and 9 < mig.total_gib < 10.5
    mig3 = resolve_gpu("A100-80GB:3g.40gb")
    assert mig3.key.endswith("3g.40gb") and 38 < mig3.total_gib < 40


def test_unknown_and_common():
    assert resolve_gpu("quantum-accelerator-9000") is None
    assert parse_gpu_option("") == (None, None)
    common = common_gpus()
    assert len(common) >= 8
    assert [g.total_gib for g in common] == sorted(g.total_gib for g in common)
