"""The real bugs of ../shared/corpus/NOTES.md §4 (and corpus.tsv notes) that belong to VL3xx-VL5xx.

Each row lints one corpus file through the real pipeline with only that rule selected and
expects the finding at the given line. Rows not reported are listed at the end with the reason.
"""

from __future__ import annotations

import pytest

from vllm_lint.lint import LintOptions, lint_paths

pytestmark = pytest.mark.shared

# (file under corpus/, rule, line, text the message must contain)
BUGS = [
    # aibrix vineyard: TP 4 on nvidia.com/gpu "1" with the Ray backend -> placement group never satisfied
    ("vllm-project__aibrix/samples/kvcache/vineyard/deployment-tp.yaml", "VL301", 41,
     "tensor_parallel_size 4 needs 4 GPUs, but the launch can use 1"),
    # tacos8me: .env gives CUDA_VISIBLE_DEVICES=0,1 (2 GPUs) while TP stays 1
    ("tacos8me__vllm-docker-unfucked/docker-compose.yml", "VL301", 41, "1 GPU sits idle"),
    # production-stack tutorial: requestGPU 0.5 renders nvidia.com/gpu "0.5"
    ("vllm-project__production-stack/tutorials/assets/values-01-2pods-minimal-example.yaml", "VL302", 13,
     "GPU request 0.5"),
    # aatchison: TP=2 across nvidia.com/mig-4g.96gb: "2"
    ("aatchison__deploy-vllm-k8s/deploy-gemma4-31B-bf16-tp2.yaml", "VL303", 34, "one MIG instance per process"),
    # tacos8me: CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-all}
    ("tacos8me__vllm-docker-unfucked/docker-compose.yml", "VL304", 40, "CUDA_VISIBLE_DEVICES defaults to `all`"),
    # production-stack CoreWeave: TP=2 only through extraArgs, so the chart mounts no /dev/shm
    ("vllm-project__production-stack/tutorials/terraform/coreweave/config/llm-stack/helm/gpu/gpu-gpt-qwn-gem-glm-cw.tpl",
     "VL308", 48, "no memory-backed emptyDir at /dev/shm"),
    # kserve agentic tool calling: Qwen3-Coder-30B-A3B-FP8 with the 262144 default context
    ("kserve__kserve/docs/samples/llmisvc/agentic-tool-calling/llmisvc-single-gpu.yaml", "VL402", 12,
     "full context of 262144 tokens"),
    # open-source-ai-dev: `vllm serve Llama-3.2-1B`, model.organization never used
    ("open-source-ai-dev__vllm-helm-chart/charts/vllm/values.yaml", "VL406", 5, "'meta-llama/Llama-3.2-1B'"),
    # open-source-ai-dev: containerPort 8080 while vLLM listens on 8000 (reported in the rendered
    # template, at its container: templates/deployment.yaml line 25)
    ("open-source-ai-dev__vllm-helm-chart/charts/vllm/values.yaml", "VL504", 25,
     "vLLM listens on 8000 (vLLM's default port), but the container declares port 8080"),
    # ai-on-gke: VLLM_PORT is vLLM's internal port variable, not the HTTP port
    ("GoogleCloudPlatform__ai-on-gke/benchmarks/inference-server/vllm/manifest-templates/vllm.tftpl", "VL504", 60,
     "VLLM_PORT=80 does not choose the HTTP port"),
    # lws: env value $HF_TOKEN is passed literally
    ("kubernetes-sigs__lws/docs/examples/vllm/GPU/lws.yaml", "VL505", 20, "does not expand $HF_TOKEN"),
]

# Bugs of §4 in these rules' area that are not reported, and why.
NOT_REPORTED = {
    "vllm-project__production-stack/helm/values.yaml": "tensorParallelSize 2 with requestGPU 1 sits in a modelSpec "
    "with enabled: false; the chart renders no Deployment for it, so no vLLM starts (not a launch)",
    "civo-learn__civo-vllm-docker/entrypoint.sh": "TP is $(nvidia-smi -L | wc -l), known only at run time",
    # corpus.tsv: the hard-coded HF token and sample sk- key of the originals are redacted in the copies
    # (NOTES.md "Redactions"); a redaction marker is not a secret (tests/rules/test_secret_values.py)
    "bq1024__Llama-3.2-1B/Dockerfile": "HUGGING_FACE_HUB_TOKEN=hf_REDACTED: redacted in the copy",
    "vllm-project__aibrix/samples/heterogeneous/deepseek-coder-7b-v100-deployment.yaml": "--api-key sk-REDACTED: "
    "redacted in the copy",
    "substratusai__kubeai/examples/priority-examples/critical-service-model.yaml": "the 131072-token default "
    "context does not fit the L4: VL101 reports it with the numbers, and VL402 defers to VL101",
}


def test_kubeai_default_context_is_vl101s(shared_dir):
    path = shared_dir / "corpus" / "substratusai__kubeai/examples/priority-examples/critical-service-model.yaml"
    res = lint_paths([path], LintOptions(select=["VL101", "VL402"]))
    assert [d.rule for d in res.diagnostics] == ["VL101"]


@pytest.mark.parametrize("rel,rule,line,needle", BUGS, ids=[f"{r}-{p.split('/')[0]}-{ln}" for p, r, ln, _ in BUGS])
def test_corpus_bug_is_reported(shared_dir, rel, rule, line, needle):
    path = shared_dir / "corpus" / rel
    res = lint_paths([path], LintOptions(select=[rule]))
    assert not [d for d in res.diagnostics if d.rule == "VL000"], [d.message for d in res.diagnostics]
    found = [d for d in res.diagnostics if d.rule == rule]
    assert any(d.line == line and needle in d.message for d in found), [(d.line, d.message) for d in found]


def test_not_reported_files_exist(shared_dir):
    for rel in NOT_REPORTED:
        assert (shared_dir / "corpus" / rel).is_file(), rel
