"""People in the albums sidebar: round face crops, counts, named people first, choosing one
filters the gallery, and naming or hiding on the People page follows; over real faces."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from photoapp.gui.views.albums_sidebar import NAMED_ROLE

pytestmark = pytest.mark.faces  # the face stage stays on for these tests (tests/conftest.py)

pytest.importorskip("dlib")

OBAMA = ["obama-1080p.jpg", "obama3.jpg", "test_obama1.jpg", "train_obama_obama.jpg"]
ALEX = ["alex-lacamoire.png", "test_alex_lacamoire1.jpg", "train_alex_lacamoire_img1.jpg"]


@pytest.fixture
def two_people(tmp_path, shared_faces, model_spec):
    """Obama (4 photos, unnamed) and Alex Lacamoire (3 photos, named "Alex")."""
    from photoapp.core.library import Library

    folder = tmp_path / "photos"
    folder.mkdir()
    for name in OBAMA + ALEX:
        shutil.copy(shared_faces / "photos" / name, folder / name)
    with Library(tmp_path / "library", model=model_spec) as lib:
        lib.index_folders([str(folder)])
        people = lib.people.people()
        alex = next(p for p in people if {n.rsplit("/", 1)[-1] for n in p["photos"]} == set(ALEX))
        lib.people.name(alex["id"], "Alex")
    return tmp_path / "library"


def people_rows(window):
    sidebar = window.tags_ui.sidebar
    section = sidebar.sections["people"]
    return [(section.child(i).text(0), section.child(i).text(1)) for i in range(section.childCount())]


def test_sidebar_people_filter_and_follow_the_people_page(qtbot, make_window, two_people):
    window = make_window(two_people)
    sidebar = window.tags_ui.sidebar
    qtbot.waitUntil(lambda: people_rows(window) == [("Alex", "3"), ("Unnamed", "4")], timeout=60_000)
    section = sidebar.sections["people"]
    assert not section.isHidden()
    assert all(not section.child(i).icon(0).isNull() for i in range(2))  # the round face crops
    tree = sidebar.tree
    assert tree.indexOfTopLevelItem(section) < tree.indexOfTopLevelItem(sidebar.sections["yours"])  # above the tags
    assert [section.child(i).data(0, NAMED_ROLE) for i in range(2)] == [True, False]  # Rename… / Name this person…

    # Choosing the unnamed person lists their photos (Filters(people=...)), until Esc.
    unnamed = section.child(1)
    sidebar.tree.itemClicked.emit(unnamed, 0)
    shown = lambda: window.model.rowCount() == 4 and "someone not named yet" in window.header.text()  # noqa: E731
    qtbot.waitUntil(shown, timeout=60_000)
    assert {r.path.rsplit("/", 1)[-1] for r in window.model.rows()} == set(OBAMA)
    person = int(unnamed.data(0, Qt.ItemDataRole.UserRole + 1))
    assert window.people_ui.people() == (person,)

    # Named on the People page: the sidebar follows (named people first, by name) and so does the header.
    with qtbot.waitSignal(window.people_ui.service.changed, timeout=60_000):
        window.people_ui.service.name(person, "Barack Obama")
    qtbot.waitUntil(lambda: people_rows(window) == [("Alex", "3"), ("Barack Obama", "4")], timeout=60_000)
    qtbot.waitUntil(lambda: "of <b>Barack Obama</b>" in window.header.text(), timeout=60_000)
    assert sidebar.current() == ("person", str(person))

    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.model.rowCount() == 7, timeout=60_000)
    assert window.people_ui.people() == ()

    # The page's Show photos chooses the person in the sidebar.
    window.people_ui.show_photos(person)
    assert sidebar.current() == ("person", str(person))
    qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=60_000)

    # A hidden person leaves the sidebar (and the gallery goes back to all photos).
    with qtbot.waitSignal(window.people_ui.service.changed, timeout=60_000):
        window.people_ui.service.hide(person, True)
    qtbot.waitUntil(lambda: people_rows(window) == [("Alex", "3")], timeout=60_000)
    qtbot.waitUntil(lambda: window.model.rowCount() == 7, timeout=60_000)
    assert sidebar.current() == ("", "")
