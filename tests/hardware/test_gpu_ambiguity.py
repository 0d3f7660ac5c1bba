"""Names that do not fix a card's memory are resolved to the smaller card and said to be assumed."""

from __future__ import annotations

import pytest

from vllm_lint.hardware.gpus import memory_variants, resolve_gpu


@pytest.mark.parametrize(
    "text,ambiguous",
    [
        ("Tesla-V100", True),
        ("A100", True),
        ("V100-32GB", False),
        ("NVIDIA-A100-SXM4-80GB", False),
        ("nvidia-tesla-a100", False),  # GKE's label for the 40 GB card
        ("nvidia-a100-80gb", False),
        ("g5.xlarge", False),
        ("A10G", False),
        ("24GiB", False),
    ],
)
def test_memory_variants(text, ambiguous):
    spec = resolve_gpu(text)
    assert spec is not None
    others = memory_variants(spec, text)
    assert bool(others) == ambiguous, [g.key for g in others]
    assert all(abs(g.total_gib - spec.total_gib) > 1 for g in others)


def test_memory_variants_of_a_card_not_in_the_catalog():
    # a MIG slice of a card the product label does not name resolves to a plain size: no variants
    spec = resolve_gpu("T4:3g.40gb")
    assert spec is not None and spec.key not in {"T4"}
    assert memory_variants(spec, "T4") == []
