"""Conditions beyond the POSIX shell: Python lists and keyword dicts built under ``if``, loops and
``except``, PowerShell ``if``/``elseif``/``else``/``foreach`` blocks, batch ``if`` prefixes and
``( ... ) else ( ... )`` blocks. Words added there are kept with their condition
(``Token.condition``) so their names are checked, instead of being dropped as unknown."""

from __future__ import annotations

from pathlib import Path

from vllm_lint.discover import classify_file
from vllm_lint.lint import LintOptions, lint_paths
from vllm_lint.resolve.context import RunOptions
from vllm_lint.sources.base import ExtractOptions, SourceFile
from vllm_lint.sources.dispatch import extract
from vllm_lint.sources.readfile import load_source

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "conditions"


def launches(name: str):
    path = FIX / name
    src = load_source(path, name, classify_file(path, explicit=True) or "unknown")
    assert isinstance(src, SourceFile), src
    res = extract(src, ExtractOptions())
    assert not res.diagnostics
    for launch in res.launches:
        for t in launch.program + launch.args:
            if t.span is not None:
                assert t.span.slice(src.text) == t.raw
    return res.launches


def words(launch) -> list[tuple[str, str | None]]:
    return [(t.text, t.condition) for t in launch.args]


def where(launch, text: str) -> tuple[int, int, str | None]:
    t = next(t for t in launch.args if t.text == text)
    return t.span.line, t.span.column, t.raw


def test_python_list_built_under_if_elif_else_and_a_loop() -> None:
    popen, llm = launches("launcher.py")
    assert words(popen) == [
        ("Qwen/Qwen2.5-7B-Instruct", None), ("--max-model-len", None), ("8192", None),
        ("--quantization", "when `args.quant` is true"), ("args.quant", "when `args.quant` is true"),
        ("--enforce-eager", "when `args.quant` is false and when `args.eager` is true"),
        ("--max-num-seqz", "when `args.quant` is false and when `args.eager` is false"),
        ("64", "when `args.quant` is false and when `args.eager` is false"),
        ("--lora-modules", 'in the loop `for adapter in ("sql", "chat")`'),
        ("adapter", 'in the loop `for adapter in ("sql", "chat")`'),
    ]
    assert where(popen, "--quantization") == (14, 14, "--quantization")
    assert where(popen, "--max-num-seqz") == (18, 18, "--max-num-seqz")
    assert next(t for t in popen.args if t.text == "args.quant").symbolic


def test_python_keyword_dict_with_keys_set_later() -> None:
    _, llm = launches("launcher.py")
    assert words(llm) == [
        ("--model", None), ("Qwen/Qwen2.5-0.5B-Instruct", None), ("--max_model_len", None), ("4096", None),
        ("--gpu_memory_utilization", None), ("0.8", None),
        ("--enforce_eager", "when `args.eager` is true"), ("True", "when `args.eager` is true"),
        ("--dtype", "when the `except` at line 30 runs"), ("half", "when the `except` at line 30 runs"),
    ]
    # each key and value at its own place (the dict literal, the subscript, the keyword of .update)
    assert where(llm, "--max_model_len") == (23, 58, "max_model_len")
    assert where(llm, "--gpu_memory_utilization") == (24, 16, "gpu_memory_utilization")
    assert where(llm, "0.8") == (24, 43, "0.8")
    assert where(llm, "--dtype") == (31, 26, "dtype")
    # replaced under a condition: vLLM gets one value or the other, so the first is checked alone
    assert any("engine_kwargs['max_model_len'] is replaced when `args.eager` is true (line 27)" in u
               for u in llm.unknowns)


def test_python_dict_deletions(tmp_path: Path) -> None:
    f = tmp_path / "app.py"
    f.write_text("from vllm import LLM\nimport os\nkw = dict(model='m', enforce_eager=True, max_num_seqs=8)\n"
                 "del kw['enforce_eager']\nif os.environ.get('BIG'):\n    kw.pop('max_num_seqs')\nLLM(**kw)\n")
    (launch,) = extract(load_source(f, "app.py", "python"), ExtractOptions()).launches
    assert words(launch) == [("--model", None), ("m", None),
                             ("--max_num_seqs", "unless `os.environ.get('BIG')` is true"),
                             ("8", "unless `os.environ.get('BIG')` is true")]
    assert where(launch, "--max_num_seqs") == (3, 42, "max_num_seqs")


def test_powershell_blocks() -> None:
    (launch,) = launches("run.ps1")
    assert words(launch) == [
        ("--model", None), ("Qwen/Qwen2.5-7B-Instruct", None), ("--max-model-len", None), ("8192", None),
        ("--quantization", "when `$env:QUANT` is true"), ("$env:QUANT", "when `$env:QUANT` is true"),
        ("--enforce-eager", 'when `$env:QUANT` is false and `$env:EAGER -eq "1"` is true'),
        ("--max-num-seqz", 'when `$env:QUANT` is false and `$env:EAGER -eq "1"` is false'),
        ("64", 'when `$env:QUANT` is false and `$env:EAGER -eq "1"` is false'),
        ("--lora-modules", 'in the loop `foreach ($adapter in "sql", "chat")`'),
        ("$adapter", 'in the loop `foreach ($adapter in "sql", "chat")`'),
        ("--port", None), ("8000", None),  # `+=` outside a block adds, unconditionally
    ]
    assert where(launch, "--enforce-eager") == (6, 19, "--enforce-eager")  # inside its quotes
    assert where(launch, "64") == (8, 37, "64")


