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
