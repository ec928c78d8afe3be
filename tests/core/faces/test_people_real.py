"""People on real photos (../shared/faces: 21 photos of 6 people; ../shared/photos: none):
faces found while indexing, grouped without mixing people, corrections that survive faces
found again, the setting that deletes everything, a resumable face pass."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from PIL import Image

from photoapp.core.errors import Cancelled
from photoapp.core.library import Library
from photoapp.core.search.ranking import Filters
from photoapp.core.store.catalog import MIGRATIONS, Catalog
from photoapp.core.store.faces import FaceStore

pytestmark = pytest.mark.faces  # tests of the face stage: it stays on (tests/conftest.py)

pytest.importorskip("dlib")


def _identities(faces_dir: Path) -> dict[str, list[str]]:
    rows = (faces_dir / "identities.tsv").read_text().splitlines()[1:]
    return {name: who.split(",") for name, who in (r.split("\t") for r in rows)}


@pytest.fixture(scope="module")
def indexed(shared_faces, shared_photos, tmp_path_factory):
    base = tmp_path_factory.mktemp("people")
    shutil.copytree(shared_faces / "photos", base / "faces")
    (base / "other").mkdir()
    for p in sorted(shared_photos.glob("*.jpg"))[:10]:
        shutil.copy(p, base / "other" / p.name)
    lib = Library(base / "lib", model="toy")
    report = lib.index_folders([str(base / "faces"), str(base / "other")])
    yield lib, base, report
    lib.close()


def test_no_face_is_found_on_photos_without_people(indexed):
    lib, base, _ = indexed
    for photo in lib.catalog.all_photos():
        if "/other/" in photo.path:
            assert lib.people.faces_in_photo(photo.path) == [], photo.path


def test_every_photo_of_a_person_has_a_face_and_people_are_never_mixed(indexed, shared_faces):
    lib, base, report = indexed
    ident = _identities(shared_faces)
    assert report.faces >= sum(len(w) for w in ident.values())
    for name, who in ident.items():
        assert len(lib.people.faces_in_photo(str(base / "faces" / name))) >= len(who), name
    people = lib.people.people()
    assert people, "no person was formed"
    for person in people:
        names = {Path(p).name for p in person["photos"]}
        singles = {ident[n][0] for n in names if len(ident[n]) == 1}
        assert len(singles) == 1, f"person {person['id']} mixes {singles}"
        assert len(person["photos"]) == person["faces"]  # never two faces of one photo
    obama = max(people, key=lambda p: p["photo_count"])
    single_obama = {n for n, w in ident.items() if w == ["obama"]}
    assert len(single_obama & {Path(p).name for p in obama["photos"]}) >= 5


def test_a_named_person_is_found_by_search_and_in_text(indexed):
    lib, base, _ = indexed
    person = max(lib.people.people(), key=lambda p: p["photo_count"])
    lib.people.name(person["id"], "Barack Obama")
    ids, rest = lib.people.find_names("barack obama 2009")
    assert ids == [person["id"]] and rest == "2009"
    hits = lib.search("", filters=Filters(people=(person["id"],)))
    assert sorted(h.path for h in hits) == sorted(person["photos"])
    assert lib.people.people()[0]["name"] == "Barack Obama"


def _small_library(shared_faces, tmp_path, names) -> tuple[Library, Path]:
    folder = tmp_path / "photos"
    folder.mkdir()
    for n in names:
        shutil.copy(shared_faces / "photos" / n, folder / n)
    return Library(tmp_path / "lib", model="toy"), folder


OBAMA = ["obama-1080p.jpg", "obama3.jpg", "test_obama1.jpg", "train_obama_obama.jpg", "train_obama_obama2.jpg"]


def test_names_and_removals_survive_faces_found_again(shared_faces, tmp_path):
    lib, folder = _small_library(shared_faces, tmp_path, [*OBAMA, "two_people.jpg"])
    with lib:
        lib.index_folders([str(folder)])
        (person,) = lib.people.people()
        lib.people.name(person["id"], "Barack")
        before = lib.people.person("Barack")
        wrong = before["faces"][0]
        lib.people.remove_face(wrong["id"])
        # The photo changes (re-saved: new content) and a new model version looks again.
        changed = folder / "obama3.jpg"
        Image.open(changed).save(changed, quality=80)
        lib.people.stage().name = "another-detector+another-model"
        lib.index_folders()
        again = lib.people.person("Barack")
        assert len(again["photos"]) == len(before["photos"]) - 1
        assert wrong["path"] not in again["photos"]
        (removed,) = [f for f in lib.people.faces_in_photo(wrong["path"]) if abs(f["box"][0] - wrong["box"][0]) < 0.05]
        assert removed["person"] is None and removed["source"] == "user"
        assert all(s["face"] != removed["id"] or s["person"] != person["id"] for s in lib.people.suggestions())


def test_merge_hide_confirm_reject(shared_faces, tmp_path):
    lib, folder = _small_library(shared_faces, tmp_path, OBAMA)
    with lib:
        lib.index_folders([str(folder)])
        (person,) = lib.people.people()
        face = lib.people.person(person["id"])["faces"][0]["id"]
        lib.people.remove_face(face)
        lib.people.confirm(face, person["id"])
        assert lib.people.person(person["id"])["faces"][0]["id"] == face
        lib.people.reject(face, person["id"])
        assert face not in [f["id"] for f in lib.people.person(person["id"])["faces"]]
        lib.people.regroup()
        assert face not in [f["id"] for f in lib.people.person(person["id"])["faces"]]
        lib.people.hide(person["id"])
        assert lib.people.people() == []
        assert lib.people.people(include_hidden=True)[0]["hidden"]


def test_faces_off_deletes_everything_and_on_looks_again_resumably(shared_faces, tmp_path):
    lib, folder = _small_library(shared_faces, tmp_path, OBAMA)
    with lib:
        lib.index_folders([str(folder)])
        assert lib.people.status()["faces"] == len(OBAMA)
        lib.people.set_enabled(False)
        assert lib.people.status() | {"detector": None} == lib.people.status() | {
            "detector": None,
            "faces": 0,
            "people": 0,
            "photos_scanned": 0,
        }
        lib.index_folders()
        assert lib.people.status()["faces"] == 0
        lib.people.set_enabled(True)
        cancel = threading.Event()
        seen = []

        def progress(phase, done, total):
            seen.append(phase)
            if phase == "faces" and done >= 2:
                cancel.set()

        with pytest.raises(Cancelled):
            lib.index_folders(progress=progress, cancel=cancel)
        scanned = lib.people.status()["photos_scanned"]
        assert 2 <= scanned < len(OBAMA)
        lib.index_folders()
        assert lib.people.status()["photos_scanned"] == len(OBAMA)
        assert len(lib.people.people()) == 1


def test_a_catalog_of_before_people_migrates(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    db = sqlite3.connect(path)
    for version in sorted(v for v in MIGRATIONS if v <= 7):
        db.executescript(MIGRATIONS[version])
    db.execute("PRAGMA user_version=7")
    db.close()
    cat = Catalog(path)
    try:
        assert {"people", "faces", "face_rejections", "face_scans"} <= set(cat.table_columns())
        assert FaceStore(cat).people() == []
    finally:
        cat.close()


def test_a_photo_that_arrives_gets_its_faces_on_the_watchers_path(shared_faces, tmp_path):
    """The folder watcher indexes single paths (Library.index_paths): faces come with them
    and join the person they belong to."""
    lib, folder = _small_library(shared_faces, tmp_path, OBAMA[:3])
    with lib:
        lib.index_folders([str(folder)])
        (person,) = lib.people.people()
        arrived = folder / OBAMA[3]
        shutil.copy(shared_faces / "photos" / OBAMA[3], arrived)
        report = lib.index_paths([str(arrived)])
        assert report.faces == 1
        assert str(arrived) in lib.people.person(person["id"])["photos"]


def test_the_first_batch_embeds_before_the_face_models_load(shared_faces, tmp_path):
    """Issue 30: dlib's models (seconds) load once the first batch is embedding, not before;
    the photos decoded meanwhile are looked at by the run's face pass, so every photo is
    still scanned in that run. A run with nothing new to embed or scan loads no model."""
    from photoapp.core.store.faces import FaceStore

    folder = tmp_path / "faces"
    folder.mkdir()
    for name in ["obama-1080p.jpg", "obama3.jpg", "test_obama1.jpg"]:
        shutil.copy(shared_faces / "photos" / name, folder / name)
    with Library(tmp_path / "lib", model="toy") as lib:
        seen = []
        real = lib.embedder.embed_pixels
        lib.embedder.embed_pixels = lambda batch: (seen.append(lib.people.stage().ready), real(batch))[1]
        report = lib.index_folders([str(folder)])
        assert seen[0] is False and report.faces >= 3
        assert FaceStore(lib.catalog).count_scanned(lib.people.stage().name) == 3
    with Library(tmp_path / "lib", model="toy") as again:
        again.index_folders()
        assert again.people.stage().ready is False  # nothing to look at: dlib never loaded
