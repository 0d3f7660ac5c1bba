"""``vllm-lint capacity`` agrees with ``vllm-lint``: the GPUs a --gpu count gives, the launch checks,
usage errors with did-you-mean, and --help that names what is required and the exit codes."""

from __future__ import annotations

import json

import pytest

from vllm_lint.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(["capacity", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_a_gpu_count_sets_the_gpus_available_and_the_ways_that_fit(capsys):
    rc, out, _ = run(capsys, "--gpu", "H100:4", "--format", "json", "--", "Qwen/Qwen2.5-72B-Instruct")
    data = json.loads(out)
    assert rc == 1 and data["gpu"]["count"] == 4
    assert data["parallelism"] == "TP=1 PP=1: 1 GPU of the 4 available"
    (vl102,) = [f for f in data["findings"] if f["rule"] == "VL102"]
    assert vl102["severity"] == "error"
    assert "4 GPUs with --tensor-parallel-size 4" in vl102["ways_to_fit"]
    # a quantized checkpoint: a catalog variant by name when the catalog has one, else the format
    assert any("AWQ" in w and "fits" in w or "4-bit checkpoint" in w for w in vl102["ways_to_fit"])


def test_text_output_names_the_parallelism_and_the_findings(capsys):
    rc, out, _ = run(capsys, "--gpu", "H100:4", "--no-color", "--", "Qwen/Qwen2.5-72B-Instruct")
    assert rc == 1
    assert "parallelism: TP=1 PP=1: 1 GPU of the 4 available" in out
    assert "VL102 error (weights-exceed-gpu)" in out and "- 4 GPUs with --tensor-parallel-size 4" in out


def test_tensor_parallel_suggestions_stay_within_the_gpus_available(capsys):
    _, out, _ = run(capsys, "--gpu", "H100:2", "--format", "json", "--", "Qwen/Qwen2.5-72B-Instruct")
    ways = [w for f in json.loads(out)["findings"] for w in f.get("ways_to_fit", [])]
    assert not any("--tensor-parallel-size 4" in w for w in ways)
    # two GPUs hold the weights but not the full context: the way names the length that fits there
    assert any(w.startswith("2 GPUs with --tensor-parallel-size 2 and --max-model-len ") for w in ways), ways


@pytest.mark.parametrize("gpu, tp, rule", [("L4:3", "3", "VL305"), ("L4:2", "4", "VL301")])
def test_capacity_reports_the_launch_checks_lint_reports(capsys, gpu, tp, rule):
    rc, out, _ = run(capsys, "--gpu", gpu, "--format", "json", "--", "Qwen/Qwen2.5-7B-Instruct", "-tp", tp,
                     "--max-model-len", "8192")
    data = json.loads(out)
    assert rc == 1
    assert any(f["rule"] == rule and f["severity"] == "error" for f in data["findings"]), data["findings"]


def test_a_launch_that_fits_with_no_finding_exits_0(capsys):
    rc, out, _ = run(capsys, "--gpu", "H100", "--format", "json", "--", "Qwen/Qwen2.5-7B-Instruct",
                     "--max-model-len", "8192")
    data = json.loads(out)
    assert rc == 0 and data["fits"] and not [f for f in data["findings"] if f["severity"] == "error"]


def test_an_unknown_flag_is_a_usage_error_with_did_you_mean(capsys):
    rc, out, err = run(capsys, "--gpu", "L4", "--", "Qwen/Qwen2.5-7B-Instruct", "--max-model-length", "8192")
    assert rc == 2 and out == ""
    assert "--max-model-length is not a vLLM" in err and "did you mean --max-model-len?" in err


@pytest.mark.parametrize("argv, words", [
    (["--gpu", "H1OO", "--", "Qwen/Qwen2.5-7B-Instruct"], ["unknown GPU 'H1OO'", "vllm-lint gpus"]),
    (["--", "Qwen/Qwen2.5-7B-Instruct"], ["--gpu is required", "vllm-lint gpus"]),
    (["--gpu", "L4"], ["give the vllm serve arguments"]),
    (["--gpu", "L4", "--vllm-version", "banana", "--", "Qwen/Qwen2.5-7B-Instruct"], ["unknown vLLM version"]),
])
def test_usage_errors_say_what_to_do(capsys, argv, words):
    rc, _, err = run(capsys, *argv)
    assert rc == 2 and all(w in err for w in words), err
    assert "Traceback" not in err


def test_help_says_gpu_is_required_and_documents_exit_codes(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["capacity", "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert "required unless --log" in out and "exit status:" in out
    for code in ("0  ", "1  ", "2  "):
        assert code in out
    assert "--log FILE" in out and "vllm-lint gpus" in out


def test_releases_before_vllm_serve_are_checked_as_the_api_server(capsys):
    """0.4.x had no `vllm serve`: the launch checks see the api_server with --model, as capacity parses it."""
    rc, out, _ = run(capsys, "--gpu", "A10G", "--vllm-version", "0.4.0", "--format", "json", "--",
                     "Qwen/Qwen1.5-7B-Chat")
    rules = [f["rule"] for f in json.loads(out)["findings"]]
    assert rc == 1 and rules == ["VL101"]
