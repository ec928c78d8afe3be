"""The engine stays headless: nothing under photoapp/core imports Qt."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "photoapp" / "core"


def test_core_never_imports_qt():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("PySide6", "shiboken6", "PyQt6")]
    assert offenders == []


def test_no_import_cycles():
    """No module of photoapp imports itself back through others, counting the imports inside
    functions too (a lazy import hides a cycle at start-up, not from a reader). grimp is
    the graph import-linter checks its contracts on (CI runs those: `lint-imports`)."""
    import grimp

    graph = grimp.build_graph("photoapp")
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.add(" -> ".join((module, *back)))
    assert sorted(cycles) == []
