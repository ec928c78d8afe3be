"""MainWindow: wires the engine's services, the gallery model and the widgets together.

It holds no SQL and no tensors: every question goes to a service of the LibraryService
(gui/services), whose answers come back as queued signals; a serial number drops answers
to questions no longer asked. Failures arrive as exception objects and are told apart by
type (photoapp.core.errors), never by their text.
"""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSlider,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from photoapp.config import GuiState
from photoapp.core.errors import NotIndexed
from photoapp.core.library import Library, ModelUnavailable
from photoapp.core.search.ranking import Filters
from photoapp.gui.controllers.gallery_text import describe, empty_message
from photoapp.gui.controllers.menus import build_menus
from photoapp.gui.controllers.people import PeopleUi
from photoapp.gui.controllers.photo_actions import PhotoActions
from photoapp.gui.controllers.tags import TagsUi
from photoapp.gui.icon import app_icon
from photoapp.gui.layout.timeline import Sort, is_grouped
from photoapp.gui.models.photo_list import PhotoListModel
from photoapp.gui.palette import follow_system, is_dark
from photoapp.gui.services.library import LibraryService
from photoapp.gui.services.thumbnails import ThumbnailLoader
from photoapp.gui.status import Priority, StatusMessages
from photoapp.gui.style import style_sheet
from photoapp.gui.views.banner import Banner
from photoapp.gui.views.drops import dropped_folders
from photoapp.gui.views.empty_state import EmptyState, NoPhotos
from photoapp.gui.views.filters_popup import FilterChips, FiltersPopup, span_times
from photoapp.gui.views.gallery_view import MAX_THUMB, MIN_THUMB, GalleryView, Grouping
from photoapp.gui.views.model_status import ModelStatus
from photoapp.gui.views.problems_dialog import ProblemsDialog
from photoapp.gui.views.progress_panel import ProgressPanel
from photoapp.gui.views.query_chips import QueryChips
from photoapp.gui.views.scrubber import TimelineScrubber
from photoapp.gui.views.search_bar import SearchBar
from photoapp.gui.views.settings_dialog import SettingsDialog
from photoapp.gui.views.sidebar import ALL_PHOTOS, FAVOURITES, VIDEOS, VIEWS, FolderSidebar
from photoapp.gui.views.sort_choice import SortChoice
from photoapp.gui.views.viewer import ViewerPage
from photoapp.gui.views.watch_indicator import WatchIndicator
from photoapp.gui.workers import error_text

FIRST_SCREENFUL = 300  # photos listed first at start, before the whole library
LIVE_REFRESH_MS = 2000  # while indexing, newly embedded photos appear at most this often
CLOSE_WAIT_MS = 30_000  # in-process users (tests, scripts) wait for every thread; the app waits less


