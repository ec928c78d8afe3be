"""The folder watcher on real folders, real watchdog observers and the tiny model.

One library (and so one model load) serves the module; each test watches a fresh
folder of its own. Everything waits by polling with generous deadlines, never by a
fixed sleep, so a loaded 2-core machine only makes the tests slower.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

import pytest

from photoapp.core.library import Library
from photoapp.core.store.catalog import Catalog
from photoapp.core.watching.watcher import ChangeSet, FolderWatcher, WatchOptions
from photoapp.toy.domain import generate_library

DEADLINE = 120.0  # a wait for correctness, not a timing check


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    lib = Library(tmp_path_factory.mktemp("watchlib") / "library", model="toy")
    lib.embedder.load()
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def toy_source(tmp_path_factory) -> list[Path]:
    """Toy photos to copy in, each with content of its own (identical copies would make
    'which row moved where' ambiguous: moves are matched by content hash)."""
    folder = tmp_path_factory.mktemp("toysrc")
    unique = {hashlib.sha1(p.read_bytes()).digest(): p for p in generate_library(folder, per_class=3, seed=5)}
    return sorted(unique.values())


class Watching:
    """A started watcher on ``folder``, plus a reader with its own catalog connection
    (like another process), and what the callbacks reported."""

    def __init__(self, library: Library, folder: Path, **options):
        self.library, self.folder = library, folder
        folder.mkdir(parents=True, exist_ok=True)
        library.add_folders([folder])
        self.batches, self.states = [], []
        opts = WatchOptions(settle=options.pop("settle", 0.5), poll_interval=0.3, health_every=1.0, **options)
        self.watcher = FolderWatcher(
            library, opts, on_batch=lambda r, p: self.batches.append((r, p)), on_status=self.states.append
        )
        self.reader = Catalog(library.path / "catalog.sqlite3")

    def __enter__(self):
        self.watcher.start()
        wait_for(lambda: self.watcher.status.state in ("watching", "indexing", "failed"))
        assert self.watcher.error is None
        return self

    def __exit__(self, *exc):
        assert self.watcher.stop(timeout=10)
        self.reader.close()

    def idle(self) -> bool:
        """Nothing pending and the last batch reported (it is reported after it is saved)."""
        return self.watcher.status.state == "watching" and not len(self.watcher.changes)

    def paths(self) -> dict[str, int]:
        """Catalogued photos under the watched folder that have an embedding: path -> id."""
        prefix = str(self.folder) + os.sep
        rows = self.reader.db.execute(
            "SELECT p.path, p.id FROM photos p JOIN embeddings e ON e.photo_id = p.id AND e.model = 'toy'"
        )
        return {path: pid for path, pid in rows if path.startswith(prefix)}

    def on_disk(self) -> set[str]:
        return {str(p) for p in self.folder.rglob("*") if p.is_file()}


def wait_for(condition, deadline: float = DEADLINE, what: str = "condition") -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {deadline}s waiting for {what}")


def copy_in(sources: list[Path], folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    return [shutil.copy2(src, folder / src.name) for src in sources]


def test_new_photos_are_indexed_in_batches_once_each(library, toy_source, tmp_path):
    with Watching(library, tmp_path / "new", max_batch=16) as w:
        copy_in(toy_source[:60], w.folder)
        wait_for(lambda: len(w.paths()) == 60, what="60 photos indexed")
        wait_for(w.idle, what="the watcher idle")
        assert set(w.paths()) == w.on_disk()
        assert sum(r.embedded for r, _ in w.batches) == 60  # nothing embedded twice
        assert len([r for r, _ in w.batches if r.embedded]) >= 4  # at most 16 embedded per batch
        assert all(r.embedded <= 16 for r, _ in w.batches)
    assert library.check(repair=False)["index_agrees"]  # the saved index matches the catalog


def test_file_written_slowly_in_chunks_is_read_only_when_complete(library, shared_photos, tmp_path):
    data = sorted(shared_photos.glob("*.jpg"))[0].read_bytes()
    # The writer pauses 0.3 s between chunks; a settle interval of 2 s (not 1) leaves a busy
    # machine 1.7 s of slack to wake the writer before the watcher could think it finished.
    with Watching(library, tmp_path / "slow", settle=2.0) as w:
        target = w.folder / "camera_import.jpg"
        chunks = [data[i : i + len(data) // 8 + 1] for i in range(0, len(data), len(data) // 8 + 1)]
        with open(target, "wb") as fh:
            for chunk in chunks:  # a slow copy: pauses shorter than the settle interval
                fh.write(chunk)
                fh.flush()
                time.sleep(0.3)
                assert not w.paths(), "a half-written file was indexed"
        wait_for(lambda: str(target) in w.paths(), what="the finished file indexed")
        photo = w.reader.photo_by_path(str(target))
        assert photo.size == len(data) and w.reader.problems() == []


def test_moves_renames_and_deletions_keep_embeddings_and_leave_no_stale_paths(library, toy_source, tmp_path):
    with Watching(library, tmp_path / "moves") as w:
        copy_in(toy_source[:12], w.folder / "album")
        wait_for(lambda: len(w.paths()) == 12, what="12 photos indexed")
        wait_for(w.idle, what="the watcher idle")
        before, batches_before = w.paths(), len(w.batches)
        files = sorted(before)
        (w.folder / "sub").mkdir()
        for path in files[:4]:  # moved into a subfolder
            os.rename(path, w.folder / "sub" / os.path.basename(path))
        os.rename(files[4], os.path.join(os.path.dirname(files[4]), "renamed_" + os.path.basename(files[4])))
        for path in files[5:8]:
            os.remove(path)
        os.rename(w.folder / "album", w.folder / "album2")  # the folder with what is left
        wait_for(lambda: set(w.paths()) == w.on_disk(), what="catalog == disk after moves")
        wait_for(w.idle, what="the watcher idle")
        after = w.paths()
        assert sorted(before[f] for f in files[:5] + files[8:]) == sorted(after.values())  # same rows
        later = [r for r, _ in w.batches[batches_before:]]
        assert sum(r.embedded for r in later) == 0 and sum(r.moved for r in later) >= 5  # moves never re-embed
    hits = library.search("circle", k=50, cutoff=False)
    assert hits and all(os.path.exists(h.path) for h in hits)


def test_restart_reconciles_what_changed_while_stopped(library, toy_source, tmp_path):
    folder = tmp_path / "restart"
    with Watching(library, folder) as w:
        copy_in(toy_source[:10], folder)
        wait_for(lambda: len(w.paths()) == 10, what="10 photos indexed")
        ids = w.paths()
    files = sorted(ids)
    os.remove(files[0])
    os.rename(files[1], folder / "renamed_while_stopped.png")
    copy_in(toy_source[20:25], folder / "later")
    shutil.copyfile(toy_source[40], files[2])  # changed content, same name
    with Watching(library, folder) as w:  # reconciled before it reports "watching"
        assert set(w.paths()) == w.on_disk()
        assert w.paths()[str(folder / "renamed_while_stopped.png")] == ids[files[1]]


def test_polling_mode_sees_changes(library, toy_source, tmp_path):
    with Watching(library, tmp_path / "polled", polling=True) as w:
        assert w.watcher.status.mode == "polling"
        copy_in(toy_source[:5], w.folder / "deep" / "er")
        wait_for(lambda: len(w.paths()) == 5, what="5 photos indexed by polling")
        os.remove(sorted(w.paths())[0])
        wait_for(lambda: len(w.paths()) == 4, what="a deletion seen by polling")


def test_move_destination_waits_for_its_source():
    """A move's source is handed over with its destination, never before it."""
    changes = ChangeSet(settle=1.0)
    changes.touch("/lib/a.jpg", 0.0)
    changes.touch("/lib/b.jpg", 0.0, {"/lib/a.jpg"})
    changes.entries["/lib/b.jpg"].sig = (10, 1)  # b exists and is still settling
    changes.entries["/lib/a.jpg"].sig = None  # a is gone
    changes.entries["/lib/b.jpg"].since = 0.8
    assert changes.take_ready(1.2, limit=10) == []
    assert changes.take_ready(2.0, limit=10) == ["/lib/a.jpg", "/lib/b.jpg"]


