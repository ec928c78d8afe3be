"""Folders by what they are: identity, fences, folders that cannot be listed, long paths."""

from __future__ import annotations

import os

from photoapp.core.media.folders import Fence, identity, known_gone, offline_reason, relation
from photoapp.core.media.scanner import FileEntry, SkippedEntry, UnreachableEntry, walk_photos
from tests.hostile import photo_beyond_path_max


def _touch(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_symlink_is_the_same_folder_and_a_subfolder_is_inside(tmp_path):
    (tmp_path / "real" / "sub").mkdir(parents=True)
    os.symlink(tmp_path / "real", tmp_path / "alias")
    real, alias, sub = (identity(tmp_path / n) for n in ("real", "alias", "real/sub"))
    assert relation(alias, real) == "same"
    assert relation(identity(tmp_path / "alias" / "sub"), real) == "inside"
    assert relation(real, sub) == "contains" and relation(sub, real) == "inside"
    (tmp_path / "other").mkdir()
    assert relation(identity(tmp_path / "other"), real) is None


def test_fenced_folders_are_never_walked_even_through_a_link(tmp_path):
    _touch(tmp_path / "photos" / "a.jpg")
    _touch(tmp_path / "photos" / "library" / "thumbnails" / "256" / "t.jpg")
    os.symlink(tmp_path / "photos" / "library" / "thumbnails", tmp_path / "photos" / "thumbs-link")
    fence = Fence.around([tmp_path / "photos" / "library"])
    found = [os.path.basename(e.path) for e in walk_photos(tmp_path / "photos", fence) if isinstance(e, FileEntry)]
    assert found == ["a.jpg"]
    unfenced = [e for e in walk_photos(tmp_path / "photos") if isinstance(e, FileEntry)]
    assert len(unfenced) == 2  # the fence is what keeps the thumbnail out


def test_a_file_is_yielded_once_across_roots_sharing_seen_files(tmp_path):
    _touch(tmp_path / "a" / "one.jpg")
    (tmp_path / "b").mkdir()
    os.link(tmp_path / "a" / "one.jpg", tmp_path / "b" / "hardlink.jpg")
    seen: set = set()
    first = [e for e in walk_photos(tmp_path / "a", seen_files=seen) if isinstance(e, FileEntry)]
    second = [e for e in walk_photos(tmp_path / "b", seen_files=seen) if isinstance(e, FileEntry)]
    assert len(first) == 1 and second == []


def test_a_folder_that_cannot_be_reached_is_named_not_skipped(tmp_path):
    _touch(tmp_path / "root" / "ok.jpg")
    os.symlink(tmp_path / "gone-drive", tmp_path / "root" / "share")  # a dangling folder link
    found = list(walk_photos(tmp_path / "root"))
    unreachable = [e for e in found if isinstance(e, UnreachableEntry)]
    assert [os.path.basename(e.path) for e in unreachable] == ["share"]
    assert not unreachable[0].listed_folder and "cannot be reached" in unreachable[0].reason


def test_a_path_too_long_for_the_system_is_a_problem_not_silence(tmp_path):
    root = tmp_path / "deep"
    root.mkdir()
    photo_beyond_path_max(root, b"\xff\xd8\xff")
    found = list(walk_photos(root))
    problems = [e for e in found if isinstance(e, (UnreachableEntry, SkippedEntry))]
    assert len(problems) == 1 and "too long" in problems[0].reason
    assert len(os.fsencode(problems[0].path)) > 4096 - 201
    assert not [e for e in found if isinstance(e, FileEntry)]


def test_offline_reasons(tmp_path):
    assert "missing" in offline_reason(str(tmp_path / "nowhere"), True)
    (tmp_path / "empty").mkdir()
    assert "empty" in offline_reason(str(tmp_path / "empty"), True)
    assert offline_reason(str(tmp_path / "empty"), False) is None  # a new folder may be empty
    _touch(tmp_path / "full" / "a.jpg")
    assert offline_reason(str(tmp_path / "full"), True) is None


def test_known_gone_needs_positive_evidence(tmp_path):
    photo = _touch(tmp_path / "a.jpg")
    assert known_gone(str(tmp_path / "b.jpg")) and known_gone(str(photo / "x.jpg"))  # ENOENT, ENOTDIR
    assert not known_gone(str(tmp_path / ("x" * 300) / "a.jpg"))  # ENAMETOOLONG proves nothing
