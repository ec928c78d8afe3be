"""What a person marks on a photo: stars, a favourite heart, a rotation (``photo_marks``).

A photo without a row has no marks (0 stars, not a favourite, upright): a row is written
only while a photo has a mark, so listings of 100,000 photos read a small table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from photoapp.core.store.table import TableStore

ROTATIONS = (0, 90, 180, 270)


class Marks(NamedTuple):
    rating: int = 0  # 0 (not rated) .. 5 stars
    favourite: bool = False
    rotation: int = 0  # degrees clockwise, applied on display and export

    @property
    def blank(self) -> bool:
        return self == NO_MARKS

    def as_dict(self) -> dict:
        return {"rating": self.rating, "favourite": self.favourite, "rotation": self.rotation}


NO_MARKS = Marks()


class MarkStore(TableStore):
    """The ``photo_marks`` table over the catalog's connection; writes join the caller's transaction."""

    def of(self, ids: Iterable[int]) -> dict[int, Marks]:
        """Marks of these photos (every id answered; NO_MARKS when it has none)."""
        ids = [int(i) for i in ids]
        found = dict.fromkeys(ids, NO_MARKS)
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT photo_id, rating, favourite, rotation FROM photo_marks WHERE photo_id IN ({marks})", chunk
            )
            found.update({pid: Marks(r, bool(f), rot) for pid, r, f, rot in rows})
        return found

    def marked(self) -> dict[int, Marks]:
        """Every photo that has a mark (the gallery's badges and rotations)."""
        rows = self.db.execute("SELECT photo_id, rating, favourite, rotation FROM photo_marks")
        return {pid: Marks(r, bool(f), rot) for pid, r, f, rot in rows}

    def put(self, items: Iterable[tuple[int, Marks]]) -> None:
        """Set these photos' marks (a blank one removes the row)."""
        items = list(items)
        self.db.executemany("DELETE FROM photo_marks WHERE photo_id=?", [(int(p),) for p, m in items if m.blank])
        self.db.executemany(
            "INSERT OR REPLACE INTO photo_marks(photo_id, rating, favourite, rotation) VALUES (?, ?, ?, ?)",
            [(int(p), m.rating, int(m.favourite), m.rotation) for p, m in items if not m.blank],
        )

    def filtered(self, min_rating: int | None = None, favourites: bool = False) -> set[int]:
        """Ids of photos with at least ``min_rating`` stars and, with ``favourites``, a heart."""
        where, args = ["1"], []
        if min_rating:
            where.append("rating >= ?")
            args.append(int(min_rating))
        if favourites:
            where.append("favourite = 1")
        sql = "SELECT photo_id FROM photo_marks WHERE " + " AND ".join(where)
        return {row[0] for row in self.db.execute(sql, args)}
