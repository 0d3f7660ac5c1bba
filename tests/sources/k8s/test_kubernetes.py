"""Kubernetes manifests: argv per kubelet rules, spans, GPUs, facts, kustomize patches."""

from __future__ import annotations

from pathlib import Path

import pytest

from vllm_lint.launch import Launch
from vllm_lint.sources.k8s import manifests
from vllm_lint.sources.base import ExtractOptions, SourceFile
from vllm_lint.sources.readfile import load_source

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "k8s"


def run(name: str, text: str | None = None) -> tuple[SourceFile, list[Launch], list]:
    if text is None:
        path = FIX / name
        src = load_source(path, str(path), "kubernetes")
    else:
        src = SourceFile.from_text(text, display=name, kind="kubernetes")
    assert isinstance(src, SourceFile)
    res = manifests.extract(src, ExtractOptions())
    return src, res.launches, res.diagnostics


def check_spans(src: SourceFile, launch: Launch) -> None:
    """Every token span slices the file to the token's raw text; plain words equal their text."""
    for tok in launch.program + launch.args:
        if tok.span is None:
            assert tok.style == "synthetic", tok
            continue
        text = src.text if tok.span.path == src.display else Path(tok.span.path).read_text()
        assert 0 <= tok.span.start <= tok.span.end <= len(text)
        assert text[tok.span.start:tok.span.end] == tok.raw, tok
        line, col = src.index.position(tok.span.start) if tok.span.path == src.display else (tok.span.line, tok.span.column)
        assert (line, col) == (tok.span.line, tok.span.column)


def words(launch: Launch) -> list[str]:
    return [t.text for t in launch.args]


def test_multidoc_deployment_argv_env_and_expansion():
    src, launches, diags = run("deployment_args.yaml")
    assert not diags
    assert len(launches) == 1  # the sidecar and the Service are not launches
    (l,) = launches
    assert l.name == "Deployment/llama (container vllm)"
    assert l.entrypoint == "api_server"
    assert [t.text for t in l.program] == ["python3", "-m", "vllm.entrypoints.openai.api_server"]
    # $(MODEL_ID) expanded from env (form 9); underscores and prefixes kept as written (3, 4)
    assert words(l)[:4] == ["--model=meta-llama/Llama-3.1-8B-Instruct", "--max_model_len=4096", "--max-num-seq", "64"]
    assert l.args[0].raw == "--model=$(MODEL_ID)" and not l.args[0].symbolic
    # commented-out args are not tokens (form 34); JSON value stays one word (16)
    assert "--enforce-eager" not in words(l)
    assert words(l)[5] == '{"kv_connector":"NixlConnector","kv_role":"kv_both"}'
    # valueFrom -> symbolic
    assert l.args[-1].symbolic and l.env["SERVED"].symbolic
    assert any("SERVED" in u for u in l.unknowns)
    check_spans(src, l)
    assert l.gpu.count == 1 and l.gpu.product == "nvidia-l4"
    assert src.text[l.gpu.count_span.start:l.gpu.count_span.end] == "1"
    assert l.replicas == 3
    assert l.image == "vllm/vllm-openai:v0.8.5" and l.vllm_version == "0.8.5"
    assert src.text[l.image_span.start:l.image_span.end] == "vllm/vllm-openai:v0.8.5"
    assert l.facts["dev_shm_volume"] is True and l.facts["shm_size"] == "2Gi"
    assert l.facts["ports"] == ["8000"]
    # Kubernetes does not expand $VAR / ${VAR} in env values (form 9b)
    names = [n for n, _ in l.facts["literal_dollar_env"]]
    assert names == ["HF_TOKEN", "LD_LIBRARY_PATH"]
    _, span = l.facts["literal_dollar_env"][0]
    assert src.text[span.start:span.end] == "$HF_TOKEN"
    assert "VL101" in l.facts["ignore_checks"]


def test_block_list_insertion_keeps_style():
    src, (l,), _ = run("deployment_args.yaml")
    ins = l.insertion
    new = src.text[:ins.offset] + ins.render(["--max-model-len", "8192"]) + src.text[ins.offset:]
    assert '            - --served-model-name=$(SERVED)\n            - --max-model-len\n            - "8192"\n' in new
    reparsed = manifests.extract(SourceFile.from_text(new, display="x.yaml", kind="kubernetes")).launches[0]
    assert words(reparsed)[-2:] == ["--max-model-len", "8192"]


