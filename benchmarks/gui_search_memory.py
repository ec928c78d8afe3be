"""The window's search model: loaded in the background, and the memory at rest after a search.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_search_memory.py [--photos 10000]

A library of N catalogued photos (rows only, no image files: thumbnails fail fast) with
random 512-d embeddings of a real-size ViT-B/32 (random weights, int8 towers in the export
cache, as benchmarks/cli_search.py leaves them). A fresh process opens the window offscreen;
as soon as the model starts loading behind it, a search is typed. Reports when the window
showed, when the model was ready, when that first search answered, and the process's
resident memory at rest after it (target 500 MB), next to its peak. Writes
benchmarks/results/gui_search_memory.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

T0 = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

QUERY = "a dog on a beach"
TARGET_MB = 500


def memory() -> dict:
    with open("/proc/self/status") as fh:
        fields = dict(line.split(":", 1) for line in fh if ":" in line)
    kb = {name: int(fields[key].split()[0]) for name, key in (("rss_mb", "VmRSS"), ("peak_mb", "VmHWM"))}
    return {name: round(value / 1024) for name, value in kb.items()}


def build_library(path: Path, model: Path, n: int) -> None:
    import numpy as np
    from fixtures import catalog_row

    from photoapp.core.library import Library

    with Library(path, model=str(model)) as lib:
        lib.settings.model = str(model)
        lib.settings.save(lib.path)
        cat = lib.catalog
        with cat.transaction():
            folder_id = cat.add_folder("/bench/photos")
            ids = [cat.upsert_photo(catalog_row(i, folder_id)) for i in range(n)]
            vectors = np.random.default_rng(0).standard_normal((n, 512)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            cat.put_embeddings(lib.model_name, zip(ids, vectors))
        lib.indexes.get(lib.model_name, dim=512)  # built from the catalog
        lib.indexes.save()
        lib.search(QUERY)  # the caption bank, embedded once per library and cached there
        lib.tags.refresh()  # auto-tagged, as an index run leaves a library


def measure(library: Path) -> dict:
    from PySide6.QtWidgets import QApplication

    from photoapp.gui.main_window import MainWindow
    from photoapp.gui.services.library import LibraryService

    app = QApplication.instance() or QApplication([])
    engine = LibraryService(library)
    window = MainWindow(engine)
    marks: dict[str, float] = {}

    def loading() -> None:
        marks["model_loading_s"] = time.perf_counter() - T0
        window.search_bar.setText(QUERY)
        window.set_query(QUERY)  # typed at once: queued behind the model

    engine.model_loading.connect(loading)
    engine.model_ready.connect(lambda _e: marks.setdefault("model_ready_s", time.perf_counter() - T0))
    window.resize(1280, 800)
    window.show()
    marks["window_shown_s"] = time.perf_counter() - T0
    shown = memory()
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not (QUERY in window.header.text() and "model_ready_s" in marks):
        app.processEvents()
        time.sleep(0.01)
    marks["first_search_answered_s"] = time.perf_counter() - T0
    rows = window.model.rowCount()
    while time.monotonic() < deadline and window.busy:  # at rest: the start's index run and queries done
        app.processEvents()
        time.sleep(0.01)
    end = time.monotonic() + 1
    while time.monotonic() < end:  # thumbnails of the visible rows (they fail fast: no files)
        app.processEvents()
        time.sleep(0.01)
    import gc

    gc.collect()
    rest = memory()
    embedder = engine.library.embedder
    result = {k: round(v, 2) for k, v in marks.items()} | {
        "rows_shown": rows,
        "header": window.header.text(),
        "runtime": embedder.runtime,
        "torch_imported": "torch" in sys.modules,
        "memory_when_shown_mb": shown["rss_mb"],
        "memory_at_rest_mb": rest["rss_mb"],
        "peak_mb": rest["peak_mb"],
    }
    engine.shutdown()
    window.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=10_000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "photoapp-bench")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the fresh process's part
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("PHOTOAPP_ONNX_DIR", str(args.cache / "onnx-cli"))
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    from fixtures import make_vit_b32, table, write_results

    model = make_vit_b32(args.cache / "vit-b32-random-processor")
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "lib"
        build_library(library, model, args.photos)
        proc = subprocess.run(
            [sys.executable, __file__, "--cache", str(args.cache), "--measure", str(library)],
            capture_output=True,
            text=True,
            check=True,
        )
    result = json.loads(proc.stdout.strip().splitlines()[-1]) | {"photos": args.photos, "target_mb": TARGET_MB}
    rows = [[name, value] for name, value in result.items() if name not in ("header",)]
    print(table(["measure", "value"], rows, title=f"Window with {args.photos:,} photos, ViT-B/32 int8 cached"))
    print("wrote", write_results("gui_search_memory", result, args.json))


if __name__ == "__main__":
    main()
