"""Where and when in the catalog: capture times, positions, places and their names.

Capture times and positions are columns of ``photos`` (written by the indexer's upsert);
a photo's place is a row of ``places`` tagged with the geocoder data version that chose
it; ``place_names`` holds every name the held places are known by, for the search bar.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from photoapp.core.store.catalog import Catalog, Photo

PLACE_FIELDS = ("city", "region", "country", "country_code")


@dataclass(frozen=True)
class Capture:
    """A photo's capture time as the catalog holds it (see core/media/capture.py)."""

    photo_id: int
    timestamp: float | None  # POSIX seconds with sub-seconds
    local: str | None  # wall clock where taken, ISO 8601 with milliseconds
    offset: int | None  # minutes east of UTC; None: not recorded
    source: str | None  # exif | video | file


@dataclass(frozen=True)
class PlaceFilter:
    """Photos in any of these places: (kind, name, country code) with kind one of city,
    region, country (country rows name the country code as their name)."""

    places: tuple[tuple[str, str, str], ...]


class PlaceStore:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.db = catalog.db

    # -- capture times -----------------------------------------------------------------
    def captures(self, ids: Iterable[int] | None = None) -> dict[int, Capture]:
        """photo id -> Capture, of ``ids`` or of every photo."""
        sql = "SELECT id, taken, taken_local, taken_offset, taken_source FROM photos"
        if ids is None:
            return {r[0]: Capture(*r) for r in self.db.execute(sql)}
        ids, out = list(ids), {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            rows = self.db.execute(f"{sql} WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            out.update({r[0]: Capture(*r) for r in rows})
        return out

    def stale_metadata(self, version: int, folder_id: int) -> list[Photo]:
        """Photos of a folder whose metadata an older reader read."""
        return self.catalog._photos("WHERE folder_id=? AND meta_version<?", (folder_id, version))

    def set_facts(self, photo_id: int, values: dict) -> None:
        """Capture and position columns of one photo (``values`` keys are photo columns)."""
        cols = ("taken", "taken_from_exif", "taken_local", "taken_offset", "taken_source", "lat", "lon")
        cols = [c for c in cols if c in values] + ["meta_version"]
        sets = ", ".join(f"{c}=?" for c in cols)
        self.db.execute(f"UPDATE photos SET {sets} WHERE id=?", (*[values[c] for c in cols], photo_id))

    # -- positions and places ------------------------------------------------------------
    def position(self, photo_id: int) -> tuple[float, float] | None:
        row = self.db.execute("SELECT lat, lon FROM photos WHERE id=?", (photo_id,)).fetchone()
        return (row[0], row[1]) if row and row[0] is not None else None

    def unplaced(self, data: str) -> list[tuple[int, float, float]]:
        """(id, lat, lon) of photos with a position but no place from geocoder data ``data``."""
        return self.db.execute(
            "SELECT p.id, p.lat, p.lon FROM photos p LEFT JOIN places pl ON pl.photo_id = p.id "
            "WHERE p.lat IS NOT NULL AND (pl.photo_id IS NULL OR pl.data != ?)",
            (data,),
        ).fetchall()

    def put_places(self, rows: Iterable[tuple[int, dict | None]], data: str) -> None:
        """Each photo's place (a dict of PLACE_FIELDS; None: nowhere named, e.g. at sea)."""
        self.db.executemany(
            "INSERT OR REPLACE INTO places(photo_id, city, region, country, country_code, data) VALUES (?,?,?,?,?,?)",
            ((pid, *[(p or {}).get(f) for f in PLACE_FIELDS], data) for pid, p in rows),
        )

    def drop_positionless(self) -> int:
        """Forget the places of photos that no longer have a position."""
        return self.db.execute(
            "DELETE FROM places WHERE photo_id IN (SELECT id FROM photos WHERE lat IS NULL)"
        ).rowcount

    def place_of(self, photo_id: int) -> dict | None:
        row = self.db.execute(
            "SELECT city, region, country, country_code FROM places WHERE photo_id=?", (photo_id,)
        ).fetchone()
        return dict(zip(PLACE_FIELDS, row)) if row else None

    def counts(self) -> list[tuple[str, str, str | None, str | None, int]]:
        """(country code, country, region, city, photos) of every held place, by country then city."""
        return self.db.execute(
            "SELECT country_code, country, region, city, COUNT(*) FROM places WHERE country_code IS NOT NULL "
            "GROUP BY country_code, region, city ORDER BY country, city"
        ).fetchall()

    def country_names(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT DISTINCT country_code, country FROM places WHERE country_code IS NOT NULL"))

    def held(self) -> list[tuple[str, str, str]]:
        """(kind, name, country code) of every city, region and country the library holds."""
        rows = []
        for kind in ("city", "region"):
            rows += [
                (kind, name, cc)
                for name, cc in self.db.execute(
                    f"SELECT DISTINCT {kind}, country_code FROM places WHERE {kind} IS NOT NULL"
                )
            ]
        rows += [
            ("country", cc, cc)
            for (cc,) in self.db.execute("SELECT DISTINCT country_code FROM places WHERE country_code IS NOT NULL")
        ]
        return rows

    def ids_in(self, where: PlaceFilter) -> set[int]:
        ids: set[int] = set()
        for kind, name, cc in where.places:
            if kind == "country":
                rows = self.db.execute("SELECT photo_id FROM places WHERE country_code=?", (cc,))
            elif kind in ("city", "region"):
                rows = self.db.execute(f"SELECT photo_id FROM places WHERE {kind}=? AND country_code=?", (name, cc))
            else:  # "elsewhere": a known place the library holds no photo from
                rows = []
            ids.update(r[0] for r in rows)
        return ids

    def positions(self) -> list[tuple[int, float, float]]:
        """(id, lat, lon) of every photo with a position (what the world map draws)."""
        return self.db.execute("SELECT id, lat, lon FROM photos WHERE lat IS NOT NULL").fetchall()

    def ids_in_area(self, south: float, west: float, north: float, east: float) -> set[int]:
        """Photos whose position lies in the box, edges included; ``west`` > ``east`` is a box
        across the date line (from 170 to -170)."""
        lon = "(lon >= ? AND lon <= ?)" if west <= east else "(lon >= ? OR lon <= ?)"
        rows = self.db.execute(
            f"SELECT id FROM photos WHERE lat IS NOT NULL AND lat >= ? AND lat <= ? AND {lon}",
            (south, north, west, east),
        )
        return {r[0] for r in rows}

    def covers(self) -> list[tuple[str, str, str | None, int, str, float]]:
        """(country code, country, city, photos, cover path, cover mtime) per held city of
        each country (city None: photos named no town, e.g. at sea); the cover is the newest
        photo taken there."""
        return self.db.execute(
            "SELECT pl.country_code, pl.country, pl.city, COUNT(*), p.path, p.mtime, MAX(COALESCE(p.taken, 0)) "
            "FROM places pl JOIN photos p ON p.id = pl.photo_id WHERE pl.country_code IS NOT NULL "
            "GROUP BY pl.country_code, pl.city"
        ).fetchall()

    # -- names -----------------------------------------------------------------------------
    def put_names(self, rows: Iterable[tuple[str, str, str, str]]) -> None:
        """(name as typed, kind, held name, country code): "lisboa" names the city "Lisbon", PT."""
        self.db.executemany("INSERT OR IGNORE INTO place_names(name, kind, value, country_code) VALUES (?,?,?,?)", rows)

    def clear_names(self) -> None:
        self.db.execute("DELETE FROM place_names")

    def names(self) -> list[tuple[str, str, str, str]]:
        return self.db.execute("SELECT name, kind, value, country_code FROM place_names").fetchall()

    def names_version(self) -> tuple[int, int]:
        """Changes whenever places or their names do (for a parser's cache)."""
        a = self.db.execute("SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM place_names").fetchone()
        b = self.db.execute("SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM places").fetchone()
        return (a[0] * 1_000_003 + a[1], b[0] * 1_000_003 + b[1])

    # -- dates -----------------------------------------------------------------------------
    def first_year(self) -> int | None:
        """The year of the earliest wall-clock capture time, or None with none."""
        row = self.db.execute("SELECT MIN(taken_local) FROM photos WHERE taken_local IS NOT NULL").fetchone()
        return int(row[0][:4]) if row and row[0] else None

    def ids_between(self, start: date | None, end: date | None, months: tuple[int, ...] = ()) -> set[int]:
        """Photos whose wall-clock capture day is in [start, end) and in ``months`` (any year)."""
        where, args = ["taken_local IS NOT NULL"], []
        if start is not None:
            where.append("taken_local >= ?")
            args.append(start.isoformat())
        if end is not None:
            where.append("taken_local < ?")
            args.append(end.isoformat())
        if months:
            where.append(f"CAST(substr(taken_local, 6, 2) AS INTEGER) IN ({','.join('?' * len(months))})")
            args += list(months)
        return {r[0] for r in self.db.execute("SELECT id FROM photos WHERE " + " AND ".join(where), args)}
