"""The fix loop: fixes of one pass never touch one option of one launch twice, each pass is
re-linted in memory, `--diff` shows the converged result that `--fix` writes, the pass limit is
reported, and no byte outside the fixes changes (CRLF, BOM, tabs, no final newline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vllm_lint.cli import main
from vllm_lint.diagnostic import Diagnostic, Edit, Fix, Severity
from vllm_lint.fix import deletion_edit, fix_until_stable, plan_edits
from vllm_lint.fix_isolation import option_key
from vllm_lint.results import LintResult
from vllm_lint.span import LineIndex
from vllm_lint.sources.readfile import load_source


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


# -- two fixes, one option ----------------------------------------------------------------------

RENAME_AND_CAPACITY = "#!/bin/sh\n# vllm-lint: gpu=L4\nvllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-length {n}\n"


def test_rename_and_capacity_fix_do_not_both_apply_to_one_option(cwd, capsys):
    """VL201 renames --max-model-length, VL101 (computed while the misspelt flag was ignored)
    appends --max-model-len 25600: applied together, the user's 8192 would become 25600."""
    path = cwd / "serve.sh"
    path.write_text(RENAME_AND_CAPACITY.format(n=8192))
    assert main(["--diff", "--unsafe-fixes", "serve.sh"]) == 1
    diff = capsys.readouterr().out
    assert "+vllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 8192\n" in diff
    assert "25600" not in diff and path.read_text() == RENAME_AND_CAPACITY.format(n=8192)

    assert main(["--fix", "--unsafe-fixes", "-q", "serve.sh"]) == 0
    assert path.read_text() == RENAME_AND_CAPACITY.format(n=8192).replace("-length", "-len")


def test_diff_shows_the_converged_result_that_fix_writes(cwd, capsys):
    """65536 does not fit an L4: the rename comes first, then the next pass fits the value."""
    path = cwd / "serve.sh"
    path.write_text(RENAME_AND_CAPACITY.format(n=65536))
    assert main(["--diff", "--unsafe-fixes", "serve.sh"]) == 1
    diff = capsys.readouterr().out
    (added,) = [line for line in diff.splitlines() if line.startswith("+vllm serve")]
    value = int(added.rsplit("--max-model-len ", 1)[1])  # renamed, then fitted by the next pass
    assert "-length" not in added and 0 < value < 65536
    assert main(["--fix", "--unsafe-fixes", "-q", "serve.sh"]) in (0, 1)
    assert path.read_text() == RENAME_AND_CAPACITY.format(n=65536).replace("-length 65536", f"-len {value}")
    assert main(["--diff", "--unsafe-fixes", "serve.sh"]) == 0


def test_removal_that_waits_for_the_next_pass_is_applied(cwd):
    """Two removed flags written next to each other: the second removal overlaps the first's
    separator, waits, and the next pass removes it (both started a line of a continued command)."""
    path = cwd / "serve.sh"
    before = ("#!/bin/sh\npython3 -m vllm.entrypoints.openai.api_server \\\n--model Qwen/Qwen2.5-0.5B-Instruct \\\n"
              "--tokenizer-pool-size 128 --swap-space 8 --block-size 32 \\\n--port 5999")
    path.write_text(before)
    assert main(["--fix", "--select", "VL202", "-q", "--vllm-version", "0.33.0", "serve.sh"]) == 0
    assert path.read_text() == before.replace("--tokenizer-pool-size 128 --swap-space 8 ", "")


def test_rename_to_the_opposite_option_is_never_offered(cwd, capsys):
    """Once --disable-log-requests is gone (0.18), the nearest name to a typo of it is
    --enable-log-requests: renaming would turn request logging on."""
    path = cwd / "serve.sh"
    path.write_text("#!/bin/sh\nvllm serve Qwen/Qwen2.5-7B-Instruct --disable-log-requrests\n")
    assert main(["--fix", "--unsafe-fixes", "--select", "VL201", "-q", "--vllm-version", "0.18.1", "serve.sh"]) == 1
    assert "means the opposite" in capsys.readouterr().out
    assert "requrests" in path.read_text()


def test_deprecated_no_op_left_by_a_rename_is_removed_on_the_next_pass(cwd):
    path = cwd / "serve.sh"
    path.write_text("#!/bin/sh\nvllm serve Qwen/Qwen2.5-7B-Instruct --disable-log-requrests --port 8000\n")
    assert main(["--fix", "--select", "VL2", "-q", "--vllm-version", "0.10.2", "serve.sh"]) == 0
    assert path.read_text() == "#!/bin/sh\nvllm serve Qwen/Qwen2.5-7B-Instruct --port 8000\n"


