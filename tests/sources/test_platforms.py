"""Launch forms of CI and serverless platforms: GitHub Actions ``uses: docker://`` steps,
``docker run --entrypoint /bin/sh IMAGE -c``, and the GPU fields of Truss (Baseten) and Cerebrium
configurations beside the command they hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from vllm_lint.discover import classify_file
from vllm_lint.sources.base import ExtractOptions, SourceFile
from vllm_lint.sources.dispatch import extract
from vllm_lint.sources.readfile import load_source

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "platforms"


def launches(path: Path, name: str | None = None):
    src = load_source(path, name or path.name, classify_file(path, explicit=True) or "unknown")
    assert isinstance(src, SourceFile), src
    res = extract(src, ExtractOptions())
    assert not res.diagnostics
    for launch in res.launches:
        for t in launch.program + launch.args:
            if t.span is not None:
                assert t.span.slice(src.text) == t.raw
    return src, res.launches


def at(launch, text: str) -> tuple[int, int, str | None]:
    t = next(t for t in launch.args if t.text == text)
    return t.span.line, t.span.column, t.raw


def test_github_actions_docker_steps() -> None:
    src, got = launches(FIX / ".github" / "workflows" / "smoke.yml")
    assert src.kind == "github-actions"
    args, shell = got  # the alpine step starts no vLLM
    assert args.name == "jobs.smoke serve with the image's entrypoint: vllm/vllm-openai:v0.9.2"
    assert (args.image, args.vllm_version) == ("vllm/vllm-openai:v0.9.2", "0.9.2")
    assert (args.image_span.line, args.image_span.column) == (9, 24)
    assert [t.text for t in args.args] == ["--model", "Qwen/Qwen2.5-0.5B-Instruct", "--max-model-len", "4096",
                                          "--served-model-name", "tiny model", "--port", "{{inputs.port}}"]
    assert at(args, "4096") == (13, 68, "4096")
    assert at(args, "tiny model") == (13, 94, "tiny model")  # the runner drops the double quotes
    assert at(args, "{{inputs.port}}") == (13, 113, "${{ inputs.port }}")
    assert next(t for t in args.args if t.text == "{{inputs.port}}").symbolic
    assert args.env["HF_HOME"].value == "/cache"  # the step's env is the container's
    assert args.insertion is None
    # with.entrypoint: /bin/sh and args: -c "vllm serve ...": the script is read
    assert [t.text for t in shell.program + shell.args] == ["vllm", "serve", "Qwen/Qwen2.5-0.5B-Instruct",
                                                           "--max-model-len", "2048"]
    assert shell.facts.shell == "/bin/sh" and shell.vllm_version == "0.10.1"
    assert at(shell, "2048") == (18, 75, "2048")


@pytest.mark.parametrize("shell", ["/bin/sh", "bash"])
def test_docker_run_with_a_shell_entrypoint(tmp_path: Path, shell: str) -> None:
    script = tmp_path / "run.sh"
    script.write_text(f"docker run --gpus all --entrypoint {shell} vllm/vllm-openai:v0.10.1 \\\n"
                      "  -c 'vllm serve Qwen/Qwen2.5-7B-Instruct --max-model-len 8192'\n")
    _, (launch,) = launches(script)
    assert [t.text for t in launch.args] == ["Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "8192"]
    assert at(launch, "8192") == (2, 59, "8192")
    assert launch.gpu.all_visible and launch.image == "vllm/vllm-openai:v0.10.1" and launch.facts.shell == shell


def test_truss_accelerator_and_base_image() -> None:
    _, (launch,) = launches(FIX / "truss" / "config.yaml")
    assert launch.name.startswith("docker_server.start_command: ")
    assert (launch.gpu.product, launch.gpu.count, launch.gpu.mechanism) == ("A10G", 2, "resources.accelerator")
    assert (launch.gpu.product_span.line, launch.gpu.product_span.column) == (9, 16)
    assert not launch.gpu.all_visible and not any("host" in u for u in launch.unknowns)
    assert (launch.image, launch.vllm_version) == ("vllm/vllm-openai:v0.10.1", "0.10.1")
    assert at(launch, "32768") == (5, 77, "32768")


@pytest.mark.parametrize("accelerator,product,count,note", [
    ("{gpu}", None, None, "template placeholder"),  # a generator's template: stays unknown
    ("H100_40GB", None, 1, "slice of an H100"),
    ("L4", "L4", 1, None),
    (None, None, None, "runs on CPU"),
])
def test_truss_accelerator_forms(tmp_path: Path, accelerator: str | None, product: str | None, count: int | None,
                                 note: str | None) -> None:
    f = tmp_path / "config.yaml"
    res = f"resources:\n  accelerator: {accelerator}\n" if accelerator else "resources:\n  cpu: '4'\n"
    f.write_text("model_name: x\ndocker_server:\n  start_command: vllm serve m --max-model-len 4096\n" + res)
    _, (launch,) = launches(f)
    assert (launch.gpu.product, launch.gpu.count) == (product, count)
    if note:
        assert any(note in n for n in launch.gpu.notes)


def test_cerebrium_compute_preferences_are_choices() -> None:
    _, (launch,) = launches(FIX / "cerebrium" / "cerebrium.toml")
    assert (launch.gpu.product, launch.gpu.count) == ("AMPERE_A10", 1)
    assert (launch.gpu.product_span.line, launch.gpu.product_span.column) == (6, 11)
    assert launch.facts.accelerator_choices == ("AMPERE_A10:1, the choice with the least GPU memory of "
                                                   "{HOPPER_H100:1, AMPERE_A10:1}")
    assert at(launch, "65536") == (11, 88, "65536")


@pytest.mark.parametrize("hardware,product,count", [
    ('compute = "HOPPER_H100"\ngpu_count = 2', "HOPPER_H100", 2),
    ('compute = "BLACKWELL_RTX6000"', "BLACKWELL_RTX6000", 1),
    ('compute = "CPU"\ncpu = 2', None, None),
    ('compute = "{gpu_compute}"\ngpu_count = {gpu_count}', None, None),  # a generator's template
])
def test_cerebrium_hardware_forms(tmp_path: Path, hardware: str, product: str | None, count: int | None) -> None:
    f = tmp_path / ("cerebrium.toml.tpl" if "{" in hardware else "cerebrium.toml")
    f.write_text(f"[cerebrium.hardware]\n{hardware}\n\n[cerebrium.runtime.custom]\n"
                 'entrypoint = ["vllm", "serve", "m", "--max-model-len", "4096"]\n')
    _, (launch,) = launches(f)
    assert (launch.gpu.product, launch.gpu.count) == (product, count)
    assert launch.facts.accelerator_choices is None


def test_cerebrium_names_resolve_to_cards() -> None:
    from vllm_lint.hardware.gpus import parse_gpu_option

    names = {"TURING_T4": "T4", "ADA_L4": "L4", "AMPERE_A10": "A10", "AMPERE_A100_40GB": "A100-SXM4-40GB",
             "AMPERE_A100_80GB": "A100-SXM4-80GB", "HOPPER_H100": "H100-SXM", "HOPPER_H200": "H200",
             "BLACKWELL_B200": "B200", "BLACKWELL_RTX6000": "RTX PRO 6000 Blackwell"}
    assert {n: parse_gpu_option(n)[0].key for n in names} == names


@pytest.mark.parametrize("name", ["vllm.service.example", "vllm.service.in", "vllm.service.j2", "vllm.container.tpl"])
def test_systemd_units_shipped_as_examples_or_templates(tmp_path: Path, name: str) -> None:
    unit = tmp_path / name
    unit.write_text("[Service]\nExecStart=/opt/venv/bin/vllm serve Qwen/Qwen2.5-7B-Instruct --max-model-len 8192\n"
                    if ".service" in name else
                    "[Container]\nImage=docker.io/vllm/vllm-openai:v0.9.2\nExec=--model Qwen/Qwen2.5-7B-Instruct\n")
    assert classify_file(unit) == "systemd"
    _, (launch,) = launches(unit)
    assert launch.source in ("systemd", "quadlet") and "Qwen/Qwen2.5-7B-Instruct" in [t.text for t in launch.args]


def test_a_jinja_templated_script_with_apptainer() -> None:
    src, (docker, apptainer) = launches(FIX / "serve.sh.j2")
    assert src.kind == "shell"
    # `{{ '--gpus all' if use_gpu else '' }}` among docker's options is options, not the image
    assert docker.image == "vllm/vllm-openai:v0.8.5"
    assert [t.text for t in docker.args] == ["--model", "{{model}}", "--max-model-len", "8192"]
    model = docker.args[1]
    assert model.symbolic and (model.span.line, model.span.column, model.raw) == (7, 11, "{{ model }}")
    # apptainer run IMAGE: the image's ENTRYPOINT with the args; the .sif named as `apptainer
    # pull` names it is taken as that image, and says so
    assert [t.text for t in apptainer.program] == ["python3", "-m", "vllm.entrypoints.openai.api_server"]
    assert (apptainer.image, apptainer.vllm_version) == ("vllm/vllm-openai:v0.8.5", "0.8.5")
    assert "taken as pulled from docker://vllm/vllm-openai:v0.8.5" in apptainer.facts.image_entrypoint_uncertain
    assert at(apptainer, "8192") == (11, 39, "8192") and apptainer.gpu.all_visible


@pytest.mark.parametrize("line,program", [
    ("singularity run --nv docker://vllm/vllm-openai:v0.9.2 --model m", "python3"),
    ("apptainer instance run --nv -B /m:/m vllm-openai_v0.10.1.sif srv1 --model m", "python3"),
    ("apptainer exec --nv vllm.sif vllm serve m", "vllm"),
    ("apptainer run --nv my-own.sif --model m", None),  # an image vllm-lint cannot know
])
def test_apptainer_forms(tmp_path: Path, line: str, program: str | None) -> None:
    f = tmp_path / "run.sh"
    f.write_text(line + "\n")
    _, got = launches(f)
    assert [g.program[0].text for g in got] == ([program] if program else [])
    if got:
        assert got[0].args[-1].text == "m"
