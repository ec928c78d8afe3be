"""Reverse geocoding to the place people name (photoapp/core/places/geocoder.py).

The real positions of ../shared/places/dev-landmarks.tsv, and well-known places beyond
it (the rules' two numbers were chosen on a random half of a larger list:
benchmarks/places_quality.py).
"""

import csv
import random

import pytest

from photoapp.core.places.geocoder import Geocoder
from photoapp.core.places.names import fold
from tests.conftest import ROOT

LANDMARKS = ROOT.parent / "shared" / "places" / "dev-landmarks.tsv"
# (name, lat, lon, the city people name)
ELSEWHERE = [
    ("Colosseum", 41.8902, 12.4922, "Rome"),
    ("Big Ben", 51.5007, -0.1246, "London"),
    ("Sydney Opera House", -33.8568, 151.2153, "Sydney"),
    ("Golden Gate Bridge", 37.8199, -122.4783, "San Francisco"),
    ("Statue of Liberty", 40.6892, -74.0445, "New York"),
    ("Sagrada Familia", 41.4036, 2.1744, "Barcelona"),
    ("Acropolis", 37.9715, 23.7257, "Athens"),
    ("Shibuya crossing", 35.6595, 139.7005, "Tokyo"),
    ("Forbidden City", 39.9163, 116.3972, "Beijing"),
    ("CN Tower", 43.6426, -79.3871, "Toronto"),
    ("Burj Khalifa", 25.1972, 55.2744, "Dubai"),
    ("Taj Mahal", 27.1751, 78.0421, "Agra"),
    ("Charles Bridge", 50.0865, 14.4114, "Prague"),
    ("Hollywood sign", 34.1341, -118.3215, "Los Angeles"),
    ("Central Park", 40.7829, -73.9654, "New York"),
    ("Neuschwanstein", 47.5576, 10.7498, "Schwangau"),
    ("Zermatt", 46.0207, 7.7491, "Zermatt"),
    ("Edinburgh Castle", 55.9486, -3.1999, "Edinburgh"),
]
# The issue's examples: the nearest GeoNames point is Vanves, Uran, "Times Square".
ISSUE = [
    ("Eiffel Tower", 48.8584, 2.2945, "Paris"),
    ("Gateway of India", 18.9220, 72.8347, "Mumbai"),
    ("Times Square", 40.7580, -73.9855, "New York"),
]


CACHE = {}


@pytest.fixture(scope="module")
def geocoder(tmp_path_factory):
    CACHE["dir"] = tmp_path_factory.mktemp("geo")
    return Geocoder.load(CACHE["dir"])


def _landmarks():
    if not LANDMARKS.is_file():
        pytest.skip(f"no {LANDMARKS}")
    with open(LANDMARKS, encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _right(place, names: str) -> bool:
    return place is not None and fold(place.city or "") in {fold(n) for n in names.split("|")}


def test_dev_landmarks(geocoder):
    rows = [r for r in _landmarks() if r["city"] != "-"]
    found = geocoder.lookup_many([(float(r["lat"]), float(r["lon"])) for r in rows])
    wrong = [f"{r['name']} -> {p}" for r, p in zip(rows, found) if not _right(p, r["city"])]
    assert wrong == []


def test_the_city_people_name_not_the_nearest_point(geocoder):
    for name, lat, lon, city in ISSUE + ELSEWHERE:
        assert _right(geocoder.lookup(lat, lon), city), name


def test_small_towns_keep_their_name_and_carry_region_and_country(geocoder):
    versailles = geocoder.lookup(48.8049, 2.1204)
    assert versailles.city == "Versailles" and versailles.country_code == "FR" and versailles.region
    assert versailles.country == "France"


@pytest.mark.parametrize(("lat", "lon"), [(-20.0, 80.0), (35.0, -40.0), (0.0, -140.0), (-60.0, -120.0)])
def test_far_at_sea_there_is_no_town(geocoder, lat, lon):
    place = geocoder.lookup(lat, lon)
    assert place is None or place.city is None


def test_a_cached_load_answers_the_same(geocoder):
    assert list(CACHE["dir"].glob("geocoder-*.npz"))  # the compact copy the next load reads
    again = Geocoder.load(CACHE["dir"])
    rng = random.Random(5)
    points = [(rng.uniform(-60, 70), rng.uniform(-180, 180)) for _ in range(300)]
    assert again.lookup_many(points) == geocoder.lookup_many(points)
    assert geocoder.lookup_many([]) == []