def test_deprecated_no_op_removal_is_unsafe_when_the_release_is_assumed(cwd):
    """--disable-log-requests did something before it became a no-op: with no release stated
    the removal is offered, but only with --unsafe-fixes."""
    from vllm_lint.resolve.context import RunOptions
    from vllm_lint.lint import LintOptions, lint_paths

    (cwd / "serve.sh").write_text("#!/bin/sh\nvllm serve Qwen/Qwen2.5-7B-Instruct --disable-log-requests\n")
    stated = lint_paths([Path("serve.sh")], LintOptions(run=RunOptions(vllm_version="0.10.2"), select=["VL210"]))
    assert [d.fix.safe for d in stated.diagnostics] == [True]
    (cwd / "serve.sh").write_text("#!/bin/sh\n# vllm-lint: vllm-version=0.10.2\nvllm serve Qwen/Qwen2.5-7B-Instruct "
                                  "--disable-log-requests\n")
    assert [d.fix.safe for d in lint_paths([Path("serve.sh")], LintOptions(select=["VL210"])).diagnostics] == [True]


def _diag(rule: str, path: str, edits: list[Edit], launch: str | None = "l") -> Diagnostic:
    return Diagnostic(rule, "n", Severity.ERROR, path, edits[0].span, "m", launch=launch,
                      fix=Fix("f", tuple(edits), safe=True))


def test_planner_defers_a_second_fix_of_the_same_option_of_the_same_launch():
    text = "vllm serve m --max-model-length 8192"
    idx = LineIndex("f", text)
    start = text.index("--max-model-length")
    rename = _diag("VL201", "f", [Edit(idx.span(start, start + len("--max-model-length")), "--max-model-len")])
    insert = _diag("VL101", "f", [Edit(idx.span(len(text), len(text)), " --max-model-len 25600")])
    other_launch = _diag("VL101", "f", [Edit(idx.span(len(text), len(text)), " --max-model-len 25600")], launch="k")
    other_option = _diag("VL301", "f", [Edit(idx.span(0, 0), "")])

    def touches(d):
        opts = {"VL201": {"maxmodellength", "maxmodellen"}, "VL101": {"maxmodellen"}, "VL301": {"port"}}[d.rule]
        return d.launch, frozenset(opts)

    _, fixed, skipped = plan_edits([insert, rename, other_option], {"f": text}, unsafe=True, touches=touches)
    assert fixed == [other_option, rename] and skipped == [insert]
    _, fixed, skipped = plan_edits([other_launch, rename], {"f": text}, unsafe=True, touches=touches)
    assert fixed == [rename, other_launch] and not skipped  # another launch's option: no conflict
    _, fixed, _ = plan_edits([insert, rename], {"f": text}, unsafe=True)
    assert len(fixed) == 2  # without the option check both would apply


@pytest.mark.parametrize("written,key", [
    ("--max-model-len", "maxmodellen"), ("--max_model_len=4096", "maxmodellen"), ("maxModelLen", "maxmodellen"),
    ("'max_model_len'", "maxmodellen"), ("--no-enable-prefix-caching", "enableprefixcaching"),
])
def test_option_key_ignores_the_writing_convention(written, key):
    assert option_key(written) == key


def test_option_touches_reads_tokens_and_inserted_text(cwd):
    from vllm_lint.resolve.context import RunOptions
    from vllm_lint.fix_isolation import OptionTouches
    from vllm_lint.lint import LintOptions, lint_paths

    (cwd / "serve.sh").write_text("#!/bin/sh\nvllm serve m --max_model_len 4096 --port 8000\n")
    result = lint_paths([Path("serve.sh")], LintOptions(run=RunOptions(), select=["VL0"]))
    (ctx,) = result.launches
    text = ctx.src.text
    touches = OptionTouches(result.launches)

    def opts(start: int, end: int, rep: str) -> frozenset:
        d = Diagnostic("VL999", "n", Severity.ERROR, ctx.src.display, None, "m", launch=ctx.launch.name,
                       fix=Fix("f", (Edit(ctx.src.span(start, end), rep),)))
        return touches(d)[1]

    v = text.index("4096")
    assert opts(v, v + 4, "8192") == {"maxmodellen"}  # a value belongs to the flag before it
    f = text.index("--max_model_len")
    assert opts(f, f + 15, "--max-model-len") == {"maxmodellen"}
    end = len(text) - 1
    assert opts(end, end, " --gpu-memory-utilization 0.8") == {"gpumemoryutilization"}
    assert opts(end, end, "\n  maxModelLen: 8192") == {"maxmodellen"}


# -- the pass limit ------------------------------------------------------------------------------


def _toggling_linter(path: Path, values: list[str]):
    """A stand-in linter whose fix rewrites the value to the next one in ``values`` forever."""
    def lint() -> LintResult:
        src = load_source(path, str(path), "")
        for i, v in enumerate(values):
            at = src.text.find(f" {v}\n")
            if at != -1:
                new = values[(i + 1) % len(values)]
                edit = Edit(src.index.span(at + 1, at + 1 + len(v)), new)
                r = LintResult(files=[str(path)], sources={str(path): src})
                r.diagnostics.append(_diag("VL999", str(path), [edit], launch=None))
                return r
        return LintResult(files=[str(path)], sources={str(path): src})
    return lint


