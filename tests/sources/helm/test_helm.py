"""Helm values: production-stack rendering, the vLLM example chart, heuristics, overlays."""

from __future__ import annotations

from pathlib import Path

from vllm_lint.launch import Launch
from vllm_lint.sources.helm import charts
from vllm_lint.sources.base import ExtractOptions, SourceFile
from vllm_lint.sources.readfile import load_source

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "helm"


def run(rel: str, opts: ExtractOptions | None = None) -> tuple[SourceFile, list[Launch]]:
    path = FIX / rel
    src = load_source(path, str(path), "helm-values")
    assert isinstance(src, SourceFile)
    res = charts.extract(src, opts or ExtractOptions())
    assert not res.diagnostics
    return src, res.launches


def check_spans(launch: Launch) -> None:
    for tok in launch.program + launch.args:
        if tok.span is None:
            assert tok.style == "synthetic"
            continue
        text = Path(tok.span.path).read_text()
        assert text[tok.span.start:tok.span.end] == tok.raw, tok


def words(launch: Launch) -> list[str]:
    return [t.text for t in launch.args]


def test_production_stack_renders_like_the_chart():
    src, launches = run("prodstack/values.yaml")
    names = [l.name for l in launches]
    assert names == ["servingEngineSpec.modelSpec[0] (llama3)", "servingEngineSpec.modelSpec[2] (mig)",
                     "servingEngineSpec.modelSpec[3] (ray)"]  # enabled: false is skipped
    l = launches[0]
    assert [t.text for t in l.program] == ["vllm", "serve"]
    assert words(l) == ["meta-llama/Llama-3.1-8B-Instruct", "--host", "0.0.0.0", "--port", "8000",
                        "--no-enable-chunked-prefill", "--no-enable-prefix-caching", "--max-model-len", "16384",
                        "--gpu_memory_utilization", "0.9", "--max_loras", "4", "--max_num_batched_tokens", "2048"]
    check_spans(l)
    by_text = {t.text: t for t in l.args}
    assert by_text["--gpu_memory_utilization"].style == "helm-key"
    assert src.text[by_text["--gpu_memory_utilization"].span.start:by_text["--gpu_memory_utilization"].span.end] == "gpuMemoryUtilization"
    assert by_text["--no-enable-prefix-caching"].style == "synthetic"  # rendered although the key is absent
    ignored = dict(l.facts.ignored_keys)
    assert set(ignored) == {"vllmConfig.v1", "extraArgs"}  # modelSpec-level extraArgs never reach vLLM
    assert src.text[ignored["extraArgs"].start:ignored["extraArgs"].end] == "extraArgs"
    assert l.gpu.count == 0 and l.gpu.written == 0.5 and l.gpu.product == "NVIDIA-L40S"
    assert any("renders no nvidia.com/gpu request" in n for n in l.gpu.notes)
    assert l.replicas == 2 and l.facts.dev_shm_volume is False
    mig = launches[1]
    assert [t.text for t in mig.program] == ["/opt/venv/bin/vllm", "serve"]
    assert mig.gpu.mig_profile == "4g.71gb" and mig.gpu.count == 1
    assert mig.facts.dev_shm_volume is True and mig.facts.shm_size == "8Gi"
    assert "--enable-prefix-caching" in words(mig) and "--kv-transfer-config" in words(mig)
    ray = launches[2]  # ray-cluster.yaml's entrypoint script: its own flag spellings, no --no-enable-prefix-caching
    assert words(ray) == ["facebook/opt-125m", "--host", "0.0.0.0", "--port", "8000", "--distributed-executor-backend",
                          "ray", "--tensor-parallel-size", "1", "--pipeline-parallel-size", "2"]
    assert ray.gpu.count == 2 and ray.facts.nodes == 2 and ray.env["VLLM_USE_V1"].value == "0"


def test_production_stack_insertion_uses_chart_keys():
    src, launches = run("prodstack/values.yaml")
    ins = launches[1].insertion
    out = ins.render(["--max-model-len", "8192"])
    assert out.strip() == "maxModelLen: 8192"
    new = src.text[:ins.offset] + out + src.text[ins.offset:]
    again = charts.extract(SourceFile.from_text(new, display="v.yaml", kind="helm-values")).launches
    assert words(again[1])[words(again[1]).index("--max-model-len") + 1] == "8192"


def test_unknown_chart_heuristics():
    _, (l,) = run("chart/values.yaml")
    assert words(l) == ["Qwen/Qwen3-8B", "--max-model-len", "32768", "--gpu-memory-utilization", "0.9",
                        "--enable-auto-tool-choice", "--tool-call-parser", "hermes"]
    assert l.args[1].style == "helm-key" and l.facts.chart == "unknown"
    assert l.gpu.product == "g6e.2xlarge"
    check_spans(l)


def test_overlay_merges_like_helm():
    _, (l,) = run("chart/values-h100.yaml")
    assert l.name == "values [values-h100.yaml]"
    # maps deep-merge (model from values.yaml), lists replace, null deletes
    assert words(l) == ["Qwen/Qwen3-8B", "--max-model-len", "131072", "--tensor-parallel-size", "2"]
    assert l.args[0].span.path.endswith("chart/values.yaml")
    assert l.args[2].span.path.endswith("values-h100.yaml")
    assert l.gpu.count == 2 and l.gpu.product == "NVIDIA-H100-80GB-HBM3"
    check_spans(l)