def test_batch_if_prefixes_and_blocks() -> None:
    (launch,) = launches("run.bat")
    assert words(launch) == [
        ("--model", None), ("Qwen/Qwen2.5-7B-Instruct", None), ("--max-model-len", None), ("8192", None),
        ("--quantization", "when `if defined QUANT` holds"), ("%QUANT%", "when `if defined QUANT` holds"),
        ("--enforce-eager", 'when `if "%EAGER%"=="1"` holds'),
        ("--max-num-seqz", 'when `if "%EAGER%"=="1"` does not hold'),
        ("64", 'when `if "%EAGER%"=="1"` does not hold'),
        ("--enable-lora", "when `if exist lora` holds"),
    ]
    assert [t.symbolic for t in launch.args if t.text.startswith("%")] == [True]  # only %QUANT% is unknown
    assert where(launch, "--enforce-eager") == (13, 36, "%ARGS%")  # where %ARGS% is expanded
    assert launch.gpu.all_visible


def test_batch_default_and_other_conditional_sets(tmp_path: Path) -> None:
    f = tmp_path / "serve.cmd"
    f.write_text("if not defined LEN set LEN=4096\nif defined BIG set TP=2\n"
                 "vllm serve m --max-model-len %LEN% --tensor-parallel-size %TP%\n")
    (launch,) = extract(load_source(f, "serve.cmd", "batch"), ExtractOptions()).launches
    assert [(t.text, t.symbolic) for t in launch.args] == [("m", False), ("--max-model-len", False), ("4096", False),
                                                           ("--tensor-parallel-size", False), ("%TP%", True)]


def test_findings_on_conditional_words_say_when(tmp_path: Path) -> None:
    result = lint_paths([FIX / "launcher.py", FIX / "run.ps1", FIX / "run.bat"],
                        LintOptions(run=RunOptions(gpu="H100", vllm_version="0.9.2")))
    found = sorted((Path(d.path).name, d.line, d.rule, d.severity.value) for d in result.diagnostics
                   if d.rule == "VL201")
    # misspelt in every release: an error even though passed only under a condition
    assert found == [("launcher.py", 18, "VL201", "error"), ("run.bat", 13, "VL201", "error"),
                     ("run.ps1", 8, "VL201", "error")]
    msgs = {Path(d.path).name: d.message for d in result.diagnostics if d.rule == "VL201"}
    assert msgs["launcher.py"].endswith("(passed only when `args.quant` is false and when `args.eager` is false)")
    assert msgs["run.bat"].endswith("""(passed only when `if "%EAGER%"=="1"` does not hold)""")


def test_make_if_function_is_a_conditional_flag() -> None:
    run, serve = launches("make/Makefile")
    assert words(run) == [
        ("--model", None), ("Qwen/Qwen2.5-7B-Instruct", None), ("--tensor-parallel-size", None), ("2", None),
        # QUANT is empty by default but `make run QUANT=awq` sets it: checked, with its condition,
        # and its value unknown (never the empty default)
        ("--quantization", "when QUANT is set and not empty"), ("${QUANT}", "when QUANT is set and not empty"),
        ("--enforce-eager", "when EAGER is set and not empty"),
        ("--max-num-seqz", None), ("64", None),  # the else part: what runs by default
    ]
    assert where(run, "--quantization") == (10, 18, "--quantization")
    assert where(run, "--max-num-seqz") == (11, 34, "--max-num-seqz")
    assert next(t for t in run.args if t.text == "${QUANT}").symbolic
    # a condition known to hold (TP is 2): the words are passed, unconditionally
    assert words(serve) == [("Qwen/Qwen2.5-7B-Instruct", None), ("--tensor-parallel-size", None), ("2", None)]


def test_powershell_assignment_without_blanks_around_the_equals_sign(tmp_path: Path) -> None:
    f = tmp_path / "run.ps1"
    f.write_text('$env:HF_TOKEN="hf_placeholder"\n$Model="Qwen/Qwen2.5-3B-Instruct"\n'
                 "docker run --gpus all -v C:\\cache:/root/.cache -e HF_TOKEN=$env:HF_TOKEN vllm/vllm-openai:v0.9.2 "
                 "--model $Model --max-model-len 512\n")
    (launch,) = extract(load_source(f, "run.ps1", "powershell"), ExtractOptions()).launches
    assert [t.text for t in launch.args] == ["--model", "Qwen/Qwen2.5-3B-Instruct", "--max-model-len", "512"]
    assert where(launch, "Qwen/Qwen2.5-3B-Instruct") == (3, 106, "$Model")
    assert launch.env["HF_TOKEN"].value == "hf_placeholder" and not launch.env["HF_TOKEN"].symbolic
