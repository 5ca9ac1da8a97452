"""The layer contract of ``src/billing``, read from the source (AST), each rule with a self-test.

(a) ``billing.domain`` imports nothing but the standard library, pendulum, babel and itself:
    the pure core (docs: style.md, "A pure domain core").
(b) No import cycle between the packages of ``billing``. A package is ``billing.<name>``; a
    top-level module such as ``billing.clock`` is a package of its own. Imports under
    ``if TYPE_CHECKING:`` count too: a cycle in the types is a cycle in the design.
(c) No ``from billing.x import _private`` across packages: what another package needs is
    public, or it is not needed.
(d) No function-local ``import billing...``: an import inside a function hides a cycle.
(e) No module in ``src/`` over 400 lines and no function over 60 lines.

Each checker takes ``{module name: source}`` so that the self-tests can plant a violation in a
made-up tree and show that it is caught.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import billing

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
DOMAIN_MAY_IMPORT = frozenset({"pendulum", "babel", "stdnum"})

Tree = Mapping[str, str]  # module name -> source


def billing_tree() -> dict[str, str]:
    root = Path(billing.__file__).resolve().parent
    tree: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        tree[".".join(parts)] = path.read_text(encoding="utf-8")
    return tree


def _is_package(tree: Tree, module: str, source: str | None = None) -> bool:
    """Whether ``module`` is a package (its ``__init__``): in a planted tree, one that has
    submodules."""
    return any(other.startswith(module + ".") for other in tree)


def _imports(tree: Tree, module: str) -> Iterator[tuple[ast.stmt, str, list[str]]]:
    """(node, absolute module imported, names) for every import statement of ``module``."""
    for node in ast.walk(ast.parse(tree[module])):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = module.split(".")
                if not _is_package(tree, module):
                    here = here[:-1]
                here = here[: len(here) - (node.level - 1)]
                base = ".".join(here + ([base] if base else []))
            yield node, base, [a.name for a in node.names]


def package_of(module: str) -> str:
    """``billing.<name>`` for anything under it; ``billing`` itself for the root."""
    return ".".join(module.split(".")[:2])


# -- (a) the domain is pure --------------------------------------------------------------------


def domain_impurities(tree: Tree) -> list[str]:
    found = []
    for module in tree:
        if package_of(module) != "billing.domain":
            continue
        for node, target, _ in _imports(tree, module):
            top = target.split(".")[0]
            if package_of(target) == "billing.domain" or target == "__future__":
                continue
            if top in sys.stdlib_module_names or top in DOMAIN_MAY_IMPORT:
                continue
            found.append(f"{module}:{node.lineno} imports {target}")
    return found


def test_domain_check_finds_impure_imports() -> None:
    planted = {
        "billing.domain": "",
        "billing.domain.money": "from decimal import Decimal\nimport babel.numbers\n",
        "billing.domain.ledger": (
            "from __future__ import annotations\n"
            "from billing.domain.money import Money\n"
            "from .calendar import PeriodGrid\n"
            "import pendulum\n"
            "from sqlalchemy.orm import Session\n"
            "from billing.storage.models import LedgerEntry\n"
        ),
        "billing.storage.models": "from sqlalchemy import Integer\n",
    }
    assert domain_impurities(planted) == [
        "billing.domain.ledger:5 imports sqlalchemy.orm",
        "billing.domain.ledger:6 imports billing.storage.models",
    ]


def test_the_domain_imports_only_stdlib_pendulum_babel_and_itself() -> None:
    assert domain_impurities(billing_tree()) == []


# -- (b) no cycle between packages -------------------------------------------------------------


def package_graph(tree: Tree) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {package_of(m): set() for m in tree if m != "billing"}
    for module in tree:
        here = package_of(module)
        if here == "billing":
            continue
        for _, target, names in _imports(tree, module):
            targets = [target]
            if target == "billing":  # ``from billing import clock``: the names are modules
                targets = [f"billing.{n}" for n in names]
            for t in targets:
                there = package_of(t)
                if t.startswith("billing.") and there != here and there in graph:
                    graph[here].add(there)
    return graph


def package_cycles(tree: Tree) -> list[list[str]]:
    """The strongly connected groups of more than one package (Tarjan), each sorted."""
    graph = package_graph(tree)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(groups)


def cycle_edges(tree: Tree, group: list[str]) -> list[str]:
    """Which module imports which package inside a cycle: where to cut it."""
    members = set(group)
    found = set()
    for module in tree:
        here = package_of(module)
        if here not in members:
            continue
        for _, target, names in _imports(tree, module):
            targets = [f"billing.{n}" for n in names] if target == "billing" else [target]
            for t in targets:
                there = package_of(t)
                if there in members and there != here:
                    found.add(f"{module} -> {there}")
    return sorted(found)


def test_cycle_check_finds_a_cycle_between_packages() -> None:
    planted = {
        "billing.clock": "import datetime\n",
        "billing.invoicing": "",
        "billing.invoicing.service": "from billing.subscriptions.repository import load\n",
        "billing.subscriptions": "",
        "billing.subscriptions.repository": "from ..clock import today\n",
        "billing.subscriptions.service": "from billing.invoicing import service\n",
        "billing.events": "",
        "billing.events.service": "from billing import clock\n",
    }
    assert package_cycles(planted) == [["billing.invoicing", "billing.subscriptions"]]
    assert cycle_edges(planted, ["billing.invoicing", "billing.subscriptions"]) == [
        "billing.invoicing.service -> billing.subscriptions",
        "billing.subscriptions.service -> billing.invoicing",
    ]
    del planted["billing.subscriptions.service"]
    assert package_cycles(planted) == []
    assert package_graph(planted)["billing.events"] == {"billing.clock"}
    assert package_graph(planted)["billing.subscriptions"] == {"billing.clock"}


def test_no_import_cycle_between_packages() -> None:
    tree = billing_tree()
    assert {" / ".join(g): cycle_edges(tree, g) for g in package_cycles(tree)} == {}


# -- (c) nothing private across packages -------------------------------------------------------


def private_imports(tree: Tree) -> list[str]:
    found = []
    for module in tree:
        for node, target, names in _imports(tree, module):
            if not target.startswith("billing") or package_of(target) == package_of(module):
                continue
            parts = target.split(".") + names
            private = [p for p in parts if p.startswith("_") and not p.startswith("__")]
            if private:
                found.append(f"{module}:{node.lineno} imports {', '.join(private)} from {target}")
    return found


def test_private_check_finds_private_names_across_packages() -> None:
    planted = {
        "billing.invoicing": "",
        "billing.invoicing.service": "def _group(): ...\n",
        "billing.invoicing.repository": "from billing.invoicing.service import _group\n",
        "billing.bill_runs": "",
        "billing.bill_runs.batch": (
            "from billing.invoicing.service import _group, post\n"
            "from billing.invoicing._sql import raw\n"
            "from billing.invoicing import __version__\n"
        ),
    }
    assert private_imports(planted) == [
        "billing.bill_runs.batch:1 imports _group from billing.invoicing.service",
        "billing.bill_runs.batch:2 imports _sql from billing.invoicing._sql",
    ]


def test_no_private_names_imported_across_packages() -> None:
    assert private_imports(billing_tree()) == []


# -- (d) no function-local imports of billing --------------------------------------------------


def local_imports(tree: Tree) -> list[str]:
    found = []
    for module, source in tree.items():
        functions = [
            n
            for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        for fn in functions:
            for node in ast.walk(fn):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = ["." * node.level + (node.module or "")]
                else:
                    continue
                for name in names:
                    if name.startswith((".", "billing")):
                        found.append(f"{module}:{node.lineno} in {fn.name}() imports {name}")
    return sorted(set(found))


def test_local_import_check_finds_imports_inside_functions() -> None:
    planted = {
        "billing.cli": (
            "import json\n"
            "from billing.settings import Settings\n"
            "def main():\n"
            "    import argparse\n"
            "    from billing.http.app import create_app\n"
            "    def inner():\n"
            "        import billing.storage.db\n"
            "        from .clock import today\n"
            "    return create_app\n"
        ),
    }
    assert local_imports(planted) == [
        "billing.cli:5 in main() imports billing.http.app",
        "billing.cli:7 in inner() imports billing.storage.db",
        "billing.cli:7 in main() imports billing.storage.db",
        "billing.cli:8 in inner() imports .clock",
        "billing.cli:8 in main() imports .clock",
    ]


def test_no_function_local_imports_of_billing() -> None:
    assert local_imports(billing_tree()) == []


# -- (e) sizes ---------------------------------------------------------------------------------


def oversized(tree: Tree) -> list[str]:
    found = []
    for module, source in tree.items():
        lines = len(source.splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{module}: {lines} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    found.append(
                        f"{module}:{node.lineno} {node.name}(): {n} lines "
                        f"(at most {MAX_FUNCTION_LINES})"
                    )
    return found


def test_size_check_finds_long_modules_and_functions() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(59))
    planted = {
        "billing.fits": "def f():\n" + body,  # 60 lines: the limit
        "billing.long_function": "\n\ndef g():\n" + body + "    return 1\n",
        "billing.long_module": "x = 1\n" * 401,
    }
    assert oversized(planted) == [
        "billing.long_function:3 g(): 61 lines (at most 60)",
        "billing.long_module: 401 lines (at most 400)",
    ]


def test_no_module_over_400_lines_and_no_function_over_60() -> None:
    assert oversized(billing_tree()) == []
