"""What the gallery's header and its empty state say: the count and order of what is
listed, or why nothing is and what to do about it. Functions of the main window's state."""

from __future__ import annotations

import html
import os

from photoapp.gui.views.sidebar import FAVOURITES, VIDEOS, VIEWS
from photoapp.gui.views.sort_choice import SORT_WORDS, count_text


def photos(n: int) -> str:
    """'1 photo', '2 photos', '1,234 photos'."""
    return f"{n:,} photo" if n == 1 else f"{n:,} photos"


def listed_order(window, rows=None) -> str:
    """The order the rows are in: the chosen one, but newest first for a search of only
    places, dates or people (nothing to rank them by)."""
    sort = window.sort_choice.value()
    only_filters = bool(getattr(rows, "chips", None)) and not getattr(rows, "text", "")
    searching = bool(window.similar_to or window.query)
    return "newest" if searching and only_filters and sort == "relevance" else sort


def describe(window, n: int, rows=None) -> str:
    """The header line above the gallery: what is listed and in which order."""
    if window.similar_to or window.query:
        return count_text(
            n,
            getattr(rows, "total", n),
            getattr(rows, "truncated", False),
            window.query,
            window.similar_to or "",
            listed_order(window, rows),
            window._closest,
        )
    if window.tags_ui.album[0]:
        return window.tags_ui.describe(n)
    if (person := window.people_ui.describe(n)) is not None:
        return person
    if n:
        return f"{photos(n)}, {SORT_WORDS[window.sort_choice.value()]}"
    return empty_message(window)[0]


def empty_message(window) -> tuple[str, str]:
    """(title, detail) of an empty gallery: why nothing is listed, and what to do."""
    if window.similar_to or window.query:
        what = f"“{html.escape(window.query)}”" if window.query else html.escape(os.path.basename(window.similar_to))
        return (
            f"No photos match {what} — <a href='closest'>show the closest anyway</a>",
            "Esc goes back to all photos",
        )
    popup = window.filters_popup
    if popup.span is not None or popup.kind() is not None or popup.min_rating() is not None:
        return "No photos match these filters", "Remove a filter above, or choose other dates in Filters"
    folder = window.sidebar.current_folder()
    if folder == VIDEOS:
        return "No videos here", "Videos in your folders are listed here"
    if folder == FAVOURITES:
        return "No favourites yet", "Press . on a photo (or ♥ Favourite) to list it here"
    if window.engine.indexing.active or window.indexing_ui.armed:
        return "No photos yet — they appear here as they are indexed", ""
    if folder not in VIEWS:
        return f"No photos in {html.escape(os.path.basename(folder) or folder)}", ""
    return "No photos in your folders yet", "Photoapp lists JPEG, PNG, HEIC, RAW files and videos"
