"""The README and docs/ tell the truth where it can be checked (issue 31): every figure in a
table with a "source" column is the value in that results file, on the machine, at the load
and on the date the file records; every settings.json key is in the README's settings table
with its default; every command the README shows exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from photoapp.cli.app import build_parser
from photoapp.config import setting_defaults

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PAGES = ["README.md", "docs/benchmarks.md"]


def _rows(text: str, last_header: str):
    """The body rows (lists of cells) of every Markdown table whose last header is ``last_header``."""
    header = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if header is None:
            header = cells
        elif not set(line) <= set("|- ") and header[-1] == last_header:
            yield cells


def _figure_rows():
    for page in PAGES:
        for cells in _rows((ROOT / page).read_text(), "source"):
            yield pytest.param(cells, id=f"{page}: {cells[0][:50]}")


def _lookup(data: dict, key: str):
    """The value at a dotted ``key`` and the nearest enclosing record that names its machine."""
    record, node = data, data
    for part in key.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, dict) and "machine" in node and "measured" in node:
            record = node
    return node, record


@pytest.mark.parametrize("cells", list(_figure_rows()))
def test_quoted_figures_are_the_results_files(cells):
    what, value, machine, source = cells
    match = re.fullmatch(r"`([\w.-]+\.json)` `(.+)`", source)
    assert match, f"source must be `file.json` `key.path`: {source}"
    data = json.loads((RESULTS / match[1]).read_text())
    figure, record = _lookup(data, match[2])
    shown = re.search(r"-?\d[\d,]*(?:\.\d+)?", value)[0].replace(",", "")
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    assert float(shown) == round(float(figure), decimals), f"{what}: README {shown}, {match[1]} {figure}"
    m = record["machine"]
    expected = f"{m['cpu']}, {m['cpus']} cores, load {m['load_avg_at_start'][0]}, {record['measured'][:10]}"
    assert machine == expected, what


@pytest.mark.faces  # the defaults users get (faces.enabled follows PHOTOAPP_FACES)
def test_every_setting_is_in_the_readme_with_its_default():
    rows = _rows((ROOT / "README.md").read_text(), "other ways to change it")
    table = {cells[0].strip("`"): cells[1] for cells in rows}
    for key, default in setting_defaults().items():
        assert key in table, f"settings.json key {key} missing from the README's settings table"
        assert table[key].startswith(f"`{json.dumps(default)}`"), f"{key}: README {table[key]}, code {default!r}"
    assert set(table) == set(setting_defaults())


def test_every_command_shown_exists():
    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    lines = [line for block in blocks for line in block.splitlines()]
    shown = [re.match(r"(?:\.venv/bin/)?photoapp((?: --\S+ \S+)*)(?: (\S+))?", line) for line in lines]
    used = [m[2] for m in shown if m and m[2]]
    assert {"index", "search", "settings", "watch", "dupes", "smart-album", "labels", "demo"} <= set(used)
    assert [c for c in used if c not in commands] == []


def test_the_docs_the_readme_links_to_are_here():
    readme = (ROOT / "README.md").read_text()
    for page in ("docs/architecture.md", "docs/benchmarks.md", "docs/reliability.md"):
        assert f"({page}" in readme and (ROOT / page).exists(), page