def test_a_video_settles_longer_than_a_photo(tmp_path):
    """A video still being copied (a phone over USB pauses between chunks) waits for the
    longer video settle before it is read; a photo beside it goes on the usual settle."""
    photo, clip = tmp_path / "a.jpg", tmp_path / "b.mp4"
    photo.write_bytes(b"x")
    clip.write_bytes(b"x")
    changes = ChangeSet(settle=1.0, video_settle=3.0)
    for path in (photo, clip):
        changes.touch(str(path), now=0.0)
    changes.refresh(now=0.0)
    assert changes.take_ready(now=1.5, limit=10) == [str(photo)]
    clip.write_bytes(b"xx")  # more of it arrived
    changes.refresh(now=2.0)
    assert changes.take_ready(now=4.5, limit=10) == []  # unchanged for 2.5 s only
    assert changes.take_ready(now=5.0, limit=10) == [str(clip)]


def test_video_copied_slowly_and_a_raw_pair_arriving_in_halves(library, tmp_path):
    """A video written in chunks with pauses longer than a photo's settle is read once,
    complete; a DNG and then its JPEG become one photo whose row the DNG started."""
    pytest.importorskip("rawpy")
    pytest.importorskip("av")
    from PIL import Image

    from tests.media import toy_frames, write_dng, write_video

    data = write_video(tmp_path / "clip.mp4", toy_frames(n=16)).read_bytes()
    picture = Image.new("RGB", (160, 120), (240, 240, 240))
    with Watching(library, tmp_path / "media", settle=0.3, video_settle=2.5) as w:
        target = w.folder / "VID_0001.mp4"
        step = len(data) // 4 + 1
        with open(target, "wb") as fh:
            for start in range(0, len(data), step):  # pauses longer than the photo settle
                fh.write(data[start : start + step])
                fh.flush()
                time.sleep(0.8)
                assert not w.paths() and not w.reader.problems(), "a half-copied video was read"
        wait_for(lambda: str(target) in w.paths(), what="the finished video indexed")
        assert w.reader.photo_by_path(str(target)).kind == "video" and w.reader.problems() == []

        raw = write_dng(picture, w.folder / "IMG_0002.dng")
        wait_for(lambda: str(raw) in w.paths(), what="the DNG indexed")
        first = w.paths()[str(raw)]
        picture.save(w.folder / "IMG_0002.jpg", quality=90)
        jpeg = str(w.folder / "IMG_0002.jpg")
        wait_for(lambda: jpeg in w.paths() and str(raw) not in w.paths(), what="the pair formed")
        assert w.paths()[jpeg] == first and w.reader.photo_by_path(jpeg).companion == str(raw)