def test_flow_lists_mig_affinity_and_other_kinds():
    src, launches, _ = run("flow_mig.yaml")
    by_kind = {l.name.split("/")[0]: l for l in launches}
    assert set(by_kind) == {"StatefulSet", "Pod", "CronJob"}
    st = by_kind["StatefulSet"]
    assert [t.text for t in st.program] == ["vllm", "serve"]
    assert words(st) == ["google/gemma-2-9b-it", "--tensor-parallel-size", "2", "--max-model-len", "8192"]
    assert st.gpu.count == 2 and st.gpu.mig_profile == "3g.40gb"
    assert st.gpu.product == "NVIDIA-H100-80GB-HBM3"
    check_spans(src, st)
    ins = st.insertion
    new = src.text[:ins.offset] + ins.render(["--max-model-len", "1024"]) + src.text[ins.offset:]
    assert "8192, --max-model-len, \"1024\"]" in new or '8192, "--max-model-len", "1024"]' in new
    pod = by_kind["Pod"]  # args only: the image ENTRYPOINT (0.9.2 -> api_server module) is synthetic
    assert pod.entrypoint == "api_server" and all(t.style == "synthetic" and t.span is None for t in pod.program)
    assert pod.gpu.count == 1 and "vendor: amd" in pod.gpu.notes
    cron = by_kind["CronJob"]
    assert cron.gpu.count is None and any("GPU" in u for u in cron.unknowns)


def test_shell_block_scalar_spans_and_arithmetic():
    src, (l,), _ = run("shell_block.yaml")
    assert l.facts["shell"] == "/bin/bash"
    assert words(l)[0] == "deepseek-ai/DeepSeek-R1-0528"
    dp = words(l).index("--data-parallel-size")
    assert l.args[dp + 1].symbolic  # $(( )) arithmetic is never evaluated (form 10)
    assert words(l)[words(l).index("--data-parallel-size-local") + 1] == "8"  # $DP_SIZE_LOCAL from env
    assert "--kv_transfer_config" in words(l)
    check_spans(src, l)
    assert l.facts["group_size"] == 2 and l.gpu.count == 8
    ins = l.insertion
    new = src.text[:ins.offset] + ins.render(["--max-model-len", "4096"]) + src.text[ins.offset:]
    again = manifests.extract(SourceFile.from_text(new, display="x.yaml", kind="kubernetes")).launches[0]
    assert words(again)[-2:] == ["--max-model-len", "4096"]


def test_lws_sh_string_total_gpus():
    src, launches, _ = run("lws_string.yaml")
    assert len(launches) == 1  # the worker only joins the Ray cluster
    (l,) = launches
    assert l.entrypoint == "api_server"
    assert words(l) == ["--port", "8080", "--model", "meta-llama/Llama-3.1-405B-Instruct",
                        "--tensor-parallel-size", "8", "--pipeline_parallel_size", "2"]
    check_spans(src, l)
    assert l.gpu.count == 16 and l.facts["group_size"] == 2 and l.replicas == 2


def test_kuberay_head_string_cluster_gpus():
    src, (l,), _ = run("raycluster_string.yaml")
    assert "headGroupSpec" in l.name
    assert words(l)[:3] == ["deepseek-ai/DeepSeek-R1", "--tensor-parallel-size", "16"]
    assert l.gpu.count == 16 and l.facts["nodes"] == 2
    check_spans(src, l)


def test_go_template_placeholders_symbolic():
    src, (l,), _ = run("templated.yaml")
    assert l.args[0].symbolic and l.args[2].symbolic
    assert l.gpu.count is None
    assert sum("template placeholder" in u for u in l.unknowns) == 2


def test_kustomize_patch_merged_with_base():
    path = FIX / "kustomize" / "overlay" / "patch.yaml"
    src = load_source(path, str(path), "kubernetes")
    (l,) = manifests.extract(src).launches
    assert words(l) == ["Qwen/Qwen3-32B", "--tensor-parallel-size=2"]  # args replaced whole
    assert [t.text for t in l.program] == ["vllm", "serve"]  # base command kept
    assert l.program[0].span.path.endswith("base/deployment.yaml")
    assert l.image == "vllm/vllm-openai:v0.10.2"
    assert l.image_span.path.endswith("base/deployment.yaml")
    assert l.gpu.count == 2  # patch resources win
    assert l.replicas == 4
    assert l.facts["dev_shm_volume"] is True and "VLLM_LOGGING_LEVEL" in l.env
    check_spans(src, l)


def test_kustomize_patch_alone():
    src, (l,), _ = run("lone_patch.yaml")
    assert l.image is None and l.facts["kustomize_patch"] is True
    assert any("kustomize patch" in u for u in l.unknowns)


def test_invalid_yaml_is_vl001_and_no_crash():
    _, launches, diags = run("bad.yaml", "apiVersion: v1\nkind: Pod\nspec: [\n")
    assert launches == [] and [d.rule for d in diags] == ["VL001"]


def test_terraform_directive_lines_blanked():
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: t}\nspec:\n  template:\n    spec:\n"
            "      containers:\n      - name: v\n        image: vllm/vllm-openai:v0.5.5\n"
            "        args: [\"--model\", \"${model_id}\"]\n        env:\n%{ for s in secrets ~}\n        - name: A\n"
            "          value: b\n%{ endfor ~}\n")
    src, (l,), diags = run("x.tftpl", text)
    assert not diags and l.args[1].symbolic and l.args[1].text == "${model_id}"
    check_spans(src, l)


