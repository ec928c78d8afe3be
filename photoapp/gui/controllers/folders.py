"""FoldersUi: the library's folders and settings as the main window changes them (a
controller of the window). Adding or removing a folder and applying settings go to the
engine off the GUI thread; the sidebar and the gallery follow, and indexing starts again."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox

from photoapp.gui.workers import error_text

if TYPE_CHECKING:  # the dialog is imported when it is first opened, not at start
    from photoapp.gui.views.settings_dialog import SettingsDialog


class FoldersUi:
    def __init__(self, window):
        self.window = window
        window.sidebar.add_requested.connect(self.add_dialog)
        window.sidebar.remove_requested.connect(self.remove)
        window.empty.add_requested.connect(self.add_dialog)

    def refresh(self) -> None:
        self.window.sidebar.set_folders(self.window.engine.folders())

    def add_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Add a folder of photos", os.path.expanduser("~"))
        if folder:
            self.add([folder])

    def add(self, folders: list[str]) -> None:
        self.window.status.show(f"Adding {', '.join(os.path.basename(f) for f in folders)}…", 4000)
        self.window.engine.add_folders(folders, lambda _added: self.changed(), self.failed)

    def remove(self, folder: str) -> None:
        answer = QMessageBox.question(
            self.window, "Remove folder", f"Remove {folder} from the library?\nThe photos on disk are not touched."
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.remove_now(folder)

    def remove_now(self, folder: str) -> None:
        self.window.engine.remove_folder(folder, lambda _n: self.changed(), self.failed)

    def changed(self) -> None:
        self.refresh()
        self.window.reload()
        self.window.engine.indexing.start()

    def failed(self, error: Exception) -> None:
        self.window.banner.show_message(error_text(error))
        self.window.engine.indexing.start()

    # -- settings ---------------------------------------------------------------------------------
    def open_settings(self) -> SettingsDialog:
        from photoapp.gui.views.settings_dialog import SettingsDialog

        w = self.window
        current = w.engine.settings()
        dialog = SettingsDialog(
            w.engine.model_name, current.device, w, w.tags_ui.service.sensitivity(), settings=current
        )
        dialog.accepted.connect(lambda: self.apply_dialog(dialog))
        dialog.open()
        return dialog

    def apply_dialog(self, dialog: SettingsDialog) -> None:
        engine = self.window.engine
        self.window.tags_ui.apply_sensitivity(dialog.sensitivity())
        engine.apply_options(dialog.options(), lambda _r: engine.indexing.start(), self.failed)
        current = engine.settings()
        if dialog.model() != engine.model_name or dialog.device() != current.device:
            self.apply_settings(dialog.model(), dialog.device())

    def apply_settings(self, model: str, device: str) -> None:
        self.window.banner.hide()
        self.window.engine.apply_settings(model, device, lambda _r: self.changed(), self.failed)