def test_values_option_overlays():
    _, (l,) = run("chart/values.yaml", ExtractOptions(values_files=[FIX / "chart" / "values-h100.yaml"]))
    assert "--tensor-parallel-size" in words(l) and l.gpu.count == 2


def test_generic_alternating_and_joined_items():
    src, (l,) = run("generic/values.yaml")
    assert words(l) == ["Qwen/Qwen3-0.6B", "--gpu-memory-utilization", "0.9", "--load-format", "auto"]
    assert l.gpu.product == "NVIDIA-L40S"
    check_spans(l)


def test_vllm_example_chart_command():
    _, (l,) = run("generic/vllm-chart-values.yaml")
    assert [t.text for t in l.program] == ["vllm", "serve"]
    assert words(l)[:3] == ["/data/", "--served-model-name", "opt-125m"]
    assert any("placeholder" in u for u in l.unknowns)
    check_spans(l)


def test_kubeai_catalog_enabled_vllm_only():
    _, launches = run("generic/kubeai-models-values.yaml")
    assert [l.name for l in launches] == ["catalog.llama-3.1-8b-instruct-fp8-l4 (llama-3.1-8b-instruct-fp8-l4)"]
    assert launches[0].gpu.count == 1


def test_chart_templates_skipped(tmp_path):
    d = tmp_path / "templates"
    d.mkdir()
    f = d / "deployment.yaml"
    f.write_text("spec:\n  replicas: {{ .Values.replicaCount }}\n")
    src = load_source(f, str(f), "helm-values")
    res = charts.extract(src)
    assert res.launches == [] and res.diagnostics == []


def test_production_stack_insertion_without_vllmconfig(tmp_path):
    f = tmp_path / "values.yaml"
    f.write_text("servingEngineSpec:\n  modelSpec:\n  - name: \"gpt-oss\"\n    repository: \"vllm/vllm-openai\"\n"
                 "    tag: \"v0.10.2\"\n    modelURL: \"openai/gpt-oss-20b\"\n    requestGPU: 1\n\n"
                 "    extraArgs:\n      - \"--max-model-len=8192\"\n")
    src = load_source(f, str(f), "helm-values")
    (l,) = charts.extract(src).launches
    assert "--max-model-len=8192" not in words(l)  # modelSpec-level extraArgs are ignored by the chart
    assert [k for k, _ in l.facts.ignored_keys] == ["extraArgs"]
    ins = l.insertion
    new = src.text[:ins.offset] + ins.render(["--max-model-len", "8192"]) + src.text[ins.offset:]
    (again,) = charts.extract(SourceFile.from_text(new, display="v.yaml", kind="helm-values")).launches
    w = words(again)
    assert w[w.index("--max-model-len") + 1] == "8192" and l.facts.insertion_note is not None


def test_other_applications_charts_are_not_vllm(tmp_path):
    f = tmp_path / "values.yaml"
    f.write_text("image:\n  repository: nginx\n  tag: '1.27'\nextraArgs:\n  - --worker-connections\n  - '512'\nseed: 3\n")
    src = load_source(f, str(f), "helm-values")
    assert charts.extract(src).launches == []


def test_values_option_order_is_helms_when_the_overlay_is_linted():
    """`-f values.yaml -f values-h100.yaml`: the overlay wins (helm merges the stated files in
    order, the chart's values.yaml first), never the reverse; the merge is one release, linted
    once from its last file, and the file stated under it yields no launch of its own."""
    opts = ExtractOptions(values_files=[FIX / "chart" / "values.yaml", FIX / "chart" / "values-h100.yaml"])
    _, (l,) = run("chart/values-h100.yaml", opts)
    assert words(l) == ["Qwen/Qwen3-8B", "--max-model-len", "131072", "--tensor-parallel-size", "2"]
    src = load_source(FIX / "chart" / "values.yaml", str(FIX / "chart" / "values.yaml"), "helm-values")
    res = charts.extract(src, opts)
    assert res.launches == [] and "linted as part of those" in res.notes[0]
    _, (l,) = run("chart/values-h100.yaml", ExtractOptions(values_files=[FIX / "chart" / "values-h100.yaml"]))
    assert "131072" in words(l)  # the chart's values.yaml under it, the overlay on top


PS_FRACTION = """servingEngineSpec:
  modelSpec:
  - name: "opt"
    repository: "vllm/vllm-openai"
    tag: "v0.11.0"
    modelURL: "facebook/opt-125m"
    replicaCount: 2
    requestCPU: 6
    requestMemory: "16Gi"
    requestGPU: {gpu}
"""


def test_production_stack_renders_no_gpu_below_one(tmp_path):
    """chart.resources writes the GPU resource only if gt (int requestGPU) 0: 0.5 renders none."""
    from vllm_lint.lint import LintOptions, lint_paths

    (tmp_path / "values.yaml").write_text(PS_FRACTION.format(gpu=0.5))
    res = lint_paths([tmp_path / "values.yaml"], LintOptions(select=["VL302"]))
    (l,) = [c.launch for c in res.launches]
    assert l.gpu.count == 0 and l.gpu.written == 0.5
    assert [(d.rule, d.severity.value) for d in res.diagnostics] == [("VL302", "warning")]
    assert "renders no GPU request" in res.diagnostics[0].message

    (tmp_path / "values.yaml").write_text(PS_FRACTION.format(gpu=1.5))
    res = lint_paths([tmp_path / "values.yaml"], LintOptions(select=["VL302"]))
    assert [(d.rule, d.severity.value) for d in res.diagnostics] == [("VL302", "error")]
