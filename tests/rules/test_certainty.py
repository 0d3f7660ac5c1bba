"""Findings and the certainty of the facts they rest on (rules/certainty.py, resolve/facts.py).

Each case is a minimal file written for the mechanism it pins (release unknown, a private image
tag, a shell guard, a GPU family label, an uncertain image ENTRYPOINT), linted through the real
pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path

from vllm_lint.diagnostic import Severity
from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.report.json_format import write_json
from vllm_lint.resolve.context import RunOptions


def _lint(tmp_path: Path, name: str, text: str, *, select: list[str] | None = None, **run) -> list:
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = lint_paths([tmp_path / name], LintOptions(select=select, run=RunOptions(**run)))
    return [d for d in result.diagnostics if d.rule != "VL000"]


def _by_rule(diags: list, rule: str) -> list:
    return [d for d in diags if d.rule == rule]


# -- the release ---------------------------------------------------------------------------------

SCRIPT = "#!/bin/sh\nexec python3 -m vllm.entrypoints.openai.api_server --model m/x {flags}\n"


def test_a_flag_removed_in_some_releases_is_a_warning_naming_them_when_the_release_is_unknown(tmp_path):
    diags = _lint(tmp_path, "run.sh", SCRIPT.format(flags="--swap-space 4"), select=["VL2"])
    (d,) = _by_rule(diags, "VL202")
    assert d.severity is Severity.WARNING
    assert d.assumptions and "the release is not known" in d.assumptions[0]
    assert "if it runs vLLM 0.18.0-0.33.0" in d.message  # the releases that reject it
    assert d.fix is None or not d.fix.safe


def test_the_same_flag_is_an_error_when_the_release_is_stated(tmp_path):
    diags = _lint(tmp_path, "run.sh", SCRIPT.format(flags="--swap-space 4"), select=["VL2"], vllm_version="0.33.0")
    (d,) = _by_rule(diags, "VL202")
    assert d.severity is Severity.ERROR and d.assumptions == []


def test_a_typo_no_release_knows_stays_an_error_whatever_the_release(tmp_path):
    diags = _lint(tmp_path, "run.sh", SCRIPT.format(flags="--max-model-lenn 4096"), select=["VL2"])
    assert [(d.rule, d.severity) for d in diags] == [("VL201", Severity.ERROR)]
    assert diags[0].assumptions == []


def test_a_sampling_option_is_an_error_in_every_release(tmp_path):
    diags = _lint(tmp_path, "run.sh", SCRIPT.format(flags="--temperature 0.7"), select=["VL2"])
    assert [(d.rule, d.severity) for d in diags] == [("VL213", Severity.ERROR)]


COMPOSE = """services:
  vllm:
    image: {image}
    command: ["--model", "m/x", "--tokenizer-pool-size", "4"]
"""


def test_an_official_image_tag_states_the_release(tmp_path):
    diags = _lint(tmp_path, "docker-compose.yml", COMPOSE.format(image="vllm/vllm-openai:v0.11.0"), select=["VL202"])
    assert [(d.rule, d.severity) for d in diags] == [("VL202", Severity.ERROR)]


def test_a_private_image_tag_is_not_a_vllm_release(tmp_path):
    """quay.io/<someone>/vllm-dev:0.0.19 is that image's own version, not vLLM 0.0.19."""
    diags = _lint(tmp_path, "docker-compose.yml", COMPOSE.format(image="quay.io/someone/vllm-dev-pplx:0.0.19"),
                  select=["VL2"])
    assert all(d.severity is not Severity.ERROR for d in diags)
    assert all("vLLM 0.0.19" not in d.message for d in diags)


def test_a_variable_tag_is_not_the_newest_release(tmp_path):
    diags = _lint(tmp_path, "docker-compose.yml", COMPOSE.format(image="vllm/vllm-openai:${VLLM_VERSION}"),
                  select=["VL202"])
    (d,) = diags
    assert d.severity is Severity.WARNING and "the release is not known" in d.message


# -- shell guards --------------------------------------------------------------------------------

GUARDED = """#!/bin/bash
MODE="{mode}"
ARGS=(--max-model-len 4096)
[ "$MODE" = yarn ] && ARGS+=(--rope-scaling '{{"type":"yarn","factor":4}}')
exec vllm serve m/x "${{ARGS[@]}}"
"""


