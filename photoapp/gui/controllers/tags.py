"""TagsUi: the main window's tag features (a controller: widgets and wiring, no engine work).

The albums sidebar under the folders, the gallery filtered to an album, the Tags menu
(teach a tag from the selection, new smart album), tag entries in the gallery's context
menu, and the tagging sensitivity setting. The window calls in at a few points: building
(``left_pane``, ``build_menu``), ``reload`` (``album`` / ``load_rows`` / ``describe``),
Esc (``escape``), the context menu, the viewer (``service``) and settings. The work itself
is the engine's TagService (gui/services/tagging.py).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QInputDialog, QMenu, QMenuBar, QMessageBox, QSplitter, QWidget

from photoapp.gui.controllers import places
from photoapp.gui.controllers.gallery_text import photos
from photoapp.gui.controllers.people_sidebar import PERSON, UNNAMED
from photoapp.gui.services.tagging import SMART, TAG
from photoapp.gui.views.add_tag_dialog import AddTagDialog
from photoapp.gui.views.albums_sidebar import AlbumsSidebar
from photoapp.gui.views.sidebar import ALL_PHOTOS
from photoapp.gui.views.teach_dialog import SmartAlbumDialog, TeachDialog
from photoapp.gui.workers import error_text

LIVE_ALBUMS_MS = 5000


class TagsUi:
    def __init__(self, window):
        self.window = window
        self.service = window.engine.tags
        self.sidebar = AlbumsSidebar(window)
        self.sidebar.set_thumbnails(window.thumbnails)  # album covers
        self.places = places.PlacesUi(window, self.sidebar)  # "On this day", Places, the world map
        self.sidebar.album_selected.connect(self._album_selected)
        self.sidebar.new_smart_album_requested.connect(self.new_smart_album)
        self.sidebar.remove_smart_album_requested.connect(self.remove_smart_album)
        self.sidebar.rename_tag_requested.connect(self.ask_rename_tag)
        self.sidebar.delete_tag_requested.connect(self.ask_delete_tag)
        self.sidebar.forget_taught_requested.connect(self.ask_forget_taught)
        self.service.changed.connect(self._tags_changed)
        self.teach_dialog: TeachDialog | None = None
        # While indexing, photos are tagged as they are embedded: counts follow every few seconds.
        self._live = QTimer(window, singleShot=True, interval=LIVE_ALBUMS_MS)
        self._live.timeout.connect(self._refresh_tags)  # places are named at the end of a run
        window.engine.indexing.progress.connect(
            lambda phase, done, *_: phase == "embed" and done and not self._live.isActive() and self._live.start()
        )

    # -- building -------------------------------------------------------------------------------
    def left_pane(self, folders: QWidget) -> QSplitter:
        """The folder list above the albums."""
        pane = QSplitter(Qt.Orientation.Vertical, self.window)
        pane.addWidget(folders)
        pane.addWidget(self.sidebar)
        pane.setStretchFactor(1, 1)
        pane.setSizes([300, 400])  # the three views and a few folders without scrolling (a walk found 3 rows)
        return pane

    def build_menu(self, bar: QMenuBar) -> QMenu:
        menu = bar.addMenu("&Tags")
        self.teach_action = menu.addAction("&Teach a tag from the selected photos…", self.teach_selected)
        self.teach_action.setShortcut("Ctrl+T")
        menu.addAction("&Add a tag to the selected photos…", self.add_tag_to_selected)
        menu.addSeparator()
        menu.addAction("New &smart album…", self.new_smart_album)
        menu.addAction("Tagging &sensitivity…", self.window.open_settings)
        return menu

    # -- albums -----------------------------------------------------------------------------------
    @property
    def album(self) -> tuple[str, str]:
        return self.sidebar.current()

    @property
    def dated(self) -> bool:
        """The album lists photos by date (a place, a map area, On this day): the gallery
        shows date headers and follows the sort choice, as when browsing."""
        return self.album[0] in places.KINDS

    def refresh_albums(self) -> None:
        self._refresh_tags()
        self.places.refresh()

    def _refresh_tags(self) -> None:
        self.service.albums(self.sidebar.set_albums, lambda _error: None)  # nothing tagged yet is no error

    def load_rows(self, filters, on_done, on_failed) -> None:
        kind, name = self.album
        if kind == PERSON:  # the window's filters carry the person (PeopleUi.people)
            self.window.engine.search.browse(filters, on_done, on_failed, sort=self.window.sort_choice.value())
        elif kind in places.KINDS:
            self.places.load_rows(kind, name, filters, on_done, on_failed)
        else:
            self.service.album_rows(kind, name, filters, on_done, on_failed)

    def describe(self, n: int) -> str | None:
        kind, name = self.album
        if not kind:
            return None
        if kind == PERSON:
            label = self.sidebar.current_label()
            if label == UNNAMED:
                who = "someone not named yet (right-click them under People to name them)"
                return f"{photos(n)} of {who} — Esc to go back"
            return f"{photos(n)} of <b>{html.escape(label)}</b> — Esc to go back"
        if kind in places.KINDS:
            return self.places.describe(kind, name, n)
        if kind == SMART:
            return f"{photos(n)} in the smart album <b>{name}</b> — Esc to go back"
        return f"{photos(n)} tagged <b>{name}</b> — Esc to go back"

    def escape(self) -> bool:
        if not self.album[0]:
            return False
        self.sidebar.clear_selection()
        return True

    def _album_selected(self, kind: str, _name: str) -> None:
        window = self.window
        if kind:  # one selection at a time: the album replaces the folder
            window.sidebar.clear_selection()
        else:
            window.sidebar.select(ALL_PHOTOS, quiet=True)
        if kind and (window.query or window.similar_to):  # an album replaces the search
            window.search_bar.clear_query()
            window.query, window.similar_to = "", None
        window.reload()

    def _tags_changed(self) -> None:
        self.refresh_albums()
        if self.album[0]:
            self.window.reload(keep_position=True)

    # -- actions ----------------------------------------------------------------------------------
    def add_context_actions(self, menu: QMenu, paths: list[str]) -> None:
        menu.addSeparator()
        n = len(paths)
        menu.addAction("Add a tag…" if n == 1 else f"Add a tag to {n} photos…", self.add_tag_to_selected)
        kind, name = self.album
        if kind == TAG:
            menu.addAction(
                f"Remove “{name}”" + (f" from {n} photos" if n > 1 else ""),
                lambda: self.service.edit(name, paths, False, on_failed=self._failed),
            )
        teach = menu.addAction(
            f"Teach a tag from {n} photos…" if n > 1 else "Teach a tag (select 3 or more)…", self.teach_selected
        )
        teach.setEnabled(n >= 3)

    def add_tag_to_selected(self) -> None:
        paths = self.window.selected_paths()
        if not paths:
            self.window.status.show("Select photos in the gallery first.", 5000)
            return
        dialog = AddTagDialog(len(paths), self.service.tag_names(), self.window)
        dialog.accepted.connect(lambda: self.service.edit(dialog.tag(), paths, True, on_failed=self._failed))
        self.add_tag_dialog = dialog  # for tests
        dialog.open()

    def teach_selected(self) -> TeachDialog:
        """Open the teach dialog on the gallery's selection (returned for tests)."""
        paths = self.window.selected_paths()
        dialog = TeachDialog(
            paths,
            self.service.taught_names(),
            self.window.thumbnails,
            self.window,
            min_examples=self.service.min_examples(),
        )
        dialog.accepted.connect(lambda: self.teach(dialog.name(), paths))
        self.teach_dialog = dialog
        dialog.open()
        return dialog

    def teach(self, name: str, paths: list[str]) -> None:
        self.window.status.show(f"Teaching “{name}” from {len(paths)} photos…")

        def done(result: dict) -> None:
            self.window.status.show(
                f"“{result['tag']}” learnt from {result['examples']} examples"
                + (f" and {result['counter_examples']} counter-examples" if result["counter_examples"] else "")
                + f": {result['photos']:,} photos tagged ({result['seconds']:.2f} s)",
                10_000,
            )
            self._select_later(TAG, result["tag"])

        self.service.teach(name, paths, on_done=done, on_failed=self._failed)

    def new_smart_album(self) -> SmartAlbumDialog:
        dialog = SmartAlbumDialog(self.window.query, self.window)
        dialog.accepted.connect(
            lambda: self.service.add_smart_album(
                dialog.name(),
                dialog.query(),
                on_done=lambda _r: self._select_later(SMART, dialog.name()),
                on_failed=self._failed,
            )
        )
        dialog.open()
        return dialog

    def remove_smart_album(self, name: str) -> None:
        if self.album == (SMART, name):
            self.sidebar.clear_selection()
        self.service.remove_smart_album(name, on_failed=self._failed)

    def ask_rename_tag(self, name: str) -> None:
        new, ok = QInputDialog.getText(self.window, "Rename tag", f"New name for “{name}”:", text=name)
        if ok and new.strip() and new.strip() != name:
            self.rename_tag(name, new.strip())

    def rename_tag(self, old: str, new: str) -> None:
        def done(result: dict) -> None:
            merged = " (merged with the tag already there)" if result["merged"] else ""
            self.window.status.show(f"“{old}” is now “{result['tag']}”{merged}: {result['photos']:,} photos", 8000)
            if self.album == (TAG, old):  # the album follows its new name (before the gallery reloads)
                self.sidebar.rename_current(result["tag"])

        self.service.rename_tag(old, new, on_done=done, on_failed=self._failed)

    def ask_delete_tag(self, name: str) -> None:
        question = f"Take the tag “{name}” off every photo that has it?\nThe photos are not touched."
        answer = QMessageBox.question(self.window, "Delete tag", question)
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_tag(name)

    def delete_tag(self, name: str) -> None:
        if self.album == (TAG, name):
            self.sidebar.clear_selection()
        done = lambda n: self.window.status.show(f"“{name}” taken off {n:,} photos", 8000)  # noqa: E731
        self.service.delete_tag(name, on_done=done, on_failed=self._failed)

    def ask_forget_taught(self, name: str) -> None:
        question = (
            f"Delete the taught tag “{name}”?\nIts examples are forgotten and the photos it tagged are "
            "untagged; tags you gave by hand stay. The photos are not touched."
        )
        answer = QMessageBox.question(self.window, "Delete taught tag", question)
        if answer == QMessageBox.StandardButton.Yes:
            self.forget_taught(name)

    def forget_taught(self, name: str) -> None:
        def done(result: dict) -> None:
            kept = f"; {result['kept']:,} keep it, given by hand" if result["kept"] else ""
            self.window.status.show(f"“{name}” forgotten: taken off {result['untagged']:,} photos{kept}", 8000)

        if self.album == (TAG, name):
            self.sidebar.clear_selection()
        self.service.forget_taught(name, on_done=done, on_failed=self._failed)

    def _select_later(self, kind: str, name: str) -> None:
        """Select an album once the refreshed list (queued after this edit) has it."""

        def select(albums: list[dict]) -> None:
            self.sidebar.set_albums(albums)
            self.sidebar.select(kind, name)

        self.service.albums(select)

    def _failed(self, error: Exception) -> None:
        self.window.status.clear()
        self.window.banner.show_message(error_text(error))

    # -- settings -----------------------------------------------------------------------------------
    def apply_sensitivity(self, value: float) -> None:
        """Re-tag at a new sensitivity (stops and then restarts indexing)."""
        if abs(value - self.service.sensitivity()) < 1e-9:
            return
        window = self.window
        window.status.show("Re-tagging the library at the new sensitivity…")

        def settled(_result=None) -> None:
            window.status.show("Tags updated to the new sensitivity.", 6000)
            window.engine.indexing.start()

        def failed(error: Exception) -> None:
            self._failed(error)
            window.engine.indexing.start()

        self.service.set_sensitivity(value, on_done=settled, on_failed=failed)
