"""SearchService: the gallery's rows: every photo (filtered, newest first), a search, or
photos like one. Runs on the engine's query thread; answers arrive as gallery rows."""

from __future__ import annotations

from PySide6.QtCore import QObject

from photoapp.core.search.ranking import Filters
from photoapp.gui.layout.timeline import Sort, day_keys, order_rows
from photoapp.gui.models.photo_list import PhotoRow, hit_row

# Searches show only the photos the core's cut-off finds relevant, at most this many
# (more than anyone scrolls through); the header still counts them all.
SEARCH_LIMIT = 20_000
CLOSEST = 60  # "show the closest anyway" when nothing stands out: a few screenfuls


class ResultRows(list):
    """Gallery rows of a search, with how many photos matched before the cap."""

    def __init__(self, rows, total: int, truncated: bool = False):
        super().__init__(rows)
        self.total, self.truncated = total, truncated
        self.chips: list = []  # how the query was read: dates and places (Library.interpret)
        self.text = ""  # what of it went to the model


class SearchService(QObject):
    def __init__(self, engine, parent=None):
        super().__init__(parent)
        self.engine = engine

    def browse(self, filters: Filters, on_done, on_failed=None, sort: str = "newest", limit: int | None = None):
        return self.engine.submit(self._browse, filters, sort, limit, on_done=on_done, on_failed=on_failed)

    def search(
        self, text: str, filters: Filters, on_done, on_failed=None, sort: str = "relevance", cutoff: bool = True
    ):
        return self.engine.submit(self._search, text, filters, sort, cutoff, on_done=on_done, on_failed=on_failed)

    def similar(
        self, path: str, filters: Filters, on_done, on_failed=None, sort: str = "relevance", cutoff: bool = True
    ):
        return self.engine.submit(self._similar, path, filters, sort, cutoff, on_done=on_done, on_failed=on_failed)

    # -- query thread ----------------------------------------------------------------------------
    def _browse(self, filters: Filters, sort: str = "newest", limit: int | None = None) -> list[PhotoRow]:
        listed = self.engine.library.browse(filters, limit)
        days = day_keys([r[3] for r in listed])
        rows = [
            PhotoRow(i, path, mtime, taken, None, kind, duration, companion, aspect, day)
            for (i, path, mtime, taken, kind, duration, companion, aspect), day in zip(listed, days, strict=True)
        ]
        return rows if sort == Sort.NEWEST else order_rows(rows, sort)  # the core lists newest first

    def _search(self, text: str, filters: Filters, sort: str = "relevance", cutoff: bool = True) -> ResultRows:
        k = SEARCH_LIMIT if cutoff else CLOSEST
        return self._rows(self.engine.library.search(text, k, filters, cutoff=cutoff), sort)

    def _similar(self, path: str, filters: Filters, sort: str = "relevance", cutoff: bool = True) -> ResultRows:
        k = SEARCH_LIMIT if cutoff else CLOSEST
        return self._rows(self.engine.library.similar(path, k, filters, cutoff=cutoff), sort)

    @staticmethod
    def _rows(hits, sort: str) -> ResultRows:
        """Best first from the core; grouped by month (best first inside each) or by name here."""
        rows = [hit_row(h) for h in hits]  # each hit carries what a row shows: no second fetch
        rows = order_rows(rows, sort, searching=True)
        result = ResultRows(rows, getattr(hits, "total", len(rows)), getattr(hits, "truncated", False))
        meaning = getattr(hits, "interpretation", None)
        result.chips = list(meaning.chips) if meaning is not None else []  # the search bar's chips
        result.text = meaning.text if meaning is not None else ""
        return result
