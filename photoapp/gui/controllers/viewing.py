"""ViewerUi: the viewer as a page of the main window (a controller of the window). A photo
opens over the gallery and the gallery follows it; a video goes to the system's player."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

if TYPE_CHECKING:  # the viewer is imported when a photo is first opened, not at start
    from photoapp.gui.views.viewer import ViewerPage


class ViewerUi:
    def __init__(self, window):
        self.window = window

    def open(self, row: int) -> ViewerPage | None:
        """Show a photo in the viewer (a page of the window); a video opens in the system's player."""
        from photoapp.gui.views.viewer import ViewerPage

        w = self.window
        if not 0 <= row < w.model.rowCount():
            return None
        if w.model.row_at(row).kind == "video":
            self.play(w.model.row_at(row).path)
            return None
        if w.viewer is not None:
            w.viewer.leave()
        w.viewer = ViewerPage(list(w.model.rows()), row, w.engine, w.thumbnails, w, w.tags_ui.service, w.undo)
        w.viewer.actions = w.photo_actions
        w.viewer.current_changed.connect(self._moved)
        w.viewer.closed.connect(self._closed)
        w.viewer.full_screen_requested.connect(self.set_full_screen)
        w.pages.addWidget(w.viewer)
        w.pages.setCurrentWidget(w.viewer)
        self._moved(row)
        w.viewer.focus_photo()  # the photo has the keys, never a tag chip
        return w.viewer

    def open_files(self, paths: list[str]) -> ViewerPage | None:
        """The viewer on files given by name (``photoapp PHOTO...``), in the library or not: one
        photo is browsed with the others of its folder, several among themselves."""
        from photoapp.gui.models.photo_list import files_rows

        w = self.window
        rows, row = files_rows(paths)
        if not rows:
            w.status.show("None of these files is a photo or video Photoapp can show", 10_000)
            return None
        w.model.set_rows(rows)  # the gallery behind the viewer shows the same photos
        w.header.setText(f"{len(rows):,} photos in {os.path.dirname(rows[row].path)}")
        return self.open(row)

    def play(self, path: str) -> bool:
        """Open a video with the desktop's default player (no playback widget of our own)."""
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(path))
        if not opened:
            self.window.statusBar().showMessage(f"No video player could open {os.path.basename(path)}", 8000)
        return opened

    def _moved(self, row: int) -> None:
        w = self.window
        if row < w.model.rowCount():
            w.gallery.setCurrentIndex(w.model.index(row))
        w.setWindowTitle(f"{os.path.basename(w.viewer.current_path())} — Photoapp")

    def _closed(self) -> None:
        w = self.window
        self.set_full_screen(False)
        w.pages.setCurrentWidget(w.splitter)
        w.pages.removeWidget(w.viewer)
        w.viewer.deleteLater()
        w.viewer = None
        w.setWindowTitle("Photoapp")
        w.gallery.setFocus()
        w.undo.offer()  # a change made by mistake can still come back

    def set_full_screen(self, on: bool) -> None:
        """The viewer alone on the screen: no menus, no status bar."""
        w = self.window
        w.menuBar().setVisible(not on)
        w.statusBar().setVisible(not on)
        if on:
            w.showFullScreen()
        elif w.isFullScreen():
            w.showNormal()
