"""VL301-VL313 on fixtures of our own (tests/fixtures/rules), through the real pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vllm_lint.resolve.context import RunOptions
from vllm_lint.lint import LintOptions, lint_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"


def lint(tmp_path: Path, name: str, rule: str, *, gpu: str | None = None, as_name: str | None = None):
    target = tmp_path / (as_name or name)
    shutil.copy(FIXTURES / name, target)
    res = lint_paths([target], LintOptions(run=RunOptions(gpu=gpu), select=[rule]))
    assert not [d for d in res.diagnostics if d.rule == "VL000"], res.diagnostics
    return [d for d in res.diagnostics if d.rule == rule]


def test_vl301_env_narrows_visible_gpus(tmp_path):
    found = lint(tmp_path, "vl301_narrowed_by_env.yaml", "VL301")
    assert len(found) == 1
    d = found[0]
    assert d.severity.value == "error"
    assert "World size (4) is larger than the number of available GPUs (2)" in d.message
    assert "CUDA_VISIBLE_DEVICES=0,1" in d.message
    assert d.line == 15  # the "4" after --tensor-parallel-size? no: the flag token
    

def test_vl301_dp_counts_and_fits(tmp_path):
    assert lint(tmp_path, "vl301_dp_fits.yaml", "VL301") == []


def test_vl301_symbolic_tp_is_silent(tmp_path):
    assert lint(tmp_path, "vl301_symbolic_tp.yaml", "VL301") == []


def test_vl301_compose_device_ids(tmp_path):
    found = lint(tmp_path, "vl301_compose_device_ids.yml", "VL301", as_name="docker-compose.yml")
    assert len(found) == 1 and "available GPUs (1)" in found[0].message


def test_vl301_gpu_option_count(tmp_path):
    """With no request in the file, the --gpu count is the host: more needed is an error, fewer is fine."""
    (tmp_path / "a.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: v\n"
        "      image: vllm/vllm-openai:v0.11.2\n      args: [--model, Qwen/Qwen2.5-7B-Instruct, -tp, '4']\n"
    )
    res = lint_paths([tmp_path / "a.yaml"], LintOptions(run=RunOptions(gpu="L4:2"), select=["VL301"]))
    assert [d.rule for d in res.diagnostics] == ["VL301"]
    res = lint_paths([tmp_path / "a.yaml"], LintOptions(run=RunOptions(gpu="L4:8"), select=["VL301"]))
    assert res.diagnostics == []  # a host with 8 GPUs running TP=4 is not this launch's waste


def test_vl302_fractional(tmp_path):
    found = lint(tmp_path, "vl302_fractional.yaml", "VL302")
    assert len(found) == 1 and found[0].line == 12 and "0.25" in found[0].message


def test_vl303_mig_and_no_double_report(tmp_path):
    found = lint(tmp_path, "vl303_mig_tp.yaml", "VL303")
    assert len(found) == 1 and "one MIG instance per process" in found[0].message
    assert lint(tmp_path, "vl303_mig_tp.yaml", "VL301") == []  # VL303 owns this case


def test_vl304_literal_all(tmp_path):
    found = lint(tmp_path, "vl304_env_all.yaml", "VL304")
    assert len(found) == 1 and found[0].line == 14 and "is `all`" in found[0].message


@pytest.mark.parametrize(
    "rule,launch,needle",
    [
        ("VL305", "Deployment/heads", "Total number of attention heads (32) must be divisible by tensor parallel size (3)."),
        ("VL306", "Deployment/layers", "pipeline_parallel_size 25 is larger than the 24 hidden layers"),
        ("VL307", "Deployment/experts", "= 256) is larger than the 128 experts"),
    ],
)
def test_model_shape_rules(tmp_path, rule, launch, needle):
    found = lint(tmp_path, "vl305_vl306_vl307.yaml", rule)
    assert len(found) == 1, [d.message for d in found]
    assert found[0].launch.startswith(launch)
    assert needle in found[0].message


def test_vl308_compose_ipc(tmp_path):
    found = lint(tmp_path, "vl308_compose_no_ipc.yml", "VL308", as_name="docker-compose.yml")
    assert len(found) == 1 and found[0].line == 4  # the shm_size service is fine


def test_vl309_explicit_error_and_auto_warning(tmp_path):
    found = lint(tmp_path, "vl309_t4_node.yaml", "VL309")
    sev = sorted((d.severity.value, d.line) for d in found)
    assert sev == [("error", 13), ("warning", 21)] or [s for s, _ in sev] == ["error", "warning"], sev
    err = [d for d in found if d.severity.value == "error"][0]
    assert "Your Tesla T4 GPU has compute capability 7.5" in err.message


def test_vl310_fp8_kv_on_v100(tmp_path):
    found = lint(tmp_path, "vl310_v100_fp8.yaml", "VL310")
    assert len(found) == 1 and "compute capability 7.0" in found[0].message


def test_vl310_silent_without_gpu(tmp_path):
    (tmp_path / "a.yaml").write_text((FIXTURES / "vl310_v100_fp8.yaml").read_text().replace(
        "      nodeSelector:\n        nvidia.com/gpu.product: Tesla-V100-SXM2-16GB\n", ""))
    res = lint_paths([tmp_path / "a.yaml"], LintOptions(select=["VL310"]))
    assert res.diagnostics == []


def test_vl311_lws_without_wiring(tmp_path):
    found = lint(tmp_path, "vl311_lws_no_ray.yaml", "VL311")
    assert len(found) == 1 and "across 2 pods" in found[0].message


def test_vl311_lws_with_ray_start_is_fine(tmp_path):
    text = (FIXTURES / "vl311_lws_no_ray.yaml").read_text().replace(
        'args: ["--model"', 'command: ["sh", "-c", "ray start --head; vllm serve meta-llama/Llama-3.1-70B-Instruct --tensor-parallel-size 8 --pipeline-parallel-size 2"]\n            x-args: ["--model"')
    (tmp_path / "lws.yaml").write_text(text)
    res = lint_paths([tmp_path / "lws.yaml"], LintOptions(select=["VL311"]))
    assert res.diagnostics == []


def test_vl312_env_backend(tmp_path):
    found = lint(tmp_path, "vl312_t4_flashinfer.yaml", "VL312")
    assert len(found) == 1 and found[0].line == 16


def test_vl313_awq_on_v100_label(tmp_path):
    found = lint(tmp_path, "vl313_v100_awq.yaml", "VL313")
    assert len(found) == 1 and "Minimum capability: 75. Current capability: 70." in found[0].message


def test_vl308_docker_run(tmp_path):
    found = lint(tmp_path, "vl308_docker_run.sh", "VL308", as_name="serve.sh")
    assert [d.line for d in found] == [5]  # the second container has --ipc=host
    assert "--ipc=host" in found[0].message


def test_vl308_shell_without_container_is_silent(tmp_path):
    (tmp_path / "run.sh").write_text("#!/bin/sh\nvllm serve Qwen/Qwen2.5-7B-Instruct --tensor-parallel-size 2\n")
    assert lint_paths([tmp_path / "run.sh"], LintOptions(select=["VL308"])).diagnostics == []


def test_vl301_host_env_is_not_a_reservation(tmp_path):
    """On a bare host CUDA_VISIBLE_DEVICES=0,1 with TP=1 leaves GPU 1 free for others: no idle warning,
    but TP=4 on two visible GPUs still cannot start."""
    (tmp_path / "a.sh").write_text("#!/bin/sh\nCUDA_VISIBLE_DEVICES=0,1 vllm serve Qwen/Qwen2.5-7B-Instruct\n")
    assert lint_paths([tmp_path / "a.sh"], LintOptions(select=["VL301"])).diagnostics == []
    (tmp_path / "a.sh").write_text("#!/bin/sh\nCUDA_VISIBLE_DEVICES=0,1 vllm serve Qwen/Qwen2.5-7B-Instruct -tp 4\n")
    found = lint_paths([tmp_path / "a.sh"], LintOptions(select=["VL301"])).diagnostics
    assert len(found) == 1 and "available GPUs (2)" in found[0].message


def test_vl308_kustomize_patch_is_silent(tmp_path):
    (tmp_path / "patch.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: decode}\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: modelserver\n          args: [Qwen/Qwen3-32B, --tensor-parallel-size=2]\n"
        "          resources:\n            limits:\n              nvidia.com/gpu: 2\n")
    res = lint_paths([tmp_path / "patch.yaml"], LintOptions(select=["VL308"]))
    assert [c.launch.facts.get("kustomize_patch") for c in res.launches] == [True]
    assert res.diagnostics == []


def test_vl309_auto_is_an_error_before_the_fallback(tmp_path):
    """vLLM 0.6: `--dtype auto` keeps a bfloat16 checkpoint's dtype and the T4 worker refuses it."""
    text = (FIXTURES / "vl309_t4_node.yaml").read_text().replace("v0.11.2", "v0.6.3")
    (tmp_path / "t4.yaml").write_text(text)
    found = lint_paths([tmp_path / "t4.yaml"], LintOptions(select=["VL309"])).diagnostics
    assert sorted(d.severity.value for d in found) == ["error", "error"]
    assert any("--dtype auto keeps it on vLLM 0.6.3" in d.message for d in found)


