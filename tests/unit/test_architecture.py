"""The package is a DAG a newcomer can read: no import cycles between its modules, and no
import hidden inside a function unless a comment says why. (The layers themselves are
import-linter contracts in pyproject.toml, run by ``make lint``.)"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

import insights_lms

PACKAGE = Path(insights_lms.__file__).parent


def _modules_in_cycles() -> list[list[str]]:
    graph = grimp.build_graph("insights_lms", exclude_type_checking_imports=True)
    modules = sorted(m for m in graph.modules if ".migrations" not in m)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) & set(modules) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return cycles


def test_no_module_takes_part_in_an_import_cycle():
    assert _modules_in_cycles() == []


def test_imports_inside_functions_say_why():
    unexplained = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    line, above = lines[inner.lineno - 1], lines[inner.lineno - 2]
                    if "#" not in line and not above.strip().startswith("#"):
                        unexplained.append(f"{path.relative_to(PACKAGE)}:{inner.lineno}")
    assert unexplained == []
