"""sources.dispatch: every kind in REGISTRY names an extractor that exists, and a registry line
that names a missing module fails loudly instead of reading the file as empty."""

from __future__ import annotations

import importlib

import pytest

from vllm_lint.sources import dispatch
from vllm_lint.sources.base import SourceFile
from vllm_lint.sources.readfile import load_source


@pytest.mark.parametrize("kind", sorted(dispatch.REGISTRY))
def test_every_registered_kind_names_an_extractor(kind):
    target = dispatch.REGISTRY[kind]
    if isinstance(target, str):
        module, _, name = target.partition(":")
        target = getattr(importlib.import_module(module), name)
    assert callable(target), kind


def test_a_misspelt_registry_module_is_an_error_not_an_empty_result(tmp_path, monkeypatch):
    path = tmp_path / "docker-compose.yml"
    path.write_text("services:\n  vllm:\n    image: vllm/vllm-openai:v0.8.5\n", encoding="utf-8")
    src = load_source(path, "docker-compose.yml", "compose")
    assert isinstance(src, SourceFile)
    monkeypatch.setitem(dispatch.REGISTRY, "compose", "vllm_lint.sources.containers.compsoe:extract")
    with pytest.raises(ModuleNotFoundError):
        dispatch.extract(src)
