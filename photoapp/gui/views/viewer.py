"""ViewerPage: one photo at a time, a page of the main window (or the whole screen).

The photo (ImageCanvas) has the keyboard focus when the viewer opens and whenever it is
clicked; keys that other widgets do not use come up to the page, so they work wherever
the focus is, except while typing a tag. ←/→ (and ↑/↓, Backspace) change photo, Space
plays or pauses a slideshow, 0 fits (never above 100 %), 9 (or a double-click) fills the
window, 1 shows 100 %, +/− zoom, F or F11 full screen, I
shows or hides the info panel, B the face boxes with names (People), [ and ] turn the
photo, . marks it as a favourite, Delete moves it to the system trash, Ctrl+Z undoes the
last change (a trashed photo comes back here too), Esc leaves full screen, then the
viewer. No key removes a tag: only a chip's ✕ does (views/tag_editor.py).
The full-size image is decoded off the GUI thread; the thumbnail stands in meanwhile.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QPixmap, QTransform
from PySide6.QtWidgets import QHBoxLayout, QWidget

from photoapp.core.library import Library
from photoapp.gui.models.photo_list import PhotoRow
from photoapp.gui.views.image_canvas import ImageCanvas
from photoapp.gui.views.info_panel import InfoPanel, describe
from photoapp.gui.workers import Task, error_text, pil_to_qimage

MAX_SIDE = 2560  # decode no larger than a big screen needs, until the person zooms in past it
FULL_SIZE_MAX_PIXELS = 60_000_000  # above this, 100 % enlarges the screen-sized image instead
SLIDESHOW_MS = 4000
ZOOM_STEP = 1.25


def load_display_image(path: str, max_side: int | None = MAX_SIDE):
    from PIL import Image

    img = Library.read_image(path, min_side=max_side)
    if max_side is not None:
        # Pillow's bilinear filter widens with the reduction (antialiased, unlike Qt's): as
        # clean as bicubic for a downscale the canvas smooths again, in about half the time.
        img.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    return pil_to_qimage(img)


class ViewerPage(QWidget):
    current_changed = Signal(int)  # row in the result list
    closed = Signal()  # Esc (or leave()): the window shows the gallery again
    full_screen_requested = Signal(bool)

    def __init__(self, rows: list[PhotoRow], row: int, engine, thumbnails=None, parent=None, tags=None, undo=None):
        super().__init__(parent)
        self.rows, self.row = rows, row
        self.engine, self.thumbnails = engine, thumbnails
        self.tags, self.undo = tags, undo  # a TagService and the UndoController: tags can be edited here
        self.actions = None  # the window's PhotoActions: rotate and favourite keys
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._serial = 0
        self._tasks: set[Task] = set()
        self._full_res_for: str | None = None  # the photo decoded at its file's full size
        self._rotation, self._raw = 0, QPixmap()
        self._removed: dict = {}  # path -> (row, PhotoRow) of photos trashed from here, for undo
        self.canvas = ImageCanvas(self)
        self.canvas.prev_button.clicked.connect(lambda: self.step(-1))
        self.canvas.next_button.clicked.connect(lambda: self.step(1))
        self.canvas.zoom_changed.connect(lambda _text: self._maybe_load_full_size())
        self.panel = InfoPanel(self)
        self.fields, self.tag_editor = self.panel.fields, self.panel.tag_editor
        self.tag_editor.set_enabled_editing(self.tags is not None)
        self.tag_editor.add_requested.connect(lambda tag: self._edit_tag(tag, True))
        self.tag_editor.remove_requested.connect(lambda tag: self._edit_tag(tag, False))
        self.tag_editor.editing_finished.connect(self.focus_photo)
        if undo is not None:
            undo.undone.connect(self._undone)
        self.slideshow = QTimer(self, interval=SLIDESHOW_MS)
        self.slideshow.timeout.connect(self._slideshow_step)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.panel)
        self.keys = self._keys()
        self.canvas.claimed_keys = set(self.keys)
        self.setFocusProxy(self.canvas)
        self.show_row(row)

    def _keys(self) -> dict:
        zoom = self.canvas
        return {
            Qt.Key.Key_Right: lambda: self.step(1),
            Qt.Key.Key_Left: lambda: self.step(-1),
            Qt.Key.Key_Down: lambda: self.step(1),
            Qt.Key.Key_Up: lambda: self.step(-1),
            Qt.Key.Key_Backspace: lambda: self.step(-1),
            Qt.Key.Key_Home: lambda: self.show_row(0),
            Qt.Key.Key_End: lambda: self.show_row(len(self.rows) - 1),
            Qt.Key.Key_Space: self.toggle_slideshow,
            Qt.Key.Key_Plus: lambda: zoom.zoom_by(ZOOM_STEP),
            Qt.Key.Key_Equal: lambda: zoom.zoom_by(ZOOM_STEP),
            Qt.Key.Key_Minus: lambda: zoom.zoom_by(1 / ZOOM_STEP),
            Qt.Key.Key_0: lambda: zoom.set_zoom(None),
            Qt.Key.Key_1: lambda: zoom.set_zoom(1.0),
            Qt.Key.Key_9: zoom.toggle_fill,
            Qt.Key.Key_F: self.toggle_full_screen,
            Qt.Key.Key_F11: self.toggle_full_screen,
            Qt.Key.Key_I: self.toggle_panel,
            Qt.Key.Key_B: self.toggle_faces,
            Qt.Key.Key_Escape: self.escape,
            Qt.Key.Key_BracketLeft: lambda: self._act("rotate", -90),
            Qt.Key.Key_BracketRight: lambda: self._act("rotate", 90),
            Qt.Key.Key_Period: lambda: self._act("favourite", None),
            Qt.Key.Key_Delete: self._trash_current,
        }

    def _trash_current(self) -> None:
        """Delete: the photo to the system trash (Ctrl+Z brings it back, here too)."""
        if self.actions is not None and self.rows:
            self.actions.trash([self.current_path()], confirm=False)

    def remove_paths(self, paths) -> None:
        """Photos that left (moved to the trash): the viewer goes on with the next one, or
        back to the gallery when none is left. Undo puts them back (``restore_paths``)."""
        for path in paths:
            index = next((i for i, r in enumerate(self.rows) if r.path == path), None)
            if index is not None:
                self._removed[path] = (index, self.rows.pop(index))
        if not self.rows:
            self.leave()
        else:
            self.show_row(min(self.row, len(self.rows) - 1))

    def restore_paths(self, paths) -> None:
        back = [p for p in paths if p in self._removed]
        for path in back:
            index, row = self._removed.pop(path)
            self.rows.insert(min(index, len(self.rows)), row)
        if back:
            self.show_row(next(i for i, r in enumerate(self.rows) if r.path == back[0]))

    def _act(self, what: str, value) -> None:
        """Turn the photo or mark it as a favourite (undoable, through the window's actions)."""
        if self.actions is not None and self.rows:
            getattr(self.actions, what)([self.current_path()], value)

    def keyPressEvent(self, event) -> None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if self.tag_editor.input.hasFocus():
            # A key the field leaves unused (↑/↓) while typing a tag must not change the photo
            # under it: Return would then tag another one.
            super().keyPressEvent(event)
            return
        if event.key() == Qt.Key.Key_Z and mods == Qt.KeyboardModifier.ControlModifier:
            self.undo_last()
        elif event.key() in self.keys and mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
            self.keys[event.key()]()  # Shift: "+" is Shift+= on many layouts
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focus_photo(self) -> None:
        self.canvas.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- what the keys do -------------------------------------------------------------------------
    def toggle_slideshow(self) -> None:
        if self.slideshow.isActive():
            self.slideshow.stop()
        else:
            self.slideshow.start()
        self._show_position()

    def _slideshow_step(self) -> None:
        if self.row + 1 < len(self.rows):
            self.step(1)
        else:
            self.slideshow.stop()  # the end of the list: the last photo stays on screen
            self._show_position()

    def toggle_full_screen(self) -> None:
        self.full_screen_requested.emit(not self.window().isFullScreen())

    def toggle_faces(self) -> None:
        """Face boxes with names on the photo (People), on or off."""
        self.canvas.show_faces = not self.canvas.show_faces
        self.canvas.update()

    def toggle_panel(self) -> None:
        self.panel.setVisible(not self.panel.isVisible())

    def escape(self) -> None:
        if self.window().isFullScreen():
            self.full_screen_requested.emit(False)
        else:
            self.leave()

    def leave(self) -> None:
        self.slideshow.stop()
        if self.undo is not None:
            self.undo.undone.disconnect(self._undone)
        self.pool.clear()
        self.pool.waitForDone(5000)
        self.closed.emit()

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
        self._show_position()
        self.canvas.prev_button.setEnabled(self.row > 0)
        self.canvas.next_button.setEnabled(self.row + 1 < len(self.rows))
        info = self._fill_panel(photo)
        self._size = QSize(info.get("width") or 0, info.get("height") or 0)  # empty: not in the catalog
        self._rotation = info.get("rotation", 0)  # the photo's rotation mark, applied on display
        placeholder = self.thumbnails.pixmap(photo.path, photo.mtime, 512) if self.thumbnails else None
        self._show(placeholder if placeholder is not None else QPixmap())
        self._full_res_for = None
        self._load(photo.path, MAX_SIDE)
        self.current_changed.emit(self.row)

    def _show_position(self) -> None:
        playing = self.slideshow.isActive()
        self.panel.position.setText(f"{self.row + 1:,} of {len(self.rows):,}" + ("   ▶ slideshow" if playing else ""))
        self.canvas.set_note("▶ Slideshow (Space pauses)" if playing else "")

    def loading_done(self) -> bool:
        """True once the full image of the current photo has arrived (or failed)."""
        return not self._tasks

    def current_path(self) -> str:
        return self.rows[self.row].path

    def _maybe_load_full_size(self) -> None:
        """Zoomed in past the decoded image's own pixels: decode the file at its full size."""
        path, size = self.current_path(), self.canvas.source_size
        if size.width() * size.height() > FULL_SIZE_MAX_PIXELS:
            return  # hundreds of MB of pixels for one view: not worth the memory
        if self.canvas.needs_more_pixels() and self._full_res_for != path and self.loading_done():
            self._full_res_for = path
            self._load(path, None)

    def _load(self, path: str, max_side: int | None) -> None:
        self._serial += 1
        serial = self._serial
        task = Task(load_display_image, path, max_side)
        self._tasks.add(task)
        task.signals.done.connect(lambda image: self._loaded(task, serial, image))
        task.signals.failed.connect(lambda error: self._failed(task, serial, error))
        self.pool.clear()  # an image queued for a photo already left behind is not needed
        self.pool.start(task)

    def _loaded(self, task: Task, serial: int, image) -> None:
        self._tasks.discard(task)
        if serial == self._serial:  # drop results for photos the user has moved past
            self._show(QPixmap.fromImage(image), keep_view=True)

    def _show(self, pixmap: QPixmap, keep_view: bool = False) -> None:
        """Show the decoded photo turned by its rotation mark (the file is never changed)."""
        self._raw = pixmap
        size = self._size.transposed() if self._rotation in (90, 270) else self._size
        shown = pixmap
        if self._rotation and not pixmap.isNull():
            shown = pixmap.transformed(QTransform().rotate(self._rotation))
        self.canvas.turn = self._rotation
        self.canvas.set_pixmap(shown, size, keep_view=keep_view)

    def _turn(self, rotation: int) -> None:
        if rotation != self._rotation:
            self._rotation = rotation
            self._show(self._raw)

    def _failed(self, task: Task, serial: int, error: Exception) -> None:
        self._tasks.discard(task)
        if serial == self._serial:
            self.panel.show_error(os.path.basename(self.current_path()), error_text(error))

    def _fill_panel(self, photo: PhotoRow) -> dict:
        try:
            info = self.engine.photo_info(photo.path) if self.engine is not None else {}
        except Exception:  # noqa: BLE001 - removed from the library meanwhile: show what we have
            info = {}
        self.panel.show_facts(describe(photo, info, Library.describe_exif(info.get("exif", {}))))
        self.tag_editor.set_tags(info.get("tag_details", []))
        self.canvas.faces = [(tuple(f["box"]), f["name"] or "") for f in info.get("faces", [])]
        if self.tags is not None:
            self.tag_editor.set_known_tags(self.tags.tag_names())
        return info

    # -- tags ---------------------------------------------------------------------------------------
    def _edit_tag(self, tag: str, present: bool) -> None:
        """Add or remove a tag by hand (undoable); the panel shows the library's answer when it lands."""
        if self.tags is None or (tag in self.tag_editor.tags()) == present:
            return  # nothing would change: nothing to undo either
        row = self.rows[self.row]  # the tag service tells the undo stack what changed

        def failed(error: Exception) -> None:
            self.panel.show_error(os.path.basename(row.path), error_text(error))

        self.tags.edit(tag, [row.path], present, on_done=lambda _r: self._refresh(row.path), on_failed=failed)

    def undo_last(self) -> None:
        if self.undo is not None:
            self.undo.undo()  # the panel follows when the library has it (``_undone``)

    def _undone(self, change) -> None:
        if change.kind == "trash":
            self.restore_paths(change.paths)
        self.refresh_current()

    def refresh_current(self) -> None:
        """The current photo's facts, tags and rotation again (they changed)."""
        if self.rows:
            info = self._fill_panel(self.rows[self.row])
            self._turn(info.get("rotation", 0))

    def _refresh(self, path: str) -> None:
        if self.current_path() == path:
            self._fill_panel(self.rows[self.row])
