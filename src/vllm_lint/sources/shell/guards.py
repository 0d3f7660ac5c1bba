"""Whether a shell guard passes: ``[ -n "$X" ] && ARGS+=(...)``, ``if [ "$M" = 1 ]; then ...``.

A guard is the exit status of a ``test`` / ``[ ... ]`` / ``[[ ... ]]`` command (or ``true``,
``false``, ``:``), evaluated as bash does (Bash manual, "Bash Conditional Expressions") when every
word of it is known: string tests (``-n``, ``-z``, a bare string, ``=``, ``==``, ``!=``), integer
comparisons (``-eq`` ... ``-ge``) and ``!``. A guard that fails keeps what it guards from running;
one that passes is no condition at all. Anything else (files, regexes, a variable nobody set, an
empty default tested for emptiness: a knob left to the environment, another program's exit status)
stays unknown: the words it adds carry its text (``Token.condition``), as ``commands`` writes it.
"""

from __future__ import annotations

from vllm_lint.sources.shell.syntax import Word

_INT_OPS = {"-eq": lambda a, b: a == b, "-ne": lambda a, b: a != b, "-gt": lambda a, b: a > b,
            "-ge": lambda a, b: a >= b, "-lt": lambda a, b: a < b, "-le": lambda a, b: a <= b}
_STR_OPS = {"=": lambda a, b: a == b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def status(words: list[Word]) -> bool | None:
    """True/False when the command's exit status is known statically, None otherwise."""
    if not words:
        return None
    head = words[0].text
    if len(words) == 1 and head in ("true", ":"):
        return True
    if len(words) == 1 and head == "false":
        return False
    double = head == "[[" and words[-1].text == "]]"
    if (head == "[" and words[-1].text == "]") or double:
        args = words[1:-1]
    elif head == "test":
        args = words[1:]
    else:
        return None
    if any(w.symbolic for w in args):
        return None
    if double and len(args) == 3 and args[1].text in _STR_OPS and not args[2].quoted \
            and any(c in args[2].text for c in "*?["):
        return None  # [[ $X == pat* ]] matches a pattern
    return _evaluate([w.text for w in args])


def both(a: bool | None, b: bool | None) -> bool | None:
    """Both must pass (``a && b``, an ``if`` inside an ``if``)."""
    if a is False or b is False:
        return False
    return None if None in (a, b) else True


def negated(a: bool | None) -> bool | None:
    return None if a is None else not a


def _evaluate(args: list[str]) -> bool | None:
    if args and args[0] == "!":
        inner = _evaluate(args[1:])
        return None if inner is None else not inner
    if not args:
        return False
    # an empty value in an emptiness test is a knob left for the environment (X=${X:-} then
    # `[ -n "$X" ]`): whether it is set when the script runs is not known, so neither is the test
    if len(args) == 1:
        return True if args[0] != "" else None
    if len(args) == 2:
        op, value = args
        if op in ("-n", "-z") and value == "":
            return None
        if op == "-n":
            return True
        if op == "-z":
            return False
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
