"""Typed dates and date phrases in queries (photoapp/core/search/dates.py)."""

from datetime import date

import pytest

from photoapp.core.search.dates import DateSpan, match_date, parse_date_range, words_of

TODAY = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("text", "start", "end", "months"),
    [
        ("2019", date(2019, 1, 1), date(2020, 1, 1), ()),
        ("June 2008", date(2008, 6, 1), date(2008, 7, 1), ()),
        ("june of 2008", date(2008, 6, 1), date(2008, 7, 1), ()),
        ("2008 June", date(2008, 6, 1), date(2008, 7, 1), ()),
        ("2019-06", date(2019, 6, 1), date(2019, 7, 1), ()),
        ("2019-06-03", date(2019, 6, 3), date(2019, 6, 4), ()),
        ("2019-2021", date(2019, 1, 1), date(2022, 1, 1), ()),
        ("2019 – 2021", date(2019, 1, 1), date(2022, 1, 1), ()),
        ("2019 to 2021", date(2019, 1, 1), date(2022, 1, 1), ()),
        ("summer 2020", date(2020, 6, 1), date(2020, 9, 1), ()),
        ("winter 2020", date(2020, 12, 1), date(2021, 3, 1), ()),
        ("the 90s", date(1990, 1, 1), date(2000, 1, 1), ()),
        ("1990s", date(1990, 1, 1), date(2000, 1, 1), ()),
        ("the nineties", date(1990, 1, 1), date(2000, 1, 1), ()),
        ("the 2010s", date(2010, 1, 1), date(2020, 1, 1), ()),
        ("December", None, None, (12,)),
        ("yesterday", date(2026, 3, 14), date(2026, 3, 15), ()),
        ("today", date(2026, 3, 15), date(2026, 3, 16), ()),
        ("last year", date(2025, 1, 1), date(2026, 1, 1), ()),
        ("this year", date(2026, 1, 1), date(2027, 1, 1), ()),
        ("last month", date(2026, 2, 1), date(2026, 3, 1), ()),
        # in March 2026 the last summer is 2025's, the last December 2025's, and the
        # last winter the one that ended on 1 March (December 2025 to February 2026)
        ("last summer", date(2025, 6, 1), date(2025, 9, 1), ()),
        ("last December", date(2025, 12, 1), date(2026, 1, 1), ()),
        ("last winter", date(2025, 12, 1), date(2026, 3, 1), ()),
        ("last March", date(2025, 3, 1), date(2025, 4, 1), ()),
    ],
)
def test_typed_dates(text, start, end, months):
    span = parse_date_range(text, TODAY)
    assert span is not None, text
    assert (span.start, span.end, span.months) == (start, end, months)
    assert span.label


@pytest.mark.parametrize("text", ["", "hello", "1850", "2099", "2021-2019", "2019-13", "2019-02-30", "June 2008 x"])
def test_not_dates(text):
    assert parse_date_range(text, TODAY) is None


def test_everyday_words_are_not_months_in_a_query():
    words = words_of("you may like march music")
    assert all(match_date(words, i, TODAY) is None for i in range(len(words)))
    assert match_date(words_of("snow in may"), 2, TODAY)[0].months == (5,)
    assert match_date(words_of("may 2019"), 0, TODAY)[0].start == date(2019, 5, 1)


def test_a_season_alone_is_a_look_not_a_date_in_a_query():
    assert match_date(["summer"], 0, TODAY) is None
    assert match_date(["summer", "2020"], 0, TODAY) == (match_date(["summer", "2020"], 0, TODAY)[0], 2)


def test_contains():
    span = DateSpan(date(2020, 1, 1), date(2021, 1, 1))
    assert span.contains(date(2020, 12, 31)) and not span.contains(date(2021, 1, 1))
    assert DateSpan(months=(12,)).contains(date(1999, 12, 5))
    assert not DateSpan(months=(12,)).contains(date(1999, 11, 5))
