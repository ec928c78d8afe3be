"""Sidecars and catalog stay in step through the Library (issue 29, findings 6 and 11): a
sidecar that cannot be merged is a problem and is written once fixed; temp files a killed
write left in a photo folder are removed by the next index of that folder."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from photoapp.config import TEMP_PREFIX
from photoapp.core.library import Library
from photoapp.core.tagging.xmp import read_subjects, sidecar_path
from photoapp.toy.domain import generate_library
from tests.core.tagging.sidecar_samples import DARKTABLE


@pytest.fixture
def library(tmp_path):
    folder = tmp_path / "photos"
    generate_library(folder, per_class=1, seed=3)
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.index_folders([str(folder)])
        yield lib, folder, sorted(str(p) for p in folder.iterdir())


def _id(lib, path) -> int:
    return lib.catalog.photo_at(path).id


def test_a_malformed_sidecar_is_a_problem_until_fixed_then_written(library):
    lib, folder, photos = library
    broken, fine = photos[:2]
    truncated = DARKTABLE[: len(DARKTABLE) // 2]
    sidecar_path(broken).write_text(truncated)
    lib.tags.add("holiday", [broken, fine])  # sidecars off: nothing written, both marked
    assert {_id(lib, broken), _id(lib, fine)} <= set(lib.tags.store.dirty_sidecars())
    assert not sidecar_path(fine).exists()

    lib.tags.configure(xmp_sidecars=True)
    assert "holiday" in read_subjects(sidecar_path(fine))
    assert sidecar_path(broken).read_text() == truncated  # never replaced
    problem = next(p for p in lib.problems() if p["path"] == str(sidecar_path(broken)))
    assert problem["error"].startswith("sidecar not written: not well-formed XML")
    assert any("not written" in w for w in lib.warnings)
    assert lib.tags.store.dirty_sidecars() == [_id(lib, broken)]  # tried again later

    sidecar_path(broken).write_text(DARKTABLE)  # the user repairs it
    lib.index_folders([str(folder)])
    assert read_subjects(sidecar_path(broken))[:2] == ["family", "darktable|format|jpg"]
    assert "holiday" in read_subjects(sidecar_path(broken))
    assert not [p for p in lib.problems() if p["path"] == str(sidecar_path(broken))]
    assert lib.tags.store.dirty_sidecars() == []


def test_index_removes_temp_files_of_dead_writers_only(library):
    lib, folder, _ = library
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (folder / "nested").mkdir()
    orphan = folder / "nested" / f"{TEMP_PREFIX}{int(dead.stdout)}-0a1b2c3d.tmp"
    earlier = folder / f".IMG_1.jpg.xmp.{int(dead.stdout)}.k2x_9qzt.tmp"  # as earlier versions named them
    live = folder / f"{TEMP_PREFIX}{os.getpid()}-0a1b2c3d.tmp"  # this process: a write in progress
    foreign = [folder / ".edit.tmp", folder / f".IMG_1.jpg.{int(dead.stdout)}.tmp"]  # other programs'
    for path in (orphan, earlier, live, *foreign):
        path.write_bytes(b"half a sidecar")
    assert not lib.settings.tags.xmp_sidecars  # no sidecar write cleans up: the index does
    lib.index_folders([str(folder)])
    assert not orphan.exists() and not earlier.exists()
    assert live.exists() and all(p.exists() for p in foreign)


def test_an_unplugged_folder_is_not_recreated_and_catches_up_when_back(library, tmp_path):
    lib, folder, photos = library
    lib.tags.configure(xmp_sidecars=True)
    away = tmp_path / "unplugged"
    folder.rename(away)  # the drive is gone: its mount point is empty
    lib.tags.add("holiday", photos[:2])
    assert not folder.exists()  # no sidecar write made the folder again
    assert set(lib.tags.store.dirty_sidecars()) == {_id(lib, p) for p in photos[:2]}
    assert not [p for p in lib.problems() if p["error"].startswith("sidecar")]
    away.rename(folder)
    assert lib.check()["sidecars_reconciled"] == 2
    assert all("holiday" in read_subjects(sidecar_path(p)) for p in photos[:2])
    assert lib.tags.store.dirty_sidecars() == []
