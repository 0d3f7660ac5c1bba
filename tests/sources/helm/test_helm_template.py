"""Helm chart templates rendered with simple .Values references (sources.helm.renderer)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vllm_lint.sources.helm import charts, renderer
from vllm_lint.sources.helm.values import load_values
from vllm_lint.sources.base import ExtractOptions, SourceFile
from vllm_lint.sources.readfile import load_source

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "helm" / "tplchart"
REPO = Path(__file__).resolve().parents[3]


def _launch(name: str, opts: ExtractOptions | None = None):
    path = FIX / name
    src = load_source(path, str(path), "helm-values")
    assert isinstance(src, SourceFile)
    res = charts.extract(src, opts or ExtractOptions())
    assert not res.diagnostics
    assert len(res.launches) == 1, [l.name for l in res.launches]
    return res.launches[0]


def _where(tok) -> tuple[str, int, int]:
    return Path(tok.span.path).name, tok.span.line, tok.span.column


def test_template_wins_over_values_heuristic_and_spans_point_at_their_origin() -> None:
    l = _launch("values.yaml")
    assert l.facts["chart"] == "rendered-template" and l.name.startswith("templates/deployment.yaml: ")
    assert [t.text for t in l.program] == ["vllm", "serve"]
    words = [t.text for t in l.args]
    assert words[:8] == ["Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "8192", "--tensor-parallel-size=2",
                         "--enforce-eager", "--no-enable-prefix-caching", "--dtype", "bfloat16"]
    assert "--quantization" not in words  # quant: "" is false for `with`
    by = {t.text: t for t in l.args}
    assert _where(by["Qwen/Qwen2.5-7B-Instruct"]) == ("values.yaml", 2, 8)  # | quote keeps the value's span
    assert _where(by["8192"]) == ("values.yaml", 3, 11)
    assert _where(by["--max-model-len"]) == ("deployment.yaml", 17, 16)
    assert _where(by["--tensor-parallel-size=2"]) == ("deployment.yaml", 19, 15)  # mixed: template span
    assert by["--tensor-parallel-size=2"].raw == "--tensor-parallel-size={{ .Values.tp }}"
    for t in l.program + l.args:
        text = Path(t.span.path).read_text()
        assert text[t.span.start:t.span.end] == t.raw
    assert l.args[-1].symbolic  # {{ .Release.Name }} is never evaluated
    assert l.image == "vllm/vllm-openai:v0.8.5"  # tag "" -> default .Chart.AppVersion
    assert l.gpu.count == 2 and Path(l.gpu.count_span.path).name == "values.yaml"
    assert l.insertion is None
    assert any("include" in u for u in l.unknowns)


def test_overlay_values_are_merged_before_rendering() -> None:
    l = _launch("values-prod.yaml")
    by = {t.text: t for t in l.args}
    assert _where(by["32768"]) == ("values-prod.yaml", 2, 11)
    assert [t.text for t in l.args][6:8] == ["--quantization", "awq"]  # with + | lower
    assert l.name.endswith("[values-prod.yaml]")


def _render(tpl: str, values: str) -> renderer.Rendered:
    vsrc = SourceFile.from_text(values, "values.yaml")
    node = load_values(vsrc, ExtractOptions(), []).root
    return renderer.render(SourceFile.from_text(tpl, "t.yaml"), node, lambda n: vsrc)


@pytest.mark.parametrize("tpl,values,out", [
    ("a: {{ .Values.x | default \"y\" }}", "x: ''", "a: y"),
    ("a: {{ .Values.x | default \"y\" }}", "x: z", "a: z"),
    ("a: {{ .Values.missing.deep }}", "x: 1", "a: "),
    ("a: {{ .Values.x | upper | quote }}", "x: ab", 'a: "AB"'),
    ("a: {{ trim .Values.x }}", "x: ' ab '", "a: ab"),
    ("a:\n  {{- if .Values.on }}\n  b: 1\n  {{- else }}\n  b: 2\n  {{- end }}", "on: false", "a:\n  b: 2"),
    ("a:\n  {{- if not .Values.on }} x{{ end }}", "on: 0", "a: x"),
    ("c: [{{ range .Values.l }}{{ . }},{{ end }}]", "l: [1, 2]", "c: [1,2,]"),
    ("c: {{ range .Values.l }}{{ . }}{{ else }}none{{ end }}", "l: []", "c: none"),
    ("c: {{ with .Values.m }}{{ .k }}{{ end }}", "m: {k: v}", "c: v"),
    ("{{ define \"x\" }}junk{{ end }}c: 1", "a: 1", "c: 1"),
    ("c: {{ printf \"%s\" .Values.x }}", "x: 1", "c: ${{ printf \"%s\" .Values.x }}"),  # never evaluated
    ("c:{{-3}}", "x: 1", "c:-3"),  # `{{-3}}` is the number -3, not a trim marker
])
def test_render_subset(tpl: str, values: str, out: str) -> None:
    assert _render(tpl, values).text == out


def test_structural_unknown_actions_are_dropped_and_named() -> None:
    r = _render("r:\n  {{- toYaml .Values.res | nindent 2 }}\nx: 1", "res: {a: 1}")
    assert r.text == "r:\nx: 1" and any("toYaml" in u for u in r.unknowns)


def test_helpers_and_non_manifest_templates_are_not_rendered() -> None:
    src = load_source(FIX / "values.yaml", str(FIX / "values.yaml"), "helm-values")
    assert [Path(f.display).name for f in renderer.chart_templates(src)] == ["deployment.yaml"]


@pytest.mark.shared
def test_open_source_ai_dev_chart_template_findings(shared_dir: Path, monkeypatch, capsys) -> None:
    """NOTES.md section 4: --temperature is not a serve flag, model loses its org, port 8080."""
    from vllm_lint.cli import main

    chart = shared_dir / "corpus" / "open-source-ai-dev__vllm-helm-chart" / "charts" / "vllm"
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert main([str(chart), "--format", "json"]) in (0, 1)
    data = json.loads(capsys.readouterr().out)
    diags = data["diagnostics"]
    found = {(d["rule"], Path(d["path"]).name, d["line"]) for d in diags}
    assert ("VL213", "deployment.yaml", 37) in found  # --temperature, in the template's args line
    assert ("VL406", "values.yaml", 5) in found  # name: "Llama-3.2-1B" (organization never used)
    assert any(r == "VL504" and f == "deployment.yaml" for r, f, _ in found)  # containerPort 8080 vs 8000
    [vl213] = [d for d in diags if d["rule"] == "VL213"]
    assert vl213["message"].startswith("--temperature is not a vLLM server option")
    assert (vl213["column"], vl213["end_column"]) == (55, 68)


_PIECES = ["{{ .Values.a }}", "{{- .Values.b.c -}}", "{{ if .Values.a }}", "{{ else }}", "{{ end }}",
           "{{ range .Values.l }}", "{{ . }}", "{{ with .Values.m }}", "{{ .k | quote }}", "{{ include \"x\" . }}",
           "{{", "}}", "{{/* c */}}", "a: ", "- ", "\n", "  ", "x", '"', "{{ define \"d\" }}", "{{ default 1 .Values.z }}"]


def test_render_never_crashes_and_maps_every_character() -> None:
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(_PIECES), max_size=30))
    def run(parts: list[str]) -> None:
        tpl = "".join(parts)
        try:
            r = _render(tpl, "a: 1\nb: {c: two}\nl: [p, q]\nm: {k: v}\n")
        except renderer.Unknown:
            return
        assert len(r.file) == len(r.text) == len(r.tlo)
        for i in range(len(r.text)):
            assert 0 <= r.tlo[i] < r.thi[i] <= len(tpl)
            if r.file[i] == 0:
                assert tpl[r.off[i]] == r.text[i] or r.text[i] == "$"

    run()


def test_nested_ranges_stop_at_the_step_budget() -> None:
    values = "l: [" + ", ".join(["1"] * 300) + "]"
    tpl = "{{ range .Values.l }}{{ range $.Values.l }}{{ range $.Values.l }}{{ end }}{{ end }}{{ end }}"
    with pytest.raises(renderer.Unknown):
        _render(tpl, values)


def test_values_written_as_a_go_template_file_are_read(tmp_path: Path) -> None:
    """A production-stack values file kept as a ``.tpl`` (Terraform renders it with Go
    templates): whole-line directives are blanked, the rest is read as values."""
    p = tmp_path / "gpu-stack.tpl"
    p.write_text("servingEngineSpec:\n  modelSpec:\n  {{- if .Big }}\n  - name: big\n    repository: vllm/vllm-openai\n"
                 "    tag: v0.10.0\n    modelURL: Qwen/Qwen2.5-7B-Instruct\n    requestGPU: 1\n  {{- end }}\n")
    src = load_source(p, str(p), "helm-values")
    res = charts.extract(src, ExtractOptions())
    assert [l.args[0].text for l in res.launches] == ["Qwen/Qwen2.5-7B-Instruct"]
    assert res.launches[0].args[0].span.line == 7
