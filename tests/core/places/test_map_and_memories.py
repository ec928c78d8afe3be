"""The sidebar's Places tree, the world map's shapes, markers and area filter, and "On this
day", on generated photos carrying EXIF times and GPS positions (real code path, toy model)."""

from datetime import date

import numpy as np
import pytest

from photoapp.core.library import Library
from photoapp.core.places.clusters import cluster
from photoapp.core.places.world import countries
from photoapp.core.search.dates import same_day
from photoapp.core.search.ranking import Filters
from tests.places_media import photo

PARIS = (48.8584, 2.2945)
LOUVRE = (48.8606, 2.3376)
LISBON = (38.7139, -9.1394)
SUVA = (-18.1416, 178.4419)  # Fiji: east of the date line's western side


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("map")
    photo(tmp / "p" / "eiffel.jpg", taken="2019:12:03 10:00:00", gps=PARIS)
    photo(tmp / "p" / "louvre.jpg", colour=(200, 10, 10), taken="2021:06:01 10:00:00", gps=LOUVRE)
    photo(tmp / "p" / "lisbon.jpg", colour=(10, 200, 10), taken="2020:12:03 23:59:59", gps=LISBON)
    photo(tmp / "p" / "suva.jpg", colour=(10, 10, 200), taken="2016:02:29 12:00:00", gps=SUVA)
    photo(tmp / "p" / "home.jpg", colour=(90, 90, 90), taken="2018:12:04 00:00:00")  # no position
    photo(tmp / "p" / "today.jpg", colour=(50, 90, 90), taken="2026:12:03 08:00:00")  # this year: not a memory
    lib = Library(tmp / "lib", model="toy")
    lib.index_folders([str(tmp / "p")])
    yield lib
    lib.close()


def names(lib, filters):
    return sorted(r[1].rsplit("/", 1)[-1] for r in lib.browse(filters))


def test_the_places_tree_has_countries_cities_counts_and_the_newest_cover(library):
    tree = library.place_tree()
    assert [(c["country"], c["photos"], [(t["city"], t["photos"]) for t in c["cities"]]) for c in tree] == [
        ("Fiji", 1, [("Suva", 1)]),
        ("France", 2, [("Paris", 2)]),
        ("Portugal", 1, [("Lisbon", 1)]),
    ]
    france = tree[1]
    assert france["cover"][0].endswith("louvre.jpg")  # the newest photo taken there (2021)
    assert france["cities"][0]["cover"] == france["cover"]


def test_an_area_filters_to_the_photos_inside_it_also_across_the_date_line(library):
    assert names(library, Filters(area=(48.0, 2.0, 49.0, 3.0))) == ["eiffel.jpg", "louvre.jpg"]
    assert names(library, Filters(area=(48.85, 2.3, 48.87, 2.4))) == ["louvre.jpg"]
    assert names(library, Filters(area=(-30.0, 170.0, 60.0, -5.0))) == ["lisbon.jpg", "suva.jpg"]  # 170 E to 5 W
    assert names(library, Filters(area=(10.0, 10.0, 20.0, 20.0))) == []  # nothing there: nothing, not all


def test_markers_cluster_by_zoom_and_a_cell_holds_exactly_its_photos(library):
    positions = np.array([(lat, lon) for _, lat, lon in library.positions()])
    world = cluster(positions[:, 0], positions[:, 1], cell=30.0)
    assert sorted(c.count for c in world) == [1, 1, 2]  # Paris's two together at a world view
    close = cluster(positions[:, 0], positions[:, 1], cell=0.01)
    assert sorted(c.count for c in close) == [1, 1, 1, 1]  # zoomed into Paris: two markers
    for c in world + close:
        assert len(library.browse(Filters(area=c.box))) == c.count
    only_paris = cluster(positions[:, 0], positions[:, 1], cell=0.5, view=(45.0, 0.0, 50.0, 5.0))
    assert [c.count for c in only_paris] == [2]


def test_a_hundred_thousand_positions_cluster_into_the_same_total():
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(-60, 70, 100_000), rng.uniform(-180, 180, 100_000)
    clusters = cluster(lat, lon, cell=5.0)
    assert sum(c.count for c in clusters) == 100_000
    assert all(c.box[0] <= c.lat <= c.box[2] and c.box[1] <= c.lon <= c.box[3] for c in clusters)


def test_the_world_shapes_decode_to_lon_lat_outlines():
    world = {c.name: c for c in countries()}
    assert len(world) > 170
    france = np.concatenate(world["France"].rings)
    assert france[:, 0].min() > -60 and france[:, 1].max() < 52  # with French Guiana, and no farther north
    portugal = np.concatenate(world["Portugal"].rings)
    assert portugal[:, 0].min() == pytest.approx(-9.5, abs=0.2) and 36.5 < portugal[:, 1].min() < 37.5
    rings = [r for c in world.values() for r in c.rings]
    assert all(len(r) >= 4 for r in rings)
    assert all(np.abs(np.diff(r[:, 0])).max() < 180 for r in rings)  # no band across the world at the date line
    chukotka = [r for r in world["Russia"].rings if r[:, 0].max() > 180]  # continuous past the date line
    assert chukotka and any(r[:, 0].min() < -180 for r in world["Russia"].rings)  # and its copy on the west edge


def test_on_this_day_lists_earlier_years_newest_first(library):
    answer = library.on_this_day(date(2026, 12, 3))
    assert answer["photos"] == 2
    years = [(y["year"], y["years_ago"], [p["path"].rsplit("/", 1)[-1] for p in y["photos"]]) for y in answer["years"]]
    assert years == [
        (2020, 6, ["lisbon.jpg"]),
        (2019, 7, ["eiffel.jpg"]),
    ]  # not 4 December (home.jpg at midnight), not this year's photo
    count, cover = library.on_this_day_count(date(2026, 12, 3))  # the sidebar's entry: count and newest photo
    assert count == 2 and cover[0].endswith("lisbon.jpg")
    assert library.on_this_day(date(2026, 7, 9))["photos"] == 0
    assert library.on_this_day_count(date(2026, 7, 9)) == (0, None)
    assert library.on_this_day(date(2027, 2, 28))["years"][0]["year"] == 2016  # 29 Feb comes on the 28th


def test_same_day_spans_handle_leap_days():
    assert [(s.start, s.end) for s in same_day(date(2024, 2, 29), 2019)] == [(date(2020, 2, 29), date(2020, 3, 1))]
    spans = same_day(date(2023, 2, 28), 2020)
    assert [(s.start, s.end) for s in spans] == [
        (date(2022, 2, 28), date(2022, 3, 1)),
        (date(2021, 2, 28), date(2021, 3, 1)),
        (date(2020, 2, 28), date(2020, 3, 1)),  # 28 and 29 February 2020
    ]
    assert same_day(date(2024, 5, 1), 2024) == ()
