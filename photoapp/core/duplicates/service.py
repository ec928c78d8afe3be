"""The duplicates side of the Library facade (``Library.duplicates``): find, resolve, undo.

Resolving keeps one photo of a group and sends the others to the system trash (never a
permanent delete). Each resolve is one numbered batch in the ``trashed`` table, holding
where every file went and a snapshot of its catalog rows (photo, fingerprint,
embeddings, tags), so ``undo`` puts back the files and the catalog as they were.
"Not duplicates" answers are stored as pairs of content hashes and never proposed again.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np

from photoapp.core.duplicates import finder as duplicates
from photoapp.core.duplicates import keeper, trash
from photoapp.core.duplicates.finder import DupeSettings, Group
from photoapp.core.errors import LibraryError
from photoapp.core.media import fingerprint
from photoapp.core.store.catalog import Catalog, Photo
from photoapp.core.store.duplicates import DuplicateStore
from photoapp.core.store.fingerprints import FingerprintStore
from photoapp.core.store.indexes import IndexRegistry
from photoapp.core.store.tags import TagStore

MANUAL = "manual"  # the tag source a person gave (photoapp/core/tagging/rule.py)


class DupesError(LibraryError):
    """A resolve or undo that cannot go ahead; the message says why."""


class Duplicates:
    """Duplicates, wired by the Library: the catalog and its rows (duplicates, fingerprints,
    tags), the vector indexes, the searching model, the duplicates settings section and
    how to save it."""

    def __init__(
        self,
        catalog: Catalog,
        indexes: IndexRegistry,
        model: Callable[[], str],
        settings: DupeSettings,
        save_settings: Callable[[], None],
    ):
        self.catalog, self.indexes, self.model = catalog, indexes, model
        self._settings, self._save_settings = settings, save_settings
        self.dupes = DuplicateStore(catalog)
        self.fingerprints = FingerprintStore(catalog)
        self.tag_rows = TagStore(catalog)

    # -- settings -----------------------------------------------------------------------
    @property
    def settings(self) -> DupeSettings:
        return self._settings

    def configure(self, **changes) -> DupeSettings:
        s = replace(self._settings)  # checked whole before it changes the library's settings
        for key, value in changes.items():
            if value is not None:
                setattr(s, key, type(getattr(s, key))(value))
        vars(self._settings).update(vars(s))
        self._save_settings()
        return self._settings

    # -- finding ------------------------------------------------------------------------
    def find(
        self,
        tier: str = "all",
        progress: Callable[[str, int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> list[Group]:
        tiers = duplicates.tiers_up_to(tier)
        if duplicates.Tier.NEAR in tiers:
            self.backfill(progress, cancel)
        index = None
        if duplicates.Tier.SIMILAR in tiers and self.catalog.count_embedded(self.model()):
            index = self.indexes.get(self.model())
        return duplicates.find(self.catalog, index, self.model(), self.settings, tiers)

    def backfill(self, progress=None, cancel: threading.Event | None = None) -> int:
        """Fingerprint photos that have none yet (catalogued before this feature)."""
        from photoapp.core.media.decoding import DecodeError, load_rgb

        todo = self.fingerprints.missing()

        def work(item: tuple[int, str]):
            if cancel is not None and cancel.is_set():
                return item[0], None
            try:
                return item[0], fingerprint.compute(load_rgb(item[1], min_side=fingerprint.MIN_SIDE)[0])
            except (DecodeError, OSError):
                return item[0], None  # unreadable now: the next index run reports it

        done = 0
        with ThreadPoolExecutor(max(2, min(8, os.cpu_count() or 2))) as pool:
            for start in range(0, len(todo), 64):
                results = [r for r in pool.map(work, todo[start : start + 64]) if r[1] is not None]
                with self.catalog.transaction():
                    self.fingerprints.put(results)
                done += len(results)
                if progress:
                    progress("fingerprint", start + 64, len(todo))
        return done

    # -- "not duplicates" ---------------------------------------------------------------
    def dismiss(self, paths: Iterable[str]) -> int:
        """Remember that these photos are not duplicates of each other."""
        photos = self._photos(paths)
        # Sorted with repeats: (h, h) appears only for exact copies within the group.
        hashes = sorted(p.hash for p in photos)
        pairs = {(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :]}
        self.dupes.dismiss(pairs)
        return len(pairs)

    # -- resolving ----------------------------------------------------------------------
    def resolve(self, groups: Iterable[tuple[list[str], str | None]], merge_tags: bool = True) -> dict:
        """Keep one photo per group (``None``: the suggested keeper), trash the others.

        One batch for all the groups, undone together. A file that changed since it was
        indexed, or whose keeper is missing, is left alone and reported as skipped."""
        batch = self._next_batch()
        report = {"batch": batch, "kept": [], "trashed": [], "skipped": []}
        for paths, keep in groups:
            self._resolve_one(batch, self._photos(paths), keep, merge_tags, report)
        if report["trashed"]:
            self.indexes.save()
        return report

    def _resolve_one(self, batch: int, photos: list[Photo], keep: str | None, merge_tags: bool, report: dict) -> None:
        if len(photos) < 2:
            raise DupesError("a duplicate group needs at least two photos")
        keeper_photo = self._keeper(photos, keep)
        problem = _changed_on_disk(keeper_photo)
        if problem:
            report["skipped"] += [{"path": p.path, "reason": f"keeper {problem}"} for p in photos]
            return
        report["kept"].append(keeper_photo.path)
        for photo in photos:
            if photo.id == keeper_photo.id:
                continue
            if photo.companion:  # never trash half of a RAW+JPEG pair, nor the pair
                report["skipped"].append(
                    {
                        "path": photo.path,
                        "reason": f"part of a RAW+JPEG pair (with {os.path.basename(photo.companion)}); not trashed",
                    }
                )
                continue
            problem = _changed_on_disk(photo)
            if problem:
                report["skipped"].append({"path": photo.path, "reason": problem})
                continue
            try:
                self._trash_one(batch, photo, keeper_photo, merge_tags)
            except trash.TrashError as exc:
                report["skipped"].append({"path": photo.path, "reason": str(exc)})
                continue
            report["trashed"].append(photo.path)

    def _keeper(self, photos: list[Photo], keep: str | None) -> Photo:
        if keep is None:
            sharp = self._sharpness([p.id for p in photos])
            return keeper.choose(photos, sharp)[0]
        keep = os.path.abspath(keep)
        chosen = [p for p in photos if p.path == keep]
        if not chosen:
            raise DupesError(f"the photo to keep is not in the group: {keep}")
        return chosen[0]

    def _trash_one(self, batch: int, photo: Photo, keep: Photo, merge_tags: bool) -> None:
        record = self._snapshot(photo)
        record["keeper_id"] = keep.id
        record["merged"] = self._merge_tags(photo, keep) if merge_tags else []
        try:
            where = trash.send(photo.path)
        except trash.TrashError:
            self._unmerge(keep.id, record["merged"])
            raise
        with self.catalog.transaction():
            self.dupes.record_trashed(
                batch, photo.path, where.trash_path, where.info_path, keep.path, json.dumps(record)
            )
            self.catalog.delete_photos([photo.id])
        self.indexes.remove([photo.id])  # every loaded vector index follows

    def _snapshot(self, photo: Photo) -> dict:
        fp = self.fingerprints.row(photo.id)
        vectors = {m: base64.b64encode(v).decode() for m, v in self.catalog.photo_embeddings(photo.id).items()}
        tags = [list(r) for r in self.tag_rows.of_photo(photo.id)]
        return {"photo": photo.as_dict(), "fingerprint": list(fp) if fp else None, "embeddings": vectors, "tags": tags}

    def _merge_tags(self, photo: Photo, keep: Photo) -> list[list]:
        """Give the keeper the tags a person put on the copy; returns what to undo."""
        merged = []
        with self.catalog.transaction():
            for tag, conf in self.tag_rows.with_source(photo.id, MANUAL):
                before = self.tag_rows.source_of(keep.id, tag)
                if before and before[0] == MANUAL:
                    continue
                self.tag_rows.put([(keep.id, tag, MANUAL, conf)])
                merged.append([tag, *(before or (None, None))])
        return merged

    def _unmerge(self, keeper_id: int, merged: list[list]) -> None:
        with self.catalog.transaction():
            for tag, source, conf in merged:
                if source is None:
                    self.tag_rows.delete([(keeper_id, tag)])
                else:
                    self.tag_rows.restore(keeper_id, tag, source, conf)

    # -- undo ---------------------------------------------------------------------------
    def history(self) -> list[dict]:
        """Resolve batches, newest first, with what is still in the trash."""
        rows = self.dupes.history()
        return [{"batch": b, "when": t, "photos": n, "in_trash": int(left)} for b, t, n, left in rows]

    def undo(self, batch: int | None = None) -> dict:
        """Restore the photos of ``batch`` (default: the latest one not yet undone)."""
        if batch is None:
            batch = self.dupes.latest_open_batch()
            if batch is None:
                raise DupesError("nothing to undo")
        rows = self.dupes.open_in_batch(batch)
        report = {"batch": batch, "restored": [], "failed": []}
        for row_id, path, trash_path, info, record in rows:
            try:
                trash.restore(trash.Trashed(path, trash_path, info))
            except (trash.TrashError, OSError) as exc:
                report["failed"].append({"path": path, "reason": str(exc)})
                continue
            self._restore_rows(json.loads(record))
            self.dupes.mark_restored(row_id)
            report["restored"].append(path)
        if report["restored"]:
            self.indexes.save()
        return report

    def _restore_rows(self, record: dict) -> None:
        """Put the photo's catalog rows back (same id when free) and its vector in the index."""
        values = dict(record["photo"])
        with self.catalog.transaction():
            if self.catalog.has_photo(values["id"]):
                values.pop("id")
            if values.get("folder_id") is not None and not self.catalog.has_folder(values["folder_id"]):
                values["folder_id"] = None  # its folder left the library meanwhile
            existing = self.catalog.photo_by_path(values["path"])
            if existing:  # an index run saw the restored file first
                self.catalog.delete_photos([existing.id])
            pid = self.catalog.insert_photo(values)
            if record.get("fingerprint"):
                self.fingerprints.put_row(pid, record["fingerprint"])
            for model, blob in record["embeddings"].items():
                self.catalog.put_embeddings(model, [(pid, np.frombuffer(base64.b64decode(blob), np.float32))])
            self.tag_rows.put((pid, *t) for t in record["tags"])
        self._unmerge(record["keeper_id"], record.get("merged", []))
        blob = record["embeddings"].get(self.model())
        if blob is not None:
            self.indexes.add(self.model(), np.array([pid]), np.frombuffer(base64.b64decode(blob), np.float32)[None])

    # -- helpers ------------------------------------------------------------------------
    def _photos(self, paths: Iterable[str]) -> list[Photo]:
        found = []
        for raw in paths:
            photo = self.catalog.photo_at(os.path.abspath(os.fspath(raw)))
            if photo is None:
                raise DupesError(f"not in the library: {raw}")
            found.append(photo)
        return found

    def _sharpness(self, ids: list[int]) -> dict[int, float]:
        return self.fingerprints.sharpness(ids)

    def _next_batch(self) -> int:
        return self.dupes.next_batch()


def _changed_on_disk(photo: Photo) -> str | None:
    """Why a file must not be touched: gone, or not what was indexed (size or mtime moved)."""
    try:
        st = os.stat(photo.path)
    except FileNotFoundError:
        return "is missing on disk"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if st.st_size != photo.size or st.st_mtime != photo.mtime:
        return "changed since it was indexed; index again first"
    return None
