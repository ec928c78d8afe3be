"""ViewerDialog: one photo, fit to window or zoomed, with a side panel of facts.

Arrow keys move through the current result list (the gallery's rows); Esc returns. The
full-size image is decoded off the GUI thread; the thumbnail stands in meanwhile.
"""

from __future__ import annotations

import os
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QDialog, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from photoapp.core.library import Library
from photoapp.core.units import human_size
from photoapp.gui.models.photo_list import PhotoRow, format_duration
from photoapp.gui.views.tag_editor import TagEditor
from photoapp.gui.workers import Task, error_text, pil_to_qimage

MAX_SIDE = 2560  # decode no larger than a big screen needs
OPTIONAL_FIELDS = ("Files", "Duration")


def load_display_image(path: str):
    img = Library.read_image(path, min_side=MAX_SIDE)
    img.thumbnail((MAX_SIDE, MAX_SIDE))
    return pil_to_qimage(img)


class ImageCanvas(QWidget):
    """Paints a pixmap fitted to the widget, or at a zoom factor with drag-to-pan."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pixmap = QPixmap()
        self.zoom: float | None = None  # None = fit to window
        self.pan = QPointF(0, 0)
        self._drag_from: QPointF | None = None
        self.setMinimumSize(QSize(320, 240))
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.black)
        self.setPalette(palette)

    def set_pixmap(self, pixmap: QPixmap, keep_view: bool = False) -> None:
        self.pixmap = pixmap
        if not keep_view:
            self.zoom, self.pan = None, QPointF(0, 0)
        self.update()

    def fit_scale(self) -> float:
        if self.pixmap.isNull():
            return 1.0
        # Small photos are enlarged up to 4x: a tiny image in a big black frame looks broken.
        return min(self.width() / self.pixmap.width(), self.height() / self.pixmap.height(), 4.0)

    def scale(self) -> float:
        return self.fit_scale() if self.zoom is None else self.zoom

    def zoom_by(self, factor: float) -> None:
        self.zoom = max(0.05, min(16.0, self.scale() * factor))
        self.update()

    def set_zoom(self, zoom: float | None) -> None:
        self.zoom, self.pan = zoom, QPointF(0, 0)
        self.update()

    def paintEvent(self, event) -> None:
        if self.pixmap.isNull():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        s = self.scale()
        w, h = self.pixmap.width() * s, self.pixmap.height() * s
        origin = QPointF((self.width() - w) / 2, (self.height() - h) / 2) + self.pan
        painter.drawPixmap(QRectF(origin.x(), origin.y(), w, h), self.pixmap, QRectF(self.pixmap.rect()))

    def wheelEvent(self, event) -> None:
        self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)

    def mousePressEvent(self, event) -> None:
        self._drag_from = event.position()

    def mouseMoveEvent(self, event) -> None:
        if self._drag_from is not None and self.zoom is not None:
            self.pan += event.position() - self._drag_from
            self._drag_from = event.position()
            self.update()

    def mouseReleaseEvent(self, event) -> None:
        self._drag_from = None


class ViewerDialog(QDialog):
    current_changed = Signal(int)  # row in the result list

    def __init__(self, rows: list[PhotoRow], row: int, engine, thumbnails=None, parent=None, tags=None):
        super().__init__(parent)
        self.rows, self.row = rows, row
        self.engine, self.thumbnails = engine, thumbnails
        self.tags = tags  # a TagService: tags can be added and removed here
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._serial = 0
        self._tasks: set[Task] = set()
        self.canvas = ImageCanvas(self)
        self.canvas.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.panel = self._build_panel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.panel)
        self._shortcuts()
        self.resize(1100, 720)
        self.show_row(row)

    def _build_panel(self) -> QFrame:
        panel = QFrame(self)
        panel.setObjectName("viewerPanel")
        panel.setFixedWidth(300)
        box = QVBoxLayout(panel)
        box.setContentsMargins(16, 14, 16, 14)
        box.setSpacing(2)
        self.position = QLabel(panel)
        self.position.setObjectName("hint")
        box.addWidget(self.position)
        self.fields: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        for name in ("Name", "Files", "Folder", "Taken", "Duration", "Dimensions", "Size", "Camera", "Score"):
            caption = QLabel(name, panel)
            self.captions[name] = caption
            caption.setObjectName("caption")
            value = QLabel(panel)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.addWidget(caption)
            box.addWidget(value)
            self.fields[name] = value
        caption = QLabel("Tags", panel)
        caption.setObjectName("caption")
        self.tag_editor = TagEditor(panel)
        self.tag_editor.set_enabled_editing(self.tags is not None)
        self.tag_editor.add_requested.connect(lambda tag: self._edit_tag(tag, True))
        self.tag_editor.remove_requested.connect(lambda tag: self._edit_tag(tag, False))
        box.addWidget(caption)
        box.addWidget(self.tag_editor)
        box.addStretch(1)
        self.hint = QLabel("← → previous / next   + − zoom   0 fit   Esc back", panel)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("hint")
        box.addWidget(self.hint)
        return panel

    def _shortcuts(self) -> None:
        # Handled in keyPressEvent rather than QShortcut: keys reach the dialog whichever
        # child has focus, and no shortcut can clash with the main window's.
        self.keys = {
            Qt.Key.Key_Right: lambda: self.step(1),
            Qt.Key.Key_Left: lambda: self.step(-1),
            Qt.Key.Key_Down: lambda: self.step(1),
            Qt.Key.Key_Up: lambda: self.step(-1),
            Qt.Key.Key_Space: lambda: self.step(1),
            Qt.Key.Key_Backspace: lambda: self.step(-1),
            Qt.Key.Key_Home: lambda: self.show_row(0),
            Qt.Key.Key_End: lambda: self.show_row(len(self.rows) - 1),
            Qt.Key.Key_Plus: lambda: self.canvas.zoom_by(1.25),
            Qt.Key.Key_Equal: lambda: self.canvas.zoom_by(1.25),
            Qt.Key.Key_Minus: lambda: self.canvas.zoom_by(0.8),
            Qt.Key.Key_0: lambda: self.canvas.set_zoom(None),
            Qt.Key.Key_1: lambda: self.canvas.set_zoom(1.0),
        }

    def keyPressEvent(self, event) -> None:
        action = self.keys.get(event.key())
        if action is None:
            super().keyPressEvent(event)  # Esc closes the dialog
            return
        action()
        event.accept()

    # -- navigation --------------------------------------------------------------------------------
    def step(self, delta: int) -> None:
        target = self.row + delta
        if 0 <= target < len(self.rows):
            self.show_row(target)

    def show_row(self, row: int) -> None:
        if not self.rows:
            return
        self.row = max(0, min(len(self.rows) - 1, row))
        photo = self.rows[self.row]
        self.setWindowTitle(f"{os.path.basename(photo.path)} — Photoapp")
        self.position.setText(f"{self.row + 1:,} of {len(self.rows):,}")
        self._fill_panel(photo)
        placeholder = self.thumbnails.pixmap(photo.path, photo.mtime, 512) if self.thumbnails else None
        self.canvas.set_pixmap(placeholder if placeholder is not None else QPixmap())
        self._load_full(photo.path)
        self.current_changed.emit(self.row)

    def loading_done(self) -> bool:
        """True once the full image of the current photo has arrived (or failed)."""
        return not self._tasks

    def current_path(self) -> str:
        return self.rows[self.row].path

    def _load_full(self, path: str) -> None:
        self._serial += 1
        serial = self._serial
        task = Task(load_display_image, path)
        self._tasks.add(task)
        task.signals.done.connect(lambda image: self._full_loaded(task, serial, image))
        task.signals.failed.connect(lambda error: self._full_failed(task, serial, error))
        self.pool.clear()  # an image queued for a photo already left behind is not needed
        self.pool.start(task)

    def _full_loaded(self, task: Task, serial: int, image) -> None:
        self._tasks.discard(task)
        if serial == self._serial:  # drop results for photos the user has moved past
            self.canvas.set_pixmap(QPixmap.fromImage(image), keep_view=self.canvas.zoom is not None)

    def _full_failed(self, task: Task, serial: int, error: Exception) -> None:
        self._tasks.discard(task)
        if serial == self._serial:
            self.fields["Name"].setText(f"{os.path.basename(self.current_path())}\n⚠ {error_text(error)}")

    def _fill_panel(self, photo: PhotoRow) -> None:
        try:
            info = self.engine.photo_info(photo.path) if self.engine is not None else {}
        except Exception:  # noqa: BLE001 - removed from the library meanwhile: show what we have
            info = {}
        values = describe(photo, info)
        for name, label in self.fields.items():
            label.setText(breakable(values.get(name, "—")))
            if name in OPTIONAL_FIELDS:  # only for pairs and videos
                label.setVisible(name in values)
                self.captions[name].setVisible(name in values)
        self.tag_editor.set_tags(info.get("tag_details", []))
        if self.tags is not None:
            self.tag_editor.set_known_tags(self.tags.tag_names())

    def _edit_tag(self, tag: str, present: bool) -> None:
        """Add or remove a tag by hand; the panel shows the library's answer when it lands."""
        if self.tags is None:
            return
        row = self.rows[self.row]
        refresh = lambda _result: self.rows[self.row] is row and self._fill_panel(row)  # noqa: E731
        failed = lambda error: self.fields["Name"].setText(  # noqa: E731
            f"{os.path.basename(row.path)}\n⚠ {error_text(error)}"
        )
        self.tags.edit(tag, [row.path], present, on_done=refresh, on_failed=failed)

    def done(self, result: int) -> None:
        self.pool.clear()
        self.pool.waitForDone(5000)
        super().done(result)


