"""End-to-end property tests: random and mutated files of every format, written to a temp file
and linted by the real pipeline, never raise, never produce VL000, and every span lies inside
its file (a token's span slices to its raw text). Also the argv parser on random argv.

The per-parser properties live with their modules (tests/sources, tests/vllm); this is the layer
above them. ``pytest -m slow`` runs 10,000 pipeline examples and 10,000 argv examples.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile_support import assert_clean_run, lint

# ----------------------------------------------------------------------------- seeds per format

MODEL = "meta-llama/Llama-3.1-8B-Instruct"

SEEDS: dict[str, tuple[str, list[str]]] = {
    "compose": ("docker-compose.yml", [
        f"""services:
  vllm:
    image: vllm/vllm-openai:v0.8.5
    command: ["--model", "{MODEL}", "--max-model-len", "32768", "--tensor-parallel-size", "2"]
    environment:
      - HF_TOKEN=${{HF_TOKEN}}
    ipc: host
    deploy:
      resources:
        reservations:
          devices: [{{driver: nvidia, count: 2, capabilities: [gpu]}}]
""",
        f"""x-common: &common
  image: vllm/vllm-openai:${{TAG:-v0.6.3}}
  shm_size: 16g
services:
  a:
    <<: *common
    command: >
      --model {MODEL}
      --max-model-len ${{LEN:-8192}}
      --gpu-memory-utilization 0.95
  b:
    <<: *common
    entrypoint: ["python3", "-m", "vllm.entrypoints.openai.api_server"]
    command:
      - --model={MODEL}
      - '--enable-prefix-caching'
      - "--max-num-seqs=256"
    runtime: nvidia
""",
    ]),
    "k8s": ("deployment.yaml", [
        f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
spec:
  replicas: 2
  template:
    spec:
      nodeSelector:
        nvidia.com/gpu.product: NVIDIA-A10G
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.8.5
          command: ["/bin/sh", "-c"]
          args:
            - |
              vllm serve {MODEL} \\
                --max-model-len 32768 --port 8000
          env:
            - name: VLLM_PORT
              value: "8000"
          resources:
            limits:
              nvidia.com/gpu: "1"
          volumeMounts:
            - {{name: shm, mountPath: /dev/shm}}
      volumes:
        - name: shm
          emptyDir: {{medium: Memory}}
---
apiVersion: v1
kind: Service
metadata: {{name: vllm}}
""",
        f"""apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata:
  name: vllm
spec:
  leaderWorkerTemplate:
    size: 2
    leaderTemplate:
      spec:
        containers:
          - name: vllm-leader
            image: vllm/vllm-openai:latest
            command:
              - sh
              - -c
              - "ray start --head; python3 -m vllm.entrypoints.openai.api_server --model {MODEL} --tensor-parallel-size 8 --pipeline_parallel_size 2"
            resources:
              limits: {{nvidia.com/gpu: "8"}}
""",
    ]),
    "helm": ("values.yaml", [
        f"""servingEngineSpec:
  runtimeClassName: ""
  modelSpec:
    - name: llama
      repository: vllm/vllm-openai
      tag: v0.8.5
      modelURL: {MODEL}
      replicaCount: 1
      requestCPU: 6
      requestMemory: 16Gi
      requestGPU: 1
      vllmConfig:
        enablePrefixCaching: true
        maxModelLen: 32768
        extraArgs: ["--disable-log-requests", "--gpu-memory-utilization", "0.8"]
""",
        f"""image:
  repository: vllm/vllm-openai
  tag: v0.6.3
model: {MODEL}
extraArgs:
  - --max-model-len=16384
resources:
  limits:
    nvidia.com/gpu: 1
nodeSelector:
  cloud.google.com/gke-accelerator: nvidia-l4
""",
    ]),
    "shell": ("serve.sh", [
        f"""#!/usr/bin/env bash
set -euo pipefail
MODEL=${{MODEL:-{MODEL}}}
ARGS=(--max-model-len 32768 --tensor-parallel-size "$TP")
vllm serve "$MODEL" \\
  "${{ARGS[@]}}" \\
  --gpu-memory-utilization 0.9 --port 8000 # comment
""",
        f"""#!/bin/sh
docker run --gpus all --ipc=host -p 8000:8000 vllm/vllm-openai:v0.8.5 \\
    --model {MODEL} --max-model-len 8192
python -m vllm.entrypoints.openai.api_server --model '{MODEL}' --dtype=half <<EOF
unused
EOF
""",
    ]),
    "dockerfile": ("Dockerfile", [
        f"""FROM vllm/vllm-openai:v0.8.5
ARG MODEL={MODEL}
ENV MAX_LEN=8192 \\
    HF_HOME=/models
ENTRYPOINT ["python3", "-m", "vllm.entrypoints.openai.api_server"]
CMD ["--model", "{MODEL}", "--max-model-len", "8192"]
""",
        f"""FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04 AS base
RUN pip install vllm==0.6.3
CMD vllm serve {MODEL} --max-model-len 4096 \\
    --enforce-eager
""",
    ]),
    "dotenv": (".env", [
        f"""MODEL={MODEL}
MAX_MODEL_LEN=32768
export TP=2
QUOTED="a b ${{MODEL}}"
SINGLE='$NOT_EXPANDED'
# comment
""",
    ]),
    "vllm-config": ("vllm-config.yaml", [
        f"""model: {MODEL}
max_model_len: 32768
tensor_parallel_size: 2
gpu_memory_utilization: 0.9
enable_prefix_caching: true
""",
    ]),
    "skypilot": ("serve.sky.yaml", [
        f"""resources:
  accelerators: A100:8
envs:
  MODEL_NAME: {MODEL}
run: |
  vllm serve $MODEL_NAME --tensor-parallel-size $SKYPILOT_NUM_GPUS_PER_NODE --max-model-len 8192
""",
    ]),
}

