"""SortChoice: how the gallery is ordered (newest or oldest first under date headers, by
name; search results best match first too), next to the search bar; and the header line
that counts the results.

Results are only the photos the core's adaptive cut-off finds relevant (Library.search
without ``k``), so they can be grouped by date or ordered by name and counted.
"""

from __future__ import annotations

import html
import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox

from photoapp.gui.layout.timeline import BROWSE_SORTS, SEARCH_SORTS, Sort

LABELS = {Sort.RELEVANCE: "Best match", Sort.NEWEST: "Newest first", Sort.OLDEST: "Oldest first", Sort.NAME: "Name A–Z"}
SORT_WORDS = {
    "relevance": "best match first",
    "newest": "newest first",
    "oldest": "oldest first",
    "name": "by name",
}
_OLD_NAMES = {"date": Sort.NEWEST}  # settings written before the timeline


class SortChoice(QComboBox):
    """Browsing: newest first, oldest first or by name. Searching: best match first too.
    A choice made while browsing applies to searches as well; "best match" is kept for the
    next search when browsing in between."""

    sort_changed = Signal(str)  # a Sort value

    def __init__(self, parent=None):
        super().__init__(parent)
        self._browse, self._search, self._searching = Sort.NEWEST, Sort.RELEVANCE, False
        self._fill()
        self.currentIndexChanged.connect(self._picked)

    def value(self) -> str:
        return str(self._search if self._searching else self._browse)

    def browse_value(self) -> str:
        return str(self._browse)

    def search_value(self) -> str:
        return str(self._search)

    def set_value(self, key: str, browse: str | None = None) -> None:
        """Set without ``sort_changed`` (restoring the saved choice is not a user's request)."""
        key = _sort(key, Sort.RELEVANCE)
        self._search = key
        if browse is not None:
            self._browse = _sort(browse, Sort.NEWEST)
        elif key in BROWSE_SORTS:
            self._browse = key
        self._fill()

    def set_searching(self, searching: bool) -> None:
        if searching != self._searching:
            self._searching = searching
            self._fill()

    def show_order(self, key: str) -> None:
        """Show ``key`` as the order of what is listed, without changing the choice: a search of
        only places, dates or people lists newest first under "Best match" (walk: the box said
        "Best match" above "newest first"). The next answer shows the choice again."""
        self.blockSignals(True)
        self.setCurrentIndex(max(0, self.findData(key)))
        self.blockSignals(False)

    def _fill(self) -> None:
        self.blockSignals(True)
        self.clear()
        for key in SEARCH_SORTS if self._searching else BROWSE_SORTS:
            self.addItem(LABELS[key], str(key))
        self.setCurrentIndex(max(0, self.findData(self.value())))
        self.blockSignals(False)
        self.setToolTip("Order of the search results" if self._searching else "Order of the photos")

    def _picked(self, _index: int) -> None:
        key = Sort(self.currentData())
        self._search = key
        if not self._searching:
            self._browse = key
        self.sort_changed.emit(str(key))


def _sort(key: str, default: Sort) -> Sort:
    try:
        return _OLD_NAMES.get(key) or Sort(key)
    except ValueError:
        return default


def count_text(
    n: int,
    total: int | None = None,
    truncated: bool = False,
    query: str = "",
    similar_to: str = "",
    sort: str = "relevance",
    closest: bool = False,
) -> str:
    """ "42 photos match “beach” — newest first", for the header above the results.

    ``closest``: the nearest photos were asked for because none stood out."""
    total = n if total is None else total
    name = html.escape(os.path.basename(similar_to)) if similar_to else f"“{html.escape(query)}”"
    if similar_to:
        subject, none = f"look like <b>{name}</b>", f"No photos look enough like <b>{name}</b>"
    else:
        subject, none = f"match <b>{name}</b>", f"No photos match <b>{name}</b>"
    if closest:
        return f"The {n:,} closest to <b>{name}</b> (none clearly matches) · {SORT_WORDS[sort]} — Esc to go back"
    if total == 0:
        return f"{none} — <a href='closest'>show the closest anyway</a> · Esc to go back"
    count = f"{'At least ' if truncated else ''}{total:,} photo{'s' if total != 1 else ''}"
    shown = f" (showing {n:,})" if n < total else ""
    verb = (
        subject if total != 1 or truncated else subject.replace("match ", "matches ").replace("look like", "looks like")
    )
    return f"{count} {verb}{shown} · {SORT_WORDS[sort]} — Esc to go back"