def test_a_loop_that_keeps_changing_stops_at_the_pass_limit_and_says_so(tmp_path):
    path = tmp_path / "serve.sh"
    path.write_text("vllm serve m --max-model-len 1\n")
    values = [str(n) for n in range(1, 40)]
    lint = _toggling_linter(path, values)
    outcome, _ = fix_until_stable(lint(), lint, unsafe=True, max_passes=5)
    assert not outcome.converged and outcome.passes == 5
    assert outcome.unconverged == [f"{path} (VL999)"]
    assert path.read_text() == "vllm serve m --max-model-len 6\n"  # the last pass's result, written once


def test_fixes_that_undo_each_other_stop_early(tmp_path):
    path = tmp_path / "serve.sh"
    path.write_text("vllm serve m --max-model-len 1\n")
    lint = _toggling_linter(path, ["1", "2"])
    outcome, _ = fix_until_stable(lint(), lint, unsafe=True)
    assert not outcome.converged and outcome.passes == 2


def test_cli_reports_the_pass_limit(cwd, monkeypatch, capsys):
    import vllm_lint.fix as fix_module
    import vllm_lint.lint as lint_module

    path = cwd / "serve.sh"
    path.write_text("vllm serve m --max-model-len 1\n")
    lint = _toggling_linter(path, [str(n) for n in range(1, 40)])
    monkeypatch.setattr(lint_module, "lint_paths", lambda *a, **k: lint())
    monkeypatch.setattr(fix_module, "MAX_PASSES", 3)
    main(["--fix", "serve.sh"])
    err = capsys.readouterr().err
    assert "fixes did not converge after 3 passes" in err and "serve.sh (VL999)" in err, err


# -- bytes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,encode", [
    ("crlf", lambda t: t.replace("\n", "\r\n").encode()),
    ("bom", lambda t: b"\xef\xbb\xbf" + t.encode()),
    ("bom-crlf", lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode()),
    ("no-final-newline", lambda t: t.rstrip("\n").encode()),
    ("tabs", lambda t: t.replace("    ", "\t").encode()),
])
def test_fix_keeps_every_byte_it_does_not_mean_to_change(cwd, name, encode):
    """A two-pass fix (rename, then the deprecated no-op it leaves is removed) and a removal."""
    before = ("#!/bin/sh\n# keep   this   comment\t\nvllm serve Qwen/Qwen2.5-7B-Instruct \\\n"
              "    --disable-log-requrests \\\n    --num-scheduler-steps 4 \\\n    --port 8000\n")
    expected = before.replace("    --disable-log-requrests \\\n", "").replace("    --num-scheduler-steps 4 \\\n", "")
    path = cwd / "serve.sh"
    path.write_bytes(encode(before))
    assert main(["--fix", "--select", "VL2", "-q", "--vllm-version", "0.10.2", "serve.sh"]) == 0
    assert path.read_bytes() == encode(expected)


# -- removing words ------------------------------------------------------------------------------

@pytest.mark.parametrize("text,word,expected", [
    # first word of a continued line: the blanks after it go
    ("vllm serve m \\\n--swap-space 8 --port 1\n", "--swap-space 8", "vllm serve m \\\n--port 1\n"),
    # a line of its own before a continuation: the whole line goes
    ("vllm serve m \\\n  --swap-space 8 \\\n  --port 1\n", "--swap-space 8", "vllm serve m \\\n  --port 1\n"),
    ("vllm serve m \\\r\n  --swap-space 8 \\\r\n  --port 1\r\n", "--swap-space 8", "vllm serve m \\\r\n  --port 1\r\n"),
    # the last word of the command: the blanks before it go, the continuation above stays harmless
    ("vllm serve m \\\n  --swap-space 8\necho done\n", "--swap-space 8", "vllm serve m \\\n\necho done\n"),
    # YAML block list: both item lines; flow list: the items and one comma
    ("args:\n  - --swap-space\n  - \"8\"\n  - --port\n", "--swap-space\n  - \"8\"", "args:\n  - --port\n"),
    ('args: ["--swap-space", "8", "--port", "1"]\n', '--swap-space", "8', 'args: ["--port", "1"]\n'),
    ('args: ["--port", "1", "--swap-space", "8"]\n', '--swap-space", "8', 'args: ["--port", "1"]\n'),
])
def test_deletion_edit_keeps_the_syntax(text, word, expected):
    idx = LineIndex("f", text)
    start = text.index(word)
    edit = deletion_edit(text, idx, start, start + len(word))
    assert edit is not None
    assert text[:edit.span.start] + edit.replacement + text[edit.span.end:] == expected
