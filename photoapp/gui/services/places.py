"""PlacesService: the GUI's handle on places and dates: the sidebar's Places tree and
"On this day", the world map's positions, and the gallery rows of a place, a map area or
this day in earlier years. Reads run on the engine's query thread over its Library."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject

from photoapp.core.library import Library
from photoapp.core.search.ranking import Filters

PLACE, AREA, MEMORIES = "place", "area", "memories"  # the sidebar kinds the places controller answers


def place_key(country_code: str, city: str | None = None) -> str:
    """The sidebar name of a country ("FR") or a city ("FR\\tParis")."""
    return country_code if city is None else f"{country_code}\t{city}"


def area_key(box: tuple[float, float, float, float]) -> str:
    return ",".join(f"{v:.6f}" for v in box)


def filters_for(kind: str, name: str, filters: Filters) -> Filters:
    """``filters`` narrowed to a place (country or city), a map area, or nothing else."""
    if kind == PLACE:
        cc, _, city = name.partition("\t")
        ref = Library.place_ref("city", city, cc) if city else Library.place_ref("country", cc, cc)
        return replace(filters, places=(ref,))
    if kind == AREA:
        south, west, north, east = (float(v) for v in name.split(","))
        return replace(filters, area=(south, west, north, east))
    return filters


class PlacesService(QObject):
    def __init__(self, engine, parent=None):
        super().__init__(parent)
        self.engine = engine

    def sidebar(self, on_done, on_failed=None):
        """(places tree, on-this-day photo count, its cover (path, mtime) or None) for the
        sidebar, on the query thread."""

        def read():
            lib = self.engine.library
            return lib.place_tree(), *lib.on_this_day_count()

        return self.engine.submit(read, on_done=on_done, on_failed=on_failed)

    def positions(self, on_done, on_failed=None):
        """(ids, lat, lon) arrays of every GPS-tagged photo."""

        def read():
            import numpy as np

            rows = self.engine.library.positions()
            table = np.array([(lat, lon) for _, lat, lon in rows], dtype=np.float64).reshape(-1, 2)
            return table[:, 0], table[:, 1]

        return self.engine.submit(read, on_done=on_done, on_failed=on_failed)

    def rows(self, kind: str, name: str, filters: Filters, sort: str, on_done, on_failed=None):
        """The gallery rows of a place, a map area, or this day in earlier years, in ``sort`` order."""

        def read():
            narrowed = filters_for(kind, name, filters)
            if kind == MEMORIES:
                narrowed = replace(filters, dates=self.engine.library.on_this_day_filter().dates)
            return self.engine.search._browse(narrowed, sort)

        return self.engine.submit(read, on_done=on_done, on_failed=on_failed)
