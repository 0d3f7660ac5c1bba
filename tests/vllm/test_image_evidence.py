"""Which vLLM release an image reference says, and its ENTRYPOINT (data/images.json,
data/image_entrypoints.json)."""

from __future__ import annotations

import pytest

from vllm_lint.vllm import releases
from vllm_lint.vllm.image_evidence import API_SERVER_MODULE, SERVE, entrypoint_for, image_evidence
from vllm_lint.vllm.releases import ReleaseSet

API = ("python3", "-m", API_SERVER_MODULE)


@pytest.mark.parametrize("image,release", [
    ("vllm/vllm-openai:v0.6.3", "0.6.3"),
    ("docker.io/vllm/vllm-openai:v0.8.5.post1", "0.8.5.post1"),
    ("vllm/vllm-openai:v0.10.1.1", "0.10.1.1"),
    ("vllm/vllm-openai:v0.11.2-cu130", "0.11.2"),
    ("vllm/vllm-openai:v0.25.0-ubuntu2404", "0.25.0"),
    ("vllm/vllm-openai:v0.20.1-x86_64-cu129", "0.20.1"),
    ("vllm/vllm-openai:v0.14.0-rocm", "0.14.0"),
    ("vllm/vllm-openai-rocm:v0.20.0", "0.20.0"),
    ("vllm/vllm-openai-cpu:v0.30.0-x86_64", "0.30.0"),
    ("vllm/vllm-openai-xpu:v0.26.0", "0.26.0"),
    ("index.docker.io/vllm/vllm-openai:v0.9.2@sha256:" + "0" * 64, "0.9.2"),
])
def test_official_release_tags_are_exact(image, release):
    ev = image_evidence(image)
    assert ev.official and ev.version.kind == "exact" and ev.version.exact == release
    assert not ev.version.patched
    assert ev.version.provenance and ev.version.provenance[0].source


@pytest.mark.parametrize("image,family", [
    ("vllm/vllm-openai:v0.14.0-rocm", "rocm"), ("vllm/vllm-openai-rocm:v0.20.0", "rocm"),
    ("vllm/vllm-openai:v0.20.0", "cuda"), ("vllm/vllm-openai-cpu:latest", "cpu"), ("vllm/vllm-openai-xpu:latest", "xpu"),
])
def test_official_families(image, family):
    assert image_evidence(image).family == family


@pytest.mark.parametrize("image,first,main_build", [
    ("vllm/vllm-openai:latest", "0.4.3", False),
    ("vllm/vllm-openai", "0.4.3", False),
    ("vllm/vllm-openai:latest-x86_64", "0.11.0", False),
    ("vllm/vllm-openai:latest-x86_64-cu130", "0.15.0", False),
    ("vllm/vllm-openai:latest-efa", "0.33.0", False),
    ("vllm/vllm-openai-xpu:latest", "0.26.0", False),
    ("vllm/vllm-openai:nightly", "0.10.2", True),
    ("vllm/vllm-openai:nightly-0123456789abcdef0123456789abcdef01234567", "0.10.2", True),
    ("vllm/vllm-openai:cu130-nightly-x86_64", "0.14.1", True),
])
def test_moving_tags_are_bounded_ranges(image, first, main_build):
    ev = image_evidence(image)
    assert ev.version.kind == "range" and ev.version.exact is None
    assert ev.version.releases.first == first and ev.version.releases.last == releases.newest()
    assert ev.version.releases.open_above
    assert ("main branch" in ev.version.reason) == main_build


def test_release_candidate_is_bounded_by_its_release():
    ev = image_evidence("vllm/vllm-openai:v0.12.0rc1")
    assert ev.version.kind == "range" and list(ev.version.releases) == ["0.11.2", "0.12.0"]


@pytest.mark.parametrize("image", [
    "vllm/vllm-openai:${VLLM_VERSION}",
    "vllm/vllm-openai:v{vllm_version}",
    "${VLLM_IMAGE}",
    "vllm/vllm-openai:gemma4-unified",
    "vllm/vllm-openai-rocm:v0.20.0-base",  # the ROCm base image: no vLLM in it
    "vllm/vllm-openai@sha256:" + "a" * 64,
    "quay.io/someone/vllm-dev-pplx:0.0.19",
    "example.com/team/vllm-server:3.2.3",
    "lmcache/vllm-openai:latest",
    "nginx:1.27",
    "vllm/vllm-openai:v0.99.0",  # newer than every release read
])
def test_says_nothing(image):
    ev = image_evidence(image)
    assert ev.version.kind == "unknown" and ev.version.exact is None
    assert ev.version.reason
    assert ev.version.releases == ReleaseSet.everything()


def test_private_image_claim_is_kept_for_messages_only():
    ev = image_evidence("quay.io/someone/vllm-dev-pplx:0.0.19")
    assert ev.version.kind == "unknown" and ev.version.claimed == "0.0.19"
    assert ev.entrypoint.kind is None


