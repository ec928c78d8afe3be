"""The indexer's face stage (photoapp/core/faces/stage.py is the stage itself): faces saved
with each decoded batch, and a pass over photos the stage has not looked at yet (a library
indexed before faces were on, photos taken over from a copy without decoding, another
detector), each decoded for faces alone and saved as it is done, so a stopped run resumes."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from photoapp.core.media.decoding import DecodeError, load_rgb
from photoapp.core.media.scanner import FileEntry


@dataclass
class _Item:
    entry: FileEntry
    started: float | None = None  # when a worker began on it (the indexer's per-file time limit)


class FacePass:
    """Mixed into the Indexer: uses its catalog, faces, workers, progress, report and waits."""

    def _save_faces(self, rows) -> None:
        """Inside the caller's transaction: each photo's faces, where the stage looked."""
        if self.faces is None:
            return
        for pid, item in rows:
            if item.faces is not None:
                self.faces.save(self.catalog, pid, item.faces)
                self.report.faces += len(item.faces)

    def _scan_faces(self, folder_ids: list[int]) -> None:
        """Photos of these folders the face stage has not looked at (catalogued before faces
        were on, taken over from a copy without decoding, another detector): decoded for
        faces alone. Each photo is saved as it is done, so a stopped run resumes there."""
        if self.faces is None:
            return
        from photoapp.core.store.faces import FaceStore

        online = {fid for fid, root in self.catalog.folders() if os.path.isdir(root)}
        waiting = FaceStore(self.catalog).unscanned_photos(self.faces.name, folder_ids)
        photos = [p for p in waiting if p.folder_id in online]
        if not photos:
            return
        total = len(photos)
        self.progress("faces", 0, total)
        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="decode")
        try:
            window: list = []
            items = iter(photos)
            done = 0
            while True:
                self._check_cancel()
                while len(window) < self.workers * 2:
                    photo = next(items, None)
                    if photo is None:
                        break
                    item = _Item(FileEntry(photo.path, photo.size, photo.mtime))
                    window.append((photo, item, pool.submit(_faces_one, item, self.faces)))
                if not window:
                    break
                photo, item, fut = window.pop(0)
                try:
                    found = self._result(item, fut, [(i, f) for _, i, f in window])
                except DecodeError:
                    found = None  # unreadable now: the embedding run reports it; looked at again later
                if found is not None:
                    with self.catalog.transaction():
                        if self.catalog.has_photo(photo.id):
                            self.faces.save(self.catalog, photo.id, found)
                            self.report.faces += len(found)
                done += 1
                self.progress("faces", done, total)
        finally:
            self._shutdown(pool)


def look_for_faces(faces, image) -> list | None:
    """The face stage's finds on a decoded picture; None when there is no stage or it failed
    on this picture (the photo is then looked at again by a later run)."""
    if faces is None:
        return None
    try:
        return faces.analyze(image)
    except Exception:  # noqa: BLE001 - a face stage failure must never cost the photo its embedding
        return None


def _faces_one(item: _Item, faces):
    """Runs in a worker thread: decode a catalogued photo for the face stage alone."""
    item.started = time.monotonic()
    try:
        image, _ = load_rgb(item.entry.path, min_side=faces.min_side)
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the run
        raise decode_error(exc) from None
    return look_for_faces(faces, image)


def decode_error(exc: Exception) -> DecodeError:
    """What a worker's failure on one file says (a DecodeError for that file alone)."""
    if isinstance(exc, DecodeError):
        return exc
    if isinstance(exc, FileNotFoundError):
        return DecodeError("file vanished before it could be read")
    if isinstance(exc, OSError):
        return DecodeError(f"cannot read file: {exc.strerror or exc}")
    return DecodeError(f"unexpected decoder error: {type(exc).__name__}: {exc}")
