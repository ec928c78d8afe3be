"""SortChoice: how search results are ordered (best match, date, name), next to the
search bar; and the header line that counts the results.

Results are only the photos the core's adaptive cut-off finds relevant (Library.search
without ``k``), so they can be re-ordered by date or name and counted.
"""

from __future__ import annotations

import html
import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox

SORTS = (("relevance", "Best match"), ("date", "Newest first"), ("name", "Name A–Z"))
SORT_WORDS = {"relevance": "best match first", "date": "newest first", "name": "by name"}


class SortChoice(QComboBox):
    sort_changed = Signal(str)  # "relevance" | "date" | "name"

    def __init__(self, parent=None):
        super().__init__(parent)
        for key, text in SORTS:
            self.addItem(text, key)
        self.setToolTip("Order of the search results")
        self.currentIndexChanged.connect(lambda _i: self.sort_changed.emit(self.value()))
        self.set_searching(False)

    def value(self) -> str:
        return self.currentData()

    def set_value(self, key: str) -> None:
        """Set without ``sort_changed`` (restoring the saved choice is not a user's request)."""
        index = self.findData(key)
        if index >= 0:
            self.blockSignals(True)
            self.setCurrentIndex(index)
            self.blockSignals(False)

    def set_searching(self, searching: bool) -> None:
        """Browsing is always newest first; the choice applies to search results."""
        self.setEnabled(searching)
        self.setToolTip("Order of the search results" if searching else "Search to choose the order of results")


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
