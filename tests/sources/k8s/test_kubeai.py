"""KubeAI Model objects: engine args, URL -> model, resourceProfile NAME:COUNT -> GPUs."""

from __future__ import annotations

from pathlib import Path

from vllm_lint.sources.k8s import manifests
from vllm_lint.sources.base import SourceFile
from vllm_lint.sources.readfile import load_source

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "k8s"


def test_model_launch():
    path = FIX / "kubeai_model.yaml"
    src = load_source(path, str(path), "kubeai")
    res = manifests.extract(src)
    assert len(res.launches) == 1  # the FasterWhisper model is not vLLM
    (l,) = res.launches
    assert l.name == "Model/llama-70b"
    assert [t.text for t in l.args[:4]] == ["--model", "neuralmagic/Meta-Llama-3.1-70B-Instruct-FP8",
                                            "--served-model-name", "llama-70b"]
    assert src.text[l.args[1].span.start:l.args[1].span.end] == "hf://neuralmagic/Meta-Llama-3.1-70B-Instruct-FP8"
    assert [t.text for t in l.args[4:]] == ["--max-model-len=32768", "--max-num-batched-token=32768",
                                            "--enable-chunked-prefill=false"]
    for t in l.args[4:]:
        assert src.text[t.span.start:t.span.end] == t.text and t.style == "argv"
    assert l.gpu.count == 8 and l.gpu.product == "l4"
    assert l.image == "vllm/vllm-openai:v0.8.3" and l.vllm_version == "0.8.3"
    assert l.entrypoint == "api_server"
    assert l.env["VLLM_ATTENTION_BACKEND"].value == "FLASHINFER"
    assert l.replicas == 1


def test_profiles():
    def gpu(profile: str):
        text = f"apiVersion: kubeai.org/v1\nkind: Model\nmetadata: {{name: m}}\nspec:\n  url: hf://a/b\n  engine: VLLM\n  resourceProfile: {profile}\n"
        (l,) = manifests.extract(SourceFile.from_text(text, display="m.yaml", kind="kubeai")).launches
        return l
    l = gpu("amd-gpu-mi300x:8")
    assert l.gpu.count == 8 and l.gpu.product == "mi300x" and l.image.startswith("substratusai/vllm-rocm")
    l = gpu("google-tpu-v5e-2x2:4")
    assert l.gpu.count == 0 and any("TPU" in u for u in l.unknowns)
    l = gpu("my-custom:2")
    assert l.gpu.count is None and l.unknowns


def test_non_hf_url_symbolic():
    text = "apiVersion: kubeai.org/v1\nkind: Model\nmetadata: {name: m}\nspec:\n  url: s3://bucket/m\n  engine: VLLM\n"
    (l,) = manifests.extract(SourceFile.from_text(text, display="m.yaml", kind="kubeai")).launches
    assert l.args[1].symbolic and any("s3" in u for u in l.unknowns)
