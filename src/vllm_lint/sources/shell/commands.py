"""A static reading of POSIX sh/bash command text: simple commands with expanded words and exact
file offsets, never executed.

Models what bash does before running a simple command (Bash manual, "Shell Operation"):
command separators (``;`` ``&&`` ``||`` ``|`` ``&`` newline), redirections (dropped with their
target), here-documents, variable assignments (prefix, plain, ``export``) tracked in order through
``if``/``case`` branches, then word expansion (``expansion``) of each command's words.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from vllm_lint.sources.shell import guards
from vllm_lint.sources.shell.expansion import BREAK, Expander
from vllm_lint.sources.shell.lexer import ASSIGN_RE, ArrayAssign, Heredoc, Op, RawWord, lex
from vllm_lint.sources.shell.syntax import (
    DECLARE,
    KEYWORDS,
    MAX_COMMAND_WORDS,
    MAX_VALUE,
    Command,
    Frame,
    Script,
    Val,
    Word,
)

# ---------------------------------------------------------------------------------- commands


def env_from(mapping: Mapping[str, object] | None) -> dict[str, Val]:
    """Shell variables from a plain mapping; a None value means set but unknown (symbolic)."""
    out: dict[str, Val] = {}
    for k, v in (mapping or {}).items():
        if isinstance(v, Val):
            out[k] = v
        elif v is None:
            out[k] = Val(f"${{{k}}}", symbolic=True)
        else:
            out[k] = Val(str(v))
    return out


def parse_script(s: str, offs: Sequence[int] | None = None, env: Mapping[str, object] | None = None,
                 *, k8s: bool = False, ends: Sequence[int] | None = None) -> Script:
    """Split ``s`` into simple commands with expanded words, tracking assignments in order.

    ``env`` seeds the variables (values are str, ``Val`` or None for unknown). ``k8s`` also
    expands Kubernetes ``$(NAME)`` references (kubelet does that before the shell runs).
    ``offs``/``ends`` give each character's file offset and the offset after its source
    (``ends`` defaults to ``offs + 1``; pass it when ``s`` was produced by an interpolation).
    """
    shell_env = env_from(env)
    unknowns: list[str] = []
    ex = Expander(s, offs, shell_env, k8s, unknowns, ends)
    items = lex(s)
    commands: list[Command] = []
    group: list[RawWord | ArrayAssign] = []
    skip_next = False
    group_lo = None
    docs: list[Heredoc] = []
    redirects: list[str] = []
    target_next = False

    def flush(sep: str, sep_at: int) -> None:
        nonlocal group, group_lo, docs, redirects
        runs_next: bool | None = True
        if group:
            before = len(unknowns)
            ran = ex.last_status if ex.after_andor else True
            ex.test_of = None
            cmd = _build_command(ex, group, sep)
            frame, ex.test_of = ex.test_of, None
            if cmd is not None:
                cmd.unknowns = unknowns[before:]
                cmd.heredocs = [(d.lo, d.hi, d.quoted) for d in docs]
                cmd.redirects = list(redirects)
                commands.append(cmd)
            # its exit status, when known: a test of known values (an assignment succeeds)
            if cmd is not None and cmd.words:
                st = guards.status(cmd.words)
            else:  # `N=$(probe)` has the substitution's status; plain assignments succeed
                st = True if cmd is not None and not any(v.symbolic for v in cmd.assigns.values()) else None
            if ex.skipped:
                st = False if ran is not False else None
            if frame is not None:  # `if T` / `elif T`: whether the branch body runs
                frame.runs = guards.both(frame.prior, st) if not ex.skipped else False
                frame.test = st if not ex.skipped else False
            if sep in ("&&", "||"):  # what the next command of the and-or list depends on
                guard = " ".join(s[it.lo:it.hi] for it in group if isinstance(it, RawWord))
                ex.last_command = (f"when `{guard}` succeeds" if sep == "&&" else f"when `{guard}` fails") \
                    if not (ex.after_andor and ex.last_command) else f"{ex.last_command} and `{guard}` " + (
                        "succeeds" if sep == "&&" else "fails")
                if sep == "&&":
                    runs_next = guards.both(ran, st)
                else:  # `a && b || c`: c runs when the list so far failed, whichever command failed
                    runs_next = True if ran is False else (guards.negated(st) if ran is True else None)
                if runs_next is True:
                    ex.last_command = ""  # known to pass: no condition
        ex.last_status = runs_next
        ex.after_andor = sep in ("&&", "||")
        if sep in (";;", ";&", ";;&") and ex.frames and ex.frames[-1].kind == "case":
            ex.frames[-1].branches.append({})  # the next case pattern's branch
        if sep == "||":
            ex.ors += 1
        elif sep not in ("&&", "|", "|&"):
            ex.chain, ex.ors = {}, 0  # the and-or list ends
        group, group_lo, docs, redirects = [], None, [], []

    for it in items:
        if isinstance(it, Heredoc):
            docs.append(it)
            continue
        if isinstance(it, Op):
            if it.op in ("<", ">", ">>", ">&", "<&", "&>", "&>>", ">|", "<>", "<<", "<<-", "<<<"):
                skip_next = True
                target_next = it.op in (">", ">>", ">|", "&>", "&>>")
                continue
            flush(it.op, it.lo)
            continue
        if skip_next:
            skip_next = False
            if target_next and isinstance(it, RawWord):
                redirects.append(s[it.lo:it.hi])
            target_next = False
            continue
        if len(group) < MAX_COMMAND_WORDS:  # a hostile 1,000,000-word command: expand a bounded prefix
            group.append(it)
    flush("", len(s))
    return Script(commands, shell_env, unknowns)


_OPENERS = frozenset({"if", "case", "while", "until", "for", "select"})
_CLOSERS = frozenset({"fi", "esac", "done"})


def _build_command(ex: Expander, group: list[RawWord | ArrayAssign], sep: str) -> Command | None:
    s = ex.s
    lead = 0  # leading keywords: `then N=2` assigns like `N=2`
    for it in group:
        if not isinstance(it, RawWord):
            break
        w = s[it.lo:it.hi]
        if w in _OPENERS:
            ex.cond += 1
            head = " ".join(s[x.lo:x.hi] for x in group[lead + 1:] if isinstance(x, RawWord))
            ex.frames.append(Frame(w, guard=_guard_text(w, head)))
            if w == "if":
                ex.test_of = ex.frames[-1]
        elif w in _CLOSERS:
            ex.cond = max(0, ex.cond - 1)
            _close_frame(ex)
        elif w in ("elif", "else"):
            if ex.frames and ex.frames[-1].kind == "if":
                ex.frames[-1].branches.append({})
                f = ex.frames[-1]
                f.prior = guards.both(f.prior, guards.negated(f.test))
                if w == "elif":
                    head = " ".join(s[x.lo:x.hi] for x in group[lead + 1:] if isinstance(x, RawWord))
                    f.guard = _guard_text("if", head)
                    f.runs, f.test, ex.test_of = None, None, f
                else:
                    f.guard = f"in the else branch of {f.guard or 'an if'}"
                    f.runs = f.prior
        elif w not in KEYWORDS:
            break
        lead += 1
    # a command under a guard known to fail does not run: no assignment, no words (an `if`/`elif`
    # test runs when its enclosing branches do)
    runs = ex.last_status if ex.after_andor else True
    for f in ex.frames:
        if f is not ex.test_of:
            runs = guards.both(runs, f.runs if f.kind == "if" else None)
    ex.skipped = runs is False
    if ex.skipped:
        return None
    assigns: dict[str, Val] = {}
    words: list[Word] = []
    k = lead if lead < len(group) and (isinstance(group[lead], ArrayAssign) or isinstance(group[lead], RawWord)
                                       and ASSIGN_RE.match(s, group[lead].lo, group[lead].hi)) else 0
    lo = group[0].lo
    hi = group[-1].hi
    # leading assignments
    while k < len(group):
        it = group[k]
        if isinstance(it, ArrayAssign):
            _assign_array(ex, it, assigns)
            k += 1
            continue
        m = ASSIGN_RE.match(s, it.lo, it.hi)
        if not m:
            break
        saved_env = ex.env
        ex.env = {**saved_env, **assigns}  # A=1 B=$A: later prefixes see earlier ones
        try:
            assigns[m.group(1)] = _assign_value(ex, m.group(1), bool(m.group(2)), m.end(), it.hi, assigns)
        finally:
            ex.env = saved_env
        k += 1
    rest = group[k:]
    # strip leading keywords (then/do/else/!...), so "then vllm serve" is found
    while rest and isinstance(rest[0], RawWord) and s[rest[0].lo:rest[0].hi] in KEYWORDS:
        rest = rest[1:]
    if not rest:
        _update_env(ex, assigns)
        if not assigns:
            return None
        return Command([], assigns, ex.off(lo), ex.end_off(hi), sep, sep == "&", dict(ex.env), lo, hi)
    first = rest[0]
    if isinstance(first, RawWord) and s[first.lo:first.hi] in DECLARE:
        for it in rest[1:]:
            if isinstance(it, ArrayAssign):
                _assign_array(ex, it, ex.env)
                continue
            m = ASSIGN_RE.match(s, it.lo, it.hi)
            if m:
                _update_env(ex, {m.group(1): _assign_value(ex, m.group(1), bool(m.group(2)), m.end(), it.hi, ex.env)})
        _update_env(ex, assigns)
        return Command([w for it in rest if isinstance(it, RawWord) for w in ex.expand_word(it.lo, it.hi)],
                       assigns, ex.off(lo), ex.end_off(hi), sep, sep == "&", dict(ex.env), lo, hi)
    saved = ex.env
    ex.env = {**saved, **assigns}
    try:
        for it in rest:
            if isinstance(it, ArrayAssign):
                continue
            words.extend(ex.expand_word(it.lo, it.hi))
    finally:
        cmd_env = ex.env
        ex.env = saved
        for name, val in cmd_env.items():  # ${X:=d} assigns in the shell
            if name not in saved and name not in assigns:
                saved[name] = val
    return Command(words, assigns, ex.off(lo), ex.end_off(hi), sep, sep == "&", cmd_env, lo, hi)


def _update_env(ex: Expander, assigns: dict[str, Val]) -> None:
    """Apply plain assignments. One that may not run (inside if/case/loops, after && or ||) does
    not replace a known value with an unknown one: ``MODEL=${MODEL:-x}; [ -n "$P" ] && MODEL=$P``
    keeps x as the statically best value."""
    conditional = ex.cond > 0 or ex.after_andor
    for name, val in assigns.items():
        old = ex.env.get(name)
        prev = ex.chain.get(name)
        ex.chain[name] = (val, ex.ors)
        if ex.frames:
            ex.frames[-1].branches[-1][name] = val
        if prev is not None and prev[1] < ex.ors and not _same(prev[0], val):
            # `X=$(probe) || X=0`: which one ran is decided at run time
            ex.env[name] = _unknown(name)
            continue
        if conditional and val.symbolic and old is not None and not old.symbolic:
            continue
        ex.env[name] = val


def _same(a: Val, b: Val) -> bool:
    return not a.symbolic and not b.symbolic and a.text == b.text and a.items is None and b.items is None


def _unknown(name: str) -> Val:
    return Val(f"${{{name}}}", True)


def _close_frame(ex: Expander) -> None:
    """At ``fi``/``done``/``esac``: a variable that two branches of an ``if`` (or of a ``case``)
    set to different
    values (``then N=$(nvidia-smi -L | wc -l); else N=0``) is unknown after it, not whichever
    branch came last; the branch assignments then count as assignments of the enclosing frame."""
    if not ex.frames:
        return
    frame = ex.frames.pop()
    merged: dict[str, Val] = {}
    for branch in frame.branches:
        for name, val in branch.items():
            first = merged.get(name)
            if first is None:
                merged[name] = val
            elif first.items is not None and val.items is not None and _guarded_appends(first, val):
                # ARGS+=(...) in each branch: the words each branch adds, each under its guard
                seen = {id(w) for w in first.items}
                items = first.items + [w for w in val.items if id(w) not in seen]
                merged[name] = Val(" ".join(w.text for w in items), first.symbolic or val.symbolic, items=items)
                ex.env[name] = merged[name]
            elif not _same(first, val):
                merged[name] = _unknown(name)
    for name, val in merged.items():
        if frame.kind in ("if", "case") and sum(name in b for b in frame.branches) > 1 and val.symbolic:
            ex.env[name] = val
        if ex.frames:
            ex.frames[-1].branches[-1][name] = val


def _guarded_appends(a: Val, b: Val) -> bool:
    """True when two branch values of an array differ only by words each added under a guard."""
    ia, ib = {id(w) for w in a.items or []}, {id(w) for w in b.items or []}
    return all(w.condition for w in (a.items or []) + (b.items or []) if id(w) not in (ia & ib))


def _assign_value(ex: Expander, name: str, append: bool, lo: int, hi: int, scope: dict[str, Val]) -> Val:
    old = scope.get(name) or ex.env.get(name)
    guard = guard_of(ex)
    saved, ex.guarded = ex.guarded, ex.guarded or guard is not None
    try:
        chars, _ = ex.chars(lo, hi, in_dq=False, depth=0)  # quote removal, but no field splitting
    finally:
        ex.guarded = saved
    text = "".join(c.ch for c in chars if c is not BREAK)
    symbolic = any(c.symbolic for c in chars)
    if guard is not None and old is not None and old.items is None and not old.symbolic and len(text) <= MAX_VALUE:
        # ARGS="$ARGS --flag $X" (or ARGS+=" --flag $X") behind a guard: what it adds is
        # passed only when the guard holds
        full = old.text + text if append else text
        if full.startswith(old.text) and len(full) > len(old.text):
            return Val(full, False, conds=list(old.conds or []) + [(len(old.text), len(full), guard)])
    if len(text) > MAX_VALUE:  # A="$A$A" doubling: stop before memory runs out
        return Val(f"${{{name}}}", True)
    if append:
        old = scope.get(name) or ex.env.get(name)
        if old is not None:
            if len(old.text) + len(text) > MAX_VALUE:
                return Val(f"${{{name}}}", True)
            return Val(old.text + text, old.symbolic or symbolic, conds=old.conds)
    return Val(text, symbolic, start=ex.off(lo) if hi > lo else None, end=ex.end_off(hi) if hi > lo else None)


def _guard_text(keyword: str, head: str) -> str:
    """How a word set inside ``if``/``while``/``for``/``case`` is described."""
    head = head.strip().rstrip(";").strip()
    if keyword in ("if", "while", "until"):
        return f"when `{head}` " + ("fails" if keyword == "until" else "succeeds")
    if keyword in ("for", "select"):
        return f"in the loop `{keyword} {head}`"
    return f"in a branch of `case {head}`"


def guard_of(ex: Expander) -> str | None:
    """The condition under which the command being read runs (None: always, as far as known)."""
    parts = [f.guard for f in ex.frames if f.guard and not (f.kind == "if" and f.runs is True)]
    if ex.after_andor and ex.last_command and ex.last_status is not True:
        parts.append(ex.last_command)
    return " and ".join(parts) if parts else None


def _assign_array(ex: Expander, arr: ArrayAssign, scope: dict[str, Val]) -> None:
    guard = guard_of(ex) if arr.append else None
    items: list[Word] = []
    saved, ex.guarded = ex.guarded, ex.guarded or guard is not None
    try:
        for rw in arr.items:
            items.extend(ex.expand_word(rw.lo, rw.hi))
    finally:
        ex.guarded = saved
    for w in items:
        if guard is not None and w.condition is None:
            w.condition = guard  # ``[ -n "$X" ] && ARGS+=(--flag "$X")``: checked, but only "when ..."
    old = scope.get(arr.name) or ex.env.get(arr.name)
    if arr.append and old is not None:
        prior = old.items if old.items is not None else [Word(old.text, 0, 0, old.symbolic)]
        items = prior + items
    if guard is not None:  # the guarded words do not make the array unknown; they say when they apply
        ex.env[arr.name] = Val(" ".join(w.text for w in items), any(w.symbolic and not w.condition for w in items),
                               items=items)
    scope[arr.name] = Val(" ".join(w.text for w in items), any(w.symbolic and not w.condition for w in items),
                          items=items)


def split_words(s: str, offs: Sequence[int] | None = None, env: Mapping[str, object] | None = None) -> list[Word]:
    """All words of ``s`` as one command line (separators ignored); a convenience for tests and
    for strings that hold just arguments (``VLLM_ARGS="--a 1 --b 2"``)."""
    script = parse_script(s, offs, env)
    return [w for c in script.commands for w in c.words]


def expand_words(s: str, offs: Sequence[int] | None = None, env: Mapping[str, object] | None = None) -> list[Word]:
    """Every word of ``s`` expanded, with no command semantics: ``A=b`` stays a word (used for
    Dockerfile ``ENV``/``ARG``/``FROM`` arguments, which Docker substitutes without a shell)."""
    ex = Expander(s, offs, env_from(env), False, [])
    out: list[Word] = []
    for it in lex(s):
        if isinstance(it, RawWord):
            out.extend(ex.expand_word(it.lo, it.hi))
        elif isinstance(it, ArrayAssign):
            out.extend(ex.expand_word(it.lo, it.hi))
    return out


def words_end(words: list[Word]) -> int | None:
    """File offset after the last word's source text (its closing quote or brace included):
    where new words can be appended to the command."""
    for w in reversed(words):
        if w.raw_end is not None:
            return w.raw_end
        if w.end > w.start:
            return w.end
    return None


def expand_heredoc(s: str, lo: int, hi: int, quoted: bool, offs: Sequence[int] | None = None,
                   env: Mapping[str, object] | None = None, ends: Sequence[int] | None = None
                   ) -> tuple[str, list[int], list[int]]:
    """The text a here-document feeds its command, with file offsets per character: an
    unquoted delimiter expands ``$VAR``/``${..}``/``$(..)`` (symbolic ones keep their raw text)
    but not quotes; a quoted one (``<<'EOF'``) is literal."""
    ex = Expander(s, offs, env_from(env), False, [], ends)
    if quoted:
        return s[lo:hi], [ex.off(k) for k in range(lo, hi)], [ex.cend(k) for k in range(lo, hi)]
    chars, _ = ex.chars(lo, hi, in_dq=True, depth=0)
    chars = [c for c in chars if c is not BREAK and c.ch]
    return "".join(c.ch for c in chars), [c.start for c in chars], [c.end for c in chars]
