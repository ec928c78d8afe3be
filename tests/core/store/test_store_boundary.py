"""Every SQL statement lives in photoapp/core/store: no other module runs SQL or holds it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "photoapp"
STORE = PACKAGE / "core" / "store"
SQL = re.compile(
    r"\b(SELECT\b[\s\S]*\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
    r"CREATE\s+(TABLE|INDEX)|ALTER\s+TABLE|PRAGMA)\b"
)
RUNS_SQL = {"execute", "executemany", "executescript"}


def sql_offences(source: str, name: str) -> list[str]:
    """Calls of .execute/.executemany/.executescript and string constants (f-string parts
    too) that are SQL statements, as 'name:line: what'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RUNS_SQL:
            found.append(f"{name}:{node.lineno}: calls .{node.func.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            found.append(f"{name}:{node.lineno}: SQL {node.value.strip()[:60]!r}")
    return found


def test_no_sql_outside_the_store():
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if STORE in path.parents:
            continue
        offences += sql_offences(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE)))
    assert offences == [], "SQL belongs in photoapp/core/store:\n" + "\n".join(offences)


def test_the_check_catches_each_form_of_sql():
    """The check itself: each way SQL could hide in a module is reported."""
    samples = {
        'db.execute("SELECT 1")': 1 + 0,  # the call (the constant has no FROM)
        "rows = con.executemany(sql, args)": 1,
        'Q = "SELECT id FROM photos WHERE x=?"': 1,
        'Q = f"DELETE FROM photo_tags WHERE photo_id IN ({marks})"': 1,
        'Q = "INSERT OR REPLACE INTO meta(key) VALUES (?)"': 1,
        'Q = "UPDATE photos SET taken=?"': 1,
        'note = "select a folder from the list"': 0,  # prose, not SQL
    }
    for source, expected in samples.items():
        assert len(sql_offences(source, "sample")) == expected, source
