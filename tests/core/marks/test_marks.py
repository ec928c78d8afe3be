"""Stars, favourites, rotation and the photo trash through the Library (issue 24): the
catalog and the sidecars change, the photo files never do (checksums), the filters find
the marked photos, and every change reverts through the one undo stack."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from photoapp.core.errors import InvalidInput
from photoapp.core.library import Library
from photoapp.core.search.ranking import Filters
from photoapp.core.store import catalog as catalog_module
from photoapp.core.store.catalog import SCHEMA_VERSION, Catalog
from photoapp.core.store.marks import Marks
from photoapp.core.tagging import xmp_marks
from photoapp.core.tagging.xmp import read_subjects, sidecar_path
from photoapp.core.undo import MarksChange, TagChange, TrashChange, UndoStack
from tests.core.tagging.sidecar_samples import DARKTABLE


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def indexed_once(shared_photos, tmp_path_factory):
    base = tmp_path_factory.mktemp("marks")
    folder = base / "photos"
    folder.mkdir()
    for name in sorted(p.name for p in shared_photos.glob("*.jpg"))[:5]:
        shutil.copy2(shared_photos / name, folder / name)
    with Library(base / "lib", model="toy") as lib:
        lib.index_folders([str(folder)])
    for name in ("photos", "lib"):
        shutil.copytree(base / name, base / f"snap-{name}")
    return base


@pytest.fixture
def library(indexed_once):
    base = indexed_once
    for name in ("photos", "lib"):
        shutil.rmtree(base / name, ignore_errors=True)
        shutil.copytree(base / f"snap-{name}", base / name)
    with Library(base / "lib", model="toy") as lib:
        yield lib, sorted(str(p) for p in (base / "photos").glob("*.jpg"))


def test_marks_change_the_catalog_never_the_files(library):
    lib, paths = library
    before = {p: digest(p) for p in paths}
    change = lib.marks.rate(paths[:2], 4)
    assert change.changed == paths[:2] and all(m.rating == 4 for m in change.after.values())
    lib.marks.favourite([paths[1], paths[2]])
    lib.marks.rotate([paths[0]], 90)
    lib.marks.rotate([paths[0]], 90)
    lib.marks.rotate([paths[3]], -90)
    marks = lib.marks.of(paths)
    assert marks[paths[0]] == Marks(4, False, 180)
    assert marks[paths[1]] == Marks(4, True, 0)
    assert marks[paths[3]] == Marks(0, False, 270)
    assert marks[paths[4]] == Marks()
    assert lib.photo(paths[1])["rating"] == 4 and lib.photo(paths[1])["favourite"] is True
    assert {p: digest(p) for p in paths} == before  # no photo file was written
    assert lib.marks.rotate([paths[0]], 0, absolute=True).after[paths[0]].rotation == 0
    with pytest.raises(InvalidInput):
        lib.marks.rate(paths[:1], 6)
    with pytest.raises(InvalidInput):
        lib.marks.rotate(paths[:1], 45)


def test_favourite_toggle_follows_the_selection(library):
    lib, paths = library
    lib.marks.favourite(paths[:1])
    assert all(m.favourite for m in lib.marks.favourite(paths[:2], None).after.values())  # not all: all on
    assert not any(m.favourite for m in lib.marks.favourite(paths[:2], None).after.values())  # all: all off


def test_rating_and_favourite_filters(library):
    lib, paths = library
    lib.marks.rate(paths[:1], 5)
    lib.marks.rate(paths[1:3], 2)
    lib.marks.favourite(paths[2:4])
    listed = lambda f: sorted(r[1] for r in lib.browse(f))  # noqa: E731
    assert listed(Filters(min_rating=3)) == paths[:1]
    assert listed(Filters(min_rating=2)) == paths[:3]
    assert listed(Filters(favourites=True)) == paths[2:4]
    assert listed(Filters(min_rating=2, favourites=True)) == paths[2:3]
    hits = lib.search("a photo", k=10, filters=Filters(favourites=True), cutoff=False)
    assert sorted(h.path for h in hits) == paths[2:4]


def test_sidecars_carry_rating_favourite_and_rotation(library):
    lib, paths = library
    photo = paths[0]
    for tag in lib.photo(photo)["tags"]:  # the toy model's auto-tags: this test is about marks
        lib.tags.remove(tag, [photo])
    lib.tags.configure(xmp_sidecars=True)
    sidecar = sidecar_path(photo)
    sidecar.write_text(DARKTABLE, encoding="utf-8")  # another program's sidecar: xmp:Rating="3"
    before = digest(photo)
    lib.marks.rate([photo], 5)
    lib.marks.favourite([photo])
    lib.marks.rotate([photo], -90)
    data = sidecar.read_bytes()
    found = xmp_marks.read_marks(data)
    assert found[xmp_marks.RATING] == "5" and found[xmp_marks.FAVOURITE] == "1" and found[xmp_marks.ROTATION] == "270"
    assert read_subjects(sidecar) == ["family", "darktable|format|jpg"]  # darktable's keywords stay
    # Only the rating's value and Photoapp's attributes changed: every other line is as it was.
    ours = re.sub(r'\s+(xmlns:photoapp|photoapp:\w+)="[^"]*"', "", data.decode())
    assert ours == DARKTABLE.replace('xmp:Rating="3"', 'xmp:Rating="5"')
    lib.marks.favourite([photo], False)
    lib.marks.rotate([photo], 0, absolute=True)
    lib.marks.rate([photo], 0)
    assert sidecar.read_text(encoding="utf-8") == DARKTABLE.replace('xmp:Rating="3"', 'xmp:Rating="0"')
    # A photo without a sidecar gets one with the rating alone; the photo stays as it was.
    lib.marks.rate([paths[1]], 2)
    assert xmp_marks.read_marks(sidecar_path(paths[1]).read_bytes())[xmp_marks.RATING] == "2"
    assert digest(photo) == before


def test_rating_as_an_element_is_updated_in_place():
    data = DARKTABLE.replace('   xmp:Rating="3"\n', "").replace(
        "   <darktable:masks_history>", "   <xmp:Rating>3</xmp:Rating>\n   <darktable:masks_history>"
    )
    out = xmp_marks.merged(data.encode(), Marks(1, True, 90))
    assert b"<xmp:Rating>1</xmp:Rating>" in out and out.count(b"Rating") == 2
    assert xmp_marks.read_marks(out)[xmp_marks.FAVOURITE] == "1"
    assert xmp_marks.merged(out, Marks(1, True, 90)) is None  # nothing to change


def test_trash_and_undo_through_the_journal(library, xdg_trash):
    lib, paths = library
    lib.marks.rate(paths[:1], 3)
    lib.tags.add("keep me", paths[:1])
    sums = {p: digest(p) for p in paths[:2]}
    report = lib.trash(paths[:2])
    assert sorted(report["trashed"]) == paths[:2] and report["skipped"] == []
    assert len(list((xdg_trash / "files").iterdir())) == 2
    assert not any(r[1] in paths[:2] for r in lib.browse())
    restored = lib.untrash(batch=report["batch"])
    assert sorted(restored["restored"]) == paths[:2]
    assert {p: digest(p) for p in paths[:2]} == sums
    assert lib.marks.of(paths[:1])[paths[0]].rating == 3  # the marks came back with the photo
    assert "keep me" in lib.photo(paths[0])["tags"]
    # untrash by path, one photo of a batch
    report = lib.trash(paths[2:4])
    assert lib.untrash([paths[3]])["restored"] == [paths[3]]
    assert lib.untrash([paths[3]])["failed"]  # nothing left to restore for it


def test_undo_stack_reverts_every_kind_of_change(library, xdg_trash):
    lib, paths = library
    stack = UndoStack()
    lib.tags.add("sky", paths[:1])
    stack.push(TagChange("sky", (paths[0],), True))
    stack.push(MarksChange.of(lib.marks.rate(paths[:2], 5)))
    stack.push(MarksChange.of(lib.marks.favourite(paths[:1])))
    stack.push(MarksChange.of(lib.marks.rotate(paths[1:2], 90)))
    report = lib.trash(paths[4:])
    stack.push(TrashChange(report["batch"], tuple(report["trashed"])))
    assert stack.peek().text() == f"Moved {paths[4].rsplit('/', 1)[1]} to the trash"
    kinds = []
    while len(stack):
        change, _ = stack.undo(lib)
        kinds.append(change.kind)
    assert kinds == ["trash", "rotation", "favourite", "rating", "tag"]
    assert sorted(r[1] for r in lib.browse()) == paths
    assert all(m == Marks() for m in lib.marks.of(paths).values())
    assert "sky" not in lib.photo(paths[0])["tags"]
    assert stack.undo(lib) is None


def test_older_catalog_migrates_with_no_marks(tmp_path):
    path = tmp_path / "c.sqlite3"
    db = sqlite3.connect(path)  # a catalog as schema 10 left it (later migrations not applied)
    for version in range(1, 11):
        for statement in catalog_module._sql_statements(catalog_module.MIGRATIONS[version]):
            db.execute(statement)
    db.execute("PRAGMA user_version=10")
    db.commit()
    db.close()
    cat = Catalog(path)
    assert cat.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert cat.db.execute("SELECT COUNT(*) FROM photo_marks").fetchone()[0] == 0
    cat.close()


def test_export_applies_the_rotation_as_jpeg_and_copies_originals(library, tmp_path):
    from PIL import Image

    lib, paths = library
    lib.marks.rotate(paths[:1], 90)
    out = tmp_path / "out"
    out.mkdir()
    report = lib.export(paths[:1], str(out))
    width, height = lib.read_image(paths[0]).size  # upright, as shown
    with Image.open(report["exported"][0]["to"]) as dst:
        assert dst.format == "JPEG" and dst.size == (height, width)  # turned
    again = lib.export(paths[:1], str(out), "original")["exported"][0]["to"]
    assert Path(again).read_bytes() == Path(paths[0]).read_bytes()
    assert lib.export(paths[:1], str(out), "original")["exported"][0]["to"].endswith(" (3).jpg")  # names taken
