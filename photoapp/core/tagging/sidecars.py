"""Keeping XMP sidecars in step with the catalog's tags and marks (stars, favourite, rotation).

A tag change marks its photos "sidecar dirty" in the same transaction (rule.py); the
sidecars are written after the commit and the mark is cleared. A crash in between leaves
the mark, and ``reconcile`` (after every index run, in ``check``, and when sidecars are
switched on) writes what is still dirty. A sidecar that cannot be merged (unreadable,
malformed, not a plain file of the user's) is left untouched and listed under problems as
"sidecar not written: <reason>"; its photo stays dirty, so it is written once fixed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import partial

from photoapp.config import TagSettings, crash_point
from photoapp.core.store.catalog import Catalog
from photoapp.core.store.faces import FaceStore
from photoapp.core.store.marks import MarkStore
from photoapp.core.store.tags import TagStore

PROBLEM = "sidecar not written: "


class Sidecars:
    """Over the catalog and its tag rows; ``settings`` (the library's tagging section, changed
    in place) says whether sidecars are on, ``tags_of`` gives a photo's visible tags."""

    def __init__(self, catalog: Catalog, store: TagStore, settings: TagSettings, tags_of: Callable[[int], list[dict]]):
        self.catalog, self.store = catalog, store
        self.settings, self.tags_of = settings, tags_of

    def write(self, ids: Iterable[int], faces_changed: Iterable[int] = ()) -> list[str]:
        """Write these photos' sidecars (both files' for a RAW+JPEG pair) if sidecars are
        on; returns "sidecar: reason" for each one not written. A photo whose file is not
        there (its drive unplugged) stays marked, to be written when it is back.
        Face regions are written for photos with named faces and for ``faces_changed``
        (names taken away); any other photo's regions are left as they are, so that a
        catalog that does not know the names yet never erases them."""
        from photoapp.core.tagging import xmp_marks
        from photoapp.core.tagging.xmp import SidecarRefused, sidecar_path, write_sidecar

        ids = sorted(set(ids))
        if not self.settings.xmp_sidecars or not ids:
            return []
        crash_point("sidecars")  # tests: the tag change is committed, no sidecar written yet
        from photoapp.core.tagging.regions import merge_regions, stored_box

        clean, written, failed = [], [], {}
        photos = self.catalog.photos_by_ids(ids)
        named = FaceStore(self.catalog).named_faces_of_photos(ids)
        changed = set(faces_changed)
        marks = MarkStore(self.catalog).of(ids)
        for pid, photo in photos.items():
            tags, ok = [t["tag"] for t in self.tags_of(pid)], True
            # Named faces as MWG regions (boxes of the photo as stored, before its EXIF rotation).
            regions = [(name, stored_box(face.box, photo.orientation or 1)) for face, name in named.get(pid, [])]
            edit = (lambda data, r=regions: merge_regions(data, r)) if regions or pid in changed else None
            for path in filter(None, (photo.path, photo.companion)):
                if not os.path.lexists(path):  # an unplugged drive, a file deleted since: later
                    ok = False
                    continue
                sidecar = str(sidecar_path(path))
                try:
                    write_sidecar(path, tags, also=_chain(partial(xmp_marks.merged, marks=marks[pid]), edit))
                    written.append(sidecar)
                except (SidecarRefused, OSError) as exc:  # OSError: a read-only folder, a full disk
                    failed[sidecar], ok = getattr(exc, "strerror", None) or str(exc), False
            if ok:
                clean.append(pid)
        known = self.catalog.problem_stats()
        with self.catalog.transaction():
            self.store.clear_sidecars_dirty(clean)
            for sidecar in written:
                if sidecar in known:
                    self.catalog.clear_problem(sidecar)
            for sidecar, reason in failed.items():
                self.catalog.set_problem(sidecar, PROBLEM + reason, None, None)
        return [f"{sidecar}: {reason}" for sidecar, reason in failed.items()]

    def mark(self, ids: Iterable[int]) -> list[str]:
        """These photos' sidecars must be written again (their named faces changed): marked,
        then written; returns the failures."""
        ids = list(ids)
        if not self.settings.xmp_sidecars or not ids:
            return []
        with self.catalog.transaction():
            self.store.mark_sidecars_dirty(ids)
        return self.write(ids, faces_changed=ids)

    def reconcile(self, also: Iterable[int] = ()) -> tuple[int, list[str]]:
        """Write the sidecars a crash (or an earlier failure) left behind, and ``also``
        these; returns (photos looked at, failures)."""
        if not self.settings.xmp_sidecars:
            return 0, []
        ids = set(self.store.dirty_sidecars()) | set(also)
        return len(ids), self.write(ids)


def _chain(*edits):
    """One sidecar edit (bytes -> bytes, or None: no change) doing ``edits`` in turn."""
    edits = [e for e in edits if e is not None]

    def edit(data: bytes) -> bytes | None:
        changed = None
        for one in edits:
            new = one(data if changed is None else changed)
            changed = new if new is not None else changed
        return changed

    return edit
