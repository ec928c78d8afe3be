"""PeopleService: the GUI's handle on People (photoapp/core/faces via the Library facade).

Reads (people, a person's faces, suggestions) run on the engine's query thread; so do the
round face crops, decoded from the photos there (QImage is safe off the GUI thread). Edits
(name, merge, remove a face, hide, confirm, reject) run there through a Library of their own,
as tag edits do (services/tagging.py), and emit ``changed`` when done.
"""

from __future__ import annotations

import functools
import os

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPainterPath

from photoapp.core.library import Library
from photoapp.gui.workers import pil_to_qimage

CROP = 96  # pixels of a round face crop
MARGIN = 0.35  # the crop shows this much more than the face box on each side


class PeopleService(QObject):
    changed = Signal()

    def __init__(self, engine, parent=None):
        super().__init__(parent)
        self.engine = engine

    # -- reads (query thread) -------------------------------------------------------------------
    def people(self, on_done, on_failed=None, include_hidden: bool = False):
        """People with a round crop of their cover face: ``[(person dict, QImage)]``."""

        def run():
            people = self.engine.library.people.people(include_hidden=include_hidden)
            return [(p, face_crop(p["cover"]["path"], p["cover"]["box"])) for p in people]

        return self.engine.submit(run, on_done=on_done, on_failed=on_failed)

    def person(self, person_id: int, on_done, on_failed=None):
        """A person and their faces: ``(person dict, [(face dict, QImage)])``."""

        def run():
            info = self.engine.library.people.person(person_id)
            return info, [(f, face_crop(f["path"], f["box"])) for f in info["faces"]]

        return self.engine.submit(run, on_done=on_done, on_failed=on_failed)

    def suggestions(self, on_done, on_failed=None, limit: int = 30):
        """``[(suggestion dict, QImage)]``: unknown faces that may be someone."""

        def run():
            return [(s, face_crop(s["path"], s["box"])) for s in self.engine.library.people.suggestions(limit)]

        return self.engine.submit(run, on_done=on_done, on_failed=on_failed)

    # -- the setting ------------------------------------------------------------------------------
    def enabled(self) -> bool:
        return self.engine.settings().faces.enabled

    def set_enabled(self, enabled: bool, on_done=None, on_failed=None):
        """Faces on or off (off deletes every face, person and name) with the indexer stopped;
        the caller restarts indexing from ``on_done``/``on_failed``."""

        def done(result):
            self.changed.emit()
            if on_done is not None:
                on_done(result)

        return self.engine.change(
            lambda: self.engine.library.people.set_enabled(enabled), on_done=done, on_failed=on_failed
        )

    # -- edits (query thread, own connection) ----------------------------------------------------
    def name(self, person_id: int, name: str, on_done=None, on_failed=None):
        return self._write(lambda people: people.name(person_id, name), on_done, on_failed)

    def merge(self, into: int, other: int, on_done=None, on_failed=None):
        return self._write(lambda people: people.merge(into, other), on_done, on_failed)

    def remove_face(self, face_id: int, on_done=None, on_failed=None):
        return self._write(lambda people: people.remove_face(face_id), on_done, on_failed)

    def hide(self, person_id: int, hidden: bool = True, on_done=None, on_failed=None):
        return self._write(lambda people: people.hide(person_id, hidden), on_done, on_failed)

    def confirm(self, face_id: int, person_id: int, on_done=None, on_failed=None):
        return self._write(lambda people: people.confirm(face_id, person_id), on_done, on_failed)

    def reject(self, face_id: int, person_id: int, on_done=None, on_failed=None):
        return self._write(lambda people: people.reject(face_id, person_id), on_done, on_failed)

    def _write(self, change, on_done, on_failed):
        def run():
            with self.engine.open_library(model=self.engine.model_name) as lib:
                result = change(lib.people)
                for warning in lib.warnings:  # a sidecar that could not be written
                    self.engine.library.warnings.append(warning)
                return result

        def done(result):
            self.changed.emit()
            if on_done is not None:
                on_done(result)

        return self.engine.submit(run, on_done=done, on_failed=on_failed)


def face_crop(path: str, box, size: int = CROP) -> QImage:
    """A round crop of the face ``box`` (fractions of the upright photo); a grey disc when
    the photo cannot be read. Kept for the next ask while the file is unchanged: the sidebar
    and the People page ask for every person's again after each change."""
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        stamp = None
    return _face_crop(path, tuple(box), size, stamp)


@functools.lru_cache(maxsize=512)  # 512 crops of 96 px: ~19 MB
def _face_crop(path: str, box: tuple, size: int, _stamp: int | None) -> QImage:
    out = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    out.fill(Qt.GlobalColor.transparent)
    try:
        img = Library.read_image(path, min_side=size * 8)
    except Exception:  # noqa: BLE001 - a vanished or damaged photo: a grey disc, never an error
        img = None
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    clip = QPainterPath()
    clip.addEllipse(0, 0, size, size)
    painter.setClipPath(clip)
    if img is None:
        painter.fillRect(0, 0, size, size, Qt.GlobalColor.gray)
    else:
        x, y, w, h = box
        side = max(w * img.width, h * img.height) * (1 + 2 * MARGIN)
        cx, cy = (x + w / 2) * img.width, (y + h / 2) * img.height
        face = img.crop((int(cx - side / 2), int(cy - side / 2), int(cx + side / 2), int(cy + side / 2)))
        painter.drawImage(0, 0, pil_to_qimage(face.resize((size, size))))
    painter.end()
    return out
