"""The world map with 100,000 geotagged photos (issue 26): is it responsive?

    python benchmarks/map_bench.py [--photos 100000] [--repeat 5]

Measured side by side in one run, on a catalog of N photos placed around 400 real cities
(normal spread of ~5 km, 2% anywhere), with the widget drawn offscreen at 1200x750, at
the whole world and then zoomed into the biggest marker four times: reading the positions
from the catalog (once, when the map opens), clustering them (on every zoom step and after
panning half a screen), drawing one frame (land and markers; every pan and zoom repaints),
and listing the biggest marker's photos (``Library.browse(Filters(area=box))``, on the
query thread). Writes benchmarks/results/map.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from fixtures import catalog_row, table, write_results  # noqa: E402

TARGET_FRAME_MS = 33.0  # 30 frames a second while panning


def positions(n: int, seed: int = 0) -> np.ndarray:
    from photoapp.core.places.geocoder import Geocoder

    coder = Geocoder.shared(None)
    big = np.flatnonzero(coder.pop >= 300_000)[:400]
    rng = np.random.default_rng(seed)
    pick = big[rng.integers(0, len(big), n)]
    lat = coder.lat[pick] + rng.normal(0, 0.05, n)
    lon = coder.lon[pick] + rng.normal(0, 0.05, n)
    far = rng.random(n) < 0.02  # hikes, flights, sea
    lat[far], lon[far] = rng.uniform(-60, 70, far.sum()), rng.uniform(-180, 180, far.sum())
    return np.stack([np.clip(lat, -89.9, 89.9), np.clip(lon, -179.9, 179.9)], axis=1)


def build_library(folder: Path, where: np.ndarray) -> None:
    from photoapp.core.store.catalog import Catalog

    cat = Catalog(folder / "catalog.sqlite3")
    with cat.transaction():
        folder_id = cat.add_folder("/bench/photos")
        for i, (lat, lon) in enumerate(where.tolist()):
            cat.upsert_photo(catalog_row(i, folder_id) | {"lat": lat, "lon": lon})
    cat.close()


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from photoapp.core.library import Library
    from photoapp.core.search.ranking import Filters
    from photoapp.gui.views.world_map import WorldMap

    app = QApplication.instance() or QApplication([])
    where = positions(args.photos)
    with tempfile.TemporaryDirectory() as tmp:
        build_library(Path(tmp), where)
        with Library(tmp, model="toy") as lib:
            read_ms, rows = timed(lib.positions, args.repeat)
            table_ = np.array([(a, b) for _, a, b in rows])
            t = time.perf_counter()
            world = WorldMap()
            world.resize(1200, 750)
            make_ms = (time.perf_counter() - t) * 1000  # decodes the land outlines once
            world.set_positions(table_[:, 0], table_[:, 1])
            image = QImage(1200, 750, QImage.Format.Format_ARGB32_Premultiplied)

            def frame():
                world.render(image)

            results, lines, box = {}, [], None
            for level in range(5):  # the world, then into the biggest marker, four times
                world.show_world() if box is None else world.look_at(box)

                def recluster():
                    world._cluster_key = None
                    return world.clusters()

                cluster_ms, clusters = timed(recluster, args.repeat)
                frame_ms, _ = timed(frame, args.repeat)  # clusters cached, as while panning
                biggest = max(clusters, key=lambda c: c.count)
                choose_ms, chosen = timed(lambda b=biggest: lib.browse(Filters(area=b.box)), 3)
                assert len(chosen) == biggest.count
                south, west, north, east = world.view_box()
                name = "world" if level == 0 else f"zoom {level}: {east - west:.3g} deg wide"
                results[name] = {
                    "markers": len(clusters),
                    "cluster_ms": round(cluster_ms, 2),
                    "frame_ms": round(frame_ms, 2),
                    "biggest_marker": biggest.count,
                    "choose_marker_ms": round(choose_ms, 1),
                }
                lines.append([name, *results[name].values()])
                box = biggest.box
    del app
    print(
        table(
            ["view", "markers", "cluster ms", "frame ms", "biggest marker", "its photos ms"],
            lines,
            f"World map, {args.photos:,} geotagged photos, 1200x750 (target: a frame <= {TARGET_FRAME_MS:.0f} ms)",
        )
    )
    print(f"positions read from the catalog: {read_ms:.0f} ms; map widget made (land decoded): {make_ms:.0f} ms")
    write_results(
        "map",
        {
            "photos": args.photos,
            "size": [1200, 750],
            "positions_read_ms": round(read_ms, 1),
            "widget_made_ms": round(make_ms, 1),
            "target_frame_ms": TARGET_FRAME_MS,
            "views": results,
        },
    )


if __name__ == "__main__":
    main()