def describe(photo: PhotoRow, info: dict) -> dict[str, str]:
    """Human-readable facts for the side panel."""
    values = {"Name": os.path.basename(photo.path), "Folder": os.path.dirname(photo.path), "Tags": "none yet"}
    if info.get("size"):
        values["Size"] = human_size(info["size"])
    if info.get("width") and info.get("height"):
        values["Dimensions"] = f"{info['width']:,} × {info['height']:,} px"
    taken = info.get("taken") or photo.taken
    if taken:
        source = "" if info.get("taken_from_exif") else " (file date)"
        values["Taken"] = datetime.fromtimestamp(taken).strftime("%d %B %Y, %H:%M") + source
    if info.get("camera"):
        values["Camera"] = info["camera"]
    if info.get("tags"):
        values["Tags"] = ", ".join(info["tags"])
    if photo.score is not None:
        values["Score"] = f"{photo.score:.3f}"
    if photo.companion:  # a RAW+JPEG pair: one photo, two files
        values["Files"] = f"{os.path.basename(photo.path)} (JPEG)\n{os.path.basename(photo.companion)} (RAW)"
    if photo.kind == "video":
        values["Duration"] = format_duration(photo.duration) or "unknown"
    return values


def breakable(text: str) -> str:
    """Let long file names and paths wrap at separators instead of overflowing the panel."""
    for sep in ("/", "\\", "_", "-", "."):
        text = text.replace(sep, sep + "\u200b")
    return text
