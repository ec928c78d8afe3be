"""A taught tag in the albums sidebar (issue 25): right-click offers Rename… and Delete…,
renaming moves it whole and the selected album follows its new name, deleting asks first
and forgets it. The real dialogs are answered as a user would (found as the modal widget)."""

from __future__ import annotations

import os

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from photoapp.core.library import Library
from photoapp.gui.views.albums_sidebar import NAME_ROLE, AlbumsSidebar


def _answer(respond) -> None:
    """Answer the next modal dialog with ``respond(dialog)`` once it is up."""

    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, attempt)  # not shown yet: look again once events ran
        else:
            respond(dialog)

    QTimer.singleShot(0, attempt)


def _rename_to(name: str):
    def respond(dialog: QInputDialog) -> None:
        dialog.setTextValue(name)
        dialog.accept()

    return respond


def _yes(asked: list[str]):
    def respond(box: QMessageBox) -> None:
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.Yes).click()

    return respond


def _item(sidebar: AlbumsSidebar, name: str):
    """The album item listed as ``name`` (None: not listed)."""
    return next((i for i in sidebar._items() if i.data(0, NAME_ROLE) == name), None)


def test_taught_tags_have_rename_and_delete_on_right_click(qtbot):
    sidebar = AlbumsSidebar()
    qtbot.addWidget(sidebar)
    sidebar.set_albums(
        [
            {"name": "my dog", "kind": "tag", "count": 12, "group": "taught"},
            {"name": "holiday", "kind": "tag", "count": 2, "group": "yours"},
            {"name": "beach", "kind": "tag", "count": 9, "group": "auto"},
        ]
    )
    sidebar.set_section("people", [{"name": "7", "kind": "person", "count": 3, "label": "Ana", "named": True}])
    texts = {
        name: [a.text() for a in sidebar.menu_for(_item(sidebar, name)).actions()]
        for name in ("my dog", "holiday", "7")
    }
    assert texts["my dog"] == ["Rename taught tag “my dog”…", "Delete taught tag “my dog”…"]
    assert texts["holiday"] == ["Rename tag “holiday”…", "Delete tag “holiday”…"]
    assert texts["7"] == ["Rename “Ana”…"]  # a person's menu (it was never shown: the kind was filtered out)
    rename, delete = sidebar.menu_for(_item(sidebar, "my dog")).actions()
    with qtbot.waitSignal(sidebar.rename_tag_requested) as renamed:
        rename.trigger()
    with qtbot.waitSignal(sidebar.forget_taught_requested) as forgotten:
        delete.trigger()
    assert renamed.args == ["my dog"] and forgotten.args == ["my dog"]
    assert sidebar.menu_for(sidebar.sections["taught"]) is None  # a heading has none


def test_a_renamed_album_is_selected_once_the_pointer_leaves(qtbot):
    """The renamed album's list arrives while the pointer is still over the sidebar (the
    menu was there): it waits, and the album is chosen under its new name when it shows."""
    sidebar = AlbumsSidebar()
    qtbot.addWidget(sidebar)
    sidebar.set_albums([{"name": "boxes", "kind": "tag", "count": 4, "group": "taught"}])
    sidebar.select("tag", "boxes")
    viewport = sidebar.tree.viewport()
    viewport.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, True)
    sidebar.set_albums([{"name": "crates", "kind": "tag", "count": 4, "group": "taught"}])
    sidebar.select("tag", "crates")
    assert sidebar.current() == ("tag", "boxes")  # nothing changes under the pointer
    viewport.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, False)
    QApplication.sendEvent(viewport, QEvent(QEvent.Type.Leave))
    assert sidebar.current() == ("tag", "crates") and sidebar.tree.currentItem() is _item(sidebar, "crates")


def test_a_waiting_list_shows_when_the_pointer_left_without_a_leave_event(qtbot):
    """After a modal dialog (Rename…, Delete…) Qt may never send the list its Leave: the
    list that waited shows once the pointer is seen elsewhere (found driving the window)."""
    from PySide6.QtGui import QCursor

    sidebar = AlbumsSidebar()
    qtbot.addWidget(sidebar)
    sidebar.set_albums([{"name": "boxes", "kind": "tag", "count": 4, "group": "taught"}])
    sidebar.tree.viewport().setAttribute(Qt.WidgetAttribute.WA_UnderMouse, True)  # Qt's word, never withdrawn
    QCursor.setPos(sidebar.tree.viewport().mapToGlobal(sidebar.tree.viewport().rect().center()))
    sidebar.set_albums([{"name": "crates", "kind": "tag", "count": 4, "group": "taught"}])
    assert _item(sidebar, "crates") is None
    with qtbot.waitSignal(sidebar._pointer_check.timeout, timeout=5_000):
        pass  # the pointer was looked for: still over the list, the new one keeps waiting
    assert _item(sidebar, "crates") is None
    QCursor.setPos(sidebar.tree.viewport().mapToGlobal(sidebar.tree.viewport().rect().bottomRight()) + QPoint(50, 50))
    qtbot.waitUntil(lambda: _item(sidebar, "crates") is not None, timeout=5_000)


def test_rename_and_delete_a_taught_tag_from_the_sidebar(make_window, indexed_library, wait, qtbot, model_spec):
    with Library(indexed_library, model=model_spec) as lib:
        squares = sorted(row[1] for row in lib.browse() if os.path.basename(row[1]).split("_")[1] == "square")
        lib.tags.train("boxes", squares[:4])
        lib.tags.add("boxes", [squares[4]])  # by hand: stays after the taught tag is deleted
        taught = set(lib.tags.album("boxes"))
    window = make_window(indexed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    sidebar = window.tags_ui.sidebar
    qtbot.waitUntil(lambda: "boxes" in {n for _k, n, _c in sidebar.albums()}, timeout=20_000)
    assert _item(sidebar, "boxes").parent() is sidebar.sections["taught"]
    sidebar.select("tag", "boxes")
    wait.rows(window, lambda w: w.model.rowCount() == len(taught))

    rename, _delete = sidebar.menu_for(_item(sidebar, "boxes")).actions()
    _answer(_rename_to("crates"))
    rename.trigger()
    # The album follows its new name: selected, listed under taught tags, the gallery shows it.
    qtbot.waitUntil(lambda: window.tags_ui.album == ("tag", "crates"), timeout=20_000)
    wait.rows(window, lambda w: "crates" in w.header.text() and w.model.rowCount() == len(taught))
    assert "boxes" not in {n for _k, n, _c in sidebar.albums()}
    assert _item(sidebar, "crates").parent() is sidebar.sections["taught"]
    assert {r.path for r in window.model.rows()} == taught

    _rename, delete = sidebar.menu_for(_item(sidebar, "crates")).actions()
    asked: list[str] = []
    _answer(_yes(asked))
    delete.trigger()
    assert "examples are forgotten" in asked[0] and "not touched" in asked[0]
    # Forgotten: the photo tagged by hand keeps it, now one of your tags.
    yours = sidebar.sections["yours"]
    qtbot.waitUntil(lambda: getattr(_item(sidebar, "crates"), "parent", lambda: None)() is yours, timeout=20_000)
    assert window.tags_ui.album == ("", "")
    with Library(indexed_library, model=model_spec) as lib:
        assert lib.tags.probes.names() == [] and lib.tags.album("crates") == [squares[4]]
