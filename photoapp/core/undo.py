"""Undo for every change a person makes to photos: tags, stars, favourites, rotation, trash.

Each change is recorded as a small value (``TagChange``, ``MarksChange``, ``TrashChange``)
that knows how to say what it did and how to revert itself through the Library's own
operations; an ``UndoStack`` holds them, newest last. Headless: the CLI and the tests use
it as the window does (gui/controllers/undo.py runs ``revert`` off the GUI thread).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Protocol

from photoapp.core.store.marks import Marks


class Change(Protocol):
    kind: str  # tag | rating | favourite | rotation | trash

    def text(self) -> str: ...

    def undone_text(self) -> str: ...

    def revert(self, library) -> dict: ...


def _name(paths: list[str]) -> str:
    return os.path.basename(paths[0]) if len(paths) == 1 else f"{len(paths)} photos"


@dataclass(frozen=True)
class TagChange:
    tag: str
    paths: tuple[str, ...]
    added: bool  # True: the tag was added; False: removed
    kind: str = "tag"

    def text(self) -> str:
        verb, where = ("Added", "to") if self.added else ("Removed", "from")
        return f"{verb} the tag “{self.tag}” {where} {_name(list(self.paths))}"

    def undone_text(self) -> str:
        what = "Took the tag “{}” off" if self.added else "Put the tag “{}” back on"
        return f"{what.format(self.tag)} {_name(list(self.paths))}"

    def revert(self, library) -> dict:
        # A removed tag comes back as the person's own (the library remembers it from then
        # on); an added one is removed by hand.
        edit = library.tags.remove if self.added else library.tags.add
        return {"changed": edit(self.tag, list(self.paths))}


_MARK_WORDS = {
    "rating": lambda v: f"Rated {{}} {v} star{'s' if v != 1 else ''}" if v else "Cleared the rating of {}",
    "favourite": lambda v: "Marked {} as favourite" if v else "Removed {} from favourites",
    "rotation": lambda v: f"Turned {{}} {'right' if v > 0 else 'left'}" if abs(v) == 90 else f"Turned {{}} {v}°",
}
_MARK_UNDONE = {
    "rating": "Put back the rating of {}",
    "favourite": "Put back the favourite mark of {}",
    "rotation": "Turned {} back",
}


@dataclass(frozen=True)
class MarksChange:
    """A rating, favourite or rotation change (core/marks/service.py's MarkChange)."""

    kind: str
    value: int
    before: dict[str, Marks] = field(hash=False)

    @classmethod
    def of(cls, change) -> MarksChange:
        return cls(change.kind, change.value, {p: change.before[p] for p in change.changed})

    def text(self) -> str:
        return _MARK_WORDS[self.kind](self.value).format(_name(list(self.before)))

    def undone_text(self) -> str:
        return _MARK_UNDONE[self.kind].format(_name(list(self.before)))

    def revert(self, library) -> dict:
        return {"changed": library.marks.restore(self.before)}


@dataclass(frozen=True)
class TrashChange:
    """Photos moved to the trash together (one journal batch)."""

    batch: int
    paths: tuple[str, ...]
    kind: str = "trash"

    def text(self) -> str:
        return f"Moved {_name(list(self.paths))} to the trash"

    def undone_text(self) -> str:
        return f"Put {_name(list(self.paths))} back from the trash"

    def revert(self, library) -> dict:
        return library.duplicates.undo(self.batch)


class UndoStack:
    """Changes, newest last; ``undo`` reverts the newest through a Library."""

    def __init__(self, limit: int = 200):
        self.changes: list = []
        self.limit = limit

    def push(self, change) -> None:
        """Record a change that did something (a change of nothing is not worth an undo)."""
        self.changes.append(change)
        del self.changes[: -self.limit]

    def peek(self):
        return self.changes[-1] if self.changes else None

    def pop(self):
        return self.changes.pop() if self.changes else None

    def forget(self, change) -> None:
        if change in self.changes:
            self.changes.remove(change)

    def undo(self, library):
        """Revert the newest change; returns (change, report), or None when there is none."""
        change = self.pop()
        if change is None:
            return None
        return change, change.revert(library)

    def __len__(self) -> int:
        return len(self.changes)