def test_vl309_gemma_auto_goes_to_float32(tmp_path):
    (tmp_path / "r.sh").write_text("#!/bin/sh\nvllm serve google/gemma-2-9b-it\n")
    found = lint_paths([tmp_path / "r.sh"], LintOptions(run=RunOptions(gpu="T4"), select=["VL309"])).diagnostics
    assert len(found) == 1 and found[0].severity.value == "warning" and "float32" in found[0].message


def test_lws_worker_pod_is_not_judged_alone(tmp_path):
    """The worker template of an LWS group joins the leader's engine; its GPUs count in the leader's total."""
    found = lint(tmp_path, "vl311_lws_no_ray.yaml", "VL301")
    assert found == []


# -- property: the VL3xx-VL5xx checks never raise, whatever the launch says ------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from vllm_lint.config import FileConfig  # noqa: E402
from vllm_lint.launch import EnvValue, GpuRequest, Launch, Token  # noqa: E402
from vllm_lint.rules.checks import checks  # noqa: E402
from vllm_lint.rules.context import RuleContext  # noqa: E402
from vllm_lint.sources.base import SourceFile  # noqa: E402
from vllm_lint.span import LineIndex  # noqa: E402

_FLAGS = ["--tensor-parallel-size", "-tp", "--pipeline-parallel-size", "--data-parallel-size",
          "--data-parallel-size-local", "--enable-expert-parallel", "--enable-eplb", "--nnodes",
          "--distributed-executor-backend", "--dtype", "--kv-cache-dtype", "--quantization", "--max-model-len",
          "--max-num-batched-tokens", "--no-enable-chunked-prefill", "--trust-remote-code", "--api-key",
          "--port", "--attention-backend", "--disable-sliding-window"]
