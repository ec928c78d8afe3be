"""Capture times and positions in the catalog: indexing, the accessor, migration 8."""

import os
import sqlite3
from datetime import datetime

import pytest

from photoapp.core.library import Library
from photoapp.core.store.catalog import MIGRATIONS, Catalog
from photoapp.core.store.places import PlaceStore
from tests.places_media import photo


@pytest.fixture
def library(tmp_path):
    photo(tmp_path / "p" / "a.jpg", taken="2019:06:14 15:22:01", subsec="25", offset="+02:00", gps=(48.8584, 2.2945))
    photo(tmp_path / "p" / "b.jpg", colour=(10, 200, 10), taken="2019:06:14 15:22:01", subsec="75")
    photo(tmp_path / "p" / "c.jpg", colour=(10, 10, 200))
    lib = Library(tmp_path / "lib", model="toy")
    lib.index_folders([str(tmp_path / "p")])
    yield lib, tmp_path
    lib.close()


def test_index_stores_capture_times_with_subseconds_and_zones(library):
    lib, tmp = library
    ids = {p.path.rsplit("/", 1)[1]: p.id for p in lib.catalog.all_photos()}
    caps = lib.captures()
    a, b, c = caps[ids["a.jpg"]], caps[ids["b.jpg"]], caps[ids["c.jpg"]]
    assert (a.local, a.offset, a.source) == ("2019-06-14T15:22:01.250", 120, "exif")
    assert a.timestamp == pytest.approx(datetime.fromisoformat("2019-06-14T15:22:01.25+02:00").timestamp())
    assert (b.local, b.offset, b.source) == ("2019-06-14T15:22:01.750", None, "exif")
    assert c.source == "file" and c.offset is None
    assert lib.captures([ids["a.jpg"]]).keys() == {ids["a.jpg"]}
    shown = lib.photo(tmp / "p" / "a.jpg")
    assert shown["gps"] == pytest.approx([48.8584, 2.2945], abs=1e-5)
    assert lib.photo(tmp / "p" / "c.jpg")["gps"] is None


def test_an_older_library_gains_facts_at_the_next_index_without_re_embedding(library):
    lib, tmp = library
    with lib.catalog.transaction():
        lib.catalog.db.execute("UPDATE photos SET meta_version=0, lat=NULL, lon=NULL, taken_offset=NULL")
    report = lib.index_folders()
    assert report.embedded == 0 and report.refreshed == 3
    a = lib.catalog.photo_by_path(str(tmp / "p" / "a.jpg"))
    assert a.lat == pytest.approx(48.8584, abs=1e-5) and a.taken_offset == 120
    assert lib.index_folders().refreshed == 0


def test_a_photo_unreadable_at_refresh_keeps_its_facts(library):
    lib, tmp = library
    path = tmp / "p" / "a.jpg"
    with lib.catalog.transaction():
        lib.catalog.db.execute("UPDATE photos SET meta_version=0")
    stat = path.stat()
    data = path.read_bytes()
    path.write_bytes(b"\0" * len(data))  # unreadable now, same size and time: not re-decoded
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    lib.index_folders()
    a = lib.catalog.photo_by_path(str(path))
    assert a.taken_offset == 120 and a.lat is not None and a.taken_source == "exif"


def test_a_version_7_catalog_migrates(tmp_path):
    path = tmp_path / "c.sqlite3"
    db = sqlite3.connect(path)
    for version in range(1, 8):
        db.executescript(MIGRATIONS[version])
    taken = datetime(2010, 5, 6, 7, 8, 9).timestamp()
    db.execute(
        "INSERT INTO photos(path, size, mtime, hash, taken, taken_from_exif, added) "
        "VALUES ('/x.jpg', 1, 0, 'h', ?, 1, 0)",
        (taken,),
    )
    db.execute("PRAGMA user_version=7")
    db.commit()
    db.close()
    cat = Catalog(path)
    photo_row = cat.photo_by_path("/x.jpg")
    assert photo_row.taken_local == "2010-05-06T07:08:09.000" and photo_row.taken_source == "exif"
    assert photo_row.meta_version == 0 and photo_row.lat is None
    assert PlaceStore(cat).captures()[photo_row.id].local == "2010-05-06T07:08:09.000"
    cat.close()
