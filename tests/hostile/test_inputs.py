"""One test per hostile input named in docs/security.md: each gives diagnostics or nothing,
never a traceback (VL000) and never a hang (every run has a CPU-time budget)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hostile_support import assert_clean_run, assert_spans_ok, internal_errors, lint, run_cli
from time_budgets import time_budget

REPO = Path(__file__).resolve().parents[2]

# ----------------------------------------------------------------------------- sample files

COMPOSE = """\
services:
  vllm:
    image: vllm/vllm-openai:v0.8.5
    command: ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--max-model-len", "32768"]
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: 1
              capabilities: [gpu]
"""

K8S = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.8.5
          command: ["vllm", "serve"]
          args:
            - meta-llama/Llama-3.1-8B-Instruct
            - --max-model-len
            - "32768"
          resources:
            limits:
              nvidia.com/gpu: 1
"""

SHELL = """\
#!/usr/bin/env bash
set -euo pipefail
vllm serve meta-llama/Llama-3.1-8B-Instruct \\
  --max-model-len 32768 \\
  --gpu-memory-utilization 0.9
"""

DOCKERFILE = """\
FROM vllm/vllm-openai:v0.8.5
ENV HF_HOME=/models
CMD ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--max-model-len", "32768"]
"""

DOTENV = """\
MODEL=meta-llama/Llama-3.1-8B-Instruct
MAX_MODEL_LEN=32768
"""

HELM_VALUES = """\
servingEngineSpec:
  modelSpec:
    - name: qwen
      repository: vllm/vllm-openai
      tag: v0.8.5
      modelURL: meta-llama/Llama-3.1-8B-Instruct
      requestGPU: 1
      vllmConfig:
        maxModelLen: 32768
"""

# (file name, content) for every format the linter discovers.
FORMATS = {
    "compose": ("docker-compose.yml", COMPOSE),
    "k8s": ("deployment.yaml", K8S),
    "shell": ("serve.sh", SHELL),
    "dockerfile": ("Dockerfile", DOCKERFILE),
    "dotenv": (".env", DOTENV),
    "helm": ("values.yaml", HELM_VALUES),
}


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_bytes(data.encode("utf-8"))
    else:
        path.write_bytes(data)
    return path


def rules_of(result) -> list[str]:
    return [d.rule for d in result.diagnostics]


def only(result, rule: str) -> list:
    return [d for d in result.diagnostics if d.rule == rule]


# ----------------------------------------------------------------------------- alias bombs


