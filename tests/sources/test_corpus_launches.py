"""Every file of the shared corpus either yields its vLLM launches or is listed here with the
reason it starts none. A file that starts vLLM and yields nothing (a format not read, a launch
missed) fails; so does a listed file that starts yielding launches (the list must stay true).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vllm_lint.diagnostic import Diagnostic
from vllm_lint.discover import discover
from vllm_lint.sources.base import ExtractOptions
from vllm_lint.sources.dispatch import extract
from vllm_lint.sources.readfile import load_source

pytestmark = pytest.mark.shared

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

_ENV = "environment file for the compose file beside it (its values are read there)"
_TEMPLATE = "a Helm chart template: the launch is read from the chart's values"

# path -> why the file starts no vLLM engine
NO_LAUNCH: dict[str, str] = {
    "NOTES.md": "corpus notes (Markdown is read only with --include-docs, and these are notes, not docs)",
    "corpus.tsv": "corpus index",
    "GoogleCloudPlatform__ai-on-gke/benchmarks/inference-server/vllm/sample-terraform.tfvars":
        "Terraform variables for vllm.tftpl (model_id, gpu_count): no command",
    "Tandemn-Labs__tandemn-tuna/tuna/templates/shared/vllm_serve_cmd.txt":
        "a .txt fragment a generator includes: read when named (test_corpus_compose_shell), not from a folder",
    "UjwalNagrikar__Production-Grade-vLLM-Deployment-on-Kubernetes/helm/vllm/templates/deployment.yaml": _TEMPLATE,
    "open-source-ai-dev__vllm-helm-chart/charts/vllm/templates/deployment.yaml": _TEMPLATE,
    "WinpraDev__production-stack-vllm/.env.coolify": _ENV,
    "chronicblondiee__docker-rocm-notes/.env.example": _ENV,
    "ddarthp__gemma4-vllm-docker/.env.example": _ENV,
    "pranavnbapat__vllm-deployment/env/vllm.env.example": "environment for the generated supervisor scripts",
    "tacos8me__vllm-docker-unfucked/.env": _ENV,
    "benhurjoel__vllm-deployment-ocp-helm/examples/h200-gpu-node-affinity-values.yaml":
        "a values overlay (node affinity, probes) for a chart whose values.yaml is not in the corpus",
    "civo-learn__civo-vllm-docker/examples/k8s/helm/values.yaml":
        "runs the repository's own image; its Dockerfile and entrypoint.sh hold the launch",
    "civo-learn__civo-vllm-docker/examples/k8s/manifest/llama3.yaml":
        "runs the repository's own image; its Dockerfile and entrypoint.sh hold the launch",
    "jongsunahn__run_vllm_with_two_dgx_sparks/docker-compose.yaml": "starts a Ray cluster only (vllm serve is run by hand)",
    "jongsunahn__run_vllm_with_two_dgx_sparks/run_vllm.sh": "starts Ray head and worker containers through run_cluster.sh",
    "seungrokj__ai_sprint_paris/scripts/0_container.sh": "starts an interactive ROCm container (no server arguments)",
    "substratusai__kubeai/charts/kubeai/values-eks.yaml": "KubeAI operator settings; models are separate Model resources",
    "substratusai__kubeai/charts/kubeai/values.yaml": "KubeAI operator settings; models are separate Model resources",
    "substratusai__kubeai/charts/models/values.yaml": "a catalog of KubeAI models, all disabled by default",
    "vllm-project__aibrix/build/container/Dockerfile.vllm": "builds an image (no CMD arguments for vLLM)",
    "vllm-project__production-stack/helm/values.yaml": "chart defaults: servingEngineSpec.modelSpec is empty",
    "llm-d__llm-d/guides/wide-ep-lws/manifests/modelserver/base/decode.yaml":
        "holds an unresolved git merge conflict (VL003)",
}

# Service units, Makefiles, scripts in other shells, Python and CI files among the corpus files without
# notes (NOTES.md section 6): (source, [(model, first argv word's line)])
NEW_FORMATS: dict[str, tuple[str, list[tuple[str, int]]]] = {
    "JuanECifuentes__sooniverse_infra/vllm.service": ("systemd", [("cyankiwi/Qwen3.5-4B-AWQ-4bit", 13)]),
    "mgossman71__vllm-install/vllm.service": ("systemd", [("bernhardbrieger/Qwen3.8-27B-GPTQ-Int4", 16)]),
    "tmartin2113__Vibe-Stack/vllm.service": ("systemd", [("Qwen/Qwen3.5-9B", 23)]),
    "stephen-osullivan__vllm-docker/Makefile": ("makefile", [("TheBloke/Mistral-7B-Instruct-v0.2-AWQ", 3)]),
    "tomasruizt__llm_app/Makefile": ("makefile", [("Qwen/Qwen2.5-VL-3B-Instruct", 6),
                                                  ("openai/whisper-large-v3-turbo", 21)]),
    "yandy__dockerapps/vllm/run.ps1": ("powershell", [("deepseek-ai/DeepSeek-V3", 1)]),
    "Tandemn-Labs__tandemn-tuna/tuna/templates/baseten/config.yaml.tpl": ("embedded", [("/models/{model_cache_folder}", 21)]),
    "Tandemn-Labs__tandemn-tuna/tuna/templates/cerebrium/cerebrium.toml.tpl": ("embedded", [("{model}", 31)]),
}


def _model(launch) -> tuple[str | None, int | None]:
    args = launch.args
    for i, t in enumerate(args):
        if t.text == "--model" and i + 1 < len(args):
            return args[i + 1].text, args[i + 1].span.line if args[i + 1].span else None
    if args and not args[0].text.startswith("-"):
        return args[0].text, args[0].span.line if args[0].span else None
    return None, None


@pytest.fixture(scope="module")
def corpus() -> dict[str, tuple[str, object]]:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    out: dict[str, tuple[str, object]] = {}
    for path, kind in discover([CORPUS]):
        rel = str(path.relative_to(CORPUS))
        src = load_source(path, rel, kind)
        out[rel] = (kind, src if isinstance(src, Diagnostic) else (src, extract(src, ExtractOptions())))
    return out


def test_every_corpus_file_yields_launches_or_says_why(corpus) -> None:
    silent = []
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file():
            continue
        rel = str(path.relative_to(CORPUS))
        got = corpus.get(rel)
        n = 0 if got is None or isinstance(got[1], Diagnostic) else len(got[1][1].launches)
        if n == 0 and rel not in NO_LAUNCH:
            silent.append(rel)
        if n and rel in NO_LAUNCH:
            silent.append(f"{rel} now yields {n} launches: remove it from NO_LAUNCH")
    assert silent == []


@pytest.mark.parametrize("rel", sorted(NEW_FORMATS))
def test_new_format_corpus_files(corpus, rel: str) -> None:
    source, expected = NEW_FORMATS[rel]
    kind, got = corpus[rel]
    src, res = got
    assert res.diagnostics == []
    assert [(_model(x)) for x in res.launches] == expected
    for launch in res.launches:
        assert launch.source == source
        for t in launch.program + launch.args:
            if t.span is not None:
                assert t.span.slice(src.text) == t.raw
