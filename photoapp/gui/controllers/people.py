"""PeopleUi: the People page of the main window (a controller: widgets and wiring, no
engine work). The window calls in at a few points: building (``PeopleUi(window)`` adds the
page to ``window.pages``), its View menu (``show``), and while a person's photos fill the
gallery: ``people()`` (its filters), ``describe`` (the header) and ``escape``. The work is
PeopleService's."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QMessageBox

from photoapp.gui.controllers.people_sidebar import PeopleSidebar
from photoapp.gui.services.people import PeopleService
from photoapp.gui.views.people_view import PeopleView
from photoapp.gui.workers import error_text


class PeopleUi:
    def __init__(self, window):
        self.window = window
        self.service = PeopleService(window.engine, window)
        self.view = PeopleView(window)
        window.pages.addWidget(self.view)
        v, s = self.view, self.service
        v.back_requested.connect(lambda: window.pages.setCurrentWidget(window.splitter))
        v.open_requested.connect(lambda pid: self.refresh() if pid < 0 else self.open_person(pid))
        v.name_requested.connect(self.name)
        v.merge_requested.connect(lambda ids: [s.merge(ids[0], other, on_failed=self._failed) for other in ids[1:]])
        v.hide_requested.connect(
            lambda pid: s.hide(pid, True, on_done=lambda _r: self.refresh(), on_failed=self._failed)
        )
        v.remove_face_requested.connect(lambda ids: [s.remove_face(f, on_failed=self._failed) for f in ids])
        v.answer.connect(lambda face, pid, yes: (s.confirm if yes else s.reject)(face, pid, on_failed=self._failed))
        v.photos_requested.connect(self.show_photos)
        v.enabled_requested.connect(self.set_enabled)
        s.changed.connect(self._changed)
        self.names: dict[int, str] = {}  # from the last answers: the gallery header names the person
        self.shown: int | None = None  # a person not in the sidebar (hidden) whose photos fill the gallery
        self.sidebar = PeopleSidebar(self)  # People in the albums sidebar

    # -- the gallery ------------------------------------------------------------------------------
    def people(self) -> tuple[int, ...]:
        """The gallery's person filter (Filters.people): the sidebar's person, else ``shown``."""
        chosen = self.sidebar.chosen()
        if chosen is not None:
            return (chosen,)
        return (self.shown,) if self.shown is not None else ()

    def describe(self, n: int) -> str | None:
        if self.shown is None:
            return None
        return f"{n:,} photos of <b>{self.names.get(self.shown) or 'this person'}</b>, newest first — Esc to go back"

    def escape(self) -> bool:
        if self.shown is None:
            return False
        self.shown = None
        self.window.reload()
        return True

    def show_photos(self, person_id: int) -> None:
        """The person's photos in the gallery: chosen in the sidebar when listed there."""
        self.window.pages.setCurrentWidget(self.window.splitter)
        self.shown = None
        if not self.sidebar.select(person_id):  # selecting reloads the gallery (TagsUi)
            self.shown = person_id
            self.window.reload()

    def show(self) -> None:
        self.window.pages.setCurrentWidget(self.view)
        self.refresh()

    def refresh(self) -> None:
        self.view.enabled_box.setChecked(self.service.enabled())
        self.service.people(self._set_people, self._failed)
        self.service.suggestions(self.view.set_suggestions, self._failed)

    def open_person(self, person_id: int) -> None:
        self.service.person(person_id, self._set_person, self._failed)

    def _set_people(self, people) -> None:
        self.names.update({p["id"]: p["name"] for p, _ in people if p["name"]})
        self.view.set_people(people)

    def _set_person(self, answer) -> None:
        person, faces = answer
        if person["name"]:
            self.names[person["id"]] = person["name"]
        self.view.set_person(person, faces)

    def _changed(self) -> None:
        if self.view.person_id is not None:
            self.open_person(self.view.person_id)
            self.service.suggestions(self.view.set_suggestions, self._failed)
        else:
            self.refresh()

    def set_enabled(self, enabled: bool) -> None:
        if not enabled and not self.confirm_off():
            self.view.enabled_box.setChecked(True)
            return
        window = self.window
        window.status.show("Looking for faces from the next index run…" if enabled else "Deleting faces and people…")

        def settled(_result=None) -> None:
            window.engine.indexing.start()

        def failed(error: BaseException) -> None:
            self._failed(error)
            window.engine.indexing.start()

        self.service.set_enabled(enabled, on_done=settled, on_failed=failed)

    def confirm_off(self) -> bool:
        answer = QMessageBox.question(
            self.window,
            "Stop looking for faces?",
            "Every face, person and name Photoapp keeps is deleted (names written to XMP sidecars stay there).",
        )
        return answer == QMessageBox.StandardButton.Yes

    def name(self, person_id: int) -> None:
        # Rename starts from the name it has, to correct a letter or two.
        name, ok = QInputDialog.getText(self.window, "Name", "Who is this?", text=self.names.get(person_id, ""))
        if ok and name.strip():
            self.service.name(person_id, name.strip(), on_failed=self._failed)

    def _failed(self, error: BaseException) -> None:
        self.window.status.show(f"People: {error_text(error)}")
