"""The search bar's reading of a query (photoapp/core/search/interpret.py), without a model."""

from datetime import date

import pytest

from photoapp.core.search.interpret import PlaceRef, PlaceResolver, date_resolver, interpret, without

TODAY = date(2026, 3, 15)
NAMES = [
    ("paris", "city", "Paris", "FR"),
    ("nice", "city", "Nice", "FR"),
    ("orange", "city", "Orange", "FR"),
    ("lisbon", "city", "Lisbon", "PT"),
    ("lisboa", "city", "Lisbon", "PT"),
    ("munich", "city", "Munich", "DE"),
    ("munchen", "city", "Munich", "DE"),
    ("new york", "city", "New York", "US"),
    ("new york city", "city", "New York", "US"),
    ("portugal", "country", "PT", "PT"),
    ("bavaria", "region", "Bavaria", "DE"),
    ("tokyo", "elsewhere", "Tokyo", "JP"),
]


@pytest.fixture(scope="module")
def resolvers():
    return [date_resolver, PlaceResolver(NAMES)]


def read(query, resolvers):
    meaning = interpret(query, TODAY, resolvers)
    places = [(p.kind, p.name) for p in meaning.places]
    dates = [(d.start, d.end, d.months) for d in meaning.dates]
    return meaning.text, places, dates


@pytest.mark.parametrize(
    ("query", "text", "places", "dates"),
    [
        ("red circle in Paris 2019", "red circle", [("city", "Paris")], [(date(2019, 1, 1), date(2020, 1, 1), ())]),
        ("Rome", "Rome", [], []),  # not a place the resolver knows: a word for CLIP
        ("Paris", "", [("city", "Paris")], []),
        ("photos from Lisboa", "", [("city", "Lisbon")], []),
        ("München", "", [("city", "Munich")], []),
        ("beach in New York", "beach", [("city", "New York")], []),
        ("New York City at night", "at night", [("city", "New York")], []),
        ("snow last December", "snow", [], [(date(2025, 12, 1), date(2026, 1, 1), ())]),
        ("dog summer 2020", "dog", [], [(date(2020, 6, 1), date(2020, 9, 1), ())]),
        ("summer dress", "summer dress", [], []),
        ("June 2008 wedding", "wedding", [], [(date(2008, 6, 1), date(2008, 7, 1), ())]),
        ("2019-2021 Portugal", "", [("country", "PT")], [(date(2019, 1, 1), date(2022, 1, 1), ())]),
        ("the 90s", "", [], [(date(1990, 1, 1), date(2000, 1, 1), ())]),
        ("yesterday", "", [], [(date(2026, 3, 14), date(2026, 3, 15), ())]),
        ("castles in Bavaria", "castles", [("region", "Bavaria")], []),
        ("Paris and Lisbon", "", [("city", "Paris"), ("city", "Lisbon")], []),
        ("show me photos from Portugal in 2019", "", [("country", "PT")], [(date(2019, 1, 1), date(2020, 1, 1), ())]),
        # the traps: everyday words that are also held places stay words
        ("nice sunset", "nice sunset", [], []),
        ("Nice sunset", "Nice sunset", [], []),
        ("orange square", "orange square", [], []),
        ("sunset in Nice", "sunset", [("city", "Nice")], []),
        ("sunset Nice", "sunset", [("city", "Nice")], []),
        ("Nice", "", [("city", "Nice")], []),
        ("orange square in Orange", "orange square", [("city", "Orange")], []),
        ("you may like march", "you may like march", [], []),
        # quoted words and rclip-style terms go to CLIP untouched
        ('"Paris" hotel', "Paris hotel", [], []),
        ('"2019" poster', "2019 poster", [], []),
        ("beach +Paris -2019", "beach +Paris -2019", [], []),
        # a known place without photos filters to nothing, only when clearly a place
        ("Tokyo", "", [("elsewhere", "Tokyo")], []),
        ("sushi in Tokyo", "sushi", [("elsewhere", "Tokyo")], []),
        ("tokyo style ramen", "tokyo style ramen", [], []),
    ],
)
def test_mixed_queries(resolvers, query, text, places, dates):
    assert read(query, resolvers) == (text, places, dates)


def test_explain_and_undo(resolvers):
    meaning = interpret("sunset in Nice 2019", TODAY, resolvers)
    assert meaning.explain() == "text: 'sunset'; place: Nice; date: 2019"
    place = next(c for c in meaning.chips if c.kind == "place")
    undone = without(meaning.query, place)
    assert undone == 'sunset in "Nice" 2019'
    again = interpret(undone, TODAY, resolvers)
    assert again.places == [] and "Nice" in again.text and len(again.dates) == 1
    assert meaning.as_dict()["chips"][0]["value"] == {"kind": "city", "name": "Nice", "country_code": "FR"}


def test_another_kind_of_name_joins_as_a_resolver(resolvers):
    """The hook for people (issue 27): a resolver the parser knows nothing about."""
    from photoapp.core.search.interpret import Chip

    def people(words, i, context):
        return (Chip("person", "Ana", value=PlaceRef("person", "Ana", "")), 1) if words[i] == "ana" else None

    meaning = interpret("Ana in Lisbon 2019", TODAY, [*resolvers, people])
    assert [c.kind for c in meaning.chips] == ["person", "place", "date"] and meaning.text == ""


def test_person_names_join_the_search_bar():
    """Named people (issue 27) are a resolver after dates and places: whole names, longest
    first; a name that is an ordinary word needs a capital, "with", or to stand alone."""
    from datetime import date

    from photoapp.core.search.interpret import date_resolver, interpret
    from photoapp.core.search.people_names import PersonResolver

    people = PersonResolver({1: "Ada", 2: "Ben Okri", 3: "Rose"})
    read = lambda q: interpret(q, date(2026, 12, 2), [date_resolver, people])  # noqa: E731
    meaning = read("ada and Ben Okri at the beach 2019")
    assert meaning.people == [1, 2] and meaning.text == "at the beach" and len(meaning.dates) == 1
    assert read("rose garden").people == [] and read("rose garden").text == "rose garden"
    assert read("Rose in the garden").people == [3]
    assert read("picnic with rose").people == [3] and read("picnic with rose").text == "picnic"
    assert read("rose").people == [3] and read("rose").text == ""
    assert read("ben").people == []  # part of a name is not the name
