"""DupeCard: one photo of a duplicate group, compact: its thumbnail with the facts that
decide which copy to keep (resolution, size, format, date, folder), the suggestion badge,
"Keep this one" and what will happen to it."""

from __future__ import annotations

import os
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QRadioButton, QVBoxLayout

from photoapp.core.units import human_size

THUMB = 150

# (keep, trash) text colours per palette: each meets WCAG AA on its window (palette.py);
# the badge is white on the light palette's green (5.3:1).
FATE_COLOURS = {False: ("#1e7b3f", "#a5301f"), True: ("#5fd38a", "#ff8a7a")}


def style(dark: bool) -> str:
    keep, trash = FATE_COLOURS[dark]
    return f"""
QFrame#dupeCard {{ border: 2px solid palette(mid); border-radius: 8px; }}
QFrame#dupeCard[keep="true"] {{ border: 3px solid {keep}; }}
QLabel#badge {{ color: white; background: #1e7b3f; border-radius: 4px; padding: 1px 6px; }}
QLabel#fate {{ color: {trash}; }}
QLabel#fate[keep="true"] {{ color: {keep}; font-weight: 600; }}
"""


def date_text(photo) -> str:
    if photo.taken:
        when = datetime.fromtimestamp(photo.taken).strftime("%Y-%m-%d %H:%M")
        return f"taken {when}" if photo.taken_from_exif else f"file date {when}"
    return "date unknown"


class DupeCard(QFrame):
    """One photo of a group: thumbnail, facts, why it is a duplicate, keep or trash."""

    def __init__(self, photo, suggested: str | None, why: str, parent=None):
        super().__init__(parent)
        self.photo = photo
        self.setObjectName("dupeCard")
        self.image = QLabel(self)
        self.image.setFixedSize(THUMB, THUMB)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pick = QRadioButton("Keep this one", self)
        self.fate = QLabel(self)
        self.fate.setObjectName("fate")
        megapixels = (photo.width or 0) * (photo.height or 0) / 1e6
        resolution = f"{photo.width}×{photo.height} ({megapixels:.1f} MP)" if photo.width else "size unknown"
        facts = QLabel(
            f"<b>{os.path.basename(photo.path)}</b><br>{resolution}<br>"
            f"{human_size(photo.size)} · {photo.format or 'unknown format'}<br>{date_text(photo)}<br>"
            f"<span style='color:gray'>{os.path.basename(os.path.dirname(photo.path))}</span>",
            self,
        )
        facts.setWordWrap(True)
        facts.setToolTip(photo.path)
        facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 6, 6)
        column.setSpacing(3)
        column.addWidget(self.image, 0, Qt.AlignmentFlag.AlignHCenter)
        badge = QLabel("★ Suggested keeper", self)
        badge.setObjectName("badge")
        badge.setToolTip(suggested or "")
        policy = badge.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the cards' rows stay aligned
        badge.setSizePolicy(policy)
        badge.setVisible(suggested is not None)
        column.addWidget(badge, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.pick)
        column.addWidget(self.fate)
        column.addWidget(facts)
        if why:
            reason = QLabel(why, self)
            reason.setWordWrap(True)
            reason.setObjectName("hint")
            column.addWidget(reason)
        column.addStretch(1)
        self.setFixedWidth(THUMB + 60)

    def set_keep(self, keep: bool | None) -> None:
        """Kept, goes to the trash, or (None: nothing chosen yet, other shots) neither."""
        if keep is not None:
            self.pick.setChecked(keep)
        self.fate.setText({True: "Kept", False: "Goes to the trash", None: "Not suggested for the trash"}[keep])
        for widget in (self, self.fate):
            widget.setProperty("keep", "true" if keep else "false")  # None: not the keeper's style
            widget.style().unpolish(widget)  # re-read the property-dependent style
            widget.style().polish(widget)

    def show_thumbnail(self, pixmap) -> None:
        if pixmap is None:
            self.image.setText("Loading…")
        elif pixmap.isNull():
            self.image.setText("This photo\ncannot be read")
        else:
            self.image.setPixmap(
                pixmap.scaled(
                    THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )
