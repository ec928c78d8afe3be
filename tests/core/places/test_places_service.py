"""Places of a library: indexing GPS-tagged photos names them; the names for the search bar."""

import pytest

from photoapp.core.library import Library
from photoapp.core.store.places import PlaceStore
from tests.places_media import photo

LISBON = (38.7139, -9.1394)
MUNICH = (48.1374, 11.5755)


@pytest.fixture
def library(tmp_path):
    photo(tmp_path / "p" / "lisbon.jpg", taken="2019:06:14 15:22:01", gps=LISBON)
    photo(tmp_path / "p" / "munich.jpg", colour=(10, 200, 10), taken="2021:12:24 18:00:00", gps=MUNICH)
    photo(tmp_path / "p" / "nowhere.jpg", colour=(10, 10, 200), taken="2021:12:25 18:00:00", gps=(0.0, 0.0))
    lib = Library(tmp_path / "lib", model="toy")
    lib.index_folders([str(tmp_path / "p")])
    yield lib, tmp_path
    lib.close()


def test_indexing_names_places_and_show_gives_them(library):
    lib, tmp = library
    shown = lib.photo(tmp / "p" / "lisbon.jpg")
    assert shown["place"] == {"city": "Lisbon", "region": "Lisbon", "country": "Portugal", "country_code": "PT"}
    assert lib.photo(tmp / "p" / "nowhere.jpg")["place"] == dict.fromkeys(("city", "region", "country", "country_code"))
    counts = lib.place_counts()
    assert [(c["country_code"], c["photos"], [t["city"] for t in c["cities"]]) for c in counts] == [
        ("DE", 1, ["Munich"]),
        ("PT", 1, ["Lisbon"]),
    ]


def test_local_and_alternate_names_are_known(library):
    lib, _ = library
    names = {(n, kind, value) for n, kind, value, _ in PlaceStore(lib.catalog).names()}
    assert {("lisboa", "city", "Lisbon"), ("munchen", "city", "Munich"), ("germany", "country", "DE")} <= names
    assert ("deutschland", "country", "DE") in names


def test_a_new_data_version_places_again_and_nothing_is_redone_otherwise(library):
    lib, _ = library
    assert lib.places.pending() == 0 and lib.update_places() == 0
    with lib.catalog.transaction():
        lib.catalog.db.execute("UPDATE places SET data='old'")
    assert lib.places.pending() == 2
    assert lib.update_places() == 2 and lib.places.pending() == 0


def test_a_video_is_dated_and_placed_from_its_container(tmp_path):
    pytest.importorskip("av")
    from tests.media import toy_frames, write_video

    path = tmp_path / "v" / "clip.mp4"
    path.parent.mkdir()
    write_video(path, toy_frames(n=8), creation_time="2021-03-04T05:06:07.000000Z", location="+48.8584+002.2945/")
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.index_folders([str(path.parent)])
        shown = lib.photo(path)
        capture = lib.captures()[shown["id"]]
    assert (capture.local, capture.offset, capture.source) == ("2021-03-04T05:06:07.000", 0, "video")
    assert shown["place"]["city"] == "Paris" and shown["gps"] == pytest.approx([48.8584, 2.2945])
