"""What a person made by hand for photos that left the catalog, kept for a grace period.

A photo leaves the catalog when its file is gone from a readable folder. If the file
comes back (a drive restored from a backup, a folder moved back in), the manual and
rejected tags, the taught-tag examples, the marks (stars, favourite, rotation) and the
faces with their people (names, corrections) it had come back with it: they are kept here,
keyed by content hash (the path may differ), for ``GRACE_DAYS``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable

from photoapp.core.store.faces import FaceStore

GRACE_DAYS = 30
_HAND_MADE_SOURCES = ("manual", "rejected")


class Keepsakes:
    """The keepsakes table over the catalog's connection; writes join the caller's transaction."""

    def __init__(self, catalog):
        self.catalog = catalog
        self.db = catalog.db

    def keep(self, ids: Iterable[int], now: float | None = None) -> None:
        """Record the hand-made data of photos ``ids`` before they are deleted; expire old records."""
        now = time.time() if now is None else now
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            tags = self.db.execute(
                "SELECT p.hash, 'tag', t.tag, t.source FROM photo_tags t JOIN photos p ON p.id = t.photo_id "
                f"WHERE t.photo_id IN ({marks}) AND t.source IN ('manual', 'rejected')",
                chunk,
            ).fetchall()
            examples = self.db.execute(
                "SELECT p.hash, 'example', e.probe, e.positive FROM probe_examples e "
                f"JOIN photos p ON p.id = e.photo_id WHERE e.photo_id IN ({marks})",
                chunk,
            ).fetchall()
            marked = self.db.execute(
                "SELECT p.hash, 'marks', '', m.rating || ',' || m.favourite || ',' || m.rotation FROM photo_marks m "
                f"JOIN photos p ON p.id = m.photo_id WHERE m.photo_id IN ({marks})",
                chunk,
            ).fetchall()
            faces = self._faces(chunk, marks)
            self.db.executemany(
                "INSERT OR REPLACE INTO keepsakes(hash, kind, name, value, removed) VALUES (?, ?, ?, ?, ?)",
                [(*row[:3], str(row[3]), now) for row in tags + examples + marked + faces],
            )
        self.db.execute("DELETE FROM keepsakes WHERE removed < ?", (now - GRACE_DAYS * 86400,))

    def _faces(self, chunk: list[int], marks: str) -> list[tuple]:
        """(hash, 'faces', photo id, the photo's faces as JSON) of the photos with faces."""
        with_faces = self.db.execute(
            "SELECT DISTINCT p.id, p.hash FROM faces f JOIN photos p ON p.id = f.photo_id "
            f"WHERE f.photo_id IN ({marks})",
            chunk,
        ).fetchall()
        store = FaceStore(self.catalog)
        return [(digest, "faces", str(pid), json.dumps(store.snapshot(pid))) for pid, digest in with_faces if digest]

    def restore(self, photos: Iterable[tuple[int, str]]) -> int:
        """Give photos ``(id, content hash)`` back what was kept for their content; returns
        how many photos got something back. A hand-made tag replaces an automatic one."""
        if self.db.execute("SELECT 1 FROM keepsakes LIMIT 1").fetchone() is None:
            return 0  # the usual case: nothing kept, one cheap query per batch
        restored = 0
        for photo_id, digest in photos:
            rows = self.db.execute(
                "SELECT kind, name, value FROM keepsakes WHERE hash=? ORDER BY kind, name", (digest,)
            ).fetchall()
            faces_back = False
            for kind, name, value in rows:
                if kind == "tag" and value in _HAND_MADE_SOURCES:
                    self.db.execute(
                        "INSERT OR REPLACE INTO photo_tags(photo_id, tag, source, confidence) VALUES (?, ?, ?, NULL)",
                        (photo_id, name, value),
                    )
                elif kind == "marks":  # stars, heart, rotation
                    self.db.execute(
                        "INSERT OR REPLACE INTO photo_marks(photo_id, rating, favourite, rotation) VALUES (?, ?, ?, ?)",
                        (photo_id, *map(int, value.split(","))),
                    )
                elif kind == "faces" and not faces_back:  # one copy's faces (two copies may have left)
                    FaceStore(self.catalog).put_back(photo_id, json.loads(value))
                    faces_back = True
                elif kind == "example":
                    self.db.execute(
                        "INSERT OR IGNORE INTO probe_examples(probe, photo_id, positive) VALUES (?, ?, ?)",
                        (name, photo_id, int(value)),
                    )
            if rows:
                self.db.execute("DELETE FROM keepsakes WHERE hash=?", (digest,))
                restored += 1
        return restored

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(DISTINCT hash) FROM keepsakes").fetchone()[0]


def _chunks(ids: list[int], size: int = 900):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
