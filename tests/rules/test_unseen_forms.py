"""Forms met on real deployment files nobody on the team had written (benchmarks/unseen-judgments.md).

Each case is a minimal file of our own reproducing the form behind one false finding or one model
that did not resolve, linted through the real pipeline.
"""

from __future__ import annotations

from pathlib import Path

from vllm_lint.diagnostic import Severity
from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.resolve.context import RunOptions


def _lint(tmp_path: Path, name: str, text: str, *, select: list[str] | None = None, **run) -> list:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    result = lint_paths([path], LintOptions(select=select, run=RunOptions(**run)))
    assert not [d for d in result.diagnostics if d.rule == "VL000"], result.diagnostics
    return result


# -- an image whose ENTRYPOINT is not known ------------------------------------------------------

RAY_COMPOSE = """services:
  ray-head:
    image: someone/ray-worker-vllm:v1.1
    command: >
      ray start --head
      --dashboard-host=0.0.0.0
      --block
"""


def test_a_command_starting_with_a_program_is_not_vllm_arguments(tmp_path):
    """A vLLM-named custom image whose compose `command:` runs `ray start` serves nothing."""
    result = _lint(tmp_path, "docker-compose.yml", RAY_COMPOSE)
    assert result.launches == [] and result.diagnostics == []


def test_docker_run_and_kubernetes_args_starting_with_a_program(tmp_path):
    run = "#!/bin/sh\ndocker run --gpus all someone/vllm-ray:1 python3 app.py --port 8000\n"
    assert _lint(tmp_path, "run.sh", run).launches == []
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: v\n"
           "      image: someone/vllm-custom:1\n      args: [ray, start, --head, --block]\n")
    assert _lint(tmp_path, "pod.yaml", pod).launches == []


def test_an_assumed_kubernetes_entrypoint_is_an_assumption(tmp_path):
    """A custom image given only flags is assumed to run `vllm serve`; a finding that holds only
    for that program (vllm serve's --model deprecation) says so."""
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: v\n"
           "      image: someone/vllm-custom:1\n      args: [--model, Qwen/Qwen2.5-0.5B-Instruct]\n")
    diags = _lint(tmp_path, "pod.yaml", pod, select=["VL211"], vllm_version="0.33.0").diagnostics
    assert all("ENTRYPOINT" in d.message or "ENTRYPOINT" in " ".join(d.assumptions) for d in diags)


# -- arguments forwarded with "$@" ---------------------------------------------------------------


def test_forwarded_arguments_are_not_the_positional_model(tmp_path):
    script = "#!/bin/bash\nexec python3 -u -m vllm.entrypoints.openai.api_server \"$@\"\n"
    assert _lint(tmp_path, "entrypoint.sh", script, select=["VL211"]).diagnostics == []


# -- credentials -------------------------------------------------------------------------------


def test_unset_is_a_placeholder_not_a_credential(tmp_path):
    values = ("servingEngineSpec:\n  modelSpec:\n    - name: m\n      repository: vllm/vllm-openai\n"
              "      tag: v0.10.2\n      modelURL: Qwen/Qwen2.5-0.5B-Instruct\n      requestGPU: 1\n"
              "      hf_token: \"UNSET\"\n")
    got = [(d.rule, d.severity) for d in _lint(tmp_path, "values.yaml", values, select=["VL501", "VL509"]).diagnostics]
    assert got == [("VL509", Severity.WARNING)]


# -- KServe ----------------------------------------------------------------------------------------

ISVC = """apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: granite
spec:
  predictor:
    model:
      args:
        - --served-model-name=granite
      modelFormat:
        name: vLLM
      runtime: {runtime}
      storageUri: oci://quay.io/example/modelcar:granite-3.3-2b-instruct
"""


