"""What a name in a Python launcher holds and when a statement runs, read with ``ast`` only.

A value is what the file states: a literal, or a name bound exactly once in its scope (module
constants, a local list) to a literal; a parameter of a function the file calls exactly once is
the argument given there, or the default that call leaves in place. ``guard`` says in words when
a statement runs (``when `args.quant` is true``, ``in the loop `for k in extra```), so words
added there can carry that condition.
"""

from __future__ import annotations

import ast

from vllm_lint.sources.python.code import PythonCode

MAX_RESOLVE = 20
_MUTATORS = frozenset({"append", "extend", "insert", "update", "setdefault", "pop"})


class _Unknown:
    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()


class Names:
    """The bindings, mutations and control flow of one parsed Python text."""

    def __init__(self, code: PythonCode, tree: ast.Module) -> None:
        self.code = code
        self.tree = tree
        self.aliases: dict[str, str] = {}
        self.parents: dict[int, ast.AST] = {}
        self.binds: dict[tuple[int, str], list[ast.AST]] = {}  # (scope id, name) -> binding statements
        self.params: set[tuple[int, str]] = set()
        self.globals: set[str] = set()
        self.mutations: dict[tuple[int, str], list[ast.AST]] = {}
        self._calls: dict[str, list[ast.Call]] | None = None  # plain calls by function name (built on first use)
        self._defs: dict[str, int] = {}
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
                return None if self.binds.get(key) else self._argument(sc, name.id)
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

    def _argument(self, func: ast.AST, param: str) -> tuple[ast.AST, ast.AST] | None:
        """(value, scope) of parameter ``param`` of ``func`` when the file calls ``func`` exactly
        once by name: the argument given there, else the default it leaves in place
        (``def launch(model="Qwen/Qwen3-8B")`` ... ``launch()``). None when it is called several
        times, never (a library function), or with ``*args``/``**kwargs``."""
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        if self._calls is None:
            self._calls = {}
            defs: dict[str, int] = {}
            for n in ast.walk(self.tree):
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
                    self._calls.setdefault(n.func.id, []).append(n)
                elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    defs[n.name] = defs.get(n.name, 0) + 1
            self._defs = defs
        calls = self._calls.get(func.name, [])
        if len(calls) != 1 or self._defs.get(func.name) != 1:
            return None
        call = calls[0]
        a = func.args
        positional = [x.arg for x in a.posonlyargs + a.args]
        if any(isinstance(x, ast.Starred) for x in call.args) or any(kw.arg is None for kw in call.keywords):
            return None
        if param in positional:
            i = positional.index(param)
            if i < len(call.args):
                return call.args[i], self.scope(call.args[i])
            default = a.defaults[i - (len(positional) - len(a.defaults))] if i >= len(positional) - len(a.defaults) \
                else None
        else:
            kwonly = [x.arg for x in a.kwonlyargs]
            if param not in kwonly:
                return None
            default = a.kw_defaults[kwonly.index(param)]
        given = next((kw.value for kw in call.keywords if kw.arg == param), None)
        if given is not None:
            return given, self.scope(given)
        return (default, func) if default is not None else None

    def const(self, node: ast.AST, depth: int = 0) -> object:
        """The literal a node evaluates to, or ``UNKNOWN``."""
        if depth > MAX_RESOLVE:
            return UNKNOWN
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            got = self.binding(node)
            return self.const(got[0], depth + 1) if got else UNKNOWN
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.const(x, depth + 1) for x in node.elts]
            return UNKNOWN if any(x is UNKNOWN for x in items) else items
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                return UNKNOWN
            keys = [self.const(k, depth + 1) for k in node.keys]  # type: ignore[arg-type]
            vals = [self.const(v, depth + 1) for v in node.values]
            if any(x is UNKNOWN for x in keys + vals):
                return UNKNOWN
            return dict(zip(keys, vals))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            v = self.const(node.operand, depth + 1)
            return -v if isinstance(v, (int, float)) and not isinstance(v, bool) else UNKNOWN
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str" \
                and len(node.args) == 1 and not node.keywords:
            v = self.const(node.args[0], depth + 1)
            # str(None): a default standing for "not given", never a word the launch passes
            return UNKNOWN if v is UNKNOWN or v is None or isinstance(v, (list, dict)) else str(v)
        if isinstance(node, ast.Call) and self.qualname(node.func) in ("os.environ.get", "os.getenv") \
                and len(node.args) == 2:
            return self.const(node.args[1], depth + 1)  # the default the file states
        return UNKNOWN

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
