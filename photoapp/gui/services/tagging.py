"""TagService: the GUI's handle on tags, albums, smart albums and taught tags.

Reads (the albums with their counts, an album's photos) run on the engine's query thread
over the engine's Library, like searches. Edits (add or remove a tag, teach a tag, save a
smart album) run there too but through a Library of their own, opened per edit
(``LibraryService.open_library``): its own SQLite connection, so an edit is its own
transaction and never joins the indexer's (whose rollback on cancel would otherwise take
the edit with it). Tagging settings re-tag the whole library with the engine's Library,
so they go through ``LibraryService.change`` (the indexer stops first), as a model switch
does. Every finished edit emits ``changed`` so the sidebar and the gallery refresh.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from photoapp.core.search.ranking import Filters
from photoapp.core.undo import TagChange
from photoapp.gui.models.photo_list import PhotoRow, photo_row

TAG, SMART = "tag", "smart"


class TagService(QObject):
    changed = Signal()  # tags, albums or taught tags changed: refresh what shows them
    edited = Signal(object)  # a TagChange (core/undo.py) that changed photos: the undo stack records it

    def __init__(self, engine, parent=None):
        super().__init__(parent)
        self.engine = engine
        self._tag_names: list[str] = []  # from the last albums answer: completers never query

    # -- reads (query thread) -------------------------------------------------------------------
    def albums(self, on_done, on_failed=None):
        """``[{"name", "kind", "count", "group" (tags), "query" (smart)}]``: tags largest first,
        then smart albums (counted: each runs its search, on the query thread)."""

        def done(albums: list[dict]) -> None:
            self._tag_names = sorted((a["name"] for a in albums if a["kind"] == TAG), key=str.lower)
            on_done(albums)

        return self.engine.submit(
            lambda: self.engine.library.tags.albums(smart_counts=True), on_done=done, on_failed=on_failed
        )

    def album_rows(self, kind: str, name: str, filters: Filters, on_done, on_failed=None):
        return self.engine.submit(self._album_rows, kind, name, filters, on_done=on_done, on_failed=on_failed)

    def _album_rows(self, kind: str, name: str, filters: Filters) -> list[PhotoRow]:
        return [
            photo_row(photo, score)
            for photo, score in self.engine.library.album_photos(name, filters, smart=kind == SMART)
        ]

    def tag_names(self) -> list[str]:
        """Every tag as of the last albums refresh (for completers; no query on the GUI thread)."""
        return list(self._tag_names)

    def taught_names(self) -> list[str]:
        return self.engine.reader.taught_tags()

    def min_examples(self) -> int:
        """How many photos teaching a tag takes at least."""
        return self.engine.reader.teach_min_examples()

    # -- edits (query thread, own connection) --------------------------------------------------
    def edit(self, tag: str, paths: list[str], present: bool, on_done=None, on_failed=None):
        """Add ``tag`` to (or remove it from) these photos by hand."""

        def change(tags):
            return tags.add(tag, paths) if present else tags.remove(tag, paths)

        def done(changed: int) -> None:
            if changed:
                self.edited.emit(TagChange(" ".join(tag.split()), tuple(paths), present))
            if on_done is not None:
                on_done(changed)

        return self._write(change, done, on_failed)

    def teach(self, name: str, positive: list[str], negative: list[str] = (), on_done=None, on_failed=None):
        """Teach ``name`` from example photos; ``on_done`` gets train()'s summary dict."""
        return self._write(lambda tags: tags.train(name, positive, list(negative)), on_done, on_failed)

    def rename_tag(self, old: str, new: str, on_done=None, on_failed=None):
        """Rename tag ``old`` (core Tags.rename: a taught tag moves whole, with its examples;
        any other is given to its photos by hand under the new name); ``on_done`` gets the
        rename's summary (``tag``, ``photos``, ``merged``)."""
        return self._write(lambda tags: tags.rename(old, new), on_done, on_failed)

    def forget_taught(self, name: str, on_done=None, on_failed=None):
        """Forget taught tag ``name`` (its examples, and the tag on the photos it tagged; hand
        tags stay); ``on_done`` gets ``{"tag", "untagged", "kept"}``."""
        return self._write(lambda tags: tags.forget_taught(name), on_done, on_failed)

    def delete_tag(self, tag: str, on_done=None, on_failed=None):
        """Take ``tag`` off every photo that has it (as a hand edit: auto-tagging does not put
        it back on them); ``on_done`` gets how many photos."""

        def change(tags):
            paths = tags.album(tag)
            return tags.remove(tag, paths) if paths else 0

        return self._write(change, on_done, on_failed)

    def add_smart_album(self, name: str, query: str, on_done=None, on_failed=None):
        return self._write(lambda tags: tags.add_smart_album(name, query), on_done, on_failed)

    def remove_smart_album(self, name: str, on_done=None, on_failed=None):
        return self._write(lambda tags: tags.remove_smart_album(name), on_done, on_failed)

    def _write(self, change, on_done, on_failed):
        def run():
            with self.engine.open_library(model=self.engine.model_name) as lib:
                return change(lib.tags)

        def done(result):
            if on_done is not None:  # first: a renamed album takes its new name before the reload
                on_done(result)
            self.changed.emit()

        return self.engine.submit(run, on_done=done, on_failed=on_failed)

    # -- settings ---------------------------------------------------------------------------------
    def sensitivity(self) -> float:
        return self.engine.settings().tags.sensitivity

    def set_sensitivity(self, value: float, on_done=None, on_failed=None):
        """Re-tag the library at a new sensitivity (0..1; higher, more tags) with the indexer
        stopped; the caller restarts indexing from ``on_done``/``on_failed``."""

        def change():
            self.engine.library.tags.configure(sensitivity=value)

        return self.engine.change(change, on_done=lambda r: self._settled(on_done, r), on_failed=on_failed)

    def _settled(self, callback, result) -> None:
        self.changed.emit()
        if callback is not None:
            callback(result)
