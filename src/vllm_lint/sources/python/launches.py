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
  ``sys.executable`` is a Python interpreter.

A value is what the file states: a literal, or a name bound exactly once in its scope (module
constants, a local list) to a literal; a list extended unconditionally before the call
(``cmd += [...]``, ``cmd.append(x)``) includes those words. Anything else (a parameter, an
attribute, an f-string field, ``**kwargs``, a list extended under a condition) is unknown.
"""

from __future__ import annotations

import ast
import json
import sys

from vllm_lint.launch import EnvValue, GpuRequest, Insertion, Launch, Token
from vllm_lint.sources.containers.visible_gpus import narrow_by_env
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile, input_diagnostic
from vllm_lint.sources.mapped import MappedText, script_launches
from vllm_lint.sources.python.code import PythonCode
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
_MAX_RESOLVE = 20
_MUTATORS = frozenset({"append", "extend", "insert", "update", "setdefault", "pop"})


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


class _Reader:
    def __init__(self, code: PythonCode, tree: ast.Module, prefix: str, source: str) -> None:
        self.code = code
        self.tree = tree
        self.prefix = prefix
        self.source = source
        self.aliases: dict[str, str] = {}
        self.parents: dict[int, ast.AST] = {}
        self.binds: dict[tuple[int, str], list[ast.AST]] = {}  # (scope id, name) -> binding statements
        self.params: set[tuple[int, str]] = set()
        self.globals: set[str] = set()
        self.mutations: dict[tuple[int, str], list[ast.AST]] = {}
        self.env: dict[str, object] = {}
        self._index()

    # -- indexing
    def _index(self) -> None:
        scope_of: dict[int, ast.AST] = {}
        stack: list[tuple[ast.AST, ast.AST]] = [(self.tree, self.tree)]
        while stack:
            node, scope = stack.pop()
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
                inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else scope
                stack.append((child, inner))
            scope_of[id(node)] = scope
            if isinstance(node, ast.Import):
                for a in node.names:
                    self.aliases[(a.asname or a.name).split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                args = node.args
                for a in args.posonlyargs + args.args + args.kwonlyargs + [x for x in (args.vararg, args.kwarg) if x]:
                    self.params.add((id(node), a.arg))
            elif isinstance(node, ast.Global):
                self.globals.update(node.names)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) \
                    and not isinstance(self.parents.get(id(node)), ast.AugAssign):
                self.binds.setdefault((id(scope), node.id), []).append(node)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                self.mutations.setdefault((id(scope), node.target.id), []).append(node)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in _MUTATORS and isinstance(node.func.value, ast.Name):
                self.mutations.setdefault((id(scope), node.func.value.id), []).append(node)
            elif isinstance(node, (ast.Assign, ast.Delete)):
                for t in node.targets:  # kwargs["quantization"] = "awq", del kwargs["x"]
                    if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
                        self.mutations.setdefault((id(scope), t.value.id), []).append(node)
        self.scope_of = scope_of

    def qualname(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualname(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def scope(self, node: ast.AST) -> ast.AST:
        return self.scope_of.get(id(node), self.tree)

    # -- values
    def binding(self, name: ast.Name) -> tuple[ast.AST, ast.AST] | None:
        """(assigned value, scope) when ``name`` is bound exactly once by ``name = value``."""
        scope = self.scope(name)
        for sc in (scope, self.tree):
            key = (id(sc), name.id)
            if key in self.params:
                return None
            found = self.binds.get(key)
            if found is None:
                if sc is self.tree:
                    return None
                continue
            if sc is self.tree and any(k[1] == name.id and k[0] != id(self.tree) for k in self.binds) \
                    and name.id in self.globals:
                return None
            if len(found) != 1:
                return None
            assign = self.parents.get(id(found[0]))
            if isinstance(assign, ast.Assign) and len(assign.targets) == 1 and assign.targets[0] is found[0]:
                return assign.value, sc
            if isinstance(assign, ast.AnnAssign) and assign.value is not None:
                return assign.value, sc
            return None
        return None

    def const(self, node: ast.AST, depth: int = 0) -> object:
        """The literal a node evaluates to, or ``_UNKNOWN``."""
        if depth > _MAX_RESOLVE:
            return _UNKNOWN
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            got = self.binding(node)
            return self.const(got[0], depth + 1) if got else _UNKNOWN
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.const(x, depth + 1) for x in node.elts]
            return _UNKNOWN if any(x is _UNKNOWN for x in items) else items
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                return _UNKNOWN
            keys = [self.const(k, depth + 1) for k in node.keys]  # type: ignore[arg-type]
            vals = [self.const(v, depth + 1) for v in node.values]
            if any(x is _UNKNOWN for x in keys + vals):
                return _UNKNOWN
            return dict(zip(keys, vals))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            v = self.const(node.operand, depth + 1)
            return -v if isinstance(v, (int, float)) and not isinstance(v, bool) else _UNKNOWN
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str" \
                and len(node.args) == 1 and not node.keywords:
            v = self.const(node.args[0], depth + 1)
            return _UNKNOWN if v is _UNKNOWN or isinstance(v, (list, dict)) else str(v)
        if isinstance(node, ast.Call) and self.qualname(node.func) in ("os.environ.get", "os.getenv") \
                and len(node.args) == 2:
            return self.const(node.args[1], depth + 1)  # the default the file states
        return _UNKNOWN

    # -- words
    def words(self, node: ast.AST, call: ast.AST, unknowns: list[str], depth: int = 0) -> list[Word]:
        """argv words of an expression that is a list (or one element of it)."""
        code = self.code
        if depth > _MAX_RESOLVE:
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

    @staticmethod
    def _in_order(nodes: list[ast.AST]) -> list[ast.AST]:
        return sorted(nodes, key=lambda n: (n.lineno, n.col_offset))

    def guard(self, node: ast.AST, scope: ast.AST) -> str | None:
        """When the statement ``node`` runs, in words (``when `args.quantization` is true``, ``in
        the loop `for k in extra```); None when it always does (as far as known: a ``try`` body
        and a ``with`` block run)."""
        parts: list[str] = []
        child, cur = node, self.parents.get(id(node))
        while cur is not None and cur is not scope:
            part = self._branch(cur, child)
            if part:
                parts.append(part)
            child, cur = cur, self.parents.get(id(cur))
        return " and ".join(reversed(parts)) if parts else None

    def _branch(self, parent: ast.AST, child: ast.AST) -> str | None:
        def src(n: ast.AST) -> str:
            text = " ".join((ast.get_source_segment(self.code.text, n) or "?").split())
            return text if len(text) <= 60 else text[:57] + "..."

        def inside(stmts: list) -> bool:
            return any(s is child for s in stmts)

        if isinstance(parent, ast.If):
            return f"when `{src(parent.test)}` is {'true' if inside(parent.body) else 'false'}"
        if isinstance(parent, (ast.For, ast.AsyncFor)):
            loop = f"for {src(parent.target)} in {src(parent.iter)}"
            return f"in the loop `{loop}`" if inside(parent.body) else f"after the loop `{loop}` ends without break"
        if isinstance(parent, ast.While):
            return f"in the loop `while {src(parent.test)}`"
        if isinstance(parent, ast.ExceptHandler):
            return f"when the `except` at line {parent.lineno} runs"
        if isinstance(parent, ast.Try) and inside(parent.orelse):
            return f"when the `try` at line {parent.lineno} raises nothing"
        if hasattr(ast, "match_case") and isinstance(parent, ast.match_case):
            return f"in `case {src(parent.pattern)}`"
        return None

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
            v = self.const(fv.value) if fv.conversion == -1 and fv.format_spec is None else _UNKNOWN
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
            q = self.qualname(node.func)
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
        facts: dict[str, object] = {"python_call": cls}
        if cls == "LLM":
            facts["usage_context"] = "llm"
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
        if v is _UNKNOWN:
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


class _Unknown:
    def __repr__(self) -> str:
        return "<unknown>"


_UNKNOWN = _Unknown()


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
