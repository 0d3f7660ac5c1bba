"""argv/images/containers: finding the vLLM program, image ENTRYPOINTs, docker run options, GPUs."""

from __future__ import annotations

import pytest

from vllm_lint.launch import EnvValue, Token
from vllm_lint.sources.argv import find_vllm_invocation, shell_script_index
from vllm_lint.sources.containers.visible_gpus import container_gpu
from vllm_lint.sources.containers.docker_run import parse_docker_run
from vllm_lint.sources.containers.images import image_entrypoint


def toks(s: str) -> list[Token]:
    return [Token(w) for w in s.split()]


@pytest.mark.parametrize("cmd,entry,prog,first_arg", [
    ("vllm serve m --tp 2", "serve", "vllm serve", "m"),
    ("/opt/venv/bin/vllm serve m", "serve", "/opt/venv/bin/vllm serve", "m"),
    ("exec nohup vllm serve m", "serve", "vllm serve", "m"),
    ("env A=1 B=2 vllm serve m", "serve", "vllm serve", "m"),
    ("python3 -u -m vllm.entrypoints.openai.api_server --model m", "api_server",
     "python3 -u -m vllm.entrypoints.openai.api_server", "--model"),
    ("python -m vllm.entrypoints.api_server --model m", "legacy_api_server", "python -m vllm.entrypoints.api_server", "--model"),
    ("python3.11 -m vllm.entrypoints.cli.main serve m", "serve", "python3.11 -m vllm.entrypoints.cli.main serve", "m"),
    ("uv run vllm serve m", "serve", "vllm serve", "m"),
])
def test_programs(cmd: str, entry: str, prog: str, first_arg: str) -> None:
    got = find_vllm_invocation(toks(cmd))
    assert got is not None
    assert got[0] == entry and " ".join(t.text for t in got[1]) == prog and got[2][0].text == first_arg


@pytest.mark.parametrize("cmd", ["echo vllm serve m", "pip install vllm", "vllm --version", "python -c 'x'", "bash run.sh"])
def test_not_launches(cmd: str) -> None:
    assert find_vllm_invocation(toks(cmd)) is None


def test_env_prefix_fact() -> None:
    assert find_vllm_invocation(toks("A=1 vllm serve m"))[3].env_prefix == {"A": "1"}


def test_image_entrypoints() -> None:
    assert image_entrypoint("vllm/vllm-openai:v0.8.3").entrypoint == "api_server"
    assert image_entrypoint("vllm/vllm-openai:v0.11.0").entrypoint == "api_server"
    assert image_entrypoint("vllm/vllm-openai:v0.11.1").program == ("vllm", "serve")
    assert image_entrypoint("vllm/vllm-openai:latest").entrypoint == "serve"
    assert image_entrypoint("docker.io/vllm/vllm-openai").entrypoint == "serve"
    assert not image_entrypoint("vllm/vllm-openai:v0.20.0").uncertain
    assert image_entrypoint("vllm/vllm-openai:v0.15.1").uncertain  # no Dockerfile in its sdist
    assert image_entrypoint("vllm/vllm-openai-xpu:v0.30.0").entrypoint == "serve"
    assert image_entrypoint("rocm/vllm:latest") is None
    assert image_entrypoint("lmcache/vllm-openai:latest") is None


def test_repeated_subcommand() -> None:
    ep = image_entrypoint("vllm/vllm-openai:latest").tokens()
    got = find_vllm_invocation(ep + toks("vllm serve m"))
    assert got[3].repeated_subcommand is True
    assert [t.text for t in got[2]] == ["vllm", "serve", "m"]


def test_docker_run() -> None:
    words = toks("docker run --rm -it --gpus all -e HF_TOKEN=x -e CUDA_VISIBLE_DEVICES=0,1 --ipc=host "
                 "--shm-size 16g -p 8000:8000 -v /d:/root vllm/vllm-openai:v0.8.3 --model m --tp 2")
    run = parse_docker_run(words)
    assert run.image.text == "vllm/vllm-openai:v0.8.3"
    assert [t.text for t in run.args] == ["--model", "m", "--tp", "2"]
    assert run.env["HF_TOKEN"].value == "x"
    facts = run.facts()
    assert facts.ipc_host and facts.shm_size == "16g" and facts.ports == ["8000:8000"]
    gpu = run.gpu()
    assert gpu.count == 2 and gpu.device_ids == ["0", "1"]
    got = find_vllm_invocation(words)
    assert got[0] == "api_server" and got[1][0].style == "synthetic"
    assert [t.text for t in got[2]][:2] == ["--model", "m"]


