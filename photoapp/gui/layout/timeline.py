"""The timeline: photos in date order, grouped under month (or day) headers, undated last
under "No date"; search results either best first or grouped the same way with the best
match first inside each group. Pure functions over gallery rows (anything with ``taken``,
``score``, ``path`` and ``day``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum

from photoapp.gui.layout.justified import Group

NO_DATE = "No date"


class Sort(StrEnum):
    RELEVANCE = "relevance"  # searches only: best match first, no headers
    NEWEST = "newest"
    OLDEST = "oldest"
    NAME = "name"  # file name A-Z, no headers


BROWSE_SORTS = (Sort.NEWEST, Sort.OLDEST, Sort.NAME)
SEARCH_SORTS = (Sort.RELEVANCE, Sort.NEWEST, Sort.OLDEST, Sort.NAME)


def day_key(taken: float | None) -> int:
    """YYYYMMDD of a POSIX time in local time; 0 when undated (or out of range)."""
    if taken is None:
        return 0
    try:
        when = datetime.fromtimestamp(taken)
    except (OverflowError, OSError, ValueError):
        return 0
    return when.year * 10000 + when.month * 100 + when.day


def day_keys(takens: Sequence[float | None]) -> list[int]:
    """``day_key`` of each time; one calendar lookup per day, not per photo (the times of a
    listing come in runs of the same day: 100,000 photos cost a few thousand lookups)."""
    keys: list[int] = []
    start = end = 0.0
    key = 0
    for taken in takens:
        if taken is None:
            keys.append(0)
            continue
        if not start <= taken < end:
            key = day_key(taken)
            start, end = _day_bounds(taken) if key else (0.0, 0.0)
        keys.append(key)
    return keys


def _day_bounds(taken: float) -> tuple[float, float]:
    """Local midnight before ``taken`` and the next one (DST days are 23 or 25 hours)."""
    from datetime import timedelta

    day = datetime.fromtimestamp(taken).date()
    midnight = datetime.combine(day, datetime.min.time())
    return midnight.timestamp(), (midnight + timedelta(days=1)).timestamp()


def is_grouped(sort: str) -> bool:
    return sort in (Sort.NEWEST, Sort.OLDEST)


def order_rows(rows: Sequence, sort: str, searching: bool = False) -> list:
    """``rows`` (as the core lists them: newest first when browsing, best first when
    searching) in the order asked for. Dated photos by date (searches: by month, best match
    first inside a month), undated last in either direction."""
    sort = Sort(sort)
    if sort == Sort.NAME:
        return sorted(rows, key=lambda r: (os.path.basename(r.path).casefold(), r.path))
    if sort == Sort.RELEVANCE:
        return list(rows)
    sign = -1 if sort == Sort.NEWEST else 1
    if searching:  # month groups; the core's order (best first) kept inside each: a stable sort
        return sorted(rows, key=lambda r: (r.day == 0, sign * (r.day // 100)))
    if sort == Sort.NEWEST:
        return sorted(rows, key=lambda r: (r.taken is None, -(r.taken or 0.0)))
    return sorted(rows, key=lambda r: (r.taken is None, r.taken or 0.0))


def groups(days: Sequence[int], by_day: bool = False) -> list[Group]:
    """Runs of rows that share a month (or a day), each with its header's title."""
    result: list[Group] = []
    start, current = 0, None
    for i, day in enumerate(days):
        key = day if by_day else day // 100
        if key != current:
            if current is not None:
                result.append(Group(start, i, title(current, by_day)))
            start, current = i, key
    if current is not None:
        result.append(Group(start, len(days), title(current, by_day)))
    return result


def title(key: int, by_day: bool = False) -> str:
    """'June 2008' for a month key (YYYYMM), 'Sat 14 June 2008' for a day key (YYYYMMDD)."""
    if key == 0:
        return NO_DATE
    if by_day:
        day = date(key // 10000, key // 100 % 100, key % 100)
        return f"{day:%a} {day.day} {day:%B %Y}"
    return f"{date(key // 100, key % 100, 1):%B %Y}"


def year_marks(headers: Sequence, days: Sequence[int], height: int) -> list[tuple[float, str]]:
    """(fraction of the content height, "2019") where each year's first header sits, for
    the scrubber's labels; "No date" too when there are undated photos."""
    marks: list[tuple[float, str]] = []
    last = None
    for header in headers:
        key = days[header.first] // 10000 if header.first < len(days) else 0
        label = str(key) if key else NO_DATE
        if label != last:
            marks.append((header.top / max(1, height), label))
            last = label
    return marks