def _bomb_anchors(indent: str = "") -> str:
    lines = [f'{indent}a0: &a0 ["--lol", "--lol", "--lol", "--lol", "--lol", "--lol", "--lol", "--lol", "--lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"{indent}a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


BOMBS = {
    "compose": (
        "docker-compose.yml",
        "x-bomb:\n" + _bomb_anchors("  ")
        + "services:\n  vllm:\n    image: vllm/vllm-openai:v0.8.5\n    command: *a9\n    environment: *a9\n",
    ),
    "k8s": (
        "deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: vllm\n  annotations:\n"
        + _bomb_anchors("    ")
        + "spec:\n  template:\n    spec:\n      containers:\n        - name: vllm\n"
        "          image: vllm/vllm-openai:v0.8.5\n          args: *a9\n",
    ),
    "helm": (
        "values.yaml",
        _bomb_anchors() + "servingEngineSpec:\n  modelSpec:\n    - name: q\n      modelURL: meta-llama/Llama-3.1-8B-Instruct\n"
        "      vllmConfig:\n        extraArgs: *a9\n",
    ),
}


@pytest.mark.parametrize("fmt", sorted(BOMBS))
def test_yaml_alias_bomb_is_refused_with_the_limit_named(tmp_path, fmt):
    name, text = BOMBS[fmt]
    result = lint(write(tmp_path / name, text), budget=20)
    assert_clean_run(result)
    found = only(result, "VL002")
    assert found, rules_of(result)
    msg = found[0].message
    assert "alias" in msg and "100" in msg.replace(",", "").replace("_", ""), msg


def test_alias_limit_is_configurable(tmp_path):
    # 9 aliases of a 3-item list: ~36 extra nodes. Fine by default, refused under a limit of 10.
    text = ("x-a: &a [\"--x\", \"1\", \"2\"]\nservices:\n  vllm:\n    image: vllm/vllm-openai:v0.8.5\n"
            "    command: [" + ", ".join(["*a"] * 9) + "]\n")
    path = write(tmp_path / "docker-compose.yml", text)
    assert not only(lint(path), "VL002")
    limited = lint(path, aliases=10)
    found = only(limited, "VL002")
    assert found and "10" in found[0].message, rules_of(limited)


def test_recursive_alias_does_not_hang(tmp_path):
    # PyYAML composes a self-containing anchor into a cyclic node graph.
    text = "x-a: &a [*a]\nservices:\n  vllm:\n    image: vllm/vllm-openai:v0.8.5\n    command: *a\n"
    result = lint(write(tmp_path / "docker-compose.yml", text), budget=10)
    assert_clean_run(result)


# ----------------------------------------------------------------------------- deep nesting


DEEP_PLACES = {
    "compose": ("docker-compose.yml", "services:\n  vllm:\n    image: vllm/vllm-openai:v0.8.5\n    command: {}\n"),
    "k8s": ("deployment.yaml", K8S.replace("args:", "args: {}\n          x-args:")),
    "helm": ("values.yaml", HELM_VALUES + "extraArgs: {}\n"),
}


# Every format reads YAML through loader.load_documents: each is nested under libyaml's 1,000-level
# cap, and one far over it (the pure-Python fallback, whose scanner cost grows with the depth reached).
@pytest.mark.parametrize(("depth", "fmt"), [(500, fmt) for fmt in sorted(DEEP_PLACES)] + [(50_000, "compose")])
def test_deep_yaml_flow_nesting(tmp_path, depth, fmt):
    name, template = DEEP_PLACES[fmt]
    text = template.replace("{}", "[" * depth + "]" * depth)
    result = lint(write(tmp_path / name, text), budget=30)
    assert_clean_run(result)
    found = only(result, "VL002")
    assert found, rules_of(result)
    assert "nest" in found[0].message or "deep" in found[0].message, found[0].message


def test_deep_yaml_block_nesting(tmp_path):
    depth = 1500
    lines = ["services:", "  vllm:", "    image: vllm/vllm-openai:v0.8.5", "    labels:"]
    lines += [" " * (6 + i) + f"k{i}:" for i in range(depth)]
    lines[-1] += " end"
    result = lint(write(tmp_path / "docker-compose.yml", "\n".join(lines) + "\n"), budget=60)
    assert_clean_run(result)
    assert only(result, "VL002"), rules_of(result)


def test_depth_limit_is_configurable_and_named(tmp_path):
    text = "services:\n  vllm:\n    image: vllm/vllm-openai:v0.8.5\n    labels: " + "[" * 40 + "]" * 40 + "\n"
    path = write(tmp_path / "docker-compose.yml", text)
    assert not only(lint(path), "VL002")
    found = only(lint(path, depth=20), "VL002")
    assert found and "20" in found[0].message, found


@pytest.mark.parametrize(
    "script",
    [
        "vllm serve m --max-model-len " + "$(echo " * 3000 + "1" + ")" * 3000 + "\n",
        "vllm serve m --max-model-len \"" + "${A:-" * 3000 + "1" + "}" * 3000 + "\"\n",
        "vllm serve m " + "(" * 3000 + ")" * 3000 + "\n",
        "vllm serve m " + "`echo " * 200 + "`" * 200 + "\n",
        "vllm serve m --x " + "'" * 100_001 + "\n",
        "vllm serve m \\\n" * 20_000,
        "f() { f; }; f\nvllm serve m\n",
        "A=\"$A$A\"\n" * 64 + "vllm serve m --max-model-len \"$A\"\n",
    ],
    ids=["cmdsubst", "param-default", "subshells", "backticks", "quotes", "continuations", "recursion", "var-doubling"],
)
def test_deep_or_explosive_shell(tmp_path, script):
    result = lint(write(tmp_path / "serve.sh", "#!/bin/sh\n" + script), budget=30)
    assert_clean_run(result)


def test_dockerfile_deep_json_exec_form(tmp_path):
    text = "FROM vllm/vllm-openai:v0.8.5\nCMD " + "[" * 100_000 + "]" * 100_000 + "\n"
    result = lint(write(tmp_path / "Dockerfile", text), budget=30)
    assert_clean_run(result)


def test_dotenv_expansion_bomb_and_cycle(tmp_path):
    env = ["A0=xxxxxxxxxxxxxxxx"] + [f"A{i}=${{A{i - 1}}}${{A{i - 1}}}" for i in range(1, 60)]
    env += ["C1=${C2}", "C2=${C1}"]
    write(tmp_path / ".env", "\n".join(env) + "\n")
    compose = ("services:\n  vllm:\n    image: vllm/vllm-openai:v0.8.5\n"
               "    command: [\"--model\", \"${A59}\", \"--served-model-name\", \"${C1}\"]\n")
    result = lint(write(tmp_path / "docker-compose.yml", compose), budget=30)
    assert_clean_run(result)


# ----------------------------------------------------------------------------- size


def test_200_mib_file_is_skipped_with_the_limit_named(tmp_path):
    path = tmp_path / "docker-compose.yml"
    with open(path, "wb") as fh:
        fh.write(b"services:\n  vllm:\n    image: vllm/vllm-openai:v0.8.5\n")
        fh.truncate(200 * 1024 * 1024)  # sparse: costs no disk, reads as NULs
    result = lint(path, budget=10)
    assert_clean_run(result)
    found = only(result, "VL002")
    assert found, rules_of(result)
    assert "1 MiB" in found[0].message and "--max-file-size" in found[0].message, found[0].message


def test_size_limit_is_configurable(tmp_path):
    path = write(tmp_path / "docker-compose.yml", COMPOSE)
    assert not only(lint(path), "VL002")
    found = only(lint(path, size=100), "VL002")
    assert found and "100 B" in found[0].message, found


def test_size_limit_via_cli(tmp_path):
    path = write(tmp_path / "docker-compose.yml", COMPOSE)
    code, out, err = run_cli([path, "--format", "json", "--max-file-size", "100"])
    assert code == 1, (code, err)
    rules = [d["rule"] for d in json.loads(out)["diagnostics"]]
    assert "VL002" in rules


def test_huge_single_line_under_the_limit(tmp_path):
    text = COMPOSE.replace("32768", "3" * 9_000_000)
    result = lint(write(tmp_path / "docker-compose.yml", text), budget=60)
    assert_clean_run(result)


def test_many_yaml_documents(tmp_path):
    text = "---\n".join([K8S] * 3000)
    result = lint(write(tmp_path / "deployment.yaml", text), budget=120)
    assert_clean_run(result)


# ----------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_nul_bytes(tmp_path, fmt):
    name, text = FORMATS[fmt]
    raw = text.encode()
    cut = len(raw) - 8  # late in the file, so the name/content still say which format it is
    data = raw[:cut] + b"\x00\x00" + raw[cut:]
    result = lint(write(tmp_path / name, data))
    assert_clean_run(result)
    found = only(result, "VL002")
    assert found and "NUL" in found[0].message, rules_of(result)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_invalid_utf8(tmp_path, fmt):
    name, text = FORMATS[fmt]
    raw = text.encode()
    cut = len(raw) - 8
    data = raw[:cut] + b"\xc3\x28\xa0\xa1" + raw[cut:]
    result = lint(write(tmp_path / name, data))
    assert_clean_run(result)
    found = only(result, "VL002")
    assert found and "UTF-8" in found[0].message, rules_of(result)


def _token(result, text: str):
    for ctx in result.launches:
        for tok in ctx.launch.args:
            if tok.raw == text or tok.text == text:
                return ctx, tok
    return None, None


@pytest.mark.parametrize("fmt", ["compose", "k8s", "shell", "dockerfile"])
def test_utf8_bom_keeps_spans_right(tmp_path, fmt):
    name, text = FORMATS[fmt]
    result = lint(write(tmp_path / name, "\ufeff" + text))
    assert_clean_run(result)
    ctx, tok = _token(result, "--max-model-len")
    assert tok is not None, "no launch with --max-model-len extracted from a BOM file"
    assert ctx.src.had_bom
    assert tok.span.slice(ctx.src.text) == "--max-model-len"
    want_line = next(i for i, line in enumerate(text.splitlines(), 1) if "--max-model-len" in line)
    assert tok.span.line == want_line


@pytest.mark.parametrize("fmt", ["compose", "k8s", "shell", "dockerfile", "helm"])
def test_crlf_keeps_spans_right(tmp_path, fmt):
    name, text = FORMATS[fmt]
    crlf = text.replace("\n", "\r\n")
    result = lint(write(tmp_path / name, crlf))
    assert_clean_run(result)
    assert result.launches, f"no launch extracted from a CRLF {fmt} file"
    for ctx in result.launches:
        for tok in ctx.launch.args:
            if tok.span is None or tok.style == "synthetic":
                continue
            raw = tok.span.slice(ctx.src.text)
            assert "\r" not in raw or tok.style != "argv", f"token span swallowed a CR: {raw!r}"
    if fmt != "helm":
        ctx, tok = _token(result, "--max-model-len")
        assert tok is not None
        assert tok.span.slice(ctx.src.text) == "--max-model-len"
        want_line = next(i for i, line in enumerate(text.splitlines(), 1) if "--max-model-len" in line)
        assert tok.span.line == want_line
        col = crlf.splitlines()[want_line - 1].index("--max-model-len") + 1
        assert tok.span.column == col


def test_crlf_shell_line_continuation(tmp_path):
    result = lint(write(tmp_path / "serve.sh", SHELL.replace("\n", "\r\n")))
    assert_clean_run(result)
    ctx, tok = _token(result, "--gpu-memory-utilization")
    assert tok is not None, "a backslash-CRLF continuation must continue the command (bash on WSL/git autocrlf)"


def test_lone_cr_line_endings(tmp_path):
    result = lint(write(tmp_path / "docker-compose.yml", COMPOSE.replace("\n", "\r")))
    assert not internal_errors(result)
    assert_spans_ok(result)


def test_utf16_with_bom(tmp_path):
    result = lint(write(tmp_path / "docker-compose.yml", COMPOSE.encode("utf-16")))
    assert_clean_run(result)


# ----------------------------------------------------------------------------- merge conflicts


@pytest.mark.parametrize("fmt", ["compose", "k8s", "shell", "dockerfile", "dotenv"])
def test_merge_conflict_markers(tmp_path, fmt):
    name, text = FORMATS[fmt]
    lines = text.splitlines(keepends=True)
    conflicted = "".join(lines[:2] + ["<<<<<<< HEAD\n"] + lines[2:3] + ["=======\n"] + lines[2:3] + [">>>>>>> feature\n"] + lines[3:])
    result = lint(write(tmp_path / name, conflicted))
    assert_clean_run(result)
    found = only(result, "VL003")
    assert found, rules_of(result)
    assert found[0].line == 3
    assert "conflict" in found[0].message


# ----------------------------------------------------------------------------- templates, tags


def test_helm_chart_with_template_syntax(tmp_path):
    chart = tmp_path / "chart"
    write(chart / "Chart.yaml", "apiVersion: v2\nname: vllm\nversion: 0.1.0\n")
    write(chart / "values.yaml", HELM_VALUES + "podAnnotations:\n  checksum: \"{{ .Release.Name }}\"\n")
    write(chart / "templates" / "deployment.yaml", """\
{{- if .Values.enabled }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "vllm.fullname" . }}
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          args:
            {{- range .Values.extraArgs }}
            - {{ . | quote }}
            {{- end }}
          resources: {{ toYaml .Values.resources | nindent 12 }}
{{- end }}
""")
    write(chart / "templates" / "_helpers.tpl", '{{- define "vllm.fullname" -}}{{ .Release.Name }}{{- end }}\n')
    result = lint(chart)
    assert_clean_run(result)
    assert not [d for d in result.diagnostics if d.rule == "VL001" and "templates" in d.path], rules_of(result)


def test_template_braces_in_plain_yaml_values(tmp_path):
    text = HELM_VALUES + "image: {{ .Values.image }}\n"
    result = lint(write(tmp_path / "values.yaml", text))
    assert_clean_run(result)


def test_custom_and_python_tags_are_inert(tmp_path):
    marker = tmp_path / "PWNED"
    text = f"""\
x-ref: !Ref SomeParameter
x-sub: !Sub "${{AWS::Region}}"
x-py: !!python/object/apply:os.system ["touch {marker}"]
x-name: !!python/name:os.system
x-new: !!python/object/new:subprocess.Popen [["touch", "{marker}"]]
services:
  vllm:
    image: !Ref Image
    command: !!python/object/apply:os.system ["touch {marker}"]
    environment:
      HF_TOKEN: !GetAtt Secret.Value
"""
    result = lint(write(tmp_path / "docker-compose.yml", text))
    assert_clean_run(result)
    assert not marker.exists(), "a YAML tag was constructed: something ran"


def test_tags_in_k8s_args_are_inert(tmp_path):
    marker = tmp_path / "PWNED"
    text = K8S.replace('- "32768"', f'- !!python/object/apply:os.system ["touch {marker}"]')
    result = lint(write(tmp_path / "deployment.yaml", text))
    assert_clean_run(result)
    assert not marker.exists()


def test_shell_is_never_run(tmp_path):
    marker = tmp_path / "PWNED"
    script = f"""\
#!/bin/sh
touch {marker}
vllm serve "$(touch {marker})" --max-model-len `touch {marker}` --tokenizer ${{X:-$(touch {marker})}}
"""
    result = lint(write(tmp_path / "serve.sh", script))
    assert_clean_run(result)
    assert not marker.exists()


# ----------------------------------------------------------------------------- empty


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("content", ["", "\n", "   \n\n", "---\n", "# just a comment\n", "\ufeff"])
def test_empty_files_give_nothing(tmp_path, fmt, content):
    name, _ = FORMATS[fmt]
    result = lint(write(tmp_path / name, content))
    assert_clean_run(result)
    assert not result.diagnostics, rules_of(result)


# ----------------------------------------------------------------------------- files changing under us


def _patch_discover(monkeypatch, after):
    from vllm_lint import discover

    real = discover.discover

    def wrapped(*args, **kwargs):
        files = list(real(*args, **kwargs))
        after(files)
        return files

    monkeypatch.setattr(discover, "discover", wrapped)


def test_file_vanishes_after_discovery(tmp_path, monkeypatch):
    gone = write(tmp_path / "a" / "docker-compose.yml", COMPOSE)
    kept = write(tmp_path / "b" / "docker-compose.yml", COMPOSE)
    _patch_discover(monkeypatch, lambda files: gone.unlink())
    result = lint(tmp_path)
    assert_clean_run(result)
    found = only(result, "VL002")
    assert found and found[0].path.endswith(os.path.join("a", "docker-compose.yml")), rules_of(result)
    assert any(str(kept.parent.name) in f for f in result.files)


def test_file_becomes_a_directory_after_discovery(tmp_path, monkeypatch):
    path = write(tmp_path / "docker-compose.yml", COMPOSE)

    def swap(files):
        path.unlink()
        path.mkdir()

    _patch_discover(monkeypatch, swap)
    result = lint(tmp_path)
    assert_clean_run(result)
    assert only(result, "VL002"), rules_of(result)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path):
    path = write(tmp_path / "docker-compose.yml", COMPOSE)
    path.chmod(0)
    try:
        result = lint(tmp_path)
    finally:
        path.chmod(0o644)
    assert_clean_run(result)
    assert only(result, "VL002"), rules_of(result)


