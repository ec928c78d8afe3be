"""The world's land for the offline map: country outlines from Natural Earth (public
domain) as the world-atlas package ships them (TopoJSON, resources/maps/SOURCE.md).

``countries()`` decodes the TopoJSON once into rings of (lon, lat) points: each arc's
quantised, delta-encoded positions are summed and scaled, and a ring joins its arcs (a
negative index is arc ``~i`` reversed; consecutive arcs share their end point). Pure
Python and NumPy: no GIS library, nothing fetched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from photoapp.config import resources_dir

SHAPES = "maps/countries-110m.json"


@dataclass(frozen=True)
class Country:
    name: str
    rings: tuple[np.ndarray, ...]  # each (n, 2): lon, lat; the first ring of a polygon is its outline


def shapes_file() -> Path:
    return resources_dir() / SHAPES


@cache
def countries(path: Path | None = None) -> tuple[Country, ...]:
    """Every country's outline rings, decoded once (about 10,000 points)."""
    data = json.loads((path or shapes_file()).read_text(encoding="utf-8"))
    arcs = decode_arcs(data["arcs"], data.get("transform"))
    out = []
    for geometry in data["objects"]["countries"]["geometries"]:
        kind, parts = geometry.get("type"), geometry.get("arcs") or []
        polygons = parts if kind == "MultiPolygon" else [parts] if kind == "Polygon" else []
        rings = tuple(r for polygon in polygons for ring in polygon for r in across_date_line(ring_points(arcs, ring)))
        out.append(Country((geometry.get("properties") or {}).get("name", ""), rings))
    return tuple(out)


def decode_arcs(arcs: list, transform: dict | None) -> list[np.ndarray]:
    """TopoJSON arcs as (n, 2) float arrays of lon, lat."""
    out = []
    for arc in arcs:
        points = np.asarray(arc, dtype=np.float64).reshape(-1, 2)
        if transform:
            points = np.cumsum(points, axis=0) * transform["scale"] + transform["translate"]
        out.append(points)
    return out


def ring_points(arcs: list[np.ndarray], ring: list[int]) -> np.ndarray:
    pieces = []
    for n, index in enumerate(ring):
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        pieces.append(points if n == 0 else points[1:])  # the shared end point once
    return np.concatenate(pieces) if pieces else np.zeros((0, 2))


def across_date_line(ring: np.ndarray) -> list[np.ndarray]:
    """A ring that crosses the date line (Russia's Chukotka, Fiji) jumps from 180 to -180 and
    back, which drawn as is strokes and fills a band across the whole world. Its longitudes
    are made continuous (past 180 or -180), and a copy shifted by 360 degrees draws the part
    that shows on the map's other edge."""
    step = np.diff(ring[:, 0])
    shift = np.concatenate([[0.0], np.cumsum(np.where(step < -180, 360.0, np.where(step > 180, -360.0, 0.0)))])
    if not shift.any():
        return [ring]
    ring = ring + np.stack([shift, np.zeros_like(shift)], axis=1)
    out = [ring]
    if ring[:, 0].max() > 180:
        out.append(ring - (360.0, 0.0))
    if ring[:, 0].min() < -180:
        out.append(ring + (360.0, 0.0))
    return out
