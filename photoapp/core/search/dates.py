"""Dates in words: "June 2008", "2019-2021", "the 90s", "last summer", "yesterday".

``parse_date_range(text, today)`` reads a whole typed date (a date filter's field);
``match_date(words, i, today)`` finds one at position ``i`` of a query's words (the search
bar's parser). Both give a ``DateSpan``: a range of calendar days, end exclusive, and/or
the months of every year ("December": any December). Dates are the wall-clock day where
the photo was taken. Seasons are the northern meteorological ones (summer: June to
August; winter 2020: December 2020 to February 2021). Pure functions: no I/O, no clock
(``today`` is passed in), so the GUI and the CLI agree and tests are exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

FIRST_YEAR = 1900  # an earlier year in a query is a number, not a date

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
# Month names that are also everyday words ("may", "march", "mar"): a month only next to
# a year ("May 2019") or after "in"/"last"/"this" ("in May").
_AMBIGUOUS_MONTHS = {"may", "march", "mar", "jan", "dec", "sep", "oct", "jun", "jul", "aug", "apr", "nov", "feb"}
SEASONS = {"spring": (3, 4, 5), "summer": (6, 7, 8), "autumn": (9, 10, 11), "fall": (9, 10, 11), "winter": (12, 1, 2)}
_DECADE_WORDS = {
    "twenties": 20,
    "thirties": 30,
    "forties": 40,
    "fifties": 50,
    "sixties": 60,
    "seventies": 70,
    "eighties": 80,
    "nineties": 90,
}
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_RANGE = re.compile(r"^(\d{4})\s*(?:-|–|—|\.\.|to|until)\s*(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_DECADE = re.compile(r"^(?:the\s+)?'?(\d{2}|\d{4})'?s$")
_WORD = re.compile(r"\d{4}\s*[-–—]\s*\d{4}\b|\d{4}-\d{1,2}(?:-\d{1,2})?\b|[\w'’]+", re.UNICODE)


@dataclass(frozen=True)
class DateSpan:
    """Calendar days ``start`` (inclusive) to ``end`` (exclusive), either None for open;
    ``months``: only these months (1-12) of any year ("December", "summer"). ``label`` is
    how the interpretation is shown ("June 2008")."""

    start: date | None = None
    end: date | None = None
    months: tuple[int, ...] = ()
    label: str = ""

    def contains(self, day: date) -> bool:
        if self.start is not None and day < self.start:
            return False
        if self.end is not None and day >= self.end:
            return False
        return not self.months or day.month in self.months

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "months": list(self.months),
            "label": self.label,
        }


def parse_date_range(text: str, today: date) -> DateSpan | None:
    """A typed date ("2019", "June 2008", "2019-2021", "2019-06", "summer 2020", "the 90s",
    "last year", "yesterday") as a DateSpan; None when ``text`` as a whole is not one."""
    words = words_of(text)
    if not words:
        return None
    found = match_date(words, 0, today, strict=False)
    if found is None or found[1] != len(words):
        return None
    return found[0]


def words_of(text: str) -> list[str]:
    """Lower-case words, keeping "2019-2021" and "2019-06" whole (the date forms with a dash)."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def match_date(words: list[str], i: int, today: date, strict: bool = True) -> tuple[DateSpan, int] | None:
    """The date phrase starting at ``words[i]`` and how many words it takes, longest first;
    None if none starts there. ``strict`` (in a query) keeps everyday words that double as
    month names ("may", "march") and seasons alone ("summer": a look CLIP knows) as words."""
    for matcher in (_relative, _month_year, _season_year, _year_range, _decade, _iso, _year, _month):
        found = matcher(words, i, today, strict)
        if found is not None:
            return found
    return None


# -- matchers: each (words, i, today, strict) -> (DateSpan, words taken) | None -----------
def _year_of(word: str, today: date) -> int | None:
    m = _YEAR.match(word)
    if m and FIRST_YEAR <= int(m.group(1)) <= today.year + 1:
        return int(m.group(1))
    return None


def _year_span(year: int, label: str | None = None) -> DateSpan:
    return DateSpan(date(year, 1, 1), date(year + 1, 1, 1), (), label or str(year))


def _month_span(year: int, month: int) -> DateSpan:
    end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return DateSpan(date(year, month, 1), end, (), f"{date(year, month, 1):%B} {year}")


def _season_span(year: int, season: str) -> DateSpan:
    months = SEASONS[season]
    start = date(year, months[0], 1)
    last = months[-1]
    end_year = year + 1 if months[0] > last else year
    end = date(end_year + 1, 1, 1) if last == 12 else date(end_year, last + 1, 1)
    return DateSpan(start, end, (), f"{season} {year}")


def _year(words, i, today, strict):
    year = _year_of(words[i], today)
    return (_year_span(year), 1) if year else None


def _year_range(words, i, today, strict):
    m = _YEAR_RANGE.match(words[i])
    if m:
        first, last, taken = _year_of(m.group(1), today), _year_of(m.group(2), today), 1
    elif i + 2 < len(words) and words[i + 1] in ("to", "until", "-") and _year_of(words[i], today):
        first, last, taken = _year_of(words[i], today), _year_of(words[i + 2], today), 3
    else:
        return None
    if not first or not last or last < first:
        return None
    return DateSpan(date(first, 1, 1), date(last + 1, 1, 1), (), f"{first}–{last}"), taken


