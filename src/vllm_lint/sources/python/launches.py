"""Python files that start vLLM, read with ``ast`` only (never imported or run).

* ``LLM(...)``, ``EngineArgs(...)``, ``AsyncEngineArgs(...)`` (imported from ``vllm`` or
  ``vllm.engine.arg_utils``, also as ``vllm.LLM``): every keyword argument is the engine
  argument of that name, as ``EngineArgs(**kwargs)`` receives it, with the span of the keyword;
  the first positional argument is the model. ``AsyncLLMEngine.from_engine_args(AsyncEngineArgs(
  ...))`` is the ``AsyncEngineArgs`` call. ``LLM`` runs with vLLM's offline usage context (its
  batch defaults differ from ``vllm serve`` up to 0.26).
* ``subprocess.run/Popen/call/check_call/check_output([...])``, ``os.execvp``,
  ``asyncio.create_subprocess_exec(...)``: the argv list; ``os.system``, ``os.popen``,
  ``subprocess.*(..., shell=True)``, ``asyncio.create_subprocess_shell``: a shell command line.
  ``sys.executable`` is a Python interpreter; ``shlex.split(s)`` is ``s`` split as the shell
  does; with ``shell=True``, ``" ".join(cmd)`` is the list's words.

A value is what the file states (``names``): a literal, a name bound exactly once in its scope,
a parameter of a function called exactly once. A list extended before the call (``cmd +=
[...]``, ``cmd.append(x)``) includes those words, and a ``**kwargs`` dict the keys set on it;
words added under an ``if``, in a loop or an ``except`` carry that condition. Anything else (an
attribute, an f-string field, ``**kwargs`` of a parameter) is unknown.
"""

from __future__ import annotations

import ast
import json
import sys

from vllm_lint.launch import EnvValue, GpuRequest, Insertion, Launch, LaunchFacts, Token
from vllm_lint.sources.containers.visible_gpus import narrow_by_env
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile, input_diagnostic
from vllm_lint.sources.mapped import script_launches
from vllm_lint.sources.mapped_text import MappedText
from vllm_lint.sources.python.code import PythonCode
from vllm_lint.sources.python.names import MAX_RESOLVE, UNKNOWN, Names
from vllm_lint.sources.python.strings import literal_text
from vllm_lint.sources.shell.syntax import Command, Script, Word
from vllm_lint.sources.shell.commands import env_from

_ENGINE_CLASSES = frozenset({"LLM", "EngineArgs", "AsyncEngineArgs"})
_ENGINE_MODULES = frozenset({"vllm", "vllm.entrypoints.llm", "vllm.engine.arg_utils"})
_ARGV_CALLS = frozenset({"subprocess.run", "subprocess.Popen", "subprocess.call", "subprocess.check_call",
                         "subprocess.check_output"})
_SHELL_CALLS = frozenset({"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput",
                          "asyncio.create_subprocess_shell"})
_VARARG_CALLS = frozenset({"asyncio.create_subprocess_exec"})
_EXECV_CALLS = frozenset({"os.execvp", "os.execv", "os.execvpe", "os.execve", "os.spawnvp", "os.spawnv"})


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    if "vllm" not in src.text.lower():  # a launch names vLLM somewhere in the file
        return ExtractResult(notes=["Python that does not mention vLLM"])
    launches, diags = code_launches(PythonCode(src, src.text), "", "python")
    result = ExtractResult(launches=launches, diagnostics=diags)
    if not launches and not diags:
        result.notes.append("no LLM(...)/EngineArgs(...) call and no subprocess or os.system call that starts vLLM")
    return result


def mapped_python_launches(src: SourceFile, code: MappedText, prefix: str, source: str) -> list[Launch]:
    """Launches of Python code held in another file (a notebook cell, a workflow step)."""
    return code_launches(PythonCode(src, code.text, code), prefix, source, report_syntax=False)[0]


