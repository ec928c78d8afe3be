"""Words, places and dates in one query, on the toy model: 72 toy photos carrying real
EXIF capture times and GPS positions of seven cities (Nice and Orange among them)."""

import json
from pathlib import Path

import pytest
from PIL import Image

from photoapp.core.library import Library
from tests.places_media import exif_for

CITIES = {
    "Paris": (48.8584, 2.2945),  # the Eiffel Tower
    "Lisbon": (38.7076, -9.1365),  # Praça do Comércio
    "Munich": (48.1374, 11.5755),
    "New York": (40.7580, -73.9855),  # Times Square
    "Nice": (43.6961, 7.2719),
    "Orange": (44.1381, 4.8075),
    "Rome": (41.8902, 12.4922),
}
# Photos placed on purpose; the rest go round the cities and the years 2015-2021.
CHOSEN = {
    "red_circle_on_white_000": ("Paris", 2019),
    "red_circle_on_black_000": ("Paris", 2019),
    "red_circle_on_white_001": ("Paris", 2021),
    "red_circle_on_black_001": ("Lisbon", 2019),
    "orange_square_on_white_000": ("Orange", 2018),
    "orange_square_on_black_000": ("Nice", 2018),
    "orange_square_on_white_001": ("Rome", 2018),
    "orange_square_on_black_001": ("Paris", 2018),
}


@pytest.fixture(scope="module")
def toy_world(tmp_path_factory):
    from photoapp.toy.domain import generate_library

    base = tmp_path_factory.mktemp("world")
    truth = generate_library(base / "photos", per_class=2, seed=11)
    facts = {}
    for i, path in enumerate(sorted(truth)):
        city, year = CHOSEN.get(path.stem, (list(CITIES)[i % 7], 2015 + (i // 7) % 7))
        if path.stem.startswith("red_circle") and path.stem not in CHOSEN:
            raise AssertionError(path)
        image = Image.open(path).convert("RGB")
        path.unlink()
        target = path.with_suffix(".jpg")
        when = f"{year}:{1 + i % 12:02d}:{1 + i % 28:02d} 12:{i % 60:02d}:00"
        image.save(target, exif=exif_for(taken=when, gps=CITIES[city]))
        facts[str(target)] = (city, year, truth[path].name)
    lib = Library(base / "library", model="toy")
    lib.index_folders([str(base / "photos")])
    yield lib, facts
    lib.close()


def _where(facts, city=None, year=None, cls=None) -> set[str]:
    return {
        p
        for p, (c, y, k) in facts.items()
        if (city is None or c == city) and (year is None or y == year) and (cls is None or k.startswith(cls))
    }


def test_the_places_are_the_ones_people_name(toy_world):
    lib, facts = toy_world
    assert {c["city"] for country in lib.place_counts() for c in country["cities"]} == set(CITIES)


@pytest.mark.parametrize(
    ("query", "city", "year"),
    [
        ("Rome", "Rome", None),
        ("2021", None, 2021),
        ("photos from Lisboa", "Lisbon", None),
        ("Paris 2019", "Paris", 2019),
    ],
)
def test_a_place_or_a_date_alone_lists_every_matching_photo_newest_first(toy_world, query, city, year):
    lib, facts = toy_world
    results = lib.search(query)
    assert {h.path for h in results} == _where(facts, city, year)
    taken = [h.taken for h in results]
    assert taken == sorted(taken, reverse=True)
    assert results.interpretation.text == ""


@pytest.mark.parametrize("query", ["1999", "Tokyo", "red circle in Tokyo", "red circle 1999"])
def test_no_photos_from_there_or_then_is_an_empty_result(toy_world, query):
    lib, _ = toy_world
    assert list(lib.search(query)) == []


def test_words_place_and_date(toy_world):
    lib, facts = toy_world
    red = {h.path for h in lib.search("red circle")}  # what the model finds, in every town and year
    found = {h.path for h in lib.search("red circle in Paris 2019")}
    assert found and found == red & _where(facts, "Paris", 2019)  # the filters narrow, never move the line
    assert found <= _where(facts, cls="red_circle")
    assert {h.path for h in lib.search("red circle Paris")} == red & _where(facts, "Paris")


def test_orange_is_a_colour_unless_it_is_clearly_the_town(toy_world):
    lib, facts = toy_world
    squares = {h.path for h in lib.search("orange square")}
    assert len({facts[p][0] for p in squares}) >= 3  # from every town, not only Orange
    assert {h.path for h in lib.search("orange square in Orange")} == squares & _where(facts, "Orange")
    assert lib.search("nice orange square").interpretation.places == []
    assert {h.path for h in lib.search("orange square in Nice")} == squares & _where(facts, "Nice")
    assert squares & _where(facts, "Orange") and squares & _where(facts, "Nice")


def test_quoting_sends_a_word_to_the_model(toy_world):
    lib, _ = toy_world
    results = lib.search('"Paris" red circle')
    assert results.interpretation.places == [] and results.interpretation.text == "Paris red circle"


def test_the_cli_explains_and_lists_places(toy_world, capsys):
    from photoapp.cli.app import main

    lib, facts = toy_world
    library = ["--library", str(lib.path), "--model", "toy"]
    assert main([*library, "search", "--explain", "red circle in Paris 2019"]) == 0
    assert capsys.readouterr().out.strip() == "text: 'red circle'; place: Paris; date: 2019"
    assert main([*library, "search", "Rome", "--json"]) == 0
    out = capsys.readouterr()
    assert "understood: every photo; place: Rome" in out.err
    assert main([*library, "places", "--json"]) == 0
    countries = json.loads(capsys.readouterr().out)
    codes = {
        "Paris": "FR",
        "Nice": "FR",
        "Orange": "FR",
        "Lisbon": "PT",
        "Munich": "DE",
        "New York": "US",
        "Rome": "IT",
    }
    expected = {}
    for city, _, _ in facts.values():
        expected[codes[city]] = expected.get(codes[city], 0) + 1
    assert {c["country_code"]: c["photos"] for c in countries} == expected
    assert main([*library, "search", "red circle", "--place", "Lisboa", "--json"]) == 0
    red = {h.path for h in lib.search("red circle")}
    assert {h["path"] for h in json.loads(capsys.readouterr().out)} == red & _where(facts, "Lisbon")
    some = next(p for p, (c, _, _) in facts.items() if c == "Rome")
    assert main([*library, "show", "--json", some]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["place"]["city"] == "Rome" and shown["place"]["country_code"] == "IT"
    assert shown["gps"] == pytest.approx(list(CITIES["Rome"]), abs=1e-4)
    assert Path(some).exists()
