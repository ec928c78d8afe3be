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
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from photoapp.core.duplicates import finder as duplicates, keeper, trash

from photoapp.core.media import fingerprint
from photoapp.core.store.catalog import PHOTO_COLUMNS, Photo
from photoapp.core.duplicates.finder import DupeSettings, Group
from photoapp.core.errors import LibraryError

MANUAL = "manual"  # the tag source a person gave (photoapp/core/tagging/rule.py)


class DupesError(LibraryError):
    """A resolve or undo that cannot go ahead; the message says why."""


class Duplicates:
    def __init__(self, lib):
        self.lib = lib
        self.catalog = lib.catalog

    # -- settings -----------------------------------------------------------------------
    @property
    def settings(self) -> DupeSettings:
        return DupeSettings.from_settings(self.lib.settings)

    def configure(self, **changes) -> DupeSettings:
        s = self.settings
        for key, value in changes.items():
            if value is not None:
                setattr(s, key, type(getattr(s, key))(value))
        s.store(self.lib.settings)
        self.lib.settings.save(self.lib.path)
        return s

    # -- finding ------------------------------------------------------------------------
    def find(self, tier: str = "all", progress: Callable[[str, int, int], None] | None = None,
             cancel: threading.Event | None = None) -> list[Group]:
        tiers = duplicates.tiers_up_to(tier)
        if duplicates.Tier.NEAR in tiers:
            self.backfill(progress, cancel)
        index = None
        if duplicates.Tier.SIMILAR in tiers and self.catalog.count_embedded(self.lib.model_name):
            index = self.lib.vector_index()
        return duplicates.find(self.catalog, index, self.lib.model_name, self.settings, tiers)

    def backfill(self, progress=None, cancel: threading.Event | None = None) -> int:
        """Fingerprint photos that have none yet (catalogued before this feature)."""
        from photoapp.core.media.decoding import DecodeError, load_rgb

        todo = fingerprint.missing(self.catalog)

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
                results = [r for r in pool.map(work, todo[start:start + 64]) if r[1] is not None]
                with self.catalog.transaction():
                    fingerprint.put(self.catalog, results)
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
        pairs = {(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1:]}
        now = time.time()
        with self.catalog.transaction():
            self.catalog.db.executemany("INSERT OR IGNORE INTO not_duplicates(hash_a, hash_b, added) VALUES (?, ?, ?)",
                                        [(a, b, now) for a, b in pairs])
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
            self.lib.save_index()
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
                report["skipped"].append({"path": photo.path, "reason": "part of a RAW+JPEG pair "
                                          f"(with {os.path.basename(photo.companion)}); not trashed"})
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
            self.catalog.db.execute(
                "INSERT INTO trashed(batch, path, trash_path, trash_info, keeper, record, trashed) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (batch, photo.path, where.trash_path, where.info_path, keep.path, json.dumps(record), time.time()))
            self.catalog.delete_photos([photo.id])
        self.lib._on_removed([photo.id])  # the Library keeps every loaded vector index in step

    def _snapshot(self, photo: Photo) -> dict:
        db = self.catalog.db
        fp = db.execute("SELECT phash, dhash, sharpness FROM fingerprints WHERE photo_id=?", (photo.id,)).fetchone()
        vectors = {m: base64.b64encode(v).decode() for m, v in
                   db.execute("SELECT model, vector FROM embeddings WHERE photo_id=?", (photo.id,))}
        tags = [list(r) for r in db.execute("SELECT tag, source, confidence FROM photo_tags WHERE photo_id=?",
                                            (photo.id,))]
        return {"photo": photo.as_dict(), "fingerprint": list(fp) if fp else None, "embeddings": vectors,
                "tags": tags}

    def _merge_tags(self, photo: Photo, keep: Photo) -> list[list]:
        """Give the keeper the tags a person put on the copy; returns what to undo."""
        db = self.catalog.db
        merged = []
        with self.catalog.transaction():
            for tag, conf in db.execute("SELECT tag, confidence FROM photo_tags WHERE photo_id=? AND source=?",
                                        (photo.id, MANUAL)).fetchall():
                before = db.execute("SELECT source, confidence FROM photo_tags WHERE photo_id=? AND tag=?",
                                    (keep.id, tag)).fetchone()
                if before and before[0] == MANUAL:
                    continue
                db.execute("INSERT OR REPLACE INTO photo_tags(photo_id, tag, source, confidence) VALUES (?, ?, ?, ?)",
                           (keep.id, tag, MANUAL, conf))
                merged.append([tag, *(before or (None, None))])
        return merged

    def _unmerge(self, keeper_id: int, merged: list[list]) -> None:
        db = self.catalog.db
        with self.catalog.transaction():
            for tag, source, conf in merged:
                if source is None:
                    db.execute("DELETE FROM photo_tags WHERE photo_id=? AND tag=?", (keeper_id, tag))
                else:
                    db.execute("UPDATE photo_tags SET source=?, confidence=? WHERE photo_id=? AND tag=?",
                               (source, conf, keeper_id, tag))

    # -- undo ---------------------------------------------------------------------------
    def history(self) -> list[dict]:
        """Resolve batches, newest first, with what is still in the trash."""
        rows = self.catalog.db.execute(
            "SELECT batch, MIN(trashed), COUNT(*), SUM(restored IS NULL) FROM trashed GROUP BY batch ORDER BY batch DESC")
        return [{"batch": b, "when": t, "photos": n, "in_trash": int(left)} for b, t, n, left in rows]

    def undo(self, batch: int | None = None) -> dict:
        """Restore the photos of ``batch`` (default: the latest one not yet undone)."""
        if batch is None:
            row = self.catalog.db.execute("SELECT MAX(batch) FROM trashed WHERE restored IS NULL").fetchone()
            if row[0] is None:
                raise DupesError("nothing to undo")
            batch = row[0]
        rows = self.catalog.db.execute(
            "SELECT id, path, trash_path, trash_info, record FROM trashed WHERE batch=? AND restored IS NULL "
            "ORDER BY id DESC", (batch,)).fetchall()
        report = {"batch": batch, "restored": [], "failed": []}
        for row_id, path, trash_path, info, record in rows:
            try:
                trash.restore(trash.Trashed(path, trash_path, info))
            except (trash.TrashError, OSError) as exc:
                report["failed"].append({"path": path, "reason": str(exc)})
                continue
            self._restore_rows(json.loads(record))
            with self.catalog.transaction():
                self.catalog.db.execute("UPDATE trashed SET restored=? WHERE id=?", (time.time(), row_id))
            report["restored"].append(path)
        if report["restored"]:
            self.lib.save_index()
        return report

    def _restore_rows(self, record: dict) -> None:
        """Put the photo's catalog rows back (same id when free) and its vector in the index."""
        db, values = self.catalog.db, dict(record["photo"])
        with self.catalog.transaction():
            if db.execute("SELECT 1 FROM photos WHERE id=?", (values["id"],)).fetchone():
                values.pop("id")
            if values.get("folder_id") is not None and not db.execute(
                    "SELECT 1 FROM folders WHERE id=?", (values["folder_id"],)).fetchone():
                values["folder_id"] = None  # its folder left the library meanwhile
            existing = self.catalog.photo_by_path(values["path"])
            if existing:  # an index run saw the restored file first
                db.execute("DELETE FROM photos WHERE id=?", (existing.id,))
            cols = [c for c in PHOTO_COLUMNS if c in values]
            pid = db.execute(f"INSERT INTO photos({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                             [values[c] for c in cols]).lastrowid
            if record.get("fingerprint"):
                db.execute("INSERT OR REPLACE INTO fingerprints(photo_id, phash, dhash, sharpness) VALUES (?, ?, ?, ?)",
                           (pid, *record["fingerprint"]))
            for model, blob in record["embeddings"].items():
                db.execute("INSERT OR REPLACE INTO embeddings(photo_id, model, vector) VALUES (?, ?, ?)",
                           (pid, model, base64.b64decode(blob)))
            db.executemany("INSERT OR REPLACE INTO photo_tags(photo_id, tag, source, confidence) VALUES (?, ?, ?, ?)",
                           [(pid, *t) for t in record["tags"]])
        self._unmerge(record["keeper_id"], record.get("merged", []))
        blob = record["embeddings"].get(self.lib.model_name)
        if blob is not None:
            with self.lib._index_lock:
                self.lib.vector_index().add(np.array([pid]), np.frombuffer(base64.b64decode(blob), np.float32)[None])

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
        marks = ",".join("?" * len(ids))
        return {i: s for i, s in self.catalog.db.execute(
            f"SELECT photo_id, sharpness FROM fingerprints WHERE photo_id IN ({marks})", ids) if s is not None}

    def _next_batch(self) -> int:
        return (self.catalog.db.execute("SELECT MAX(batch) FROM trashed").fetchone()[0] or 0) + 1


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
