"""Findings on Helm values speak the chart's language: fixes and suggestions name the values key
(`vllmConfig.maxModelLen: 7424`), VL503 points at the `tag:` and offers the release the launch was
checked against, VL506 says which key a misspelt one meant."""

from __future__ import annotations

import re
from pathlib import Path

from vllm_lint.resolve.context import RunOptions
from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.vllm.versions import NEWEST

VALUES = """servingEngineSpec:
  modelSpec:
    - name: "qwen"
      repository: "vllm/vllm-openai"
      tag: "{tag}"
      modelURL: "Qwen/Qwen1.5-7B-Chat"
      requestGPU: 1
      vllmConfig:
        maxModelLen: 32768
{extra}"""


def _lint(tmp_path: Path, rules: list[str], tag: str = "v0.10.2", extra: str = "", gpu: str | None = "A10G"):
    f = tmp_path / "values.yaml"
    f.write_text(VALUES.format(tag=tag, extra=extra))
    return lint_paths([f], LintOptions(run=RunOptions(gpu=gpu), select=rules)).diagnostics


def _unquoted(text: str) -> str:
    return re.sub(r"`[^`]*`|\"[^\"]*\"", "", text)


def test_capacity_fix_names_the_chart_key(tmp_path):
    (d,) = _lint(tmp_path, ["VL101"])
    assert d.fix is not None and re.match(r"set vllmConfig\.maxModelLen: \d+\b", d.fix.description), d.fix
    assert d.message.startswith("vllmConfig.maxModelLen: 32768 does not fit")
    for text in [d.message, d.fix.description, *(s.description for s in d.suggestions), *d.notes]:
        assert "--max-model-len" not in _unquoted(text) and "--tensor-parallel-size" not in _unquoted(text), text


def test_respell_names_keys_and_leaves_quotes_alone():
    from vllm_lint.sources.helm.chart_keys import respell

    keys = {"--max-model-len": "vllmConfig.maxModelLen", "--tensor-parallel-size": "vllmConfig.tensorParallelSize"}
    assert respell("use 2 GPUs with --tensor-parallel-size 2; the largest --max-model-len that fits is 7360", keys) == \
        "use 2 GPUs with vllmConfig.tensorParallelSize: 2; the largest vllmConfig.maxModelLen that fits is 7360"
    assert respell('vLLM says "--max-model-len 5 is too large" and `--max-model-len`; --dtype half', keys) == \
        'vLLM says "--max-model-len 5 is too large" and `--max-model-len`; --dtype half'


def test_cli_launch_keeps_flag_words(tmp_path):
    f = tmp_path / "serve.sh"
    f.write_text("vllm serve Qwen/Qwen1.5-7B-Chat --max-model-len 32768\n")
    (d,) = lint_paths([f], LintOptions(run=RunOptions(gpu="A10G"), select=["VL101"])).diagnostics
    assert d.fix.description.startswith("set --max-model-len ")


def test_unpinned_tag_points_at_tag_and_offers_the_checked_release(tmp_path):
    (d,) = _lint(tmp_path, ["VL503"], tag="latest")
    assert (d.span.line, d.span.column) == (5, 13)  # the value of `tag:`, inside its quotes
    assert f"vLLM {NEWEST}" in d.message
    (s,) = d.suggestions
    assert s.description == f"pin tag: v{NEWEST}" and not s.safe
    assert s.edits[0].replacement == f"v{NEWEST}"
    assert "0.11.2" not in " ".join(d.notes)


def test_unpinned_compose_image_offers_the_checked_release(tmp_path):
    f = tmp_path / "docker-compose.yml"
    f.write_text('services:\n  v:\n    image: vllm/vllm-openai:latest\n    command: ["--model", "Qwen/Qwen2.5-7B-Instruct"]\n')
    (d,) = lint_paths([f], LintOptions(select=["VL503"])).diagnostics
    assert [s.description for s in d.suggestions] == [f"pin vllm/vllm-openai:v{NEWEST}"]
    assert d.suggestions[0].edits[0].replacement == f"vllm/vllm-openai:v{NEWEST}"


def test_misspelt_chart_key_gets_a_did_you_mean(tmp_path):
    diags = _lint(tmp_path, ["VL506"], extra="        maxModelLength: 4096\n        tensorParalelSize: 1\n", gpu=None)
    by_key = {d.message.split("`")[1]: d for d in diags}
    typo = by_key["vllmConfig.maxModelLength"]
    assert "(did you mean `maxModelLen`?)" in typo.message
    assert typo.suggestions == [] and typo.notes == ["`vllmConfig.maxModelLen` is set too: the chart renders that one"]
    tp = by_key["vllmConfig.tensorParalelSize"]
    assert "(did you mean `tensorParallelSize`?)" in tp.message
    assert [(s.description, s.edits[0].replacement) for s in tp.suggestions] == [("rename to tensorParallelSize", "tensorParallelSize")]
