"""Duplicate-finding rows of the catalog: pairs a person said are not duplicates (by
content hash) and the undo list of photos sent to the trash (photoapp/core/duplicates)."""

from __future__ import annotations

import time
from collections.abc import Iterable


class DuplicateStore:
    """The ``not_duplicates`` and ``trashed`` tables over the catalog's connection."""

    def __init__(self, catalog):
        self.catalog = catalog

    @property
    def db(self):
        return self.catalog.db

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

    # -- the trash's undo list ------------------------------------------------------------
    def next_batch(self) -> int:
        return (self.db.execute("SELECT MAX(batch) FROM trashed").fetchone()[0] or 0) + 1

    def record_trashed(
        self, batch: int, path: str, trash_path: str | None, trash_info: str | None, keeper: str, record: str
    ) -> None:
        """One photo sent to the trash (call inside the transaction that deletes its rows)."""
        self.db.execute(
            "INSERT INTO trashed(batch, path, trash_path, trash_info, keeper, record, trashed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (batch, path, trash_path, trash_info, keeper, record, time.time()),
        )

    def history(self) -> list[tuple[int, float, int, int]]:
        """(batch, first trashed, photos, still in the trash), newest batch first."""
        return self.db.execute(
            "SELECT batch, MIN(trashed), COUNT(*), SUM(restored IS NULL) FROM trashed "
            "GROUP BY batch ORDER BY batch DESC"
        ).fetchall()

    def latest_open_batch(self) -> int | None:
        """The newest batch with a photo not restored yet."""
        return self.db.execute("SELECT MAX(batch) FROM trashed WHERE restored IS NULL").fetchone()[0]

    def open_in_batch(self, batch: int) -> list[tuple[int, str, str | None, str | None, str]]:
        """(row id, path, trash path, trash info, record) of the batch's unrestored photos, last first."""
        return self.db.execute(
            "SELECT id, path, trash_path, trash_info, record FROM trashed "
            "WHERE batch=? AND restored IS NULL ORDER BY id DESC",
            (batch,),
        ).fetchall()

    def mark_restored(self, row_id: int) -> None:
        with self.catalog.transaction():
            self.db.execute("UPDATE trashed SET restored=? WHERE id=?", (time.time(), row_id))
