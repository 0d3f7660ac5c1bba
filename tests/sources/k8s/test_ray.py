"""Ray Serve LLM: engine_kwargs inside RayService.serveConfigV2 (YAML in a string) and Serve configs."""

from __future__ import annotations

from pathlib import Path

from vllm_lint.sources.k8s import manifests
from vllm_lint.sources.base import SourceFile
from vllm_lint.sources.readfile import load_source

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "k8s"


def test_rayservice_engine_kwargs_spans_through_block_scalar():
    path = FIX / "rayservice.yaml"
    src = load_source(path, str(path), "rayservice")
    (l,) = manifests.extract(src).launches
    assert l.entrypoint == "engine_kwargs" and l.program == []
    texts = [t.text for t in l.args]
    assert texts == ["meta-llama/Llama-3.1-8B-Instruct", "--served-model-name", "llama-8b",
                     "--tensor_parallel_size", "2", "--max_model_len", "8192", "--enable_chunked_prefill",
                     "--no-enforce-eager"]
    for t in l.args:
        if t.text != "--served-model-name":
            assert t.span is not None
            assert src.text[t.span.start:t.span.end] == t.raw
    key = l.args[5]
    assert key.style == "config-key" and src.text[key.span.start:key.span.end] == "max_model_len"
    assert src.index.position(key.span.start) == (24, 15)
    assert l.gpu.count == 2 and l.gpu.product == "L4" and l.facts["nodes"] == 3
    assert l.replicas == 1 and l.facts["max_replicas"] == 2
    ins = l.insertion
    new = src.text[:ins.offset] + ins.render(["--max-num-seqs", "64"]) + src.text[ins.offset:]
    (again,) = manifests.extract(SourceFile.from_text(new, display="r.yaml", kind="rayservice")).launches
    assert [t.text for t in again.args][-2:] == ["--max_num_seqs", "64"]


def test_plain_serve_config_and_custom_app():
    text = ("applications:\n- name: a\n  import_path: ray.serve.llm:build_openai_app\n  args:\n    llm_configs:\n"
            "    - model_loading_config: {model_id: q}\n      engine_kwargs: {max_model_len: 4096}\n"
            "- name: b\n  import_path: vllm_serve:deployment\n  runtime_env:\n    env_vars:\n      MODEL_ID: m/x\n")
    src = SourceFile.from_text(text, display="s.yaml", kind="rayservice")
    a, b = manifests.extract(src).launches
    assert [t.text for t in a.args] == ["q", "--max_model_len", "4096"]
    assert a.gpu.count is None and a.unknowns
    assert b.args == [] and b.facts["model_hint"] == "m/x" and b.unknowns
