"""No network unless --online: the whole CLI over every fixture, example and rule example with
sockets blocked, asserting that no connection (or name lookup) was even attempted.

HF_HUB_OFFLINE is removed from the environment on purpose: the offline code path must not try,
rather than rely on huggingface_hub refusing.
"""

from __future__ import annotations

import contextlib
import io
import socket
import time
from pathlib import Path

import pytest

from vllm_lint import cli
from vllm_lint.rules.examples import write_example
from vllm_lint.rules.registry import iter_examples

REPO = Path(__file__).resolve().parents[1]


class NetworkAttempt(Exception):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Replace every way to open a connection with one that records the attempt and raises."""
    attempts: list[str] = []

    def record(what):
        def blocked(*args, **kwargs):
            target = args[1] if what.startswith("socket.connect") and len(args) > 1 else args[:1]
            attempts.append(f"{what}{target!r}")
            raise NetworkAttempt(f"network blocked in tests: {what}")

        return blocked

    monkeypatch.setattr(socket.socket, "connect", record("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", record("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", record("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", record("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", record("gethostbyname"))
    monkeypatch.setattr(socket, "gethostbyname_ex", record("gethostbyname_ex"))
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return attempts


def run(args: list) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def test_harness_records_attempts(no_network):
    """The blocker itself works (so the tests below can fail)."""
    s = socket.socket()
    try:
        with pytest.raises(NetworkAttempt):
            s.connect(("huggingface.co", 443))
    finally:
        s.close()
    with pytest.raises(NetworkAttempt):
        socket.getaddrinfo("huggingface.co", 443)
    assert len(no_network) == 2


def _fixture_roots() -> list[Path]:
    roots = [REPO / "examples"]
    fixtures = REPO / "tests" / "fixtures"
    if fixtures.is_dir():
        roots += sorted(p for p in fixtures.iterdir() if p.is_dir())
    return [r for r in roots if r.exists()]


@pytest.mark.parametrize("root", _fixture_roots(), ids=lambda p: p.relative_to(REPO).as_posix())
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_cli_over_fixtures_opens_no_socket(no_network, root, fmt):
    code, out, err = run([root, "--format", fmt])
    assert not no_network, f"network attempted while linting {root}: {no_network}"
    assert code in (0, 1, 2), err
    assert "Traceback" not in err


def test_cli_over_every_rule_example_opens_no_socket(no_network, tmp_path):
    examples = list(iter_examples())
    assert examples
    for i, (meta, kind, ex) in enumerate(examples):
        root = tmp_path / f"{i}-{meta.id}-{kind}"
        target = write_example(root, ex)
        opts = ex.get("options") or {}
        args: list = [target, "--format", "json"]
        if opts.get("gpu"):
            args += ["--gpu", opts["gpu"]]
        if opts.get("vllm_version"):
            args += ["--vllm-version", opts["vllm_version"]]
        for v in opts.get("values", []):
            args += ["--values", root / v]
        run(args)
        assert not no_network, f"{meta.id} {kind} example {ex.get('name')!r}: {no_network}"


MODELS = [
    "meta-llama/Llama-3.1-8B-Instruct",  # catalog
    "someone-unknown/not-a-real-model-7b",  # not in the catalog: cache lookup only, offline
    "/models/local-checkpoint",  # local path that does not exist
    "http://169.254.169.254/latest/meta-data",  # hostile "model id"
]


@pytest.mark.parametrize("model", MODELS)
def test_unknown_model_resolution_is_offline_and_never_waits(no_network, tmp_path, monkeypatch, model):
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(
        "services:\n  vllm:\n    image: vllm/vllm-openai:v0.8.5\n"
        f"    command: [\"--model\", \"{model}\", \"--max-model-len\", \"32768\"]\n"
        "    deploy: {resources: {reservations: {devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]}}}\n"
    )
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    run([compose, "--format", "json", "--gpu", "A10G"])
    assert not no_network, no_network
    # Offline resolution never waits: no connect timeout (above) and no retry back-off.
    assert waits == [], f"slept {waits}"


@pytest.mark.parametrize("model", MODELS[:2])
def test_capacity_command_is_offline(no_network, model):
    run(["capacity", "--gpu", "A10G", "--format", "json", "--", model, "--max-model-len", "8192"])
    assert not no_network, no_network


def test_launches_and_rules_commands_are_offline(no_network):
    run(["launches", REPO / "examples", "--format", "json"])
    run(["rules", "--format", "json"])
    assert not no_network, no_network