def code_launches(code: PythonCode, prefix: str, source: str, report_syntax: bool = True) -> tuple[list[Launch], list]:
    try:
        tree = ast.parse(code.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        if not report_syntax or "vllm" not in code.text.lower():
            return [], []
        lineno = getattr(exc, "lineno", None) or 1
        col = max(0, (getattr(exc, "offset", None) or 1) - 1)
        i = code.index(lineno, col) if isinstance(exc, SyntaxError) else 0
        span = code.span(i, min(i + 1, len(code.text)))
        msg = getattr(exc, "msg", str(exc))
        return [], [input_diagnostic("VL001", code.src.display, span,
                                     f"cannot parse as Python {sys.version_info[0]}.{sys.version_info[1]}: {msg} "
                                     f"(line {span.line}, column {span.column})")]
    try:
        return _Reader(code, tree, prefix, source).launches(), []
    except RecursionError:
        return [], [input_diagnostic("VL002", code.src.display, None, "Python nesting too deep to read safely")]


class _Reader(Names):
    def __init__(self, code: PythonCode, tree: ast.Module, prefix: str, source: str) -> None:
        super().__init__(code, tree)
        self.prefix = prefix
        self.source = source
        self.env: dict[str, object] = {}

    # -- words
    def words(self, node: ast.AST, call: ast.AST, unknowns: list[str], depth: int = 0) -> list[Word]:
        """argv words of an expression that is a list (or one element of it)."""
        code = self.code
        if depth > MAX_RESOLVE:
            return [self._symbolic(node)]
        if isinstance(node, (ast.List, ast.Tuple)):
            return [w for x in node.elts for w in self.words(x, call, unknowns, depth + 1)]
        if isinstance(node, ast.Starred):
            return self.words(node.value, call, unknowns, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self.words(node.left, call, unknowns, depth + 1)
            right = self.words(node.right, call, unknowns, depth + 1)
            if isinstance(self.const(node), str):  # string concatenation, one word
                return [self._value_word(node, str(self.const(node)))]
            return left + right
        if isinstance(node, ast.Name):
            got = self.binding(node)
            if got is not None and isinstance(got[0], (ast.List, ast.Tuple)):
                base = self.words(got[0], call, unknowns, depth + 1)
                return base + self._mutations(node, got[1], call, unknowns, depth)
        if isinstance(node, (ast.Constant, ast.JoinedStr)):
            return [self._literal_word(node, unknowns)]
        if isinstance(node, (ast.IfExp, ast.BoolOp)) or \
                (isinstance(node, ast.Name) and isinstance((self.binding(node) or (None,))[0], (ast.IfExp, ast.BoolOp))):
            same = self._same_program(node)
            if same is not None:
                return [same]
        if self.qualname(node) == "sys.executable":
            lo, hi = code.node_range(node)
            return [Word(text="python", start=code.off(lo), end=code.end_off(hi), expanded=True, starts=[], ends=[],
                         raw_end=code.end_off(hi))]
        v = self.const(node)
        if isinstance(v, (str, int, float)) and not isinstance(v, bool):
            return [self._value_word(node, str(v))]
        if isinstance(v, list) and all(isinstance(x, (str, int, float)) for x in v):
            return [self._value_word(node, str(x)) for x in v]
        seg = ast.get_source_segment(code.text, node) or "?"
        unknowns.append(f"argument {seg!r} is not known statically")
        return [self._symbolic(node)]

    def _same_program(self, node: ast.AST) -> Word | None:
        """A program chosen at run time among paths of one program (``VENV_BIN if
        os.path.exists(VENV_BIN) else shutil.which("vllm") or "vllm"``): every choice runs the
        same executable, so the word is that program (by its base name); None otherwise."""
        target = node
        if isinstance(node, ast.Name):
            got = self.binding(node)
            target = got[0] if got is not None else node
        values = [target.body, target.orelse] if isinstance(target, ast.IfExp) else \
            list(target.values) if isinstance(target, ast.BoolOp) and isinstance(target.op, ast.Or) else []
        names: set[str] = set()
        stack = list(values)
        while stack and len(names) <= 1:
            v = stack.pop()
            if isinstance(v, (ast.IfExp, ast.BoolOp)):
                stack += [v.body, v.orelse] if isinstance(v, ast.IfExp) else list(v.values)
                continue
            if isinstance(v, ast.Call) and self.qualname(v.func) == "shutil.which" and v.args:
                v = v.args[0]
            text = self.const(v)
            if not isinstance(text, str) or not text:
                return None
            names.add(text.rsplit("/", 1)[-1])
        if len(names) != 1:
            return None
        return self._value_word(node, names.pop())

    def _mutations(self, name: ast.Name, scope: ast.AST, call: ast.AST, unknowns: list[str], depth: int) -> list[Word]:
        """Words a list gains before ``call``: ``+=``, ``append``, ``extend``, ``insert`` (at the
        end). Those added under an ``if``, in a loop or an ``except`` carry that condition: their
        names and values are still checked, as a shell guard's are."""
        out: list[Word] = []
        for m in self._in_order(self.mutations.get((id(scope), name.id), [])):
            if m.lineno >= getattr(call, "lineno", 0):
                continue
            if isinstance(m, ast.AugAssign):
                added = self.words(m.value, call, unknowns, depth + 1)
            elif isinstance(m, ast.Call) and m.args and m.func.attr in ("append", "extend", "insert"):  # type: ignore[attr-defined]
                attr = m.func.attr  # type: ignore[attr-defined]
                arg = m.args[-1]
                added = self.words(arg, call, unknowns, depth + 1) if attr == "extend" else \
                    self.words(ast.List(elts=[arg], ctx=ast.Load()), call, unknowns, depth + 1)
            else:
                continue
            guard = self.guard(m, scope)
            if guard is not None:
                for w in added:
                    w.condition = w.condition or guard
            out += added
        return out

    def fill_fields(self, node: ast.AST, chars: MappedText, fields: list[tuple[int, int]]
                    ) -> tuple[MappedText, list[tuple[int, int]]]:
        """An f-string's ``{NAME}`` fields whose name is bound to a literal, filled in (mapped
        to the field's source); the other fields stay as written."""
        if not isinstance(node, ast.JoinedStr) or not fields:
            return chars, fields
        values = [v for v in node.values if isinstance(v, ast.FormattedValue)]
        if len(values) != len(fields):
            return chars, fields
        out = MappedText()
        left: list[tuple[int, int]] = []
        i = 0
        for (a, b), fv in zip(fields, values):
            k = next((j for j in range(i, len(chars)) if chars.starts[j] == a), None)
            if k is None:
                return chars, fields
            out.extend(chars.slice(i, k))
            end = k + (b - a)
            v = self.const(fv.value) if fv.conversion == -1 and fv.format_spec is None else UNKNOWN
            if isinstance(v, (str, int, float)) and not isinstance(v, bool):
                out.add(str(v), a, b)
            else:
                out.extend(chars.slice(k, end))
                left.append((a, b))
            i = end
        out.extend(chars.slice(i, len(chars)))
        return out, left

    def _literal_word(self, node: ast.AST, unknowns: list[str]) -> Word:
        code = self.code
        lo, hi = code.node_range(node)
        if isinstance(node, ast.Constant) and not isinstance(node.value, str):
            return self._value_word(node, str(node.value))
        got = literal_text(code.text, lo, hi, node.value if isinstance(node, ast.Constant) else None)
        if got is None:
            return self._value_word(node, node.value) if isinstance(node, ast.Constant) else self._symbolic(node)
        chars, fields = self.fill_fields(node, *got)
        m = code.to_file(chars)
        q = code.text[hi - 1] if hi > lo else ""
        qlen = 3 if code.text[lo:hi].endswith(q * 3) and len(code.text[lo:hi]) >= 6 else 1
        # one literal: the span is its text inside the quotes (replacing it keeps them)
        single = bool(chars.chars) and not fields and chars.ends[-1] == hi - qlen and \
            chars.starts[0] == lo + len(code.text[lo:hi]) - len(code.text[lo:hi].lstrip("rRbBuUfF")) + qlen
        if fields:
            unknowns.append(f"f-string {code.text[lo:hi]!r} is filled in at run time")
        start, end = (m.starts[0], m.ends[-1]) if single and len(m) else (code.off(lo), code.end_off(hi))
        return Word(text=chars.text, start=start, end=max(start, end), quoted=True, symbolic=bool(fields),
                    starts=list(m.starts), ends=list(m.ends), raw_end=code.end_off(hi))

    def _value_word(self, node: ast.AST, text: str) -> Word:
        code = self.code
        lo, hi = code.node_range(node)
        a, b = code.off(lo), code.end_off(hi)
        return Word(text=text, start=a, end=max(a, b), expanded=True, starts=[a] * len(text), ends=[b] * len(text),
                    raw_end=b)

    def _symbolic(self, node: ast.AST) -> Word:
        code = self.code
        lo, hi = code.node_range(node)
        text = code.text[lo:hi]
        a, b = code.off(lo), code.end_off(hi)
        return Word(text=text, start=a, end=max(a, b), symbolic=True, expanded=True, starts=[a] * len(text),
                    ends=[b] * len(text), raw_end=b)

    def _environ(self) -> dict[str, object]:
        """``os.environ["X"] = "v"``, ``os.environ.setdefault("X", "v")`` and
        ``os.environ.update({...})`` at module level, outside any condition: the process's
        environment, which vLLM and its child processes inherit."""
        env: dict[str, object] = {}
        for stmt in self.tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Subscript) \
                    and self.qualname(stmt.targets[0].value) == "os.environ":
                key = self.const(stmt.targets[0].slice)
                val = self.const(stmt.value)
                if isinstance(key, str):
                    env[key] = str(val) if isinstance(val, (str, int, float)) else None
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                q = self.qualname(stmt.value.func)
                a = stmt.value.args
                if q == "os.environ.setdefault" and len(a) == 2 and isinstance(self.const(a[0]), str):
                    val = self.const(a[1])
                    env.setdefault(str(self.const(a[0])), str(val) if isinstance(val, (str, int, float)) else None)
                elif q == "os.environ.update" and len(a) == 1:
                    d = self.const(a[0])
                    if isinstance(d, dict):
                        env.update({str(k): str(v) for k, v in d.items()})
        return env

    # -- launches
    def launches(self) -> list[Launch]:
        self.env = self._environ()
        out: list[Launch] = []
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            q = self.qualname(node.func) or _ipython_shell(node.func)
            if q is None:
                continue
            cls = q.rsplit(".", 1)[-1]
            if cls in _ENGINE_CLASSES and q.rsplit(".", 1)[0] in _ENGINE_MODULES:
                out.append(self._engine_launch(node, cls))
            elif q in _ARGV_CALLS or q in _SHELL_CALLS or q in _VARARG_CALLS or q in _EXECV_CALLS:
                launch = self._process_launch(node, q)
                if launch is not None:
                    out.append(launch)
        out.sort(key=lambda x: x.span.start)
        return out

    def _engine_launch(self, call: ast.Call, cls: str) -> Launch:
        code = self.code
        unknowns: list[str] = []
        args: list[Token] = []
        if call.args:
            first = call.args[0]
            if isinstance(first, ast.Starred):
                unknowns.append("positional arguments from *args are not known statically")
            else:
                args += [Token(text="--model", style="synthetic", origin="python:positional"), self._kwarg_value(first)]
            if len(call.args) > 1:
                unknowns.append(f"{cls}(...) has {len(call.args)} positional arguments; only the first (the model) is read")
        for kw in call.keywords:
            if kw.arg is None:
                pairs = self._dict_items(kw.value, call, unknowns)
                if pairs is not None:
                    args += [t for pair in pairs for t in pair]
                    continue
                v = self.const(kw.value)
                if isinstance(v, dict) and all(isinstance(k, str) for k in v):
                    lo, hi = code.node_range(kw.value)
                    for k, val in v.items():
                        if val is None:
                            continue
                        args += [Token(text=f"--{k}", span=code.span(lo, hi), raw=code.raw(lo, hi), style="config-key",
                                       origin="python:**dict"),
                                 Token(text=_value_text(val), span=code.span(lo, hi), raw=code.raw(lo, hi),
                                       style="synthetic", origin="python:**dict")]
                    continue
                seg = ast.get_source_segment(code.text, kw.value) or "?"
                unknowns.append(f"keyword arguments from **{seg} are not known statically")
                continue
            if isinstance(kw.value, ast.Constant) and kw.value.value is None:
                continue  # the same as leaving the argument out
            klo = code.index(kw.lineno, kw.col_offset)
            khi = klo + len(kw.arg)
            kspan = code.span(klo, khi) if code.text[klo:khi] == kw.arg and code.raw(klo, khi) == kw.arg else None
            args.append(Token(text=f"--{kw.arg}", span=kspan, raw=kw.arg if kspan is not None else None,
                              style="config-key" if kspan is not None else "synthetic", origin="python"))
            args.append(self._kwarg_value(kw.value))
        for t in args:
            if t.symbolic:
                unknowns.append(f"{t.raw!r} is not known statically")
        lo, hi = code.node_range(call)
        line = code.span(lo, hi).line
        gpu = GpuRequest(mechanism="host", all_visible=True,
                         notes=["a process on the host sees every GPU of the machine"])
        env = {k: EnvValue(str(v)) if v is not None else EnvValue(f"${{{k}}}", symbolic=True)
               for k, v in self.env.items()}
        narrow_by_env(gpu, env)
        if gpu.count is None:
            unknowns.append("all GPUs of the host are visible; their number is not known from the file")
        facts = LaunchFacts(python_call=cls)
        if cls == "LLM":
            facts.usage_context = "llm"
        return Launch(path=code.src.display, name=f"{self.prefix}line {line}: {cls}(...)", source=self.source,
                      span=code.span(lo, hi), entrypoint="engine_kwargs",
                      program=[Token(text=f"{cls}(", style="synthetic", origin="python")], args=args, gpu=gpu, env=env,
                      insertion=self._kwargs_insertion(call), facts=facts, unknowns=list(dict.fromkeys(unknowns)))

    def _dict_items(self, node: ast.AST, call: ast.AST, unknowns: list[str]) -> list[tuple[Token, Token]] | None:
        """``**kwargs`` as (option, value) tokens, each at its own key and value: a dict literal
        or ``dict(k=v)``, directly or through a name bound once, with the keys set before the
        call (``kwargs["k"] = v``, ``.update``, ``.setdefault``, ``del``/``.pop``). A key set under
        a condition carries it; one that a condition would replace keeps its first value (vLLM
        receives one or the other, never both). None when the mapping is not a literal."""
        scope = None
        target = node
        if isinstance(node, ast.Name):
            got = self.binding(node)
            if got is None:
                return None
            target, scope = got
        items = self._literal_items(target)
        if items is None:
            return None
        out: dict[str, tuple[Token, Token]] = dict(items)
        for m in self._in_order(self.mutations.get((id(scope), node.id), []) if isinstance(node, ast.Name) else []):
            if m.lineno >= getattr(call, "lineno", 0):
                continue
            guard = self.guard(m, scope)
            if isinstance(m, ast.Delete) or (isinstance(m, ast.Call) and m.func.attr == "pop"):  # type: ignore[attr-defined]
                keys = [t.slice for t in m.targets if isinstance(t, ast.Subscript)] if isinstance(m, ast.Delete) \
                    else m.args[:1]
                for k in (self.const(x) for x in keys):
                    if isinstance(k, str) and k in out:
                        if guard is None:
                            del out[k]
                        else:
                            for t in out[k]:
                                t.condition = t.condition or f"unless {guard.removeprefix('when ')}"
                continue
            if isinstance(m, ast.Assign):
                new = [(self.const(t.slice), self._key_token(t.slice, None), m.value)
                       for t in m.targets if isinstance(t, ast.Subscript)]
            elif isinstance(m, ast.Call) and m.func.attr in ("update", "setdefault"):  # type: ignore[attr-defined]
                if m.func.attr == "setdefault" and len(m.args) == 2:  # type: ignore[attr-defined]
                    new = [(self.const(m.args[0]), self._key_token(m.args[0], None), m.args[1])]
                elif m.func.attr == "update" and (len(m.args) == 1 or m.keywords):  # type: ignore[attr-defined]
                    lit = self._literal_items(m.args[0]) if m.args else []
                    new = [(k, kt, None, vt) for k, (kt, vt) in (lit or [])]  # type: ignore[misc]
                    new += [(kw.arg, self._key_token(None, kw), kw.value) for kw in m.keywords if kw.arg]
                    if m.args and lit is None:
                        unknowns.append(f"keys added to {node.id} at line {m.lineno} are not known statically")
                else:
                    continue
                if m.func.attr == "setdefault":  # type: ignore[attr-defined]
                    new = [x for x in new if x[0] not in out]
            else:
                continue
            for entry in new:
                key, ktok = entry[0], entry[1]
                if not isinstance(key, str) or ktok is None:
                    unknowns.append(f"a key set on {node.id} at line {m.lineno} is not known statically")
                    continue
                vtok = entry[3] if len(entry) == 4 else self._kwarg_value(entry[2])
                if guard is not None and key in out:
                    unknowns.append(f"{node.id}[{key!r}] is replaced when {guard.removeprefix('when ')} "
                                    f"(line {m.lineno}); the value before it is checked")
                    continue
                if guard is not None:
                    ktok.condition = vtok.condition = guard
                out[key] = (ktok, vtok)
        return [pair for k, pair in out.items()
                if not (pair[1].text == "None" and pair[1].origin == "python")]  # None: as if left out

    def _literal_items(self, node: ast.AST) -> list[tuple[str, tuple[Token, Token]]] | None:
        """(key, (option token, value token)) of a ``{...}`` literal with string keys, or of
        ``dict(k=v, ...)``; None for anything else."""
        out: list[tuple[str, tuple[Token, Token]]] = []
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                key = self.const(k) if k is not None else None
                ktok = self._key_token(k, None) if k is not None else None
                if not isinstance(key, str) or ktok is None:
                    return None
                out.append((key, (ktok, self._kwarg_value(v))))
            return out
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" \
                and not node.args and all(kw.arg for kw in node.keywords):
            return [(str(kw.arg), (self._key_token(None, kw), self._kwarg_value(kw.value))) for kw in node.keywords]
        return None

    def _key_token(self, key: ast.AST | None, kw: ast.keyword | None) -> Token | None:
        """The option a dict key (``"max_model_len"``) or a keyword (``max_model_len=``) names,
        spanning the key's text."""
        code = self.code
        if kw is not None:
            klo = code.index(kw.lineno, kw.col_offset)
            khi = klo + len(kw.arg or "")
            exact = code.text[klo:khi] == kw.arg and code.raw(klo, khi) == kw.arg
            return Token(text=f"--{kw.arg}", span=code.span(klo, khi) if exact else None,
                         raw=kw.arg if exact else None, style="config-key" if exact else "synthetic", origin="python")
        if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
            return None
        lo, hi = code.node_range(key)
        got = literal_text(code.text, lo, hi, key.value)
        span = raw = None
        if got is not None and got[0].chars and not got[1]:
            m = code.to_file(got[0])
            span = code.src.span(m.starts[0], m.ends[-1])
            raw = span.slice(code.src.text)
        exact = raw == key.value
        return Token(text=f"--{key.value}", span=span if exact else None, raw=raw if exact else None,
                     style="config-key" if exact else "synthetic", origin="python")

    def _kwarg_value(self, node: ast.AST) -> Token:
        code = self.code
        lo, hi = code.node_range(node)
        raw = code.raw(lo, hi)
        v = self.const(node)
        span = code.span(lo, hi)
        if v is UNKNOWN:
            return Token(text=code.text[lo:hi], span=span, raw=raw, style="config-key", symbolic=True, origin="python")
        origin = "python" if isinstance(node, ast.Constant) else f"python:{raw}"
        return Token(text=_value_text(v), span=span, raw=raw, style="config-key", origin=origin)

    def _kwargs_insertion(self, call: ast.Call) -> Insertion | None:
        code = self.code
        if code.mapped is not None and any(code.mapped.ends[i] - code.mapped.starts[i] != 1
                                           for i in range(len(code.mapped))):
            return None  # the code sits inside a JSON string: inserted text would need escapes
        lo, hi = code.node_range(call)
        close = code.text.rfind(")", lo, hi)
        if close == -1:
            return None
        before = code.text[lo:close].rstrip()
        comma = "" if before.endswith(("(", ",")) else ", "
        at = code.off(lo + len(code.text[lo:close].rstrip()))

        def render(words: list[str]) -> str:
            parts = []
            i = 0
            while i < len(words):
                name = words[i].lstrip("-").replace("-", "_")
                if i + 1 < len(words) and not words[i + 1].startswith("--"):
                    parts.append(f"{name}={_py_literal(words[i + 1])}")
                    i += 2
                else:
                    parts.append(f"{name}=True")
                    i += 1
            return comma + ", ".join(parts)

        return Insertion(code.src.display, at, render)

    def _process_launch(self, call: ast.Call, q: str) -> Launch | None:
        from vllm_lint.sources.shell.scripts import command_launch

        code = self.code
        unknowns: list[str] = []
        shell = q in _SHELL_CALLS or any(kw.arg == "shell" and self.const(kw.value) is True for kw in call.keywords)
        if q in _EXECV_CALLS:
            argv_node = call.args[1] if len(call.args) > 1 else None
        elif q in _VARARG_CALLS:
            argv_node = ast.List(elts=list(call.args), ctx=ast.Load()) if call.args else None
        else:
            argv_node = call.args[0] if call.args else next((kw.value for kw in call.keywords if kw.arg == "args"), None)
        if argv_node is None:
            return None
        if isinstance(argv_node, ast.Call) and self.qualname(argv_node.func) == "shlex.split" and argv_node.args:
            shell, argv_node = True, argv_node.args[0]  # shlex splits as the shell does, expanding nothing
        if shell and isinstance(argv_node, ast.Call) and isinstance(argv_node.func, ast.Attribute) \
                and argv_node.func.attr == "join" and len(argv_node.args) == 1 \
                and isinstance(argv_node.func.value, ast.Constant) and argv_node.func.value.value == " ":
            shell, argv_node = False, argv_node.args[0]  # " ".join(cmd): the list's words, re-split
        if shell:
            return self._shell_launch(argv_node, q)
        if isinstance(argv_node, ast.List) and argv_node.elts and not hasattr(argv_node, "lineno"):
            words = [w for x in argv_node.elts for w in self.words(x, call, unknowns)]
        else:
            words = self.words(argv_node, call, unknowns)
        if not words or all(w.symbolic for w in words):
            return None
        env = env_from(self.env)
        cmd = Command(words=words, env=env, start=words[0].start, end=words[-1].end)
        launch = command_launch(code.src, cmd, Script([cmd], env, []), depth=0)
        if launch is None:
            return None
        launch.source = self.source
        launch.name = f"{self.prefix}{q.rsplit('.', 1)[-1]}: {launch.name}"
        launch.unknowns = list(dict.fromkeys(launch.unknowns + [u for u in unknowns if not u.startswith("argument")]))
        last = argv_node.elts[-1] if isinstance(argv_node, (ast.List, ast.Tuple)) and argv_node.elts and \
            hasattr(argv_node, "lineno") else None
        launch.insertion = self._list_insertion(last) if last is not None else None
        return launch

    def _list_insertion(self, last: ast.AST) -> Insertion | None:
        code = self.code
        if code.mapped is not None and any(code.mapped.ends[i] - code.mapped.starts[i] != 1
                                           for i in range(len(code.mapped))):
            return None
        _, hi = code.node_range(last)

        def render(words: list[str]) -> str:
            return "".join(", " + json.dumps(w) for w in words)

        return Insertion(code.src.display, code.end_off(hi), render)

    def _shell_launch(self, node: ast.AST, q: str) -> Launch | None:
        code = self.code
        target = node
        if isinstance(node, ast.Name):
            got = self.binding(node)
            target = got[0] if got is not None else node
        if not isinstance(target, (ast.Constant, ast.JoinedStr)) or \
                (isinstance(target, ast.Constant) and not isinstance(target.value, str)):
            return None
        lo, hi = code.node_range(target)
        got = literal_text(code.text, lo, hi, target.value if isinstance(target, ast.Constant) else None)
        if got is None:
            return None
        chars, fields = self.fill_fields(target, *got)
        mapped = code.to_file(chars)
        launches = script_launches(code.src, mapped, source=self.source, prefix=f"{self.prefix}{q.rsplit('.', 1)[-1]}: ",
                                   env=self.env)
        if not launches:
            return None
        launch = launches[0]
        field_ranges = [(code.off(a), code.end_off(b)) for a, b in fields]
        for t in launch.program + launch.args:
            if t.span is not None and any(a < t.span.end and t.span.start < b for a, b in field_ranges):
                t.symbolic = True
        quote = code.text[hi - 1]
        if launch.insertion is not None and (code.mapped is None):
            inner = launch.insertion.render

            def render(words: list[str], inner=inner, quote=quote) -> str:
                return inner(words).replace("\\", "\\\\").replace(quote, "\\" + quote)

            launch.insertion = Insertion(launch.insertion.path, launch.insertion.offset, render)
        elif code.mapped is not None:
            launch.insertion = None
        return launch


def _ipython_shell(func: ast.AST) -> str | None:
    """``get_ipython().system(cmd)`` / ``.getoutput(cmd)`` (a notebook's ``!cmd`` as nbconvert
    exports it): a shell command line, as ``os.system`` runs it."""
    if isinstance(func, ast.Attribute) and func.attr in ("system", "getoutput") and isinstance(func.value, ast.Call) \
            and isinstance(func.value.func, ast.Name) and func.value.func.id == "get_ipython":
        return "os.system"
    return None


def _value_text(v: object) -> str:
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"))
    return str(v)


def _py_literal(word: str) -> str:
    for conv in (int, float):
        try:
            conv(word)
        except ValueError:
            continue
        return word
    if word in ("True", "False", "true", "false"):
        return word.capitalize()
    return json.dumps(word)