class MainWindow(QMainWindow):
    def __init__(self, engine: LibraryService, parent=None):
        super().__init__(parent)
        self._starting = True  # restoring the last session's choices: one listing, at the end
        self.close_wait_ms, self.stopped_cleanly = CLOSE_WAIT_MS, False
        self.engine = engine
        self.thumbnails = ThumbnailLoader(engine.path, parent=self)
        self.model = PhotoListModel(self.thumbnails, self)
        self.query, self.similar_to, self.viewer = "", None, None
        self._serial = 0
        self._query_banner = False
        self.setWindowTitle("Photoapp")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        follow_system(QApplication.instance())  # light or dark, as the desktop is set
        self._dark = is_dark(QApplication.instance())
        self.setStyleSheet(style_sheet(self._dark))
        self.status = StatusMessages(self.statusBar(), self)  # every status-bar message goes through it
        self._build_widgets()
        build_menus(self)
        self._connect()
        self.photo_actions = PhotoActions(self)  # trash, rotate, favourite, stars, selection bar, undo
        self.undo = self.photo_actions.undo
        self._restore_state()
        self.refresh_folders()
        self.sidebar.select(self._restore_folder)
        self._starting = False
        self._indexing_armed = True  # indexing starts by itself, once the gallery is on screen
        self._quiet_run = self._run_is_quiet = False
        self.reload()  # first in the query thread's queue: the photos before the albums
        self.tags_ui.refresh_albums()
        if engine.library.settings_problems:  # a damaged settings.json: which keys, what was kept
            self.banner.show_message(" ".join(engine.library.settings_problems))

    # -- construction ---------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.search_bar = SearchBar(self)
        self.filters_popup = FiltersPopup(self)
        self.type_choice = self.filters_popup.type_choice
        self.filters_button = QToolButton(self)
        self.filters_button.setText("Filters")
        self.filters_button.setToolTip("Show only some photos: by kind of file or by the dates they were taken")
        self.filters_button.clicked.connect(self._open_filters)
        self.size_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.size_slider.setRange(MIN_THUMB, MAX_THUMB)
        self.size_slider.setFixedWidth(100)
        self.size_slider.setToolTip("Thumbnail size (Ctrl+wheel, Ctrl+= / Ctrl+−)")
        self.size_slider.setAccessibleName("Thumbnail size")
        top = QHBoxLayout()
        top.setContentsMargins(10, 8, 10, 4)
        top.addWidget(self.search_bar, 1)
        self.sort_choice = SortChoice(self)
        top.addWidget(self.sort_choice)
        top.addWidget(self.filters_button)
        top.addWidget(self.size_slider)
        self.chips = FilterChips(self.filters_popup, self)
        self.chips.hide()
        self.header = QLabel(self)
        self.header.setObjectName("header")
        self.header.setContentsMargins(12, 2, 12, 2)
        self.header.linkActivated.connect(self._show_closest)  # "show the closest anyway"
        self._closest = False  # the closest photos rather than the relevant ones, until a new question
        self.banner = Banner(self)
        self.gallery = GalleryView(self)
        self.gallery.setModel(self.model)
        self.gallery.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.empty = EmptyState(self)
        self.no_photos = NoPhotos(self)
        self.no_photos.link_activated.connect(self._show_closest)
        self.stack = QStackedWidget(self)
        self.scrubber = TimelineScrubber(self.gallery, self)
        self.gallery_pane = QWidget(self)  # the gallery with the timeline scrubber on its right edge
        pane = QHBoxLayout(self.gallery_pane)
        pane.setContentsMargins(0, 0, 0, 0)
        pane.setSpacing(0)
        pane.addWidget(self.gallery, 1)
        pane.addWidget(self.scrubber)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.gallery_pane)
        self.stack.addWidget(self.no_photos)
        right = QWidget(self)
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addLayout(top)
        self.query_chips = QueryChips(self)  # how the search bar read dates and places
        self.query_chips.chip_removed.connect(self._remove_chip)
        column.addWidget(self.query_chips)
        column.addWidget(self.banner)
        header_row = QHBoxLayout()
        header_row.setContentsMargins(0, 0, 0, 0)
        header_row.addWidget(self.chips)
        header_row.addWidget(self.header, 1)
        column.addLayout(header_row)
        column.addWidget(self.stack, 1)
        self.sidebar = FolderSidebar(self, favourites=True)  # Favourites: see ``filters``
        self.tags_ui = TagsUi(self)  # albums sidebar, Tags menu, teach a tag
        self.splitter = QSplitter(self)
        self.splitter.addWidget(self.tags_ui.left_pane(self.sidebar))
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([220, 900])
        self.pages = QStackedWidget(self)  # the library; the viewer opens as a second page
        self.pages.addWidget(self.splitter)
        self.setCentralWidget(self.pages)
        self.people_ui = PeopleUi(self)  # the People page (gui/controllers/people.py)
        self.progress = ProgressPanel(self)
        self.statusBar().addPermanentWidget(self.progress)
        self.model_status = ModelStatus(self)  # the search model loading in the background
        self.statusBar().addPermanentWidget(self.model_status)
        self.engine.model_loading.connect(self.model_status.loading)
        self.engine.model_ready.connect(self.model_status.ready)
        self.watch_indicator = WatchIndicator(self.engine.watch, self)
        self.statusBar().addPermanentWidget(self.watch_indicator)

    def _open_filters(self) -> None:
        below = self.filters_button.mapToGlobal(self.filters_button.rect().bottomRight())
        self.filters_popup.adjustSize()
        self.filters_popup.move(below.x() - self.filters_popup.width(), below.y() + 2)
        self.filters_popup.show()
        self.filters_popup.date_text.setFocus()

    def _filters_changed(self) -> None:
        self.chips.refresh()
        active = len(self.chips.chips)
        self.filters_button.setText(f"Filters ({active})" if active else "Filters")
        self.reload()

    def _connect(self) -> None:
        self.search_bar.query_changed.connect(self.set_query)
        self.search_bar.similar_requested.connect(self.find_similar)
        self.sort_choice.sort_changed.connect(lambda _sort: self.reload())
        self.filters_popup.changed.connect(self._filters_changed)
        self.size_slider.valueChanged.connect(self.set_thumb_size)
        self.gallery.zoom_requested.connect(self.zoom_thumbnails)
        self.gallery.visible_rows_changed.connect(self._visible_rows_changed)
        self.gallery.activated.connect(lambda index: self.open_viewer(index.row()))
        self.gallery.customContextMenuRequested.connect(self._context_menu)
        self.sidebar.folder_selected.connect(self._folder_selected)
        self.sidebar.add_requested.connect(self.add_folder_dialog)
        self.sidebar.remove_requested.connect(self.remove_folder)
        self.empty.add_requested.connect(self.add_folder_dialog)
        self.banner.action_triggered.connect(lambda key: self.open_settings() if key == "settings" else None)
        self.progress.pause_toggled.connect(self._pause_toggled)
        self.progress.cancel_requested.connect(self.engine.indexing.cancel)
        self.engine.indexing.started.connect(self._index_started)
        self.engine.indexing.progress.connect(self._index_progress)
        self.engine.indexing.stopped.connect(self._index_stopped)
        self.engine.watch.changed.connect(self._folder_contents_changed)
        self._live = QTimer(self, singleShot=True, interval=LIVE_REFRESH_MS)
        self._live.timeout.connect(self._live_refresh)

    # -- gallery contents -----------------------------------------------------------------------
    def filters(self) -> Filters:
        folder = self.sidebar.current_folder()
        after, before = span_times(self.filters_popup.span)
        kind = "video" if folder == VIDEOS else self.filters_popup.kind()
        filters = Filters(
            folder if folder not in VIEWS else None,
            after,
            before,
            kind,
            people=self.people_ui.people(),
            favourites=folder == FAVOURITES,  # the Favourites entry's filter
        )
        return self.photo_actions.narrow(filters)

    def reload(self, keep_position: bool = False) -> None:
        """Ask the engine for the rows of the current view; the newest request wins."""
        self._serial += 1
        serial, filters = self._serial, self.filters()
        searching = bool(self.similar_to or self.query)
        self.sort_choice.set_searching(searching)
        sort = self.sort_choice.value()
        grouping = self._grouping(sort, searching)
        done = lambda rows: self._show_rows(serial, rows, keep_position, grouping)  # noqa: E731
        search = self.engine.search
        if self.similar_to:
            search.similar(self.similar_to, filters, done, self._query_failed, sort=sort, cutoff=not self._closest)
        elif self.query:
            search.search(self.query, filters, done, self._query_failed, sort=sort, cutoff=not self._closest)
        elif self.tags_ui.album[0]:
            self.tags_ui.load_rows(filters, done, self._query_failed)
        else:
            if not keep_position and sort == Sort.NEWEST and self.model.rowCount() == 0:
                # A first screenful at once (the newest are listed first), then all of them.
                first = lambda rows: self._show_first(serial, rows, grouping)  # noqa: E731
                search.browse(filters, first, self._query_failed, sort=sort, limit=FIRST_SCREENFUL)
                done = lambda rows: self._show_rows(serial, rows, True, grouping)  # noqa: E731
            search.browse(filters, done, self._query_failed, sort=sort)

    def _show_first(self, serial: int, rows, grouping: str) -> None:
        if serial == self._serial and self.model.rowCount() == 0 and rows:
            self.gallery.set_grouping(grouping, relayout=False)
            self.model.set_rows(rows)
            self.header.setText("")  # the count comes with the whole answer; never the last view's words
            self.stack.setCurrentWidget(self.gallery_pane)

    def _folder_selected(self, _folder: str) -> None:
        """One selection at a time: a folder (or a view) replaces the album."""
        if self._starting:
            return
        if self.tags_ui.album[0]:
            self.tags_ui.sidebar.blockSignals(True)
            self.tags_ui.sidebar.clear_selection()
            self.tags_ui.sidebar.blockSignals(False)
        self.reload()

    def _grouping(self, sort: str, searching: bool) -> str:
        """Date headers for rows in date order: by month (by day when large) while browsing,
        by month for search results; none for best match, by name, or an album."""
        if not is_grouped(sort) or (self.tags_ui.album[0] and not searching and not self.tags_ui.dated):
            return Grouping.NONE
        return Grouping.MONTH if searching else Grouping.AUTO

    def _show_rows(self, serial: int, rows, keep_position: bool, grouping: str = Grouping.AUTO) -> None:
        if serial != self._serial:
            return  # an answer to a question the user has since replaced
        offset = self.gallery.verticalScrollBar().value()
        self.gallery.set_grouping(grouping, relayout=False)  # the new rows are laid out once, below
        self.model.set_rows(rows)
        if keep_position:
            self.gallery.verticalScrollBar().setValue(offset)
        else:
            self.gallery.scrollToTop()
        self.header.setText(describe(self, len(rows), rows))
        searching = bool(self.query) and not self.similar_to
        self.query_chips.show_chips(getattr(rows, "chips", []) if searching else [], getattr(rows, "text", ""))
        if not self.sidebar.folders():
            self.stack.setCurrentWidget(self.empty)
        elif rows or self.tags_ui.album[0]:
            self.stack.setCurrentWidget(self.gallery_pane)
        else:
            self.no_photos.show_message(*empty_message(self))
            self.stack.setCurrentWidget(self.no_photos)
        if self._indexing_armed:
            # Only now: loading the model (torch) competes for the GIL with the first listing.
            QTimer.singleShot(0, self._first_index_run)
        if self.engine.model_state == "idle":  # the gallery is on screen: the search model loads behind it
            QTimer.singleShot(0, self.engine.prepare_model)
        if self._query_banner:
            self.banner.hide()  # the problem the last query reported is gone
            self._query_banner = False

    def _first_index_run(self) -> None:
        if self._indexing_armed:  # armed until it has really started, so ``busy`` covers the wait
            self._indexing_armed = False
            self._quiet_run = True  # the check at start speaks only if it finds changes
            self.engine.indexing.start()
            self._quiet_run = False

    def _index_started(self) -> None:
        self._run_is_quiet = self._quiet_run
        self.progress.started(quiet=self._quiet_run)

    @property
    def busy(self) -> bool:
        """Indexing runs or is about to start by itself, or an answer is on its way."""
        return self._indexing_armed or self.engine.busy

    def _query_failed(self, error: Exception) -> None:
        self._query_banner = True
        if self._indexing_armed:
            QTimer.singleShot(0, self._first_index_run)
        if isinstance(error, NotIndexed) and self.engine.indexing.active:
            self.banner.show_message("Search works once the first photos are indexed — indexing is under way.")
        elif isinstance(error, (ModelUnavailable, NotIndexed)):  # no usable embeddings: another model?
            self.banner.show_message(f"The search model is not available: {error_text(error)}", "settings", "Settings…")
        else:
            self.banner.show_message(error_text(error))
        self.header.setText("")

    def set_query(self, text: str) -> None:
        self.query, self.similar_to, self._closest = text, None, False
        if text and self.engine.model_state == "loading":  # queued behind the model: answers when it is ready
            self.model_status.waiting(text)
        self.reload()

    def _remove_chip(self, chip) -> None:
        """Undo one reading: its words go to the model as text (quoted in the query)."""
        text = Library.without(self.query, chip)
        self.search_bar.set_query_silently(text)
        self.set_query(text)

    def _show_closest(self, _link: str) -> None:
        self._closest = True
        self.reload()

    def find_similar(self, path: str) -> None:
        self.similar_to, self.query, self._closest = path, "", False
        self.search_bar.set_query_silently("")
        self.reload()

    def focus_search(self) -> None:
        self.search_bar.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_bar.selectAll()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and (self.query or self.similar_to):
            self.search_bar.clear_query()
            self.similar_to = None
            self.reload()
            return
        if event.key() == Qt.Key.Key_Escape and (self.tags_ui.escape() or self.people_ui.escape()):
            return
        super().keyPressEvent(event)

    # -- thumbnails -----------------------------------------------------------------------------
    def set_thumb_size(self, size: int) -> None:
        self.gallery.set_thumb_size(size)
        self.model.set_thumb_size(self.gallery.thumbnail_size())
        if self.size_slider.value() != self.gallery.thumb_size:
            self.size_slider.setValue(self.gallery.thumb_size)

    def set_square(self, square: bool) -> None:
        self.gallery.set_square(bool(square))
        self.square_action.setChecked(self.gallery.square)

    def zoom_thumbnails(self, steps: int) -> None:
        self.set_thumb_size(self.gallery.thumb_size + 20 * steps)

    def _visible_rows_changed(self, first: int, last: int) -> None:
        if first < 0:
            self.thumbnails.set_visible([], self.gallery.thumbnail_size())
            return
        rows = self.model.rows()[first : last + 1]
        self.thumbnails.set_visible([r.path for r in rows], self.gallery.thumbnail_size())

    # -- viewer and context menu ------------------------------------------------------------------
    def open_viewer(self, row: int) -> ViewerPage | None:
        """Show a photo in the viewer (a page of this window); a video opens in the system's player."""
        if not 0 <= row < self.model.rowCount():
            return None
        if self.model.row_at(row).kind == "video":
            self.play(self.model.row_at(row).path)
            return None
        if self.viewer is not None:
            self.viewer.leave()
        self.viewer = ViewerPage(
            list(self.model.rows()), row, self.engine, self.thumbnails, self, self.tags_ui.service, self.undo
        )
        self.viewer.actions = self.photo_actions
        self.viewer.current_changed.connect(self._viewer_moved)
        self.viewer.closed.connect(self._viewer_closed)
        self.viewer.full_screen_requested.connect(self.set_full_screen)
        self.pages.addWidget(self.viewer)
        self.pages.setCurrentWidget(self.viewer)
        self._viewer_moved(row)
        self.viewer.focus_photo()  # the photo has the keys, never a tag chip
        return self.viewer

    def open_files(self, paths: list[str]) -> ViewerPage | None:
        """The viewer on files given by name (``photoapp PHOTO...``), in the library or not: one
        photo is browsed with the others of its folder, several among themselves."""
        from photoapp.gui.models.photo_list import files_rows

        rows, row = files_rows(paths)
        if not rows:
            self.status.show("None of these files is a photo or video Photoapp can show", 10_000)
            return None
        self.model.set_rows(rows)  # the gallery behind the viewer shows the same photos
        self.header.setText(f"{len(rows):,} photos in {os.path.dirname(rows[row].path)}")
        return self.open_viewer(row)

    def play(self, path: str) -> bool:
        """Open a video with the desktop's default player (no playback widget of our own)."""
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(path))
        if not opened:
            self.statusBar().showMessage(f"No video player could open {os.path.basename(path)}", 8000)
        return opened

    def _viewer_moved(self, row: int) -> None:
        if row < self.model.rowCount():
            self.gallery.setCurrentIndex(self.model.index(row))
        self.setWindowTitle(f"{os.path.basename(self.viewer.current_path())} — Photoapp")

    def _viewer_closed(self) -> None:
        self.set_full_screen(False)
        self.pages.setCurrentWidget(self.splitter)
        self.pages.removeWidget(self.viewer)
        self.viewer.deleteLater()
        self.viewer = None
        self.setWindowTitle("Photoapp")
        self.gallery.setFocus()
        self.undo.offer()  # a change made by mistake can still come back

    def set_full_screen(self, on: bool) -> None:
        """The viewer alone on the screen: no menus, no status bar."""
        self.menuBar().setVisible(not on)
        self.statusBar().setVisible(not on)
        if on:
            self.showFullScreen()
        elif self.isFullScreen():
            self.showNormal()

    def selected_paths(self) -> list[str]:
        rows = sorted(i.row() for i in self.gallery.selectionModel().selectedIndexes())
        return [self.model.row_at(r).path for r in rows]

    def _context_menu(self, pos) -> None:
        index = self.gallery.indexAt(pos)
        if not index.isValid():
            return
        if not self.gallery.selectionModel().isSelected(index):
            self.gallery.setCurrentIndex(index)
        path = self.model.row_at(index.row()).path
        menu = QMenu(self)
        menu.addAction("Open", lambda: self.open_viewer(index.row()))
        self.photo_actions.add_context_actions(menu, self.selected_paths())
        menu.addAction("Copy path", self.copy_paths)
        menu.addSeparator()
        menu.addAction("Find similar", lambda: self.find_similar(path))
        self.tags_ui.add_context_actions(menu, self.selected_paths())
        menu.popup(self.gallery.viewport().mapToGlobal(pos))

    def copy_paths(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(self.selected_paths()))

    # -- folders ----------------------------------------------------------------------------------
    def refresh_folders(self) -> None:
        self.sidebar.set_folders(self.engine.folders())

    def add_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of photos", os.path.expanduser("~"))
        if folder:
            self.add_folders([folder])

    def add_folders(self, folders: list[str]) -> None:
        self.status.show(f"Adding {', '.join(os.path.basename(f) for f in folders)}…", 4000)
        self.engine.add_folders(folders, lambda _added: self._folders_changed(), self._mutation_failed)

    def remove_folder(self, folder: str) -> None:
        answer = QMessageBox.question(
            self, "Remove folder", f"Remove {folder} from the library?\nThe photos on disk are not touched."
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.remove_folder_now(folder)

    def remove_folder_now(self, folder: str) -> None:
        self.engine.remove_folder(folder, lambda _n: self._folders_changed(), self._mutation_failed)

    def _folders_changed(self) -> None:
        self.refresh_folders()
        self.reload()
        self.engine.indexing.start()

    def _mutation_failed(self, error: Exception) -> None:
        self.banner.show_message(error_text(error))
        self.engine.indexing.start()

    def dragEnterEvent(self, event) -> None:
        if dropped_folders(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        folders = dropped_folders(event.mimeData())
        if folders:
            event.acceptProposedAction()
            self.add_folders(folders)

    # -- indexing ---------------------------------------------------------------------------------
    def _pause_toggled(self, paused: bool) -> None:
        self.engine.indexing.pause(paused)

    def _index_progress(self, phase: str, done: int, total: int, eta) -> None:
        self.progress.update_progress(phase, done, total, eta)
        if phase == "embed" and done and not self._live.isActive():
            self._live.start()

    def _live_refresh(self) -> None:
        if not self.query and not self.similar_to:  # never reshuffle results under the user's eyes
            self.reload(keep_position=True)

    def _index_stopped(self, outcome: str, detail) -> None:
        self.progress.stopped()
        self._live.stop()
        if self.engine.changing:
            return  # stopped to let a folder or settings change through; it restarts after
        if outcome == "finished":
            # A run that found nothing new (most runs restarted after a change) is no news: it
            # never replaces a confirmation or a count the person is still reading; the check
            # at start that found nothing says nothing at all.
            news = detail["embedded"] or detail["failed"] or detail.get("removed")
            quiet, self._run_is_quiet = self._run_is_quiet, False  # only the run at start is quiet
            if news or not quiet:
                self.status.show(_report_text(detail), 10_000, Priority.NEWS if news else Priority.NO_NEWS)
        elif outcome == "cancelled":
            self.status.show("Indexing stopped — what was indexed is kept; File ▸ Index now resumes.", 10_000)
        else:
            self.banner.show_message(f"Indexing failed: {error_text(detail)}", "settings", "Settings…")
        self._update_problems()
        self.reload(keep_position=True)
        self.tags_ui.refresh_albums()

    def _folder_contents_changed(self) -> None:
        """The watcher indexed changes in a folder: list again where the user is."""
        self.reload(keep_position=True)
        self._update_problems()

    def _update_problems(self) -> None:
        count = len(self.engine.problems())
        self.problems_action.setText(f"&Problems ({count})…" if count else "&Problems…")

    def show_duplicates(self):
        from photoapp.gui.views.duplicates_view import DuplicatesDialog

        dialog = DuplicatesDialog(self.engine, self)
        dialog.changed.connect(lambda: self.reload(keep_position=True))  # trashed or restored photos
        dialog.trashed.connect(self.photo_actions.record_trash)  # Ctrl+Z in the window undoes a resolve too
        dialog.open()
        return dialog

    def show_problems(self) -> None:
        ProblemsDialog(self.engine.problems(), self).open()

    # -- settings and state -----------------------------------------------------------------------
    def open_settings(self) -> SettingsDialog:
        current = self.engine.settings()
        dialog = SettingsDialog(
            self.engine.model_name, current.device, self, self.tags_ui.service.sensitivity(), settings=current
        )
        dialog.accepted.connect(lambda: self.apply_dialog(dialog))
        dialog.open()
        return dialog

    def apply_dialog(self, dialog: SettingsDialog) -> None:
        self.tags_ui.apply_sensitivity(dialog.sensitivity())
        self.engine.apply_options(dialog.options(), lambda _r: self.engine.indexing.start(), self._mutation_failed)
        current = self.engine.settings()
        if dialog.model() != self.engine.model_name or dialog.device() != current.device:
            self.apply_settings(dialog.model(), dialog.device())

    def apply_settings(self, model: str, device: str) -> None:
        self.banner.hide()
        self.engine.apply_settings(model, device, lambda _r: self._folders_changed(), self._mutation_failed)

    def _restore_state(self) -> None:
        state = self.engine.settings().gui
        geometry = state.geometry
        if geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode()))
        else:
            self.resize(1200, 800)
        self.size_slider.setValue(state.thumb_size)
        self.set_thumb_size(self.size_slider.value())
        self._restore_folder = state.folder or ALL_PHOTOS
        self.set_square(state.square)
        self.sort_choice.set_value(state.sort, state.browse_sort)

    def save_state(self) -> None:
        settings = self.engine.settings()  # freshly loaded: keep what the core wrote meanwhile
        settings.gui = GuiState(
            bytes(self.saveGeometry().toBase64()).decode(),
            self.gallery.thumb_size,
            self.sidebar.current_folder(),
            self.sort_choice.search_value(),
            browse_sort=self.sort_choice.browse_value(),
            square=self.gallery.square,
        )
        settings.save(self.engine.path)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and is_dark(QApplication.instance()) != self._dark:
            self._dark = is_dark(QApplication.instance())  # the desktop switched light/dark
            self.setStyleSheet(style_sheet(self._dark))

    def closeEvent(self, event) -> None:
        """Save the window's state and stop the engine. ``close_wait_ms`` bounds the wait for
        work in flight (the app sets it low; see gui/app.py): an index run stops at its next
        batch boundary; what is still running then (a model loading, a batch being embedded)
        leaves ``stopped_cleanly`` False, and the app ends the process without it: committed
        batches are in the catalog, the unfinished one is rolled back and redone next time."""
        if self.viewer is not None:
            self.viewer.leave()  # its decoding thread stops; the geometry saved is not full screen
        self.hide()  # closed at once for the person, whatever is still stopping
        self.save_state()
        started = time.monotonic()
        self.engine.indexing.cancel()  # first: the run starts stopping while the rest winds down
        self.thumbnails.clear()  # queued decodes are dropped; running ones end meanwhile
        stopped = self.engine.shutdown(self.close_wait_ms)
        left = self.close_wait_ms - int((time.monotonic() - started) * 1000)
        self.stopped_cleanly = self.thumbnails.shutdown(max(50, left)) and stopped
        super().closeEvent(event)


def _report_text(report: dict) -> str:
    text = f"Library up to date: {report['scanned']:,} photos ({report['embedded']:,} newly indexed"
    if report["failed"]:
        text += f", {report['failed']:,} could not be read — see View ▸ Problems"
    return text + ")"
