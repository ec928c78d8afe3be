"""SearchService: the gallery's rows: every photo (filtered, newest first), a search, or
photos like one. Runs on the engine's query thread; answers arrive as gallery rows."""

from __future__ import annotations

from PySide6.QtCore import QObject

from photoapp.core.search.ranking import Filters
from photoapp.gui.layout.timeline import day_key
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


class SearchService(QObject):
    def __init__(self, engine, parent=None):
        super().__init__(parent)
        self.engine = engine

    def browse(self, filters: Filters, on_done, on_failed=None):
        return self.engine.submit(self._browse, filters, on_done=on_done, on_failed=on_failed)

    def search(
        self, text: str, filters: Filters, on_done, on_failed=None, sort: str = "relevance", cutoff: bool = True
    ):
        return self.engine.submit(self._search, text, filters, sort, cutoff, on_done=on_done, on_failed=on_failed)

    def similar(
        self, path: str, filters: Filters, on_done, on_failed=None, sort: str = "relevance", cutoff: bool = True
    ):
        return self.engine.submit(self._similar, path, filters, sort, cutoff, on_done=on_done, on_failed=on_failed)

    # -- query thread ----------------------------------------------------------------------------
    def _browse(self, filters: Filters) -> list[PhotoRow]:
        return [
            PhotoRow(i, path, mtime, taken, None, kind, duration, companion, aspect, day_key(taken))
            for i, path, mtime, taken, kind, duration, companion, aspect in self.engine.library.browse(filters)
        ]

    def _search(self, text: str, filters: Filters, sort: str = "relevance", cutoff: bool = True) -> ResultRows:
        k = SEARCH_LIMIT if cutoff else CLOSEST
        return self._rows(self.engine.library.search(text, k, filters, sort=sort, cutoff=cutoff))

    def _similar(self, path: str, filters: Filters, sort: str = "relevance", cutoff: bool = True) -> ResultRows:
        k = SEARCH_LIMIT if cutoff else CLOSEST
        return self._rows(self.engine.library.similar(path, k, filters, sort=sort, cutoff=cutoff))

    @staticmethod
    def _rows(hits) -> ResultRows:
        rows = [hit_row(h) for h in hits]  # each hit carries what a row shows: no second fetch
        return ResultRows(rows, getattr(hits, "total", len(rows)), getattr(hits, "truncated", False))
