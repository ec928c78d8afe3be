"""Library folders by what they are, the library never indexing itself, and offline
folders that are never emptied (issue 29, findings 1-3), on real photos and the tiny model."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess

import pytest

from photoapp.core.library import Library, LibraryError
from photoapp.core.media.thumbnails import load_or_render
from photoapp.core.store.keepsakes import Keepsakes
from tests.hostile import photo_beyond_path_max


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "lib", model="toy") as library:
        yield library


@contextlib.contextmanager
def mounted(*args):
    """``mount ARGS`` for the block (root only, where the machine allows); skips otherwise."""
    target = args[-1]
    result = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"cannot mount here: {result.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", target], check=True)


def _paths(lib):
    return sorted(p.path for p in lib.catalog.all_photos())


# -- finding 1: one folder, one name ------------------------------------------------------
def test_a_symlink_alias_of_a_library_folder_is_refused_naming_it(lib, real_photos, tmp_path):
    lib.index_folders([str(real_photos)])
    os.symlink(real_photos, tmp_path / "alias")
    with pytest.raises(LibraryError, match=f"same folder as {real_photos}"):
        lib.index_folders([str(tmp_path / "alias")])
    (real_photos / "sub").mkdir()
    with pytest.raises(LibraryError, match=f"inside {real_photos}"):
        lib.add_folders([str(tmp_path / "alias" / "sub")])
    assert lib.folders() == [str(real_photos)] and lib.status()["photos"] == 6


def test_a_bind_mount_of_a_library_folder_is_the_same_folder(lib, real_photos, tmp_path):
    lib.index_folders([str(real_photos)])
    (tmp_path / "mnt").mkdir()
    with (
        mounted("--bind", str(real_photos), str(tmp_path / "mnt")),
        pytest.raises(LibraryError, match="same folder as"),
    ):
        lib.add_folders([str(tmp_path / "mnt")])
    assert lib.folders() == [str(real_photos)]


def test_a_subfolder_is_refused_and_a_parent_takes_its_folders_over(lib, real_photos, tmp_path):
    sub = real_photos / "sub"
    sub.mkdir()
    shutil.move(str(next(real_photos.glob("*.jpg"))), sub)
    lib.index_folders([str(sub)])
    (photo,) = lib.catalog.all_photos()
    lib.tags.add("mine", [photo.path])
    (sub / "inner").mkdir()
    with pytest.raises(LibraryError, match=f"inside {sub}"):
        lib.add_folders([str(sub / "inner")])
    lib.warnings.clear()
    report = lib.index_folders([str(real_photos)])  # the parent of the library folder
    assert lib.folders() == [str(real_photos)] and any("merged" in w for w in lib.warnings)
    assert report.embedded == 5 and report.removed == 0 and len(lib.catalog.all_photos()) == 6
    kept = lib.catalog.photo_by_path(photo.path)
    assert kept.id == photo.id and "mine" in lib.photo(photo.path)["tags"]


def test_a_link_to_another_library_folder_is_not_walked_twice(lib, real_photos, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy2(next(real_photos.glob("*.jpg")), other / "elsewhere.jpg")
    os.symlink(other, real_photos / "link-to-other")
    os.symlink(real_photos, real_photos / "link-to-self")
    lib.index_folders([str(real_photos), str(other)])
    assert len(_paths(lib)) == 7 and not any("link-to" in p for p in _paths(lib))
    again = lib.index_folders()
    assert again.removed == again.moved == again.embedded == 0 and len(_paths(lib)) == 7


# -- finding 2: the library and the caches are never indexed ------------------------------
def test_a_library_inside_its_photo_folder_never_indexes_itself(real_photos, tmp_path, monkeypatch):
    monkeypatch.setenv("PHOTOAPP_MODELS_DIR", str(real_photos / "models-cache"))
    shutil.copy2(next(real_photos.glob("*.jpg")), real_photos / "copy-before.jpg")
    (real_photos / "models-cache" / "x").mkdir(parents=True)
    shutil.copy2(next(real_photos.glob("*.jpg")), real_photos / "models-cache" / "x" / "cached.jpg")
    with Library(real_photos / "library", model="toy") as lib:
        lib.index_folders([str(real_photos)])
        for photo in lib.catalog.all_photos():
            load_or_render(lib.path, photo.path, photo.mtime, 256)  # thumbnails, as the window renders
        assert len(list((real_photos / "library").rglob("*.jpg"))) == 7
        lib.index_folders()
        lib.index_paths([str(real_photos / "library"), str(real_photos / "models-cache" / "x" / "cached.jpg")])
        assert lib.status()["photos"] == 7
        tops = {os.path.relpath(p, real_photos).split(os.sep)[0] for p in _paths(lib)}
        assert not tops & {"library", "models-cache"}
        with pytest.raises(LibraryError, match="own library or cache"):
            lib.add_folders([str(real_photos / "library" / "thumbnails")])


# -- finding 3: offline, never emptied ----------------------------------------------------
def _tag_everything(lib):
    paths = _paths(lib)
    lib.tags.add("trip", paths[:3])
    lib.tags.remove("blurry", paths[:1])  # a rejected tag: a tombstone the user made
    return {
        p: sorted((t["tag"], t["source"]) for t in lib.photo(p)["tag_details"] if t["source"] != "auto") for p in paths
    }


def test_an_empty_folder_root_is_offline_and_keeps_its_photos(lib, real_photos, tmp_path):
    lib.index_folders([str(real_photos)])
    before = _tag_everything(lib)
    parked = tmp_path / "parked"
    os.rename(real_photos, parked)
    real_photos.mkdir()  # the mount point left behind by an unmounted drive
    report = lib.index_folders()
    assert report.offline_folders == [str(real_photos)] and report.removed == 0
    status = lib.status()
    assert status["photos"] == 6 and status["offline"] == [
        {"path": str(real_photos), "reason": status["offline"][0]["reason"]}
    ]
    assert "empty" in status["offline"][0]["reason"]
    assert lib.check()["vanished_count"] == 0 and lib.status()["photos"] == 6
    real_photos.rmdir()
    os.rename(parked, real_photos)  # the drive is back
    assert lib.index_folders().removed == 0 and lib.status()["offline"] == []
    assert {p: before[p] for p in _paths(lib)} == before


def test_an_unmounted_drive_is_offline(lib, real_photos):
    """A real empty mount point: tmpfs mounted over the folder hides its photos."""
    lib.index_folders([str(real_photos)])
    with mounted("-t", "tmpfs", "none", str(real_photos)):
        report = lib.index_folders()
        assert report.offline_folders == [str(real_photos)] and report.removed == 0
        assert [f["path"] for f in lib.status()["offline"]] == [str(real_photos)]
    assert lib.status()["photos"] == 6 and lib.index_folders().removed == 0


def test_a_subfolder_that_cannot_be_listed_keeps_its_photos(lib, real_photos, tmp_path):
    sub = real_photos / "share"
    sub.mkdir()
    for photo in sorted(real_photos.glob("*.jpg"))[:2]:
        shutil.move(str(photo), sub)
    lib.index_folders([str(real_photos)])
    before = _tag_everything(lib)
    os.rename(sub, tmp_path / "away")
    os.symlink(tmp_path / "share-server" / "share", sub)  # a link to a share that is not there now
    report = lib.index_folders()
    assert report.removed == 0 and lib.status()["photos"] == 6
    assert [p["path"] for p in lib.problems()] == [str(sub)]
    sub.unlink()
    os.rename(tmp_path / "away", sub)
    assert lib.index_folders().removed == 0 and lib.problems() == []
    assert {p: before[p] for p in _paths(lib)} == before


def test_removed_photos_get_their_hand_made_tags_back_when_they_return(lib, real_photos, tmp_path):
    lib.index_folders([str(real_photos)])
    before = _tag_everything(lib)
    tagged = _paths(lib)[0]
    shutil.move(tagged, tmp_path / "kept-aside.jpg")
    report = lib.index_folders()
    assert report.removed == 1 and lib.status()["photos"] == 5
    assert Keepsakes(lib.catalog).count() == 1
    back = real_photos / "renamed" / "back.jpg"  # same content, another path
    back.parent.mkdir()
    shutil.move(tmp_path / "kept-aside.jpg", back)
    lib.index_folders()
    details = lib.photo(back)["tag_details"]
    assert sorted((t["tag"], t["source"]) for t in details if t["source"] != "auto") == before[tagged]
    assert Keepsakes(lib.catalog).count() == 0


def test_a_photo_beyond_path_max_is_a_problem_entry(lib, real_photos, shared_photos):
    """Issue 29, finding 12: it used to be skipped with no word."""
    deepest = photo_beyond_path_max(real_photos, (shared_photos / "Garden.jpg").read_bytes())
    report = lib.index_folders([str(real_photos)])
    assert report.embedded == 6
    (problem,) = lib.problems()
    assert "too long" in problem["error"] and deepest.startswith(problem["path"])


def test_an_older_catalog_with_one_folder_under_two_names_is_folded(lib, real_photos, tmp_path):
    """A catalog written before folders had identities: the folder and its symlink alias
    both registered and both indexed (every photo twice, each its own exact duplicate)."""
    lib.index_folders([str(real_photos)])
    os.symlink(real_photos, tmp_path / "alias")
    with lib.catalog.transaction():
        alias_id = lib.catalog.add_folder(str(tmp_path / "alias"))  # no identity: as an old catalog has
    lib.indexing._run(lambda indexer: indexer.run([(alias_id, str(tmp_path / "alias"))]), None, None)
    assert lib.status()["photos"] == 12 and lib.duplicates.find("exact")
    name = sorted(os.listdir(real_photos))[0]
    first = str(real_photos / name)
    lib.tags.add("alias-tag", [str(tmp_path / "alias" / name)])
    report = lib.index_folders()
    assert lib.folders() == [str(real_photos)] and any("merged" in w for w in lib.warnings)
    assert report.removed == 6 and lib.status()["photos"] == 6 and not lib.duplicates.find("exact")
    assert "alias-tag" in lib.photo(first)["tags"]  # a hand-made tag of the alias row is kept


def test_a_link_to_a_library_photo_seen_by_a_watcher_is_not_a_second_photo(lib, real_photos):
    lib.index_folders([str(real_photos)])
    os.symlink(sorted(real_photos.glob("*.jpg"))[0], real_photos / "link.jpg")
    lib.index_paths([str(real_photos / "link.jpg")])  # what a folder watcher does with the new link
    assert lib.status()["photos"] == 6 and not lib.duplicates.find("exact")
    lib.index_folders()
    assert lib.status()["photos"] == 6 and not lib.duplicates.find("exact")


def test_a_model_switch_while_a_drive_is_away_keeps_its_photos(real_photos, shared_photos, tmp_path):
    """The new model cannot read photos that are not there: they wait, never removed."""
    drive = tmp_path / "drive"
    drive.mkdir()
    shutil.copy2(shared_photos / "Storm.jpg", drive / "Storm.jpg")
    (real_photos / "share").mkdir()
    shutil.move(str(sorted(real_photos.glob("*.jpg"))[0]), real_photos / "share")
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.index_folders([str(real_photos), str(drive)])
        toy_folder = lib.embedder.source.folder
    os.rename(drive, tmp_path / "drive-away")
    drive.mkdir()  # an empty mount point
    os.rename(real_photos / "share", tmp_path / "share-away")
    os.symlink(tmp_path / "server" / "share", real_photos / "share")  # a share that is not there
    other = tmp_path / "toy-copy"
    shutil.copytree(toy_folder, other)
    with Library(tmp_path / "lib", model=str(other)) as lib:
        report = lib.index_folders()
        assert report.removed == 0 and report.embedded == 5 and lib.status()["photos"] == 7
    drive.rmdir()
    os.rename(tmp_path / "drive-away", drive)
    (real_photos / "share").unlink()
    os.rename(tmp_path / "share-away", real_photos / "share")
    with Library(tmp_path / "lib", model=str(other)) as lib:
        report = lib.index_folders()
        assert report.embedded == 2 and lib.model_name == str(other) and lib.status()["photos"] == 7


def test_a_returning_file_is_a_taught_tags_example_again(lib, real_photos, tmp_path):
    lib.index_folders([str(real_photos)])
    paths = _paths(lib)
    lib.tags.train("favourite-view", paths[:3], paths[3:4])
    shutil.move(paths[0], tmp_path / "aside.jpg")
    shutil.move(paths[3], tmp_path / "aside-counter.jpg")
    assert lib.index_folders().removed == 2
    positives, negatives = lib.tags.probes.examples("favourite-view")
    assert len(positives) == 2 and not negatives
    shutil.move(tmp_path / "aside.jpg", real_photos / "back.jpg")
    shutil.move(tmp_path / "aside-counter.jpg", real_photos / "counter-back.jpg")
    lib.index_folders()
    positives, negatives = lib.tags.probes.examples("favourite-view")
    assert lib.catalog.photo_by_path(str(real_photos / "back.jpg")).id in positives
    assert negatives == {lib.catalog.photo_by_path(str(real_photos / "counter-back.jpg")).id}


def test_a_watcher_batch_on_an_empty_mount_point_removes_nothing(lib, real_photos, tmp_path):
    lib.index_folders([str(real_photos)])
    paths = _paths(lib)
    os.rename(real_photos, tmp_path / "away")
    real_photos.mkdir()  # what a watcher sees when the drive is unmounted under it
    report = lib.index_paths([*paths, str(real_photos)])
    assert report.removed == 0 and report.offline_folders == [str(real_photos)] and lib.status()["photos"] == 6
