"""Every corpus file of the Kubernetes family: no crash, expected launches and models, exact spans.

Expectations were set by reading each file (see corpus/NOTES.md and corpus.tsv): the number of
vLLM engine starts the file describes and the model each one serves (None when the model is
not in the file: baked into an image, a chart default, or custom code).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vllm_lint.launch import Launch
from vllm_lint.sources.dispatch import extract
from vllm_lint.sources.base import ExtractOptions, SourceFile
from vllm_lint.sources.k8s.manifests import classify_yaml
from vllm_lint.sources.readfile import load_source

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"

PS = "vllm-project__production-stack/"
AIBRIX = "vllm-project__aibrix/"
KUBEAI = "substratusai__kubeai/"
KSERVE = "kserve__kserve/"
L31 = "meta-llama/Llama-3.1-8B-Instruct"

# path -> models of the launches, in file order
EXPECTED: dict[str, list[str | None]] = {
    # files without notes in the corpus (NOTES.md section 6), read by hand
    "BadLord1st__vllm-production-stack/my-values.yaml": ["/data/shared-pvc-storage/model", "openai/gpt-oss-20b"],
    "CloudThrill__vllm-production-stack-terraform/coreweave/cks-deepseek3/config/llm-stack/helm/gpu/gpu-deepseek-v32.tpl":
        ["deepseek-ai/DeepSeek-V3.2"],
    "R-D-Engineering__vllm-serving-aks/k8s/vllm-deployment.yaml": ["Qwen/Qwen2.5-7B-Instruct-AWQ"],
    "UjwalNagrikar__Production-Grade-vLLM-Deployment-on-Kubernetes/helm/vllm/values.yaml": ["Qwen/Qwen2.5-3B-Instruct"],
    "andrewaddo__gke-vllm-hdml/vllm-deployment.yaml": ["/data/Llama-3.3-70B-Instruct"],
    "andrewdeweever__eks_llm/ray-service.yaml": ["meta-llama/Llama-3.3-70B-Instruct"],
    # the model is in the mounted --config file (vllm-config.yaml, a ConfigMap kustomize generates)
    "danielpenchev98__vllm-k8s/deploy/components/vllm/vllm-deployment.yaml": [None],
    "erkerc__rhoai-autoscaling/inferenceservice-autoscale.yaml": ["/mnt/models"],
    "erkerc__rhoai-autoscaling/servingruntime.yaml": ["/mnt/models"],
    "fishingpvalues__aihomelab/vllm-deployment.yaml": ["/models/gpt2"],
    "marcin119a__bielik_vllm/k8s/vllm-deployment.yaml": ["speakleash/Bielik-4.5B-v3.0-Instruct"],
    # the worker has no command: the image's own `vllm serve` starts a second server with the
    # default model instead of joining the leader's Ray cluster
    "ratishjain12__eks-vllm-multinode/lws.yaml": ["meta-llama/Llama-3.1-8B-Instruct", None],
    "tlrmchlsmth__vllm-dp-lws/lws.yaml": ["__MODEL__"],  # a sed placeholder the README fills in
    # plain manifests
    "aatchison__deploy-vllm-k8s/deploy-dual-moe.yaml": ["google/gemma-4-26B-A4B-it", "nvidia/Gemma-4-31B-IT-NVFP4"],
    "aatchison__deploy-vllm-k8s/deploy-dual.yaml": ["bg-digitalservices/Gemma-4-E2B-it-NVFP4", "google/gemma-4-E4B-it"],
    "aatchison__deploy-vllm-k8s/deploy-gemma4-31B-bf16-tp2.yaml": ["google/gemma-4-31B-it"],
    "aatchison__deploy-vllm-k8s/deploy-gemma4-31B-bf16.yaml": ["google/gemma-4-31B-it"],
    "civo-learn__civo-vllm-docker/examples/k8s/manifest/llama3.yaml": [],  # custom image; model in env MODEL
    "hanneshapke__DevFest2024-LLM-vllm-k8s/src/vllm-kubernetes/vllm-gemma2-2b.yaml": ["google/gemma-2-2b-it"],
    "kubernetes-sigs__lws/docs/examples/vllm/GPU/lws.yaml": ["meta-llama/Llama-3.1-405B-Instruct"],
    "robertgshaw2-neuralmagic__vllm-k8s/gke-cluster/vllm-latest.yaml": [None],  # model baked into the image
    "robertgshaw2-neuralmagic__vllm-k8s/nm-cluster/vllm-simple-tp.yaml": ["HuggingFaceH4/zephyr-7b-beta"],
    "umesh-khatiwada__aibrix-vllm-deployment/manifests/amd/amd_model.yaml": ["deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"],
    "umesh-khatiwada__aibrix-vllm-deployment/manifests/nvidia/nvidia-model.yaml": ["deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"],
    AIBRIX + "brixbench/benchmark/testdata/deployments/vllm/qwen3-32b-tp4-replicas2.yaml": ["/models/Qwen3-32B"],
    AIBRIX + "samples/heterogeneous/deepseek-coder-7b-v100-deployment.yaml": ["/models/deepseek-coder-6.7b-instruct"],
    AIBRIX + "samples/kvcache/vineyard/deployment-tp.yaml": ["deepseek-ai/deepseek-coder-33b-instruct"],
    AIBRIX + "samples/multimodality/vllm/qwen-vl.yaml": ["/models/Qwen2.5-VL-7B-Instruct/"],
    AIBRIX + "samples/quickstart/model.yaml": ["deepseek-ai/DeepSeek-R1-Distill-Llama-8B"],
    AIBRIX + "samples/deepseek-r1/deepseek-r1-huggingface.yaml": ["deepseek-ai/DeepSeek-R1"],
    AIBRIX + "samples/distributed/fleet.yaml": ["Qwen/Qwen2.5-Coder-7B-Instruct"],
    AIBRIX + "samples/quickstart/pd-model.yaml": ["deepseek-ai/DeepSeek-R1-Distill-Llama-8B"] * 2,
    PS + "examples/disaggregated_prefill_orchestrated/prefill-deploy.yaml": ["/var/mdl/YOUR-MODEL-PATH"],
    PS + "src/gateway_inference_extension/configs/vllm/gpu-deployment.yaml": ["meta-llama/Llama-3.2-1B-Instruct"],
    PS + "operator/config/samples/production-stack_v1alpha1_vllmruntime.yaml": [L31],
    "zetxqx__llm-d/guides/optimized-baseline/modelserver/gpu/vllm/base/patch-vllm.yaml": ["Qwen/Qwen3-32B"],
    "zetxqx__llm-d/guides/optimized-baseline/modelserver/gpu/vllm/gpt-oss/patch-vllm.yaml": ["openai/gpt-oss-120b"],
    "ai-dynamo__dynamo/components/backends/vllm/deploy/disagg_kvbm_tp2.yaml": ["Qwen/Qwen3-8B", "Qwen/Qwen3-8B"],
    "GoogleCloudPlatform__ai-on-gke/benchmarks/inference-server/vllm/manifest-templates/vllm.tftpl": ["${model_id}"],
    # KServe
    KSERVE + "config/runtimes/kserve-vllmserver.yaml": ["/mnt/models"],
    KSERVE + "docs/samples/fluid/kserve-isvc.yaml": ["/mnt/models"],
    KSERVE + "docs/samples/llmisvc/agentic-tool-calling/llmisvc-single-gpu.yaml": ["Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8"],
    KSERVE + "docs/samples/llmisvc/dp-ep/deepseek-r1-gpu-rdma-roce/llm-inference-service-dp-ep-deepseek-r1-gpu-naive.yaml":
        ["deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct"],
    KSERVE + "docs/samples/llmisvc/e2e-gpt-oss/llmisvc_config_default.yaml": ["/mnt/models"],
    KSERVE + "docs/samples/llmisvc/single-node-gpu/llm-inference-service-pd-qwen2-7b-gpu.yaml": ["Qwen/Qwen2.5-7B-Instruct"] * 2,
    "robertgshaw2-neuralmagic__vllm-k8s/vllm-kserve-autoscale-pvc/vllm.yaml": ["/mnt/models/meta-llama/Meta-Llama-3-8B-Instruct"],
    # KubeAI
    KUBEAI + "examples/priority-examples/critical-service-model.yaml": ["neuralmagic/Meta-Llama-3.1-8B-Instruct-FP8"],
    KUBEAI + "manifests/models/deepseek-r1-distill-qwen-1.5b-rtx4070.yaml": ["deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"],
    KUBEAI + "manifests/models/deepseek-r1-mi300x.yaml": ["deepseek-ai/DeepSeek-R1"],
    KUBEAI + "manifests/models/gemma-2-9b-it-fp8-l4.yaml": ["neuralmagic/gemma-2-9b-it-FP8"],
    KUBEAI + "manifests/models/llama-3.1-405b-instruct-fp8-a100-80b.yaml": ["neuralmagic/Meta-Llama-3.1-405B-Instruct-FP8"],
    KUBEAI + "manifests/models/llama-3.1-70b-instruct-fp8-1-h100.yaml": ["neuralmagic/Meta-Llama-3.1-70B-Instruct-FP8"],
    KUBEAI + "manifests/models/llama-3.1-70b-instruct-fp8-l4.yaml": ["neuralmagic/Meta-Llama-3.1-70B-Instruct-FP8"],
    KUBEAI + "manifests/models/llama-3.1-8b-instruct-tpu.yaml": ["meta-llama/Meta-Llama-3.1-8B-Instruct"],
    KUBEAI + "manifests/models/llama-4-maverick-430k-h100.yaml": ["meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8"],
    KUBEAI + "manifests/models/mistral-small-3.1-24b-instruct-h100.yaml": ["mistralai/Mistral-Small-3.1-24B-Instruct-2503"],
    KUBEAI + "manifests/models/phi-4-bnb-4bit-l4.yaml": ["unsloth/phi-4-bnb-4bit"],
    KUBEAI + "manifests/models/qwen2.5-coder-1.5b-rtx4070-8gb.yaml": ["Qwen/Qwen2.5-Coder-1.5B-Instruct"],
    KUBEAI + "charts/kubeai/values.yaml": [],  # operator chart: profiles, no models
    KUBEAI + "charts/kubeai/values-eks.yaml": [],
    KUBEAI + "charts/models/values.yaml": [],  # every catalog entry is enabled: false
    # Ray
    "awslabs__ai-on-eks/blueprints/inference/vllm-ray-gpu-deepseek/ray-vllm-deepseek.yml": [None],  # custom app
    "awslabs__ai-on-eks/blueprints/inference/vllm-rayserve-gpu/ray-service-vllm.yaml": [None],  # custom app
    "ray-project__ray/doc/source/llm/doc_code/serve/llama3_8B/serve_my_llama_3_1_8B.yaml": [L31],
    "ray-project__ray/doc/source/llm/doc_code/serve/qwen/llm_config_example.yaml":
        ["Qwen/Qwen2.5-0.5B-Instruct", "Qwen/Qwen2.5-1.5B-Instruct"],
    # Helm values
    "Lintasarta__vllm-helm/values.yaml": ["Qwen/Qwen3-0.6B"],
    "benhurjoel__vllm-deployment-ocp-helm/charts/vllm-hf/values.yaml": ["TinyLlama/TinyLlama-1.1B-Chat-v1.0"],
    "benhurjoel__vllm-deployment-ocp-helm/examples/h200-gpu-node-affinity-values.yaml": [],  # affinity-only overlay
    "benhurjoel__vllm-deployment-ocp-helm/examples/qwen3-6-35b-a3b-values.yaml": ["Qwen/Qwen3.6-35B-A3B"],
    "civo-learn__civo-vllm-docker/examples/k8s/helm/values.yaml": [],  # model only in env for a custom image
    "open-source-ai-dev__vllm-helm-chart/charts/vllm/values.yaml": ["Llama-3.2-1B"],
    "open-source-ai-dev__vllm-helm-chart/charts/vllm/templates/deployment.yaml": [],  # a template: skipped
    "vllm-project__vllm/examples/online_serving/chart-helm/values.yaml": ["/data/"],
    "zetxqx__llm-d/docs/infrastructure/providers/digitalocean/gpu-configs/rtx-4000-ada-values.yaml": [None, None],
    PS + "helm/values.yaml": [],  # the example modelSpec is enabled: false
    PS + "deployment_on_cloud/oci/production_stack_specification.yaml": ["openai/gpt-oss-20b"],
    PS + "examples/disaggregated_prefill/pd.yaml": [L31, L31],
    PS + "tutorials/assets/gke-example/values-01-offload-kv-cache-local-disk.yaml": ["meta-llama/Llama-3.3-70B-Instruct"],
    PS + "tutorials/assets/values-01-2pods-minimal-example.yaml": ["facebook/opt-125m"],
    PS + "tutorials/assets/values-01-minimal-amd-example.yaml": ["facebook/opt-125m"],
    PS + "tutorials/assets/values-02-basic-config.yaml": [L31],
    PS + "tutorials/assets/values-04-multiple-models.yaml": [L31, "mistralai/Mistral-7B-Instruct-v0.2"],
    PS + "tutorials/assets/values-05-cpu-offloading.yaml": ["mistralai/Mistral-7B-Instruct-v0.2"],
    PS + "tutorials/assets/values-15-b-minimal-pipeline-parallel-example-multiple-modelspec.yaml":
        ["distilbert/distilgpt2", "facebook/opt-125m"],
    PS + "tutorials/assets/values-16-disagg-prefill.yaml": [L31, L31],
    PS + "tutorials/assets/values-25-v100-multi-gpu-tp2.yaml": ["Qwen/Qwen2.5-7B-Instruct"],
    PS + "tutorials/assets/values-25-v100-multi-gpu-tp4.yaml": ["Qwen/Qwen2.5-14B-Instruct"],
    PS + "tutorials/terraform/coreweave/config/llm-stack/helm/gpu/gpu-gpt-qwn-gem-glm-cw.tpl":
        ["/data/models/gpt-oss-120b", "/data/models/trinity-mini", "/data/models/gemma-3-27b-v", "/data/models/qwen3-next-80b"],
    PS + "tutorials/terraform/eks/modules/llm-stack/helm/gpu/gpu-tinyllama-light-ingress.tpl": ["/data/models/tinyllama"],
}

# Selected GPU facts (count, product) per launch index, from corpus NOTES section 3.
GPUS = {
    "kubernetes-sigs__lws/docs/examples/vllm/GPU/lws.yaml": {0: (16, None)},
    "aatchison__deploy-vllm-k8s/deploy-gemma4-31B-bf16-tp2.yaml": {0: (2, None)},
    AIBRIX + "samples/deepseek-r1/deepseek-r1-huggingface.yaml": {0: (16, None)},
    AIBRIX + "samples/heterogeneous/deepseek-coder-7b-v100-deployment.yaml": {0: (1, "Tesla-V100")},
    KUBEAI + "manifests/models/deepseek-r1-mi300x.yaml": {0: (8, "mi300x")},
    KSERVE + "docs/samples/llmisvc/dp-ep/deepseek-r1-gpu-rdma-roce/llm-inference-service-dp-ep-deepseek-r1-gpu-naive.yaml": {0: (16, None)},
    KSERVE + "docs/samples/fluid/kserve-isvc.yaml": {0: (1, "g5.8xlarge")},
    PS + "tutorials/assets/values-01-2pods-minimal-example.yaml": {0: (0, None)},  # requestGPU 0.5: int(0.5) is 0, the chart renders no GPU request
    PS + "tutorials/assets/values-15-b-minimal-pipeline-parallel-example-multiple-modelspec.yaml": {0: (2, None), 1: (1, None)},
    "Lintasarta__vllm-helm/values.yaml": {0: (1, "NVIDIA-L40S")},
    "robertgshaw2-neuralmagic__vllm-k8s/nm-cluster/vllm-simple-tp.yaml": {0: (2, "A100_40GB")},  # custom label
    "aatchison__deploy-vllm-k8s/deploy-dual.yaml": {0: (1, None), 1: (1, None)},
    "hanneshapke__DevFest2024-LLM-vllm-k8s/src/vllm-kubernetes/vllm-gemma2-2b.yaml": {0: (1, "nvidia-l4")},
    "ray-project__ray/doc/source/llm/doc_code/serve/llama3_8B/serve_my_llama_3_1_8B.yaml": {0: (None, "L4")},
    PS + "operator/config/samples/production-stack_v1alpha1_vllmruntime.yaml": {0: (1, None)},
    "ai-dynamo__dynamo/components/backends/vllm/deploy/disagg_kvbm_tp2.yaml": {0: (2, None), 1: (2, None)},
}

pytestmark = pytest.mark.shared


def model_of(launch: Launch) -> str | None:
    """The model argument vLLM receives: ``--model X``/``--model=X`` or the positional model."""
    args = launch.args
    for i, t in enumerate(args):
        if t.text.startswith("--model="):
            return t.text.split("=", 1)[1]
        if t.text == "--model" and i + 1 < len(args):
            return args[i + 1].text
    if launch.entrypoint in ("serve", "engine_kwargs") and args and not args[0].text.startswith("-"):
        return args[0].text
    return None


def load(rel: str) -> SourceFile | None:
    path = CORPUS / rel
    kind = classify_yaml(path.read_text(encoding="utf-8", errors="replace")[:4096], path)
    src = load_source(path, rel, kind or "kubernetes")
    return src if isinstance(src, SourceFile) else None


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_corpus_launches(rel: str) -> None:
    src = load(rel)
    assert src is not None
    res = extract(src, ExtractOptions())
    assert not [d for d in res.diagnostics if d.rule == "VL000"], res.diagnostics
    got = [model_of(l) for l in res.launches]
    assert got == EXPECTED[rel], [l.name for l in res.launches]
    for launch in res.launches:
        for tok in launch.program + launch.args:
            if tok.span is not None and tok.span.path == src.display:
                assert src.text[tok.span.start:tok.span.end] == tok.raw, (launch.name, tok)
        if launch.insertion is not None:
            assert 0 <= launch.insertion.offset <= len(src.text)
            assert isinstance(launch.insertion.render(["--max-model-len", "8192"]), str)
        if launch.gpu.count is None:
            assert launch.unknowns, launch.name  # an unknown GPU count says so
    for i, (count, product) in GPUS.get(rel, {}).items():
        g = res.launches[i].gpu
        assert (g.count, g.product) == (count, product)


def test_conflict_marker_file_is_vl003() -> None:
    rel = "llm-d__llm-d/guides/wide-ep-lws/manifests/modelserver/base/decode.yaml"
    path = CORPUS / rel
    got = load_source(path, rel, "kubernetes")
    assert not isinstance(got, SourceFile) and got.rule == "VL003"


def test_every_kubernetes_family_corpus_file_is_covered() -> None:
    """Each corpus YAML this family classifies has an expectation above (none silently skipped)."""
    missing = []
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or path.suffix not in (".yaml", ".yml", ".tpl", ".tftpl"):
            continue
        rel = str(path.relative_to(CORPUS))
        kind = classify_yaml(path.read_text(encoding="utf-8", errors="replace")[:4096], path)
        if kind in ("kubernetes", "helm-values", "kubeai", "kserve", "rayservice") and rel not in EXPECTED:
            missing.append(rel)
    allowed = {"llm-d__llm-d/guides/wide-ep-lws/manifests/modelserver/base/decode.yaml"}  # VL003, above
    assert sorted(set(missing) - allowed) == []


@pytest.mark.parametrize("rel", sorted(r for r, models in EXPECTED.items() if models))
def test_insertion_round_trip(rel: str) -> None:
    """Adding --max-model-len at each launch's insertion point yields a file whose launch has it."""
    src = load(rel)
    assert src is not None
    launches = extract(src, ExtractOptions()).launches
    for i, launch in enumerate(launches):
        ins = launch.insertion
        if ins is None or ins.path != src.display:
            continue
        new = src.text[:ins.offset] + ins.render(["--max-model-len", "4321"]) + src.text[ins.offset:]
        again = extract(SourceFile.from_text(new, display=src.display, kind=src.kind, path=src.path), ExtractOptions())
        assert not [d for d in again.diagnostics if d.rule in ("VL000", "VL001")], again.diagnostics
        match = [l for l in again.launches if l.name == launch.name]
        assert match, launch.name
        texts = [t.text for t in match[0].args]
        joined = " ".join(texts)
        assert "4321" in joined and ("--max-model-len" in joined or "--max_model_len" in joined), (launch.name, texts[-6:])
