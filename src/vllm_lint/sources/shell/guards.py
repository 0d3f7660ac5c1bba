"""Shell guards: whether ``[ -n "$X" ] && ARGS+=(...)`` or ``if [ "$M" = 1 ]; then ...`` runs.

A guard is the exit status of a ``test`` / ``[ ... ]`` / ``[[ ... ]]`` command, evaluated as bash
does (Bash manual, "Bash Conditional Expressions") when every word of it is known: string tests
(``-n``, ``-z``, a bare string, ``=``, ``==``, ``!=``), integer comparisons (``-eq`` ... ``-ge``) and
``!``. Anything else (files, regexes, an unknown variable, a command's exit status) leaves the guard
unknown: what it guards is then *conditional*, and the words it adds carry the guard's text
(``Token.condition``), never silently taken as always passed.
"""

from __future__ import annotations

from vllm_lint.sources.shell.syntax import Guard, Word

_INT_OPS = {"-eq": lambda a, b: a == b, "-ne": lambda a, b: a != b, "-gt": lambda a, b: a > b,
            "-ge": lambda a, b: a >= b, "-lt": lambda a, b: a < b, "-le": lambda a, b: a <= b}
_STR_OPS = {"=": lambda a, b: a == b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}




def test_guard(words: list[Word], source: str) -> Guard | None:
    """The guard a test command gives, or None when ``words`` is not a test command.

    ``source`` is the command as written, for the condition text."""
    if not words:
        return None
    head = words[0].text
    double = head == "[[" and words[-1].text == "]]"
    if head == "[" and words[-1].text == "]":
        args = words[1:-1]
    elif double:
        args = words[1:-1]
    elif head == "test":
        args = words[1:]
    else:
        return None
    text = " ".join(source.split())
    if any(w.symbolic for w in args):
        return Guard(None, text)
    if double and len(args) == 3 and args[1].text in _STR_OPS and not args[2].quoted \
            and any(c in args[2].text for c in "*?["):
        return Guard(None, text)  # [[ $X == pat* ]] matches a pattern
    result = _evaluate([w.text for w in args])
    return Guard(result, text if result is None else "")


def _evaluate(args: list[str]) -> bool | None:
    if args and args[0] == "!":
        inner = _evaluate(args[1:])
        return None if inner is None else not inner
    if len(args) == 0:
        return False
    if len(args) == 1:
        return args[0] != ""
    if len(args) == 2:
        op, value = args
        if op == "-n":
            return value != ""
        if op == "-z":
            return value == ""
        return None
    if len(args) == 3:
        a, op, b = args
        if op in _STR_OPS:
            return _STR_OPS[op](a, b)
        if op in _INT_OPS:
            try:
                return _INT_OPS[op](int(a), int(b))
            except ValueError:
                return None
    return None
