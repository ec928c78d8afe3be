"""The Duplicates view at 100,000 photos: time to a filled group list, how long the GUI
thread ever stalls meanwhile, and how long filling the list and showing a group take.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_dupes_100k.py [-n 100000] [--dim 512]

Not a timed test: prints a table and writes benchmarks/results/gui_dupes_100k.json. The
catalog is synthetic (benchmarks/dupes_scale.py: rows, fingerprints, embeddings with planted
exact, near and similar copies; no image files, so thumbnails fail fast). The HNSW index is
built before the clock starts, as a library already has it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dupes_scale import fill_catalog, synth  # noqa: E402
from fixtures import table, write_results  # noqa: E402

MODEL = "bench"


def build_library(path: Path, n: int, dim: int) -> None:
    from photoapp.config import Settings
    from photoapp.core.library import Library
    from photoapp.core.store.catalog import Catalog

    cat = Catalog(path / "catalog.sqlite3")
    digests, hashes, vectors = synth(n, dim)
    fill_catalog(cat, vectors, MODEL, digests, hashes)
    cat.close()
    settings = Settings.load(path)
    settings.model = MODEL  # the embeddings' model: nothing is ever embedded here
    settings.save(path)
    with Library(path) as lib:
        lib.vector_index()  # built from the catalog and saved, like an indexed library's
        lib.save_index()
    (path / "built").touch()  # a cached library is reused only when complete


def forget_answers(library: Path) -> None:
    from photoapp.core.store.catalog import Catalog

    cat = Catalog(library / "catalog.sqlite3")
    with cat.transaction():
        cat.db.execute("DELETE FROM not_duplicates")
    cat.close()


class StallMeter:
    """The longest gap between 5 ms timer ticks: how long the GUI thread was unresponsive."""

    def __init__(self, app):
        from PySide6.QtCore import QTimer

        self.longest, self.last = 0.0, time.perf_counter()
        self.timer = QTimer(interval=5)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def reset(self) -> None:
        self.longest, self.last = 0.0, time.perf_counter()


def measure(dialog, app, meter, tier: str) -> dict:
    fills = []
    fill = dialog._fill_list

    def timed_fill(*args):
        start = time.perf_counter()
        fill(*args)
        fills.append(time.perf_counter() - start)

    dialog._fill_list = timed_fill
    meter.reset()
    start = time.perf_counter()
    dialog.tier.setCurrentIndex(dialog.tier.findData(tier))  # starts the search
    if dialog.tier.currentData() == tier and not dialog.busy:
        dialog.refresh()
    while dialog.busy:
        app.processEvents()
        time.sleep(0.002)
    found = time.perf_counter() - start
    stall = meter.longest
    sizes = [len(g.photos) for g in dialog.groups]
    start = time.perf_counter()
    dialog.list.setCurrentRow(sizes.index(max(sizes)) if sizes else -1)  # the biggest group's cards
    show = time.perf_counter() - start
    dialog._fill_list = fill
    return {
        "tier": tier,
        "groups": len(dialog.groups),
        "photos_in_groups": sum(sizes),
        "find_to_list_s": round(found, 2),
        "list_fill_s": round(fills[-1] if fills else 0.0, 3),
        "largest_group": max(sizes, default=0),
        "show_largest_group_s": round(show, 3),
        "longest_gui_stall_s": round(stall, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--cache", type=Path, help="keep the built library here and reuse it next time")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from photoapp.gui.services.library import LibraryService
    from photoapp.gui.views.duplicates_view import DuplicatesDialog

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="gui-dupes-") as tmp:
        library = (args.cache or Path(tmp)) / f"library-{args.n}-{args.dim}"
        if not (library / "built").exists():
            start = time.perf_counter()
            build_library(library, args.n, args.dim)
            print(f"built a {args.n:,}-photo library in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        forget_answers(library)  # a cached library keeps its dismissed pairs and trash out of it
        engine = LibraryService(library)
        meter = StallMeter(app)
        dialog = DuplicatesDialog(engine)
        dialog.show()
        while dialog.busy:  # the first search (the default tier) loads the index: warm-up
            app.processEvents()
            time.sleep(0.002)
        results = [measure(dialog, app, meter, tier) for tier in ("near", "all")]
        dialog.close()
        engine.shutdown()
    rows = [
        [
            r["tier"],
            f"{r['groups']:,}",
            f"{r['photos_in_groups']:,}",
            r["find_to_list_s"],
            r["list_fill_s"],
            r["largest_group"],
            r["show_largest_group_s"],
            r["longest_gui_stall_s"],
        ]
        for r in results
    ]
    print(
        table(
            ["tier", "groups", "photos", "find→list s", "list fill s", "largest", "show it s", "GUI stall s"],
            rows,
            f"Duplicates view, {args.n:,} photos, {args.dim}-d",
        )
    )
    print(write_results("gui_dupes_100k", {"photos": args.n, "dim": args.dim, "results": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
