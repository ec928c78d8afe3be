"""PhotoActions: what a person does to photos in the window, on one photo or a selection:
move to the trash (Delete), turn ([ and ]), favourite (.), stars (1-5, 0 clears), export,
open with the default app, show in the folder, drag out as files; the selection bar; the
Favourites entry and the rating filter; and Ctrl+Z / the status bar's Undo for all of it
(controllers/undo.py).

Self-contained on purpose: the window creates it and calls ``add_context_actions`` and
``narrow``; it finds the widgets it decorates (gallery, sidebar, the filter row) itself.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QEvent, QObject, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QMenu, QMessageBox

from photoapp.core.search.ranking import Filters
from photoapp.core.undo import TrashChange
from photoapp.gui.controllers.undo import UndoController
from photoapp.gui.views.selection_bar import SelectionBar
from photoapp.gui.workers import error_text

TRASH_CONFIRM_ABOVE = 10  # Delete asks first only for more photos than this (it is undoable)


class PhotoActions(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window, self.engine = window, window.engine
        self.service = window.engine.actions
        self.gallery, self.model = window.gallery, window.model
        self.undo = UndoController(self.service, window.tags_ui.service, window.status, self)
        window.statusBar().insertPermanentWidget(0, self.undo.widget)
        window.tags_ui.service.edited.connect(self.undo.record)  # tag edits, gallery or viewer
        self.service.changed.connect(self._changed)
        self.undo.undone.connect(self._undone)
        self._build_selection_bar()
        self._build_keys()
        self.gallery.setDragEnabled(True)  # drag photos out to other apps as files
        self.gallery.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.gallery.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.gallery.installEventFilter(self)
        self.refresh_marks()

    # -- construction ---------------------------------------------------------------------------
    def _build_selection_bar(self) -> None:
        # In the header line's place, not above the gallery: the first click pushed every photo
        # down under the pointer (found walking the window).
        self.bar = SelectionBar(self.window)
        self.window.header_slot.addWidget(self.bar)
        self.bar.action.connect(self._bar_action)
        self.gallery.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)

    def _build_keys(self) -> None:
        """Keys of the gallery (only while it has the focus: typing a search is never taken)."""
        keys = [
            (QKeySequence.StandardKey.Delete, self.trash_selected),
            ("[", lambda: self.rotate(self.selected(), -90)),
            ("]", lambda: self.rotate(self.selected(), 90)),
            (".", lambda: self.favourite(self.selected(), None)),
            *((str(n), lambda _checked=False, n=n: self.rate(self.selected(), n)) for n in range(6)),
        ]
        for key, slot in keys:
            action = QAction(self.gallery)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(slot)
            self.gallery.addAction(action)
        self.undo_action = self.window.undo_action  # Edit ▸ Undo (controllers/menus.py)
        edit = self.window.edit_menu
        edit.addAction("Select &none", self.gallery.clearSelection)

    def narrow(self, filters: Filters) -> Filters:
        """The window's filters with the rating filter applied."""
        filters.min_rating = self.window.filters_popup.min_rating()
        return filters

    # -- the selection ----------------------------------------------------------------------------
    def selected(self) -> list[str]:
        return self.window.selected_paths()

    def _selection_changed(self, *_args) -> None:
        ranges = self.gallery.selectionModel().selection()  # ranges: cheap after Ctrl+A on 100,000
        n = sum(r.height() for r in ranges)
        self.bar.set_count(n)
        self.window.header_slot.setCurrentWidget(self.bar if n else self.window.header_row)

    def eventFilter(self, watched, event) -> bool:
        escape = event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape
        if watched is self.gallery and escape and self.gallery.selectionModel().hasSelection():
            self.gallery.clearSelection()  # Esc clears the selection first, then the search
            return True
        return False

    def _bar_action(self, key: str) -> None:
        paths = self.selected()
        name, _, value = key.partition(":")
        if name == "tag":
            self.window.tags_ui.add_tag_to_selected()
        elif name == "favourite":
            self.favourite(paths, None)
        elif name == "rate":
            self.rate(paths, int(value))
        elif name == "rotate":
            self.rotate(paths, int(value))
        elif name == "export":
            self.export_dialog(paths)
        elif name == "similar" and paths:
            self.window.find_similar(paths[0])
        elif name == "trash":
            self.trash_selected()
        elif name == "clear":
            self.gallery.clearSelection()

    # -- marks ------------------------------------------------------------------------------------
    def refresh_marks(self) -> None:
        self.model.set_marks(self.service.marked())

    def _changed(self, kind: str) -> None:
        if kind == "trash":
            self.window.reload(keep_position=True)
        self.refresh_marks()
        if self.window.viewer is not None:
            self.window.viewer.refresh_current()

    def rate(self, paths: list[str], stars: int) -> None:
        if paths:
            self.service.rate(paths, stars, on_done=self.undo.record, on_failed=self._failed)

    def favourite(self, paths: list[str], on: bool | None = None) -> None:
        if paths:
            self.service.favourite(paths, on, on_done=self.undo.record, on_failed=self._failed)

    def rotate(self, paths: list[str], degrees: int) -> None:
        if paths:
            self.service.rotate(paths, degrees, on_done=self.undo.record, on_failed=self._failed)

    # -- the trash --------------------------------------------------------------------------------
    def trash_selected(self) -> None:
        self.trash(self.selected())

    def trash(self, paths: list[str], confirm: bool = True) -> None:
        """Move photos to the system trash; more than TRASH_CONFIRM_ABOVE asks first."""
        if not paths:
            return
        if confirm and len(paths) > TRASH_CONFIRM_ABOVE:
            answer = QMessageBox.question(
                self.window,
                "Move to trash",
                f"Move {len(paths):,} photos to the system trash?\nEdit ▸ Undo (Ctrl+Z) brings them back.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return

        def done(result) -> None:
            change, report = result
            self.undo.record(change)
            if change is not None and self.window.viewer is not None:
                self.window.viewer.remove_paths(change.paths)
            if report["skipped"]:
                first = report["skipped"][0]
                more = f" (and {len(report['skipped']) - 1} more)" if len(report["skipped"]) > 1 else ""
                self.window.status.show(
                    f"Not moved: {os.path.basename(first['path'])}: {first['reason']}{more}", 10_000
                )

        self.service.trash(paths, on_done=done, on_failed=self._failed)

    def _undone(self, change) -> None:
        """Photos back from the trash are selected and scrolled to in the gallery (the
        listing that shows them again was asked for when the library had them back)."""
        if change.kind == "trash":
            self.window.answers.reselect(change.paths)

    def record_trash(self, report: dict) -> None:
        """A trash action made elsewhere (resolving duplicates): undoable from here too."""
        if report["trashed"]:
            self.undo.record(TrashChange(report["batch"], tuple(report["trashed"])))

    # -- files ------------------------------------------------------------------------------------
    def export_dialog(self, paths: list[str]) -> None:
        if not paths:
            return
        folder = QFileDialog.getExistingDirectory(
            self.window, f"Export {len(paths):,} photos to", os.path.expanduser("~")
        )
        if not folder:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Export",
            "Export as JPEG (turned as shown) or the original files?",
            parent=self.window,
        )
        jpeg = box.addButton("JPEG", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Originals", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is None or box.buttonRole(box.clickedButton()) != QMessageBox.ButtonRole.AcceptRole:
            return
        self.export(paths, folder, "jpeg" if box.clickedButton() is jpeg else "original")

    def export(self, paths: list[str], folder: str, fmt: str) -> None:
        def done(report: dict) -> None:
            failed = f", {len(report['failed'])} could not be read" if report["failed"] else ""
            self.window.status.show(f"Exported {len(report['exported']):,} photos to {folder}{failed}", 10_000)

        self.service.export(paths, folder, fmt, on_done=done, on_failed=self._failed)

    def open_default(self, path: str) -> bool:
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(path))
        if not opened:
            self.window.status.show(f"No application is set up to open {os.path.basename(path)}", 10_000)
        return opened

    def show_in_folder(self, path: str) -> bool:
        """The file manager on the photo's folder, the photo selected where the platform allows."""
        from photoapp.gui.file_manager import reveal

        problem = reveal(path)
        if problem:
            self.window.status.show(problem, 12_000)
        return problem is None

    def add_context_actions(self, menu: QMenu, paths: list[str]) -> None:
        n = len(paths)
        some = "" if n == 1 else f" {n:,} photos"
        menu.addAction("Open with default app", lambda: self.open_default(paths[0]))
        menu.addAction("Show in folder", lambda: self.show_in_folder(paths[0]))
        menu.addSeparator()
        menu.addAction("♥ Favourite / not\t.", lambda: self.favourite(paths, None))
        stars = menu.addMenu("★ Rate")
        for k in range(5, -1, -1):
            stars.addAction(("★" * k if k else "No rating") + f"\t{k}", lambda _checked=False, k=k: self.rate(paths, k))
        menu.addAction("Turn left\t[", lambda: self.rotate(paths, -90))
        menu.addAction("Turn right\t]", lambda: self.rotate(paths, 90))
        menu.addAction(f"Export{some}…", lambda: self.export_dialog(paths))
        menu.addSeparator()
        menu.addAction(f"Move{some} to trash\tDel", lambda: self.trash(paths))
        menu.addSeparator()

    def _failed(self, error: Exception) -> None:
        self.window.status.show(error_text(error), 10_000)
