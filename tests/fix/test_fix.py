"""The fixer on a fixture of every source syntax: whole files are compared before and after, so
any byte changed outside an edit's span fails a test."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from vllm_lint.diagnostic import Diagnostic, Edit, Fix, Severity
from vllm_lint.fix import (
    apply_edits,
    apply_fixes,
    insertion_edit,
    plan_edits,
    render_flag,
    rename_flag_edit,
)
from vllm_lint.launch import Insertion, Token
from vllm_lint.results import LintResult
from vllm_lint.sources.readfile import load_source


def _load(path: Path):
    src = load_source(path, str(path), "")
    assert not isinstance(src, Diagnostic), src
    return src


def _edit(src, needle: str, replacement: str, occurrence: int = 0) -> Edit:
    start = -1
    for _ in range(occurrence + 1):
        start = src.text.index(needle, start + 1)
    return Edit(src.index.span(start, start + len(needle)), replacement)


def _diag(src, edits, *, safe: bool = True, rule: str = "VL201") -> Diagnostic:
    e0 = edits[0]
    return Diagnostic(rule, "test-rule", Severity.WARNING, src.display, e0.span, "msg",
                      fix=Fix("test fix", tuple(edits), safe=safe))


def _result(*srcs_and_diags) -> LintResult:
    r = LintResult()
    for src, diags in srcs_and_diags:
        r.sources[src.display] = src
        r.files.append(src.display)
        r.diagnostics.extend(diags)
    return r


# name, file name, before, [(needle, replacement, occurrence)], after
CASES = [
    ("compose-block-list", "docker-compose.yml",
     "services:\n  vllm:\n    command:\n      - --model\n      - Qwen/Qwen2.5-7B\n      - --max_model_len\n      - \"4096\"\n",
     [("--max_model_len", "--max-model-len", 0)],
     "services:\n  vllm:\n    command:\n      - --model\n      - Qwen/Qwen2.5-7B\n      - --max-model-len\n      - \"4096\"\n"),
    ("compose-flow-list", "compose.yaml",
     "services:\n  vllm:\n    command: [\"--model\", \"x\", \"--gpu-memory-util\", \"0.9\"]  # keep\n",
     [("--gpu-memory-util", "--gpu-memory-utilization", 0)],
     "services:\n  vllm:\n    command: [\"--model\", \"x\", \"--gpu-memory-utilization\", \"0.9\"]  # keep\n"),
    ("flag-equals-item", "deploy.yaml",
     "spec:\n  containers:\n    - args:\n        - --max_num_seqs=64\n        - --enforce-eager\n",
     [("--max_num_seqs", "--max-num-seqs", 0)],
     "spec:\n  containers:\n    - args:\n        - --max-num-seqs=64\n        - --enforce-eager\n"),
    ("block-scalar", "pod.yaml",
     "command:\n  - /bin/sh\n  - -c\n  - |\n    vllm serve x \\\n      --max-model-len 32768 \\\n      --port 8000\n",
     [("32768", "8192", 0)],
     "command:\n  - /bin/sh\n  - -c\n  - |\n    vllm serve x \\\n      --max-model-len 8192 \\\n      --port 8000\n"),
    ("sh-c-string", "job.yaml",
     "args: [\"sh\", \"-c\", \"pip list; vllm serve x --tensor_parallel_size 2 --trust-remote-code\"]\n",
     [("--tensor_parallel_size", "--tensor-parallel-size", 0)],
     "args: [\"sh\", \"-c\", \"pip list; vllm serve x --tensor-parallel-size 2 --trust-remote-code\"]\n"),
    ("shell-continuation", "serve.sh",
     "#!/usr/bin/env bash\nset -e\nvllm serve \"$MODEL\" \\\n\t--gpu-memory-utilization 0.95 \\\n\t--max-model-len 8192   # long\n",
     [("0.95", "0.9", 0)],
     "#!/usr/bin/env bash\nset -e\nvllm serve \"$MODEL\" \\\n\t--gpu-memory-utilization 0.9 \\\n\t--max-model-len 8192   # long\n"),
    ("helm-camel-key", "values.yaml",
     "servingEngineSpec:\n  modelSpec:\n    - name: llama\n      maxModelLen: 32768   # from the card\n      requestGPU: 1\n",
     [("32768", "8192", 0)],
     "servingEngineSpec:\n  modelSpec:\n    - name: llama\n      maxModelLen: 8192   # from the card\n      requestGPU: 1\n"),
    ("dockerfile-exec", "Dockerfile",
     "FROM vllm/vllm-openai:v0.8.5\nENTRYPOINT [\"python3\", \"-m\", \"vllm.entrypoints.openai.api_server\", \\\n  \"--max_model_len\", \"4096\"]\n",
     [("--max_model_len", "--max-model-len", 0)],
     "FROM vllm/vllm-openai:v0.8.5\nENTRYPOINT [\"python3\", \"-m\", \"vllm.entrypoints.openai.api_server\", \\\n  \"--max-model-len\", \"4096\"]\n"),
    ("vllm-config", "config.yaml",
     "model: Qwen/Qwen2.5-7B\nmax-model-len: 131072\nenable_prefix_caching: true\n",
     [("131072", "32768", 0)],
     "model: Qwen/Qwen2.5-7B\nmax-model-len: 32768\nenable_prefix_caching: true\n"),
    ("dotenv", ".env",
     "MODEL=x\nVLLM_ARGS=--max_model_len 4096 --enforce-eager\n",
     [("--max_model_len", "--max-model-len", 0)],
     "MODEL=x\nVLLM_ARGS=--max-model-len 4096 --enforce-eager\n"),
    ("two-edits-one-file", "docker-compose.yml",
     "x:\n  - --max_model_len\n  - '4096'\n  - --max_num_seqs\n",
     [("--max_model_len", "--max-model-len", 0), ("--max_num_seqs", "--max-num-seqs", 0)],
     "x:\n  - --max-model-len\n  - '4096'\n  - --max-num-seqs\n"),
]


@pytest.mark.parametrize("name,fname,before,subs,after", CASES, ids=[c[0] for c in CASES])
def test_fix_every_format_whole_file(tmp_path, name, fname, before, subs, after):
    path = tmp_path / fname
    path.write_bytes(before.encode())
    src = _load(path)
    diags = [_diag(src, [_edit(src, n, r, k)]) for n, r, k in subs]

    preview = apply_fixes(_result((src, diags)), unsafe=False, write=False)
    assert path.read_bytes() == before.encode()  # --diff writes nothing
    assert preview.diff.startswith(f"--- a/{src.display}\n+++ b/{src.display}\n")

    outcome = apply_fixes(_result((src, diags)), unsafe=False, write=True)
    assert path.read_bytes() == after.encode()
    assert outcome.fixed == len(subs) and outcome.remaining == []
    assert outcome.files_changed == [src.display]
    assert outcome.diff == preview.diff

    # A second run over the fixed file has nothing to change.
    again = _load(path)
    second = apply_fixes(_result((again, [])), unsafe=False, write=True)
    assert second.diff == "" and path.read_bytes() == after.encode()


def test_crlf_and_bom_survive(tmp_path):
    before = "\ufeffservices:\r\n  vllm:\r\n    command:\r\n      - --max_model_len\r\n      - 4096\r\n"
    path = tmp_path / "docker-compose.yml"
    path.write_bytes(before.encode("utf-8"))
    src = _load(path)
    assert src.had_bom and "\r\n" in src.text
    # A replacement spanning lines (as an insertion renders) gets CRLF too.
    ins = Edit(src.index.span(len(src.text), len(src.text)), "      - --enforce-eager\n")
    diags = [_diag(src, [_edit(src, "--max_model_len", "--max-model-len")]), _diag(src, [ins])]
    apply_fixes(_result((src, diags)), unsafe=False, write=True)
    expected = before.replace("--max_model_len", "--max-model-len") + "      - --enforce-eager\r\n"
    assert path.read_bytes() == expected.encode("utf-8")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_utf16_file_keeps_encoding(tmp_path):
    before = "MODEL=x\r\nARGS=--max_model_len 4096\r\n"
    path = tmp_path / "vllm.env"
    path.write_bytes(b"\xff\xfe" + before.encode("utf-16-le"))
    src = _load(path)
    apply_fixes(_result((src, [_diag(src, [_edit(src, "--max_model_len", "--max-model-len")])])), unsafe=False, write=True)
    assert path.read_bytes() == b"\xff\xfe" + before.replace("_model_len", "-model-len").encode("utf-16-le")


def test_mode_kept_and_symlink_followed(tmp_path):
    real = tmp_path / "serve.sh"
    real.write_text("#!/bin/sh\nvllm serve x --max_model_len 4096\n")
    real.chmod(0o751)
    link = tmp_path / "link.sh"
    link.symlink_to(real)
    src = _load(link)
    apply_fixes(_result((src, [_diag(src, [_edit(src, "--max_model_len", "--max-model-len")])])), unsafe=False, write=True)
    assert link.is_symlink()
    assert real.read_text() == "#!/bin/sh\nvllm serve x --max-model-len 4096\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o751
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".vllm-lint-tmp")]


def test_unsafe_needs_opt_in(tmp_path):
    path = tmp_path / "serve.sh"
    before = "vllm serve x --max-model-len 32768\n"
    path.write_text(before)
    src = _load(path)
    diag = _diag(src, [_edit(src, "32768", "8192")], safe=False, rule="VL101")
    outcome = apply_fixes(_result((src, [diag])), unsafe=False, write=True)
    assert outcome.fixed == 0 and outcome.remaining == [diag] and path.read_text() == before
    outcome = apply_fixes(_result((src, [diag])), unsafe=True, write=True)
    assert outcome.fixed == 1 and outcome.remaining == [] and path.read_text() == before.replace("32768", "8192")


def test_overlapping_fix_is_skipped_and_stays_reported(tmp_path):
    path = tmp_path / "serve.sh"
    before = "vllm serve x --max_model_len 4096\n"
    path.write_text(before)
    src = _load(path)
    first = _diag(src, [_edit(src, "--max_model_len", "--max-model-len")])
    second = _diag(src, [_edit(src, "--max_model_len 4096", "--max-model-len 2048")], rule="VL202")
    outcome = apply_fixes(_result((src, [second, first])), unsafe=False, write=True)
    assert path.read_text() == "vllm serve x --max-model-len 4096\n"
    assert outcome.fixed == 1 and outcome.remaining == [second] and outcome.skipped == [second]


def test_identical_edits_apply_once_and_insertions_at_one_point_conflict():
    text = "a b c"
    from vllm_lint.span import LineIndex

    idx = LineIndex("f", text)
    e = Edit(idx.span(2, 3), "B")
    d1 = Diagnostic("VL201", "n", Severity.WARNING, "f", e.span, "m", fix=Fix("x", (e,)))
    d2 = Diagnostic("VL202", "n", Severity.WARNING, "f", e.span, "m", fix=Fix("x", (e,)))
    chosen, fixed, skipped = plan_edits([d1, d2], {"f": text}, unsafe=False)
    assert apply_edits(text, chosen["f"]) == "a B c" and len(fixed) == 2 and not skipped
    i1 = Edit(idx.span(5, 5), " d")
    i2 = Edit(idx.span(5, 5), " e")
    d3 = Diagnostic("VL203", "n", Severity.WARNING, "f", None, "m", fix=Fix("x", (i1,)))
    d4 = Diagnostic("VL204", "n", Severity.WARNING, "f", None, "m", fix=Fix("x", (i2,)))
    chosen, fixed, skipped = plan_edits([d3, d4], {"f": text}, unsafe=False)
    assert fixed == [d3] and skipped == [d4]


def test_file_changed_on_disk_is_not_overwritten(tmp_path):
    path = tmp_path / "serve.sh"
    path.write_text("vllm serve x --max_model_len 4096\n")
    src = _load(path)
    diag = _diag(src, [_edit(src, "--max_model_len", "--max-model-len")])
    path.write_text("vllm serve y --max_model_len 4096\n")
    outcome = apply_fixes(_result((src, [diag])), unsafe=False, write=True)
    assert path.read_text() == "vllm serve y --max_model_len 4096\n"
    assert outcome.fixed == 0 and outcome.errors and outcome.remaining == [diag]


def test_diff_marks_missing_final_newline(tmp_path):
    path = tmp_path / "serve.sh"
    path.write_text("vllm serve x --max_model_len 4096")
    src = _load(path)
    out = apply_fixes(_result((src, [_diag(src, [_edit(src, "--max_model_len", "--max-model-len")])])), unsafe=False, write=False)
    assert out.diff.endswith("+vllm serve x --max-model-len 4096\n\\ No newline at end of file\n")


def test_insertion_in_the_style_of_its_surroundings(tmp_path):
    before = "services:\n  vllm:\n    command:\n      - --model\n      - x\n    ports:\n      - 8000:8000\n"
    path = tmp_path / "docker-compose.yml"
    path.write_text(before)
    src = _load(path)
    offset = src.text.index("    ports:")
    ins = Insertion(src.display, offset, lambda words: "".join(f"      - {w}\n" for w in words))
    edit = insertion_edit(ins, src.index, ["--max-model-len", "8192"])
    assert edit.span.start == edit.span.end == offset
    apply_fixes(_result((src, [_diag(src, [edit], safe=False)])), unsafe=True, write=True)
    assert path.read_text() == before.replace("    ports:", "      - --max-model-len\n      - 8192\n    ports:")


@pytest.mark.parametrize(
    "style,raw,flag,expected",
    [
        ("argv", "--max_model_len", "--max-model-len", "--max-model-len"),
        ("argv", "'--max_model_len'", "--max-model-len", "'--max-model-len'"),
        ("argv-eq", "--max_model_len", "--max-model-len", "--max-model-len"),
        ("helm-key", "gpuMemoryUtilisation", "--gpu-memory-utilization", "gpuMemoryUtilization"),
        ("helm-key", "gpu_memory_util", "--gpu-memory-utilization", "gpu_memory_utilization"),
        ("helm-key", "max-model-len", "--max-model-len", "max-model-len"),
        ("config-key", "max-model-len", "--max-model-len", "max_model_len"),
    ],
)
def test_render_flag_per_token_style(style, raw, flag, expected):
    assert render_flag(Token(text=raw, raw=raw, style=style), flag) == expected


def test_rename_edit_skips_synthetic_tokens():
    assert rename_flag_edit(Token(text="--x", style="synthetic"), "--y") is None


def test_fix_until_stable_picks_up_overlapping_fixes_on_later_rounds(tmp_path):
    from vllm_lint.fix import fix_until_stable

    path = tmp_path / "serve.sh"
    path.write_text("vllm serve x --max_model_len 4096\n")

    def lint() -> LintResult:
        # a stand-in linter: two rules, one renames the flag, the other the whole "flag value"
        src = _load(path)
        diags = []
        if "--max_model_len" in src.text:
            diags.append(_diag(src, [_edit(src, "--max_model_len", "--max-model-len")], rule="VL101"))
        if "--max_model_len 4096" in src.text:
            diags.append(_diag(src, [_edit(src, "--max_model_len 4096", "--max_model_len 2048")], rule="VL102", safe=False))
        elif " 4096" in src.text:
            diags.append(_diag(src, [_edit(src, "4096", "2048")], rule="VL102", safe=False))
        return _result((src, diags))

    outcome, last = fix_until_stable(lint(), lint, unsafe=True)
    assert path.read_text() == "vllm serve x --max-model-len 2048\n"
    assert outcome.fixed == 2 and outcome.files_changed == [str(path)] and last.diagnostics == [] and outcome.remaining == []


def _brute_force_plan(diags, text):
    """The obvious quadratic planner the fast one must agree with."""
    from vllm_lint.fix import _conflicts

    chosen, fixed = [], []
    for d in sorted(diags, key=lambda d: (d.path, min(e.span.start for e in d.fix.edits), d.rule)):
        es = d.fix.edits
        if any(_conflicts(e, o) for e in es for o in chosen) or any(
            _conflicts(a, b) for i, a in enumerate(es) for b in es[:i]
        ):
            continue
        for e in es:
            if not any((o.span.start, o.span.end, o.replacement) == (e.span.start, e.span.end, e.replacement) for o in chosen):
                chosen.append(e)
        fixed.append(d)
    return apply_edits(text, chosen), fixed


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 3), st.sampled_from(["", "x", "yy"])),
                         min_size=1, max_size=3), max_size=12))
def test_fast_planner_agrees_with_brute_force(fixes):
    from vllm_lint.span import LineIndex

    text = "abcdefghijkl"
    idx = LineIndex("f", text)
    diags = []
    for n, edits in enumerate(fixes):
        es = tuple(Edit(idx.span(min(a, 12), min(a + w, 12)), r) for a, w, r in edits)
        diags.append(Diagnostic(f"VL{n:03d}", "n", Severity.WARNING, "f", None, "m", fix=Fix("x", es)))
    chosen, fixed, skipped = plan_edits(diags, {"f": text}, unsafe=False)
    want_text, want_fixed = _brute_force_plan(diags, text)
    assert [id(d) for d in fixed] == [id(d) for d in want_fixed]
    assert apply_edits(text, chosen.get("f", [])) == want_text
    assert len(fixed) + len(skipped) == len(diags)


def test_planning_many_fixes_in_one_file_is_fast():
    from time_budgets import time_budget

    from vllm_lint.span import LineIndex

    text = "x\n" * 50_000
    idx = LineIndex("f", text)
    diags = [Diagnostic("VL006", "n", Severity.WARNING, "f", None, "m",
                        fix=Fix("x", (Edit(idx.span(2 * i, 2 * i + 2), ""),))) for i in range(50_000)]
    with time_budget(30):  # a quadratic planner needs billions of steps here
        chosen, fixed, _ = plan_edits(diags, {"f": text}, unsafe=False)
    assert len(fixed) == 50_000 and apply_edits(text, chosen["f"]) == ""


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_owner_kept_when_root_fixes_another_users_file(tmp_path):
    path = tmp_path / "serve.sh"
    path.write_text("vllm serve x --max_model_len 4096\n")
    os.chown(path, 1234, 2345)
    src = _load(path)
    apply_fixes(_result((src, [_diag(src, [_edit(src, "--max_model_len", "--max-model-len")])])), unsafe=False, write=True)
    st = path.stat()
    assert (st.st_uid, st.st_gid) == (1234, 2345) and "--max-model-len" in path.read_text()
