"""The duplicates side of the Library facade (``Library.duplicates``): find, resolve, undo.

Resolving keeps one photo of a group and sends the others to the system trash (never a
permanent delete). Each resolve is one numbered batch in the ``trashed`` table, holding
where every file went and a snapshot of its catalog rows (photo, fingerprint,
embeddings, tags), so ``undo`` puts back the files and the catalog as they were.

The table is a journal: a move is recorded 'pending' (synced to disk) before the file
moves, and the photo's rows leave the catalog only when it is recorded 'done'. A resolve
killed in between is settled at the next start (``reconcile``), so every photo is either
in place with its rows or recorded in the trash. Undo restores only the file that was
trashed (size, content hash, the ``.trashinfo``'s Path=).
"Not duplicates" answers are stored as pairs of content hashes and never proposed again.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np

from photoapp.config import process_alive
from photoapp.core.duplicates import finder as duplicates
from photoapp.core.duplicates import keeper, trash
from photoapp.core.duplicates.finder import DupeSettings, Group
from photoapp.core.errors import LibraryError
from photoapp.core.media import fingerprint
from photoapp.core.store.catalog import Catalog, CatalogError, Photo
from photoapp.core.store.duplicates import DuplicateStore
from photoapp.core.store.faces import FaceStore
from photoapp.core.store.fingerprints import FingerprintStore
from photoapp.core.store.indexes import IndexRegistry
from photoapp.core.store.marks import Marks, MarkStore
from photoapp.core.store.tags import TagStore

MANUAL = "manual"  # the tag source a person gave (photoapp/core/tagging/rule.py)
# How a pending move was settled: never happened, in the trash, left its folder but not found in the trash.
KEPT, TRASHED, LOST = "kept", "trashed", "lost"
# Where a trashed photo is now (``history``).
PLACES = ("restored", "back_in_place", "in_trash", "gone")


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
        """Fingerprint photos that have none yet, or an older version of one (catalogued
        before migration 3 or 10): from the file, never re-embedding."""
        from photoapp.core.media.decoding import DecodeError, load_rgb
        from photoapp.core.media.exif import read_shot

        todo = self.fingerprints.missing(fingerprint.VERSION)

        def work(item: tuple[int, str]):
            if cancel is not None and cancel.is_set():
                return item[0], None
            try:
                image = load_rgb(item[1], min_side=fingerprint.MIN_SIDE)[0]
                return item[0], fingerprint.compute(image, read_shot(item[1]))
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
        try:
            for paths, keep in groups:
                self._resolve_one(batch, self._photos(paths), keep, merge_tags, report)
        finally:  # also when a full disk stops the resolve halfway
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
        todo = []
        for photo in photos:
            if photo.id == keeper_photo.id:
                continue
            if photo.companion:  # never trash half of a RAW+JPEG pair, nor the pair
                why = f"part of a RAW+JPEG pair (with {os.path.basename(photo.companion)}); not trashed"
                report["skipped"].append({"path": photo.path, "reason": why})
                continue
            problem = _changed_on_disk(photo)
            if problem:
                report["skipped"].append({"path": photo.path, "reason": problem})
                continue
            todo.append(photo)
        if todo:
            self._trash_group(batch, todo, keeper_photo, merge_tags, report)

    def trash(self, paths: Iterable[str]) -> dict:
        """Move photos to the system trash (Delete in the gallery, ``photoapp trash``): one
        journalled batch like a resolve's, without a keeper, undone together by ``undo`` (or
        photo by photo by ``untrash``). A file missing or changed since it was indexed, or
        half of a RAW+JPEG pair, is left in place and reported as skipped."""
        batch = self._next_batch()
        report = {"batch": batch, "trashed": [], "skipped": []}
        todo = []
        for photo in self._photos(paths):
            problem = _changed_on_disk(photo)
            if photo.companion:
                problem = f"a RAW+JPEG pair (with {os.path.basename(photo.companion)}): trash its files by hand"
            if problem:
                report["skipped"].append({"path": photo.path, "reason": problem})
            elif photo not in todo:
                todo.append(photo)
        try:
            if todo:
                self._trash_group(batch, todo, None, False, report)
        finally:
            if report["trashed"]:
                self.indexes.save()
        return report

    def _keeper(self, photos: list[Photo], keep: str | None) -> Photo:
        if keep is None:
            sharp = self._sharpness([p.id for p in photos])
            return keeper.choose(photos, sharp)[0]
        keep = self.catalog_path(keep)
        chosen = [p for p in photos if p.path == keep]
        if not chosen:
            raise DupesError(f"the photo to keep is not in the group: {keep}")
        return chosen[0]

    def _trash_group(self, batch: int, photos: list[Photo], keep: Photo | None, merge_tags: bool, report: dict) -> None:
        """Journalled: the intents of the whole group are on disk (one synced commit) before
        any file moves; a photo's rows leave the catalog (its hand-given tags merged into
        the keeper) only once it has moved. A kill at any point is settled by ``reconcile``."""
        keeper_id, keeper_path = (keep.id, keep.path) if keep else (None, "")  # None: a plain trash
        records = [{**self._snapshot(p), "keeper_id": keeper_id, "merge_tags": merge_tags} for p in photos]
        try:
            with self.dupes.write(synced=True):
                rows = [
                    self.dupes.record_intent(batch, p.path, keeper_path, json.dumps(r), p.size, p.hash, os.getpid())
                    for p, r in zip(photos, records, strict=True)
                ]
        except CatalogError as exc:
            raise DupesError(f"nothing was moved to the trash: the catalog could not record the move ({exc})") from None
        _test_kill_point("intent")
        todo = list(zip(rows, photos, records, strict=True))
        try:
            while todo:
                row, photo, record = todo[0]
                self._trash_one(row, photo, record, report)
                todo.pop(0)
        finally:  # stopped early (full disk): the photos not reached stay, their intents go
            for row, photo, record in todo[1:]:
                with contextlib.suppress(CatalogError):  # else settled at the next start
                    self._settle(row, photo.path, photo.size, photo.hash, record)

    def _trash_one(self, row: int, photo: Photo, record: dict, report: dict) -> None:
        try:
            where = trash.send(photo.path)
        except trash.TrashError as exc:
            if self._settle(row, photo.path, photo.size, photo.hash, record) == KEPT:
                report["skipped"].append({"path": photo.path, "reason": str(exc)})
                return
        else:
            _test_kill_point("moved")
            self._complete(row, photo.path, where, record, found=True)
            _test_kill_point("done")
        report["trashed"].append(photo.path)  # also when the trash raised but the file did leave

    def _complete(self, row: int, path: str, where: trash.Trashed, record: dict, found: bool) -> None:
        """The file left its folder: record where, merge its hand-given tags into the keeper
        and drop its rows, in one transaction."""
        try:  # not synced: if a power cut loses this, the synced intent is settled at the next start
            with self.dupes.write():
                if not self.dupes.is_pending(row):  # settled meanwhile by another process starting
                    return
                gone = self.catalog.photo_by_path(path)
                if gone and record.get("merge_tags"):
                    record["merged"] = self._merge_tags(gone.id, record["keeper_id"])
                self.dupes.complete(row, where.trash_path, where.info_path, json.dumps(record), found)
                if gone:
                    self.catalog.delete_photos([gone.id])
        except CatalogError as exc:
            raise DupesError(
                f"{path} is in the trash but the catalog could not record it ({exc}); "
                "the next start of Photoapp records it"
            ) from None
        if gone:
            self.indexes.remove([gone.id])  # every loaded vector index follows

    def _settle(self, row: int, path: str, size: int, digest: str, record: dict) -> str:
        """Decide a move whose outcome is unknown (its process was killed, or the trash
        raised): still in its folder -> forgotten, catalog rows kept; in the trash (Path=,
        size and hash) -> done; else -> lost: left its folder, trash location unknown."""
        if os.path.lexists(path):
            with self.dupes.write():
                self.dupes.drop(row)
            return KEPT
        found = trash.find(path, size, digest)
        self._complete(row, path, found or trash.Trashed(path, None, None), record, found=found is not None)
        return TRASHED if found else LOST

    def reconcile(self) -> list[dict]:
        """Settle the moves that a killed resolve left pending (Library start, ``check``):
        ``[{"path", "outcome"}]`` with outcome kept, trashed or lost. Moves of a process that
        is still running are its own business."""
        settled = []
        for row, path, size, digest, pid, record in self.dupes.pending():
            if pid is not None and process_alive(pid):
                continue
            settled.append({"path": path, "outcome": self._settle(row, path, size, digest, json.loads(record))})
        if any(s["outcome"] != KEPT for s in settled):
            self.indexes.save()
        return settled

    def _snapshot(self, photo: Photo) -> dict:
        fp = self.fingerprints.row(photo.id)
        vectors = {m: base64.b64encode(v).decode() for m, v in self.catalog.photo_embeddings(photo.id).items()}
        tags = [list(r) for r in self.tag_rows.of_photo(photo.id)]
        marks = list(MarkStore(self.catalog).of([photo.id])[photo.id])
        return {
            "photo": photo.as_dict(),
            "fingerprint": list(fp) if fp else None,
            "embeddings": vectors,
            "tags": tags,
            "marks": marks,
            "faces": FaceStore(self.catalog).snapshot(photo.id),  # with their people: names survive the trash
        }

    def _merge_tags(self, photo_id: int, keeper_id: int) -> list[list]:
        """Give the keeper the tags a person put on the copy; returns what to undo."""
        merged = []
        with self.catalog.transaction():
            for tag, conf in self.tag_rows.with_source(photo_id, MANUAL):
                before = self.tag_rows.source_of(keeper_id, tag)
                if before and before[0] == MANUAL:
                    continue
                self.tag_rows.put([(keeper_id, tag, MANUAL, conf)])
                merged.append([tag, *(before or (None, None))])
            if merged:  # in the tag change's transaction: the keeper's XMP sidecar follows
                self.tag_rows.mark_sidecars_dirty([keeper_id])
        return merged

    def _unmerge(self, keeper_id: int, merged: list[list]) -> None:
        with self.catalog.transaction():
            for tag, source, conf in merged:
                if source is None:
                    self.tag_rows.delete([(keeper_id, tag)])
                else:
                    self.tag_rows.restore(keeper_id, tag, source, conf)
            if merged and self.catalog.has_photo(keeper_id):
                self.tag_rows.mark_sidecars_dirty([keeper_id])

    # -- undo ---------------------------------------------------------------------------
    def history(self) -> list[dict]:
        """Resolve batches, newest first, and where their photos are now: restored by undo,
        back in place (put back by hand: undo re-catalogs them), still in the trash, or gone
        from it. Cheap checks here (size and Path=); undo also compares the content hash."""
        batches: dict[int, dict] = {}
        for batch, when, path, trash_path, info, size, digest, restored in self.dupes.rows():
            entry = batches.setdefault(batch, {"batch": batch, "when": when, "photos": 0, **dict.fromkeys(PLACES, 0)})
            entry["when"] = min(entry["when"], when)
            entry["photos"] += 1
            entry[_place(trash.Trashed(path, trash_path, info), size, digest, restored)] += 1
        return list(batches.values())

    def undo(self, batch: int | None = None) -> dict:
        """Restore the photos of ``batch`` (default: the latest one not yet undone). Only the
        file that was trashed comes back (size, content hash and Path= checked); a photo
        already put back by hand is catalogued again."""
        if batch is None:
            batch = self.dupes.latest_open_batch()
            if batch is None:
                raise DupesError("nothing to undo")
        report = {"batch": batch, "restored": [], "back_by_hand": [], "failed": []}
        return self._put_back(self.dupes.open_in_batch(batch), report)

    def untrash(self, paths: Iterable[str]) -> dict:
        """Restore these photos from the trash (the latest move of each path not undone yet),
        as ``undo`` does; a path with nothing to restore is reported as failed."""
        report = {"batch": None, "restored": [], "back_by_hand": [], "failed": []}
        rows = []
        for raw in paths:
            path = os.path.abspath(os.fspath(raw))
            row = self.dupes.open_of_path(path)
            if row is None:
                why = "not in Photoapp's trash list (never trashed, or restored already)"
                report["failed"].append({"path": path, "reason": why})
            else:
                rows.append(row)
        return self._put_back(rows, report)

    def _put_back(self, rows: Iterable[tuple], report: dict) -> dict:
        for row_id, path, trash_path, info, size, digest, record in rows:
            try:
                by_hand = trash.put_back(trash.Trashed(path, trash_path, info), size, digest)
            except (trash.TrashError, OSError) as exc:
                report["failed"].append({"path": path, "reason": str(exc)})
                continue
            self._restore_rows(json.loads(record))
            self.dupes.mark_restored(row_id)
            report["restored"].append(path)
            if by_hand:
                report["back_by_hand"].append(path)
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
            if any(t[1] == MANUAL for t in record["tags"]):
                self.tag_rows.mark_sidecars_dirty([pid])  # its sidecar may have been left behind or lost
            if record.get("marks"):  # stars, heart, rotation (journal rows before them have none)
                MarkStore(self.catalog).put([(pid, Marks(*record["marks"]))])
            FaceStore(self.catalog).put_back(pid, record.get("faces", []))
        self._unmerge(record["keeper_id"], record.get("merged", []))
        blob = record["embeddings"].get(self.model())
        if blob is not None:
            self.indexes.add(self.model(), np.array([pid]), np.frombuffer(base64.b64decode(blob), np.float32)[None])

    def catalog_path(self, path: str | os.PathLike) -> str:
        """The path the catalog and the groups know ``path``'s photo by: the file itself, or
        for the RAW of a RAW+JPEG pair the pair's JPEG. DupesError when not in the library."""
        return self._photos([path])[0].path

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


def _place(item: trash.Trashed, size: int, digest: str, restored: float | None) -> str:
    """Which of PLACES a trashed photo is in now."""
    if restored is not None:
        return "restored"
    if os.path.lexists(item.path):
        return "back_in_place" if trash.is_same_file(item.path, size, digest) else "gone"
    return "in_trash" if trash.looks_present(item, size) else "gone"


def _test_kill_point(point: str) -> None:
    """For the crash tests (tests/cli/test_dupes_journal.py) only: PHOTOAPP_TEST_KILL_AT=
    POINT[:N] makes this process SIGKILL itself the N-th time (default 1) a resolve reaches
    POINT (intent: the journal entry is on disk; moved: the file is in the trash; done: the
    move is recorded)."""
    wanted = os.environ.get("PHOTOAPP_TEST_KILL_AT")
    if not wanted or wanted.partition(":")[0] != point:
        return
    _KILL_COUNTS[point] = _KILL_COUNTS.get(point, 0) + 1
    if _KILL_COUNTS[point] == int(wanted.partition(":")[2] or 1):
        os.kill(os.getpid(), signal.SIGKILL)


_KILL_COUNTS: dict[str, int] = {}


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
