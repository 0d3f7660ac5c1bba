"""GPU names a user types are read strictly everywhere they can be written (command line, configuration,
`# vllm-lint: gpu=`); names found in deployment files stay tolerant and say when they are assumed."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from vllm_lint import cli
from vllm_lint.hardware.gpus import GpuNameError, parse_gpu_option, parse_gpu_strict

COMPOSE = """\
services:
  vllm:
    image: vllm/vllm-openai:v0.8.5
    command: ["--model", "Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "8192"]
"""


def run(args: list, cwd: Path | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    try:
        if cwd is not None:
            import os

            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main([str(a) for a in args])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        import os

        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("text,key,count", [
    ("4090", "RTX 4090", None),  # an alias, not "a GPU with 4090.00 GiB"
    ("H100:8", "H100-SXM", 8),
    ("4x L40S", "L40S", 4),
    ("A100-80GB", "A100-SXM4-80GB", None),
    ("g5.12xlarge", "A10G", 4),
    ("nvidia-l4", "L4", None),
    ("A100-80GB:3g.40gb", "A100-SXM4-80GB/3g.40gb", None),
    ("23.58GiB", "23.58GiB", None),
])
def test_typed_names_that_name_one_card(text, key, count):
    spec, n = parse_gpu_strict(text)
    assert spec.key == key and n == count


@pytest.mark.parametrize("text,expect", [
    ("L4S", ["L40S", "L4"]),  # was silently the L4
    ("L40Z", ["L40"]),  # was silently the L40
    ("H1OO", ["H100"]),
    ("A100", ["A100-40GB", "A100-80GB"]),  # was silently the 40 GB card
    ("V100", ["V100-16GB", "V100-32GB"]),
])
def test_misspelt_and_ambiguous_names_are_refused_with_candidates(text, expect):
    with pytest.raises(GpuNameError) as exc:
        parse_gpu_strict(text)
    assert all(c in exc.value.candidates for c in expect), exc.value.candidates
    assert "vllm-lint gpus" in str(exc.value)


@pytest.mark.parametrize("text,words", [
    ("H100:0", "positive integer"), ("H100:x", "positive integer"), ("H100:-2", "positive integer"),
    ("0x H100", "positive integer"), ("24", "needs a unit"), ("", "empty"),
])
def test_counts_and_sizes(text, words):
    with pytest.raises(GpuNameError, match=words):
        parse_gpu_strict(text)


def test_deployment_labels_stay_tolerant():
    assert parse_gpu_option("NVIDIA-A100-SXM4-80GB")[0].key == "A100-SXM4-80GB"
    assert parse_gpu_option("A100")[0].key == "A100-SXM4-40GB"  # assumed, and said so (gpu_assumption)
    assert parse_gpu_option("4090")[0].key == "RTX 4090"
    assert parse_gpu_option("24")[0] is None  # a bare number is no size anywhere


@pytest.mark.parametrize("gpu,words", [
    ("4090x", "did you mean"), ("L4S", "did you mean L40S"), ("A100", "A100-40GB, A100-80GB"),
    ("H100:0", "positive integer"), ("H100:x", "positive integer"), ("24", "needs a unit"),
])
def test_command_line_exit_2_with_did_you_mean(tmp_path, gpu, words):
    (tmp_path / "docker-compose.yml").write_text(COMPOSE)
    code, out, err = run(["--gpu", gpu, tmp_path / "docker-compose.yml"])
    assert code == 2 and words in err and "vllm-lint gpus" in err
    assert "Traceback" not in err
    code, out, err = run(["capacity", "--gpu", gpu, "--", "Qwen/Qwen2.5-7B-Instruct"])
    assert code == 2 and words in err and "vllm-lint gpus" in err


def test_config_gpu_typo_is_exit_2_with_file_and_line(tmp_path):
    (tmp_path / "docker-compose.yml").write_text(COMPOSE)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.vllm-lint]\nselect = ["VL1"]\ngpu = "H1OO"\n')
    code, out, err = run([tmp_path / "docker-compose.yml"])
    assert code == 2 and f"{tmp_path / 'pyproject.toml'}:6:" in err and "did you mean H100" in err
    assert "VL000" not in out + err and "Traceback" not in err
    (tmp_path / "pyproject.toml").write_text('[tool.vllm-lint]\noverrides = [{path = "x", gpu = "A100"}]\n')
    code, out, err = run([tmp_path / "docker-compose.yml"])
    assert code == 2 and "pyproject.toml:2:" in err and "A100-40GB, A100-80GB" in err
    code, out, err = run(["launches", tmp_path])
    assert code == 2 and "Traceback" not in err


def test_directive_typo_is_a_finding_at_the_directive_and_vl105_stays_silent(tmp_path):
    script = tmp_path / "serve.sh"
    script.write_text("#!/bin/sh\n# vllm-lint: gpu=H1OO\nvllm serve Qwen/Qwen2.5-7B-Instruct --max-model-len 8192\n")
    code, out, err = run([script, "--format", "json", "--select", "VL007,VL105,VL101"])
    import json

    diags = json.loads(out)["diagnostics"]
    assert [d["rule"] for d in diags] == ["VL007"]
    d = diags[0]
    assert d["line"] == 2 and d["column"] == len("# vllm-lint: gpu=") + 1 and "did you mean H100" in d["message"]
    # a correct --gpu still applies to the file's launches
    code, out, err = run([script, "--format", "json", "--select", "VL007,VL105,VL103", "--gpu", "L4"])
    assert [x["rule"] for x in json.loads(out)["diagnostics"]] == ["VL007"]


def test_directive_with_an_exact_name_is_used(tmp_path):
    script = tmp_path / "serve.sh"
    script.write_text("#!/bin/sh\n# vllm-lint: gpu=T4\nvllm serve Qwen/Qwen2.5-7B-Instruct --max-model-len 32768\n")
    code, out, err = run([script, "--select", "VL007,VL101,VL102"])
    assert "VL007" not in out and ("VL101" in out or "VL102" in out) and "T4" in out


def test_ambiguous_node_label_is_assumed_and_said(tmp_path):
    (tmp_path / "d.yaml").write_text("""\
apiVersion: apps/v1
kind: Deployment
metadata: {name: m}
spec:
  template:
    spec:
      nodeSelector: {nvidia.com/gpu.product: Tesla-V100}
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.8.5
          args: ["--model", "Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "32768"]
          resources: {limits: {nvidia.com/gpu: 1}}
""")
    code, out, err = run([tmp_path / "d.yaml", "--select", "VL1"])
    assert "assumed" in out and "V100" in out
    assert " error " not in out  # a finding on an assumed GPU is at most a warning
