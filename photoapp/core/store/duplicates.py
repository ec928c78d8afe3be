"""Duplicate-finding rows of the catalog: pairs a person said are not duplicates (by
content hash) and the journal of photos sent to the trash, which is also the undo list
(photoapp/core/duplicates)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from contextlib import contextmanager

from photoapp.core.store.catalog import CatalogError
from photoapp.core.store.table import TableStore


class DuplicateStore(TableStore):
    """The ``not_duplicates`` and ``trashed`` tables over the catalog's connection."""

    # -- "not duplicates" ---------------------------------------------------------------
    def dismissed(self) -> set[tuple[str, str]]:
        return {(a, b) for a, b in self.db.execute("SELECT hash_a, hash_b FROM not_duplicates")}

    def dismiss(self, pairs: Iterable[tuple[str, str]]) -> None:
        now = time.time()
        with self.catalog.transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO not_duplicates(hash_a, hash_b, added) VALUES (?, ?, ?)",
                [(a, b, now) for a, b in pairs],
            )

    # -- the trash journal and undo list ---------------------------------------------------
    # A row is written 'pending' (durably) before its file moves, 'done' or 'lost' after;
    # ``restored`` is set when undo brought it back.
    def next_batch(self) -> int:
        return (self.db.execute("SELECT MAX(batch) FROM trashed").fetchone()[0] or 0) + 1

    @contextmanager
    def write(self, synced: bool = False):
        """A transaction over the journal; a failed write (full disk) is a CatalogError.
        ``synced``: on disk when it ends, not only in the OS cache (the WAL is synced at this
        commit), for the entry that must outlive a power cut coming after the file moved."""
        if synced:
            self.db.execute("PRAGMA synchronous=FULL")
        try:
            with self.catalog.transaction():
                yield
        except sqlite3.Error as exc:
            raise CatalogError(f"cannot write the catalog: {exc}") from None
        finally:
            if synced:
                self.db.execute("PRAGMA synchronous=NORMAL")

    def record_intent(self, batch: int, path: str, keeper: str, record: str, size: int, digest: str, pid: int) -> int:
        """A move about to happen (inside ``write(synced=True)``); returns the row's id."""
        return self.db.execute(
            "INSERT INTO trashed(batch, path, keeper, record, trashed, state, size, hash, pid) "
            "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
            (batch, path, keeper, record, time.time(), size, digest, pid),
        ).lastrowid

    def is_pending(self, row_id: int) -> bool:
        """Inside a write: whether no other process has settled this move meanwhile."""
        return self.db.execute("SELECT 1 FROM trashed WHERE id=? AND state='pending'", (row_id,)).fetchone() is not None

    def complete(self, row_id: int, trash_path: str | None, trash_info: str | None, record: str, found: bool) -> None:
        """The file left its folder: in the trash at ``trash_path`` ('done'), or not found
        there ('lost'); ``record`` now also says which tags were merged into the keeper."""
        self.db.execute(
            "UPDATE trashed SET state=?, trash_path=?, trash_info=?, record=? WHERE id=?",
            ("done" if found else "lost", trash_path, trash_info, record, row_id),
        )

    def drop(self, row_id: int) -> bool:
        """Forget a pending move that did not happen; False if it was no longer pending."""
        return self.db.execute("DELETE FROM trashed WHERE id=? AND state='pending'", (row_id,)).rowcount == 1

    def pending(self) -> list[tuple[int, str, int, str, int | None, str]]:
        """(row id, path, size, hash, pid, record) of moves begun and not known to be finished."""
        return self.db.execute(
            "SELECT id, path, size, hash, pid, record FROM trashed WHERE state='pending' ORDER BY id"
        ).fetchall()

    # Rows written before the journal (migration 5) have their size and hash in the record only.
    _SIZE_HASH = (
        "COALESCE(size, json_extract(record, '$.photo.size')), COALESCE(hash, json_extract(record, '$.photo.hash'))"
    )

    def rows(self) -> list[tuple]:
        """(batch, trashed, path, trash path, trash info, size, hash, restored)
        of every settled row, newest batch first."""
        return self.db.execute(
            f"SELECT batch, trashed, path, trash_path, trash_info, {self._SIZE_HASH}, restored "
            "FROM trashed WHERE state!='pending' ORDER BY batch DESC, id"
        ).fetchall()

    def latest_open_batch(self) -> int | None:
        """The newest batch with a photo not restored yet."""
        row = self.db.execute("SELECT MAX(batch) FROM trashed WHERE restored IS NULL AND state!='pending'").fetchone()
        return row[0]

    def open_in_batch(self, batch: int) -> list[tuple]:
        """(row id, path, trash path, trash info, size, hash, record) of the batch's settled,
        unrestored photos, last first."""
        return self.db.execute(
            f"SELECT id, path, trash_path, trash_info, {self._SIZE_HASH}, record FROM trashed "
            "WHERE batch=? AND restored IS NULL AND state!='pending' ORDER BY id DESC",
            (batch,),
        ).fetchall()

    def open_of_path(self, path: str) -> tuple | None:
        """As ``open_in_batch``, the latest unrestored move of the file at ``path``."""
        return self.db.execute(
            f"SELECT id, path, trash_path, trash_info, {self._SIZE_HASH}, record FROM trashed "
            "WHERE path=? AND restored IS NULL AND state!='pending' ORDER BY id DESC LIMIT 1",
            (path,),
        ).fetchone()

    def mark_restored(self, row_id: int) -> None:
        with self.catalog.transaction():
            self.db.execute("UPDATE trashed SET restored=? WHERE id=?", (time.time(), row_id))
