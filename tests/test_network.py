"""No network unless --online: the whole CLI over every fixture, example and rule example with
sockets blocked, asserting that no connection (or name lookup) was even attempted.

HF_HUB_OFFLINE is removed from the environment on purpose: the offline code path must not try,
rather than rely on huggingface_hub refusing.
"""

from __future__ import annotations

import contextlib
import io
import json
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


def test_models_and_gpus_commands_are_offline(no_network):
    run(["models", "--format", "json"])
    run(["models", "--resolve", "someone-unknown/not-a-real-model-7b", "--format", "json"])
    run(["models", "--resolve", "RedHatAI/Qwen3-32B-FP8-dynamic"])
    run(["gpus", "--format", "json"])
    run(["gpus", "--resolve", "H1OO"])
    assert not no_network, no_network


# -- --online: opt-in, fails fast, caches in the Hugging Face cache ------------------------------------

def _compose(tmp_path, models: list[str]) -> Path:
    services = "".join(
        f"  s{i}:\n    image: vllm/vllm-openai:v0.8.5\n    command: [\"--model\", \"{m}\", \"--max-model-len\", \"4096\"]\n"
        for i, m in enumerate(models))
    path = tmp_path / "docker-compose.yml"
    path.write_text("services:\n" + services)
    return path


def test_online_without_network_tries_one_connect_then_stops(no_network, tmp_path, monkeypatch):
    import huggingface_hub

    downloads: list = []
    monkeypatch.setattr(huggingface_hub, "hf_hub_download", lambda *a, **k: downloads.append(a) or "")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    compose = _compose(tmp_path, ["acme/unknown-one-7b", "acme/unknown-two-7b", "acme/unknown-three-7b"])
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    code, out, err = run([compose, "--online", "--gpu", "A10G", "--format", "json"])
    assert waits == [], f"slept {waits}"  # no retry back-off after the failed probe
    assert len([a for a in no_network if a.startswith("create_connection")]) == 1, no_network  # one probe in all
    assert not downloads  # no download attempted once the probe failed
    assert "Traceback" not in err
    code, out, err = run(["models", "--resolve", "acme/unknown-one-7b", "--online", "--format", "json"])
    steps = json.loads(out)["steps"]
    assert any(s["step"] == "Hub (--online)" and "could not reach" in s["result"] for s in steps)


def test_online_respects_hf_hub_offline(no_network, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    code, out, err = run(["models", "--resolve", "acme/unknown-one-7b", "--online", "--format", "json"])
    assert not no_network
    assert any("HF_HUB_OFFLINE" in s["result"] for s in json.loads(out)["steps"])


def test_online_fetches_config_into_the_hf_cache(tmp_path, monkeypatch):
    import huggingface_hub

    from vllm_lint.models import hub

    calls: list = []
    cfg = tmp_path / "fetched" / "config.json"
    cfg.parent.mkdir()
    cfg.write_text(json.dumps({"model_type": "llama", "hidden_size": 512, "num_hidden_layers": 6,
                               "num_attention_heads": 8, "num_key_value_heads": 2, "intermediate_size": 1024,
                               "vocab_size": 1000, "max_position_embeddings": 4096}))

    class Conn:
        def close(self):
            pass

    def fake_download(repo_id, filename, **kwargs):
        calls.append((repo_id, filename, kwargs))
        return str(cfg)

    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: Conn())
    monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake_download)
    monkeypatch.setattr(huggingface_hub, "get_safetensors_metadata", lambda *a, **k: (_ for _ in ()).throw(OSError()))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    hub.reset()
    from vllm_lint.models.resolve import resolve_model

    r = resolve_model("acme/tiny-online", online=True)
    assert r.how == "hub" and r.certain and r.arch.num_layers == 6
    (repo, filename, kwargs), = calls
    assert (repo, filename) == ("acme/tiny-online", "config.json")
    # the default cache (HF_HUB_CACHE) keeps it for later offline runs; a short etag timeout
    assert "cache_dir" not in kwargs and "local_dir" not in kwargs and kwargs.get("etag_timeout", 10) <= 3
    assert resolve_model("acme/tiny-online").how == "none"  # without --online nothing is fetched
    hub.reset()


def test_a_missing_repo_does_not_stop_the_other_fetches(tmp_path, monkeypatch):
    import huggingface_hub
    from huggingface_hub.errors import HFValidationError

    from vllm_lint.models import hub

    class Conn:
        def close(self):
            pass

    def refuse(repo_id, filename, **kwargs):
        raise HFValidationError(f"bad id {repo_id}")

    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: Conn())
    monkeypatch.setattr(huggingface_hub, "hf_hub_download", refuse)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    hub.reset()
    arch, why = hub.fetch_arch("acme/missing")
    assert arch is None and "HFValidationError" in why
    assert hub.reachable() is None  # the Hub answered; the next model is still tried
    hub.reset()
