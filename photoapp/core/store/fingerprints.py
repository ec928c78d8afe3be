"""Perceptual fingerprints of the catalog (computed in photoapp/core/media/fingerprint.py):
hashes stored as signed 64-bit integers, read back as uint64."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from photoapp.core.store.table import TableStore

_SIGN = 1 << 63
WINDOWS = 16  # parts hashed per photo: len(photoapp.core.media.fingerprint.WINDOWS)
_COLUMNS = (
    "phash",
    "dhash",
    "sharpness",
    "version",
    "turn_phash",
    "turn_dhash",
    "turn",
    "grid",
    "tone",
    "exposure",
    "shot_time",
    "camera",
    "windows",
)


def _signed(v: int | None) -> int | None:
    return None if v is None else v - (1 << 64) if v & _SIGN else v


@dataclass
class Prints:
    """Every fingerprinted photo's hashes and facts, as arrays in photo id order."""

    ids: np.ndarray  # int64
    phash: np.ndarray  # uint64
    dhash: np.ndarray
    sharpness: np.ndarray  # float, nan where unknown
    turn_phash: np.ndarray  # uint64 (0 where unknown)
    turn_dhash: np.ndarray
    turn: np.ndarray  # int, -1 where unknown (a version 1 row)
    exposure: np.ndarray  # float, nan where unknown
    shot_time: np.ndarray  # float, nan where unknown
    camera: list[str | None]
    windows: np.ndarray | None = None  # (photos, len(WINDOWS), 2) uint64: parts' pHash, dHash; 0: unknown

    def __len__(self) -> int:
        return len(self.ids)

    def known(self, values: np.ndarray) -> dict[int, float]:
        """Photo id -> value, where the value is known (not nan)."""
        ok = ~np.isnan(values)
        return dict(zip(self.ids[ok].tolist(), values[ok].tolist()))


def windows_of(blobs: list) -> np.ndarray:
    """Stored window hashes (or None) as one (photos, WINDOWS, 2) uint64 array (zeros for
    a photo without them)."""
    size = WINDOWS * 16
    empty = bytes(size)
    data = b"".join(bytes(b) if b is not None and len(b) == size else empty for b in blobs)
    return np.frombuffer(data, dtype="<u8").astype(np.uint64).reshape(len(blobs), WINDOWS, 2)


class FingerprintStore(TableStore):
    """The ``fingerprints`` table over the catalog's connection."""

    def put(self, items: Iterable[tuple[int, object]]) -> None:
        """Store (photo id, Fingerprint) items (call inside the caller's transaction)."""
        self.db.executemany(
            f"INSERT OR REPLACE INTO fingerprints(photo_id, {', '.join(_COLUMNS)}) VALUES (?{', ?' * len(_COLUMNS)})",
            (
                (
                    pid,
                    _signed(fp.phash),
                    _signed(fp.dhash),
                    fp.sharpness,
                    fp.version,
                    _signed(fp.turn_phash),
                    _signed(fp.turn_dhash),
                    fp.turn,
                    fp.grid,
                    fp.tone,
                    fp.exposure,
                    fp.shot_time,
                    fp.camera,
                    fp.windows,
                )
                for pid, fp in items
            ),
        )

    def put_row(self, photo_id: int, row: list) -> None:
        """Put back a stored row, as ``row`` returned it (a row of an older snapshot may be
        shorter: its missing facts stay unknown)."""
        row = list(row) + [None] * (len(_COLUMNS) - len(row))
        if row[3] is None:
            row[3] = 1
        for k in (7, 12):  # a JSON snapshot keeps the grid and the windows as hex
            if isinstance(row[k], str):
                row[k] = bytes.fromhex(row[k])
        self.db.execute(
            f"INSERT OR REPLACE INTO fingerprints(photo_id, {', '.join(_COLUMNS)}) VALUES (?{', ?' * len(_COLUMNS)})",
            (photo_id, *row),
        )

    def row(self, photo_id: int) -> tuple | None:
        """The stored row of a photo (hashes signed, the grid as hex), for a JSON snapshot."""
        found = self.db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM fingerprints WHERE photo_id=?", (photo_id,)
        ).fetchone()
        if not found:
            return None
        found = list(found)
        for k in (7, 12):
            if found[k] is not None:
                found[k] = bytes(found[k]).hex()
        return tuple(found)

    def copy(self, source_id: int, target_id: int) -> None:
        """A byte-identical copy shares its twin's fingerprint (it is never decoded)."""
        self.db.execute(
            f"INSERT OR REPLACE INTO fingerprints(photo_id, {', '.join(_COLUMNS)}) "
            f"SELECT ?, {', '.join(_COLUMNS)} FROM fingerprints WHERE photo_id=?",
            (target_id, source_id),
        )

    def load(self) -> Prints:
        """Every fingerprinted photo's hashes and facts (not the colour grids: ``colours``)."""
        rows = self.db.execute(
            "SELECT photo_id, phash, dhash, COALESCE(turn_phash, 0), COALESCE(turn_dhash, 0), COALESCE(turn, -1), "
            "sharpness, exposure, shot_time, camera, windows FROM fingerprints ORDER BY photo_id"
        ).fetchall()
        arr = np.array([r[:6] for r in rows], dtype=np.int64).reshape(len(rows), 6)
        real = np.array([[np.nan if v is None else v for v in r[6:9]] for r in rows], dtype=np.float64)
        real = real.reshape(len(rows), 3)
        return Prints(
            arr[:, 0],
            arr[:, 1].view(np.uint64),
            arr[:, 2].view(np.uint64),
            real[:, 0],
            arr[:, 3].view(np.uint64),
            arr[:, 4].view(np.uint64),
            arr[:, 5],
            real[:, 1],
            real[:, 2],
            [r[9] for r in rows],
            windows_of([r[10] for r in rows]),
        )

    def colours(self, ids: list[int]) -> dict[int, tuple[bytes, float]]:
        """Photo id -> (colour grid as stored, tone share) of these photos, where computed."""
        found = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            for pid, grid, tone in self.db.execute(
                f"SELECT photo_id, grid, tone FROM fingerprints WHERE photo_id IN ({marks}) AND grid IS NOT NULL",
                chunk,
            ):
                found[pid] = (bytes(grid), float(tone if tone is not None else 1.0))
        return found

    def missing(self, version: int) -> list[tuple[int, str]]:
        """(id, path) of photos without a current fingerprint: catalogued before migration 3
        (none) or 10 (version 1: no turn hashes, colours or shot facts)."""
        return list(
            self.db.execute(
                "SELECT p.id, p.path FROM photos p LEFT JOIN fingerprints f ON f.photo_id = p.id "
                "WHERE f.photo_id IS NULL OR f.version < ?",
                (version,),
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
