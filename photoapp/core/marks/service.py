"""The marks side of the Library facade (``Library.marks``): rate, favourite, rotate.

Marks live in the catalog (store/marks.py) and, when XMP sidecars are on, in each photo's
sidecar (tagging/xmp_marks.py): marked "sidecar dirty" in the same transaction as the
change, written after it, as tag changes are. The photo file itself is never opened for
writing: a rotation is applied where the photo is shown or exported.

Every change returns a ``MarkChange`` holding what each photo had before, which is all
undo needs (``restore``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from photoapp.core.errors import InvalidInput
from photoapp.core.store.catalog import Catalog, Photo
from photoapp.core.store.lookup import photos_at
from photoapp.core.store.marks import ROTATIONS, Marks, MarkStore
from photoapp.core.store.tags import TagStore

KINDS = ("rating", "favourite", "rotation")


@dataclass
class MarkChange:
    """One change to the marks of some photos: ``kind`` (rating, favourite or rotation),
    the value asked for, and each photo's marks before and after (by path)."""

    kind: str
    value: int | bool
    before: dict[str, Marks]
    after: dict[str, Marks]

    @property
    def changed(self) -> list[str]:
        return [p for p in self.before if self.before[p] != self.after[p]]

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "value": self.value,
            "photos": len(self.before),
            "changed": len(self.changed),
            "marks": {p: m.as_dict() for p, m in self.after.items()},
        }


class PhotoMarks:
    """Over the catalog; ``write_sidecars`` (the tagging side's) writes the sidecars of
    the photos whose marks changed, when sidecars are on."""

    def __init__(self, catalog: Catalog, write_sidecars: Callable[[set[int]], object]):
        self.catalog, self.store, self.write_sidecars = catalog, MarkStore(catalog), write_sidecars

    def of(self, paths: Iterable[str]) -> dict[str, Marks]:
        photos = self._photos(paths)
        marks = self.store.of(p.id for p in photos)
        return {p.path: marks[p.id] for p in photos}

    def marked(self) -> dict[int, Marks]:
        """Every photo with a mark, by id (what the gallery paints)."""
        return self.store.marked()

    def rate(self, paths: Iterable[str], stars: int) -> MarkChange:
        """Give photos 1-5 stars (0 clears the rating)."""
        if not 0 <= int(stars) <= 5:
            raise InvalidInput(f"a rating is 0 to 5 stars, not {stars}")
        return self._change(paths, "rating", int(stars), lambda m: m._replace(rating=int(stars)))

    def favourite(self, paths: Iterable[str], on: bool | None = True) -> MarkChange:
        """Mark photos as favourites (``on``), or not; None toggles: all favourites become
        not, else all become favourites (as a heart button on a selection does)."""
        photos = self._photos(paths)
        if on is None:
            on = not all(m.favourite for m in self.store.of(p.id for p in photos).values())
        return self._change_photos(photos, "favourite", bool(on), lambda m: m._replace(favourite=bool(on)))

    def rotate(self, paths: Iterable[str], degrees: int, absolute: bool = False) -> MarkChange:
        """Turn photos by ``degrees`` clockwise (a multiple of 90; -90 turns left), on top of
        what they are turned already, or with ``absolute`` to that angle (0: upright)."""
        if int(degrees) % 90:
            raise InvalidInput(f"photos turn by multiples of 90 degrees, not {degrees}")
        turn = int(degrees)
        return self._change(
            paths, "rotation", turn, lambda m: m._replace(rotation=(turn + (0 if absolute else m.rotation)) % 360)
        )

    def restore(self, before: dict[str, Marks]) -> int:
        """Put back marks as a MarkChange's ``before`` holds them (undo); photos that have
        left the library meanwhile are passed over. Returns how many changed."""
        photos = [p for p in (self.catalog.photo_at(os.path.abspath(path)) for path in before) if p is not None]
        wanted = {p.id: Marks(*before[p.path]) for p in photos if p.path in before}
        return len(self._write({pid: (self.store.of([pid])[pid], m) for pid, m in wanted.items()}))

    # -- helpers --------------------------------------------------------------------------
    def _change(self, paths, kind: str, value, turn: Callable[[Marks], Marks]) -> MarkChange:
        return self._change_photos(self._photos(paths), kind, value, turn)

    def _change_photos(self, photos: list[Photo], kind: str, value, turn: Callable[[Marks], Marks]) -> MarkChange:
        current = self.store.of(p.id for p in photos)
        plan = {p.id: (current[p.id], turn(current[p.id])) for p in photos}
        self._write(plan)
        by_id = {p.id: p.path for p in photos}
        return MarkChange(
            kind, value, {by_id[i]: b for i, (b, _) in plan.items()}, {by_id[i]: a for i, (_, a) in plan.items()}
        )

    def _write(self, plan: dict[int, tuple[Marks, Marks]]) -> set[int]:
        changed = {pid for pid, (before, after) in plan.items() if before != after}
        for _, after in plan.values():
            if after.rotation not in ROTATIONS:
                raise InvalidInput(f"not a rotation: {after.rotation}")
        if not changed:
            return changed
        with self.catalog.transaction():
            self.store.put((pid, plan[pid][1]) for pid in changed)
            TagStore(self.catalog).mark_sidecars_dirty(changed)  # with the change: a crash cannot split them
        self.write_sidecars(changed)
        return changed

    def _photos(self, paths: Iterable[str]) -> list[Photo]:
        return photos_at(self.catalog, paths)
