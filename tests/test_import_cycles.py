"""No import cycle between the packages of ``billing``, counting every import, including one
inside a function (hiding an import there does not break a cycle, it only defers it).

A package is the first name under ``billing`` (``billing.invoicing.service`` is ``invoicing``);
top-level modules (``cli``, ``settings`` …) are packages of their own.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import billing

ROOT = Path(billing.__file__).parent


def package_imports(root: Path = ROOT) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        package = parts[0]
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith("billing.") and name.split(".")[1] != package:
                    graph[package].add(name.split(".")[1])
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle's packages (the strongly connected components with more than one)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_between_packages() -> None:
    assert cycles(package_imports()) == []


def test_the_check_finds_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "m.py").write_text("from billing.b.m import x\n")
    (tmp_path / "b" / "m.py").write_text("def f():\n    from billing.a.m import y\n")
    (tmp_path / "c.py").write_text("import billing.a.m\n")
    assert cycles(package_imports(tmp_path)) == [["a", "b"]]