def _iso(words, i, today, strict):
    m = _ISO.match(words[i])
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not FIRST_YEAR <= year <= today.year + 1 or not 1 <= month <= 12:
        return None
    if m.group(3) is None:
        return _month_span(year, month), 1
    try:
        day = date(year, month, int(m.group(3)))
    except ValueError:
        return None
    return DateSpan(day, day + timedelta(days=1), (), f"{day.day} {day:%B %Y}"), 1


def _decade(words, i, today, strict):
    text, taken = words[i], 1
    if text == "the" and i + 1 < len(words):
        text, taken = words[i + 1], 2
    if text in _DECADE_WORDS:
        if taken == 1 and strict:
            return None  # "sixties style" without "the": a look, not a date
        start = 1900 + _DECADE_WORDS[text]
    else:
        m = _DECADE.match(text)
        if not m:
            return None
        digits = m.group(1)
        start = int(digits) if len(digits) == 4 else (1900 if int(digits) >= 30 else 2000) + int(digits)
        if start % 10 or not FIRST_YEAR <= start <= today.year:
            return None
    return DateSpan(date(start, 1, 1), date(start + 10, 1, 1), (), f"the {start}s"), taken


def _month_year(words, i, today, strict):
    """ "June 2008", "June of 2008", "2008 June"."""
    if words[i] in MONTHS:
        j = i + 2 if i + 2 < len(words) and words[i + 1] == "of" else i + 1
        if j < len(words) and (year := _year_of(words[j], today)):
            return _month_span(year, MONTHS[words[i]]), j - i + 1
    if (year := _year_of(words[i], today)) and i + 1 < len(words) and words[i + 1] in MONTHS:
        return _month_span(year, MONTHS[words[i + 1]]), 2
    return None


def _season_year(words, i, today, strict):
    """ "summer 2020", "summer of 2020"."""
    if words[i] not in SEASONS:
        return None
    j = i + 2 if i + 2 < len(words) and words[i + 1] == "of" else i + 1
    if j < len(words) and (year := _year_of(words[j], today)):
        return _season_span(year, words[i]), j - i + 1
    return None


def _month(words, i, today, strict):
    """A month alone: that month of every year ("December"); an everyday word doubling as a
    month counts only after "in" in a query ("in May")."""
    word = words[i]
    if word not in MONTHS:
        return None
    if strict and word in _AMBIGUOUS_MONTHS and not (i > 0 and words[i - 1] in ("in", "during")):
        return None
    month = MONTHS[word]
    return DateSpan(None, None, (month,), f"{date(2000, month, 1):%B}"), 1


def _relative(words, i, today, strict):
    """ "yesterday", "today", "this/last year|month|week", "last December", "last summer"."""
    word = words[i]
    if word in ("today", "yesterday"):
        day = today - timedelta(days=0 if word == "today" else 1)
        return DateSpan(day, day + timedelta(days=1), (), word), 1
    if word not in ("last", "this") or i + 1 >= len(words):
        return None
    unit, back = words[i + 1], word == "last"
    label = f"{word} {unit.capitalize() if unit in MONTHS else unit}"
    if unit == "year":
        return _year_span(today.year - back, label), 2
    if unit == "month":
        first = today.replace(day=1)
        if back:
            first = (first - timedelta(days=1)).replace(day=1)
        return DateSpan(first, _month_span(first.year, first.month).end, (), label), 2
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) - timedelta(weeks=back)
        return DateSpan(monday, monday + timedelta(weeks=1), (), label), 2
    if unit in MONTHS:
        month = MONTHS[unit]
        # this June: the June of this year; last June: the latest June that has ended.
        year = today.year if not back else (today.year if month < today.month else today.year - 1)
        return replace(_month_span(year, month), label=label), 2
    if unit in SEASONS:
        year = today.year
        span = _season_span(year, unit)
        if back:
            while span.end > today:  # the latest season of that name that is over
                year -= 1
                span = _season_span(year, unit)
        elif unit == "winter" and today.month <= 2:
            span = _season_span(year - 1, unit)  # January: this winter began last December
        return replace(span, label=label), 2
    return None


def same_day(today: date, first_year: int) -> tuple[DateSpan, ...]:
    """ "On this day": ``today``'s month and day in every year from ``first_year`` to last
    year, newest first. On 28 February of a common year, 29 February of leap years too (it
    would never come otherwise); on 29 February, only the leap years have that day."""
    spans = []
    for year in range(today.year - 1, max(first_year, FIRST_YEAR) - 1, -1):
        try:
            start = today.replace(year=year)
        except ValueError:
            continue  # 29 February in a common year
        end = start + timedelta(days=1)
        if (today.month, today.day) == (2, 28) and not _leap(today.year) and _leap(year):
            end += timedelta(days=1)
        spans.append(DateSpan(start, end, label=str(year)))
    return tuple(spans)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
