"""MainWindow: builds the widgets and hands each concern to a controller (gui/controllers):
what is listed and how (answers.py), index runs (indexing.py), folders and settings
(folders.py), the viewer page (viewing.py), the state kept between sessions
(window_state.py), photo actions, tags, people and the menus.

It holds no SQL and no tensors: every question goes to a service of the LibraryService
(gui/services), whose answers come back as queued signals.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QSlider,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from photoapp.core.search.ranking import Filters
from photoapp.gui.controllers.answers import Answers
from photoapp.gui.controllers.folders import FoldersUi
from photoapp.gui.controllers.indexing import IndexingUi
from photoapp.gui.controllers.menus import build_menus
from photoapp.gui.controllers.people import PeopleUi
from photoapp.gui.controllers.photo_actions import PhotoActions
from photoapp.gui.controllers.tags import TagsUi
from photoapp.gui.controllers.viewing import ViewerUi
from photoapp.gui.controllers.window_state import fit_on_screen, restore_state, save_state
from photoapp.gui.icon import app_icon
from photoapp.gui.models.photo_list import PhotoListModel
from photoapp.gui.palette import follow_system, is_dark
from photoapp.gui.services.library import LibraryService
from photoapp.gui.services.thumbnails import ThumbnailLoader
from photoapp.gui.status import StatusMessages
from photoapp.gui.style import style_sheet
from photoapp.gui.views.banner import Banner
from photoapp.gui.views.drops import dropped_folders
from photoapp.gui.views.empty_state import EmptyState, NoPhotos
from photoapp.gui.views.filters_popup import FilterChips, FiltersPopup
from photoapp.gui.views.gallery_view import MAX_THUMB, MIN_THUMB, GalleryView
from photoapp.gui.views.memories_strip import MemoriesStrip
from photoapp.gui.views.model_status import ModelStatus
from photoapp.gui.views.progress_panel import ProgressPanel
from photoapp.gui.views.query_chips import QueryChips
from photoapp.gui.views.scrubber import TimelineScrubber
from photoapp.gui.views.search_bar import SearchBar
from photoapp.gui.views.sidebar import FolderSidebar
from photoapp.gui.views.sort_choice import SortChoice
from photoapp.gui.views.watch_indicator import WatchIndicator

if TYPE_CHECKING:  # dialogs and the viewer are imported when first opened, not at start
    from photoapp.gui.views.settings_dialog import SettingsDialog
    from photoapp.gui.views.viewer import ViewerPage

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
        self._closest = False  # the closest photos rather than the relevant ones, until a new question
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
        folder = restore_state(self)
        self._fitted = self.size()  # fitted on its screen again once shown (see showEvent)
        self.folders_ui.refresh()
        self.sidebar.select(folder)
        self._starting = False
        self.indexing_ui.armed = True  # indexing starts by itself, once the gallery is on screen
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
        self.banner = Banner(self)
        self.memories_strip = MemoriesStrip(self)  # "On this day" atop the timeline (controllers/places.py)
        self.gallery = GalleryView(self)
        self.gallery.setModel(self.model)
        self.gallery.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.empty = EmptyState(self)
        self.no_photos = NoPhotos(self)
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
        column.addWidget(self.query_chips)
        column.addWidget(self.banner)
        column.addWidget(self.memories_strip)
        self.header_row = QWidget(self)  # the count line; the selection bar takes its place
        header_row = QHBoxLayout(self.header_row)
        header_row.setContentsMargins(0, 0, 0, 0)
        header_row.addWidget(self.header, 1)
        self.header_slot = QStackedWidget(self)  # as tall as the taller of the two: no photo moves
        self.header_slot.addWidget(self.header_row)
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.chips)  # active filters stay in sight while photos are selected
        line.addWidget(self.header_slot, 1)
        column.addLayout(line)
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

    def _connect(self) -> None:
        self.answers = Answers(self)  # what is listed and how
        self.search_bar.query_changed.connect(self.set_query)
        self.search_bar.similar_requested.connect(self.find_similar)
        self.sort_choice.sort_changed.connect(lambda _sort: self.reload())
        self.filters_popup.changed.connect(self.answers.filters_changed)
        self.query_chips.chip_removed.connect(self.answers.remove_chip)
        self.header.linkActivated.connect(self.answers.show_closest)  # "show the closest anyway"
        self.no_photos.link_activated.connect(self.answers.show_closest)
        self.size_slider.valueChanged.connect(self.set_thumb_size)
        self.gallery.zoom_requested.connect(self.zoom_thumbnails)
        self.gallery.visible_rows_changed.connect(self._visible_rows_changed)
        self.gallery.activated.connect(lambda index: self.open_viewer(index.row()))
        self.gallery.customContextMenuRequested.connect(self._context_menu)
        self.sidebar.folder_selected.connect(self.answers.folder_selected)
        self.banner.action_triggered.connect(lambda key: self.open_settings() if key == "settings" else None)
        self.folders_ui = FoldersUi(self)  # add and remove folders, apply settings
        self.indexing_ui = IndexingUi(self)  # the runs: progress, live refresh, reports
        self.viewer_ui = ViewerUi(self)  # the viewer page

    # -- gallery contents (controllers/answers.py) -----------------------------------------------
    def filters(self) -> Filters:
        return self.answers.filters()

    def reload(self, keep_position: bool = False) -> None:
        """Ask the engine for the rows of the current view; the newest request wins."""
        self.answers.reload(keep_position)

    def set_query(self, text: str) -> None:
        self.answers.set_query(text)

    def find_similar(self, path: str) -> None:
        self.answers.find_similar(path)

    def _show_closest(self, _link: str = "") -> None:
        self.answers.show_closest()

    @property
    def busy(self) -> bool:
        """Indexing runs or is about to start by itself, or an answer is on its way."""
        return self.indexing_ui.armed or self.engine.busy

    def focus_search(self) -> None:
        self.search_bar.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_bar.selectAll()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and (
            self.answers.escape() or self.tags_ui.escape() or self.people_ui.escape()
        ):
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

    # -- viewer (controllers/viewing.py) and context menu -----------------------------------------
    def open_viewer(self, row: int) -> ViewerPage | None:
        """Show a photo in the viewer (a page of this window); a video opens in the system's player."""
        return self.viewer_ui.open(row)

    def open_files(self, paths: list[str]) -> ViewerPage | None:
        """The viewer on files given by name (``photoapp PHOTO...``)."""
        return self.viewer_ui.open_files(paths)

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

    # -- folders and settings (controllers/folders.py) --------------------------------------------
    def add_folder_dialog(self) -> None:
        self.folders_ui.add_dialog()

    def add_folders(self, folders: list[str]) -> None:
        self.folders_ui.add(folders)

    def remove_folder_now(self, folder: str) -> None:
        self.folders_ui.remove_now(folder)

    def open_settings(self) -> SettingsDialog:
        return self.folders_ui.open_settings()

    def dragEnterEvent(self, event) -> None:
        if dropped_folders(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        folders = dropped_folders(event.mimeData())
        if folders:
            event.acceptProposedAction()
            self.add_folders(folders)

    def show_duplicates(self):
        from photoapp.gui.views.duplicates_view import DuplicatesDialog

        dialog = DuplicatesDialog(self.engine, self)
        dialog.changed.connect(lambda: self.reload(keep_position=True))  # trashed or restored photos
        dialog.trashed.connect(self.photo_actions.record_trash)  # Ctrl+Z in the window undoes a resolve too
        dialog.open()
        return dialog

    def show_problems(self) -> None:
        from photoapp.gui.views.problems_dialog import ProblemsDialog

        ProblemsDialog(self.engine.problems(), self).open()

    # -- state (controllers/window_state.py) --------------------------------------------------------
    def save_state(self) -> None:
        save_state(self)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._fitted is not None:  # the frame (title bar) is known once shown: fit it again
            fitted, self._fitted = self._fitted, None
            if self.size() == fitted:  # a size the caller set since (tests, scripts) is kept
                QTimer.singleShot(0, self, lambda: fit_on_screen(self))

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
