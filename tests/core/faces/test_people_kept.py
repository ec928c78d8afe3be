"""Names and corrections of a photo that leaves the catalog and comes back: from the trash
(untrash, undo) and as a file a person moved away and back, through the Library, on real
faces; never from XMP (sidecars are off and the photos carry no regions)."""

from __future__ import annotations

import shutil

import pytest

from photoapp.core.library import Library

pytestmark = pytest.mark.faces  # the face stage stays on for these tests (tests/conftest.py)

pytest.importorskip("dlib")

OBAMA = ["obama-1080p.jpg", "obama3.jpg", "test_obama1.jpg", "train_obama_obama.jpg", "train_obama_obama2.jpg"]


@pytest.fixture
def named(shared_faces, tmp_path):
    """A library of five photos of one person, named "Barack", one face taken off him."""
    folder = tmp_path / "photos"
    folder.mkdir()
    for n in OBAMA:
        shutil.copy(shared_faces / "photos" / n, folder / n)
    lib = Library(tmp_path / "lib", model="toy")
    lib.index_folders([str(folder)])
    (person,) = lib.people.people()
    lib.people.name(person["id"], "Barack")
    wrong = lib.people.person("Barack")["faces"][0]
    lib.people.remove_face(wrong["id"])
    yield lib, folder, wrong["path"]
    lib.close()


def _state(lib: Library) -> dict[str, tuple]:
    """Photo name -> (person's name, how decided) of each face."""
    out = {}
    for p in lib.browse():
        for f in lib.people.faces_in_photo(p[1]):
            out[p[1].rsplit("/", 1)[-1]] = (f["name"], f["source"])
    return out


def test_names_come_back_from_the_trash_even_when_the_person_had_gone(named, xdg_trash):
    lib, folder, wrong = named
    before = _state(lib)
    assert before[wrong.rsplit("/", 1)[-1]] == (None, "user")
    assert sum(name == "Barack" for name, _ in before.values()) == 4
    report = lib.trash([str(p) for p in sorted(folder.iterdir())])
    assert len(report["trashed"]) == 5
    lib.index_folders()  # an index run in between: the person has no face left and goes
    assert lib.people.people(include_hidden=True) == [] and _state(lib) == {}

    lib.untrash(batch=report["batch"])
    assert _state(lib) == before  # the name, the face a person took off him: all back
    (person,) = lib.people.people()
    assert person["name"] == "Barack" and person["photo_count"] == 4
    lib.index_folders()  # and they stay: the removed face is not put back by grouping
    assert _state(lib) == before
    assert [s for s in lib.people.suggestions() if s["path"] == wrong] == []


def test_names_come_back_with_a_file_moved_away_and_back(named, tmp_path):
    lib, folder, _wrong = named
    before = _state(lib)
    (person,) = lib.people.people()
    away = tmp_path / "away"
    away.mkdir()
    moved = [n for n, (name, _) in sorted(before.items()) if name == "Barack"][:2]
    for n in moved:
        shutil.move(folder / n, away / n)
    lib.index_folders()
    assert set(_state(lib)) == set(before) - set(moved)
    for n in moved:
        shutil.move(away / n, folder / n)
    lib.index_folders()
    assert _state(lib) == before  # named from the catalog's keepsakes (source "user"), not from XMP
    assert lib.people.people()[0]["id"] == person["id"]  # the same person, not a new one