def test_a_flag_behind_a_guard_that_fails_is_not_passed(tmp_path):
    diags = _lint(tmp_path, "entrypoint.sh", GUARDED.format(mode="off"), select=["VL2"], vllm_version="0.33.0")
    assert diags == []


def test_a_flag_behind_a_guard_that_passes_is_passed(tmp_path):
    diags = _lint(tmp_path, "entrypoint.sh", GUARDED.format(mode="yarn"), select=["VL202"], vllm_version="0.33.0")
    assert [(d.rule, d.severity) for d in diags] == [("VL202", Severity.ERROR)]


def test_a_flag_behind_a_guard_nobody_can_decide_is_at_most_a_warning(tmp_path):
    text = GUARDED.format(mode="off").replace('MODE="off"\n', "").replace('"$MODE"', '"$1"')
    diags = _lint(tmp_path, "entrypoint.sh", text, select=["VL202"], vllm_version="0.33.0")
    (d,) = diags
    assert d.severity is Severity.WARNING
    assert d.assumptions == ['passed only when `[ "$1" = yarn ]` succeeds']


def test_a_typo_behind_a_guard_is_an_error_whenever_it_is_passed(tmp_path):
    text = GUARDED.format(mode="off").replace('MODE="off"\n', "").replace('"$MODE"', '"$1"')
    text = text.replace("--rope-scaling", "--max-num-seqss")
    diags = _lint(tmp_path, "entrypoint.sh", text, select=["VL201"], vllm_version="0.33.0")
    (d,) = diags
    assert d.severity is Severity.ERROR and 'passed only when `[ "$1" = yarn ]` succeeds' in d.message


def test_launches_show_the_condition_of_a_guarded_word(tmp_path):
    from vllm_lint.sources.base import ExtractOptions, Limits
    from vllm_lint.sources.dispatch import extract
    from vllm_lint.sources.readfile import load_source

    text = '#!/bin/bash\nARGS=(--model m/x)\n[ -n "$Q" ] && ARGS+=(--quantization "$Q")\nvllm serve "${ARGS[@]}"\n'
    path = tmp_path / "run.sh"
    path.write_text(text)
    src = load_source(path, "run.sh", "shell", Limits())
    (launch,) = extract(src, ExtractOptions()).launches
    when = 'when `[ -n "$Q" ]` succeeds'
    assert [(t.text, t.condition) for t in launch.args] == [
        ("--model", None), ("m/x", None), ("--quantization", when), ("$Q", when)]


# -- GPU family labels ---------------------------------------------------------------------------

V100 = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: coder}}
spec:
  template:
    spec:
      nodeSelector: {{nvidia.com/gpu.product: Tesla-V100}}
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.6.6
          args: ["--model", "deepseek-ai/deepseek-coder-6.7b-instruct", "--max-model-len", "{mml}"]
          resources: {{limits: {{nvidia.com/gpu: 1}}}}
"""


def test_a_family_label_fails_on_its_small_variant_only_a_warning(tmp_path):
    diags = _lint(tmp_path, "dep.yaml", V100.format(mml=10240), select=["VL101"])
    (d,) = diags
    assert d.severity is Severity.WARNING and "V100" in d.assumptions[0]
    assert d.fix is None or not d.fix.safe


def test_a_family_label_fails_on_every_variant_an_error(tmp_path):
    diags = _lint(tmp_path, "dep.yaml", V100.format(mml=65536), select=["VL101", "VL401"])
    assert any(d.severity is Severity.ERROR for d in diags)


# -- the image ENTRYPOINT ------------------------------------------------------------------------

LOCAL_IMAGE = """services:
  vllm:
    image: my-vllm:local
    command: ["--model", "m/x", "--max-model-len", "4096"]
"""


def test_arguments_both_entrypoints_accept_say_nothing_about_the_entrypoint(tmp_path):
    diags = _lint(tmp_path, "docker-compose.yml", LOCAL_IMAGE, select=["VL211"], vllm_version="0.33.0")
    assert diags == []


# -- the JSON contract ---------------------------------------------------------------------------

def test_json_lists_assumptions(tmp_path):
    (tmp_path / "run.sh").write_text(SCRIPT.format(flags="--swap-space 4"))
    result = lint_paths([tmp_path / "run.sh"], LintOptions(select=["VL202"]))
    import io

    buf = io.StringIO()
    write_json(result, buf)
    (d,) = json.loads(buf.getvalue())["diagnostics"]
    assert d["severity"] == "warning" and d["assumptions"] and d["assumptions"][0].startswith("if it runs vLLM")
