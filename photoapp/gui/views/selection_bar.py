"""SelectionBar: "N selected" and the actions on the selected photos, in the header line's place
while photos are selected (Esc or ✕ clears the selection)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QWidget


class SelectionBar(QWidget):
    action = Signal(str)  # tag, favourite, rate:N, rotate:-90 / rotate:90, export, similar, trash, clear

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("selectionBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)  # paints its own background
        self.setStyleSheet(
            "#selectionBar { background: #2d4f7c; } #selectionBar QLabel { color: white; font-weight: bold; }"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 10, 4)
        self.count = QLabel(self)
        row.addWidget(self.count)
        row.addStretch(1)
        self.buttons: dict[str, QToolButton] = {}
        for key, text, tip in (
            ("tag", "Tag…", "Add a tag to the selected photos"),
            ("favourite", "♥ Favourite", "Mark as favourites, or not (.)"),
            ("rate", "★ Rate", "Give stars (keys 1–5; 0 clears)"),
            ("rotate:-90", "⟲", "Turn left ([)"),
            ("rotate:90", "⟳", "Turn right (])"),
            ("export", "Export…", "Copy to a folder, as JPEG or the original files"),
            ("similar", "Find similar", "Photos like the first selected one"),
            ("trash", "Move to trash", "Move to the system trash (Delete); Ctrl+Z brings them back"),
            ("clear", "✕", "Clear the selection (Esc)"),
        ):
            button = QToolButton(self)
            button.setText(text)
            button.setToolTip(tip)
            row.addWidget(button)
            self.buttons[key] = button
            if key != "rate":
                button.clicked.connect(lambda _c=False, k=key: self.action.emit(k))
        stars = QMenu(self)
        for n in range(5, -1, -1):
            stars.addAction("★" * n if n else "No rating", lambda _checked=False, n=n: self.action.emit(f"rate:{n}"))
        self.buttons["rate"].setMenu(stars)
        self.buttons["rate"].setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)

    def set_count(self, n: int) -> None:
        self.count.setText(f"{n:,} selected")
        self.buttons["similar"].setEnabled(n == 1)  # shown by the window in its header line's place
