"""Incremental indexing: reconcile folders with the catalog, then decode and embed.

Unchanged files (same size and mtime) are never read. A changed mtime with the same
content hash only updates the row. A new path whose content hash belongs to a photo
that vanished is a move: the row keeps its id, embedding and tags. A new path whose
content is already in the catalog reuses that embedding. Everything else is decoded
in worker threads (Pillow releases the GIL) while the model embeds the previous batch.

Nothing is removed without positive evidence: a folder whose root is missing, unreadable
or suddenly empty is offline and left alone, photos under a folder that cannot be listed
are kept, and a photo leaves only when looking its file up says it does not exist; its
hand-made tags are kept by content hash for the file's return (store/keepsakes.py).
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

import numpy as np

from photoapp.core.errors import Cancelled
from photoapp.core.indexing.faces_pass import FacePass, decode_error, look_for_faces
from photoapp.core.media import capture as capture_mod
from photoapp.core.media import fingerprint, metadata
from photoapp.core.media.decoding import DecodeError, PhotoInfo, is_photo_name, load_for_model, media_kind
from photoapp.core.media.exif import read_shot
from photoapp.core.media.fingerprint import Fingerprint
from photoapp.core.media.folders import Fence, is_within, known_gone, offline_reason
from photoapp.core.media.scanner import (
    FileEntry,
    SkippedEntry,
    UnreachableEntry,
    file_hash,
    pair_raws,
    pair_siblings,
    walk_photos,
)
from photoapp.core.store.catalog import Catalog, Photo
from photoapp.core.store.fingerprints import FingerprintStore
from photoapp.core.store.keepsakes import Keepsakes
from photoapp.core.store.places import PlaceStore

# progress(phase, done, total): phase is "scan", "embed" or "faces" (photos looked at for
# faces that needed no embedding: an existing library, a new face detector)
ProgressFn = Callable[[str, int, int], None]

# Longest one file may take to hash or decode; then it is a problem and the run goes on.
# (A stalled network drive or a pathological file must not stop a whole library.)
FILE_TIMEOUT = 60.0


def default_workers() -> int:
    """Decode threads when the library does not say: one per CPU, 2 to 8."""
    return max(2, min(8, os.cpu_count() or 2))


@dataclass
class IndexReport:
    scanned: int = 0
    embedded: int = 0
    skipped: int = 0
    failed: int = 0
    moved: int = 0
    removed: int = 0
    seconds: float = 0.0
    offline_folders: list[str] = field(default_factory=list)
    faces: int = 0  # faces found on the photos looked at in this run
    # Files given up on while a worker thread was still inside them (a read stuck in the
    # kernel, a native decoder that does not return): the process must not wait for it.
    abandoned: int = 0
    refreshed: int = 0  # photos whose metadata was read again (no decoding, no embedding)

    def as_dict(self) -> dict:
        return {
            "scanned": self.scanned,
            "embedded": self.embedded,
            "skipped": self.skipped,
            "failed": self.failed,
            "moved": self.moved,
            "removed": self.removed,
            "seconds": round(self.seconds, 3),
            "offline_folders": self.offline_folders,
            "faces": self.faces,
        }


@dataclass
class _Work:
    entry: FileEntry
    folder_id: int
    digest: str | None = None
    fingerprint: Fingerprint | None = None  # set by the decode worker
    started: float | None = None  # when a worker began on it (time.monotonic)
    companion: str | None = None  # the RAW file of a RAW+JPEG pair (this is the JPEG)
    faces: list | None = None  # what the face stage found on it (None: not looked at)


class Indexer(FacePass):
    """One indexing run over some registered folders. ``embedder`` is a ClipEmbedder;
    ``on_embedded(ids, vectors)`` and ``on_removed(ids)`` keep the vector index in step.
    ``faces`` is the face stage (photoapp/core/faces/stage.py) or None: it looks at the
    picture each decode worker already has, and at photos it has not seen after the run."""

    def __init__(
        self,
        catalog: Catalog,
        embedder,
        *,
        batch_size: int = 32,
        workers: int = 0,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
        on_embedded: Callable[[np.ndarray, np.ndarray], None] | None = None,
        on_removed: Callable[[list[int]], None] | None = None,
        file_timeout: float | None = None,
        private: Sequence[str] = (),
        faces=None,
    ):
        self.catalog = catalog
        self.embedder = embedder
        self.batch_size = max(1, batch_size)
        self.workers = workers or default_workers()
        self.progress = progress or (lambda phase, done, total: None)
        self.cancel = cancel or threading.Event()
        self.on_embedded = on_embedded or (lambda ids, vectors: None)
        self.on_removed = on_removed or (lambda ids: None)
        self.report = IndexReport()
        self.file_timeout = FILE_TIMEOUT if file_timeout is None else file_timeout
        self._online: set[int] | None = None  # folders whose drive is present, looked up once
        # Never walked: the library and the caches (``private``), and from one library folder
        # the others (each catalogues its own files); a file is catalogued once per run.
        self._private = list(private)
        self._seen_files: set[tuple[int, int]] = set()
        self.faces = faces

    # -- public -------------------------------------------------------------------------
    def run(self, folders: list[tuple[int, str]]) -> IndexReport:
        start = time.perf_counter()
        work = self._reconcile(folders)
        work += self._missing_embeddings(folders, {w.entry.path for w in work})
        self._refresh_metadata(folders, {w.entry.path for w in work})
        self._embed_all(work)
        self._scan_faces([fid for fid, _ in folders])
        self.report.seconds = time.perf_counter() - start
        return self.report

    def run_paths(self, scopes: list[tuple[int, str]]) -> IndexReport:
        """Reconcile only ``(folder_id, path)`` scopes: files or folders, present or gone.

        A folder watcher knows which paths changed; walking a 100k-photo folder for each
        new photo would cost seconds, and could pick up files that are still being written.
        """
        start = time.perf_counter()
        work = self._compare(self._path_scopes(_outermost(scopes)))
        self._embed_all(work)
        self._scan_faces(sorted({fid for fid, _ in scopes}))
        self.report.seconds = time.perf_counter() - start
        return self.report

    # -- reconcile ----------------------------------------------------------------------
    def _reconcile(self, folders: list[tuple[int, str]]) -> list[_Work]:
        """Compare disk and catalog; apply moves and removals; return files to decode."""
        return self._compare(self._folder_scopes(folders))

    def _folder_scopes(self, folders: list[tuple[int, str]]):
        for folder_id, root in folders:
            photos = self.catalog.photos_in_folder(folder_id)
            if offline_reason(root, bool(photos)):
                # An unplugged drive or an empty mount point must not wipe its photos.
                self.report.offline_folders.append(root)
                continue
            on_disk, unreachable = self._scan(root)
            yield folder_id, on_disk, self._reachable(photos, unreachable)

    def _path_scopes(self, scopes: list[tuple[int, str]]):
        seen: set[str] = set()
        roots = dict(self.catalog.folders())
        offline: dict[int, bool] = {}
        for folder_id, path in scopes:
            if folder_id not in offline:  # a drive unmounted under a watcher: no removals
                offline[folder_id] = bool(offline_reason(roots.get(folder_id, path), True))
                if offline[folder_id]:
                    self.report.offline_folders.append(roots.get(folder_id, path))
            if offline[folder_id] or self._fence(roots.get(folder_id, path)).blocks(path):
                continue
            if os.path.isdir(path):
                on_disk, unreachable = self._scan(path, roots.get(folder_id, path))
                yield folder_id, on_disk, self._reachable(_photos_at(self.catalog, path), unreachable)
                continue
            # A RAW or its JPEG changed: the pair is decided on both files, so both are in scope.
            paths = [p for p in pair_siblings(path) if p not in seen]
            seen.update(paths)
            on_disk: dict[str, FileEntry] = {}
            photos: list[Photo] = []
            for member in paths:
                if not (os.path.islink(member) and self._fence("").blocks(member)):
                    on_disk.update(_stat_photo(member))  # a link to a library photo is not a second one
                photos += _photos_at(self.catalog, member)
            yield folder_id, on_disk, photos

    def _fence(self, root: str) -> Fence:
        """The private folders and every library folder but ``root`` ("": all of them)."""
        others = [path for _, path in self.catalog.folders() if path != root]
        return Fence.around(self._private + others)

    def _scan(self, path: str, root: str | None = None) -> tuple[dict[str, FileEntry], list[UnreachableEntry]]:
        """Photo files under ``path`` (in library folder ``root``) and the folders that
        could not be listed; each of those is a problem until it can be listed again."""
        on_disk: dict[str, FileEntry] = {}
        unreachable: list[UnreachableEntry] = []
        for found in walk_photos(path, self._fence(root or path), self._seen_files):
            self._check_cancel()
            if isinstance(found, UnreachableEntry):
                unreachable.append(found)
                continue
            if isinstance(found, SkippedEntry):
                with self.catalog.transaction():
                    self.catalog.set_problem(found.path, found.reason, None, None)
                self.report.failed += 1
                continue
            on_disk[found.path] = found
            self.report.scanned += 1
            if self.report.scanned % 200 == 0:
                self.progress("scan", self.report.scanned, 0)
        self._note_unreachable(path, unreachable)
        return on_disk, unreachable

    def _reachable(self, photos: list[Photo], unreachable: list[UnreachableEntry]) -> list[Photo]:
        """``photos`` less those under a folder that could not be listed: not known to be gone."""
        if not unreachable:
            return photos
        return [p for p in photos if not any(is_within(p.path, u.path) for u in unreachable)]

    def _note_unreachable(self, path: str, unreachable: list[UnreachableEntry]) -> None:
        """A folder that cannot be listed is a problem (an entry that cannot be looked at,
        only if photos were catalogued under it); one listed again is no longer."""
        now = {u.path for u in unreachable}
        with self.catalog.transaction():
            for entry in unreachable:
                if entry.listed_folder or _photos_at(self.catalog, entry.path):
                    self.catalog.set_problem(entry.path, entry.reason, None, None)
            for problem in self.catalog.problem_stats():
                if problem not in now and is_within(problem, path) and os.path.isdir(problem):
                    self.catalog.clear_problem(problem)

    def _compare(self, scopes) -> list[_Work]:
        """``scopes`` yields (folder_id, files on disk, catalogued photos) for one area."""
        known_problems = self.catalog.problem_stats()
        work: list[_Work] = []
        new: list[_Work] = []
        gone: dict[int, Photo] = {}
        relinks: list[tuple[Photo, str | None]] = []
        for folder_id, on_disk, photos in scopes:
            known = {p.path: p for p in photos}
            # A RAW beside its JPEG is one photo: the JPEG's row. A JPEG known to be unreadable
            # makes no pair, so that its RAW is indexed on its own.
            pairs = {
                twin: raw
                for twin, raw in pair_raws(on_disk).items()
                if known_problems.get(twin) != (on_disk[twin].size, on_disk[twin].mtime)
            }
            for raw in pairs.values():
                on_disk.pop(raw)
                self.report.skipped += 1
                if raw in known_problems:
                    with self.catalog.transaction():
                        self.catalog.clear_problem(raw)
            for path, entry in on_disk.items():
                companion = pairs.get(path)
                photo = known.pop(path, None)
                if photo is None:
                    if known_problems.get(path) == (entry.size, entry.mtime):
                        self.report.skipped += 1  # still the same broken file
                        continue
                    new.append(_Work(entry, folder_id, companion=companion))
                elif photo.size == entry.size and photo.mtime == entry.mtime:
                    self.report.skipped += 1
                    relinks.append((photo, companion))
                else:
                    work.append(self._changed(photo, entry, folder_id, companion))
                    relinks.append((photo, companion))
            gone.update({p.id: p for p in known.values() if known_gone(p.path)})
        work = [w for w in work if w is not None]
        work += self._place_new(new, gone)
        self._relink(relinks)
        self._remove(list(gone.values()))
        self._forget_vanished_problems()
        return work

    def _relink(self, rows: list[tuple[Photo, str | None]]) -> None:
        """Record which catalogued photos gained or lost their RAW file (no decoding)."""
        changes = [
            (photo.id, companion, "raw" if companion else media_kind(photo.path))
            for photo, companion in rows
            if photo.companion != companion or photo.kind != ("raw" if companion else media_kind(photo.path))
        ]
        if changes:
            with self.catalog.transaction():
                for pid, companion, kind in changes:
                    self.catalog.set_companion(pid, companion, kind)

    def _changed(self, photo: Photo, entry: FileEntry, folder_id: int, companion: str | None = None) -> _Work | None:
        try:
            digest = file_hash(entry.path)
        except DecodeError as exc:  # gone, unreadable, or no longer a regular file
            self._fail(entry, str(exc))
            return None
        except OSError as exc:
            self._fail(entry, f"cannot read file: {exc.strerror or exc}")
            return None
        if digest == photo.hash:  # only touched (copied back, metadata edit of the inode)
            with self.catalog.transaction():
                self.catalog.touch_photo(photo.id, entry.size, entry.mtime)
            self.report.skipped += 1
            return None
        return _Work(entry, folder_id, digest, companion=companion)

    def _place_new(self, new: list[_Work], gone: dict[int, Photo]) -> list[_Work]:
        """Moves keep their rows; copies of known content reuse embeddings; the rest decode."""
        cat, model = self.catalog, self.embedder.name
        by_hash: dict[str, list[Photo]] = {}
        for photo in gone.values():
            by_hash.setdefault(photo.hash, []).append(photo)
        # A RAW that gained its JPEG, or a pair that lost its JPEG: the row (tags, albums)
        # goes on at the file that now stands for the photo, and is decoded again there.
        heirs = {p.path: p for p in gone.values() if p.kind == "raw" and not p.companion}
        heirs |= {p.companion: p for p in gone.values() if p.companion}
        to_decode: list[_Work] = []
        for item, error in self._hash_all(new):
            self._check_cancel()
            if error:
                self._fail(item.entry, error)
                continue
            moved_from = by_hash.get(item.digest) or self._vanished_twins(item.digest)
            if moved_from:
                photo = moved_from.pop()
                gone.pop(photo.id, None)
                with cat.transaction():
                    cat.move_photo(photo.id, item.entry.path, item.folder_id, item.entry.mtime)
                    cat.set_companion(photo.id, item.companion, _kind(item))
                    cat.clear_problem(item.entry.path)
                self.report.moved += 1
                self.report.skipped += 1
                continue
            heir = heirs.get(item.companion or item.entry.path)
            if heir is not None and heir.id in gone:
                gone.pop(heir.id)
                with cat.transaction():  # readers see the pair at once; the decode refreshes the rest
                    cat.move_photo(heir.id, item.entry.path, item.folder_id, item.entry.mtime)
                    cat.set_companion(heir.id, item.companion, _kind(item))
                to_decode.append(item)
                continue
            twins = cat.photos_with_hash(item.digest)
            vector = cat.embedding_for_hash(item.digest, model) if twins else None
            if twins and vector is not None:
                values = twins[0].as_dict() | self._stat_values(item)
                values.pop("id")
                values["kind"], values["companion"] = _kind(item), item.companion
                with cat.transaction():
                    pid = cat.upsert_photo(values)
                    cat.put_embeddings(model, [(pid, vector)])
                    FingerprintStore(cat).copy(twins[0].id, pid)
                    Keepsakes(cat).restore([(pid, item.digest)])
                    cat.clear_problem(item.entry.path)  # a broken file replaced by a good copy
                self.on_embedded(np.array([pid]), vector[None, :])
                self.report.skipped += 1
                continue
            to_decode.append(item)
        return to_decode

    def _hash_all(self, items: list[_Work]) -> Iterator[tuple[_Work, str | None]]:
        """Hash new files in worker threads (hashlib releases the GIL on large reads)."""

        def work(item: _Work) -> tuple[_Work, str | None]:
            item.started = time.monotonic()
            try:
                item.digest = file_hash(item.entry.path)
                return item, None
            except DecodeError as exc:  # gone, unreadable, too large, or no longer a regular file
                return item, str(exc)
            except OSError as exc:
                return item, f"cannot read file: {exc.strerror or exc}"

        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="hash")
        try:
            futures = [(item, pool.submit(work, item)) for item in items]
            for item, fut in futures:
                try:
                    yield self._result(item, fut, futures)
                except DecodeError as exc:
                    yield item, str(exc)
        finally:
            self._shutdown(pool)

    def _vanished_twins(self, digest: str) -> list[Photo]:
        """Photos with this content whose file is gone from a folder that is online: a move
        whose old path this run does not cover (a folder watcher may see the halves apart)."""
        if self._online is None:
            self._online = {fid for fid, root in self.catalog.folders() if os.path.isdir(root)}
        return [
            p
            for p in self.catalog.photos_with_hash(digest)
            if p.folder_id in self._online and not os.path.lexists(p.path)
        ]

    def _missing_embeddings(self, folders: list[tuple[int, str]], pending: set[str]) -> list[_Work]:
        """Photos already catalogued but without an embedding for this model (a model switch)."""
        embedded = self.catalog.embedded_ids(self.embedder.name)
        work = []
        for folder_id, root in folders:
            if root in self.report.offline_folders or not os.path.isdir(root):
                continue  # their files cannot be read now; their rows wait for them
            work.extend(
                _Work(FileEntry(photo.path, photo.size, photo.mtime), folder_id, photo.hash, companion=photo.companion)
                for photo in self.catalog.photos_in_folder(folder_id)
                if photo.id not in embedded and photo.path not in pending
            )
        return work

    def _refresh_metadata(self, folders: list[tuple[int, str]], pending: set[str]) -> None:
        """Read again, metadata only, what an older reader read (``metadata.VERSION``): an
        existing library gains zones, sub-seconds and positions without re-embedding."""
        store = PlaceStore(self.catalog)
        stale = []
        for folder_id, root in folders:
            if root in self.report.offline_folders or not os.path.isdir(root):
                continue
            stale += [p for p in store.stale_metadata(metadata.VERSION, folder_id) if p.path not in pending]
        for done, photo in enumerate(stale, 1):
            self._check_cancel()
            facts = metadata.read_facts(photo.path, photo.companion)
            if facts is None:
                continue  # unreadable now: what the catalog knows stays, read again next time
            values = _facts_values(facts, photo.mtime)
            with self.catalog.transaction():
                store.set_facts(photo.id, values)
            self.report.refreshed += 1
            if done % 200 == 0:
                self.progress("scan", done, len(stale))

    def _remove(self, photos: list[Photo]) -> None:
        if not photos:
            return
        ids = [p.id for p in photos]
        with self.catalog.transaction():
            kept = Keepsakes(self.catalog)
            kept.keep(ids)  # hand-made tags come back with the file
            self.catalog.delete_photos(ids)
            # A copy of the same content still in the library takes them over now (as the
            # keeper of a duplicates resolve does): the name of one copy was removed.
            kept.restore(
                (p.id, p.hash) for digest in {p.hash for p in photos} for p in self.catalog.photos_with_hash(digest)
            )
        self.on_removed(ids)
        self.report.removed += len(ids)

    def _forget_vanished_problems(self) -> None:
        with self.catalog.transaction():
            for path in self.catalog.problem_stats():
                if known_gone(path) and not os.path.lexists(path):  # a path too long to look up is not gone
                    self.catalog.clear_problem(path)

    # -- decode + embed -----------------------------------------------------------------
    def _embed_all(self, work: list[_Work]) -> None:
        total = len(work)
        self.progress("embed", 0, total)
        if work and hasattr(self.embedder, "prepare_images"):  # its session starts while the first photos decode
            self.embedder.prepare_images()
        done = 0
        for batch in self._decoded_batches(work):
            self._check_cancel()
            vectors = self._embed_batch([arr for _, arr, _ in batch])
            if self.faces is not None:  # dlib's models load once the first batch is embedding (issue 30)
                self.faces.load_in_background()
            self._store(batch, vectors)
            done += len(batch)
            self.progress("embed", done, total)

    def _embed_batch(self, arrays: list[np.ndarray]) -> np.ndarray:
        """One vector per file. A video's frames (an (n, C, H, W) array) are embedded with
        the batch and averaged: the normalised mean of its frames' embeddings."""
        if all(a.ndim == 3 for a in arrays):
            return self.embedder.embed_pixels(np.stack(arrays))
        counts = [1 if a.ndim == 3 else len(a) for a in arrays]
        flat = self.embedder.embed_pixels(np.concatenate([a[None] if a.ndim == 3 else a for a in arrays]))
        out = np.empty((len(arrays), flat.shape[1]), dtype=flat.dtype)
        start = 0
        for i, n in enumerate(counts):
            mean = flat[start : start + n].mean(axis=0)
            out[i] = mean / max(float(np.linalg.norm(mean)), 1e-12)
            start += n
        return out

    def _decoded_batches(self, work: list[_Work]) -> Iterator[list[tuple[_Work, np.ndarray, PhotoInfo]]]:
        """Decode ahead in a bounded window of worker threads; yield full batches in order."""
        spec = self.embedder.spec
        window = self.batch_size * 3
        batch: list = []
        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="decode")
        try:
            futures = []
            items = iter(work)
            for item in items:
                futures.append((item, pool.submit(_decode_one, item, spec, self.faces)))
                if len(futures) < window:
                    continue
                batch = yield from self._drain(futures, batch, keep=window - self.batch_size)
            batch = yield from self._drain(futures, batch, keep=0)
        finally:
            self._shutdown(pool)
        if batch:
            yield batch

    def _drain(self, futures: list, batch: list, keep: int):
        while len(futures) > keep:
            if self.cancel.is_set():
                for _, fut in futures:
                    fut.cancel()
                raise Cancelled()
            item, fut = futures.pop(0)
            try:
                arr, info = self._result(item, fut, futures)
            except DecodeError as exc:
                self._fail(item.entry, str(exc))
                continue
            batch.append((item, arr, info))
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        return batch

    def _store(self, batch, vectors: np.ndarray) -> None:
        cat, model = self.catalog, self.embedder.name
        ids = []
        with cat.transaction():
            for (item, _, info), _vec in zip(batch, vectors):
                values = self._stat_values(item) | _info_values(info, item.entry.mtime)
                values["hash"] = item.digest
                values["companion"] = item.companion
                if item.companion:
                    values["kind"] = "raw"
                pid = cat.upsert_photo(values)
                cat.clear_problem(item.entry.path)
                ids.append(pid)
            cat.put_embeddings(model, zip(ids, vectors))
            FingerprintStore(cat).put(
                [(pid, item.fingerprint) for pid, (item, _, _) in zip(ids, batch) if item.fingerprint]
            )
            Keepsakes(cat).restore((pid, item.digest) for pid, (item, _, _) in zip(ids, batch))
            self._save_faces((pid, item) for pid, (item, _, _) in zip(ids, batch))
        self.on_embedded(np.array(ids), vectors)
        self.report.embedded += len(ids)

    def _result(self, item: _Work, fut: Future, pending: list):
        """A worker's result, waited for in short steps so that a cancel is seen at once
        and a file that takes longer than ``file_timeout`` is given up on (DecodeError)."""
        while True:
            try:
                return fut.result(timeout=0.25)
            except FutureTimeout:
                if self.cancel.is_set():
                    for _, other in pending:
                        other.cancel()
                    raise Cancelled() from None
                if item.started is not None and time.monotonic() - item.started > self.file_timeout:
                    self.report.abandoned += 1
                    raise DecodeError(
                        f"reading took longer than {self.file_timeout:g} s (a stalled drive or a "
                        "pathological file); skipped"
                    ) from None

    def _shutdown(self, pool: ThreadPoolExecutor) -> None:
        # A worker stuck on an abandoned file is not waited for: it ends when its read does.
        pool.shutdown(wait=not self.report.abandoned, cancel_futures=True)

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _stat_values(item: _Work) -> dict:
        return {
            "path": item.entry.path,
            "folder_id": item.folder_id,
            "size": item.entry.size,
            "mtime": item.entry.mtime,
            "hash": item.digest,
            "added": time.time(),
        }

    def _fail(self, entry: FileEntry, reason: str) -> None:
        with self.catalog.transaction():
            stale = self.catalog.photo_by_path(entry.path)
            if stale and os.path.exists(entry.path):  # its content changed into something unreadable
                # (a file that is not there is removed by a scan, on evidence that it is gone)
                Keepsakes(self.catalog).keep([stale.id])
                self.catalog.delete_photos([stale.id])
                self.on_removed([stale.id])
            self.catalog.set_problem(entry.path, reason, entry.size, entry.mtime)
        self.report.failed += 1

    def _check_cancel(self) -> None:
        if self.cancel.is_set():
            raise Cancelled()


