"""Watching library folders: new, changed, moved and deleted photos reach the index by themselves.

watchdog reports paths; they are coalesced into a set of pending paths, and a path is
handed to the indexer only once it has *settled* (its size and mtime unchanged for a
settle interval), so a photo still being copied is never read half-written. Settled
paths are reconciled in batches with ``Library.index_paths`` (moves keep their rows and
embeddings, deletions leave catalog and index) and the index is saved after each batch,
so other processes reading the library see the change within seconds.

Native events (inotify, FSEvents, ReadDirectoryChangesW) are used where they work;
network mounts, the ``watch_polling`` setting and a full inotify watch table fall back
to polling. Nothing here imports Qt: the GUI passes callbacks and gets them called on
the watcher's thread. Give the watcher a Library of its own: its SQLite connection is
used from that thread.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from photoapp.core.errors import Cancelled
from photoapp.core.indexing.indexer import IndexReport
from photoapp.core.media.folders import Fence
from photoapp.core.media.formats import is_photo_name, media_kind
from photoapp.core.media.scanner import FileEntry, walk_photos

log = logging.getLogger(__name__)

# Mounts whose changes made on another machine never reach inotify.
NETWORK_FS = {
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "9p",
    "afs",
    "ceph",
    "glusterfs",
    "fuse.sshfs",
    "fuse.rclone",
    "davfs",
    "fuse.davfs2",
    "ncpfs",
    "virtiofs",
}
_UNSEEN = object()  # a pending path's signature before its first look


@dataclass
class WatchOptions:
    polling: bool = False  # poll every folder even where native events exist
    poll_interval: float = 5.0  # seconds between two polls of a polled folder
    settle: float = 1.0  # a file must keep its size and mtime this long before it is read
    # Videos are large and copied slowly (a phone over USB stalls between chunks): they wait
    # longer, and a video read while incomplete is retried when its size or mtime changes.
    video_settle: float = 3.0
    max_batch: int = 256  # files to embed per batch; the index is saved after each batch
    health_every: float = 5.0  # seconds between checks for new, vanished or unwatched folders

    @classmethod
    def from_settings(cls, settings) -> WatchOptions:
        """The library's watch settings section (photoapp.config.WatchSettings)."""
        w = settings.watch
        return cls(
            polling=w.polling,
            poll_interval=w.poll_interval,
            settle=w.settle,
            video_settle=w.video_settle,
            max_batch=w.max_batch,
        )


@dataclass
class WatchStatus:
    state: str  # starting | reconciling | watching | indexing | stopped | failed
    mode: str = ""  # native | polling | native+polling
    pending: int = 0  # changed paths waiting to settle
    photos: int = 0
    indexed: int = 0
    folders: list[str] = field(default_factory=list)
    message: str = ""


BatchFn = Callable[[IndexReport, list[str]], None]
StatusFn = Callable[[WatchStatus], None]


# -- pending changes ---------------------------------------------------------------------
@dataclass
class _Pending:
    since: float  # when it was last touched or last seen to change
    sig: object = _UNSEEN  # (size, mtime_ns) or None when gone
    sources: set[str] = field(default_factory=set)  # where it was moved from
    hold_until: float = 0.0  # not before then (a failed batch waits before its retry)