# Service units, Makefiles, other shells, Python and CI files, seeded from their fixtures (a path keeps the folder that decides the
# kind, as .github/workflows/ does).
_FORMATS = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "formats"
for _fmt, _name in {"systemd": "vllm.service", "systemd-docker": "docker-vllm.service", "quadlet": "vllm.container",
                    "makefile": "Makefile", "procfile": "Procfile", "powershell": "run.ps1", "batch": "run.bat",
                    "python": "serve.py", "notebook": "serve.ipynb", "embedded-yaml": "scenario.yaml",
                    "embedded-json": "harness.json", "embedded-toml": "cerebrium.toml", "ansible": "playbook.yml",
                    "argo": "argo-workflow.yaml", "gitlab-ci": ".gitlab-ci.yml",
                    "github-actions": ".github/workflows/serve.yml", "nomad": "vllm.nomad.hcl"}.items():
    SEEDS[_fmt] = (_name, [(_FORMATS / _name).read_text(encoding="utf-8")])
# Conditions in Python, PowerShell, batch and make; CI and serverless platforms; launcher forms.
_SOURCES = _FORMATS.parent
for _fmt, _rel in {"python-conditions": "conditions/launcher.py", "powershell-blocks": "conditions/run.ps1",
                   "batch-blocks": "conditions/run.bat", "makefile-if": "conditions/make/Makefile",
                   "github-docker-step": "platforms/.github/workflows/smoke.yml", "truss": "platforms/truss/config.yaml",
                   "cerebrium": "platforms/cerebrium/cerebrium.toml", "jinja-shell": "platforms/serve.sh.j2",
                   "python-forms": "python_forms/start_server.py", "ipython": "python_forms/ipython.ipynb"}.items():
    _name = _rel.split("/", 1)[1] if _rel.startswith("platforms/.github") else _rel.rsplit("/", 1)[-1]
    SEEDS[_fmt] = (_name, [(_SOURCES / _rel).read_text(encoding="utf-8")])

# Characters that matter to at least one of the formats' syntaxes.
SYNTAX = list("\"'\\$`{}[]()<>:;,-=#!&|*?~%@^\n\r\t ") + ["\r\n", "${", "$(", "{{", "}}", "<<", "---", "  ", "- ", "\ufeff", "\x85", "\u2028", "é", "\U0001f600"]

FLAGS = ["--max-model-len", "--tensor-parallel-size", "-tp", "--gpu-memory-utilization", "--model", "--config",
         "--max_num_seqs", "--kv-cache-dtype", "-O3", "--enable-prefix-caching", "--no-enable-prefix-caching",
         "--limit-mm-per-prompt.image", "--quantization", "--trust-remote-code", "--dtype", "--served-model-name"]
VALUES = ["8192", "32k", "1K", "0.95", "2", "auto", "fp8", "-1", "1e9", "${X}", "$(X)", "{{ .Values.x }}", "",
          "true", "none", "{\"a\": 1}", "ñ", "9" * 30]


@st.composite
def mutated(draw, fmt: str) -> str:
    """A seed of ``fmt`` with a few random edits: deletions, insertions of syntax characters or
    flags, duplicated/swapped lines, and line-ending changes."""
    text = draw(st.sampled_from(SEEDS[fmt][1]))
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.integers(0, 7))
        n = len(text)
        i = draw(st.integers(0, n))
        if op == 0 and n:
            j = draw(st.integers(i, min(n, i + 12)))
            text = text[:i] + text[j:]
        elif op == 1:
            ins = "".join(draw(st.lists(st.sampled_from(SYNTAX), min_size=1, max_size=4)))
            text = text[:i] + ins + text[i:]
        elif op == 2:
            word = draw(st.sampled_from(FLAGS)) + draw(st.sampled_from([" ", "=", "\n  - ", ", "])) + draw(st.sampled_from(VALUES))
            text = text[:i] + word + text[i:]
        elif op == 3:
            lines = text.splitlines(keepends=True)
            if lines:
                k = draw(st.integers(0, len(lines) - 1))
                lines.insert(k, lines[k])
                text = "".join(lines)
        elif op == 4:
            lines = text.splitlines(keepends=True)
            if len(lines) > 1:
                a = draw(st.integers(0, len(lines) - 1))
                b = draw(st.integers(0, len(lines) - 1))
                lines[a], lines[b] = lines[b], lines[a]
                text = "".join(lines)
        elif op == 5:
            text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n\n"])))
        elif op == 6:
            text = text[:i] + draw(st.text(max_size=8)) + text[i:]
        else:
            text = text[:i]
    return text


