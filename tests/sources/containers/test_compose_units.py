"""compose details: interpolation, .env parsing, every GPU mechanism, insertion styles, report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vllm_lint.launch import EnvValue
from vllm_lint.sources.containers import compose
from vllm_lint.sources.base import SourceFile
from vllm_lint.sources.containers.dotenv import parse_dotenv, parse_dotenv_full
from vllm_lint.sources.containers.interpolate import interpolate_text


def _env(**kw) -> dict[str, EnvValue]:
    return {k: EnvValue(v) for k, v in kw.items()}


@pytest.mark.parametrize("text,env,out,symbolic", [
    ("a ${X} b", {"X": "1"}, "a 1 b", False),
    ("$X-$Y", {"X": "1", "Y": "2"}, "1-2", False),
    ("${X:-d}", {}, "d", False),
    ("${X:-d}", {"X": ""}, "d", False),
    ("${X-d}", {"X": ""}, "", False),
    ("${X:+alt}", {"X": "1"}, "alt", False),
    ("${X:+alt}", {}, "", False),
    ("${A:-${B:-inner}}", {}, "inner", False),
    ("${P:---enable-prefix-caching}", {}, "--enable-prefix-caching", False),
    ("$$HOME", {}, "$HOME", False),
    ("${UNSET}", {}, "${UNSET}", True),
    ("${X:?need it}", {}, "${X:?need it}", True),
])
def test_interpolation(text, env, out, symbolic) -> None:
    res = interpolate_text(text, _env(**env))
    assert res.text == out and res.is_symbolic == symbolic


def test_dotenv_parsing() -> None:
    text = ("# comment\nA=1\nexport B='two words'\nC=\"x\\ny\"\nJSON={\"image\": 4, \"audio\": 1}\nD=val # note\n"
            "E=${A}-x\nA=3\nbroken line\nF=\n")
    full = parse_dotenv_full(text)
    v = full.values
    assert v["A"].value == "3" and [k for k, _ in full.duplicates] == ["A"]
    assert v["B"].value == "two words" and v["C"].value == "x\ny"
    assert v["JSON"].value == '{"image": 4, "audio": 1}'
    assert v["D"].value == "val" and v["E"].value == "1-x" and v["F"].value == ""
    assert full.invalid_lines == [9]


def test_dotenv_value_spans() -> None:
    from vllm_lint.span import LineIndex

    text = "A=hello\nB=\"quoted\"\n"
    v = parse_dotenv(text, LineIndex("e", text))
    assert v["A"].span.slice(text) == "hello" and v["B"].span.slice(text) == "quoted"


def _svc(yaml_text: str, tmp_path: Path, dotenv: str | None = None):
    (tmp_path / "docker-compose.yml").write_text(yaml_text)
    if dotenv is not None:
        (tmp_path / ".env").write_text(dotenv)
    src = SourceFile.from_text(yaml_text, "docker-compose.yml", "compose", path=tmp_path / "docker-compose.yml")
    res = compose.extract(src)
    assert not res.diagnostics
    return src, res.launches


BASE = "services:\n  v:\n    image: vllm/vllm-openai:v0.30.0\n    command: [m]\n"


@pytest.mark.parametrize("extra,dotenv,count,all_visible,mechanism", [
    ("    deploy: {resources: {reservations: {devices: [{driver: nvidia, count: 4, capabilities: [gpu]}]}}}\n", None, 4, False, "deploy"),
    ("    deploy: {resources: {reservations: {devices: [{driver: nvidia, count: all, capabilities: [gpu]}]}}}\n", None, None, True, "deploy"),
    ("    deploy: {resources: {reservations: {devices: [{driver: nvidia, count: \"all\", capabilities: [gpu]}]}}}\n", None, None, True, "deploy"),
    ("    deploy: {resources: {reservations: {devices: [{capabilities: [gpu], count: \"${N:-all}\"}]}}}\n", "N=3\n", 3, False, "deploy"),
    ("    deploy: {resources: {reservations: {devices: [{capabilities: [gpu], count: \"${N:-all}\"}]}}}\n", None, None, True, "deploy"),
    ("    deploy: {resources: {reservations: {devices: [{capabilities: [gpu]}]}}}\n", None, None, True, "deploy"),
    ("    deploy: {resources: {reservations: {devices: [{capabilities: [gpu], device_ids: ['2', '3']}]}}}\n", None, 2, False, "deploy"),
    ("    runtime: nvidia\n", None, None, True, "runtime"),
    ("    runtime: nvidia\n    environment: [NVIDIA_VISIBLE_DEVICES=1]\n", None, 1, False, "runtime"),
    ("    gpus: all\n    environment: {CUDA_VISIBLE_DEVICES: '0'}\n", None, 1, False, "gpus"),
    ("    gpus: all\n    environment: {CUDA_VISIBLE_DEVICES: '${CVD:-all}'}\n", None, 0, False, "gpus"),
    ("    gpus: [{driver: nvidia, count: 2}]\n", None, 2, False, "gpus"),
    ("    devices: [/dev/kfd, /dev/dri]\n    environment: [\"HIP_VISIBLE_DEVICES=0,1\"]\n", None, 2, False, "devices"),
    ("", None, None, False, None),
])
def test_gpu_mechanisms(tmp_path: Path, extra, dotenv, count, all_visible, mechanism) -> None:
    _, [launch] = _svc(BASE + extra, tmp_path, dotenv)
    g = launch.gpu
    assert g.count == count and g.all_visible == all_visible
    if mechanism is None:
        assert g.mechanism is None and any("GPU count is not known" in u for u in launch.unknowns)
    else:
        assert g.mechanism.startswith(mechanism)
    if count is None:
        assert launch.unknowns


def test_string_command_split_like_compose(tmp_path: Path) -> None:
    text = "services:\n  v:\n    image: vllm/vllm-openai:v0.30.0\n    command: m --chat-template '{% x %}' --a=\"b c\"\n"
    src, [launch] = _svc(text, tmp_path)
    assert [t.text for t in launch.args] == ["m", "--chat-template", "{% x %}", '--a=b c']
    assert launch.args[2].span.slice(src.text) == "{% x %}"
    assert launch.args[3].span.slice(src.text) == '--a="b c"'
    assert launch.insertion.render(["--x", "1"]) == " --x 1"


def test_env_file_and_precedence(tmp_path: Path) -> None:
    (tmp_path / "vllm.env").write_text("A=from-file\nB=file\n")
    text = ("services:\n  v:\n    image: vllm/vllm-openai:v0.30.0\n    env_file: [vllm.env, {path: gone.env, required: false}]\n"
            "    environment:\n      B: env\n    command: [m, --x, \"$${A}\"]\n")
    _, [launch] = _svc(text, tmp_path)
    assert launch.env["A"].value == "from-file" and launch.env["B"].value == "env"
    assert launch.args[-1].text == "${A}"  # $$ is a literal $ for the container


def test_no_command_gets_command_key_insertion(tmp_path: Path) -> None:
    text = "services:\n  v:\n    image: vllm/vllm-openai:v0.30.0\n    ports: [\"8000:8000\"]\n"
    src, [launch] = _svc(text, tmp_path)
    assert launch.args == []
    new = src.text[:launch.insertion.offset] + launch.insertion.render(["m", "--max-model-len", "4096"]) + src.text[launch.insertion.offset:]
    import yaml

    assert yaml.safe_load(new)["services"]["v"]["command"] == ["m", "--max-model-len", "4096"]


def test_non_vllm_and_templated_files(tmp_path: Path) -> None:
    _, launches = _svc("services:\n  r:\n    image: redis\n    command: redis-server\n", tmp_path)
    assert launches == []
    src = SourceFile.from_text("services: [\n", "c.yml", "compose")
    res = compose.extract(src)
    assert [d.rule for d in res.diagnostics] == ["VL001"] and res.launches == []


def test_launches_report_json_and_text(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from vllm_lint.report.launches import launches_json, render_launches

    _, launches = _svc(BASE + "    gpus: all\n", tmp_path)
    doc = json.loads(launches_json(launches))
    [l] = doc["launches"]
    assert l["name"] == "services.v" and l["source"] == "compose" and l["entrypoint"] == "serve"
    assert l["argv"][0]["text"] == "m" and l["argv"][0]["line"] == 4 and l["argv"][0]["column"] == 15
    assert l["program"][0]["style"] == "synthetic" and l["program"][0]["line"] is None
    assert l["gpu"]["all_visible"] is True and l["vllm_version"] == "0.30.0"
    assert l["insertion"]["example"] == ', --max-model-len, "8192"'  # plain like the last item
    buf = io.StringIO()
    render_launches(launches, "text", Console(file=buf, no_color=True, width=200))
    out = buf.getvalue()
    assert "services.v" in out and "argv:    vllm serve m" in out and "gpu:     all visible" in out


def test_dotenv_with_a_whole_command_is_a_launch() -> None:
    from vllm_lint.sources.containers import env_file

    text = "MODEL=org/m\nVLLM_CMD='vllm serve $MODEL --max-model-len 4096'\nOTHER=1\n"
    res = env_file.extract(SourceFile.from_text(text, ".env", "env"))
    [launch] = res.launches
    assert launch.name.startswith("VLLM_CMD: ") and [t.text for t in launch.args] == ["org/m", "--max-model-len", "4096"]
    assert launch.args[1].span.slice(text) == "--max-model-len"
    assert env_file.extract(SourceFile.from_text("A=1\n", ".env", "env")).launches == []


def test_extends_same_file(tmp_path: Path) -> None:
    text = ("services:\n  base:\n    image: vllm/vllm-openai:v0.30.0\n    gpus: all\n    environment:\n      A: '1'\n      B: '2'\n"
            "    command: [m1]\n  child:\n    extends: {service: base}\n    environment:\n      B: '3'\n"
            "    command: [m2, --max-model-len, '4096']\n")
    _, launches = _svc(text, tmp_path)
    by = {x.name: x for x in launches}
    child = by["services.child"]
    assert child.image == "vllm/vllm-openai:v0.30.0" and child.gpu.all_visible
    assert child.env["A"].value == "1" and child.env["B"].value == "3"
    assert [t.text for t in child.args] == ["m2", "--max-model-len", "4096"]


def test_sh_c_in_a_command_string_and_scale(tmp_path: Path) -> None:
    text = ("services:\n  v:\n    image: vllm/vllm-openai:v0.30.0\n    entrypoint: /bin/sh\n    scale: 2\n"
            "    command: -c \"sleep 1 && exec vllm serve m --max-model-len 4096\"\n")
    src, [launch] = _svc(text, tmp_path)
    assert launch.entrypoint == "serve" and [t.text for t in launch.args] == ["m", "--max-model-len", "4096"]
    assert launch.args[1].span.slice(src.text) == "--max-model-len" and launch.replicas == 2
    new = src.text[:launch.insertion.offset] + launch.insertion.render(["--x", "1"]) + src.text[launch.insertion.offset:]
    assert "--max-model-len 4096 --x 1\"" in new
