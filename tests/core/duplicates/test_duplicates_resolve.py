"""Resolving duplicates through the Library: the system trash, undo, "not duplicates",
tags merged into the keeper. Real send2trash into a freedesktop trash under a temp
XDG_DATA_HOME; the tiny model indexes real photographs."""

from __future__ import annotations

import importlib
import os
import shutil

import pytest

from photoapp.core.duplicates.service import DupesError
from photoapp.core.library import Library
from tests.core.duplicates.dupe_variants import make_variants


@pytest.fixture
def xdg_trash(tmp_path, monkeypatch):
    """send2trash reads XDG_DATA_HOME once at import: point it at a temp dir and reload."""
    from send2trash import plat_other

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    importlib.reload(plat_other)
    yield tmp_path / "xdg" / "Trash"
    monkeypatch.undo()
    importlib.reload(plat_other)


@pytest.fixture(scope="module")
def indexed_once(shared_photos, tmp_path_factory):
    """Index once per module, then snapshot: each test restores the snapshot (same paths,
    same mtimes) instead of indexing again."""
    base = tmp_path_factory.mktemp("dupes")
    folder = base / "photos"
    folder.mkdir()
    family = make_variants(shared_photos / "Dune.jpg", folder)[:5]  # original, copy, exif, half, q55
    for extra in folder.iterdir():
        if extra not in family:
            extra.unlink()
    shutil.copy2(shared_photos / "Wood.jpg", folder / "Wood.jpg")  # a distinct photo
    with Library(base / "lib", model="toy") as lib:
        lib.index_folders([str(folder)])
    for name in ("photos", "lib"):
        shutil.copytree(base / name, base / f"snap-{name}")
    return base, [str(p) for p in family]


@pytest.fixture
def library(indexed_once):
    base, family = indexed_once
    for name in ("photos", "lib"):
        shutil.rmtree(base / name)
        shutil.copytree(base / f"snap-{name}", base / name)
    with Library(base / "lib", model="toy") as lib:
        yield lib, base / "photos", family


def _near_group(lib):
    groups = list(lib.duplicates.find("near"))
    assert len(groups) == 1
    return groups[0]


def test_find_groups_with_keeper_and_fingerprints_from_indexing(library):
    lib, folder, family = library
    assert lib.catalog.db.execute("SELECT COUNT(*) FROM fingerprints").fetchone()[0] == 6
    group = _near_group(lib)
    assert sorted(group.paths) == sorted(family)
    assert group.keep.path in family[:3]  # full resolution beats the half-size exports
    assert group.reason and group.reclaim_bytes > 0
    assert [g.tier for g in lib.duplicates.find("exact")] == ["exact"]


def test_resolve_trashes_others_and_undo_restores(library, xdg_trash):
    lib, folder, family = library
    group = _near_group(lib)
    report = lib.duplicates.resolve([(group.paths, None)])
    trashed = sorted(report["trashed"])
    assert trashed == sorted(p for p in family if p != group.keep.path) and not report["skipped"]
    for path in trashed:
        assert not os.path.exists(path)
        assert (xdg_trash / "files" / os.path.basename(path)).exists()
        assert lib.catalog.photo_by_path(path) is None
    assert lib.duplicates.find("near") == []
    assert len(lib.vector_index()) == 2
    undone = lib.duplicates.undo()
    assert sorted(undone["restored"]) == trashed and not undone["failed"]
    for path in trashed:
        assert os.path.exists(path) and lib.catalog.photo_by_path(path) is not None
    assert not list((xdg_trash / "files").iterdir())
    assert len(lib.vector_index()) == 6
    assert sorted(_near_group(lib).paths) == sorted(family)
    with pytest.raises(DupesError):
        lib.duplicates.undo()


def test_chosen_keeper_and_manual_tags_merge_and_unmerge(library, xdg_trash):
    lib, folder, family = library
    small = family[3]
    lib.tags.add("holiday", [family[4]])
    report = lib.duplicates.resolve([(family, small)])
    keep_id = lib.catalog.photo_by_path(small).id
    assert report["kept"] == [small] and len(report["trashed"]) == 4
    assert "holiday" in [t["tag"] for t in lib.tags.of_photo(keep_id)]
    lib.duplicates.undo(report["batch"])
    assert "holiday" not in [t["tag"] for t in lib.tags.of_photo(keep_id)]
    restored = lib.catalog.photo_by_path(family[4])
    assert "holiday" in [t["tag"] for t in lib.tags.of_photo(restored.id)]


def test_changed_file_is_skipped_not_trashed(library, xdg_trash):
    lib, folder, family = library
    with open(family[4], "ab") as fh:
        fh.write(b"edited since indexing")
    report = lib.duplicates.resolve([(family, family[0])])
    assert family[4] in [s["path"] for s in report["skipped"]] and os.path.exists(family[4])


def test_not_duplicates_is_remembered(library):
    lib, folder, family = library
    lib.duplicates.dismiss(_near_group(lib).paths)
    assert lib.duplicates.find("all") == []
    with Library(lib.path) as again:  # remembered in the catalog, not in memory
        assert again.duplicates.find("near") == []


# -- undo brings back only the file that was trashed (issue 29, finding 5) --------------------
def _places(lib) -> dict:
    [batch] = lib.duplicates.history()
    return {k: batch[k] for k in ("photos", "restored", "back_in_place", "in_trash", "gone")}


