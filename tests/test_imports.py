"""The import graph of refcli's own modules: no cycles.

Every import statement counts, at the top of a module or inside a function: a
function-local import that closes a cycle still ties two modules together (one can
neither be understood nor moved without the other), it only hides it from Python's
import machinery. Not counted are the parent packages Python imports implicitly
(``refcli.documents`` when ``refcli.documents.names`` is imported): a package
facade whose ``__init__`` lazily imports its own submodules is not a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# Cycles not yet removed, each with its plan; the test fails on any other cycle, and
# when one of these is gone (so that the list only shrinks). None is left: keep it so.
KNOWN_CYCLES: set[frozenset[str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """refcli module → the refcli modules it imports anywhere in its source."""
    modules = {_module_name(p): p for p in (SRC / "refcli").rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
                # "from refcli import settings" imports the module refcli.settings.
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            else:
                continue
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_detector_finds_a_cycle_through_a_function_local_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == {frozenset({"a", "b", "c"})}
    assert "refcli.settings" in import_graph()["refcli.keys"]  # "from refcli import settings"


def test_no_import_cycles_among_refcli_modules():
    found = cycles(import_graph())
    assert found - KNOWN_CYCLES == set(), "new import cycle(s)"
    assert KNOWN_CYCLES - found == set(), "a known cycle is gone: remove it from KNOWN_CYCLES"


def test_benchmarks_scripts_and_tests_edit_no_sys_path():
    # They are packages run as modules (python -m benchmarks.run); pytest puts the
    # project root on the path (pyproject's pythonpath).
    root = SRC.parent
    insert, append = "sys.path." + "insert(", "sys.path." + "append("  # (not found in this file)
    edits = [f"{path.relative_to(root)}:{n}" for folder in ("benchmarks", "scripts", "tests")
             for path in sorted((root / folder).rglob("*.py"))
             for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if insert in line or append in line]
    assert edits == [], "use python -m and package imports instead"
