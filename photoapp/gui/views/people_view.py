"""PeopleView: the People page. Round face crops with names and photo counts, "unnamed"
people to name, and the actions: name, merge, hide, and on a person's page remove a wrong
face; below, the "Is this Ada?" suggestions with Yes / No. Widgets only: the controller
(gui/controllers/people.py) asks the service and fills them."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photoapp.gui.services.people import CROP

ROLE = Qt.ItemDataRole.UserRole


def _faces_list(parent) -> QListWidget:
    faces = QListWidget(parent)
    faces.setViewMode(QListView.ViewMode.IconMode)
    faces.setIconSize(QSize(CROP, CROP))
    faces.setGridSize(QSize(CROP + 44, CROP + 44))
    faces.setResizeMode(QListView.ResizeMode.Adjust)
    faces.setMovement(QListView.Movement.Static)
    faces.setWordWrap(True)
    faces.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
    return faces


def _item(view: QListWidget, image: QImage, text: str, data) -> QListWidgetItem:
    item = QListWidgetItem(QIcon(QPixmap.fromImage(image)), text, view)
    item.setData(ROLE, data)
    item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
    return item


class PeopleView(QWidget):
    back_requested = Signal()
    open_requested = Signal(int)  # a person's page
    name_requested = Signal(int)
    merge_requested = Signal(list)  # person ids: the first keeps the rest
    hide_requested = Signal(int)
    remove_face_requested = Signal(list)  # face ids
    answer = Signal(int, int, bool)  # face id, person id, yes/no
    photos_requested = Signal(int)  # the gallery, showing a person's photos
    enabled_requested = Signal(bool)  # look for faces while indexing, or not (off deletes them)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.person_id: int | None = None  # the person whose page is shown; None: everyone
        self.back = QPushButton("← Library", self)
        self.back.clicked.connect(self._back)
        self.title = QLabel("People", self)
        self.title.setObjectName("header")
        self.name_button = QPushButton("Name…", self)
        self.merge_button = QPushButton("Merge", self)
        self.merge_button.setToolTip("Merge the selected people into the first one selected")
        self.hide_button = QPushButton("Hide", self)
        self.photos_button = QPushButton("Show photos", self)
        self.photos_button.setToolTip("This person's photos in the gallery, newest first (Esc: all photos)")
        self.photos_button.clicked.connect(lambda: self._with_person(self.photos_requested.emit))
        self.remove_button = QPushButton("Remove face", self)
        self.remove_button.setToolTip("Not this person: the selected faces leave and are never put back by themselves")
        self.name_button.clicked.connect(lambda: self._with_person(self.name_requested.emit))
        self.hide_button.clicked.connect(lambda: self._with_person(self.hide_requested.emit))
        self.merge_button.clicked.connect(self._merge)
        self.remove_button.clicked.connect(self._remove)
        self.enabled_box = QCheckBox("Look for faces", self)
        self.enabled_box.setToolTip("Find and group faces while indexing. Off deletes every face, person and name.")
        self.enabled_box.clicked.connect(lambda: self.enabled_requested.emit(self.enabled_box.isChecked()))
        bar = QHBoxLayout()
        for widget in (self.back, self.title, self.enabled_box):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (self.photos_button, self.name_button, self.merge_button, self.hide_button, self.remove_button):
            bar.addWidget(widget)
        self.grid = _faces_list(self)
        self.grid.setObjectName("peopleGrid")
        self.grid.itemActivated.connect(self._activated)
        self.grid.itemSelectionChanged.connect(self._update_buttons)
        self.empty = QLabel("No people yet: faces are grouped into people while photos are indexed.", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.suggestions_title = QLabel("Is this…?", self)
        self.suggestions = _faces_list(self)
        self.suggestions.setMaximumHeight(CROP + 70)
        self.yes = QPushButton("Yes", self)
        self.no = QPushButton("No", self)
        self.yes.clicked.connect(lambda: self._answer(True))
        self.no.clicked.connect(lambda: self._answer(False))
        answers = QHBoxLayout()
        answers.addWidget(self.suggestions_title)
        answers.addStretch(1)
        answers.addWidget(self.yes)
        answers.addWidget(self.no)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.empty)
        layout.addWidget(self.grid, 1)
        layout.addLayout(answers)
        layout.addWidget(self.suggestions)
        self.suggestions.itemSelectionChanged.connect(self._update_buttons)
        self.set_people([])
        self.set_suggestions([])

    # -- filling ----------------------------------------------------------------------------------
    def set_people(self, people: list[tuple[dict, QImage]]) -> None:
        self.person_id = None
        self.title.setText(f"People ({len(people)})")
        self.grid.clear()
        for person, image in people:
            name = person["name"] or "Unnamed"
            count = person["photo_count"]
            item = _item(self.grid, image, f"{name}\n{count} photo{'s' if count != 1 else ''}", person["id"])
            item.setToolTip("Double-click: this person's faces" + ("" if person["name"] else " — name them"))
        self.empty.setVisible(not people)
        self.grid.setVisible(bool(people))
        self._update_buttons()

    def set_person(self, person: dict, faces: list[tuple[dict, QImage]]) -> None:
        self.person_id = person["id"]
        self.title.setText(f"{person['name'] or 'Unnamed'} — {len(person['photos'])} photos")
        self.grid.clear()
        for face, image in faces:
            item = _item(self.grid, image, face["path"].rsplit("/", 1)[-1], face["id"])
            item.setToolTip(face["path"])
        self.empty.setVisible(False)
        self.grid.setVisible(True)
        self._update_buttons()

    def set_suggestions(self, suggestions: list[tuple[dict, QImage]]) -> None:
        self.suggestions.clear()
        for s, image in suggestions:
            who = s["name"] or f"person {s['person']}"
            _item(self.suggestions, image, f"{who}?", (s["face"], s["person"])).setToolTip(s["path"])
        shown = bool(suggestions) and self.person_id is None
        for widget in (self.suggestions, self.suggestions_title, self.yes, self.no):
            widget.setVisible(shown)
        self._update_buttons()

    # -- actions ----------------------------------------------------------------------------------
    def _selected(self, view: QListWidget) -> list:
        return [item.data(ROLE) for item in view.selectedItems()]

    def _with_person(self, emit) -> None:
        if self.person_id is not None:
            emit(self.person_id)
        elif len(chosen := self._selected(self.grid)) == 1:
            emit(chosen[0])

    def _merge(self) -> None:
        chosen = self._selected(self.grid)
        if self.person_id is None and len(chosen) >= 2:
            self.merge_requested.emit(chosen)

    def _remove(self) -> None:
        if self.person_id is not None and (chosen := self._selected(self.grid)):
            self.remove_face_requested.emit(chosen)

    def _answer(self, yes: bool) -> None:
        for face, person in self._selected(self.suggestions):
            self.answer.emit(face, person, yes)

    def _activated(self, item: QListWidgetItem) -> None:
        if self.person_id is None:
            self.open_requested.emit(item.data(ROLE))

    def _back(self) -> None:
        if self.person_id is not None:
            self.open_requested.emit(-1)  # back to everyone
        else:
            self.back_requested.emit()

    def _update_buttons(self) -> None:
        chosen = len(self.grid.selectedItems())
        on_person = self.person_id is not None
        self.back.setText("← People" if on_person else "← Library")
        self.name_button.setEnabled(on_person or chosen == 1)
        self.photos_button.setEnabled(on_person or chosen == 1)
        self.hide_button.setEnabled(on_person or chosen == 1)
        self.merge_button.setVisible(not on_person)
        self.merge_button.setEnabled(chosen >= 2)
        self.remove_button.setVisible(on_person)
        self.remove_button.setEnabled(on_person and chosen >= 1)
        answered = bool(self.suggestions.selectedItems())
        self.yes.setEnabled(answered)
        self.no.setEnabled(answered)
