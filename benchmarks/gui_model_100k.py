"""GUI at 100,000 photos: model reset, scroll/paint timing, and cold start to a usable window.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_model_100k.py [--rows 100000]

Prints figures; not a timed test. The catalog is synthetic (rows only, no image files):
thumbnails then fail fast, which isolates the cost of the model, view and delegate.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()  # before any heavy import: the cold-start clock

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixtures import write_results  # noqa: E402


def build_catalog(library: Path, rows: int) -> None:
    from fixtures import catalog_row

    from photoapp.core.store.catalog import Catalog

    cat = Catalog(library / "catalog.sqlite3")
    with cat.transaction():
        folder_id = cat.add_folder("/bench/photos")
        for i in range(rows):
            cat.upsert_photo(catalog_row(i, folder_id))
    cat.close()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def bench_model_and_view(rows: int) -> dict:
    from PySide6.QtWidgets import QApplication

    from photoapp.gui.models.photo_list import PhotoListModel, PhotoRow
    from photoapp.gui.views.gallery_view import GalleryView

    app = QApplication.instance() or QApplication([])
    from photoapp.gui.layout.timeline import day_key

    shapes = (1.5, 0.667, 1.333, 0.75, 1.0, 1.778, 2.6)  # landscape, portrait, square, panorama
    data = [
        PhotoRow(i, f"/bench/IMG_{i:06d}.jpg", 0.0, 1.6e9 - i * 3000, None, aspect=shapes[i * 7 % 11 % 7])
        for i in range(rows)
    ]
    data = [r._replace(day=day_key(r.taken)) for r in data]  # as the query thread gives them
    model = PhotoListModel()
    view = GalleryView()
    view.setModel(model)
    view.resize(1280, 800)
    view.show()
    app.processEvents()
    t = time.perf_counter()
    model.set_rows(data)  # the view lays every row out (justified, month headers) in the reset
    reset = time.perf_counter() - t
    print(f"model reset + justified layout of {rows:,} rows ({len(view.layout_.headers):,} month headers): {ms(reset)}")
    t = time.perf_counter()
    view.resize(1100, 800)
    view.relayout()
    relayout = time.perf_counter() - t
    print(f"relayout after a resize: {ms(relayout)}")
    bar = view.verticalScrollBar()
    paints = []
    for step in range(200):  # jump through the whole list, as a fast scrollbar drag does
        bar.setValue(bar.maximum() * step // 199)
        t = time.perf_counter()
        view.viewport().repaint()
        paints.append(time.perf_counter() - t)
    first, last = view.visible_rows()
    print(
        f"scroll+paint of a 1100x800 gallery ({last - first + 1} cells visible), 200 positions: "
        f"median {ms(statistics.median(paints))}, max {ms(max(paints))}"
    )
    t = time.perf_counter()
    for _ in range(1000):
        view.visible_rows()
    print(f"visible_rows(): {ms((time.perf_counter() - t) / 1000)} per call")
    view.close()
    return {
        "reset_and_layout_ms": round(reset * 1000, 1),
        "relayout_ms": round(relayout * 1000, 1),
        "paint_median_ms": round(statistics.median(paints) * 1000, 1),
        "paint_max_ms": round(max(paints) * 1000, 1),
        "month_headers": len(view.layout_.headers),
    }


def cold_start(library: str) -> None:
    """Runs in a fresh process: clock from interpreter start to the filled gallery."""
    from photoapp.gui.app import make_application
    from photoapp.gui.main_window import MainWindow
    from photoapp.gui.services.library import LibraryService

    app = make_application([])
    engine = LibraryService(library, model="toy")
    engine.indexing.start = lambda: None  # the photos are synthetic: measure browsing, not indexing
    window = MainWindow(engine)
    window.show()
    app.processEvents()
    shown = time.perf_counter() - T0
    while window.model.rowCount() == 0:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()
    filled = time.perf_counter() - T0
    first = window.model.rowCount()
    total = window.engine.library.catalog.count_photos()
    while window.model.rowCount() < total:
        app.processEvents()
        time.sleep(0.001)
    everything = time.perf_counter() - T0
    print(
        f"cold start ({total:,} photos, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs): "
        f"window shown {shown:.2f} s, first {first:,} photos on screen and usable {filled:.2f} s, "
        f"all listed {everything:.2f} s (from interpreter start)"
    )
    t = time.perf_counter()
    window.close()
    closing = time.perf_counter() - t
    print(f"closing the window: {ms(closing)}")
    figures = {"shown_s": shown, "usable_s": filled, "first_rows": first, "all_listed_s": everything}
    print("RESULT " + json.dumps({**{k: round(v, 3) for k, v in figures.items()}, "close_ms": round(closing * 1000)}))
    window.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cold-start", metavar="LIBRARY", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_start:
        cold_start(args.cold_start)
        return 0
    data = {"rows": args.rows, "view": bench_model_and_view(args.rows), "cold_starts": []}
    library = Path(tempfile.mkdtemp(prefix="photoapp-100k-")) / "library"
    t = time.perf_counter()
    build_catalog(library, args.rows)
    print(f"built a {args.rows:,}-photo catalog in {time.perf_counter() - t:.1f} s")
    for _ in range(3):  # later runs have a warm OS file cache, like a real second launch
        run = subprocess.run(
            [sys.executable, __file__, "--cold-start", str(library)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PHOTOAPP_LIBRARY": str(library)},
        )
        for line in run.stdout.splitlines():
            if line.startswith("RESULT "):
                data["cold_starts"].append(json.loads(line[7:]))
            else:
                print(line)
    data["load_average_after"] = os.getloadavg()[0]
    print(f"results: {write_results('gui_model_100k', data)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
