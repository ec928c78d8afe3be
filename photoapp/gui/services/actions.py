"""ActionService: what a person does to photos from the window (stars, favourite, rotate,
trash, export) and undoing it, over the core (core/marks, the trash journal, core/undo.py).

Like tag edits (services/tagging.py), each change runs on the query thread through a
Library of its own (its own SQLite connection and transaction) and answers with the
undoable change it made (core/undo.py), or None when nothing changed. ``changed`` tells
the gallery to repaint its marks (``"marks"``) or list again (``"trash"``).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from photoapp.core.undo import MarksChange, TrashChange


class ActionService(QObject):
    changed = Signal(str)  # "marks" (stars, heart, rotation) or "trash" (photos left or came back)

    def __init__(self, engine, parent=None):
        super().__init__(parent)
        self.engine = engine

    def marked(self) -> dict:
        """id -> Marks of every photo with a mark (a small table: a GUI-thread read)."""
        return self.engine.reader.marks.marked()

    def rate(self, paths: list[str], stars: int, on_done=None, on_failed=None):
        return self._write(lambda lib: _marks(lib.marks.rate(paths, stars)), "marks", on_done, on_failed)

    def favourite(self, paths: list[str], on: bool | None = None, on_done=None, on_failed=None):
        """``on`` None: toggle (all favourites become not, else all become favourites)."""
        return self._write(lambda lib: _marks(lib.marks.favourite(paths, on)), "marks", on_done, on_failed)

    def rotate(self, paths: list[str], degrees: int, on_done=None, on_failed=None):
        return self._write(lambda lib: _marks(lib.marks.rotate(paths, degrees)), "marks", on_done, on_failed)

    def trash(self, paths: list[str], on_done=None, on_failed=None):
        """``on_done`` gets (TrashChange or None, the trash report with what was skipped and why)."""

        def run(lib):
            report = lib.trash(paths)
            change = TrashChange(report["batch"], tuple(report["trashed"])) if report["trashed"] else None
            return change, report

        return self._write(run, "trash", on_done, on_failed)

    def export(self, paths: list[str], folder: str, fmt: str, on_done=None, on_failed=None):
        return self.engine.submit(self._export, paths, folder, fmt, on_done=on_done, on_failed=on_failed)

    def _export(self, paths, folder, fmt):
        with self.engine.open_library(model=self.engine.model_name) as lib:
            return lib.export(paths, folder, fmt)

    def revert(self, change, on_done=None, on_failed=None):
        """Undo a change (any kind of core/undo.py's); tag changes tell the tag service too."""
        kind = "trash" if change.kind == "trash" else "marks"
        return self._write(lambda lib: change.revert(lib), kind, on_done, on_failed)

    def _write(self, change, kind: str, on_done, on_failed):
        def run():
            with self.engine.open_library(model=self.engine.model_name) as lib:
                return change(lib)

        def done(result):
            self.changed.emit(kind)
            if on_done is not None:
                on_done(result)

        return self.engine.submit(run, on_done=done, on_failed=on_failed)


def _marks(change) -> MarksChange | None:
    return MarksChange.of(change) if change.changed else None