def test_problems_of_files_fixed_or_deleted_are_cleared(library, shared_photos, tmp_path):
    """Issue 29: a broken file replaced by a good copy of a known photo, or deleted, is no
    longer listed as a problem."""
    good = sorted(shared_photos.glob("*.jpg"))[1]
    with Watching(library, tmp_path / "fixes") as w:
        shutil.copy2(good, w.folder / "good.jpg")
        (w.folder / "broken.jpg").write_bytes(b"\xff\xd8\xff not a jpeg")
        (w.folder / "doomed.jpg").write_bytes(b"\xff\xd8\xff not a jpeg either")
        broken, doomed = str(w.folder / "broken.jpg"), str(w.folder / "doomed.jpg")
        wait_for(lambda: {p["path"] for p in w.reader.problems()} >= {broken, doomed}, what="two problems")
        shutil.copy2(good, w.folder / "broken.jpg.part")
        os.replace(w.folder / "broken.jpg.part", broken)  # fixed: now a copy of good.jpg
        os.remove(doomed)
        wait_for(lambda: broken in w.paths(), what="the fixed file indexed")
        wait_for(lambda: not w.reader.problems(), what="no problems left")


def test_a_library_inside_a_watched_folder_is_never_indexed(shared_photos, tmp_path):
    """Issue 29: thumbnails written into a library that lives inside its photo folder must
    not be indexed (they used to be, without end)."""
    from photoapp.core.media.thumbnails import load_or_render

    photos = sorted(shared_photos.glob("*.jpg"))
    folder = tmp_path / "photos"
    copy_in(photos[:4], folder)
    with Library(folder / "library", model="toy") as lib:
        lib.index_folders([str(folder)])
        with Watching(lib, folder) as w:
            for photo in lib.catalog.all_photos():
                load_or_render(lib.path, photo.path, photo.mtime, 256)
            shutil.copy2(photos[0], lib.path / "stray.jpg")
            shutil.copy2(photos[4], folder / "sentinel.jpg")  # its event comes after theirs
            wait_for(lambda: str(folder / "sentinel.jpg") in w.paths(), what="the sentinel indexed")
            wait_for(w.idle, what="the watcher idle")
            expected = {str(folder / p.name) for p in photos[:4]} | {str(folder / "sentinel.jpg")}
            assert set(w.paths()) == expected
            assert lib.catalog.count_photos() == 5
