"""No import cycle in photoapp/core, lazy (function-level) imports included: a service
never imports the facade that wires it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "photoapp"


def _module(path: Path) -> str:
    name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return name.removesuffix(".__init__")


def core_imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in (PACKAGE / "core").rglob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found |= {f"{node.module}.{a.name}" for a in node.names}  # "from package import module"
        graph[_module(path)] = {m for m in found if m.startswith("photoapp.core")}
    return {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return path[path.index(dep):] + [dep]
            if dep not in state:
                found = visit(dep, path + [dep])
                if found:
                    return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_core_has_no_import_cycle():
    assert cycle(core_imports()) is None


def test_the_check_finds_a_cycle():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_services_never_import_the_facade():
    graph = core_imports()
    services = [m for m in graph if m.endswith(".service")]
    assert len(services) >= 4
    assert [m for m in services if "photoapp.core.library" in graph[m]] == []