def test_undo_refuses_an_unrelated_file_of_the_same_name_in_the_trash(library, xdg_trash):
    """The trash was emptied, then another file was trashed from the very same path: same
    name in the trash, same Path=, other content. Undo leaves it (and its .trashinfo) alone."""
    from send2trash import send2trash

    lib, folder, family = library
    victim = family[4]
    lib.duplicates.resolve([(family, family[0])])
    shutil.rmtree(xdg_trash)
    shutil.copy(folder / "Wood.jpg", victim)  # an unrelated photo, later trashed from there
    send2trash(victim)
    name = os.path.basename(victim)
    unrelated = (xdg_trash / "files" / name).read_bytes()
    assert _places(lib) == {"photos": 4, "restored": 0, "back_in_place": 0, "in_trash": 0, "gone": 4}

    undone = lib.duplicates.undo()
    assert not undone["restored"] and len(undone["failed"]) == 4
    reasons = {f["path"]: f["reason"] for f in undone["failed"]}
    assert "another file" in reasons[victim] and "left alone" in reasons[victim]
    assert all("no longer in the trash" in r for p, r in reasons.items() if p != victim)
    assert not os.path.exists(victim) and lib.catalog.photo_by_path(victim) is None
    assert (xdg_trash / "files" / name).read_bytes() == unrelated
    assert (xdg_trash / "info" / f"{name}.trashinfo").exists()


def test_undo_refuses_the_same_bytes_trashed_from_another_path(library, xdg_trash):
    """An identical copy trashed from elsewhere lands under the recorded name: its .trashinfo
    names its own path, so it is not ours to take."""
    from send2trash import send2trash

    lib, folder, family = library
    report = lib.duplicates.resolve([(family[:2], family[0])])  # family[1]: an exact copy of family[0]
    assert report["trashed"] == [family[1]]
    shutil.rmtree(xdg_trash)
    elsewhere = folder / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(family[0], elsewhere / os.path.basename(family[1]))
    send2trash(str(elsewhere / os.path.basename(family[1])))

    undone = lib.duplicates.undo()
    assert not undone["restored"] and "another original path" in undone["failed"][0]["reason"]
    assert not os.path.exists(family[1])
    assert (xdg_trash / "files" / os.path.basename(family[1])).exists()


def test_undo_of_a_photo_put_back_by_hand_catalogs_it_again(library, xdg_trash):
    lib, folder, family = library
    lib.tags.add("holiday", [family[4]])
    lib.duplicates.resolve([(family, family[0])])
    name = os.path.basename(family[4])
    shutil.move(xdg_trash / "files" / name, family[4])  # what a file manager's "Restore" does
    (xdg_trash / "info" / f"{name}.trashinfo").unlink()
    assert _places(lib) == {"photos": 4, "restored": 0, "back_in_place": 1, "in_trash": 3, "gone": 0}

    undone = lib.duplicates.undo()
    assert sorted(undone["restored"]) == sorted(family[1:]) and undone["back_by_hand"] == [family[4]]
    back = lib.catalog.photo_by_path(family[4])
    assert back is not None and "holiday" in [t["tag"] for t in lib.tags.of_photo(back.id)]
    assert _places(lib) == {"photos": 4, "restored": 4, "back_in_place": 0, "in_trash": 0, "gone": 0}
    assert len(lib.vector_index()) == 6


def test_a_trash_that_fails_leaves_no_journal_entry_and_no_merged_tags(library, xdg_trash):
    lib, folder, family = library
    lib.tags.add("holiday", [family[4]])
    xdg_trash.parent.mkdir(parents=True)
    xdg_trash.write_text("a file where the trash folder should be")
    report = lib.duplicates.resolve([(family, family[0])])
    assert not report["trashed"] and len(report["skipped"]) == 4
    assert all(os.path.exists(p) and lib.catalog.photo_by_path(p) for p in family)
    assert lib.duplicates.history() == [] and lib.duplicates.dupes.pending() == []
    keeper_tags = [t["tag"] for t in lib.tags.of_photo(lib.catalog.photo_by_path(family[0]).id)]
    assert "holiday" not in keeper_tags


def test_undo_of_a_row_written_before_the_journal(library, xdg_trash):
    """Rows from before migration 5 have no size or hash columns: the snapshot's are used."""
    lib, folder, family = library
    report = lib.duplicates.resolve([(family[:2], family[0])])
    with lib.catalog.transaction():
        lib.catalog.db.execute("UPDATE trashed SET size=NULL, hash=NULL, pid=NULL")
    assert lib.duplicates.history()[0]["in_trash"] == 1
    assert lib.duplicates.undo()["restored"] == report["trashed"] == [family[1]]


def test_merged_and_unmerged_tags_mark_the_keepers_sidecar_dirty(library, xdg_trash):
    """Issue 29 follow-up: the keeper's XMP sidecar follows the tags a resolve merges onto
    it, and the ones undo takes back."""
    lib, folder, family = library
    keeper_path = family[3]
    lib.tags.add("holiday", [family[4]])
    store = lib.duplicates.tag_rows
    with lib.catalog.transaction():
        store.clear_sidecars_dirty(store.dirty_sidecars())
    report = lib.duplicates.resolve([(family, keeper_path)])
    keep_id = lib.catalog.photo_by_path(keeper_path).id
    assert store.dirty_sidecars() == [keep_id]
    with lib.catalog.transaction():
        store.clear_sidecars_dirty([keep_id])
    lib.duplicates.undo(report["batch"])
    restored = lib.catalog.photo_by_path(family[4]).id
    assert set(store.dirty_sidecars()) == {keep_id, restored}


def test_nothing_merged_marks_no_sidecar(library, xdg_trash):
    lib, folder, family = library
    store = lib.duplicates.tag_rows
    with lib.catalog.transaction():
        store.clear_sidecars_dirty(store.dirty_sidecars())
    lib.duplicates.resolve([(family, family[3])])
    assert store.dirty_sidecars() == []
