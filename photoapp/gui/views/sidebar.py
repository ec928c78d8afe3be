"""FolderSidebar: the Library section: All photos, Favourites, Videos, then the library's
folders, with add and remove buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

ALL_PHOTOS = ""  # the folder filter meaning "every folder"
VIDEOS = "::videos"  # every folder, videos only
FAVOURITES = "::favourites"  # every folder, favourites only (listed once the core has favourites)
VIEWS = (ALL_PHOTOS, FAVOURITES, VIDEOS)  # entries that are not folders


def folder_labels(folders: list[str]) -> list[str]:
    """The names the sidebar shows: each folder's own name, and where two share it (two
    "photos" folders, found walking the window), as many parent folders as tell them apart:
    "faces/photos" and "shared/photos"."""
    parts = [[p for p in folder.replace("\\", "/").split("/") if p] or [folder] for folder in folders]
    depth = [1] * len(parts)
    while True:
        labels = ["/".join(p[-d:]) for p, d in zip(parts, depth, strict=True)]
        clashes = {label for label in labels if labels.count(label) > 1}
        grow = [i for i, label in enumerate(labels) if label in clashes and depth[i] < len(parts[i])]
        if not grow:
            return labels
        for i in grow:
            depth[i] += 1


class FolderSidebar(QWidget):
    folder_selected = Signal(str)  # ALL_PHOTOS or a folder path
    add_requested = Signal()
    remove_requested = Signal(str)

    def __init__(self, parent=None, favourites: bool = False):
        super().__init__(parent)
        self.favourites = favourites  # list the Favourites entry (the core can filter by it)
        self.list = QListWidget(self)
        self.list.setObjectName("folderList")
        self.list.setFrameShape(QListWidget.Shape.NoFrame)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        # The selection, not the current item: a click makes the item current before it selects
        # it, so on currentItemChanged every click still read as All photos (found walking the window).
        self.list.itemSelectionChanged.connect(self._current_changed)
        title = QLabel("Library", self)
        title.setObjectName("sidebarTitle")
        self.add_button = QPushButton("Add folder…", self)
        self.add_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DirOpenIcon))
        self.add_button.setToolTip("Add a folder of photos (or drag a folder onto the window)")
        self.add_button.clicked.connect(self.add_requested)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setToolTip("Forget the selected folder (the photos on disk are not touched)")
        self.remove_button.clicked.connect(self._remove_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button, 1)
        buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.addWidget(title)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.set_folders([])

    def set_folders(self, folders: list[str], counts: dict[str, int] | None = None) -> None:
        current = self.current_folder()
        self.list.blockSignals(True)
        self.list.clear()
        style = self.style()
        self._add_item("All photos", ALL_PHOTOS, style.standardIcon(QStyle.StandardPixmap.SP_DirHomeIcon))
        if self.favourites:
            self._add_item("Favourites", FAVOURITES, style.standardIcon(QStyle.StandardPixmap.SP_DialogYesButton))
        self._add_item("Videos", VIDEOS, style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        icon = style.standardIcon(QStyle.StandardPixmap.SP_DirIcon)
        for folder, label in zip(folders, folder_labels(folders), strict=True):
            item = self._add_item(label, folder, icon)
            item.setToolTip(folder)
        self.list.blockSignals(False)
        self.select(current if current in folders or current in VIEWS else ALL_PHOTOS)

    def _add_item(self, text: str, folder: str, icon) -> QListWidgetItem:
        item = QListWidgetItem(icon, text, self.list)
        item.setData(Qt.ItemDataRole.UserRole, folder)
        return item

    def select(self, folder: str, quiet: bool = False) -> None:
        """Select ``folder`` (or a view); ``quiet``: without ``folder_selected``."""
        self.list.blockSignals(quiet)
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == folder:
                self.list.setCurrentRow(i)
                self.list.item(i).setSelected(True)
                break
        self.list.blockSignals(False)
        self._update_buttons()

    def current_folder(self) -> str:
        """A folder path, or one of VIEWS (ALL_PHOTOS when nothing is selected: an album is)."""
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None and item.isSelected() else ALL_PHOTOS

    def folders(self) -> list[str]:
        items = (self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count()))
        return [folder for folder in items if folder not in VIEWS]

    def clear_selection(self) -> None:
        """Another list (an album) has the selection: none here, without a signal."""
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.clearSelection()
        self.list.blockSignals(False)
        self._update_buttons()

    def _current_changed(self, *_):
        self._update_buttons()
        self.folder_selected.emit(self.current_folder())

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.current_folder() not in VIEWS)

    def _remove_clicked(self) -> None:
        folder = self.current_folder()
        if folder not in VIEWS:
            self.remove_requested.emit(folder)
