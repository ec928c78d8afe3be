"""The albums sidebar's "On this day" and "Places" sections (views/albums_sidebar.py):
countries by name, each with its cities, photo counts and a cover; the world map entry;
the area last chosen on the map. Items are albums of kinds ``memories``, ``place`` and
``area`` (names from gui/services/places.py), so choosing one filters the gallery the way
choosing a tag does, and choosing it again or Esc goes back to all photos."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QTreeWidgetItem

from photoapp.gui.services.places import AREA, MEMORIES, PLACE, place_key
from photoapp.gui.views.albums_sidebar import COVER_ROLE, KIND_ROLE, MAP_ROLE, NAME_ROLE, AlbumsSidebar
from photoapp.gui.views.world_map import world_icon

TODAY = "today"


def _item(parent: QTreeWidgetItem, text: str, count: int | None, kind: str | None, name: str, tip: str):
    item = QTreeWidgetItem(parent, [text, "" if count is None else f"{count:,}"])
    item.setData(0, KIND_ROLE, kind)
    item.setData(0, NAME_ROLE, name)
    item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    item.setToolTip(0, tip)
    return item


def _photos(n: int) -> str:
    return "1 photo" if n == 1 else f"{n:,} photos"


class _PointerWait(QObject):
    """Holds refills that arrived while the pointer was over the list, as the sidebar does
    for its tags: a click always lands on the entry that was under the pointer."""

    def __init__(self, viewport):
        super().__init__(viewport)
        self.pending: dict = {}
        viewport.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Leave and self.pending:
            pending, self.pending = self.pending, {}
            for fill in pending.values():
                fill()
        return False


def _when_pointer_away(sidebar: AlbumsSidebar, key: str, fill) -> bool:
    """True (and ``fill`` kept for later) while the pointer is over the list."""
    viewport = sidebar.tree.viewport()
    if not viewport.underMouse():
        return False
    waiter = viewport.findChild(_PointerWait) or _PointerWait(viewport)
    waiter.pending[key] = fill
    return True


def set_places(sidebar: AlbumsSidebar, countries: list[dict]) -> None:
    """Fill the Places section from ``Library.place_tree()``; keeps which countries were
    open, the area item and the current choice (cleared if its place is gone). While the
    pointer is over the list, the new one waits until it leaves."""
    if _when_pointer_away(sidebar, PLACE, lambda: set_places(sidebar, countries)):
        return
    section = sidebar.sections[PLACE]
    children = [section.child(i) for i in range(section.childCount())]
    opened = {c.data(0, NAME_ROLE) for c in children if c.isExpanded()}
    area = next((c for c in children if c.data(0, KIND_ROLE) == AREA), None)
    section.takeChildren()
    section.setHidden(not countries and area is None)
    if section.isHidden():
        _keep_choice(sidebar)  # no GPS-tagged photo: the map stays in the View menu
        return
    world = _item(section, "World map…", None, None, "", "Every GPS-tagged photo on a map of the world")
    world.setData(0, MAP_ROLE, True)
    world.setIcon(0, world_icon())
    if area is not None:
        section.addChild(area)
    for country in countries:
        cc, name = country["country_code"], country["country"]
        tip = f"{_photos(country['photos'])} taken in {name}"
        item = _item(section, name, country["photos"], PLACE, place_key(cc), tip)
        item.setData(0, COVER_ROLE, country.get("cover"))
        sidebar._show_cover(item)
        for city in country["cities"]:
            tip = f"{_photos(city['photos'])} taken in {city['city']}, {name}"
            child = _item(item, city["city"], city["photos"], PLACE, place_key(cc, city["city"]), tip)
            child.setData(0, COVER_ROLE, city.get("cover"))
            sidebar._show_cover(child)
        item.setExpanded(place_key(cc) in opened)
    _keep_choice(sidebar)


def set_memories(sidebar: AlbumsSidebar, count: int, cover: tuple | None = None) -> None:
    """The "On this day" entry, shown only when earlier years have photos from today's date."""
    if _when_pointer_away(sidebar, MEMORIES, lambda: set_memories(sidebar, count, cover)):
        return
    section = sidebar.sections[MEMORIES]
    section.takeChildren()
    if count:
        tip = f"{_photos(count)} taken on this date in earlier years"
        today = date.today()
        item = _item(section, f"{today.day} {today:%B}", count, MEMORIES, TODAY, tip)  # "3 December"
        item.setData(0, COVER_ROLE, cover)
        sidebar._show_cover(item)
    section.setHidden(not count)
    _keep_choice(sidebar)


def choose_area(sidebar: AlbumsSidebar, name: str, count: int) -> None:
    """Show the area chosen on the map as an item of Places and choose it."""
    section = sidebar.sections[PLACE]
    for i in reversed(range(section.childCount())):
        if section.child(i).data(0, KIND_ROLE) == AREA:
            section.takeChild(i)
    tip = "The photos inside the box or marker chosen on the map"
    item = _item(section, "Map area", count, AREA, name, tip)
    item.setIcon(0, world_icon())
    section.removeChild(item)
    section.insertChild(1, item)  # under "World map…"
    section.setHidden(False)
    sidebar.select(AREA, name)


def _keep_choice(sidebar: AlbumsSidebar) -> None:
    kind, name = sidebar.current()
    if kind in (PLACE, AREA, MEMORIES):
        item = sidebar._find(kind, name)
        if item is None:
            sidebar.clear_selection()
        else:
            sidebar.tree.setCurrentItem(item)