def test_a_runtime_name_left_unrendered_adds_no_built_in_arguments(tmp_path):
    """`runtime:` rendered from a chart include is some runtime of the chart's own, not KServe's
    built-in one: its `--served-model-name` is not added next to the InferenceService's."""
    got = _lint(tmp_path, "isvc.yaml", ISVC.format(runtime="''"), select=["VL209"])
    assert got.diagnostics == []
    words = [t.text for t in got.launches[0].launch.args]
    assert words.count("--served-model-name=granite") == 1 and not any("=granite" not in w and "served" in w for w in words)


# -- SkyPilot ----------------------------------------------------------------------------------------

SKY = """resources:
  image_id: docker:vllm/vllm-openai:v0.11.0
  accelerators: H100:8
envs:
  MODEL_ID: Qwen/Qwen2.5-0.5B-Instruct
  VLLM_DTYPE: bfloat16
run: |
  DTYPE=${VLLM_DTYPE:-bfloat16}
  vllm serve "${MODEL_ID}" --dtype "${DTYPE}" --tensor-parallel-size 8 \\
    -O.cudagraph_mode=NONE -O.splitting_ops=[]
"""


def test_a_docker_image_id_names_the_release_the_task_runs(tmp_path):
    """`image_id: docker:vllm/vllm-openai:v0.11.0` runs the script in that image: vLLM 0.11.0,
    where `-O.a=` and `-O.b=` are two keys of one compilation config, not a duplicate."""
    got = _lint(tmp_path, "sky.yaml", SKY)
    (ctx,) = got.launches
    assert ctx.launch.image == "vllm/vllm-openai:v0.11.0" and ctx.version == "0.11.0"
    assert not [d for d in got.diagnostics if d.rule == "VL209"]


def test_a_variable_read_through_a_default_is_read_back(tmp_path):
    """`DTYPE=${VLLM_DTYPE:-bfloat16}` reads VLLM_DTYPE: it is the script's knob, not a dead vLLM one."""
    assert not [d for d in _lint(tmp_path, "sky.yaml", SKY).diagnostics if d.rule == "VL215"]


# -- models ----------------------------------------------------------------------------------------


def test_a_path_under_a_command_substitution_resolves_from_its_folders(tmp_path):
    """`MODEL_NAME="${MODEL_REPO##*/}"` strips the publisher; the checkpoint folder under
    `$(cd "$(dirname "$0")" && pwd)/models/` still names the model."""
    script = ('#!/bin/bash\nSCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"\n'
              'MODEL_REPO="${MODEL_REPO:-Qwen/Qwen3-8B}"\nMODEL_PATH="${SCRIPT_DIR}/models/${MODEL_REPO##*/}"\n'
              'vllm serve "${MODEL_PATH}" --max-model-len 8192\n')
    (ctx,) = _lint(tmp_path, "serve.sh", script).launches
    assert ctx.launch.args[0].text.endswith("/models/Qwen3-8B")
    assert ctx.model_resolution is not None and ctx.model is not None
    assert ctx.model_resolution.model_facts.id == "Qwen/Qwen3-8B"


# -- eval ------------------------------------------------------------------------------------------


def test_eval_of_a_command_string_is_the_launch(tmp_path):
    script = ('#!/bin/bash\nMODEL="Qwen/Qwen3-8B"\nCMD="vllm serve ${MODEL} --port 8000 \\\n'
              '    --max-model-len 8192"\neval "${CMD}"\n')
    (ctx,) = _lint(tmp_path, "start.sh", script).launches
    assert [t.text for t in ctx.launch.args] == ["Qwen/Qwen3-8B", "--port", "8000", "--max-model-len", "8192"]


def test_eval_of_a_string_extended_under_a_guard_is_not_read_as_unconditional(tmp_path):
    script = ('#!/bin/bash\nLEN=""\nCMD="vllm serve Qwen/Qwen3-8B"\nif [ -n "${LEN}" ]; then\n'
              '    CMD+=" --max-model-len ${LEN}"\nfi\neval "${CMD}"\n')
    result = _lint(tmp_path, "start.sh", script)
    assert not [d for d in result.diagnostics if d.severity is Severity.ERROR]


# -- GitHub composite actions -------------------------------------------------------------------

