"""The GUI's boundary: it uses the engine through the Library facade and value types only.

The lead encodes the same list as an import-linter contract; this test keeps it checked
where import-linter is not installed, and also checks the imported names of the value
modules and that no GUI code reaches into the facade's parts (its catalog, tagger...).
"""

from __future__ import annotations

import ast
from pathlib import Path

GUI = Path(__file__).resolve().parents[2] / "photoapp" / "gui"

# What photoapp/gui may import from the rest of photoapp (module -> names, None: any name).
ALLOWED = {
    "photoapp": {"APP_ID", "APP_NAME", "__version__"},  # the app's name and identifiers
    "photoapp.config": None,  # settings file and defaults (the window's saved state)
    "photoapp.core.library": None,  # the facade (Library, and the error types it re-exports)
    "photoapp.core.errors": None,  # the error types
    "photoapp.core.units": None,  # human_size
    "photoapp.core.search.ranking": {"Filters", "parse_date", "SearchHit", "Results"},  # value types
    "photoapp.core.search.dates": {"DateSpan", "parse_date_range"},  # a value type and a pure parser
    "photoapp.toy.domain": {"generate_library"},  # screenshots.py's demo photos
    "photoapp.core.undo": {"UndoStack", "TagChange", "MarksChange", "TrashChange"},  # undoable changes (values)
}
# Parts of the facade the GUI must not reach into: the catalog (SQL), the tagger and
# the probes (behind Library.tags), the embedders.
FORBIDDEN_ATTRIBUTES = {"catalog", "tagger", "probes", "db", "_embedders", "_index_lock", "_on_removed"}


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                yield node.lineno, node.module, alias.name


def test_gui_imports_only_the_facade_and_value_types():
    offenders = []
    files = sorted(GUI.rglob("*.py"))
    assert len(files) > 30  # the walk really covers the package
    for path in files:
        for line, module, name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if module != "photoapp" and not module.startswith("photoapp."):
                continue
            if module == "photoapp.gui" or module.startswith("photoapp.gui."):
                continue
            names = ALLOWED.get(module, set())
            if names is not None and (name is None or name not in names):
                offenders.append(f"{path.relative_to(GUI)}:{line}: {module}" + (f".{name}" if name else ""))
    assert not offenders, "photoapp/gui reaches past the facade:\n" + "\n".join(offenders)


def test_gui_never_reaches_into_the_facades_parts():
    offenders = []
    for path in sorted(GUI.rglob("*.py")):
        offenders.extend(
            f"{path.relative_to(GUI)}:{node.lineno}: .{node.attr}"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES
        )
    assert not offenders, "photoapp/gui uses the facade's internals:\n" + "\n".join(offenders)


def test_the_check_sees_a_forbidden_import(tmp_path):
    """The walk above would notice a view importing the catalog (it is not vacuous)."""
    tree = ast.parse("from photoapp.core.store.catalog import Catalog\nimport photoapp.core.media.decoding\n")
    found = [(m, n) for _line, m, n in _imports(tree)]
    assert found == [("photoapp.core.store.catalog", "Catalog"), ("photoapp.core.media.decoding", None)]
    assert all(m not in ALLOWED for m, _n in found)


def test_every_gui_folder_is_a_package():
    """A folder without __init__.py is a namespace package, which bundlers can leave out."""
    folders = {path.parent for path in GUI.rglob("*.py") if "__pycache__" not in path.parts}
    assert sorted(str(f.relative_to(GUI)) for f in folders if not (f / "__init__.py").exists()) == []
