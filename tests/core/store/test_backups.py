"""Catalog backups and damage (issue 29, finding 9): daily rotated backups through SQLite's
backup API, never of a damaged catalog; damage found at open or at the first damaged page."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from photoapp.core.store import backups
from photoapp.core.store import catalog as catalog_module
from photoapp.core.store.catalog import Catalog, CatalogDamaged

DAY = 24 * 3600.0


def _filled(path, n=400) -> Catalog:
    """A catalog of ``n`` photos with 512-d embeddings (a few hundred kB: many pages)."""
    cat = Catalog(path)
    rng = np.random.default_rng(1)
    with cat.transaction():  # the photos first, then their embeddings: the file's middle is embeddings
        ids = [
            cat.upsert_photo({"path": f"/p/{i}.jpg", "size": 1, "mtime": 1.0, "hash": f"{i:x}", "added": 0.0})
            for i in range(n)
        ]
        cat.put_embeddings("toy", [(pid, rng.normal(size=512).astype(np.float32)) for pid in ids])
    cat.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the rows in the main file, as after a while
    return cat


def _damage_middle(path) -> None:
    """Overwrite 12 kB in the middle of the file: b-tree pages of the tables."""
    size = os.path.getsize(path)
    with open(path, "r+b") as fh:
        fh.seek(size // 2 // 4096 * 4096)
        fh.write(bytes(np.random.default_rng(2).integers(0, 256, 3 * 4096, dtype=np.uint8)))


def test_backups_are_daily_rotated_and_read_back(tmp_path):
    cat = _filled(tmp_path / "catalog.sqlite3")
    start = 1_800_000_000.0
    made = [backups.backup(cat, now=start + day * DAY) for day in (0, 0.5, 1, 2, 3)]
    assert made[1] is None, "a second backup on the same day"
    assert all(made[i] is not None for i in (0, 2, 3, 4))
    kept = backups.backups(cat.path)
    assert kept == [made[4], made[3], made[2]]  # newest first, three kept
    assert [backups.taken(b) for b in kept] == [start + 3 * DAY, start + 2 * DAY, start + DAY]
    for backup in kept:
        assert backups.verify(backup) == []
    assert sorted(os.listdir(kept[0].parent)) == sorted(b.name for b in kept)  # no -wal, no temp files
    copy = Catalog(kept[0])
    assert copy.count_photos() == 400 and copy.count_embedded("toy") == 400
    copy.close()


def test_a_damaged_catalog_is_never_backed_up(tmp_path, monkeypatch):
    path = tmp_path / "catalog.sqlite3"
    _filled(path).close()
    _damage_middle(path)
    monkeypatch.setattr(catalog_module, "QUICK_CHECK_AT_OPEN", 0)  # a big catalog: not checked at open
    cat = Catalog(path)
    assert backups.backup(cat) is None and backups.backups(path) == []
    assert cat.quick_check() and backups.verify(path)


def test_damage_is_found_at_open_and_by_any_query_of_a_big_catalog(tmp_path, monkeypatch):
    path = tmp_path / "catalog.sqlite3"
    _filled(path).close()
    _damage_middle(path)
    with pytest.raises(CatalogDamaged, match="photoapp check"):  # small: quick_check at open
        Catalog(path)
    monkeypatch.setattr(catalog_module, "QUICK_CHECK_AT_OPEN", 0)
    cat = Catalog(path)  # big: opens, and the first query that meets the damage says so
    with pytest.raises(CatalogDamaged, match="malformed"):
        cat.embeddings("toy")
    path.write_bytes(b"this is not a database" * 200)
    with pytest.raises(CatalogDamaged, match="not a database"):
        Catalog(path)


def test_restore_takes_the_newest_sound_backup_and_keeps_the_damaged_file(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    cat = _filled(path)
    older = backups.backup(cat, now=1_800_000_000.0)
    newer = backups.backup(cat, now=1_800_000_000.0 + DAY)
    cat.close()
    _damage_middle(newer)  # the newest backup is damaged too: the older one is taken
    _damage_middle(path)
    damaged = path.read_bytes()
    restored = backups.restore(path)
    assert restored.backup == str(older) and restored.backup_time == "2027-01-15T08:00:00Z"
    assert Path(restored.damaged).read_bytes() == damaged
    assert backups.verify(path) == []
    assert Catalog(path).count_embedded("toy") == 400


def test_without_a_sound_backup_the_readable_rows_are_kept(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    cat = _filled(path)
    with cat.transaction():
        cat.add_folder("/p")
    cat.close()
    _damage_middle(path)
    restored = backups.restore(path)
    assert restored.backup is None and restored.salvaged["folders"] == 1
    # The damaged pages hold embeddings: those before them are copied, the photos all are.
    assert restored.salvaged["photos"] == 400 and 0 < restored.salvaged["embeddings"] < 400
    cat = Catalog(path)
    assert cat.folders() == [(1, "/p")] and cat.integrity_check() == []


def test_a_backup_that_does_not_fit_leaves_no_trace(tmp_path):
    """A full disk while copying (here a file size limit): an OSError for the caller to
    warn about, no partial backup, no temp file, the catalog untouched."""
    from tests.conftest import file_size_limit

    cat = _filled(tmp_path / "catalog.sqlite3")
    with file_size_limit(64 * 1024), pytest.raises(OSError):
        backups.backup(cat)
    assert backups.backups(cat.path) == [] and os.listdir(backups.folder(cat.path)) == []
    assert cat.integrity_check() == [] and cat.count_embedded("toy") == 400


def test_the_check_at_open_is_not_repeated_on_an_unchanged_file_but_damage_since_is_found(tmp_path, monkeypatch):
    """The window opens the catalog twice at start: the second open skips the check the
    first one made, as long as neither the file nor its write-ahead log changed."""
    path = tmp_path / "catalog.sqlite3"
    _filled(path).close()
    Catalog(path).close()  # checked: the file changed since it was opened to be filled
    checks = []
    check = Catalog.quick_check
    monkeypatch.setattr(Catalog, "quick_check", lambda cat: checks.append(cat.path) or check(cat))
    Catalog(path).close()
    assert checks == []  # unchanged since this process found it sound
    _damage_middle(path)
    with pytest.raises(CatalogDamaged, match="photoapp check"):
        Catalog(path)
    assert checks == [path]
