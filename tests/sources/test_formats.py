"""Service units, Makefiles, PowerShell, batch, Python, notebooks and CI files, one fixture each
under tests/fixtures/sources/formats: the effective argv of every launch, where key tokens sit
(line, column), and that every token's span slices the file to the characters it came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from vllm_lint.discover import classify_file
from vllm_lint.sources.base import ExtractOptions
from vllm_lint.sources.dispatch import extract
from vllm_lint.sources.readfile import load_source
from vllm_lint.sources.base import SourceFile

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "formats"


def launches(name: str, **opts):
    path = FIX / name
    kind = classify_file(path, explicit=True)
    src = load_source(path, name, kind)
    assert isinstance(src, SourceFile), src
    res = extract(src, ExtractOptions(**opts))
    assert not res.diagnostics, [d.message for d in res.diagnostics]
    for launch in res.launches:
        for t in launch.program + launch.args:
            if t.span is None:
                continue
            assert 0 <= t.span.start <= t.span.end <= len(src.text)
            assert t.span.slice(src.text) == t.raw, (t.text, t.raw)
            raw = t.raw or ""
            # (a Python argv word may stand for a constant: MODEL, sys.executable)
            if t.style == "argv" and launch.source != "python" and not any(c in raw for c in "$\\'\"{}%`^\n\r@"):
                assert raw == t.text, (raw, t.text)
            assert (t.span.line, t.span.column) == src.index.position(t.span.start)
    return src, kind, res.launches


def argv(launch) -> list[str]:
    return [t.text for t in launch.args]


def at(launch, text: str) -> tuple[int, int, str]:
    """(line, column, raw) of the first argv token with this text."""
    t = next(t for t in launch.args if t.text == text)
    return t.span.line, t.span.column, t.raw


# ----------------------------------------------------------------------------- systemd


def test_systemd_host_venv_with_environment_continuations_and_specifiers() -> None:
    _, kind, got = launches("vllm.service")
    assert kind == "systemd"
    (launch,) = got  # ExecStartPre runs mkdir and nvidia-smi: not vLLM
    assert launch.source == "systemd" and launch.entrypoint == "serve"
    assert [t.text for t in launch.program] == ["/opt/venv/bin/vllm", "serve"]
    # ${MODEL} is one word; $EXTRA alone splits, but Environment= already cut "EXTRA=--a --b"
    # at its blank, so only --enable-prefix-caching is set (systemd's own reading)
    assert argv(launch) == ["meta-llama/Llama-3.1-8B-Instruct", "--max-model-len", "16384", "--tensor-parallel-size",
                            "2", "--enable-prefix-caching", "--served-model-name", "llama 8b", "--chat-template",
                            "%h/tpl.jinja"]
    assert at(launch, "meta-llama/Llama-3.1-8B-Instruct") == (12, 36, "${MODEL}")
    assert at(launch, "--tensor-parallel-size") == (15, 5, "--tensor-parallel-size")  # after the comment line
    assert at(launch, "llama 8b") == (16, 26, "llama 8b")  # inside the quotes
    assert next(t for t in launch.args if t.text == "%h/tpl.jinja").symbolic  # %h is the host's home
    assert launch.gpu.count == 2 and launch.gpu.device_ids == ["0", "1"]
    assert launch.env["MAX_LEN"].value == "16384" and launch.env["MAX_LEN"].span.line == 9
    assert any("EnvironmentFile /etc/default/vllm" in u for u in launch.unknowns)


def test_systemd_docker_run_with_at_prefix() -> None:
    _, _, got = launches("docker-vllm.service")
    (launch,) = got
    assert launch.image == "vllm/vllm-openai:v0.9.2" and launch.vllm_version == "0.9.2"
    assert argv(launch) == ["--model", "Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "32768",
                            "--tensor-parallel-size", "2"]
    assert at(launch, "32768") == (9, 54, "32768")
    assert launch.gpu.count == 2 and launch.facts.ipc_host is True


def test_systemd_bash_c_script() -> None:
    src, _, got = launches("sh-c.service")
    (launch,) = got
    assert argv(launch) == ["Qwen/Qwen3-8B", "--max-model-len", "8192"]
    assert at(launch, "Qwen/Qwen3-8B") == (3, 72, "Qwen/Qwen3-8B")
    new = src.text[:launch.insertion.offset] + launch.insertion.render(["--enforce-eager"]) + src.text[launch.insertion.offset:]
    assert "--max-model-len 8192 --enforce-eager'" in new


def test_quadlet_container() -> None:
    _, kind, got = launches("vllm.container")
    assert kind == "systemd"
    (launch,) = got
    assert launch.source == "quadlet" and launch.image == "docker.io/vllm/vllm-openai:v0.10.1"
    assert argv(launch) == ["--model", "Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "16384"]
    assert at(launch, "16384") == (11, 19, "16384")
    assert launch.gpu.all_visible and launch.facts.shm_size == "16g"
    assert launch.env["HF_HOME"].value == "/models"


# ----------------------------------------------------------------------------- Makefile


def test_makefile_variables_prefixes_and_continuations() -> None:
    _, kind, got = launches("Makefile")
    assert kind == "makefile"
    serve, docker, late = got
    assert serve.name.startswith("make serve:") and docker.name.startswith("make docker:")
    # LEN is also set under `ifdef LARGE`: unknown, whichever recipe reads it
    assert argv(serve) == ["Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "${LEN}", "--port", "8000",
                           "--gpu-memory-utilization", "0.9", "--served-model-name", "$NAME"]
    lm = next(t for t in serve.args if t.text == "${LEN}")
    assert lm.symbolic and lm.raw == "$(ARGS)" and lm.span.line == 12
    assert at(serve, "--gpu-memory-utilization") == (13, 3, "--gpu-memory-utilization")  # recipe tab removed
    assert next(t for t in serve.args if t.text == "$NAME").symbolic  # $$NAME: a shell variable
    assert docker.image == "vllm/vllm-openai:v0.9.2"
    assert argv(docker) == ["--model", "Qwen/Qwen2.5-7B-Instruct", "${EXTRA}"]
    assert next(t for t in docker.args if t.text == "${EXTRA}").symbolic  # set nowhere: environment or make EXTRA=
    assert argv(late)[0] == "Qwen/Qwen2.5-7B-Instruct"


def test_makefile_oneshell_sees_earlier_lines() -> None:
    _, kind, got = launches("oneshell.mk")
    assert kind == "makefile"
    (launch,) = got
    assert argv(launch) == ["Qwen/Qwen3-8B", "--max-model-len", "8192"]
    assert at(launch, "8192") == (7, 20, "8192")


def test_procfile() -> None:
    _, kind, got = launches("Procfile")
    assert kind == "procfile"
    (launch,) = got
    assert launch.name.startswith("web:")
    assert argv(launch) == ["Qwen/Qwen3-8B", "--port", "$PORT", "--max-model-len", "8192"]
    assert at(launch, "8192") == (2, 60, "8192")


# ----------------------------------------------------------------------------- Windows


def test_powershell_backticks_env_and_splatting() -> None:
    _, kind, got = launches("run.ps1")
    assert kind == "powershell"
    first, second = got
    assert first.image == "vllm/vllm-openai:v0.8.5"
    assert argv(first) == ["--model", "Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "8192",
                           "--gpu-memory-utilization", "0.9", "--served-model-name", "it's"]
    assert at(first, "Qwen/Qwen2.5-7B-Instruct") == (11, 11, "$Model")
    assert at(first, "8192") == (4, 35, "8192")  # @VllmArgs: each element where the array wrote it
    assert at(first, "it's") == (11, 49, "it''s")
    assert first.env["HF_TOKEN"].symbolic  # $env:HF_TOKEN comes from the caller
    assert first.facts.ipc_host is True
    assert second.image == "vllm/vllm-openai:v0.8.5"  # & "C:\...\docker.exe" run
    assert argv(second) == ["--model", "C:\\models\\x", "--tensor-parallel-size", "2"]


def test_batch_carets_and_percent_variables() -> None:
    _, kind, got = launches("run.bat")
    assert kind == "batch"
    (launch,) = got
    assert argv(launch) == ["--model", "Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "8192", "--served-model-name",
                            "my model", "--tensor-parallel-size", "2"]
    assert at(launch, "Qwen/Qwen2.5-7B-Instruct") == (7, 35, "%MODEL%")
    assert at(launch, "--tensor-parallel-size") == (8, 3, "--tensor-parallel-size")
    assert launch.env["HF_TOKEN"].symbolic


# ----------------------------------------------------------------------------- CI and automation


def test_github_actions_steps() -> None:
    _, kind, got = launches(".github/workflows/serve.yml")
    assert kind == "github-actions"
    bash, pwsh = got
    assert argv(bash) == ["Qwen/Qwen2.5-0.5B-Instruct", "--max-model-len", "4096", "--port", "{{inputs.port}}"]
    port = next(t for t in bash.args if t.text == "{{inputs.port}}")
    assert port.symbolic and port.raw == "${{ inputs.port }}" and port.span.line == 17
    assert bash.image == "vllm/vllm-openai:v0.9.2"  # the job's container
    assert pwsh.source == "github-actions" and argv(pwsh)[:2] == ["--model", "Qwen/Qwen2.5-0.5B-Instruct"]
    assert at(pwsh, "2048") == (20, 95, "2048")


def test_gitlab_ci_scripts_and_services() -> None:
    _, kind, got = launches(".gitlab-ci.yml")
    assert kind == "gitlab-ci"
    script, service = got
    assert argv(script) == ["Qwen/Qwen2.5-0.5B-Instruct", "--max-model-len", "4096", "--port", "8000"]
    assert script.image == "vllm/vllm-openai:v0.10.1" and script.vllm_version == "0.10.1"
    assert argv(service) == ["--model", "Qwen/Qwen2.5-0.5B-Instruct", "--max-model-len", "2048"]
    assert at(service, "2048") == (22, 78, "2048")


def test_argo_container_and_script_templates() -> None:
    _, kind, got = launches("argo-workflow.yaml")
    assert kind == "argo"
    container, script = got
    assert argv(container) == ["--model", "{{inputs.parameters.model}}", "--max-model-len", "8192"]
    assert container.gpu.count == 1
    assert argv(script) == ["Qwen/Qwen3-8B", "--max-model-len", "4096"]
    assert at(script, "4096") == (23, 47, "4096")


def test_ansible_shell_command_and_docker_container() -> None:
    _, kind, got = launches("playbook.yml")
    assert kind == "ansible"
    shell, command, container, argv_task = got
    assert argv(shell) == ["Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "8192", "--tensor-parallel-size", "2"]
    assert at(shell, "8192") == (10, 54, "{{ max_len }}")
    assert shell.gpu.count == 2  # environment: CUDA_VISIBLE_DEVICES
    assert argv(command) == ["Qwen/Qwen2.5-7B-Instruct", "--port", "8000"]  # creates= is Ansible's
    assert container.image == "vllm/vllm-openai:v0.9.2" and container.gpu.all_visible
    assert argv(container) == ["--model", "Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "8192"]
    assert container.env["HF_TOKEN"].symbolic
    assert argv(argv_task) == ["Qwen/Qwen2.5-7B-Instruct", "--max-num-seqs", "16"]


# ----------------------------------------------------------------------------- strings of any schema


def test_yaml_of_an_unknown_schema() -> None:
    _, kind, got = launches("scenario.yaml")
    assert kind == "embedded"
    assert [argv(x) for x in got] == [["Qwen/Qwen3-8B", "--max-model-len", "32768"],
                                      ["meta-llama/Llama-3.1-8B-Instruct", "--max-model-len", "131072",
                                       "--gpu-memory-utilization", "0.92"]]
    assert at(got[1], "131072") == (7, 23, "131072")
    # "description: runs vllm serve with ..." is prose, not a command


def test_json_strings_and_arrays() -> None:
    _, kind, got = launches("harness.json")
    assert kind == "embedded"
    docker, module = got
    assert docker.image == "vllm/vllm-openai:v0.9.2" and argv(docker)[-2:] == ["--max-num-seqs", "64"]
    assert at(docker, "64") == (4, 120, "64")
    assert argv(module) == ["--model", "Qwen/Qwen3-8B", "--max-model-len", "8192"]
    assert at(module, "Qwen/Qwen3-8B") == (3, 69, "Qwen/Qwen3-8B")  # inside the escaped quotes


def test_toml_arrays_and_multiline_strings() -> None:
    _, kind, got = launches("cerebrium.toml")
    assert kind == "embedded"
    array, script = got
    assert argv(array) == ["Qwen/Qwen3-8B", "--port", "8080", "--max-model-len", "8192"]
    assert at(array, "8192") == (6, 35, "8192")
    assert argv(script) == ["Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "4096"]
    assert at(script, "4096") == (11, 21, "4096")


# ----------------------------------------------------------------------------- Python and notebooks


def test_python_engine_arguments_and_subprocesses() -> None:
    _, kind, got = launches("serve.py")
    assert kind == "python"
    llm, engine, popen, system, run = got
    assert llm.entrypoint == "engine_kwargs" and llm.facts.usage_context == "llm"
    assert argv(llm) == ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--max_model_len", "8192",
                         "--tensor_parallel_size", "2", "--gpu_memory_utilization", "0.95", "--enforce_eager", "True"]
    flag = next(t for t in llm.args if t.text == "--max_model_len")
    assert (flag.span.line, flag.span.column, flag.raw, flag.style) == (14, 24, "max_model_len", "config-key")
    assert llm.gpu.count == 2  # os.environ["CUDA_VISIBLE_DEVICES"] = "0,1"
    assert argv(engine) == ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--max_model_len", "4096"]
    assert any("**extra" in u for u in engine.unknowns)
    assert argv(popen) == ["--model", "meta-llama/Llama-3.1-8B-Instruct", "--port", "str(port)", "--max-model-len",
                           "16384", "--enforce-eager"]
    assert next(t for t in popen.args if t.text == "str(port)").symbolic
    # cmd.append under `if`: checked, with its condition
    assert popen.args[-1].condition == "when `port > 9000` is true" and popen.args[-2].condition is None
    assert argv(system) == ["meta-llama/Llama-3.1-8B-Instruct", "--max-model-len", "2048", "--tensor-parallel-size", "2"]
    assert at(system, "meta-llama/Llama-3.1-8B-Instruct") == (28, 24, "{MODEL}")
    assert run.image == "vllm/vllm-openai:v0.8.5"


def test_python_insertion_writes_a_keyword() -> None:
    src, _, got = launches("serve.py")
    ins = got[0].insertion
    new = src.text[:ins.offset] + ins.render(["--max-model-len", "4096", "--enforce-eager"]) + src.text[ins.offset:]
    assert "quantization=None, max_model_len=4096, enforce_eager=True)" in new


def test_notebook_cells() -> None:
    _, kind, got = launches("serve.ipynb")
    assert kind == "notebook"
    bang, bash, llm = got
    assert argv(bang) == ["Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "8192", "--gpu-memory-utilization", "0.9",
                          "--port", "$PORT"]
    assert at(bang, "Qwen/Qwen2.5-7B-Instruct") == (25, 18, "{MODEL}")  # IPython fills {MODEL} from cell 2
    assert bang.gpu.count == 1  # %env CUDA_VISIBLE_DEVICES=0
    assert bash.image == "vllm/vllm-openai:v0.8.5" and at(bash, "m/x") == (36, 62, "m/x")
    assert argv(llm) == ["--model", "Qwen/Qwen2.5-7B-Instruct", "--max_model_len", "2048", "--tensor_parallel_size", "2"]


# ----------------------------------------------------------------------------- Markdown


def test_markdown_blocks_only_with_include_docs() -> None:
    path = FIX / "README.md"
    src = load_source(path, "README.md", "markdown")
    res = extract(src, ExtractOptions())
    assert res.launches == [] and "--include-docs" in res.notes[0]
    _, _, got = launches("README.md", include_docs=True)
    assert [argv(x) for x in got] == [["Qwen/Qwen3-8B", "--max-model-len", "8192"],
                                      ["--model", "Qwen/Qwen3-8B", "--max-model-len", "4096"],
                                      ["--model", "Qwen/Qwen3-8B", "--max-model-len", "16384"]]
    assert at(got[1], "4096") == (11, 43, "4096")  # a console block: the $ prompt removed
    assert at(got[2], "16384") == (19, 63, "16384") and got[2].source == "markdown:compose"


@pytest.mark.parametrize("name,kind", [
    ("vllm.service", "systemd"), ("vllm.container", "systemd"), ("Makefile", "makefile"), ("oneshell.mk", "makefile"),
    ("Procfile", "procfile"), ("run.ps1", "powershell"), ("run.bat", "batch"), ("serve.py", "python"),
    ("serve.ipynb", "notebook"), ("scenario.yaml", "embedded"), ("harness.json", "embedded"),
    ("cerebrium.toml", "embedded"), ("playbook.yml", "ansible"), ("argo-workflow.yaml", "argo"),
    (".gitlab-ci.yml", "gitlab-ci"), (".github/workflows/serve.yml", "github-actions"), ("vllm.nomad.hcl", "nomad"),
])
def test_found_in_folder_mode(name: str, kind: str) -> None:
    from vllm_lint.discover import discover

    found = {str(p.relative_to(FIX)): k for p, k in discover([FIX])}
    assert found.get(name) == kind
    assert "README.md" not in found
    assert "README.md" in {str(p.relative_to(FIX)) for p, _ in discover([FIX], include_docs=True)}


def test_nomad_docker_task() -> None:
    _, kind, got = launches("vllm.nomad.hcl")
    assert kind == "nomad"
    (launch,) = got
    assert launch.image == "vllm/vllm-openai:v0.10.1" and launch.replicas == 2
    assert argv(launch) == ["--model", "Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "16384", "--port",
                            "${NOMAD_PORT_http}"]
    assert at(launch, "16384") == (17, 31, "16384")
    assert next(t for t in launch.args if t.text == "${NOMAD_PORT_http}").symbolic
    assert launch.gpu.count == 2 and launch.gpu.product == "NVIDIA A100-SXM4-80GB"
    assert launch.facts.ipc_host is True and launch.env["HF_HOME"].value == "/models"


@pytest.mark.parametrize("accelerators,product,count", [
    ("{A100:4, A100:8, H100:8}", "A100", 4),  # a flow mapping of NAME:COUNT keys
    ("[L4:1, A10G:1, T4:1]", "T4", 1),  # a list: T4 has the least memory
    ("{L4: 2, H100: 1}", "L4", 2),  # 2 x 22 GiB < 1 x 79 GiB
    ("A100:8", "A100", 8),
])
def test_skypilot_accelerator_choices_checked_against_the_smallest(tmp_path: Path, accelerators: str, product: str,
                                                                   count: int) -> None:
    task = tmp_path / "task.sky.yaml"
    task.write_text(f"resources:\n  accelerators: {accelerators}\nrun: |\n  vllm serve m --max-model-len 4096\n")
    src = load_source(task, "task.sky.yaml", "skypilot")
    (launch,) = extract(src, ExtractOptions()).launches
    assert (launch.gpu.product, launch.gpu.count) == (product, count)
    if "," in accelerators:
        assert launch.facts.accelerator_choices.startswith(
            f"{product}:{count}, the choice with the least GPU memory of {{")


def test_kserve_runtime_from_a_file_beside_the_inference_service(tmp_path: Path) -> None:
    (tmp_path / "runtime.yaml").write_text(
        "apiVersion: serving.kserve.io/v1alpha1\nkind: ServingRuntime\nmetadata:\n  name: vllm-rt\nspec:\n"
        "  supportedModelFormats: [{name: vLLM}]\n  containers:\n    - name: kserve-container\n"
        "      image: vllm/vllm-openai:v0.10.1\n      args: [\"--port=8080\", \"--model=/mnt/models\", \"--max-model-len\", \"8192\"]\n")
    isvc = tmp_path / "isvc.yaml"
    body = ("apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: q\nspec:\n  predictor:\n"
            "    model:\n      modelFormat: {name: vLLM}\n      runtime: {rt}\n      args: [\"--dtype\", \"half\"]\n")
    isvc.write_text(body.replace("{rt}", "vllm-rt"))
    (launch,) = extract(load_source(isvc, "isvc.yaml", "kserve"), ExtractOptions()).launches
    assert launch.image == "vllm/vllm-openai:v0.10.1" and launch.facts.runtime_file.endswith("runtime.yaml")
    assert [t.text for t in launch.args][-4:] == ["--max-model-len", "8192", "--dtype", "half"]
    assert launch.facts.runtime_missing is None
    isvc.write_text(body.replace("{rt}", "renamed-rt"))
    (launch,) = extract(load_source(isvc, "isvc.yaml", "kserve"), ExtractOptions()).launches
    assert launch.facts.runtime_missing == "renamed-rt"
