"""Every syntax form of the compose, shell, Dockerfile, env and SkyPilot files in the shared corpus,
from tests/fixtures/sources.

Each test extracts a fixture and checks the effective argv, the GPU request and that every
token's span slices the file to the characters the token came from (also for CRLF + BOM copies).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vllm_lint.discover import classify_file
from vllm_lint.sources.base import ExtractOptions
from vllm_lint.sources.dispatch import extract
from vllm_lint.sources.readfile import load_source
from vllm_lint.sources.base import SourceFile

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


def _extract(path: Path, kind: str | None = None):
    kind = kind or classify_file(path, explicit=True)
    src = load_source(path, path.name, kind)
    assert isinstance(src, SourceFile), src
    res = extract(src, ExtractOptions())
    assert not res.diagnostics, [d.message for d in res.diagnostics]
    return src, res.launches


def _by_name(launches):
    return {launch.name: launch for launch in launches}


def _texts(tokens):
    return [t.text for t in tokens]


def _check_spans(src: SourceFile, launches) -> None:
    for launch in launches:
        for t in launch.program + launch.args:
            if t.span is None:
                assert t.style == "synthetic" or t.origin.startswith("script:"), t
                continue
            assert 0 <= t.span.start <= t.span.end <= len(src.text)
            assert t.span.slice(src.text) == t.raw
            raw = t.raw or ""
            if not any(c in raw for c in "$\\'\"{}\n\r") and t.style != "config-key":
                assert raw == t.text, (raw, t.text)
            line, col = src.index.position(t.span.start)
            assert (line, col) == (t.span.line, t.span.column)
        for v in launch.env.values():
            if v.span is not None:
                assert 0 <= v.span.start <= v.span.end <= len(src.text)


# ----------------------------------------------------------------------------- compose


@pytest.fixture(scope="module")
def compose():
    src, launches = _extract(FIX / "compose" / "docker-compose.yml")
    _check_spans(src, launches)
    return src, _by_name(launches)


def test_compose_services_found(compose) -> None:
    _, by = compose
    assert sorted(by) == sorted(f"services.{n}" for n in ("listform", "folded", "shc", "flow", "configref", "extra", "repeated"))


def test_compose_list_form_forms_1_to_5(compose) -> None:
    src, by = compose
    lf = by["services.listform"]
    assert lf.entrypoint == "api_server" and all(t.style == "synthetic" for t in lf.program)  # v0.8.3 image ENTRYPOINT
    assert _texts(lf.args) == ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--max-model-len=8192",
                               "--tensor_parallel_size", "2", "--max-num-seq", "64", "--enable-chunked-prefill",
                               "False", "--num-scheduler-steps", "8"]
    eq = lf.args[2]
    assert eq.span.slice(src.text) == "--max-model-len=8192" and eq.span.line == 22
    assert lf.gpu.count == 2 and lf.gpu.mechanism == "deploy.resources.reservations.devices"  # from the anchor
    assert lf.facts.ipc_host is True
    assert lf.vllm_version == "0.8.3"


def test_compose_block_scalar_defaults_forms_6_7_12_17(compose) -> None:
    src, by = compose
    f = by["services.folded"]
    assert f.entrypoint == "serve"
    assert _texts(f.args) == ["Qwen/Qwen2.5-7B-Instruct", "--served-model-name", "served-name", "--enable-prefix-caching",
                              "--limit-mm-per-prompt.image", "0", "--gpu-memory-utilization", "0.9"]
    # the default inside ${MODEL:-...} is what the span points at; the dashed default too
    assert f.args[0].span.slice(src.text) == "Qwen/Qwen2.5-7B-Instruct"
    assert src.text[f.args[0].span.start - 9:f.args[0].span.start] == "${MODEL:-"
    assert f.args[3].span.slice(src.text) == "--enable-prefix-caching"
    assert f.args[2].raw == "${SERVED:-${MODEL:-qwen}}"  # a value from .env points at the reference
    assert f.args[4].span.slice(src.text) == "--limit-mm-per-prompt.image"
    # .env: the last duplicate wins (GPU_UTIL=0.9), export prefix accepted (SERVED)
    assert f.args[7].raw == "$GPU_UTIL"
    # device_ids ['2'] then CUDA_VISIBLE_DEVICES=0 inside the container: one GPU
    assert f.gpu.count == 1
    assert "HF_TOKEN" in f.env and f.env["CUDA_VISIBLE_DEVICES"].value == "0"


def test_compose_sh_c_in_block_scalar_forms_11_13_16_18(compose) -> None:
    src, by = compose
    s = by["services.shc"]
    assert s.entrypoint == "api_server" and _texts(s.program)[:2] == ["python3", "-m"]
    assert s.program[0].span is not None  # written in the file, inside the literal block
    assert _texts(s.args) == ["--model", "mistralai/Mistral-7B-v0.1", "--tensor-parallel-size", "2",
                              "--kv-transfer-config", '{"kv_connector":"X","kv_role":"kv_both"}']
    assert s.args[2].span.slice(src.text) == "--tensor-parallel-size"
    assert s.args[3].span.slice(src.text) == "$$TP"  # $$ escapes compose; the container shell expands $TP
    assert s.args[5].span.slice(src.text) == '{"kv_connector":"X","kv_role":"kv_both"}'
    assert s.gpu.count == 2 and s.gpu.device_ids == ["0", "1"]  # runtime: nvidia + NVIDIA_VISIBLE_DEVICES
    ins = s.insertion
    assert ins.render(["--max-model-len", "8192"]) == " \\\n          --max-model-len 8192"


def test_compose_flow_style_forms_14_15_20(compose) -> None:
    src, by = compose
    f = by["services.flow"]
    assert f.entrypoint == "serve" and f.program[0].span.slice(src.text) == "vllm"
    assert _texts(f.args) == ["--model", "Qwen/Qwen3-8B", "--max-model-len", "22k"]
    assert f.gpu.count == 2 and f.gpu.device_ids == ["0", "1"]
    new = src.text[:f.insertion.offset] + f.insertion.render(["--gpu-memory-utilization", "0.8"]) + src.text[f.insertion.offset:]
    assert 'command: ["--model", "Qwen/Qwen3-8B", "--max-model-len", "22k", "--gpu-memory-utilization", "0.8"]' in new


def test_compose_block_list_insertion_keeps_style(compose) -> None:
    src, by = compose
    lf = by["services.listform"]
    new = src.text[:lf.insertion.offset] + lf.insertion.render(["--max-model-len", "4096"]) + src.text[lf.insertion.offset:]
    import yaml

    doc = yaml.safe_load(new)
    assert doc["services"]["listform"]["command"][-2:] == ["--max-model-len", "4096"]


def test_compose_folded_insertion_is_valid(compose) -> None:
    src, by = compose
    f = by["services.folded"]
    new = src.text[:f.insertion.offset] + f.insertion.render(["--max-model-len", "4096"]) + src.text[f.insertion.offset:]
    import yaml

    assert yaml.safe_load(new)["services"]["folded"]["command"].split()[-2:] == ["--max-model-len", "4096"]


def test_compose_config_gpus_all_and_facts_form_21(compose) -> None:
    _, by = compose
    c = by["services.configref"]
    assert _texts(c.args) == ["--config", "/config/config.yaml"]
    assert c.gpu.all_visible and c.gpu.count is None and c.gpu.mechanism == "gpus:"
    assert any("not known" in u for u in c.unknowns)
    assert c.facts.shm_size == "16g" and c.facts.ports == ["8000:8000"] and c.facts.profiles == ["gpu"]


def test_compose_env_args_form_27_38(compose) -> None:
    _, by = compose
    e = by["services.extra"]
    # ${EXTRA_ARGS} from .env is split by compose's shell-like splitting (the JSON loses its quotes)
    assert _texts(e.args)[:4] == ["--model", "m/x", "--max-num-seqs", "32"]
    assert e.args[2].raw == "${EXTRA_ARGS}"


def test_compose_repeated_subcommand(compose) -> None:
    _, by = compose
    r = by["services.repeated"]
    assert r.facts.repeated_subcommand is True
    assert _texts(r.args) == ["vllm", "serve", "Qwen/Qwen3-0.6B"]
    assert r.gpu.count is None and any("GPU" in u for u in r.unknowns)


# ----------------------------------------------------------------------------- shell


@pytest.fixture(scope="module")
def shell():
    src, launches = _extract(FIX / "shell" / "run_vllm.sh")
    _check_spans(src, launches)
    return src, launches


def test_shell_continuations_arrays_defaults(shell) -> None:
    src, launches = shell
    assert len(launches) == 3  # the heredoc body is not a launch
    main = launches[0]
    assert main.name == "line 22: vllm serve"
    assert _texts(main.args) == ["Qwen/Qwen2.5-7B-Instruct", "--tensor-parallel-size", "2", "--data-parallel-size",
                                 "$((TP * 2))", "--max-model-len", "22k", "--limit-mm-per-prompt.image", "0",
                                 "--kv-transfer-config", '{"kv_connector":"LMCacheConnectorV1","kv_role":"kv_both"}',
                                 "--quantization", "$QUANT", "--gpu-memory-utilization", "0.9"]
    # ${QUANT:+--quantization "$QUANT"}: checked, but passed only when QUANT is set
    quant, value = main.args[11], main.args[12]
    assert quant.condition == value.condition == "when QUANT is set and not empty" and value.symbolic
    assert all(t.condition is None for t in main.args[:11] + main.args[13:])
    assert main.args[4].symbolic  # arithmetic stays symbolic
    assert main.args[5].span.line == 12  # array element: span points into the array literal
    assert main.args[-1].span.slice(src.text) == "0.9"
    assert main.insertion.render(["--x", "1"]) == " \\\n\t--x 1"
    assert main.gpu.count is None and main.gpu.all_visible


def test_shell_env_prefix_and_docker_run(shell) -> None:
    _, launches = shell
    api = launches[1]
    assert api.entrypoint == "api_server" and api.gpu.count == 2
    assert api.insertion.render(["--x", "1"]) == " --x 1"
    d = launches[2]
    assert d.name.startswith("line 32: docker run vllm/vllm-openai:v0.8.5")
    assert d.entrypoint == "api_server" and _texts(d.args) == ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--max-model-len", "4096"]
    assert d.gpu.count == 2 and d.gpu.device_ids == ["1", "2"]
    assert d.facts.ipc_host and d.facts.shm_size == "8g" and d.facts.ports == ["8002:8000"]
    assert d.env["HF_TOKEN"].symbolic
    assert d.vllm_version == "0.8.5"


def test_python_placeholders_stay_symbolic() -> None:
    _, launches = _extract(FIX / "shell" / "vllm_serve_cmd.txt", "shell")
    [launch] = launches
    assert [t.symbolic for t in launch.args] == [True, False, True, False, False]


# ----------------------------------------------------------------------------- Dockerfile, SkyPilot, config


def test_dockerfile_exec_form_with_continuation_and_comment() -> None:
    src, launches = _extract(FIX / "dockerfile" / "Dockerfile")
    _check_spans(src, launches)
    [d] = launches
    assert d.entrypoint == "api_server" and d.vllm_version == "0.9.2"  # ARG used in FROM
    assert _texts(d.args) == ["--model", "Qwen/Qwen2.5-0.5B", "--max_model_len", "8128"]
    assert d.args[3].span.slice(src.text) == "8128" and d.args[3].span.line == 9
    assert d.gpu.count == 1  # ENV CUDA_VISIBLE_DEVICES=0
    new = src.text[:d.insertion.offset] + d.insertion.render(["--max-model-len", "4096"]) + src.text[d.insertion.offset:]
    assert '"8128", "--max-model-len", "4096"]' in new


def test_dockerfile_shell_form_alternate_value_form_8() -> None:
    src, launches = _extract(FIX / "dockerfile_shellform" / "Dockerfile")
    _check_spans(src, launches)
    [d] = launches
    # ENV sets MAX_MODEL_LEN: its flag is always passed; DTYPE is set nowhere: --dtype is a
    # conditional flag (checked, passed only when the container gets DTYPE)
    assert _texts(d.args) == ["--model", "meta-llama/Llama-3.2-1B", "--max-model-len", "4096", "--dtype", "$DTYPE",
                              "--port", "8000"]
    assert d.args[2].span.slice(src.text) == "--max-model-len" and d.args[2].condition is None
    assert d.args[4].condition == d.args[5].condition == "when DTYPE is set and not empty"


def test_skypilot_run_block() -> None:
    src, launches = _extract(FIX / "skypilot" / "task.sky.yaml")
    _check_spans(src, launches)
    [s] = launches
    assert _texts(s.args) == ["meta-llama/Llama-3.1-70B-Instruct", "--tensor-parallel-size", "4", "--pipeline-parallel-size", "2"]
    assert s.gpu.count == 8 and s.gpu.product == "A100-80GB" and s.facts.nodes == 2
    assert s.args[1].span.slice(src.text) == "--tensor-parallel-size"


def test_vllm_config_file_form_28() -> None:
    src, launches = _extract(FIX / "config" / "config.yaml")
    [c] = launches
    assert c.entrypoint == "serve"
    assert _texts(c.args) == ["Qwen/Qwen3-8B", "--max-model-len", "32768", "--enable-prefix-caching",
                              "--no-enable-chunked-prefill", "--trust_remote_code", "--limit-mm-per-prompt",
                              '{"image": 0}', "--override-generation-config", '{"temperature": 0.2}',
                              "--allowed-origins", "http://a", "http://b", "--hf-overrides",
                              '{"rope_scaling": {"type": "yarn", "factor": 4}}']
    keys = [t for t in c.args if t.style == "config-key"]
    assert [t.span.slice(src.text) for t in keys][:2] == ["max-model-len", "enable-prefix-caching"]
    assert c.args[0].span.slice(src.text) == "Qwen/Qwen3-8B"
    new = src.text[:c.insertion.offset] + c.insertion.render(["--max-num-seqs", "8"]) + src.text[c.insertion.offset:]
    import yaml

    assert yaml.safe_load(new)["max-num-seqs"] == 8


def test_config_helpers() -> None:
    from vllm_lint.sources.vllm_config import load_config_mapping, load_config_tokens

    m = load_config_mapping(FIX / "config" / "config.yaml")
    assert m["model"] == "Qwen/Qwen3-8B" and m["enable-chunked-prefill"] is False
    toks = load_config_tokens(FIX / "config" / "config.yaml")
    assert toks[0].text == "Qwen/Qwen3-8B" and toks[1].style == "config-key"
    assert load_config_mapping(FIX / "nope.yaml") is None


# ----------------------------------------------------------------------------- CRLF + BOM


@pytest.mark.parametrize("rel", ["compose/docker-compose.yml", "shell/run_vllm.sh", "dockerfile/Dockerfile",
                                 "dockerfile_shellform/Dockerfile", "skypilot/task.sky.yaml", "config/config.yaml"])
def test_crlf_and_bom_copies_keep_exact_spans(tmp_path: Path, rel: str) -> None:
    orig = FIX / rel
    folder = tmp_path / "copy"
    shutil.copytree(orig.parent, folder)
    target = folder / orig.name
    data = orig.read_bytes().replace(b"\n", b"\r\n")
    target.write_bytes(b"\xef\xbb\xbf" + data)
    if (folder / ".env").exists():
        (folder / ".env").write_bytes((folder / ".env").read_bytes().replace(b"\n", b"\r\n"))
    _, lf_launches = _extract(orig)
    src, launches = _extract(target)
    assert src.had_bom
    _check_spans(src, launches)
    assert len(launches) == len(lf_launches)
    for a, b in zip(lf_launches, launches):
        assert [t.text.replace("\r", "") for t in b.args] == [t.text for t in a.args]
        for ta, tb in zip(a.args, b.args):
            if ta.span is not None:
                assert (ta.span.line, ta.span.column) == (tb.span.line, tb.span.column)


# ----------------------------------------------------------------------------- insertions round-trip

ROUND_TRIP = ["compose/docker-compose.yml", "shell/run_vllm.sh", "dockerfile/Dockerfile", "dockerfile_shellform/Dockerfile",
              "skypilot/task.sky.yaml", "config/config.yaml"]


@pytest.mark.parametrize("rel", ROUND_TRIP)
def test_insertion_adds_flags_to_that_launch(tmp_path: Path, rel: str) -> None:
    """Applying each launch's insertion and extracting again gives the same launch with the new
    flags at the end of its argv (quotes, braces, continuations and YAML stay valid)."""
    orig = FIX / rel
    _, launches = _extract(orig)
    for n, launch in enumerate(launches):
        if launch.insertion is None:
            continue
        folder = tmp_path / f"c{n}"
        shutil.copytree(orig.parent, folder)
        text = orig.read_text()
        off = launch.insertion.offset
        new = text[:off] + launch.insertion.render(["--zz-added", "7"]) + text[off:]
        (folder / orig.name).write_text(new)
        _, again = _extract(folder / orig.name)
        same = [x for x in again if x.name.split(":")[0] == launch.name.split(":")[0]]
        assert same, (launch.name, [x.name for x in again])
        texts = [t.text for t in same[0].args]
        assert "--zz-added" in texts, (rel, launch.name, texts)
        k = texts.index("--zz-added")
        assert texts[k + 1] == "7"


def test_insertion_after_quoted_json_word(tmp_path: Path) -> None:
    p = tmp_path / "s.sh"
    p.write_text("vllm serve m \\\n    --kv-transfer-config \\\n    '{\"a\": 1}'\n")
    _, [launch] = _extract(p)
    text = p.read_text()
    new = text[:launch.insertion.offset] + launch.insertion.render(["--x", "1"]) + text[launch.insertion.offset:]
    assert new.endswith("'{\"a\": 1}' \\\n    --x 1\n")


def test_heredoc_scripts_are_read_when_they_are_scripts(tmp_path: Path) -> None:
    p = tmp_path / "gen.sh"
    p.write_text("M=${M:-org/model}\n"
                 "cat > out.txt <<EOF\nvllm serve not/this\nEOF\n"
                 "cat > run.sh <<EOF\nexec vllm serve '${M}' --max-model-len 4096\nEOF\n"
                 "ssh gpu-host <<'X'\nvllm serve literal/\\$M --port 1\nX\n")
    src, launches = _extract(p)
    assert [t.text for t in launches[0].args] == ["org/model", "--max-model-len", "4096"]
    assert launches[0].facts.heredoc == "generated script"
    assert launches[0].args[0].span.slice(src.text) == "${M}"
    assert launches[0].args[1].span.slice(src.text) == "--max-model-len"
    assert [t.text for t in launches[1].args] == ["literal/$M", "--port", "1"]
    assert len(launches) == 2


def test_args_file_form_29(tmp_path: Path) -> None:
    (tmp_path / "vllm_args.txt").write_text("# served model\n--max-model-len 8192\n--dtype auto   # comment\n#--enforce-eager\n")
    p = tmp_path / "run.sh"
    p.write_text('DIR="$(cd "$(dirname "$0")" && pwd)"\nvllm serve m $(grep -v \'^#\' "$DIR/vllm_args.txt" | xargs)\n'
                 'vllm serve m2 $(cat missing.txt)\n')
    _, launches = _extract(p)
    assert [t.text for t in launches[0].args] == ["m", "--max-model-len", "8192", "--dtype", "auto"]
    assert launches[0].args[1].span is None and launches[0].args[1].origin == "args-file:vllm_args.txt"
    assert launches[0].facts.args_files == ["vllm_args.txt"]
    assert launches[1].args[1].symbolic
