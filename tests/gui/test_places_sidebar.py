"""Places and time in the window (issue 26): the sidebar's Places (country -> city, counts,
covers) and "On this day" filter the gallery; the world map's markers and a box drawn on
it filter the gallery too. Generated photos carrying EXIF times and GPS positions."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.places_media import gallery_names, indexed_library

PARIS, LOUVRE, LISBON = (48.8584, 2.2945), (48.8606, 2.3376), (38.7139, -9.1394)


def _earlier(day: date) -> date:
    """Today's month and day in 2016 (a leap year: 29 February exists)."""
    return day.replace(year=2016)


@pytest.fixture
def placed_library(tmp_path, model_spec):
    memory = _earlier(date.today())
    return indexed_library(
        tmp_path,
        model_spec,
        {
            "eiffel.jpg": {"colour": (220, 30, 30), "taken": "2019:06:14 15:22:01", "gps": PARIS},
            "louvre.jpg": {"colour": (200, 60, 30), "taken": "2020:07:01 10:00:00", "gps": LOUVRE},
            "lisbon.jpg": {"colour": (30, 60, 220), "taken": f"{memory:%Y:%m:%d} 12:00:00", "gps": LISBON},
            "plain.jpg": {"colour": (30, 170, 30), "taken": "2021:01:01 10:00:00"},
        },
    )


_names = gallery_names


