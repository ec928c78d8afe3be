"""What the GUI asks of the Library facade (issue 20): rows without a second fetch, a typed
listing order, albums and media helpers, so photoapp/gui needs nothing else from core."""

from __future__ import annotations

from pathlib import Path

import pytest

from photoapp.core.library import Library
from photoapp.core.search.ranking import Filters
from photoapp.core.store.catalog import PhotoOrder
from photoapp.toy.domain import generate_library
from tests.conftest import Snapshot


@pytest.fixture(scope="module")
def _indexed_once(tmp_path_factory):
    """72 toy photos (toy_photos' set) indexed once for the module."""
    base = tmp_path_factory.mktemp("facade")
    generate_library(base / "photos", per_class=2, seed=11)
    with Library(base / "library", model="toy") as lib:
        lib.index_folders([str(base / "photos")])
    return Snapshot(base, ("photos", "library"))


@pytest.fixture
def library(_indexed_once):
    """That library and its photos as they were indexed, for one test to change."""
    with Library(_indexed_once.restore() / "library", model="toy") as lib:
        yield lib


def test_a_listing_order_is_a_named_choice_never_sql(library):
    by_id = [row[0] for row in library.catalog.browse_rows(order=PhotoOrder.ID)]
    assert by_id == sorted(by_id) and len(by_id) == 72
    assert library.catalog.browse_rows(order="id") == library.catalog.browse_rows(order=PhotoOrder.ID)
    for bad in ("id; DROP TABLE photos", "taken DESC, id DESC", "random()"):
        with pytest.raises(ValueError):
            library.catalog.browse_rows(order=bad)
        with pytest.raises(ValueError):
            library.catalog.all_photos(order=bad)
    assert library.catalog.count_photos() == 72


def test_browse_lists_newest_first_with_what_a_row_shows(library):
    rows = library.browse()
    assert len(rows) == 72
    photos = {p.id: p for p in library.catalog.all_photos()}
    keys = [(-(photos[r[0]].taken or 0.0), -r[0]) for r in rows]
    assert keys == sorted(keys)  # newest first, then the latest added
    for i, path, mtime, taken, kind, duration, companion, aspect in rows:
        p = photos[i]
        assert aspect == pytest.approx(p.width / p.height)  # the gallery lays rows out from it
        assert (path, mtime, taken, kind, duration, companion) == (
            p.path,
            p.mtime,
            p.taken,
            p.kind,
            p.duration,
            p.companion,
        )
    some = sorted(rows, key=lambda r: r[1])[0][1]
    folder = some.rsplit("/", 1)[0]
    assert len(library.browse(Filters(folder=folder))) == 72
    assert library.browse(Filters(kind="video")) == []


def test_search_hits_carry_the_rows_facts(library):
    hits = library.search("red circle", k=10, cutoff=False)
    assert len(hits) == 10
    for hit in hits:
        photo = library.catalog.photo_by_path(hit.path)
        assert (hit.photo_id, hit.mtime, hit.duration, hit.taken, hit.kind) == (
            photo.id,
            photo.mtime,
            photo.duration,
            photo.taken,
            photo.kind,
        )


def test_albums_and_helpers(library):
    folder = Path(library.folders()[0])
    paths = sorted(str(p) for p in folder.iterdir())[:3]
    library.tags.add("holiday", paths)
    album = library.album_photos("holiday")
    assert sorted(photo.path for photo, score in album) == paths and all(s is None for _p, s in album)
    assert library.album_photos("holiday", Filters(kind="video")) == []
    library.tags.train("taught", paths)
    assert library.taught_tags() == ["taught"] and library.teach_min_examples() == 3
    assert Library.is_photo_file(paths[0]) and not Library.is_photo_file(str(folder))
    assert Library.read_image(paths[0]).mode == "RGB"
    bucket = Library.thumbnail_bucket(150)
    assert max(Library.thumbnail(library.path, paths[0], 0.0, bucket).size) <= bucket
    assert library.problems() == []
