"""A damaged catalog (issue 29, finding 9), through the real CLI in subprocesses: reported
as damage (never "disk full") in one line that says to run `photoapp check`, never served
half-read, and `check` restores the newest sound backup, keeping the damaged file aside."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.cli.test_corrupt_index import photoapp
from tests.cli.test_reliability import index_in_process

SEARCH = ("search", "flower", "--all", "-k", "30", "--json")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, shared_photos):
    """The 27 real photos indexed with the toy model (the run makes the day's backup), and
    the search's answer before any damage."""
    base = tmp_path_factory.mktemp("corrupt-catalog")
    folder, lib = base / "photos", base / "lib"
    shutil.copytree(shared_photos, folder)
    index_in_process(lib, folder)
    before = photoapp(lib, *SEARCH)
    assert before.returncode == 0, before.stderr
    return lib, json.loads(before.stdout)


@pytest.fixture
def indexed_real(pristine, tmp_path):
    """A copy of the pristine library for one test to damage."""
    lib, answer = pristine
    shutil.copytree(lib, tmp_path / "lib")
    return tmp_path / "lib", answer


def _damage_pages(catalog) -> None:
    """Overwrite the embeddings' pages but their root, as a failing disk would (the
    embeddings: what index brings back; the folders and photos stay readable, wherever the
    tables the schema adds put them in the file)."""
    import sqlite3

    db = sqlite3.connect(catalog)
    pages = [p for (p,) in db.execute("SELECT pageno FROM dbstat WHERE name='embeddings' ORDER BY pageno")]
    size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    assert len(pages) >= 2, pages
    with open(catalog, "r+b") as fh:
        for page in pages[1:]:
            fh.seek((page - 1) * size)
            fh.write(b"\xa5" * size)


def _assert_one_damage_line(proc, words: str) -> None:
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    line = proc.stderr.strip()
    assert "\n" not in line and line.startswith("photoapp: error: "), proc.stderr
    assert "damaged" in line and words in line and "photoapp check" in line and "disk full" not in line, line
    assert proc.stdout == "", "a damaged catalog served results"


@pytest.mark.parametrize("damage", ["pages", "not_a_database"])
def test_a_damaged_catalog_is_reported_and_restored_from_its_backup(indexed_real, damage):
    lib, answer = indexed_real
    catalog = lib / "catalog.sqlite3"
    assert len(list((lib / "backups").glob("catalog-*.sqlite3"))) == 1
    if damage == "pages":
        _damage_pages(catalog)
        words = "malformed"
    else:
        catalog.write_bytes(b"not a database at all\n" * 1000)
        words = "not a database"
    damaged = catalog.read_bytes()
    for args in (SEARCH, ("status",), ("dupes",)):
        _assert_one_damage_line(photoapp(lib, *args), words)
    report = photoapp(lib, "check", "--no-repair", "--json")  # reports, touches nothing
    assert report.returncode == 1, report.stderr
    assert json.loads(report.stdout)["integrity"] != "ok" and catalog.read_bytes() == damaged
    human = photoapp(lib, "check")
    assert human.returncode == 0, human.stderr
    assert "catalog: damaged" in human.stdout and "restored from the backup" in human.stdout, human.stdout
    (aside,) = lib.glob("catalog.sqlite3.damaged-*[0-9]")
    assert aside.read_bytes() == damaged and aside.name in human.stdout
    again = photoapp(lib, *SEARCH)
    assert again.returncode == 0 and again.stderr == "", again.stderr
    assert json.loads(again.stdout) == answer
    assert json.loads(photoapp(lib, "check", "--json").stdout)["integrity"] == "ok"


def test_without_a_backup_check_keeps_what_can_be_read_and_index_brings_back_the_rest(indexed_real):
    lib, answer = indexed_real
    shutil.rmtree(lib / "backups")
    _damage_pages(lib / "catalog.sqlite3")
    report = photoapp(lib, "check", "--json")
    assert report.returncode == 0, report.stderr
    restored = json.loads(report.stdout)["catalog_restored"]
    assert restored["backup"] is None and restored["salvaged"]["folders"] == 1, restored
    index = photoapp(lib, "--model", "toy", "index", "-q", "--json")
    assert index.returncode == 0, index.stderr
    assert json.loads(photoapp(lib, "status", "--json").stdout)["indexed"] == 27
    assert json.loads(photoapp(lib, *SEARCH).stdout) == answer


def test_check_prints_text_for_a_person_and_json_only_when_asked(indexed_real):
    lib, _ = indexed_real
    human = photoapp(lib, "check")
    assert human.returncode == 0, human.stderr
    assert human.stdout.splitlines() == ["catalog: ok", "index:   in step with the catalog (27 photos)", "result:  ok"]
    data = json.loads(photoapp(lib, "check", "--json").stdout)
    assert data["ok"] is True and data["integrity"] == "ok" and data["catalog_restored"] is None
