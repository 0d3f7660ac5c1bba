"""A SkyPilot task that may start on any of several accelerators is checked against the choice
with the least GPU memory in all, and every finding that rests on the GPU (or on
``$SKYPILOT_NUM_GPUS_PER_NODE``, that choice's count) says which choice that was."""

from __future__ import annotations

import json
from pathlib import Path

from vllm_lint.cli import main

CHOICES = "{A100:4, A100:8, H100:8}"
CLAUSE = "checked against A100:4, the choice with the least GPU memory of {A100:4, A100:8, H100:8}"


def _diags(tmp_path: Path, capsys, accelerators: str, run: str) -> list[dict]:
    task = tmp_path / "serve.sky.yaml"
    task.write_text(f"resources:\n  accelerators: {accelerators}\nrun: |\n{run}")
    main(["--format", "json", str(task)])
    return json.loads(capsys.readouterr().out)["diagnostics"]


def test_capacity_findings_name_the_choice(tmp_path: Path, capsys) -> None:
    run = ("  vllm serve meta-llama/Llama-3.1-70B-Instruct \\\n"
           "    --tensor-parallel-size $SKYPILOT_NUM_GPUS_PER_NODE \\\n    --max-model-len 131072\n")
    (vl101,) = _diags(tmp_path, capsys, CHOICES, run)
    assert vl101["rule"] == "VL101" and (vl101["line"], vl101["column"]) == (6, 21)
    assert "4 GPUs; TP=4" in " ".join(vl101["notes"])  # SKYPILOT_NUM_GPUS_PER_NODE is the choice's count
    assert f"({CLAUSE})" in vl101["message"]


def test_a_finding_on_the_gpu_count_word_names_its_value_and_the_choice(tmp_path: Path, capsys) -> None:
    run = "  vllm serve Qwen/Qwen2.5-7B-Instruct \\\n    --tensor-parallel-size $SKYPILOT_NUM_GPUS_PER_NODE\n"
    (vl305,) = _diags(tmp_path, capsys, "{H100:8, A100-80GB:8}", run)
    assert vl305["rule"] == "VL305" and (vl305["line"], vl305["column"]) == (5, 5)
    assert ("(SKYPILOT_NUM_GPUS_PER_NODE is 8, checked against A100-80GB:8, the choice "
            "with the least GPU memory of {H100:8, A100-80GB:8})") in vl305["message"]
    assert vl305["message"].count("checked against") == 1


def test_findings_that_do_not_rest_on_the_gpu_say_nothing_of_it(tmp_path: Path, capsys) -> None:
    run = "  vllm serve Qwen/Qwen2.5-7B-Instruct --max-model-len 8192 --max-num-seqz 8\n"
    vl301, vl201 = _diags(tmp_path, capsys, CHOICES, run)
    assert vl201["rule"] == "VL201" and "checked against" not in vl201["message"]
    # 3 of the 4 GPUs of the checked choice sit idle: that one rests on the choice
    assert vl301["rule"] == "VL301" and f"({CLAUSE})" in vl301["message"]


def test_one_accelerator_is_no_choice(tmp_path: Path, capsys) -> None:
    run = ("  vllm serve meta-llama/Llama-3.1-70B-Instruct --tensor-parallel-size $SKYPILOT_NUM_GPUS_PER_NODE "
           "--max-model-len 131072\n")
    diags = _diags(tmp_path, capsys, "A100:4", run)
    assert [d["rule"] for d in diags] == ["VL101"] and "checked against" not in diags[0]["message"]


def test_any_of_and_ordered_resource_sets_are_choices(tmp_path: Path, capsys) -> None:
    from vllm_lint.sources.base import ExtractOptions
    from vllm_lint.sources.dispatch import extract
    from vllm_lint.sources.readfile import load_source

    for key in ("any_of", "ordered"):
        task = tmp_path / "task.sky.yaml"
        task.write_text(f"resources:\n  {key}:\n    - accelerators: H100:8\n    - accelerators: L4:4\n"
                        "      use_spot: true\nrun: vllm serve m --tensor-parallel-size $SKYPILOT_NUM_GPUS_PER_NODE\n")
        (launch,) = extract(load_source(task, "task.sky.yaml", "skypilot"), ExtractOptions()).launches
        assert (launch.gpu.product, launch.gpu.count, launch.gpu.mechanism) == ("L4", 4, f"resources.{key}")
        assert [t.text for t in launch.args] == ["m", "--tensor-parallel-size", "4"]
        assert launch.facts.accelerator_choices == "L4:4, the choice with the least GPU memory of {H100:8, L4:4}"
        assert (launch.gpu.product_span.line, launch.gpu.product_span.column) == (3, 5)