def test_docker_run_entrypoint_override_and_command() -> None:
    got = find_vllm_invocation(toks("podman run --entrypoint vllm img:1 serve m"))
    assert got[0] == "serve" and got[2][0].text == "m"
    got = find_vllm_invocation(toks("docker run --gpus 2 rocm/vllm vllm serve m"))
    assert got[0] == "serve"


@pytest.mark.parametrize("gpus,env,count,all_visible", [
    ("all", {}, None, True),
    ("2", {}, 2, False),
    ('"device=0,2"', {}, 2, False),
    ("all", {"CUDA_VISIBLE_DEVICES": "0"}, 1, False),
    ("all", {"CUDA_VISIBLE_DEVICES": "all"}, 0, False),
    ("all", {"NVIDIA_VISIBLE_DEVICES": "1,2,3"}, 3, False),
    ("all", {"NVIDIA_VISIBLE_DEVICES": "none"}, 0, False),
])
def test_gpu_visibility(gpus, env, count, all_visible) -> None:
    req = container_gpu(gpus=Token(gpus), env={k: EnvValue(v) for k, v in env.items()})
    assert req.count == count and req.all_visible == all_visible


def test_gpu_unknown_when_symbolic_or_absent() -> None:
    assert container_gpu(gpus=Token("$G", symbolic=True)).count is None
    req = container_gpu()
    assert req.count is None and req.notes
    amd = container_gpu(devices=["/dev/kfd", "/dev/dri"], env={"HIP_VISIBLE_DEVICES": EnvValue("0")})
    assert amd.count == 1 and amd.product == "AMD"


def test_shell_script_index() -> None:
    assert shell_script_index(toks("/bin/sh -c x")) == 2
    assert shell_script_index(toks("bash -lc x")) == 2
    assert shell_script_index(toks("env A=1 bash -ec x")) == 4
    assert shell_script_index(toks("bash run.sh")) is None


def test_docker_exec_runs_command_in_container() -> None:
    got = find_vllm_invocation(toks("sudo docker exec -it -e A=1 ray-head vllm serve m --tp 2"))
    assert got[0] == "serve" and [t.text for t in got[2]] == ["m", "--tp", "2"]
    assert got[3].container_exec == "ray-head"
    assert find_vllm_invocation(toks("docker exec ray-head ray status")) is None


def test_exec_launch_gpu_is_unknown(tmp_path) -> None:
    from vllm_lint.sources.shell import scripts
    from vllm_lint.sources.base import SourceFile

    [launch] = scripts.extract(SourceFile.from_text("docker exec c vllm serve m\n", "s.sh", "shell")).launches
    assert launch.gpu.count is None and not launch.gpu.all_visible
    assert any("GPU count is not known" in u for u in launch.unknowns)


@pytest.mark.parametrize("opts,count,all_visible,mechanism", [
    ("--runtime nvidia", None, True, "runtime: nvidia"),
    ("--runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=2,3", 2, False, "runtime: nvidia"),
    ("--device=/dev/kfd --device=/dev/dri -e HIP_VISIBLE_DEVICES=0", 1, False, "devices"),
    ("--gpus=all -e CUDA_VISIBLE_DEVICES=0", 1, False, "--gpus"),
    ("--gpus 4", 4, False, "--gpus"),
    ("", None, False, None),
])
def test_docker_run_gpu_mechanisms(opts, count, all_visible, mechanism) -> None:
    run = parse_docker_run(toks(f"docker run {opts} vllm/vllm-openai:v0.9.2 --model m"))
    g = run.gpu()
    assert g.count == count and g.all_visible == all_visible
    assert (g.mechanism or "").startswith(mechanism or "")
    if mechanism is None:
        assert g.mechanism is None and g.notes


def test_host_path_through_mounts(tmp_path) -> None:
    from vllm_lint.sources.containers.docker_run import host_path

    mounts = {"/workspace/config.yaml": "./config.yaml", "/models": "./models", "/models/big": "../big"}
    assert host_path(mounts, tmp_path, "/workspace/config.yaml") == tmp_path / "config.yaml"
    assert host_path(mounts, tmp_path, "/models/x/config.json") == tmp_path / "models" / "x" / "config.json"
    assert host_path(mounts, tmp_path, "/models/big/a") == tmp_path / ".." / "big" / "a"
    assert host_path(mounts, tmp_path, "/etc/x") is None and host_path(None, tmp_path, "/x") is None
