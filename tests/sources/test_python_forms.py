"""Python launcher forms read from real launch scripts: a function's parameters given at its only
call site (or left at their defaults), the program picked among paths of one executable,
``shlex.split`` of a command line and ``" ".join(argv)`` run with ``shell=True``."""

from __future__ import annotations

from pathlib import Path

from vllm_lint.sources.base import ExtractOptions, SourceFile
from vllm_lint.sources.dispatch import extract
from vllm_lint.sources.readfile import load_source

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "python_forms"


def _launches(path: Path):
    src = load_source(path, path.name, "python")
    assert isinstance(src, SourceFile)
    res = extract(src, ExtractOptions())
    assert not res.diagnostics
    for launch in res.launches:
        for t in launch.program + launch.args:
            if t.span is not None:
                assert t.span.slice(src.text) == t.raw
    return res.launches


def _words(launch) -> list[tuple[str, int, int, str, bool]]:
    return [(t.text, t.span.line, t.span.column, t.raw, t.symbolic) for t in launch.program + launch.args]


def test_parameters_at_the_only_call_site_and_one_program_under_several_paths() -> None:
    popen, _, _ = _launches(FIX / "start_server.py")
    assert _words(popen) == [
        ("vllm", 13, 12, "binary", False),  # VENV_VLLM if ... else shutil.which("vllm") or "vllm"
        ("serve", 13, 21, "serve", False),
        ("Qwen/Qwen2.5-14B-Instruct", 13, 29, "model", False),  # launch(tp=4) leaves the default
        ("--port", 13, 37, "--port", False), ("8100", 13, 46, "str(port)", False),
        ("--tensor-parallel-size", 13, 58, "--tensor-parallel-size", False),
        ("4", 13, 83, "str(tp)", False),  # given at the call site
        ("--max-model-len", 15, 18, "--max-model-len", False),
        ("str(max_len)", 15, 36, "str(max_len)", True),  # None when not given: no phantom value
    ]
    assert popen.args[-1].condition == "when `max_len is not None` is true"


def test_shlex_split_and_a_joined_argv_run_by_the_shell() -> None:
    _, split, joined = _launches(FIX / "start_server.py")
    assert [w[0] for w in _words(split)] == ["vllm", "serve", "Qwen/Qwen2.5-7B-Instruct", "--max-model-len", "8192",
                                             "--max-num-seqs", "32"]
    assert _words(split)[4] == ("8192", 20, 49, "8192", False)
    assert [w[0] for w in _words(joined)][3:] == ["--model", "Qwen/Qwen2.5-7B-Instruct", "--dtype", "half"]
    assert _words(joined)[-1] == ("half", 22, 97, "half", False)


def test_a_function_called_twice_or_never_keeps_its_parameters_unknown(tmp_path: Path) -> None:
    f = tmp_path / "srv.py"
    body = ("import subprocess\n\ndef go(model='m1'):\n    subprocess.run(['vllm', 'serve', model])\n\n")
    for calls, expected in (("go()\ngo('m2')\n", True), ("", True), ("go(model='m3')\n", False)):
        f.write_text(body + calls)
        (launch,) = _launches(f)
        assert launch.args[0].symbolic is expected, calls
    assert launch.args[0].text == "m3"


def test_notebook_interpreter_field_and_exported_system_calls() -> None:
    path = FIX / "ipython.ipynb"
    src = load_source(path, path.name, "notebook")
    res = extract(src, ExtractOptions())
    module, system = res.launches
    assert [t.text for t in module.program] == ["python", "-m", "vllm.entrypoints.openai.api_server"]
    assert module.program[0].raw == "{sys.executable}" and module.program[0].span.line == 8
    assert [t.text for t in module.args][-2:] == ["--max-model-len", "4096"]
    assert [t.text for t in system.args] == ["Qwen/Qwen2.5-0.5B-Instruct", "--max-num-seqs", "8"]
    t = system.args[-1]
    assert (t.span.line, t.span.slice(src.text)) == (17, "8")
