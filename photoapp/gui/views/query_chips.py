"""QueryChips: how the search bar read the query, as removable chips under it.

"red circle in Paris 2019" shows [place: Paris ✕] [date: 2019 ✕]: the model searched for
"red circle" among the photos taken in Paris in 2019. Removing a chip searches its words
as text instead (the query with those words quoted, Library.without).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget


class QueryChips(QWidget):
    chip_removed = Signal(object)  # the chip (core/search/interpret.py Chip)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("queryChips")
        self._box = QHBoxLayout(self)
        self._box.setContentsMargins(12, 0, 12, 2)
        self._box.setSpacing(6)
        self.text_label = QLabel(self)
        self.text_label.setObjectName("hint")
        self.buttons: list[QToolButton] = []
        self.setVisible(False)

    def show_chips(self, chips: list, text: str = "") -> None:
        """One button per chip; hidden when the query had no date or place in it."""
        for button in self.buttons:
            self._box.removeWidget(button)
            button.deleteLater()
        self._box.removeWidget(self.text_label)
        self.buttons = []
        for chip in chips:
            button = QToolButton(self)
            button.setText(f"{chip.kind}: {chip.label}  ✕")
            button.setToolTip(f"Remove: search “{chip.words}” as words instead")
            button.setAutoRaise(True)
            button.clicked.connect(lambda _checked=False, c=chip: self.chip_removed.emit(c))
            self._box.addWidget(button)
            self.buttons.append(button)
        self.text_label.setText(f"looking for “{text}”" if text else "every photo")
        self._box.addWidget(self.text_label)
        self._box.addStretch(0)
        self.setVisible(bool(chips))
