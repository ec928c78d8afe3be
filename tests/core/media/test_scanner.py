"""Walking folders: recursion, hidden folders, symlinks, non-regular files."""

from __future__ import annotations

import os

from photoapp.core.media.scanner import FileEntry, SkippedEntry, file_hash, walk_photos


def _touch(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_recursive_walk_finds_only_photo_names(tmp_path):
    _touch(tmp_path / "a.JPG")
    _touch(tmp_path / "sub" / "deeper" / "b.heic")
    _touch(tmp_path / "sub" / "notes.txt")
    _touch(tmp_path / ".thumbnails" / "hidden.jpg")
    found = [e for e in walk_photos(tmp_path) if isinstance(e, FileEntry)]
    assert sorted(os.path.relpath(e.path, tmp_path) for e in found) == ["a.JPG", "sub/deeper/b.heic"]
    assert all(e.size == 1 for e in found)


def test_symlink_loops_end_and_files_are_not_counted_twice(tmp_path):
    _touch(tmp_path / "real" / "a.jpg")
    os.symlink(tmp_path / "real", tmp_path / "real" / "loop")
    os.symlink(tmp_path / "real", tmp_path / "alias")
    found = [e for e in walk_photos(tmp_path) if isinstance(e, FileEntry)]
    assert len(found) == 1


def test_dangling_symlinks_and_fifos_are_reported(tmp_path):
    os.symlink(tmp_path / "nowhere.jpg", tmp_path / "dangling.jpg")
    os.mkfifo(tmp_path / "pipe.jpg")
    skipped = {os.path.basename(e.path): e.reason for e in walk_photos(tmp_path) if isinstance(e, SkippedEntry)}
    assert "broken" in skipped["dangling.jpg"] and "not a regular file" in skipped["pipe.jpg"]


def test_unreadable_folder_is_skipped(tmp_path):
    _touch(tmp_path / "ok" / "a.jpg")
    locked = tmp_path / "locked"
    _touch(locked / "b.jpg")
    locked.chmod(0)
    try:
        found = [os.path.basename(e.path) for e in walk_photos(tmp_path)]
    finally:
        locked.chmod(0o755)
    assert "a.jpg" in found  # as root the locked folder may still be readable; never an exception


def test_non_utf8_and_emoji_names(tmp_path):
    _touch(tmp_path / "🌅 sunset.jpg")
    raw = os.fsencode(tmp_path) + b"/caf\xe9.jpg"
    with open(raw, "wb") as fh:
        fh.write(b"y")
    names = sorted(os.path.basename(e.path) for e in walk_photos(tmp_path))
    assert len(names) == 2 and "🌅 sunset.jpg" in names


def test_file_hash_depends_on_content_only(tmp_path):
    a, b, c = _touch(tmp_path / "a", b"same"), _touch(tmp_path / "b", b"same"), _touch(tmp_path / "c", b"other")
    assert file_hash(a) == file_hash(b) != file_hash(c)