class ChangeSet:
    """Changed paths waiting to settle. A move's source goes with its destination, so the
    indexer sees both in one batch and keeps the photo's row and embedding."""

    def __init__(self, settle: float, pair_window: float = 10.0, video_settle: float | None = None):
        self.settle = settle
        self.video_settle = max(settle, video_settle if video_settle is not None else settle)
        self.pair_window = max(pair_window, 4 * settle)  # longest a deletion waits for its pair
        self.entries: dict[str, _Pending] = {}
        self.fence = Fence()  # the library and caches: a folder copied in is expanded without them

    def __len__(self) -> int:
        return len(self.entries)

    def touch(self, path: str, now: float, sources: set[str] | None = None, hold: float = 0.0) -> None:
        entry = self.entries.setdefault(path, _Pending(now))
        entry.since, entry.sig = now, _UNSEEN
        entry.sources |= sources or set()
        entry.hold_until = max(entry.hold_until, now + hold)

    def refresh(self, now: float) -> None:
        """Look at every pending path; a folder becomes its photo files (it may be a
        folder moved or copied in, whose files produced no events of their own)."""
        for path, entry in list(self.entries.items()):
            if os.path.isdir(path):
                del self.entries[path]
                self._expand(path, entry, now)
                continue
            sig = _signature(path)
            if sig != entry.sig:
                entry.sig, entry.since = sig, now

    def _expand(self, folder: str, entry: _Pending, now: float) -> None:
        for found in walk_photos(folder, self.fence):
            if isinstance(found, FileEntry):
                self.touch(found.path, now, entry.sources)

    def take_ready(self, now: float, limit: int) -> list[str]:
        """Settled paths (and their move sources), at most ``limit`` that need embedding."""
        ready = {
            p
            for p, e in self.entries.items()
            if e.sig is not _UNSEEN and now - e.since >= self._settle_for(p, e) and now >= e.hold_until
        }
        ready -= set().union(*(e.sources for p, e in self.entries.items() if p not in ready))
        moves = {p for p in ready if self.entries[p].sources}
        gone = {p for p in ready if self.entries[p].sig is None} - moves
        costly = set(sorted(ready - moves - gone)[:limit])
        chosen = self._with_sources(moves | costly)
        if set(self.entries) - chosen - gone:
            # A move the OS reported as a deletion plus a creation (into a folder not yet
            # watched) is kept whole only if the deletion waits for the creation's batch.
            gone = {p for p in gone if now - self.entries[p].since >= self.pair_window}
        chosen |= gone
        for path in chosen:
            self.entries.pop(path, None)
        return sorted(chosen)

    def _settle_for(self, path: str, entry: _Pending) -> float:
        if entry.sig is not None and media_kind(path) == "video":  # a deletion need not wait
            return self.video_settle
        return self.settle

    def _with_sources(self, paths: set[str]) -> set[str]:
        todo, done = list(paths), set()
        while todo:
            path = todo.pop()
            if path in done:
                continue
            done.add(path)
            entry = self.entries.get(path)
            todo += list(entry.sources) if entry else []
        return done


def _signature(path: str):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


# -- events ------------------------------------------------------------------------------
def _event_handler(sink: Callable[[str, str, str], None]):
    from watchdog.events import FileSystemEventHandler

    class _Handler(FileSystemEventHandler):
        """Runs on watchdog's thread: only records (kind, src, dest); the rest is ours."""

        def on_any_event(self, event) -> None:
            if event.event_type in ("opened", "closed_no_write", "attrib"):
                return
            if event.is_directory and event.event_type == "modified":
                return  # a file inside changed; that file has its own event
            sink(event.event_type, os.fsdecode(event.src_path), os.fsdecode(event.dest_path or ""))

    return _Handler()


def _wanted(path: str, roots: list[str], fence: Fence) -> bool:
    """A photo file or a folder, not hidden (like the scanner); '' and foreign paths are not,
    nor anything in the library or a cache (thumbnails written there must not be indexed)."""
    root = next((r for r in roots if path == r or path.startswith(r.rstrip(os.sep) + os.sep)), None)
    if root is None or fence.blocks(path):
        return False
    parts = os.path.relpath(path, root).split(os.sep)
    if any(part.startswith(".") for part in parts if part != "."):
        return False
    return os.path.isdir(path) or is_photo_name(parts[-1]) or not os.path.exists(path)


# -- observers ---------------------------------------------------------------------------
def _mount_type(path: str) -> str:
    """The file-system type of the mount holding ``path`` (Linux), else ''."""
    try:
        with open("/proc/self/mounts", encoding="utf-8") as fh:
            mounts = [line.split()[1:3] for line in fh]
    except OSError:
        return ""
    real = os.path.realpath(path)
    best = max(
        (m for m in mounts if real == m[0] or real.startswith(m[0].rstrip("/") + "/")),
        key=lambda m: len(m[0]),
        default=None,
    )
    return best[1] if best else ""


def _inotify_watch_count() -> int | None:
    """Watches this process holds (Linux): fewer than folders watched means the limit hit."""
    if not sys.platform.startswith("linux"):
        return None
    total = 0
    for fd in os.listdir("/proc/self/fdinfo"):
        try:
            with open(f"/proc/self/fdinfo/{fd}", encoding="utf-8") as fh:
                total += fh.read().count("inotify wd:")
        except OSError:
            continue
    return total


def _folder_count(roots: list[str]) -> int:
    return sum(1 for root in roots for _ in os.walk(root))


def _watch_limit_message(error: str, interval: float) -> str:
    limits = []
    for name in ("/proc/sys/fs/inotify/max_user_watches", "/proc/sys/user/max_inotify_watches"):
        try:
            with open(name, encoding="utf-8") as fh:
                limits.append(int(fh.read()))
        except (OSError, ValueError):
            continue
    limit = f" (the limit is {min(limits)} folders)" if limits else ""
    return (
        f"cannot watch every folder natively: {error}{limit}; falling back to polling every "
        f"{interval:g}s. To watch natively, raise the limit, e.g. "
        "sudo sysctl fs.inotify.max_user_watches=524288"
    )


