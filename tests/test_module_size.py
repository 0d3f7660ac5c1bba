"""Small modules and short functions (the developers' guide): no module of ``src/vllm_lint`` over
``MAX_MODULE_LINES`` lines and no function over ``MAX_FUNCTION_LINES`` without a reason. A reason is
a docstring sentence starting "Long on purpose:", or an entry below (for code whose owner has not yet
written one into the docstring). An entry that no longer applies fails too, so the lists only shrink.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "vllm_lint"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
REASON = "Long on purpose:"

# module (relative to src/vllm_lint) -> why it stays whole
LONG_MODULES: dict[str, str] = {
    "sources/python/launches.py": "one AST reader class whose visitors share its bindings and call-site "
                                  "state; the bindings and control flow already live in names.py",
}

# "module::qualified name" -> why it stays whole
LONG_FUNCTIONS: dict[str, str] = {
    "sources/containers/dockerfile.py::_stage_launch": "one stage's ENTRYPOINT/CMD resolved in Docker's order "
        "(shell form, script followed, image entrypoint assumed), then the Launch built from it",
    "sources/k8s/container.py::container_launch": "resolves a container's command and args against its "
        "image's entrypoint (exec form, shell script, image default) as the kubelet does, then builds the Launch",
    "sources/k8s/kserve.py::isvc_launches": "follows KServe's predictor resolution in the controller's "
        "order: a custom predictor's containers, a named runtime (this file, the files beside it, the built-in "
        "ones) or a missing one",
    "sources/shell/commands.py::parse_script": "one pass over the lexed items with the and-or list's "
        "state (pending group, last exit status, the guard of && and ||) that every separator updates",
    "sources/shell/commands.py::_build_command": "one pass over a command's words with the expander's "
        "state (keywords that open or close frames, prefix assignments, redirections)",
    "sources/shell/makefile.py::parse_makefile": "one pass over the logical lines with the parser's "
        "state (current rule, conditional depth, define blocks) as GNU make reads them",
    "sources/shell/powershell.py::_statements": "a tokenizer loop: one pass over the characters with the "
        "lexer's position, splitting statements at operators and braces",
}


def _lines(node: ast.AST) -> int:
    return node.end_lineno - node.lineno + 1  # type: ignore[attr-defined]


def _functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    out: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out.append((prefix + child.name, child))
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return out


@lru_cache(maxsize=None)  # the tree does not change during a run: parsed once, read by two tests
def offenders() -> tuple[dict[str, int], dict[str, int]]:
    """(long modules, long functions without a docstring reason), with their line counts."""
    modules: dict[str, int] = {}
    functions: dict[str, int] = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        n = text.count("\n")
        if n > MAX_MODULE_LINES and REASON not in (ast.get_docstring(tree) or ""):
            modules[rel] = n
        for name, fn in _functions(tree):
            if _lines(fn) > MAX_FUNCTION_LINES and REASON not in (ast.get_docstring(fn) or ""):
                functions[f"{rel}::{name}"] = _lines(fn)
    return modules, functions


def test_no_long_module_or_function_without_a_reason():
    modules, functions = offenders()
    new_modules = {m: n for m, n in modules.items() if m not in LONG_MODULES}
    new_functions = {f: n for f, n in functions.items() if f not in LONG_FUNCTIONS}
    assert not new_modules, (f"modules over {MAX_MODULE_LINES} lines: {new_modules}; split them by job "
                             "(keep tests/test_import_graph.py green)")
    assert not new_functions, (f"functions over {MAX_FUNCTION_LINES} lines: {new_functions}; split them, or say "
                               f"why not in the docstring ({REASON!r})")


def test_every_allowed_entry_still_needs_its_reason():
    modules, functions = offenders()
    stale = sorted(set(LONG_MODULES) - set(modules)) + sorted(set(LONG_FUNCTIONS) - set(functions))
    assert not stale, f"no longer long (or now explained in the docstring): remove from this file: {stale}"
    assert all(len(why) > 40 for why in {**LONG_MODULES, **LONG_FUNCTIONS}.values())


def test_the_measure_counts_nested_and_method_bodies(tmp_path):
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    tree = ast.parse(f"class C:\n    def m(self):\n{body}\n        def inner():\n            pass\n")
    got = {name: _lines(fn) for name, fn in _functions(tree)}
    assert got == {"C.m": MAX_FUNCTION_LINES + 3, "C.m.inner": 2}


def test_no_short_aliases_of_project_modules():
    """``from vllm_lint.rules import flag_values``, not ``... as T``: a module reads by its name."""
    short = []
    for path in sorted([*SRC.rglob("*.py"), *(SRC.parents[1] / "tests").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                module = getattr(node, "module", None) or ""
                for alias in node.names:
                    full = f"{module}.{alias.name}" if module else alias.name
                    if full.startswith("vllm_lint") and alias.asname and len(alias.asname) <= 2:
                        short.append(f"{path.name}: {full} as {alias.asname}")
    assert not short, short