def test_non_vllm_containers_ignored():
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
            "  - {name: a, image: nginx, args: [\"--port\", \"80\"]}\n"
            "  - {name: b, image: vllm/vllm-openai:v0.9.2, command: [sh, -c, \"echo vllm serve x\"]}\n")
    _, launches, _ = run("p.yaml", text)
    assert launches == []


@pytest.mark.parametrize("head,expected", [
    ("apiVersion: kubeai.org/v1\nkind: Model\n", "kubeai"),
    ("apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\n", "kserve"),
    ("apiVersion: ray.io/v1\nkind: RayService\n", "rayservice"),
    ("apiVersion: apps/v1\nkind: Deployment\n", "kubernetes"),
    ("servingEngineSpec:\n  modelSpec: []\n", "helm-values"),
    ("applications:\n- name: x\n  import_path: ray.serve.llm:build_openai_app\n", "rayservice"),
    ("services:\n  a: {}\n", None),
])
def test_classify_yaml(head, expected):
    assert manifests.classify_yaml(head, "deploy/thing.yaml") == expected


def test_classify_special_names():
    assert manifests.classify_yaml("resources: [a.yaml]\n", "k/kustomization.yaml") == "kustomization"
    assert manifests.classify_yaml("replicaCount: 1\n", "chart/values-prod.yaml") == "helm-values"


def test_crlf_manifest_spans_and_insertion():
    text = (FIX / "deployment_args.yaml").read_text().replace("\n", "\r\n")
    src, (l,), _ = run("crlf.yaml", text)
    check_spans(src, l)
    assert words(l)[0] == "--model=meta-llama/Llama-3.1-8B-Instruct"
    ins = l.insertion
    out = ins.render(["--max-model-len", "8192"])
    assert out.startswith("\r\n") and "\n" not in out.replace("\r\n", "")


def test_escape_envfrom_and_list_kind():
    text = ("apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: DaemonSet\n  metadata: {name: d}\n"
            "  spec:\n    template:\n      spec:\n        containers:\n        - name: v\n"
            "          image: vllm/vllm-openai:v0.9.2\n          command: [vllm, serve]\n"
            "          args: [\"m/x\", \"--served-model-name=$$(NAME)\"]\n          envFrom:\n          - configMapRef: {name: c}\n")
    src, (l,), _ = run("list.yaml", text)
    assert l.name == "DaemonSet/d (container v)"
    assert words(l) == ["m/x", "--served-model-name=$(NAME)"]  # $$ escapes to a literal $
    assert any("envFrom" in n for n in l.facts["env_notes"])
    check_spans(src, l)


def test_unknown_crd_with_containers_and_injected_vars():
    text = ("apiVersion: example.com/v1\nkind: Inference\nmetadata: {name: x}\nspec:\n  roles:\n  - name: decode\n"
            "    replicas: 3\n    template:\n      spec:\n        containers:\n        - name: e\n"
            "          image: vllm/vllm-openai:v0.10.2\n          command: [vllm, serve, q/m]\n"
            "          args: [\"--data-parallel-size=$(LWS_GROUP_SIZE)\"]\n"
            "          resources: {limits: {nvidia.com/gpu: 2}}\n")
    src, (l,), _ = run("crd.yaml", text)
    assert l.name == "Inference/x roles[decode] (container e)" and l.replicas == 3
    assert l.args[-1].symbolic and any("LWS_GROUP_SIZE" in u for u in l.unknowns)
    assert l.gpu.count == 2


def test_dynamo_wrapper_options_split_off():
    text = ("apiVersion: nvidia.com/v1alpha1\nkind: DynamoGraphDeployment\nmetadata: {name: g}\nspec:\n  services:\n"
            "    Frontend:\n      extraPodSpec: {mainContainer: {image: x}}\n"
            "    Prefill:\n      replicas: 2\n      resources: {limits: {gpu: \"2\"}}\n      extraPodSpec:\n"
            "        mainContainer:\n          image: nvcr.io/nvidia/ai-dynamo/vllm-runtime:0.4.0\n"
            "          command: [python3, -m, dynamo.vllm]\n"
            "          args: [--model, Qwen/Qwen3-8B, --is-prefill-worker, --connector, kvbm, nixl, --tensor-parallel-size, \"2\"]\n")
    src, (l,), _ = run("dyn.yaml", text)
    assert l.name == "DynamoGraphDeployment/g services.Prefill" and l.entrypoint == "api_server"
    assert words(l) == ["--model", "Qwen/Qwen3-8B", "--tensor-parallel-size", "2"]
    assert l.facts["wrapper_args"] == ["--is-prefill-worker", "--connector", "kvbm", "nixl"]
    assert l.gpu.count == 2 and l.replicas == 2
    check_spans(src, l)