def _decode_one(item: _Work, spec, faces=None):
    """Runs in a worker thread; any failure becomes a DecodeError for this one file."""
    item.started = time.monotonic()
    if faces is not None and not faces.ready:
        faces = None  # dlib's models still loading: the run's face pass looks at this photo (issue 30)
    try:
        if item.digest is None:
            item.digest = file_hash(item.entry.path)
        need = max(spec.smallest_decode_size(), fingerprint.MIN_SIDE, faces.min_side if faces else 0)
        images, info = load_for_model(item.entry.path, min_side=need)
        # The duplicate finder's fingerprint, while the decoded picture is at hand (a
        # video's: its poster frame, the middle sample).
        shot = info.shot if info.shot is not None else read_shot(item.entry.path)  # RAW, video: their own reader
        item.fingerprint = fingerprint.compute_or_none(images[len(images) // 2], shot)
        # Faces on the same picture (a video's: its poster frame).
        item.faces = look_for_faces(faces, images[len(images) // 2])
        if item.companion and (info.capture is None or info.camera is None or info.gps is None):
            from photoapp.core.media import raw  # the camera's JPEG lost its EXIF: the RAW has it

            capture, camera, gps = raw.read_facts(item.companion)
            info.capture, info.camera, info.gps = info.capture or capture, info.camera or camera, info.gps or gps
            info.taken = info.capture.timestamp if info.capture else info.taken
        if info.gps is None:
            info.gps = metadata.sidecar_position(item.entry.path)
        if info.kind == "video":
            return np.stack([spec.to_array(img) for img in images]), info
        return spec.to_array(images[0]), info
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the run
        raise decode_error(exc) from None


def _outermost(scopes: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Drop scopes inside another scope, so no file is compared (and embedded) twice."""
    kept: list[tuple[int, str]] = []
    for folder_id, path in sorted(set(scopes), key=lambda s: s[1]):
        if not kept or not path.startswith(kept[-1][1].rstrip(os.sep) + os.sep):
            kept.append((folder_id, path))
    return kept


def _stat_photo(path: str) -> dict[str, FileEntry]:
    if not is_photo_name(os.path.basename(path)):
        return {}
    try:
        st = os.stat(path)
    except OSError:
        return {}  # gone again: the catalog side of the scope removes it
    if not stat.S_ISREG(st.st_mode):
        return {}
    return {path: FileEntry(path, st.st_size, st.st_mtime)}


def _photos_at(catalog: Catalog, path: str) -> list[Photo]:
    """The photo at ``path`` and every photo under it, as a range scan of the path index."""
    prefix = path.rstrip(os.sep) + os.sep
    after = prefix[:-1] + chr(ord(os.sep) + 1)
    return catalog._photos("WHERE path=? OR (path>=? AND path<?)", (path, prefix, after))


def _info_values(info: PhotoInfo, mtime: float) -> dict:
    return {
        "width": info.width,
        "height": info.height,
        **_facts_values(metadata.Facts(info.capture, info.gps), mtime),
        "camera": info.camera,
        "orientation": info.orientation,
        "format": info.format,
        "kind": info.kind,
        "duration": info.duration,
    }


def _facts_values(facts: metadata.Facts, mtime: float) -> dict:
    """The catalog columns of a photo's capture time (the file's time, marked, when its
    metadata has none) and position."""
    capture = facts.capture or capture_mod.file_time(mtime)
    return {
        "taken": capture.timestamp if capture else mtime,
        "taken_from_exif": int(facts.capture is not None),
        "taken_local": capture.local if capture else None,
        "taken_offset": capture.offset if capture else None,
        "taken_source": capture.source if capture else None,
        "lat": facts.gps[0] if facts.gps else None,
        "lon": facts.gps[1] if facts.gps else None,
        "meta_version": metadata.VERSION,
    }


def _kind(item: _Work) -> str:
    return "raw" if item.companion else media_kind(item.entry.path)
