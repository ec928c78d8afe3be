"""Answers: what the gallery lists and how it shows it (a controller of the main window).

The window's question (its query, the photo to find similar ones to, its filters, the sort)
goes to the engine's search service; its answers come back as queued signals and fill the
gallery, the header and the empty states. A serial number drops answers to questions no
longer asked. Failures arrive as exception objects and are told apart by type
(photoapp.core.errors), never by their text.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QTimer

from photoapp.core.errors import NotIndexed
from photoapp.core.library import Library, ModelUnavailable
from photoapp.core.search.ranking import Filters
from photoapp.gui.controllers.gallery_text import describe, empty_message, listed_order
from photoapp.gui.layout.timeline import Sort, is_grouped
from photoapp.gui.views.filters_popup import span_times
from photoapp.gui.views.gallery_view import Grouping
from photoapp.gui.views.sidebar import FAVOURITES, VIDEOS, VIEWS
from photoapp.gui.workers import error_text

FIRST_SCREENFUL = 300  # photos listed first at start, before the whole library
KEEP_SELECTION_UP_TO = 5000  # a selection this size survives a refresh in place (Ctrl+A on 100k does not)


class Answers:
    def __init__(self, window):
        self.window = window
        self.serial = 0
        self.query_banner = False  # the banner shows a problem the last question ran into
        self._reselect: set[str] = set()  # photos to select once the next answer lists them

    def filters(self) -> Filters:
        w = self.window
        folder = w.sidebar.current_folder()
        after, before = span_times(w.filters_popup.span)
        kind = "video" if folder == VIDEOS else w.filters_popup.kind()
        filters = Filters(
            folder if folder not in VIEWS else None,
            after,
            before,
            kind,
            people=w.people_ui.people(),
            favourites=folder == FAVOURITES,  # the Favourites entry's filter
        )
        return w.photo_actions.narrow(filters)

    def reload(self, keep_position: bool = False) -> None:
        """Ask the engine for the rows of the current view; the newest request wins."""
        w = self.window
        self.serial += 1
        serial, filters = self.serial, self.filters()
        searching = bool(w.similar_to or w.query)
        w.sort_choice.set_searching(searching)
        sort = w.sort_choice.value()
        grouping = self.grouping(sort, searching)
        done = lambda rows: self.show_rows(serial, rows, keep_position, grouping)  # noqa: E731
        search, cutoff = w.engine.search, not w._closest
        if w.similar_to:
            search.similar(w.similar_to, filters, done, self.failed, sort=sort, cutoff=cutoff)
        elif w.query:
            search.search(w.query, filters, done, self.failed, sort=sort, cutoff=cutoff)
        elif w.tags_ui.album[0]:
            w.tags_ui.load_rows(filters, done, self.failed)
        else:
            if not keep_position and sort == Sort.NEWEST and w.model.rowCount() == 0:
                # A first screenful at once (the newest are listed first), then all of them.
                first = lambda rows: self.show_first(serial, rows, grouping)  # noqa: E731
                search.browse(filters, first, self.failed, sort=sort, limit=FIRST_SCREENFUL)
                done = lambda rows: self.show_rows(serial, rows, True, grouping)  # noqa: E731
            search.browse(filters, done, self.failed, sort=sort)

    def show_first(self, serial: int, rows, grouping: str) -> None:
        w = self.window
        if serial == self.serial and w.model.rowCount() == 0 and rows:
            w.gallery.set_grouping(grouping, relayout=False)
            w.model.set_rows(rows)
            w.header.setText("")  # the count comes with the whole answer; never the last view's words
            w.stack.setCurrentWidget(w.gallery_pane)

    def grouping(self, sort: str, searching: bool) -> str:
        """Date headers for rows in date order: by month (by day when large) while browsing,
        by month for search results; none for best match, by name, or an album."""
        if not is_grouped(sort) or (self.window.tags_ui.album[0] and not searching and not self.window.tags_ui.dated):
            return Grouping.NONE
        return Grouping.MONTH if searching else Grouping.AUTO

    def show_rows(self, serial: int, rows, keep_position: bool, grouping: str = Grouping.AUTO) -> None:
        w = self.window
        if serial != self.serial:
            return  # an answer to a question the user has since replaced
        offset = w.gallery.verticalScrollBar().value()
        selected = self._selected() if keep_position else set()  # a refresh in place keeps it
        w.gallery.set_grouping(grouping, relayout=False)  # the new rows are laid out once, below
        w.model.set_rows(rows)
        if keep_position:
            w.gallery.verticalScrollBar().setValue(offset)
        else:
            w.gallery.scrollToTop()
        w.header.setText(describe(w, len(rows), rows))
        browsing = not (w.query or w.similar_to or w.tags_ui.album[0] or self.filters().active)
        w.memories_strip.set_browsing(browsing)  # "On this day" tops the timeline, not an answer
        w.sort_choice.show_order(listed_order(w, rows))
        searching = bool(w.query) and not w.similar_to
        w.query_chips.show_chips(getattr(rows, "chips", []) if searching else [], getattr(rows, "text", ""))
        if not w.sidebar.folders():
            w.stack.setCurrentWidget(w.empty)
        elif rows or w.tags_ui.album[0]:
            w.stack.setCurrentWidget(w.gallery_pane)
        else:
            w.no_photos.show_message(*empty_message(w))
            w.stack.setCurrentWidget(w.no_photos)
        w.indexing_ui.gallery_shown()
        if w.engine.model_state == "idle":  # the gallery is on screen: the search model loads behind it
            QTimer.singleShot(0, w.engine.prepare_model)
        if self.query_banner:
            w.banner.hide()  # the problem the last query reported is gone
            self.query_banner = False
        if self._reselect:
            self._select(self._reselect, scroll=True)
            self._reselect = set()
        elif selected:
            self._select(selected, scroll=False)

    def reselect(self, paths) -> None:
        """Select these photos and scroll to them once the next answer lists them (photos
        put back from the trash: the person sees where they came back)."""
        self._reselect = set(paths)

    def _selected(self) -> set[str]:
        """The selected photos' paths (none past KEEP_SELECTION_UP_TO: too costly to keep)."""
        w = self.window
        selection = w.gallery.selectionModel()
        if sum(r.height() for r in selection.selection()) > KEEP_SELECTION_UP_TO:
            return set()
        return {w.model.row_at(i.row()).path for i in selection.selectedIndexes()}

    def _select(self, paths: set[str], scroll: bool) -> None:
        w = self.window
        rows = [i for i, row in enumerate(w.model.rows()) if row.path in paths]
        if not rows:
            return  # not in this view (a filter leaves them out)
        selection = QItemSelection()
        for row in rows:
            selection.select(w.model.index(row), w.model.index(row))
        flags = QItemSelectionModel.SelectionFlag
        if scroll:  # the photo put back is the current one, in sight
            w.gallery.selectionModel().setCurrentIndex(w.model.index(rows[0]), flags.NoUpdate)
            w.gallery.scrollTo(w.model.index(rows[0]))
        w.gallery.selectionModel().select(selection, flags.ClearAndSelect)

    def failed(self, error: Exception) -> None:
        w = self.window
        self.query_banner = True
        w.indexing_ui.gallery_shown()
        if isinstance(error, NotIndexed) and w.engine.indexing.active:
            w.banner.show_message("Search works once the first photos are indexed — indexing is under way.")
        elif isinstance(error, (ModelUnavailable, NotIndexed)):  # no usable embeddings: another model?
            w.banner.show_message(f"The search model is not available: {error_text(error)}", "settings", "Settings…")
        else:
            w.banner.show_message(error_text(error))
        w.header.setText("")

    # -- the question -----------------------------------------------------------------------------
    def set_query(self, text: str) -> None:
        w = self.window
        w.query, w.similar_to, w._closest = text, None, False
        if text and w.engine.model_state == "loading":  # queued behind the model: answers when it is ready
            w.model_status.waiting(text)
        self.reload()

    def remove_chip(self, chip) -> None:
        """Undo one reading: its words go to the model as text (quoted in the query)."""
        text = Library.without(self.window.query, chip)
        self.window.search_bar.set_query_silently(text)
        self.set_query(text)

    def show_closest(self, _link: str = "") -> None:
        self.window._closest = True
        self.reload()

    def find_similar(self, path: str) -> None:
        w = self.window
        w.similar_to, w.query, w._closest = path, "", False
        w.search_bar.set_query_silently("")
        self.reload()

    def escape(self) -> bool:
        """Esc while searching: back to the photos browsed before."""
        w = self.window
        if not (w.query or w.similar_to):
            return False
        w.search_bar.clear_query()
        w.similar_to = None
        self.reload()
        return True

    def folder_selected(self, _folder: str) -> None:
        """One selection at a time: a folder (or a view) replaces the album."""
        w = self.window
        if w._starting:
            return
        if w.tags_ui.album[0]:
            w.tags_ui.sidebar.blockSignals(True)
            w.tags_ui.sidebar.clear_selection()
            w.tags_ui.sidebar.blockSignals(False)
        self.reload()

    def filters_changed(self) -> None:
        w = self.window
        w.chips.refresh()
        active = len(w.chips.chips)
        w.filters_button.setText(f"Filters ({active})" if active else "Filters")
        self.reload()