def random_text() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(SYNTAX + FLAGS + VALUES + ["vllm", "serve", "services:", "command:", "args:",
                                                              "image: vllm/vllm-openai:v0.8.5", "CMD", "FROM x", "RUN"]),
                    max_size=40).map("".join)


def file_for(fmt: str) -> st.SearchStrategy[str]:
    return st.one_of(mutated(fmt), random_text())


def _lint_text(fmt: str, text: str) -> None:
    name = SEEDS[fmt][0]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", errors="surrogatepass", newline="")
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            data = text.encode("utf-8", "replace")
        path.write_bytes(data)
        result = lint(path, budget=60)
        assert_clean_run(result)
        for ctx in result.launches:  # every launch can be rendered by the json reporter too
            assert ctx.launch.span.end <= len(ctx.src.text)


COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# A quick pass over every format in the default run (a different draw on every run outside CI);
# the slow test below is the thorough one.
@pytest.mark.parametrize("fmt", sorted(SEEDS))
@settings(max_examples=10, **COMMON)
@given(data=st.data())
def test_pipeline_never_crashes(fmt, data):
    _lint_text(fmt, data.draw(file_for(fmt)))


@pytest.mark.slow
@settings(max_examples=10_000, **COMMON)
@given(fmt=st.sampled_from(sorted(SEEDS)), data=st.data())
def test_pipeline_never_crashes_10k(fmt, data):
    _lint_text(fmt, data.draw(file_for(fmt)))


# ----------------------------------------------------------------------------- argv parser

def _versions() -> list[str]:
    from vllm_lint.vllm.flags import sampled_versions

    return list(sampled_versions())


def _option_pool() -> list[str]:
    from vllm_lint.vllm.flags import flag_table

    pool: set[str] = set()
    for v in _versions():
        pool.update(flag_table(v).option_strings())
    return sorted(pool)


OPTIONS = _option_pool()


def argv_tokens() -> st.SearchStrategy[list[str]]:
    word = st.one_of(
        st.sampled_from(OPTIONS),
        st.sampled_from(OPTIONS).map(lambda o: o[: max(3, len(o) // 2)]),  # abbreviations
        st.sampled_from(OPTIONS).map(lambda o: o.replace("-", "_").replace("__", "--", 1)),
        st.tuples(st.sampled_from(OPTIONS), st.sampled_from(VALUES)).map(lambda t: f"{t[0]}={t[1]}"),
        st.sampled_from(VALUES + [MODEL, "serve", "vllm", "-", "--", "-O", "-O3", "--config", "--help", "-h"]),
        st.text(max_size=12),
    )
    return st.lists(word, max_size=16)


def _check_parse(tokens: list[str], version: str, entrypoint: str) -> None:
    from vllm_lint.vllm.args import parse_args

    parsed = parse_args(tokens, version=version, entrypoint=entrypoint)
    n = len(tokens)
    for uses in [list(parsed.uses.values()), *parsed.occurrences.values()]:
        for u in uses:
            if u.from_config:
                continue
            assert 0 <= u.flag_index < n, (u, tokens)
            assert u.value_index is None or 0 <= u.value_index < n, (u, tokens)
    for p in parsed.problems:
        assert 0 <= p.token_index <= max(n - 1, 0), (p, tokens)
        for idx, _text in p.replacement or ():
            assert 0 <= idx <= n, (p, tokens)
        assert p.message, p
    if parsed.model_index is not None:
        assert 0 <= parsed.model_index < n


@settings(max_examples=300, **COMMON)
@given(tokens=argv_tokens(), version=st.sampled_from(_versions()),
       entrypoint=st.sampled_from(["serve", "api_server", "legacy_api_server"]))
def test_parse_args_never_raises(tokens, version, entrypoint):
    _check_parse(tokens, version, entrypoint)


@pytest.mark.slow
@settings(max_examples=10_000, **COMMON)
@given(tokens=argv_tokens(), version=st.sampled_from(_versions()),
       entrypoint=st.sampled_from(["serve", "api_server", "legacy_api_server"]))
def test_parse_args_never_raises_10k(tokens, version, entrypoint):
    _check_parse(tokens, version, entrypoint)


@pytest.mark.parametrize("fmt", sorted(set(SEEDS) - {"dotenv"}))
def test_every_seed_yields_a_launch(fmt):
    """The mutations start from files the pipeline understands (else the properties above would
    only ever exercise the "nothing found" path)."""
    name, seeds = SEEDS[fmt]
    for text in seeds:
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            result = lint(path)
            assert_clean_run(result)
            assert result.launches, f"{fmt} seed gave no launch"
