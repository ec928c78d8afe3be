"""Perceptual fingerprints of the catalog (computed in photoapp/core/media/fingerprint.py):
stored as signed 64-bit integers, read back as uint64."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

_SIGN = 1 << 63


def _signed(v: int) -> int:
    return v - (1 << 64) if v & _SIGN else v


class FingerprintStore:
    """The ``fingerprints`` table over the catalog's connection."""

    def __init__(self, catalog):
        self.catalog = catalog

    @property
    def db(self):
        return self.catalog.db

    def put(self, items: Iterable[tuple[int, object]]) -> None:
        """Store (photo id, fingerprint with phash/dhash/sharpness) items (call inside the
        caller's transaction)."""
        self.db.executemany(
            "INSERT OR REPLACE INTO fingerprints(photo_id, phash, dhash, sharpness) VALUES (?, ?, ?, ?)",
            ((pid, _signed(fp.phash), _signed(fp.dhash), fp.sharpness) for pid, fp in items),
        )

    def put_row(self, photo_id: int, row: list) -> None:
        """Put back a stored row (phash, dhash, sharpness), as ``row`` returned it."""
        self.db.execute(
            "INSERT OR REPLACE INTO fingerprints(photo_id, phash, dhash, sharpness) VALUES (?, ?, ?, ?)",
            (photo_id, *row),
        )

    def row(self, photo_id: int) -> tuple[int, int, float | None] | None:
        """The stored (phash, dhash, sharpness) of a photo, as stored (signed)."""
        found = self.db.execute(
            "SELECT phash, dhash, sharpness FROM fingerprints WHERE photo_id=?", (photo_id,)
        ).fetchone()
        return tuple(found) if found else None

    def copy(self, source_id: int, target_id: int) -> None:
        """A byte-identical copy shares its twin's fingerprint (it is never decoded)."""
        self.db.execute(
            "INSERT OR REPLACE INTO fingerprints(photo_id, phash, dhash, sharpness) "
            "SELECT ?, phash, dhash, sharpness FROM fingerprints WHERE photo_id=?",
            (target_id, source_id),
        )

    def load(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(ids, phash, dhash, sharpness) of every fingerprinted photo, hashes as uint64."""
        rows = self.db.execute(
            "SELECT photo_id, phash, dhash, sharpness FROM fingerprints ORDER BY photo_id"
        ).fetchall()
        if not rows:
            empty = np.zeros(0, dtype=np.uint64)
            return np.zeros(0, dtype=np.int64), empty, empty.copy(), np.zeros(0, dtype=np.float64)
        arr = np.array([r[:3] for r in rows], dtype=np.int64)
        sharp = np.array([r[3] if r[3] is not None else np.nan for r in rows], dtype=np.float64)
        return arr[:, 0], arr[:, 1].view(np.uint64), arr[:, 2].view(np.uint64), sharp

    def missing(self) -> list[tuple[int, str]]:
        """(id, path) of photos without a fingerprint: catalogued before migration 3."""
        return list(
            self.db.execute(
                "SELECT p.id, p.path FROM photos p LEFT JOIN fingerprints f ON f.photo_id = p.id "
                "WHERE f.photo_id IS NULL"
            )
        )

    def sharpness(self, ids: list[int]) -> dict[int, float]:
        """Photo id -> stored sharpness of these photos (where known)."""
        marks = ",".join("?" * len(ids))
        return {
            i: s
            for i, s in self.db.execute(
                f"SELECT photo_id, sharpness FROM fingerprints WHERE photo_id IN ({marks})", ids
            )
            if s is not None
        }
