"""InfoPanel: the viewer's side panel — what the photo is, when and how it was taken, its tags.

Only the facts a photo has get a row: no "Camera —" for a scan, no "Lens" where the EXIF
names none. A search's similarity score is not shown: a raw cosine means nothing to a
person, and the result's place in the list already says how good a match it is.
"""

from __future__ import annotations

import os
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

from photoapp.core.units import human_size
from photoapp.gui.models.photo_list import PhotoRow, format_duration
from photoapp.gui.views.tag_editor import TagEditor

ROWS = (
    "Name",
    "Marked",
    "Files",
    "Taken",
    "Place",
    "People",
    "Duration",
    "Camera",
    "Lens",
    "ISO",
    "Aperture",
    "Shutter",
    "Focal length",
    "Dimensions",
    "Size",
    "Path",
)
_KEYS = (
    "← → photos", "Space slideshow", "0 fit", "9 fill", "1 100 %", "+ − zoom", "F full screen", "I info", "B faces",
    "[ ] turn", ". favourite", "Del trash", "Ctrl+Z undo", "Esc back",
)  # fmt: skip
HINT = "   ".join(k.replace(" ", "\u00a0") for k in _KEYS)  # a key and its word never part at a line end


class InfoPanel(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("viewerPanel")
        self.setFixedWidth(300)
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 14, 16, 14)
        box.setSpacing(2)
        self.position = QLabel(self)
        self.position.setObjectName("hint")
        box.addWidget(self.position)
        self.fields: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        for name in ROWS:
            self.captions[name] = caption = QLabel(name, self)
            caption.setObjectName("caption")
            self.fields[name] = value = QLabel(self)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # selecting text never takes the keys
            box.addWidget(caption)
            box.addWidget(value)
        caption = QLabel("Tags", self)
        caption.setObjectName("caption")
        self.tag_editor = TagEditor(self)
        box.addWidget(caption)
        box.addWidget(self.tag_editor)
        box.addStretch(1)
        self.hint = QLabel(HINT, self)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("hint")
        box.addWidget(self.hint)

    def show_facts(self, values: dict[str, str]) -> None:
        """Fill the rows from ``describe``'s answer; rows it has no value for are hidden."""
        for name, label in self.fields.items():
            label.setText(breakable(values.get(name, "")))
            label.setVisible(name in values)
            self.captions[name].setVisible(name in values)

    def show_error(self, name: str, message: str) -> None:
        self.fields["Name"].setText(f"{breakable(name)}\n⚠ {message}")


def describe(photo: PhotoRow, info: dict, camera: dict[str, str]) -> dict[str, str]:
    """Human-readable facts for the side panel; ``camera`` is Library.describe_exif's words."""
    values = {"Name": os.path.basename(photo.path), "Path": photo.path}
    values.update(camera)  # Taken (to the second, with its zone), Camera, Lens, ISO, ...
    if info.get("size"):
        values["Size"] = human_size(info["size"])
    if info.get("width") and info.get("height"):
        values["Dimensions"] = f"{info['width']:,} × {info['height']:,} px"
    taken = info.get("taken") or photo.taken
    if "Taken" not in values and taken:
        source = "" if info.get("taken_from_exif") else " (file date)"
        when = datetime.fromtimestamp(taken)
        values["Taken"] = f"{when.day} {when:%B %Y, %H:%M}{source}"
    place = info.get("place") or {}
    named = [n for n in (place.get("city"), place.get("region"), place.get("country")) if n]
    named = [n for i, n in enumerate(named) if n not in named[:i]]  # "Lisbon, Lisbon": once
    gps = info.get("gps")
    if named or gps:
        where = ", ".join(named)
        if gps:
            where += ("\n" if where else "") + f"{gps[0]:.5f}, {gps[1]:.5f}"
        values["Place"] = where
    if people := who(info.get("faces") or []):
        values["People"] = people
    if "Camera" not in values and info.get("camera"):  # a RAW's camera, read by the indexer
        values["Camera"] = info["camera"]
    if photo.companion:  # a RAW+JPEG pair: one photo, two files
        values["Files"] = f"{os.path.basename(photo.path)} (JPEG)\n{os.path.basename(photo.companion)} (RAW)"
    if photo.kind == "video":
        values["Duration"] = format_duration(photo.duration) or "unknown"
    marks = [
        "★" * info.get("rating", 0),
        "♥ favourite" if info.get("favourite") else "",
        f"turned {info['rotation']}°" if info.get("rotation") else "",
    ]
    if any(marks):
        values["Marked"] = "   ".join(m for m in marks if m)
    return values


def who(faces: list[dict]) -> str:
    """ "Ada, Bea, 1 face not named yet": the people on a photo, as its face boxes name them."""
    names = list(dict.fromkeys(f["name"] for f in faces if f.get("name")))
    unnamed = sum(1 for f in faces if not f.get("name"))
    if unnamed:
        names.append(f"{unnamed} face{'s' if unnamed != 1 else ''} not named yet")
    return ", ".join(names)


def breakable(text: str) -> str:
    """Let long file names and paths wrap at separators instead of overflowing the panel."""
    for sep in ("/", "\\", "_", "-", "."):
        text = text.replace(sep, sep + "\u200b")
    return text
