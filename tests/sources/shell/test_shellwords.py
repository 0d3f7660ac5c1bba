"""sources.shell (lexer, expansion, commands): quoting, continuations, expansions, arrays, heredocs; spans slice the source."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from vllm_lint.sources.shell.commands import parse_script, split_words


def texts(s: str, env=None) -> list[str]:
    return [w.text for w in split_words(s, env=env)]


def raws(s: str, env=None) -> list[str]:
    return [s[w.start:w.end] for w in split_words(s, env=env)]


def test_quotes_and_escapes() -> None:
    s = """vllm serve 'a b' "c \\"d\\"" e\\ f --x='{"k": 1}'"""
    assert texts(s) == ["vllm", "serve", "a b", 'c "d"', "e f", '--x={"k": 1}']
    assert raws(s) == ["vllm", "serve", "a b", 'c \\"d\\"', "e\\ f", "--x='{\"k\": 1}'"]


def test_word_of_several_quoted_parts_spans_all() -> None:
    s = "--model=\"$M\"'-x'"
    [w] = split_words(s, env={"M": "m"})
    assert w.text == "--model=m-x" and s[w.start:w.end] == s


def test_continuations_crlf_and_trailing_comment() -> None:
    s = "vllm serve m \\\r\n  --tp 2 \\\n\t--pp 1   # why\necho next\n"
    script = parse_script(s)
    assert [w.text for w in script.commands[0].words] == ["vllm", "serve", "m", "--tp", "2", "--pp", "1"]
    assert [w.text for w in script.commands[1].words] == ["echo", "next"]


def test_comment_line_inside_continuation_ends_command() -> None:
    s = "vllm serve m \\\n  # --tp 2 \\\n  --pp 1\n"
    cmds = parse_script(s).commands
    assert [w.text for w in cmds[0].words] == ["vllm", "serve", "m"]


def test_trailing_backslash_at_eof() -> None:
    assert texts("vllm serve m \\") == ["vllm", "serve", "m"]


def test_separators() -> None:
    s = "cd /x && vllm serve m; echo a || echo b | tee f & wait"
    cmds = parse_script(s).commands
    assert [c.words[0].text for c in cmds] == ["cd", "vllm", "echo", "echo", "tee", "wait"]
    assert [c.sep for c in cmds] == ["&&", ";", "||", "|", "&", ""]
    assert cmds[4].background


def test_defaults_nested_and_dash_default() -> None:
    s = "x ${A:-${B:-inner}} ${PF:---enable-prefix-caching} ${C-d} ${D:-} ${E:=set} $E"
    assert texts(s) == ["x", "inner", "--enable-prefix-caching", "d", "set", "set"]
    assert raws(s)[1] == "inner"  # points at the default text inside the braces


def test_alternate_value() -> None:
    s = 'x ${TP:+--tensor-parallel-size "$TP"} ${NO:+--never}'
    # a variable the script does not set may be set by whoever runs it: the words are kept,
    # marked with the condition under which they are passed
    assert texts(s, {"TP": "4"}) == ["x", "--tensor-parallel-size", "4", "--never"]
    words = split_words(s, None, {"TP": "4"})
    assert [w.condition for w in words] == [None, None, None, "when NO is set and not empty"]
    words = split_words(s)
    assert [w.text for w in words] == ["x", "--tensor-parallel-size", "$TP", "--never"]
    assert words[2].symbolic and words[1].condition == "when TP is set and not empty"
    # ${X+w} (no colon): set, even to "", is enough
    assert [w.condition for w in split_words("${E+--e} ${U+--u}", None, {"E": ""})] == [None, "when U is set"]


def test_unset_is_symbolic_and_recorded() -> None:
    script = parse_script("vllm serve $MODEL --port $(cat p) `x` $((1+1)) $1")
    words = script.commands[0].words
    assert [w.symbolic for w in words] == [False, False, True, False, True, True, True, True]
    assert words[2].text == "$MODEL"
    assert len(script.unknowns) == 5


def test_unquoted_expansion_splits_quoted_does_not() -> None:
    env = {"ARGS": "--a 1  --b 2"}
    assert texts("x $ARGS", env) == ["x", "--a", "1", "--b", "2"]
    assert texts('x "$ARGS"', env) == ["x", "--a 1  --b 2"]


def test_assignments_in_order_and_export() -> None:
    s = "MODEL=${MODEL:-q/x}\nexport TP=2 PORT\nMODEL=$MODEL-v2\nvllm serve $MODEL --tp $TP\n"
    cmds = parse_script(s).commands
    assert [w.text for w in cmds[-1].words] == ["vllm", "serve", "q/x-v2", "--tp", "2"]


def test_prefix_assignment_is_command_scoped() -> None:
    cmds = parse_script("A=1 env x $A\necho $A\n").commands
    assert cmds[0].assigns["A"].text == "1"
    assert [w.text for w in cmds[0].words] == ["env", "x", "1"]
    assert cmds[1].words[1].symbolic


def test_arrays_with_comments_and_append() -> None:
    s = "ARGS=(\n  --a 1   # one\n  #--dtype auto\n  --b \"x y\"\n)\nARGS+=( --c )\nvllm serve m \"${ARGS[@]}\"\n"
    cmds = parse_script(s).commands
    words = cmds[-1].words
    assert [w.text for w in words] == ["vllm", "serve", "m", "--a", "1", "--b", "x y", "--c"]
    assert [s[w.start:w.end] for w in words[3:]] == ["--a", "1", "--b", "x y", "--c"]


def test_heredoc_bodies_skipped() -> None:
    s = "cat <<'EOF' > run.sh\nvllm serve junk\nEOF\ncat <<-X\n\tvllm serve j2\n\tX\nvllm serve real\n"
    cmds = parse_script(s).commands
    assert [c.words[-1].text for c in cmds] == ["cat", "cat", "real"]


def test_redirections_dropped() -> None:
    assert texts("vllm serve m > log 2>&1 --tp 2") == ["vllm", "serve", "m", "--tp", "2"]


def test_k8s_dependent_vars() -> None:
    s = "vllm serve $(MODEL_ID) --x $(UNSET)"
    words = parse_script(s, env={"MODEL_ID": "m/x"}, k8s=True).commands[0].words
    assert [w.text for w in words[:3]] == ["vllm", "serve", "m/x"]
    assert words[-1].symbolic


def test_offsets_map_through() -> None:
    text = "PREFIX vllm serve m"
    s = "vllm serve m"
    offs = list(range(7, 7 + len(s)))
    words = split_words(s, offs)
    assert [text[w.start:w.end] for w in words] == ["vllm", "serve", "m"]


_ALPHABET = st.sampled_from(list("ab$-=_ {}()[]:+'\"\\#;&|<>`\n\t\r*@!?0123456789") + ["${", "$((", "<<EOF\n", "EOF\n"])


@settings(max_examples=200, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_fuzz_never_raises_and_spans_inside(s: str) -> None:
    _check(s)


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None)
@given(st.lists(_ALPHABET, max_size=80).map("".join))
def test_fuzz_slow(s: str) -> None:
    _check(s)


def _check(s: str) -> None:
    script = parse_script(s, env={"a": "x y", "b": None})
    for cmd in script.commands:
        for w in cmd.words:
            assert 0 <= w.start <= w.end <= len(s), (w, s)


def _last_words(s: str) -> list[tuple[str, bool]]:
    return [(w.text, w.symbolic) for w in parse_script(s).commands[-1].words]


@pytest.mark.parametrize("script", [
    # civo-learn/civo-vllm-docker entrypoint.sh: probe in one branch, 0 in the other
    "if command -v nvidia-smi &>/dev/null; then\n    export N=$(nvidia-smi -L | wc -l)\nelse\n    export N=0\nfi\n"
    "vllm serve m --tensor-parallel-size $N",
    "if a; then N=1; else N=2; fi; vllm serve m --tensor-parallel-size $N",
    "if a; then N=1; elif b; then N=2; fi; vllm serve m --tensor-parallel-size $N",
    "if a; then if b; then N=1; else N=2; fi; else N=1; fi; vllm serve m --tensor-parallel-size $N",
    "N=$(nvidia-smi -L | wc -l) || N=0; vllm serve m --tensor-parallel-size $N",
    "test -f x && N=1 || N=2\nvllm serve m --tensor-parallel-size $N",
    'case "$SIZE" in\n  big) N=8 ;;\n  *) N=1 ;;\nesac\nvllm serve m --tensor-parallel-size $N',
])
def test_branches_assigning_different_values_leave_the_variable_unknown(script: str) -> None:
    text, symbolic = _last_words(script)[-1]
    assert symbolic and text == "${N}"


@pytest.mark.parametrize("script,value", [
    ("if a; then N=2; else N=2; fi; vllm serve m --tensor-parallel-size $N", "2"),  # branches agree
    ("N=1 && N=2; vllm serve m --tensor-parallel-size $N", "2"),  # sequential, no alternative
    ("M=x; [ -n \"$P\" ] && N=$P; N=4; vllm serve m --tensor-parallel-size $N", "4"),
    ("if a; then N=2; fi; N=3; vllm serve m --tensor-parallel-size $N", "3"),  # reassigned after fi
])
def test_branches_that_agree_or_are_overwritten_keep_the_value(script: str, value: str) -> None:
    assert _last_words(script)[-1] == (value, False)


def test_single_conditional_override_keeps_the_known_default() -> None:
    # a lone optional override does not erase a known default (documented choice in _update_env)
    assert _last_words('M=x; [ -n "$P" ] && M=$P; vllm serve $M')[-1] == ("x", False)
