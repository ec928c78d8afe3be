"""TagEditor: a photo's tags as chips in the viewer's side panel, with add and remove.

Each chip says where the tag came from (auto-tag with its confidence, taught, or added by
hand). Removing a tag is remembered by the library: auto-tagging never puts it back.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

CHIP_STYLE = """
QListWidget#tagChips { background: transparent; }
QListWidget#tagChips::item { border: 1px solid palette(mid); border-radius: 9px; padding: 0px 4px; }
QListWidget#tagChips::item:selected { background: palette(highlight); color: palette(highlighted-text); }
"""
SOURCES = {"auto": "auto-tag", "probe": "taught tag", "manual": "added by you"}


class TagEditor(QWidget):
    add_requested = Signal(str)
    remove_requested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.chips = QListWidget(self)
        self.chips.setObjectName("tagChips")
        self.chips.setFlow(QListWidget.Flow.LeftToRight)
        self.chips.setWrapping(True)
        self.chips.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.chips.setSpacing(3)
        self.chips.setFrameShape(QListWidget.Shape.NoFrame)
        self.chips.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chips.setMaximumHeight(110)
        self.chips.setStyleSheet(CHIP_STYLE)
        self.chips.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.chips.customContextMenuRequested.connect(self._context_menu)
        self.chips.itemSelectionChanged.connect(self._update_buttons)
        self.input = QLineEdit(self)
        self.input.setPlaceholderText("Add a tag…")
        self.input.setClearButtonEnabled(True)
        self.input.returnPressed.connect(self._add)
        self._names = QStringListModel(self)
        completer = QCompleter(self._names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.input.setCompleter(completer)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setToolTip("Remove the selected tag from this photo (Delete)")
        self.remove_button.clicked.connect(self._remove_selected)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.input, 1)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.chips)
        layout.addLayout(row)
        self._update_buttons()

    def set_tags(self, details: list[dict]) -> None:
        """``details`` as Library.photo()['tag_details'] gives them: tag, source, confidence."""
        self.chips.clear()
        for d in details:
            item = QListWidgetItem(d["tag"], self.chips)
            item.setData(Qt.ItemDataRole.UserRole, d["tag"])
            why = SOURCES.get(d["source"], d["source"])
            if d.get("confidence") is not None and d["source"] != "manual":
                why += f", confidence {d['confidence']:.2f}"
            item.setToolTip(f"{d['tag']} — {why}")
            item.setSizeHint(
                QSize(self.fontMetrics().horizontalAdvance(d["tag"]) + 22, self.fontMetrics().height() + 10)
            )
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        if not details:
            empty = QListWidgetItem("no tags yet", self.chips)
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
        self._update_buttons()

    def tags(self) -> list[str]:
        return [
            self.chips.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.chips.count())
            if self.chips.item(i).data(Qt.ItemDataRole.UserRole)
        ]

    def set_known_tags(self, names: list[str]) -> None:
        self._names.setStringList(names)

    def set_enabled_editing(self, enabled: bool) -> None:
        self.input.setEnabled(enabled)
        self.remove_button.setEnabled(enabled and bool(self.chips.selectedItems()))

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.chips.hasFocus():
            self._remove_selected()
            event.accept()
            return
        super().keyPressEvent(event)

    def _add(self) -> None:
        tag = " ".join(self.input.text().split())
        if tag:
            self.input.clear()
            self.add_requested.emit(tag)

    def _remove_selected(self) -> None:
        for item in self.chips.selectedItems():
            tag = item.data(Qt.ItemDataRole.UserRole)
            if tag:
                self.remove_requested.emit(tag)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(
            self.input.isEnabled() and any(i.data(Qt.ItemDataRole.UserRole) for i in self.chips.selectedItems())
        )

    def _context_menu(self, pos) -> None:
        item = self.chips.itemAt(pos)
        tag = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if tag:
            menu = QMenu(self)
            menu.addAction(f"Remove “{tag}”", lambda: self.remove_requested.emit(tag))
            menu.popup(self.chips.viewport().mapToGlobal(pos))
