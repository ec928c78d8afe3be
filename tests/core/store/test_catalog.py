"""The SQLite catalog: schema version, WAL, rows and embeddings per model."""

from __future__ import annotations

import sqlite3
import threading

import numpy as np
import pytest

from photoapp.core.store.catalog import SCHEMA_VERSION, Catalog, CatalogError


def _photo(path="/p/a.jpg", digest="h1", folder_id=None):
    return {
        "path": path,
        "folder_id": folder_id,
        "size": 10,
        "mtime": 1.0,
        "hash": digest,
        "width": 4,
        "height": 3,
        "taken": 5.0,
        "added": 0.0,
    }


def test_new_catalog_is_migrated_and_in_wal_mode(tmp_path):
    cat = Catalog(tmp_path / "c.sqlite3")
    assert cat.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert cat.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert cat.integrity_check() == []
    cat.close()
    Catalog(tmp_path / "c.sqlite3").close()  # reopening does not re-run migrations


def test_processes_opening_a_new_library_at_once_migrate_it_once(tmp_path):
    """The GUI, a watcher and a CLI command may all create the catalog at the same moment."""
    for attempt in range(4):
        path = tmp_path / f"c{attempt}.sqlite3"
        start, errors = threading.Barrier(6), []

        def open_catalog(start=start, path=path, errors=errors):
            start.wait()
            try:
                Catalog(path).close()
            except CatalogError as exc:
                errors.append(str(exc))

        threads = [threading.Thread(target=open_catalog) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        cat = Catalog(path)
        assert cat.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert cat.integrity_check() == []
        cat.close()


def test_newer_schema_is_refused(tmp_path):
    db = sqlite3.connect(tmp_path / "c.sqlite3")
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(CatalogError, match="newer"):
        Catalog(tmp_path / "c.sqlite3")


def test_garbage_file_gives_catalog_error(tmp_path):
    (tmp_path / "c.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(CatalogError):
        Catalog(tmp_path / "c.sqlite3")


def test_embeddings_are_per_model_and_follow_their_photo(tmp_path):
    cat = Catalog(tmp_path / "c.sqlite3")
    with cat.transaction():
        fid = cat.add_folder("/p")
        pid = cat.upsert_photo(_photo(folder_id=fid))
        cat.put_embeddings("m1", [(pid, np.ones(4))])
        cat.put_embeddings("m2", [(pid, np.zeros(8))])
    ids, vectors = cat.embeddings("m1")
    assert ids.tolist() == [pid] and vectors.shape == (1, 4)
    assert cat.embeddings("m2")[1].shape == (1, 8)
    assert cat.embedding_for_hash("h1", "m1") is not None
    with cat.transaction():
        cat.delete_photos([pid])
    assert cat.count_embedded("m1") == 0 and cat.count_embedded("m2") == 0


def test_upsert_keeps_id_and_move_changes_path(tmp_path):
    cat = Catalog(tmp_path / "c.sqlite3")
    with cat.transaction():
        fid = cat.add_folder("/p")
        pid = cat.upsert_photo(_photo(folder_id=fid))
        assert cat.upsert_photo(_photo(digest="h2", folder_id=fid)) == pid
        cat.move_photo(pid, "/p/b.jpg", fid, 2.0)
    assert cat.photo_by_path("/p/a.jpg") is None
    assert cat.photo_by_path("/p/b.jpg").hash == "h2"


def test_remove_folder_forgets_its_photos_and_problems(tmp_path):
    cat = Catalog(tmp_path / "c.sqlite3")
    with cat.transaction():
        fid = cat.add_folder("/p")
        cat.upsert_photo(_photo(folder_id=fid))
        cat.set_problem("/p/bad.jpg", "broken", 1, 1.0)
        cat.set_problem("/pp/other.jpg", "broken", 1, 1.0)
    assert cat.remove_folder("/p") == 1
    assert cat.count_photos() == 0 and [p["path"] for p in cat.problems()] == ["/pp/other.jpg"]


def test_failed_transaction_rolls_back(tmp_path):
    cat = Catalog(tmp_path / "c.sqlite3")
    with pytest.raises(RuntimeError), cat.transaction():
        cat.upsert_photo(_photo())
        raise RuntimeError("boom")
    assert cat.count_photos() == 0


def test_listings_take_named_orders_and_refuse_sql(tmp_path):
    """Callers name an order; a fragment of SQL that is not one of them is refused."""
    import pytest

    cat = Catalog(tmp_path / "c.sqlite3")
    with cat.transaction():
        for i, taken in enumerate((3.0, 1.0, 2.0)):
            cat.upsert_photo(
                {"path": f"/p/{i}.jpg", "size": 1, "mtime": 1.0, "hash": str(i), "taken": taken, "added": 0.0}
            )
    assert [r[3] for r in cat.browse_rows("newest")] == [3.0, 2.0, 1.0]
    assert [p.id for p in cat.all_photos("id")] == [1, 2, 3]
    assert [p.taken for p in cat.all_photos()] == [3.0, 2.0, 1.0]
    with pytest.raises(ValueError, match="unknown photo order"):
        cat.browse_rows("taken; DROP TABLE photos")
    cat.close()
