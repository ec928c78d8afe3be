"""The places of a library: each GPS-tagged photo's town, region and country, kept in
step with the photos and with the geocoder's data.

``update`` places the photos that have a position but no place from this data version
(new photos, or all of them after the data changed) and names the held places for the
search bar. It loads the geocoder only when there is something to place: a library
without GPS positions, or already placed, never loads it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from photoapp.core.errors import Cancelled
from photoapp.core.places import geocoder as geo
from photoapp.core.places.names import alternates, country_aliases, fold
from photoapp.core.store.catalog import Catalog
from photoapp.core.store.places import PlaceStore

BATCH = 5000  # positions placed per transaction
WORLD_MIN_POP = 100_000  # cities a query may name that the library has no photo from


class Places:
    def __init__(self, catalog: Catalog, cache_dir: Path | None = None):
        self.catalog = catalog
        self.store = PlaceStore(catalog)
        self.cache_dir = cache_dir

    def pending(self) -> int:
        """How many photos wait to be placed (cheap: no geocoder)."""
        return len(self.store.unplaced(geo.data_version()))

    def update(self, progress: Callable[[int, int], None] | None = None, cancel: threading.Event | None = None) -> int:
        """Place every photo with a position and no place from this data; returns how many."""
        version = geo.data_version()
        todo = self.store.unplaced(version)
        with self.catalog.transaction():
            dropped = self.store.drop_positionless()
        if not todo:
            if dropped:
                self.rename()
            return 0
        coder = geo.Geocoder.shared(self.cache_dir)
        for start in range(0, len(todo), BATCH):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            part = todo[start : start + BATCH]
            found = coder.lookup_many([(lat, lon) for _, lat, lon in part])
            with self.catalog.transaction():
                self.store.put_places(
                    ((pid, p.as_dict() if p else None) for (pid, _, _), p in zip(part, found)), version
                )
            if progress is not None:
                progress(min(start + BATCH, len(todo)), len(todo))
        self.rename()
        return len(todo)

    def rename(self) -> None:
        """Every name of every held city, region and country, for the query parser."""
        rows = set()
        countries = {cc: name for cc, name, *_ in self.store.counts()}
        for kind, name, cc in self.store.held():
            value = name
            names = {name}
            if kind == "city":
                names.update(alternates(name, cc))
            elif kind == "country":
                names.update((countries.get(cc) or "",) + country_aliases(cc))
            rows.update((fold(n), kind, value, cc) for n in names if fold(n))
        held = {name for name, *_ in rows}
        rows.update((n, "elsewhere", value, cc) for n, value, cc in self._world() if n not in held)
        with self.catalog.transaction():
            self.store.clear_names()
            self.store.put_names(sorted(rows))

    def _world(self) -> list[tuple[str, str, str]]:
        """(folded name, name, country code) of the world's cities of WORLD_MIN_POP people
        and of every country: a query naming one the library holds no photo from finds none."""
        coder = geo.Geocoder.shared(self.cache_dir)
        names = [(coder.strings[n], coder.strings[c]) for n, c in coder.named_cities(WORLD_MIN_POP)]
        names += [(name, cc) for cc, name in coder.countries.items()]
        names += [(alias, cc) for cc in coder.countries for alias in country_aliases(cc)]
        return [(fold(name), name, cc) for name, cc in names if fold(name)]

    def counts(self) -> list[dict]:
        """Countries with their photo counts and their cities (with counts), most photos first."""
        countries: dict[str, dict] = {}
        for cc, country, region, city, n in self.store.counts():
            entry = countries.setdefault(cc, {"country": country, "country_code": cc, "photos": 0, "cities": {}})
            entry["photos"] += n
            key = city or ""
            town = entry["cities"].setdefault(key, {"city": city, "region": region, "photos": 0})
            town["photos"] += n
        out = []
        for entry in sorted(countries.values(), key=lambda e: (-e["photos"], e["country"] or "")):
            entry["cities"] = sorted(entry["cities"].values(), key=lambda c: (-c["photos"], c["city"] or ""))
            out.append(entry)
        return out

    def tree(self) -> list[dict]:
        """The sidebar's Places: countries by name, each with its photo count, cover
        ((path, mtime) of the newest photo taken there) and cities by name with theirs.
        Photos that name no town (at sea) count for their country only."""
        countries: dict[str, dict] = {}
        for cc, country, city, n, path, mtime, taken in self.store.covers():
            entry = countries.setdefault(cc, {"country": country or cc, "country_code": cc, "photos": 0, "cities": []})
            entry["photos"] += n
            if taken >= entry.get("_taken", -1.0):
                entry["_taken"], entry["cover"] = taken, (path, mtime)
            if city:
                entry["cities"].append({"city": city, "photos": n, "cover": (path, mtime)})
        out = sorted(countries.values(), key=lambda e: e["country"].casefold())
        for entry in out:
            entry.pop("_taken")
            entry["cities"].sort(key=lambda c: c["city"].casefold())
        return out