def _click(qtbot, sidebar, kind, name):
    item = sidebar._find(kind, name)
    if item.parent() is not None and not item.parent().isExpanded():
        item.parent().setExpanded(True)
    sidebar.tree.scrollToItem(item)
    rect = sidebar.tree.visualItemRect(item)
    qtbot.mouseClick(sidebar.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_places_and_on_this_day_in_the_sidebar_filter_the_gallery(make_window, placed_library, wait, qtbot):
    window = make_window(placed_library)
    sidebar = window.tags_ui.sidebar
    wait.rows(window, lambda w: w.model.rowCount() == 4)
    qtbot.waitUntil(lambda: any(k == "place" for k, _, _ in sidebar.albums()), timeout=20_000)
    listed = [(k, n, c) for k, n, c in sidebar.albums() if k in ("place", "memories")]
    assert listed == [
        ("memories", "today", "1"),
        ("place", "FR", "2"),
        ("place", "FR\tParis", "2"),
        ("place", "PT", "1"),
        ("place", "PT\tLisbon", "1"),
    ]
    assert sidebar._find("place", "FR").text(0) == "France" and sidebar._find("place", "FR\tParis").text(0) == "Paris"
    assert sidebar._find("place", "FR").data(0, Qt.ItemDataRole.UserRole + 2)[0].endswith("louvre.jpg")  # cover

    _click(qtbot, sidebar, "place", "FR\tParis")
    wait.rows(window, lambda w: _names(w) == {"eiffel.jpg", "louvre.jpg"})
    assert "taken in <b>Paris, France</b>, newest first" in window.header.text()
    assert [r.path.rsplit("/", 1)[-1] for r in window.model.rows()] == ["louvre.jpg", "eiffel.jpg"]
    assert window.gallery.grouping != "none"  # date headers, as when browsing
    _click(qtbot, sidebar, "place", "PT")  # a country
    wait.rows(window, lambda w: _names(w) == {"lisbon.jpg"})
    _click(qtbot, sidebar, "place", "PT")  # again: all photos
    wait.rows(window, lambda w: w.model.rowCount() == 4)
    assert window.tags_ui.album == ("", "")

    _click(qtbot, sidebar, "memories", "today")
    wait.rows(window, lambda w: _names(w) == {"lisbon.jpg"})
    assert "in earlier years" in window.header.text()
    qtbot.keyClick(window.gallery, Qt.Key.Key_Escape)
    wait.rows(window, lambda w: w.model.rowCount() == 4)


def test_the_world_map_markers_and_a_drawn_box_filter_the_gallery(make_window, placed_library, wait, qtbot):
    window = make_window(placed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 4)
    window.resize(1100, 750)
    page = window.tags_ui.places.show_map()
    assert window.pages.currentWidget() is page
    world = page.map
    qtbot.waitUntil(lambda: world.lat.size == 3, timeout=20_000)
    assert "3 photos with a position" in page.title.text()
    world.show_world()
    assert sum(c.count for c in world.clusters()) == 3 and len(world.clusters()) <= 2
    world.look_at((35.0, -15.0, 55.0, 15.0))
    assert sorted(c.count for c in world.clusters()) == [1, 2]  # Paris's two photos are one marker

    lisbon = world.to_screen(LISBON[1], LISBON[0]).toPoint()
    qtbot.mouseClick(world, Qt.MouseButton.LeftButton, pos=lisbon)
    qtbot.waitUntil(lambda: window.tags_ui.album[0] == "area", timeout=10_000)
    assert window.pages.currentWidget() is window.splitter
    wait.rows(window, lambda w: _names(w) == {"lisbon.jpg"})
    assert "area chosen on the map" in window.header.text()

    window.tags_ui.places.show_map()
    world.look_at((48.80, 2.20, 48.90, 2.40))  # zoomed into Paris: two markers
    assert sorted(c.count for c in world.clusters()) == [1, 1]
    eiffel, louvre = (world.to_screen(lon, lat).toPoint() for lat, lon in (PARIS, LOUVRE))
    start, end = eiffel - QPoint(20, 20), louvre + QPoint(20, 20)
    qtbot.mousePress(world, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, start)
    qtbot.mouseMove(world, (start + end) / 2)
    qtbot.mouseMove(world, end)
    qtbot.mouseRelease(world, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, end)
    wait.rows(window, lambda w: _names(w) == {"eiffel.jpg", "louvre.jpg"})
    assert window.tags_ui.sidebar._find("area", window.tags_ui.album[1]).text(1) == "2"

    page = window.tags_ui.places.show_map()
    center = world.rect().center()
    qtbot.mousePress(world, Qt.MouseButton.LeftButton, pos=center)  # a plain drag pans
    qtbot.mouseMove(world, center + QPoint(60, 0))
    qtbot.mouseRelease(world, Qt.MouseButton.LeftButton, pos=center + QPoint(60, 0))
    assert window.pages.currentWidget() is page  # nothing chosen
    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.splitter
    window.tags_ui.places.show_map()
    qtbot.keyClick(world, Qt.Key.Key_Escape)  # Esc on the map: back to the photos
    assert window.pages.currentWidget() is window.splitter


def test_places_wait_while_the_pointer_is_over_the_list(qtbot):
    """A refill of Places (after an index run) under the pointer moved the list, and a
    click meant for "World map…" chose a tag (found driving the window)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from photoapp.gui.views.albums_sidebar import AlbumsSidebar
    from photoapp.gui.views.places_tree import set_memories, set_places

    def country(cc, name, n):
        return {"country_code": cc, "country": name, "photos": n, "cover": None, "cities": []}

    sidebar = AlbumsSidebar()
    qtbot.addWidget(sidebar)
    set_places(sidebar, [country("PT", "Portugal", 1)])
    viewport = sidebar.tree.viewport()
    viewport.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, True)
    set_places(sidebar, [country("AT", "Austria", 2), country("PT", "Portugal", 1)])
    set_memories(sidebar, 3)
    assert [(k, n) for k, n, _ in sidebar.albums()] == [("place", "PT")]  # nothing moved under the pointer
    viewport.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, False)
    QApplication.sendEvent(viewport, QEvent(QEvent.Type.Leave))
    assert [(k, n) for k, n, _ in sidebar.albums()] == [("memories", "today"), ("place", "AT"), ("place", "PT")]


def test_on_this_day_tops_the_timeline_while_browsing(make_window, placed_library, wait, qtbot):
    window = make_window(placed_library)
    strip = window.memories_strip
    wait.rows(window, lambda w: w.model.rowCount() == 4)
    qtbot.waitUntil(lambda: strip.isVisible(), timeout=20_000)  # all photos, a photo of this date in 2016
    assert "1 photo taken on" in strip.label.text() and "in earlier years" in strip.label.text()
    assert strip.cover_photo[0].endswith("lisbon.jpg")
    today = date.today()
    assert window.tags_ui.sidebar._find("memories", "today").text(0) == f"{today.day} {today:%B}"  # "3 December"
    assert window.minimumSizeHint().width() <= 1000  # the strip never widens the window
    qtbot.waitUntil(lambda: strip.cover.pixmap() is not None and not strip.cover.pixmap().isNull(), timeout=20_000)

    qtbot.mouseClick(strip.show_button, Qt.MouseButton.LeftButton)  # "Show": the sidebar's album
    wait.rows(window, lambda w: _names(w) == {"lisbon.jpg"})
    assert window.tags_ui.album[0] == "memories" and "in earlier years" in window.header.text()
    assert not strip.isVisible()  # an album is shown, not the timeline
    qtbot.keyClick(window.gallery, Qt.Key.Key_Escape)
    wait.rows(window, lambda w: w.model.rowCount() == 4)
    qtbot.waitUntil(lambda: strip.isVisible(), timeout=10_000)

    window.search_bar.setText("red")  # a search hides it
    window.set_query("red")
    qtbot.waitUntil(lambda: not strip.isVisible(), timeout=20_000)
    window.set_query("")
    qtbot.waitUntil(lambda: strip.isVisible(), timeout=20_000)

    qtbot.mouseClick(strip.close_button, Qt.MouseButton.LeftButton)  # ✕: away until tomorrow
    assert not strip.isVisible()
    window.reload()
    wait.rows(window, lambda w: w.model.rowCount() == 4)
    assert not strip.isVisible()
    assert window.tags_ui.sidebar._find("memories", "today") is not None  # still in the sidebar


def test_no_strip_without_photos_of_this_date(make_window, tmp_path, model_spec, wait, qtbot):
    other = date.today().replace(year=2016, day=1) if date.today().day != 1 else date.today().replace(year=2016, day=2)
    library = indexed_library(
        tmp_path, model_spec, {"a.jpg": {"colour": (220, 30, 30), "taken": f"{other:%Y:%m:%d} 12:00:00", "gps": PARIS}}
    )
    window = make_window(library)
    wait.rows(window, lambda w: w.model.rowCount() == 1)
    sidebar = window.tags_ui.sidebar
    qtbot.waitUntil(lambda: sidebar._find("place", "FR") is not None, timeout=20_000)  # the places answer came
    assert sidebar.sections["memories"].isHidden()
    assert window.memories_strip.count == 0 and not window.memories_strip.isVisible()


def test_a_click_on_a_named_person_does_not_open_the_world_map(make_window, placed_library, wait, qtbot):
    """The sidebar marked a named person and the "World map…" entry with one item role, so a
    click on Ada opened the world map over her photos (found walking the window)."""
    window = make_window(placed_library)
    sidebar = window.tags_ui.sidebar
    wait.rows(window, lambda w: w.model.rowCount() == 4)
    qtbot.waitUntil(lambda: any(k == "place" for k, _, _ in sidebar.albums()), timeout=20_000)
    sidebar.set_section("people", [{"kind": "person", "name": "7", "label": "Ada", "count": 1, "named": True}])
    _click(qtbot, sidebar, "person", "7")
    qtbot.waitUntil(lambda: window.tags_ui.album == ("person", "7"))
    assert window.pages.currentWidget() is window.splitter  # the gallery, not the map
    section = sidebar.sections["place"]
    world = next(section.child(i) for i in range(section.childCount()) if section.child(i).text(0) == "World map…")
    _click_item(qtbot, sidebar, world)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is not window.splitter)  # the entry itself still opens it


def _click_item(qtbot, sidebar, item):
    sidebar.tree.scrollToItem(item)
    rect = sidebar.tree.visualItemRect(item)
    qtbot.mouseClick(sidebar.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