ACTION = """name: LLM in CI
inputs:
  model:
    description: Model name
    default: "Qwen/Qwen3-1.7B"
runs:
  using: composite
  steps:
    - name: Run vLLM server
      shell: bash
      run: vllm serve "${{ inputs.model }}" --max-model-len 4096 &> vllm.log &
"""


def test_a_composite_action_serves_its_input_default(tmp_path):
    (ctx,) = _lint(tmp_path, "action.yml", ACTION).launches
    assert ctx.launch.args[0].text == "Qwen/Qwen3-1.7B" and ctx.model is not None


# -- sourced settings --------------------------------------------------------------------------------


def test_a_sourced_sibling_script_sets_the_model(tmp_path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "common.sh").write_text(
        '#!/usr/bin/env bash\n: "${MODEL_DIR:=/mnt/shared/Qwen3-8B}"\n: "${TP:=2}"\nSTATE_FILE=/tmp/x\n', encoding="utf-8")
    script = ('#!/usr/bin/env bash\nROOT="$(cd "$(dirname "$0")/.." && pwd)"\nsource "$ROOT/scripts/common.sh"\n'
              'python -m vllm.entrypoints.openai.api_server --model "$MODEL_DIR" --tensor-parallel-size "$TP"\n')
    (ctx,) = _lint(tmp_path, "scripts/launch.sh", script).launches
    assert [t.text for t in ctx.launch.args] == ["--model", "/mnt/shared/Qwen3-8B", "--tensor-parallel-size", "2"]
    assert "STATE_FILE" not in ctx.launch.env


def test_the_storage_uri_names_the_model_kserve_mounts(tmp_path):
    """`storageUri: hf://Qwen/Qwen3-8B` is downloaded to /mnt/models: that is the model served;
    a modelcar image's tag names its model as a name does."""
    isvc = ISVC.replace("      runtime: {runtime}\n", "").replace(
        "oci://quay.io/example/modelcar:granite-3.3-2b-instruct", "{uri}")
    (ctx,) = _lint(tmp_path, "hf.yaml", isvc.format(uri="hf://Qwen/Qwen3-8B")).launches
    assert ctx.model_resolution.model_facts.id == "Qwen/Qwen3-8B" and ctx.model_resolution.model_facts.certain
    (ctx,) = _lint(tmp_path, "oci.yaml", isvc.format(uri="oci://quay.io/x/modelcar-catalog:qwen2.5-7b-instruct")).launches
    assert ctx.model_resolution.model_facts.id == "Qwen/Qwen2.5-7B-Instruct" and not ctx.model_resolution.model_facts.certain


def test_an_unknown_mounted_model_is_named_by_its_storage_uri(tmp_path):
    isvc = ISVC.replace("      runtime: {runtime}\n", "")
    got = _lint(tmp_path, "isvc.yaml", isvc, select=["VL407"])
    (d,) = got.diagnostics
    assert "granite-3.3-2b-instruct (mounted at /mnt/models)" in d.message


def test_a_chart_prints_braces_with_string_literals():
    """`{{ "{{" }} .Name {{ "}}" }}` escapes a KServe template in a Helm chart: it renders `{{ .Name }}`."""
    from vllm_lint.sources.helm.renderer import _ACTION

    text = '--served-model-name={{ "{{" }} .Name {{ "}}" }}'
    assert [m.group(2).strip() for m in _ACTION.finditer(text)] == ['"{{"', '"}}"']


def test_a_script_argument_appended_under_a_guard_is_unknown(tmp_path):
    """`OPTS+=" --cpu-offload-gb $2"` inside a guard: `$2` is whatever the caller passes, not the text $2."""
    script = ('#!/bin/bash\nOPTS=""\nif [ -n "$OFF" ]; then\n  OPTS+=" --cpu-offload-gb $2"\nfi\n'
              'vllm serve Qwen/Qwen3-8B $OPTS\n')
    got = _lint(tmp_path, "run.sh", script, select=["VL2"], vllm_version="0.10.2")
    assert got.diagnostics == []
