"""Markers for the world map: photo positions gathered into clusters, one per cell of a
grid whose cell is a fixed number of screen pixels at the map's zoom.

Grid cells partition the plane, so a cluster's cell is a box that holds exactly its photos:
choosing a marker filters to that box (``Filters(area=...)``). NumPy throughout: 100,000
positions cluster in a few milliseconds, so the map clusters again on every zoom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Cluster:
    lat: float  # where the marker is drawn: the mean position of its photos
    lon: float
    count: int
    box: tuple[float, float, float, float]  # (south, west, north, east): the grid cell


def cluster(
    lat: np.ndarray, lon: np.ndarray, cell: float, view: tuple[float, float, float, float] | None = None
) -> list[Cluster]:
    """Clusters of the positions (degrees) on a grid of ``cell`` degrees anchored at
    (-90, -180); with ``view`` (south, west, north, east) only the cells it touches."""
    lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    if view is not None:
        south, west, north, east = view
        keep = (lat >= south - cell) & (lat <= north + cell) & (lon >= west - cell) & (lon <= east + cell)
        lat, lon = lat[keep], lon[keep]
    if lat.size == 0 or cell <= 0:
        return []
    rows = np.floor((lat + 90.0) / cell).astype(np.int64)
    cols = np.floor((lon + 180.0) / cell).astype(np.int64)
    width = int(np.ceil(360.0 / cell)) + 2
    keys = rows * width + cols
    low = int(keys.min())
    span = int(keys.max()) - low + 1
    if span <= max(4 * keys.size, 1 << 20):  # few cells: count straight into them (no sort)
        shifted = keys - low
        counts = np.bincount(shifted, minlength=span)
        unique = np.flatnonzero(counts)
        sum_lat = np.bincount(shifted, weights=lat, minlength=span)[unique]
        sum_lon = np.bincount(shifted, weights=lon, minlength=span)[unique]
        counts, unique = counts[unique], unique + low
    else:
        unique, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        sum_lat, sum_lon = np.bincount(inverse, weights=lat), np.bincount(inverse, weights=lon)
    mean_lat, mean_lon = sum_lat / counts, sum_lon / counts
    out = []
    for key, n, y, x in zip(unique.tolist(), counts.tolist(), mean_lat.tolist(), mean_lon.tolist()):
        r, c = divmod(key, width)
        south, west = r * cell - 90.0, c * cell - 180.0
        box = (max(-90.0, south), max(-180.0, west), min(90.0, south + cell), min(180.0, west + cell))
        out.append(Cluster(y, x, n, box))
    return out