def test_file_becomes_unreadable_after_discovery(tmp_path, monkeypatch):
    """Simulated with an OSError from open() (works as root too)."""
    import builtins

    path = write(tmp_path / "docker-compose.yml", COMPOSE)
    real_open = builtins.open

    real_os_open = os.open

    def deny(file, *args, **kwargs):
        if str(file) == str(path) or (isinstance(file, Path) and file == path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    def deny_os(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_os_open(file, *args, **kwargs)

    def after(files):
        monkeypatch.setattr(builtins, "open", deny)
        monkeypatch.setattr(os, "open", deny_os)

    _patch_discover(monkeypatch, after)
    result = lint(tmp_path)
    monkeypatch.setattr(builtins, "open", real_open)
    monkeypatch.setattr(os, "open", real_os_open)
    assert_clean_run(result)
    found = only(result, "VL002")
    assert found and "Permission denied" in found[0].message, rules_of(result)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_named_like_a_config_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "docker-compose.yml")
    write(tmp_path / "serve.sh", SHELL)
    result = lint(tmp_path, budget=10)
    assert_clean_run(result)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_passed_by_name_does_not_block(tmp_path):
    fifo = tmp_path / "docker-compose.yml"
    os.mkfifo(fifo)
    result = lint(fifo, budget=10)
    assert_clean_run(result)


def test_device_symlink_does_not_read_forever(tmp_path):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    (tmp_path / "values.yaml").symlink_to("/dev/zero")
    result = lint(tmp_path, budget=20)
    assert_clean_run(result)


# ----------------------------------------------------------------------------- symlinks, names


def test_symlink_loops(tmp_path):
    write(tmp_path / "deploy" / "docker-compose.yml", COMPOSE)
    (tmp_path / "deploy" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "deploy" / "self").symlink_to(tmp_path / "deploy" / "self")
    (tmp_path / "x.yml").symlink_to(tmp_path / "y.yml")
    (tmp_path / "y.yml").symlink_to(tmp_path / "x.yml")
    (tmp_path / "docker-compose.yaml").symlink_to(tmp_path / "docker-compose.yaml")
    (tmp_path / "dangling.sh").symlink_to(tmp_path / "nowhere.sh")
    result = lint(tmp_path, budget=20)
    assert_clean_run(result)
    composes = [f for f in result.files if f.endswith("docker-compose.yml")]
    assert len(composes) <= 3, f"a directory loop was followed: {result.files}"


def test_symlink_loop_passed_by_name(tmp_path):
    loop = tmp_path / "docker-compose.yml"
    loop.symlink_to(loop)
    result = lint(loop, budget=10)
    assert_clean_run(result)


def test_non_utf8_file_name_in_process(tmp_path):
    root = os.fsencode(tmp_path)
    bad_dir = os.path.join(root, b"deploy-\xff\xfe")
    os.makedirs(bad_dir)
    with open(os.path.join(bad_dir, b"docker-compose.yml"), "wb") as fh:
        fh.write(COMPOSE.encode())
    with open(os.path.join(root, b"serve-\xe9.sh"), "wb") as fh:
        fh.write(SHELL.encode())
    result = lint(tmp_path)
    assert_clean_run(result)
    code, out, err = run_cli([tmp_path, "--format", "json"])
    assert code in (0, 1), err
    json.loads(out)


# every reporter with a strict UTF-8 stdout (the one that can fail), the text one with C.UTF-8 too;
# -m slow runs the other reporters with C.UTF-8
@pytest.mark.parametrize(("fmt", "io_encoding"), [
    (fmt, enc) if enc or fmt == "text" else pytest.param(fmt, enc, marks=pytest.mark.slow)
    for enc in ("", "utf-8:strict") for fmt in ("text", "json", "github", "sarif")])
def test_non_utf8_file_name_cli_subprocess(tmp_path, fmt, io_encoding):
    """A real process writing to a pipe, with C.UTF-8 (surrogateescape stdout) and with a strict
    UTF-8 stdout (what en_US.UTF-8 gives): surrogate-escaped names must not crash output."""
    root = os.fsencode(tmp_path)
    bad_dir = os.path.join(root, b"deploy-\xff")
    os.makedirs(bad_dir)
    with open(os.path.join(bad_dir, b"docker-compose.yml"), "wb") as fh:
        fh.write(COMPOSE.replace("32768", "999999999").encode())
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "LC_ALL": "C.UTF-8", "NO_COLOR": "1"}
    env.pop("PYTHONIOENCODING", None)
    if io_encoding:
        env["PYTHONIOENCODING"] = io_encoding
    env.pop("GITHUB_ACTIONS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "vllm_lint", "--format", fmt, str(tmp_path)],
        capture_output=True, env=env, timeout=120, cwd=tmp_path,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert proc.returncode in (0, 1), (proc.returncode, stderr)
    out = proc.stdout.decode("utf-8")  # valid UTF-8 out: the name is shown escaped
    assert "deploy-" in out
    if fmt in ("json", "sarif"):
        json.loads(out)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("name", ["entrypoint", "Dockerfile", "values.yaml", "start"])
def test_fifo_whose_name_needs_content_sniffing(tmp_path, name):
    """Discovery reads the head of extensionless or YAML files to classify them: a FIFO there
    must not block either (walked or named explicitly)."""
    os.mkfifo(tmp_path / name)
    write(tmp_path / "Chart.yaml", "apiVersion: v2\nname: x\nversion: 0.1.0\n")
    assert_clean_run(lint(tmp_path, budget=10))
    assert_clean_run(lint(tmp_path / name, budget=10))


def test_yaml_limits_via_cli_and_named(tmp_path):
    text = ("x-a: &a [\"--x\", \"1\", \"2\"]\nservices:\n  vllm:\n    image: vllm/vllm-openai:v0.8.5\n"
            "    command: [" + ", ".join(["*a"] * 9) + "]\n    labels: " + "[" * 40 + "]" * 40 + "\n")
    path = write(tmp_path / "docker-compose.yml", text)
    code, out, _ = run_cli([path, "--format", "json", "--select", "VL0"])
    assert "VL002" not in out
    code, out, err = run_cli([path, "--format", "json", "--max-yaml-aliases", "10"])
    msgs = [d["message"] for d in json.loads(out)["diagnostics"] if d["rule"] == "VL002"]
    assert msgs and "--max-yaml-aliases" in msgs[0] and "10" in msgs[0], (msgs, err)
    code, out, err = run_cli([path, "--format", "json", "--max-yaml-depth", "20"])
    msgs = [d["message"] for d in json.loads(out)["diagnostics"] if d["rule"] == "VL002"]
    assert msgs and "--max-yaml-depth" in msgs[0] and "20" in msgs[0], (msgs, err)


def test_kustomize_reference_cycles(tmp_path):
    """kustomization.yaml files that include themselves or each other must not loop."""
    write(tmp_path / "a" / "kustomization.yaml",
          "resources:\n  - ../b\n  - .\n  - kustomization.yaml\n  - deploy.yaml\n  - /dev/zero\n  - ../../../../../../etc\n"
          "patches:\n  - path: patch.yaml\n  - path: kustomization.yaml\n")
    write(tmp_path / "b" / "kustomization.yaml", "resources:\n  - ../a\n  - ../b\n")
    write(tmp_path / "a" / "deploy.yaml", K8S)
    write(tmp_path / "a" / "patch.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: vllm}\n"
          "spec:\n  template:\n    spec:\n      containers:\n        - name: vllm\n          args: [\"--max-model-len\", \"8192\"]\n")
    result = lint(tmp_path, budget=20)
    assert_clean_run(result)


def test_compose_extends_and_env_file_cycles(tmp_path):
    write(tmp_path / "docker-compose.yml", """\
services:
  a:
    extends: {service: b}
    image: vllm/vllm-openai:v0.8.5
    env_file: [.env, docker-compose.yml, /dev/zero, .]
    command: ["--model", "meta-llama/Llama-3.1-8B-Instruct"]
  b:
    extends: {service: a}
  c:
    extends: {service: c, file: docker-compose.yml}
""")
    write(tmp_path / ".env", "A=${A}\nB=${A:-${B:-${A}}}\n")
    result = lint(tmp_path, budget=20)
    assert_clean_run(result)


# ----------------------------------------------------------------------------- big single launches

def long_cases(n: int) -> dict[str, tuple[str, str]]:
    """Launches of about ``n`` characters or words (the Helm case: 9,000 flags whatever ``n``)."""
    return {
        "compose-long-word": ("docker-compose.yml", 'services:\n  vllm:\n    image: vllm/vllm-openai:v0.8.5\n    command: ["--model", '
                              '"meta-llama/Llama-3.1-8B-Instruct", "--served-model-name", "' + "a" * n + '"]\n'),
        "compose-many-words": ("docker-compose.yml", "services:\n  vllm:\n    image: vllm/vllm-openai:v0.8.5\n    command: --model m "
                               + "a " * (n // 2) + "\n"),
        "k8s-sh-c": ("deployment.yaml", K8S.replace('command: ["vllm", "serve"]', 'command: ["/bin/sh", "-c", "vllm serve m '
                                                    + "a " * (n // 2) + '"]')),
        "shell-many-words": ("serve.sh", "#!/bin/sh\nvllm serve m " + "a " * (n // 2) + "\n"),
        "shell-long-word": ("serve.sh", '#!/bin/sh\nvllm serve m --x "' + "a" * n + '"\n'),
        "dockerfile-long": ("Dockerfile", 'FROM vllm/vllm-openai:v0.8.5\nCMD ["--model", "m", "' + "a" * n + '"]\n'),
        "secret-regex": (".env", "A" * n + "\nHF_TOKEN=hf_" + "B" * 40 + "\n"),
        # every assignment is a credential to judge, all on one line
        "secret-many-on-one-line": ("serve.sh", "#!/bin/sh\nvllm serve m\n" + "X_API_KEY=typed-by-hand " * (n // 24) + "\n"),
        # 9,000 (under --max-args): each VL201 quotes vLLM's line naming all of them (capped per message)
        "helm-many-unknown-flags": ("values.yaml", HELM_VALUES + "        extraArgs: [" + ", ".join(['"--x"'] * 9_000) + "]\n"),
    }


LONG_CASES = sorted(long_cases(0))


def _check_long_launch(tmp_path: Path, name: str, text: str, budget: int) -> None:
    from vllm_lint.report.json_format import write_json

    path = write(tmp_path / name, text)
    result = lint(path, budget=budget)
    assert_clean_run(result)
    out = io.StringIO()
    with time_budget(budget):
        write_json(result, out)  # the report `--format json` prints for this run
    assert len(out.getvalue()) < 50_000_000, f"report of {len(out.getvalue())} characters"


@pytest.mark.parametrize("case", LONG_CASES)
def test_huge_launches_stay_linear(tmp_path, case):
    """Long command lines (one 100,000-character word, 50,000 words, 9,000 unknown flags each
    quoted by vLLM's "unrecognized arguments" line) finish quickly, with bounded output."""
    _check_long_launch(tmp_path, *long_cases(100_000)[case], budget=30)


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in LONG_CASES if c != "helm-many-unknown-flags"])
def test_megabyte_launches_stay_linear(tmp_path, case):
    """The same at a megabyte (one million-character word, half a million words), where a
    quadratic step in C (a str.find per word) shows too."""
    _check_long_launch(tmp_path, *long_cases(1_000_000)[case], budget=60)


def test_launch_with_too_many_args_is_refused_with_the_limit_named(tmp_path):
    path = write(tmp_path / "serve.sh", "#!/bin/sh\nvllm serve meta-llama/Llama-3.1-8B-Instruct " + "--x 1 " * 6000 + "\n")
    result = lint(path)
    assert_clean_run(result)
    found = only(result, "VL002")
    assert found and "10000" in found[0].message and "--max-args" in found[0].message, rules_of(result)
    assert not result.launches
    code, out, _ = run_cli([path, "--format", "json", "--max-args", "20000", "--select", "VL002"])
    assert "VL002" not in out
