"""KServe: runtime + InferenceService args, built-in runtimes, LLMInferenceService."""

from __future__ import annotations

from pathlib import Path

from vllm_lint.sources.k8s import manifests
from vllm_lint.sources.base import SourceFile
from vllm_lint.sources.readfile import load_source

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "k8s"


def launches():
    path = FIX / "kserve.yaml"
    src = load_source(path, str(path), "kserve")
    return src, manifests.extract(src).launches


def test_isvc_args_appended_to_runtime():
    src, ls = launches()
    assert len(ls) == 2  # the runtime used by the ISVC is not a launch of its own
    isvc = ls[0]
    assert isvc.name.startswith("InferenceService/llama")
    assert [t.text for t in isvc.args] == ["--port=8080", "--served-model-name={{.Name}}", "--model=/mnt/models",
                                           "--max-model-len=8192"]
    assert isvc.args[1].symbolic
    assert isvc.gpu.count == 1 and isvc.gpu.product == "g5.8xlarge"
    assert isvc.facts["model_id"] == "meta-llama/Llama-3.1-8B-Instruct"
    t = isvc.args[-1]
    assert src.text[t.span.start:t.span.end] == "--max-model-len=8192"


def test_llmisvc_additional_args_and_parallelism():
    src, ls = launches()
    l = ls[1]
    assert l.name == "LLMInferenceService/coder (decode)"
    texts = [t.text for t in l.args]
    assert texts[0] == "Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8"
    assert texts[texts.index("--tensor-parallel-size") + 1] == "2"
    assert texts[-3:] == ["65536", "--tool-call-parser=qwen3_coder"][-2:] or texts[-3:] == ["--max-model-len", "65536", "--tool-call-parser=qwen3_coder"]
    for t in l.args:
        if t.span is not None:
            assert src.text[t.span.start:t.span.end] == t.raw
    assert l.gpu.count == 2


def test_builtin_vllm_runtime():
    text = ("apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: m}\nspec:\n"
            "  predictor:\n    model:\n      modelFormat: {name: vLLM}\n      storageUri: hf://Qwen/Qwen3-8B\n"
            "      args: [\"--max-model-len\", \"4096\"]\n")
    (l,) = manifests.extract(SourceFile.from_text(text, display="i.yaml", kind="kserve")).launches
    assert [t.text for t in l.program] == ["python", "-m", "vllm.entrypoints.openai.api_server"]
    assert [t.text for t in l.args][-2:] == ["--max-model-len", "4096"]
    assert l.gpu.count is None and l.unknowns


def test_llmisvc_quotes_kept_literally():
    text = ("apiVersion: serving.kserve.io/v1alpha2\nkind: LLMInferenceService\nmetadata: {name: pd}\nspec:\n"
            "  model: {uri: hf://Qwen/Qwen2.5-7B-Instruct}\n  template:\n    containers:\n    - name: main\n"
            "      env:\n      - name: VLLM_ADDITIONAL_ARGS\n"
            "        value: \"--kv_transfer_config '{\\\"kv_connector\\\":\\\"NixlConnector\\\"}'\"\n")
    src = SourceFile.from_text(text, display="p.yaml", kind="kserve")
    (l,) = manifests.extract(src).launches
    last = l.args[-1]
    assert last.text == "'{\"kv_connector\":\"NixlConnector\"}'"
    assert src.text[last.span.start:last.span.end] == "'{\\\"kv_connector\\\":\\\"NixlConnector\\\"}'"
    assert any("quotes" in u for u in l.unknowns)