class _Observers:
    """A native observer and a polling one; each root is watched by exactly one of them."""

    def __init__(self, handler, options: WatchOptions):
        self.handler, self.options = handler, options
        self.native = self.polling = None
        self.watches: dict[str, tuple[object, object]] = {}  # root -> (observer, watch)
        self.force_polling = options.polling

    def mode(self) -> str:
        kinds = sorted({"native" if obs is self.native else "polling" for obs, _ in self.watches.values()})
        return "+".join(kinds)

    def watch(self, root: str) -> str | None:
        """Watch ``root``; returns a message when native watching failed and polling took over."""
        if self.force_polling or _mount_type(root) in NETWORK_FS:
            self._schedule(self._polling(), root)
            return None
        try:
            self._schedule(self._native(), root)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EMFILE):
                raise
            self.force_polling = True
            self._schedule(self._polling(), root)
            return _watch_limit_message(exc.strerror or str(exc), self.options.poll_interval)
        return None

    def unwatch(self, root: str) -> None:
        obs, watch = self.watches.pop(root)
        try:
            obs.unschedule(watch)
        except (KeyError, OSError):
            pass  # its emitter already ended (the folder vanished)

    def native_roots(self) -> list[str]:
        return [r for r, (obs, _) in self.watches.items() if obs is self.native]

    def to_polling(self) -> list[str]:
        """Move every natively watched root to the polling observer; returns them."""
        moved = self.native_roots()
        for root in moved:
            self.unwatch(root)
        self.force_polling = True
        for root in moved:
            self._schedule(self._polling(), root)
        return moved

    def alive(self, root: str) -> bool:
        obs, watch = self.watches[root]
        emitter = obs._emitter_for_watch.get(watch)  # noqa: SLF001 - watchdog has no public check
        return emitter is not None and emitter.is_alive()

    def _schedule(self, obs, root: str) -> None:
        watch = obs.schedule(self.handler, root, recursive=True)
        self.watches[root] = (obs, watch)

    def _native(self):
        if self.native is None:
            from watchdog.observers import Observer

            self.native = Observer()
            self.native.start()
        return self.native

    def _polling(self):
        if self.polling is None:
            from watchdog.observers.polling import PollingObserver

            self.polling = PollingObserver(timeout=self.options.poll_interval)
            self.polling.start()
        return self.polling

    def stop(self) -> None:
        for obs in (self.native, self.polling):
            if obs is not None:
                obs.stop()
        for obs in (self.native, self.polling):
            if obs is not None:
                obs.join(timeout=2)


