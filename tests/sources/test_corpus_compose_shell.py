"""The shared corpus's compose, shell, Dockerfile, env, SkyPilot and vLLM config files: no crash, expected launches and models, exact spans.

Expectations were set by reading each file (corpus.tsv's model column is one such reading):
``None`` as a model means the file does not say statically (an env var, a computed flag).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from vllm_lint.discover import classify_file, discover
from vllm_lint.sources.dispatch import REGISTRY
from vllm_lint.sources.readfile import load_source
from vllm_lint.sources.base import ExtractOptions, SourceFile

pytestmark = pytest.mark.shared

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
MINE = ("compose", "shell", "dockerfile", "env", "vllm-config", "skypilot")

# path -> (kind, [model of each launch])
EXPECTED: dict[str, tuple[str, list[str | None]]] = {
    "vllm-project__production-stack/examples/disaggregated_prefill/start_prefill.sh": ("shell", ["meta-llama/Llama-3.1-8B-Instruct"]),
    "vllm-project__aibrix/deployment/standalone/docker-compose.yml": ("compose", ["Qwen/Qwen2.5-1.5B-Instruct"] * 3),
    "vllm-project__aibrix/build/container/Dockerfile.vllm": ("dockerfile", []),  # image build: no args yet
    "vllm-project__vllm/examples/online_serving/sagemaker-entrypoint.sh": ("shell", [None]),  # flags built from SM_VLLM_*
    "tacos8me__vllm-docker-unfucked/docker-compose.yml": ("compose", ["/workspace/models/oai/oai/mxfp4"]),  # from .env
    "tacos8me__vllm-docker-unfucked/.env": ("env", []),
    "tacos8me__vllm-docker-unfucked/Dockerfile": ("dockerfile", ["/workspace/models"]),
    "ddarthp__gemma4-vllm-docker/docker-compose.yml": ("compose", ["unsloth/gemma-4-12B-it-qat-w4a16"] * 2),  # mounted entrypoint.sh
    "ddarthp__gemma4-vllm-docker/.env.example": ("env", []),
    "ddarthp__gemma4-vllm-docker/entrypoint.sh": ("shell", ["unsloth/gemma-4-12B-it-qat-w4a16"]),
    "ddarthp__gemma4-vllm-docker/Dockerfile": ("dockerfile", ["unsloth/gemma-4-12B-it-qat-w4a16"]),  # COPY-ed entrypoint.sh
    "civo-learn__civo-vllm-docker/entrypoint.sh": ("shell", ["$MODEL"]),
    "pranavnbapat__vllm-deployment/env/vllm.env.example": ("env", []),
    "pranavnbapat__vllm-deployment/scripts/generate_supervisor_config.sh": ("shell", ["Qwen/Qwen3.5-9B"]),  # generated run_vllm.sh heredoc
    "BigBIueWhale__devstral_vllm_config/run_vllm.sh": ("shell", [None]),  # model inside --config (mounted config.yaml)
    "BigBIueWhale__devstral_vllm_config/config.yaml": ("vllm-config", ["cyankiwi/Devstral-Small-2-24B-Instruct-2512-AWQ-4bit"]),
    "jongsunahn__run_vllm_with_two_dgx_sparks/docker-compose.yaml": ("compose", []),  # Ray cluster only
    "jongsunahn__run_vllm_with_two_dgx_sparks/run_vllm.sh": ("shell", []),
    "Liquid4All__on-prem-stack/docker-compose.yaml": ("compose", ["/model"]),
    "jasperan__opensource-ai-inference-scripts/run_vllm.sh": ("shell", ["cyankiwi/GLM-4.7-Flash-AWQ-4bit"]),
    "call518__vllm-workspace/run_vllm.sh": ("shell", ["Qwen/Qwen3-0.6B"]),
    "chronicblondiee__docker-rocm-notes/docker-compose-vllm.yml": ("compose", ["/models/llama-2-7b-hf"]),
    "chronicblondiee__docker-rocm-notes/.env.example": ("env", []),
    "seungrokj__ai_sprint_paris/scripts/0_container.sh": ("shell", []),  # interactive container, no server args
    "seungrokj__ai_sprint_paris/scripts/1_bench.sh": ("shell", ["amd/Mixtral-8x7B-Instruct-v0.1-FP8-KV"]),
    "bq1024__Llama-3.2-1B/Dockerfile": ("dockerfile", ["Qwen/Qwen2.5-0.5B"]),
    "skypilot-org__skypilot/llm/vllm/service.yaml": ("skypilot", ["meta-llama/Llama-2-7b-chat-hf"]),
    "skypilot-org__skypilot/llm/vllm/vllm-multinode.sky.yaml": ("skypilot", ["meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8"]),
    "Tandemn-Labs__tandemn-tuna/tuna/templates/shared/vllm_serve_cmd.txt": ("shell", ["{model}"]),  # named explicitly
    # files without notes in the corpus (NOTES.md section 6), read by hand
    "Adam-D-Lewis__skyllm/sky.yaml": ("skypilot", ["Qwen/Qwen2.5-0.5B-Instruct"]),  # envs.LLM_MODEL
    "BjornWest__instance_scripts/vllm_scripts/120b.sh": ("shell", ["openai/gpt-oss-120b"]),
    "Cloud-Linuxer__gpt-oss/vllm/Dockerfile": ("dockerfile", ["openai/gpt-oss-20b"]),
    # CMD ["sh", "-c", ...] after the image's `vllm serve` ENTRYPOINT: vLLM is asked to serve "sh"
    "Cloud-Linuxer__qwen-8b/Dockerfile.vllm": ("dockerfile", ["sh"]),
    "DoanNgocCuong__MiniProd_NLP2_IntentClassification_MappingFastResponse_ver2_T8_2025_StepUpEducation/vllm.sh":
        ("shell", ["Qwen/Qwen2.5-1.5B-Instruct"]),
    "Mikeriess__Synth_data/run_vllm.sh": ("shell", ["meta-llama/Llama-3.1-405B-Instruct-FP8"]),
    "Vijay2win__llm-serve/start-vllm.sh": ("shell", ["RedHatAI/Qwen3.5-122B-A10B-NVFP4"]),
    "WinpraDev__production-stack-vllm/.env.coolify": ("env", []),
    "WinpraDev__production-stack-vllm/docker-compose.yml": ("compose", ["facebook/opt-125m"]),  # ${MODEL_NAME:-...}
    "alan-turing-institute__t0-1/scripts/spark/serve_gpt-oss_with_tools.sh": ("shell", ["openai/gpt-oss-20b"]),
    "brianlechthaler__opencode-3090ti/docker-compose.vllm.yml": ("compose", ["Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8"]),
    "dagnaputra__nlp/scripts/serve_7b_model.sh": ("shell", ["Qwen/Qwen2.5-7B-Instruct"]),
    "danielpenchev98__vllm-k8s/deploy/components/vllm/vllm-config.yaml": ("vllm-config", ["/models/qwen3-4b"]),
    "ian-hailey__vllm-docker-Qwen3-5-122B-A10B-NVFP4/docker-compose.yaml": ("compose", ["Sehyo/Qwen3.5-122B-A10B-NVFP4"]),
    "infinityreader__RARE/scripts/deploy_llama31_70b.sh": ("shell", ["/home/htran/llama/Meta-Llama-3.1-70B-Instruct"]),
    "jhlu2019__GustoBot/scripts/vllm_start_Skywork-R1V3.sh": ("shell", ["/data/models/Skywork-R1V3-38B"]),
    # positional models in `command:`: the v0.25.0 image's ENTRYPOINT is `vllm serve`
    "joshsanz__vllm-serve-multi/vllm/docker-compose.yml": ("compose", ["google/gemma-4-31B-it-qat-w4a16-ct",
                                                                       "deepreinforce-ai/Ornith-1.0-35B-FP8"]),
    "shelldandy__homelab/vllm/docker-compose.yml": ("compose", ["microsoft/DialoGPT-medium"]),
    "skypilot-org__skypilot/llm/yi/yi15-34b.yaml": ("skypilot", ["01-ai/Yi-1.5-34B-Chat"]),
    "windrichie__vllm-docker/start.sh": ("shell", ["/data01/models/Qwen2.5-VL-7B-Instruct"]),
}


def model_of(launch) -> str | None:
    args = [t.text for t in launch.args]
    if launch.facts.repeated_subcommand:
        args = args[2:]
    if launch.entrypoint == "serve" and args and not args[0].startswith("-"):
        return args[0]
    for i, a in enumerate(args):
        if a == "--model" and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--model="):
            return a.split("=", 1)[1]
    return None


def _extract(path: Path, kind: str):
    src = load_source(path, str(path.relative_to(CORPUS)), kind)
    assert isinstance(src, SourceFile), src
    module, _, fn = str(REGISTRY[kind] if isinstance(REGISTRY[kind], str) else
                        f"{REGISTRY[kind].__module__}:{REGISTRY[kind].__name__}").partition(":")
    extract = getattr(importlib.import_module(module), fn)  # called directly: a crash fails the test
    return src, extract(src, ExtractOptions())


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_corpus_file(rel: str) -> None:
    path = CORPUS / rel
    kind, models = EXPECTED[rel]
    assert (classify_file(path, explicit=True) or "shell") == kind
    src, res = _extract(path, kind)
    assert res.diagnostics == []
    assert [model_of(x) for x in res.launches] == models
    for launch in res.launches:
        for t in launch.program + launch.args:
            if t.span is not None:
                assert t.span.slice(src.text) == t.raw
                assert t.span.path == src.display


def test_every_discovered_file_of_my_formats_is_covered() -> None:
    found = {str(p.relative_to(CORPUS)): k for p, k in discover([CORPUS]) if k in MINE}
    missing = sorted(set(found) - set(EXPECTED))
    assert not missing, missing
    for rel, kind in found.items():
        assert EXPECTED[rel][0] == kind, rel
