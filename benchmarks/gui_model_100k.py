"""GUI at 100,000 photos: model reset, scroll/paint timing, and cold start to a usable window.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_model_100k.py [--rows 100000] [--against REV]

Prints figures; not a timed test. The catalog is synthetic (rows only, no image files):
thumbnails then fail fast, which isolates the cost of the model, view and delegate.

Cold starts run in fresh processes, in two settings: with Python's bytecode cache (as an
installed app has it: pip and the installers compile every module; the cache lives in a
temporary folder, warmed by one uncounted start) and without it (PYTHONDONTWRITEBYTECODE, as
on these development machines: every module is compiled at each start). ``--against REV``
also starts the window of an earlier commit (``git archive REV photoapp resources``), turn
about with this tree, so both meet the same load: old and new side by side in one run.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()  # before any heavy import: the cold-start clock

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
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
    scrolls = paints[1:]  # the first paint of the rows also loads the fonts and glyphs once
    print(
        f"scroll+paint of a 1100x800 gallery ({last - first + 1} cells visible), 200 positions "
        f"(load average {os.getloadavg()[0]:.1f}): first paint {ms(paints[0])} (fonts loaded once), then "
        f"median {ms(statistics.median(scrolls))}, max {ms(max(scrolls))}"
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
        "paint_max_ms": round(max(paints) * 1000, 1),  # the first paint included
        "first_paint_ms": round(paints[0] * 1000, 1),
        "scroll_paint_max_ms": round(max(scrolls) * 1000, 1),
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


def export_tree(rev: str, into: Path) -> Path:
    """The package and resources of commit ``rev``, to import instead of this tree's."""
    root = Path(__file__).resolve().parents[1]
    command = ["git", "archive", rev, "photoapp", "resources"]
    archive = subprocess.run(command, cwd=root, check=True, capture_output=True)
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def start_once(library: Path, tree: Path | None, cached: bool, pycache: Path) -> dict:
    """One cold start in a fresh process: of ``tree``'s code (None: this tree's)."""
    env = {**os.environ, "PHOTOAPP_LIBRARY": str(library)}
    env.pop("PYTHONPATH", None)
    if tree is not None:  # found before the editable install's finder, which comes last
        env["PYTHONPATH"] = str(tree)
    if cached:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)  # never written into the source trees
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    run = subprocess.run(
        [sys.executable, __file__, "--cold-start", str(library)], check=True, capture_output=True, text=True, env=env
    )
    result = next(json.loads(line[7:]) for line in run.stdout.splitlines() if line.startswith("RESULT "))
    return {**result, "load_average": round(os.getloadavg()[0], 2)}


def cold_starts(library: Path, against: str | None, rounds: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="photoapp-starts-"))
    try:
        return _cold_starts(library, against, rounds, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _cold_starts(library: Path, against: str | None, rounds: int, work: Path) -> dict:
    trees = {"this tree": None}
    if against:
        trees = {f"old ({against})": export_tree(against, work / "old"), "new (this tree)": None}
    out: dict = {}
    for cached in (True, False):
        setting = "bytecode cached" if cached else "no bytecode cache"
        for tree in trees.values():
            if cached:
                start_once(library, tree, True, work / "pycache")  # warms the cache; not counted
        for _ in range(rounds):  # turn about: old and new meet the same load
            for name, tree in trees.items():
                out.setdefault(setting, {}).setdefault(name, []).append(
                    start_once(library, tree, cached, work / "pycache")
                )
        print(f"cold start, {setting} (seconds from interpreter start; median of {rounds}):")
        for name, runs in out[setting].items():
            usable = statistics.median(r["usable_s"] for r in runs)
            shown = statistics.median(r["shown_s"] for r in runs)
            listed = statistics.median(r["all_listed_s"] for r in runs)
            loads = ", ".join(f"{r['load_average']:.1f}" for r in runs)
            each = ", ".join(f"{r['usable_s']:.2f}" for r in runs)
            print(
                f"  {name:>22}: usable {usable:.2f} s (runs: {each}), "
                f"shown {shown:.2f} s, all listed {listed:.2f} s; load average {loads}"
            )
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3, help="cold starts per tree and setting")
    parser.add_argument("--against", metavar="REV", help="also start the window of this commit, turn about")
    parser.add_argument("--cold-start", metavar="LIBRARY", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_start:
        cold_start(args.cold_start)
        return 0
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    data = {"rows": args.rows, "view": bench_model_and_view(args.rows)}
    library = Path(tempfile.mkdtemp(prefix="photoapp-100k-")) / "library"
    t = time.perf_counter()
    build_catalog(library, args.rows)
    print(f"built a {args.rows:,}-photo catalog in {time.perf_counter() - t:.1f} s")
    data["against"] = args.against
    try:
        data["cold_starts"] = cold_starts(library, args.against, args.rounds)
    finally:
        shutil.rmtree(library.parent, ignore_errors=True)  # the 30 MB catalog
    data["load_average_after"] = os.getloadavg()[0]
    print(f"results: {write_results('gui_model_100k', data)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