# -- the watcher -------------------------------------------------------------------------
class FolderWatcher:
    """Keeps a library's index in step with its folders, on a thread of its own.

    ``start()`` reconciles what changed while nothing watched, then watches;
    ``stop()`` cancels any batch in progress, saves the index and returns within
    ``timeout``. ``on_batch(report, paths)`` and ``on_status(WatchStatus)`` are called
    on the watcher's thread (a GUI forwards them through a queued signal).
    """

    def __init__(
        self,
        library,
        options: WatchOptions | None = None,
        *,
        on_batch: BatchFn | None = None,
        on_status: StatusFn | None = None,
    ):
        self.library = library
        self.options = options or WatchOptions.from_settings(library.settings)
        self.on_batch = on_batch or (lambda report, paths: None)
        self.on_status = on_status or (lambda status: None)
        self.changes = ChangeSet(self.options.settle, video_settle=self.options.video_settle)
        self._events: list[tuple[str, str, str]] = []
        self._events_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._observers: _Observers | None = None
        self._saw_new_folders = False
        self._failures = 0
        self.status = WatchStatus("stopped")
        self.error: BaseException | None = None

    # -- public -------------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="photoapp-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 4.0) -> bool:
        """Ask the watcher to finish; True when it has (index saved) within ``timeout``."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- thread -------------------------------------------------------------------------
    def _run(self) -> None:
        self._report("starting")
        try:
            # Watch first, then reconcile: a change made during the reconcile is not lost.
            self._observers = _Observers(_event_handler(self._on_event), self.options)
            self.changes.fence = Fence.around(self.library.indexing.private_folders())
            self._sync_folders(reconcile=False)
            self._check_watch_limit()
            self._report("reconciling")
            self.library.index_folders(cancel=self._stop)
            self._report("watching")
            self._loop()
        except Cancelled:
            pass
        except Exception as exc:  # noqa: BLE001 - the owner must hear why watching stopped
            log.exception("folder watcher failed")
            self.error = exc
            self._report("failed", f"{type(exc).__name__}: {exc}")
        finally:
            self._shutdown()

    def _loop(self) -> None:
        tick = min(0.25, self.options.settle / 4)
        next_health = time.monotonic() + self.options.health_every
        while not self._stop.is_set():
            now = time.monotonic()
            self._drain_events(now)
            self.changes.refresh(now)
            paths = self.changes.take_ready(now, self.options.max_batch)
            if paths:
                self._index(paths)
                continue  # more may be ready already; a burst goes batch after batch
            if now >= next_health:
                self._check_health()
                next_health = now + self.options.health_every
            self._wake.wait(tick)
            self._wake.clear()

    def _index(self, paths: list[str]) -> None:
        self._report("indexing")
        try:
            report = self.library.index_paths(paths, cancel=self._stop)  # saves the index
        except (OSError, sqlite3.OperationalError) as exc:
            self._retry_later(paths, exc)  # a busy catalog or a drive gone for a moment
            return
        self._failures = 0
        self.on_batch(report, paths)
        self._report("watching")

    def _retry_later(self, paths: list[str], exc: Exception) -> None:
        self._failures += 1
        if self._failures > 3:
            raise exc
        self._report("watching", f"could not index {len(paths)} changed paths ({exc}); retrying")
        now = time.monotonic()
        for path in paths:
            self.changes.touch(path, now, hold=2.0 * self._failures)

    def _shutdown(self) -> None:
        if self._observers is not None:
            self._observers.stop()
        try:
            self.library.save_index()
        except Exception:  # noqa: BLE001 - nothing more can be done while stopping
            log.exception("could not save the index while stopping")
        if self.status.state != "failed":
            self._report("stopped")

    # -- events -------------------------------------------------------------------------
    def _on_event(self, kind: str, src: str, dest: str) -> None:
        with self._events_lock:
            self._events.append((kind, src, dest))

    def _drain_events(self, now: float) -> None:
        with self._events_lock:
            events, self._events = self._events, []
        roots = list(self._observers.watches) if self._observers else []
        for kind, src, dest in events:
            if kind == "moved":
                self._moved(src, dest, roots, now)
            elif _wanted(src, roots, self.changes.fence):
                if kind == "created" and os.path.isdir(src):
                    self._saw_new_folders = True
                self.changes.touch(src, now)

    def _moved(self, src: str, dest: str, roots: list[str], now: float) -> None:
        fence = self.changes.fence
        src_ok, dest_ok = _wanted(src, roots, fence), _wanted(dest, roots, fence)
        if src_ok:
            self.changes.touch(src, now)
        if dest_ok:
            self.changes.touch(dest, now, {src} if src_ok else None)
            self._saw_new_folders |= os.path.isdir(dest)

    # -- folders and health -------------------------------------------------------------
    def _sync_folders(self, reconcile: bool = True) -> None:
        """Watch registered folders that exist (new ones, drives plugged back in); drop
        the rest. A folder watched anew is reconciled: it may have changed unwatched."""
        obs = self._observers
        registered = list(self.library.folders())
        for root in list(obs.watches):
            if root not in registered or not os.path.isdir(root) or not obs.alive(root):
                obs.unwatch(root)
        fresh = [r for r in registered if r not in obs.watches and os.path.isdir(r)]
        for root in fresh:
            message = obs.watch(root)
            if message:
                self._report(self.status.state, message)
        if fresh and reconcile:
            self._index(fresh)

    def _check_watch_limit(self) -> None:
        """inotify skips sub-folders silently once its table is full; count and compare."""
        native = self._observers.native_roots()
        have = _inotify_watch_count()
        if not native or have is None:
            return
        if have < _folder_count(native):
            message = _watch_limit_message("inotify watch limit reached", self.options.poll_interval)
            moved = self._observers.to_polling()
            self._report(self.status.state, message)
            if self.status.state == "watching":
                self._index(moved)  # events under unwatched folders may have been missed

    def _check_health(self) -> None:
        self._sync_folders()
        if self._saw_new_folders:
            self._saw_new_folders = False
            self._check_watch_limit()

    # -- status -------------------------------------------------------------------------
    def _report(self, state: str, message: str = "") -> None:
        lib = self.library
        self.status = WatchStatus(
            state,
            self._observers.mode() if self._observers else "",
            len(self.changes),
            lib.catalog.count_photos(),
            lib.catalog.count_embedded(lib.model_name),
            list(self._observers.watches) if self._observers else [],
            message,
        )
        self.on_status(self.status)