@pytest.mark.parametrize("image,family,release", [
    ("registry.redhat.io/rhaiis/vllm-cuda-rhel9:3.0.0", "rhaiis", "0.8.4"),
    ("registry.redhat.io/rhaiis/vllm-rocm-rhel9:3.0", "rhaiis", "0.8.4"),
    ("nvcr.io/nvidia/vllm:25.10-py3", "ngc", "0.10.2"),
    ("nvcr.io/nvidia/vllm:26.01-py3", "ngc", "0.11.1"),
    ("nvcr.io/nvidia/vllm:26.03-py3", "ngc", "0.17.1"),
    ("nvcr.io/nvidia/vllm:26.05-py3", "ngc", "0.20.1"),
    ("nvcr.io/nvidia/vllm:26.10-py3", "ngc", "0.31.0"),
    ("763104351884.dkr.ecr.us-west-2.amazonaws.com/vllm:0.10.2-gpu-py312-cu128-ubuntu22.04-ec2", "aws-dlc", "0.10.2"),
    ("public.ecr.aws/deep-learning-containers/vllm:0.11.0-gpu-py312-ec2", "aws-dlc", "0.11.0"),
    ("rocm/vllm:rocm6.4.1_vllm_0.10.1_20250909", "amd-rocm", "0.10.1"),
    ("rocm/vllm:rocm7.14.0_cdna_ubuntu24.04_py3.14_pytorch_2.11.0_vllm_0.23.0", "amd-rocm", "0.23.0"),
    ("rocm/vllm-dev:rocm6.4.2_navi_ubuntu24.04_py3.12_pytorch_2.7_vllm_0.9.2", "amd-rocm", "0.9.2"),
    ("aibrix/vllm-openai:v0.9.2-cu128-nixl-v0.4.1", "aibrix", "0.9.2"),
    ("aibrix-container-registry-cn-beijing.cr.volces.com/aibrix/vllm/vllm-openai:v0.9.2", "aibrix", "0.9.2"),
    ("aibrix/vllm-openai:v0.6.1-edb07092-20250118", "aibrix", "0.6.1"),
])
def test_vendor_rows(image, family, release):
    ev = image_evidence(image)
    assert ev.family == family and not ev.official
    assert ev.version.exact == release and ev.version.patched
    assert all(p.source for p in ev.version.provenance)
    assert ev.entrypoint.kind is None  # vendor ENTRYPOINTs are not modelled


def test_vendor_tags_without_a_mapping():
    assert image_evidence("registry.redhat.io/rhaiis/vllm-cuda-rhel9:3.2.3-1760572426").version.kind == "unknown"
    assert image_evidence("nvcr.io/nvidia/vllm:25.09-py3").version.kind == "unknown"  # before the first row
    between = image_evidence("nvcr.io/nvidia/vllm:26.02-py3").version
    assert between.kind == "range" and between.releases.first == "0.11.1" and between.releases.last == "0.17.1"
    line = image_evidence("763104351884.dkr.ecr.us-east-1.amazonaws.com/vllm:0.15-gpu-py312-ec2").version
    assert line.kind == "range" and list(line.releases) == ["0.15.0", "0.15.1"]
    assert image_evidence("rocm/vllm:latest").version.kind == "unknown"


def test_dated_tags_bound_the_release():
    ev = image_evidence("rocm/vllm-dev:nightly_main_20250120").version
    assert ev.kind == "range" and list(ev.releases) == ["0.6.6.post1", "0.7.0"]  # main between two releases
    ev = image_evidence("lmcache/vllm-openai:2025-05-05-v1").version
    assert ev.kind == "range" and ev.releases.first == "0.4.3" and ev.releases.last == "0.9.0"
    assert not ev.releases.open_above


# -- ENTRYPOINT --------------------------------------------------------------------------------------


@pytest.mark.parametrize("image,program", [
    ("vllm/vllm-openai:v0.6.2", API),
    ("vllm/vllm-openai:v0.8.3", API),
    ("vllm/vllm-openai:v0.11.0", API),
    ("vllm/vllm-openai:v0.11.1", SERVE),
    ("vllm/vllm-openai:v0.11.2-cu130", SERVE),
    ("vllm/vllm-openai:v0.26.0", SERVE),
    ("vllm/vllm-openai-cpu:v0.30.0", SERVE),
    ("vllm/vllm-openai-xpu:v0.30.0", SERVE),
    ("vllm/vllm-openai-rocm:v0.20.0", SERVE),
    ("vllm/vllm-openai:v0.14.0-rocm", SERVE),
    ("vllm/vllm-openai:latest-x86_64", SERVE),  # 0.11.0 .. newest: 0.11.0 differs
])
def test_entrypoint_per_release(image, program):
    ev = image_evidence(image)
    if image.endswith("latest-x86_64"):
        assert ev.entrypoint.program is None and "0.11.0" in ev.entrypoint.reason  # 0.11.0 was api_server
        return
    assert ev.entrypoint.program == program and ev.entrypoint.certain and ev.entrypoint.basis == "dockerfile"
    assert "tar.gz" in ev.entrypoint.source


def test_entrypoint_switch_is_0_11_1_on_every_family_that_existed():
    for family in ("cuda", "cpu", "xpu"):
        assert entrypoint_for(family, ReleaseSet(("0.11.0",))).program == API
        assert entrypoint_for(family, ReleaseSet(("0.11.1",))).program == SERVE


def test_entrypoint_without_a_dockerfile_is_inferred_not_certain():
    for image in ("vllm/vllm-openai:v0.15.1", "vllm/vllm-openai:v0.6.1", "vllm/vllm-openai:v0.4.3"):
        ep = image_evidence(image).entrypoint
        assert ep.program is not None and not ep.certain and ep.basis == "inferred"
    assert image_evidence("vllm/vllm-openai:v0.15.1").entrypoint.program == SERVE
    assert image_evidence("vllm/vllm-openai:v0.5.5").entrypoint.program == API


def test_entrypoint_over_a_range_is_known_only_when_all_agree():
    assert entrypoint_for("cuda", ReleaseSet.span("0.16.0", "0.33.0")).certain
    mixed = entrypoint_for("cuda", ReleaseSet.span("0.10.2", "0.12.0"))
    assert mixed.program is None and "0.10.2-0.11.0" in mixed.reason and "0.11.1-0.12.0" in mixed.reason
    assert entrypoint_for("rocm", ReleaseSet(("0.10.0",))).program is None  # no ROCm release image then