_VALUES = st.one_of(st.integers(-3, 300).map(str), st.sampled_from(
    ["0", "1", "2", "8", "1.5", "auto", "bfloat16", "fp8", "awq", "gptq", "ray", "mp", "$TP", "${X:-2}",
     "FLASH_ATTN", "32k", "-1", "", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567"]))
_MODELS = st.sampled_from(["Qwen/Qwen2.5-7B-Instruct", "Qwen/Qwen3-30B-A3B", "Llama-3.2-1B", "acme/x",
                           "meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen3-8B-FP8", "$MODEL", "/models/x"])


@st.composite
def _launch(draw):
    words = [draw(_MODELS)]
    for _ in range(draw(st.integers(0, 8))):
        words.append(draw(st.sampled_from(_FLAGS)))
        if draw(st.booleans()):
            words.append(draw(_VALUES))
    text = "vllm serve " + " ".join(words) + "\n"
    index = LineIndex("f.sh", text)
    tokens, pos = [], len("vllm serve ")
    for w in words:
        tokens.append(Token(text=w, span=index.span(pos, pos + len(w)), raw=w, symbolic="$" in w))
        pos += len(w) + 1
    gpu = GpuRequest(
        count=draw(st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0]))),
        mig_profile=draw(st.sampled_from([None, "3g.40gb"])),
        mechanism=draw(st.sampled_from([None, "resources:nvidia.com/gpu", "host", "LeaderWorkerSet: x",
                                        "Ray cluster: head"])),
        product=draw(st.sampled_from([None, "T4", "V100", "L4", "H100", "MI300X", "24GiB"])),
    )
    env = {k: EnvValue(v, index.span(0, 4)) for k, v in draw(st.dictionaries(
        st.sampled_from(["CUDA_VISIBLE_DEVICES", "VLLM_PORT", "HF_TOKEN", "VLLM_ATTENTION_BACKEND",
                         "VLLM_ALLOW_LONG_MAX_MODEL_LEN"]),
        st.sampled_from(["all", "0,1", "", "8000", "1", "FLASHINFER", "x"]), max_size=3)).items()}
    facts = draw(st.fixed_dictionaries({}, optional={
        "ports": st.lists(st.sampled_from(["8000", "8080:8000", "${P}", "x"]), max_size=2),
        "ipc_host": st.booleans(), "dev_shm_volume": st.booleans(), "nodes": st.integers(0, 4),
        "group_size": st.integers(0, 4), "gpus_per_node": st.integers(0, 8),
        "literal_dollar_env": st.just([("X", index.span(0, 4))]), "lws_role": st.sampled_from(["leader", "worker"]),
    }))
    launch = Launch(path="f.sh", name="l", source=draw(st.sampled_from(["shell", "compose", "kubernetes", "helm"])),
                    span=index.span(0, 4), args=tokens, env=env, gpu=gpu, facts=facts,
                    image=draw(st.sampled_from([None, "vllm/vllm-openai", "vllm/vllm-openai:latest", "x:1"])),
                    image_span=index.span(0, 4))
    src = SourceFile.from_text(text, display="f.sh")
    return RuleContext(launch, src, FileConfig())


@pytest.mark.slow
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ctx=_launch())
def test_checks_never_raise(ctx):
    for rule_id, check in checks().items():
        if not rule_id.startswith(("VL3", "VL4", "VL5")):
            continue
        subject = {"project": [ctx], "file": ctx.src}.get(check.scope, ctx)
        found = list(check.func(subject))
        for d in found:
            assert d.rule == rule_id and d.message
