"""The People page: round face crops with names and counts, naming, a person's faces,
removing a wrong face, hiding; over a library of real faces (../shared/faces)."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

pytest.importorskip("dlib")
pytestmark = pytest.mark.faces  # tests of the face stage: it stays on (tests/conftest.py)

OBAMA = ["obama-1080p.jpg", "obama3.jpg", "test_obama1.jpg", "train_obama_obama.jpg"]


@pytest.fixture
def faces_library(tmp_path, shared_faces, model_spec):
    from photoapp.core.library import Library

    folder = tmp_path / "photos"
    folder.mkdir()
    for name in OBAMA:
        shutil.copy(shared_faces / "photos" / name, folder / name)
    with Library(tmp_path / "library", model=model_spec) as lib:
        lib.index_folders([str(folder)])
    return tmp_path / "library"


def test_people_page_names_opens_and_corrects(qtbot, make_window, faces_library):
    window = make_window(faces_library)
    ui = window.people_ui
    view = ui.view
    actions = {a.text(): a for m in window.menuBar().actions() if m.menu() for a in m.menu().actions()}
    actions["&People"].trigger()
    assert window.pages.currentWidget() is view
    qtbot.waitUntil(lambda: view.grid.count() == 1, timeout=60_000)
    item = view.grid.item(0)
    assert item.text().startswith("Unnamed\n4 photos")
    assert not item.icon().isNull()

    item.setSelected(True)
    with qtbot.waitSignal(ui.service.changed, timeout=60_000):
        ui.service.name(item.data(256), "Barack Obama")
    qtbot.waitUntil(lambda: view.grid.count() == 1 and view.grid.item(0).text().startswith("Barack Obama"))

    # Show photos: the gallery holds the person's photos until Esc.
    view.grid.item(0).setSelected(True)
    view.photos_button.click()
    assert window.pages.currentWidget() is window.splitter
    qtbot.waitUntil(lambda: "Barack Obama" in window.header.text(), timeout=60_000)
    assert window.model.rowCount() == 4
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: "Barack Obama" not in window.header.text(), timeout=60_000)

    # The viewer outlines the named face on B.
    qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=60_000)
    window.open_viewer(0)
    viewer = window.viewer
    assert [name for _, name in viewer.canvas.faces] == ["Barack Obama"]
    assert not viewer.canvas.show_faces
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_B)
    assert viewer.canvas.show_faces
    qtbot.keyClick(viewer.canvas, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.splitter)
    ui.show()

    qtbot.waitUntil(lambda: view.grid.count() == 1, timeout=60_000)
    person = view.grid.item(0).data(256)
    view.open_requested.emit(person)
    qtbot.waitUntil(lambda: view.person_id == person and view.grid.count() == 4, timeout=60_000)
    assert view.remove_button.isVisible() and not view.merge_button.isVisible()
    view.grid.item(0).setSelected(True)
    with qtbot.waitSignal(ui.service.changed, timeout=60_000):
        view.remove_button.click()
    qtbot.waitUntil(lambda: view.grid.count() == 3, timeout=60_000)
    assert "3 photos" in view.title.text()

    view.back.click()  # back to everyone
    qtbot.waitUntil(lambda: view.person_id is None and view.grid.count() == 1, timeout=60_000)
    view.grid.item(0).setSelected(True)
    with qtbot.waitSignal(ui.service.changed, timeout=60_000):
        view.hide_button.click()
    qtbot.waitUntil(lambda: view.grid.count() == 0 and view.empty.isVisible(), timeout=60_000)
    view.back.click()
    assert window.pages.currentWidget() is window.splitter


def test_faces_off_from_the_people_page_deletes_people(qtbot, make_window, faces_library, monkeypatch):
    window = make_window(faces_library)
    ui = window.people_ui
    ui.show()
    qtbot.waitUntil(lambda: ui.view.grid.count() == 1, timeout=60_000)
    assert ui.view.enabled_box.isChecked()
    monkeypatch.setattr(ui, "confirm_off", lambda: True)  # the question box, answered Yes
    with qtbot.waitSignal(ui.service.changed, timeout=60_000):
        ui.view.enabled_box.click()
    qtbot.waitUntil(lambda: ui.view.grid.count() == 0 and not ui.view.enabled_box.isChecked(), timeout=60_000)
    assert window.engine.settings().faces.enabled is False


def test_the_info_panel_names_the_people_in_the_photo(faces_library, model_spec):
    """The viewer's info panel said where and when but not who: the names showed only on the
    face boxes (B) (found walking the window); a People row names them, and counts the faces
    nobody has named yet."""
    from photoapp.core.library import Library
    from photoapp.gui.models.photo_list import PhotoRow
    from photoapp.gui.views.info_panel import describe

    with Library(faces_library, model=model_spec) as lib:
        path = next(p for _id, p, *_ in lib.browse() if p.endswith("obama3.jpg"))
        before = lib.photo(path)
        lib.people.name(before["faces"][0]["person"], "Ada")
        info = lib.photo(path)
    row = PhotoRow(info["id"], path, info["mtime"], info["taken"], None)
    assert describe(row, before, {})["People"] == "1 face not named yet"
    assert describe(row, info, {})["People"] == "Ada"
