"""TagEditor: a photo's tags as chips in the viewer's side panel, with add and remove.

Each chip says where the tag came from (auto-tag with its confidence, taught, or added by
hand). A tag is removed only by its chip's ✕ button, never by a key: the chips and their
buttons take no keyboard focus, so the viewer's keys (Backspace, Delete, arrows, Space)
always reach the photo. Only the "Add a tag…" field takes keys, while the person types;
Return or Esc there hands the keys back (``editing_finished``). Removing a tag is
remembered by the library: auto-tagging never puts it back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

CHIP_STYLE = """
QListWidget#tagChips { background: transparent; }
QFrame#tagChip { border: 1px solid palette(mid); border-radius: 10px; }
QFrame#tagChip QToolButton { border: none; padding: 0px; }
QFrame#tagChip QToolButton:hover { color: #c0392b; }
"""
MAX_CHIPS_HEIGHT = 140  # then it scrolls
SOURCES = {"auto": "auto-tag", "probe": "taught tag", "manual": "added by you"}


class TagEditor(QWidget):
    add_requested = Signal(str)
    remove_requested = Signal(str)
    editing_finished = Signal()  # Return or Esc in the field: the photo takes the keys back

    def __init__(self, parent=None):
        super().__init__(parent)
        self.remove_buttons: dict[str, QToolButton] = {}
        self._editable = True
        self.chips = QListWidget(self)
        self.chips.setObjectName("tagChips")
        self.chips.setFlow(QListWidget.Flow.LeftToRight)
        self.chips.setWrapping(True)
        self.chips.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.chips.setSpacing(3)
        self.chips.setFrameShape(QListWidget.Shape.NoFrame)
        self.chips.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chips.setStyleSheet(CHIP_STYLE)
        # No focus, no selection: no key can act on a chip (issue 24: Backspace removed one).
        self.chips.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.chips.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.input = QLineEdit(self)
        self.input.setPlaceholderText("Add a tag…")
        self.input.setClearButtonEnabled(True)
        self.input.returnPressed.connect(self._add)
        self.input.installEventFilter(self)
        self.chips.installEventFilter(self)  # its height follows its rows of chips (``_fit``)
        self._names = QStringListModel(self)
        completer = QCompleter(self._names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.input.setCompleter(completer)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.chips)
        layout.addWidget(self.input)

    def set_tags(self, details: list[dict]) -> None:
        """``details`` as Library.photo()['tag_details'] gives them: tag, source, confidence."""
        self.chips.clear()
        self.remove_buttons = {}
        for d in details:
            why = SOURCES.get(d["source"], d["source"])
            if d.get("confidence") is not None and d["source"] != "manual":
                why += f", confidence {d['confidence']:.2f}"
            self._add_chip(d["tag"], f"{d['tag']} — {why}")
        if not details:
            empty = QListWidgetItem("no tags yet", self.chips)
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
        self._fit()

    def _fit(self) -> None:
        """As tall as its rows of chips (at most MAX_CHIPS_HEIGHT), so the "Add a tag…" field
        sits right under them instead of below a fixed empty box."""
        self.chips.doItemsLayout()
        rows = [self.chips.visualItemRect(self.chips.item(i)) for i in range(self.chips.count())]
        bottom = max((r.bottom() for r in rows), default=0) + 2 * self.chips.spacing() + 2
        self.chips.setFixedHeight(min(bottom, MAX_CHIPS_HEIGHT))

    def _add_chip(self, tag: str, tip: str) -> None:
        chip = QFrame()
        chip.setObjectName("tagChip")
        chip.setToolTip(tip)
        row = QHBoxLayout(chip)
        row.setContentsMargins(8, 1, 4, 1)
        row.setSpacing(2)
        row.addWidget(QLabel(tag, chip))
        remove = QToolButton(chip)
        remove.setText("✕")
        remove.setToolTip(f"Remove the tag “{tag}” from this photo (Ctrl+Z brings it back)")
        remove.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        remove.setCursor(Qt.CursorShape.PointingHandCursor)
        remove.setVisible(self._editable)
        remove.clicked.connect(lambda: self.remove_requested.emit(tag))
        row.addWidget(remove)
        self.remove_buttons[tag] = remove
        item = QListWidgetItem(self.chips)
        item.setData(Qt.ItemDataRole.UserRole, tag)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        item.setSizeHint(chip.sizeHint())
        self.chips.setItemWidget(item, chip)

    def tags(self) -> list[str]:
        return [
            self.chips.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.chips.count())
            if self.chips.item(i).data(Qt.ItemDataRole.UserRole)
        ]

    def set_known_tags(self, names: list[str]) -> None:
        self._names.setStringList(names)

    def set_enabled_editing(self, enabled: bool) -> None:
        self._editable = enabled
        self.input.setEnabled(enabled)
        for button in self.remove_buttons.values():
            button.setVisible(enabled)

    def eventFilter(self, watched, event) -> bool:
        if (
            watched is self.chips
            and event.type() == QEvent.Type.Resize
            and event.size().width() != event.oldSize().width()
        ):
            self._fit()  # another width wraps the chips into another number of rows
        if watched is self.input and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
            popup = self.input.completer().popup()
            if not popup.isVisible():  # Esc first closes the completer's list, as everywhere
                self.input.clear()
                self.editing_finished.emit()
                return True
        return super().eventFilter(watched, event)

    def _add(self) -> None:
        tag = " ".join(self.input.text().split())
        self.input.clear()
        if tag:
            self.add_requested.emit(tag)
        self.editing_finished.emit()
