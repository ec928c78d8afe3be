"""The sidebar: Library (All photos, Videos, folders; Favourites once the core filters by
it), albums in three sections with counts, smart albums with counts, one selection at a
time, lists that never change under the pointer, and a smart-album name you type over."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QMenu

from photoapp.core.library import Library
from photoapp.core.search.ranking import Filters
from photoapp.gui.views.albums_sidebar import NAME_ROLE, AlbumsSidebar
from photoapp.gui.views.sidebar import VIDEOS
from photoapp.gui.views.teach_dialog import SmartAlbumDialog


def entries(window) -> list[str]:
    return [window.sidebar.list.item(i).text() for i in range(window.sidebar.list.count())]


def test_library_views_and_one_selection_at_a_time(make_window, indexed_library, toy_folder, wait, model_spec):
    with Library(indexed_library, model=model_spec) as lib:
        path = lib.browse()[0][1]
        lib.tags.add("holiday", [path])
    window = make_window(indexed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    names = entries(window)
    assert names[:3] == ["All photos", "Favourites", "Videos"] and names[3] == toy_folder.name
    assert "favourites" in Filters.__dataclass_fields__

    window.sidebar.select(VIDEOS)
    wait.rows(window, lambda w: w.stack.currentWidget() is w.no_photos)  # the toy library has no videos
    assert window.filters().kind == "video" and "No videos" in window.no_photos.title.text()

    wait.rows(window, lambda w: bool(w.tags_ui.sidebar.albums()))
    window.tags_ui.sidebar.select("tag", "holiday")
    wait.rows(window, lambda w: w.model.rowCount() == 1)
    assert window.sidebar.list.selectedItems() == []  # the album has the selection, alone
    window.sidebar.select(str(toy_folder))
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    assert window.tags_ui.album == ("", "") and window.tags_ui.sidebar.tree.selectedItems() == []


def test_albums_in_sections_with_counts(qtbot):
    sidebar = AlbumsSidebar()
    qtbot.addWidget(sidebar)
    sidebar.set_albums(
        [
            {"name": "sky", "kind": "tag", "count": 30, "group": "auto"},
            {"name": "holiday", "kind": "tag", "count": 2, "group": "yours"},
            {"name": "my dog", "kind": "tag", "count": 12, "group": "taught"},
            {"name": "beach", "kind": "tag", "count": 1_200, "group": "auto"},
            {"name": "peaks", "kind": "smart", "query": "snowy mountains", "count": 7},
        ]
    )
    sections = {
        sidebar.sections[g].text(0): [
            sidebar.sections[g].child(i).text(0) for i in range(sidebar.sections[g].childCount())
        ]
        for g in sidebar.sections
        if not sidebar.sections[g].isHidden()  # People, "On this day" and Places show once they have entries
    }
    assert sections == {
        "YOUR TAGS": ["holiday"],
        "TAUGHT TAGS": ["my dog"],
        "AUTO-TAGS": ["beach", "sky"],  # by name: a count that changes never moves an album
        "SMART ALBUMS": ["peaks"],
    }
    assert ("smart", "peaks", "7") in sidebar.albums() and ("tag", "beach", "1,200") in sidebar.albums()


def test_the_list_waits_while_the_pointer_is_over_it(qtbot):
    sidebar = AlbumsSidebar()
    qtbot.addWidget(sidebar)
    sidebar.set_albums([{"name": "a", "kind": "tag", "count": 1, "group": "auto"}])
    viewport = sidebar.tree.viewport()
    viewport.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, True)  # the pointer is over the list
    sidebar.set_albums([{"name": n, "kind": "tag", "count": 1, "group": "auto"} for n in ("0", "a")])
    assert [n for _k, n, _c in sidebar.albums()] == ["a"]  # nothing moved under the pointer
    viewport.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, False)
    QApplication.sendEvent(viewport, QEvent(QEvent.Type.Leave))
    assert [n for _k, n, _c in sidebar.albums()] == ["0", "a"]


def test_a_section_filled_on_its_own_stays_through_album_lists(qtbot):
    sidebar = AlbumsSidebar()
    qtbot.addWidget(sidebar)
    people = [{"kind": "person", "name": "7", "label": "Ada", "count": 3}, {"kind": "person", "name": "9", "count": 5}]
    sidebar.set_section("people", people)
    sidebar.set_albums([{"name": "sky", "kind": "tag", "count": 2, "group": "auto"}])
    assert sidebar.albums() == [("person", "7", "3"), ("person", "9", "5"), ("tag", "sky", "2")]  # in the order given
    assert sidebar.sections["people"].child(0).text(0) == "Ada"
    sidebar.select("person", "7")
    assert sidebar.current() == ("person", "7") and sidebar.current_label() == "Ada"
    sidebar.set_albums([])  # the tags went: the people stay, and so does the choice
    assert sidebar.current() == ("person", "7") and not sidebar.empty_hint.isVisibleTo(sidebar)
    viewport = sidebar.tree.viewport()
    viewport.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, True)
    sidebar.set_section("people", people[1:])
    assert sidebar.albums()[0] == ("person", "7", "3")  # nothing moves under the pointer
    viewport.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, False)
    QApplication.sendEvent(viewport, QEvent(QEvent.Type.Leave))
    assert sidebar.albums() == [("person", "9", "5")]
    assert sidebar.current() == ("", "")  # the chosen person is gone


def test_the_suggested_album_name_is_typed_over(qtbot):
    dialog = SmartAlbumDialog("mountains")
    qtbot.addWidget(dialog)
    assert dialog.name_edit.text() == "" and dialog.name_edit.placeholderText() == "mountains"
    assert dialog.name() == "mountains"  # accepted as suggested
    qtbot.keyClicks(dialog.name_edit, "Peaks")
    assert dialog.name() == "Peaks"  # not "mountainsPeaks"


def test_albums_show_cover_thumbnails(make_window, indexed_library, wait, qtbot):
    window = make_window(indexed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    sidebar = window.tags_ui.sidebar
    wait.rows(window, lambda w: bool(sidebar.albums()))
    items = [s.child(i) for s in sidebar.sections.values() for i in range(s.childCount())]
    assert items and all(item.data(0, Qt.ItemDataRole.UserRole + 2) for item in items)  # each has a cover
    qtbot.waitUntil(lambda: all(not item.icon(0).isNull() for item in items), timeout=30_000)


def test_rename_and_delete_a_tag(make_window, indexed_library, wait, qtbot, model_spec):
    with Library(indexed_library, model=model_spec) as lib:
        paths = [row[1] for row in lib.browse()[:3]]
        lib.tags.add("holiday", paths)
    window = make_window(indexed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    names = lambda: {n: c for _k, n, c in window.tags_ui.sidebar.albums()}  # noqa: E731
    qtbot.waitUntil(lambda: names().get("holiday") == "3", timeout=20_000)
    window.tags_ui.rename_tag("holiday", "trip")
    qtbot.waitUntil(lambda: names().get("trip") == "3" and "holiday" not in names(), timeout=20_000)
    window.tags_ui.delete_tag("trip")
    qtbot.waitUntil(lambda: "trip" not in names(), timeout=20_000)
    with Library(indexed_library, model=model_spec) as lib:
        assert all("trip" not in lib.photo(p)["tags"] and "holiday" not in lib.photo(p)["tags"] for p in paths)


def test_a_click_on_an_entry_shows_it(qtbot):
    """Clicking Favourites (or a folder) with the mouse listed every photo: the entry read as
    not yet selected when the window asked (found walking the window)."""
    from photoapp.gui.views.sidebar import ALL_PHOTOS, FAVOURITES, FolderSidebar

    sidebar = FolderSidebar(favourites=True)
    qtbot.addWidget(sidebar)
    sidebar.set_folders(["/photos/trips"])
    sidebar.resize(240, 400)
    sidebar.show()
    qtbot.waitExposed(sidebar)
    seen = []
    sidebar.folder_selected.connect(lambda folder: seen.append((folder, sidebar.current_folder())))
    for wanted in (FAVOURITES, "/photos/trips", ALL_PHOTOS):
        row = [sidebar.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(sidebar.list.count())].index(wanted)
        rect = sidebar.list.visualItemRect(sidebar.list.item(row))
        qtbot.mouseClick(sidebar.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert seen[-1] == (wanted, wanted)


def test_favourites_lists_the_favourites_and_says_when_there_are_none(make_window, indexed_library, wait, model_spec):
    from photoapp.gui.views.sidebar import FAVOURITES

    window = make_window(indexed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    window.sidebar.select(FAVOURITES)
    wait.rows(window, lambda w: w.stack.currentWidget() is w.no_photos)
    assert "No favourites yet" in window.no_photos.title.text()  # not "No photos in your folders"
    with Library(indexed_library, model=model_spec) as lib:
        lib.marks.favourite([lib.browse()[0][1]], True)
    window.reload()
    # the first photos are shown before the whole answer; the header comes with the whole answer
    wait.rows(window, lambda w: w.header.text() == "1 photo, newest first")
    assert window.model.rowCount() == 1


def test_two_folders_of_one_name_are_told_apart(qtbot):
    """Two folders named "photos" showed as two identical "photos" entries (found walking the
    window with /work/shared/photos and /work/shared/faces/photos); each shows as much of its
    path as tells it apart, the others their own name."""
    from photoapp.gui.views.sidebar import FolderSidebar

    sidebar = FolderSidebar()
    qtbot.addWidget(sidebar)
    folders = ["/work/shared/faces/photos", "/work/shared/photos", "/home/a/2019/trip", "/home/b/2019/trip", "/tmp/geo"]
    sidebar.set_folders(folders)
    shown = {
        sidebar.list.item(i).data(Qt.ItemDataRole.UserRole): sidebar.list.item(i).text()
        for i in range(sidebar.list.count())
    }
    assert [shown[f] for f in folders] == ["faces/photos", "shared/photos", "a/2019/trip", "b/2019/trip", "geo"]
    tips = [sidebar.list.item(i).toolTip() for i in range(sidebar.list.count())]
    assert "/work/shared/faces/photos" in tips  # the whole path on hover


def test_a_name_given_from_the_menu_shows_though_the_pointer_is_still_there(qtbot):
    """A list waits while the pointer is over it, but not the one that follows the user's own
    right-click action: the person named "Bea" read "Unnamed" until the pointer moved away
    (found walking the window). Lists that merely arrive still wait."""
    sidebar = AlbumsSidebar()
    qtbot.addWidget(sidebar)
    sidebar.set_section("people", [{"kind": "person", "name": "9", "label": "Unnamed", "count": 4, "named": False}])
    viewport = sidebar.tree.viewport()
    viewport.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, True)  # the pointer is over the list
    sidebar.set_section("people", [{"kind": "person", "name": "9", "label": "Cy", "count": 4}])
    assert sidebar.sections["people"].child(0).text(0) == "Unnamed"  # an update from elsewhere waits
    named = [{"kind": "person", "name": "9", "label": "Bea", "count": 4, "named": True}]
    sidebar.name_person_requested.connect(lambda _pid: sidebar.set_section("people", named))  # as the service answers
    menu = sidebar.menu_for(sidebar.sections["people"].child(0))
    menu.actions()[0].trigger()  # "Name this person…"
    assert sidebar.sections["people"].child(0).text(0) == "Bea"


def test_a_right_click_leaves_the_chosen_album_highlighted(qtbot):
    """A right-click highlighted the entry under it and the highlight stayed after the menu
    closed, over another album's photos (found walking the window)."""
    sidebar = AlbumsSidebar()
    qtbot.addWidget(sidebar)
    sidebar.resize(260, 400)
    sidebar.show()
    qtbot.waitExposed(sidebar)
    sidebar.set_albums([{"name": n, "kind": "tag", "count": 1, "group": "yours"} for n in ("beach", "lamps")])
    sidebar.select("tag", "beach")
    lamps = sidebar._find("tag", "lamps")
    pos = sidebar.tree.visualItemRect(lamps).center()
    qtbot.mousePress(sidebar.tree.viewport(), Qt.MouseButton.RightButton, pos=pos)  # Qt highlights "lamps"
    qtbot.mouseRelease(sidebar.tree.viewport(), Qt.MouseButton.RightButton, pos=pos)
    sidebar.tree.customContextMenuRequested.emit(pos)  # as the right-click asks
    menu = sidebar.findChildren(QMenu)[-1]
    assert [a.text() for a in menu.actions()][0].startswith("Rename tag “lamps”")
    menu.hide()  # closed without choosing
    assert sidebar.current() == ("tag", "beach")
    assert [i.data(0, NAME_ROLE) for i in sidebar.tree.selectedItems()] == ["beach"]
