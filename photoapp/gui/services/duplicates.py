"""DuplicatesService: finding duplicate groups, resolving them to the trash, undo and
"not duplicates", over ``Library.duplicates`` (photoapp/core/duplicates/service.py).

Every call runs on the engine's query thread; callbacks run on the GUI thread. Finding
groups is a cancellable job with progress (at 100,000 photos it takes seconds, more when
older photos still need fingerprints).
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QImage

from photoapp.core.errors import PhotoappError
from photoapp.core.library import Library
from photoapp.gui.workers import ProgressTask, pil_to_qimage


def find_groups(library, tier: str, progress=None, cancel=None):
    """(groups, whether a resolve can be undone): the job behind the list (query thread)."""
    groups = library.duplicates.find(tier, progress=progress, cancel=cancel)
    undoable = any(batch["in_trash"] or batch["back_in_place"] for batch in library.duplicates.history())
    return groups, undoable


def load_full(paths: list[str]) -> list[tuple[str, QImage, str]]:
    """(path, upright full-size image or a null one, error) for each path (off the GUI thread)."""
    out = []
    for path in paths:
        try:
            out.append((path, pil_to_qimage(Library.read_image(path)), ""))
        except (PhotoappError, OSError) as exc:
            out.append((path, QImage(), str(exc) or "cannot be read"))
    return out


class DuplicatesService(QObject):
    def __init__(self, engine, parent=None):
        super().__init__(parent)
        self.engine = engine

    def find(self, tier: str, on_progress, on_done, on_failed=None, on_cancelled=None) -> ProgressTask:
        """Start looking for groups of ``tier``; the returned job's ``cancel()`` stops it
        (then ``on_cancelled``, never ``on_done``). ``on_done`` gets (groups, undoable)."""
        job = ProgressTask(find_groups, self.engine.library, tier)
        job.signals.progress.connect(on_progress)
        self.engine.run_task(job, on_done=on_done, on_failed=on_failed, on_cancelled=on_cancelled)
        return job

    def resolve(self, paths: list[str], keep: str, on_done, on_failed=None):
        """Keep ``keep``, send the group's other photos to the trash; ``on_done`` gets the report."""
        return self.engine.submit(
            self.engine.library.duplicates.resolve, [(paths, keep)], on_done=on_done, on_failed=on_failed
        )

    def resolve_all(self, groups: list[tuple[list[str], str]], on_done, on_failed=None):
        """Resolve many groups ``(paths, keep)`` as one batch: one undo brings them all back."""
        return self.engine.submit(self.engine.library.duplicates.resolve, groups, on_done=on_done, on_failed=on_failed)

    def dismiss(self, paths: list[str], on_done, on_failed=None):
        """Never propose these photos as duplicates of each other again."""
        return self.engine.submit(self.engine.library.duplicates.dismiss, paths, on_done=on_done, on_failed=on_failed)

    def undo(self, on_done, on_failed=None):
        """Bring back what the last resolve moved to the trash; ``on_done`` gets the report."""
        return self.engine.submit(self.engine.library.duplicates.undo, on_done=on_done, on_failed=on_failed)

    def load_full(self, paths: list[str], on_done, on_failed=None):
        """The photos at full size, for comparing them at 100 %."""
        return self.engine.submit(load_full, paths, on_done=on_done, on_failed=on_failed)
