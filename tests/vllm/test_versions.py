from __future__ import annotations

import pytest

from vllm_lint.vllm.versions import NEWEST, at_least, parse_version, version_from_image


@pytest.mark.parametrize(
    "image,version",
    [
        ("vllm/vllm-openai:v0.6.3", "0.6.3"),
        ("docker.io/vllm/vllm-openai:v0.8.5.post1", "0.8.5.post1"),
        ("vllm/vllm-openai:v0.10.1.1", "0.10.1.1"),
        ("vllm/vllm-openai:latest", NEWEST),
        ("vllm/vllm-openai", NEWEST),
        ("vllm/vllm-openai:nightly-20251001", NEWEST),
        ("vllm/vllm-openai-rocm:v0.10.1", "0.10.1"),
        ("aibrix/vllm-openai:v0.6.2-distributed", "0.6.2"),
        ("substratusai/vllm:v0.6.4.post1-tpu", "0.6.4.post1"),
        ("rocm/vllm:rocm6.4.1_vllm_0.10.1_20250909", "0.10.1"),
        ("lmcache/vllm-openai:latest", None),  # a fork's latest is not vLLM's
        ("vllm-blackwell:latest", None),
        ("nginx:1.27", None),
        ("vllm/vllm-openai:${VLLM_TAG}", None),
    ],
)
def test_version_from_image(image, version):
    assert version_from_image(image) == version


def test_ordering_and_post_releases():
    assert parse_version("0.6.6.post1") == (0, 6, 6, 1)
    assert parse_version("0.10.1.1") == (0, 10, 1, 1)
    assert parse_version("v0.11.0+rhai1") == parse_version("0.11.0")
    assert parse_version("nightly") is None
    assert at_least("0.10.2", "0.9.2") and not at_least("0.9.2", "0.10.2")
    assert at_least("0.6.6.post1", "0.6.6")
    assert at_least("0.10.1.1", "0.10.1") and not at_least("0.10.1", "0.10.1.1")
    assert at_least("0.9.0.1", "0.9.0") and not at_least("0.9.0.1", "0.9.1")


def test_known_versions_come_from_the_release_index():
    from vllm_lint.vllm.versions import KNOWN_VERSIONS

    assert KNOWN_VERSIONS[0] == "0.4.3" and KNOWN_VERSIONS[-1] == NEWEST
    assert sorted(KNOWN_VERSIONS, key=parse_version) == list(KNOWN_VERSIONS)
