"""PlacesUi: where and when in the main window (a controller: widgets and wiring, no
engine work): the albums sidebar's "On this day" and "Places" sections, and the world map
page. Choosing a place, a map marker, a box drawn on the map or "On this day" makes it the
sidebar's album (kinds ``place``, ``area``, ``memories``), so the gallery, Esc and the
header treat it like a tag's album; TagsUi hands those kinds to ``load_rows`` and
``describe`` here. The work is PlacesService's (gui/services/places.py)."""

from __future__ import annotations

import html
from datetime import date

from photoapp.gui.controllers.gallery_text import photos
from photoapp.gui.services.places import AREA, MEMORIES, PLACE, PlacesService, area_key, place_key
from photoapp.gui.views.memories_strip import COVER
from photoapp.gui.views.places_tree import MAP_ROLE, TODAY, choose_area, set_memories, set_places
from photoapp.gui.views.sort_choice import SORT_WORDS

KINDS = (PLACE, AREA, MEMORIES)


class PlacesUi:
    def __init__(self, window, sidebar):
        self.window = window
        self.sidebar = sidebar
        self.service = PlacesService(window.engine, window)
        self.page = None  # the map page, made when first shown
        self.labels: dict[str, str] = {}  # place key -> "Paris, France" (the header)
        sidebar.tree.itemClicked.connect(lambda item, _col: item.data(0, MAP_ROLE) and self.show_map())
        self.strip = window.memories_strip  # "On this day" atop the timeline
        self.strip.open_requested.connect(lambda: sidebar.select(MEMORIES, TODAY))
        window.thumbnails.ready.connect(self._thumbnail_ready)

    def refresh(self) -> None:
        self.service.sidebar(self._set_sidebar, lambda _error: None)  # no places yet is no error

    def _set_sidebar(self, answer) -> None:
        countries, memories, cover = answer
        self.labels = {place_key(c["country_code"]): c["country"] for c in countries}
        for c in countries:
            cc, country = c["country_code"], c["country"]
            self.labels.update({place_key(cc, t["city"]): f"{t['city']}, {country}" for t in c["cities"]})
        set_places(self.sidebar, countries)
        set_memories(self.sidebar, memories, cover)
        self.strip.set_memories(memories, cover)
        self._thumbnail_ready(cover[0] if cover else "")
        if self.page is not None and self.page.isVisible():
            self.service.positions(lambda p: self.page.set_positions(*p))

    def _thumbnail_ready(self, path: str) -> None:
        cover = self.strip.cover_photo
        if cover and cover[0] == path:  # the strip's cover, decoded off the GUI thread
            self.strip.set_cover(self.window.thumbnails.pixmap(cover[0], cover[1], COVER * 2, keep=True))

    # -- the gallery ------------------------------------------------------------------------------
    def load_rows(self, kind: str, name: str, filters, on_done, on_failed) -> None:
        self.service.rows(kind, name, filters, self.window.sort_choice.value(), on_done, on_failed)

    def describe(self, kind: str, name: str, n: int) -> str:
        order = SORT_WORDS.get(self.window.sort_choice.value(), "")
        if kind == PLACE:
            what = f"taken in <b>{html.escape(self.labels.get(name, name))}</b>"
        elif kind == AREA:
            what = "in the area chosen on the map"
        else:
            what = f"taken on <b>{date.today().day} {date.today():%B}</b> in earlier years"
        return f"{photos(n)} {what}, {order} — Esc to go back"

    # -- the map ----------------------------------------------------------------------------------
    def show_map(self):
        """Open the world map page (returned for tests); its positions load behind it."""
        window = self.window
        if self.page is None:
            from photoapp.gui.views.map_page import MapPage

            self.page = MapPage(window)
            self.page.back_requested.connect(lambda: window.pages.setCurrentWidget(window.splitter))
            self.page.map.area_chosen.connect(self.choose_area)
            window.pages.addWidget(self.page)
        window.pages.setCurrentWidget(self.page)
        self.page.map.setFocus()
        self.service.positions(lambda p: self.page.set_positions(*p), self._failed)
        return self.page

    def choose_area(self, box, count: int) -> None:
        """The photos of a marker or a drawn box fill the gallery."""
        self.window.pages.setCurrentWidget(self.window.splitter)
        if count == 0:
            self.window.status.show("No photos were taken inside that box.", 5000)
            return
        choose_area(self.sidebar, area_key(box), count)

    def _failed(self, error: Exception) -> None:
        from photoapp.gui.workers import error_text

        self.window.banner.show_message(error_text(error))
