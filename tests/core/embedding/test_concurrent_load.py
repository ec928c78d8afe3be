"""The window's first index run and its search-model preload load the model at the same
moment from two threads (a walk through the real window found 'Indexing failed: cannot
import name AutoTokenizer' at every start)."""

from __future__ import annotations

import subprocess
import sys
import threading

from photoapp.core.library import Library

# A fresh interpreter: transformers is imported for the first time by the two threads at once.
RACE = """
import sys, threading
from photoapp.core.library import Library
lib = Library(sys.argv[1], model="toy")
errors = []
def run(fn, *args):
    try:
        fn(*args)
    except Exception as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=run, args=(lib.prepare_search,)),
           threading.Thread(target=run, args=(lib.index_folders, lib.folders()))]
[t.start() for t in threads]
[t.join() for t in threads]
print("errors:", errors)
sys.exit(1 if errors else 0)
"""


def test_preload_and_index_load_the_model_together(toy_photos, tmp_path):
    folder, _ = toy_photos
    library = Library(tmp_path / "lib", model="toy")
    library.index_folders([str(folder)])
    library.close()
    proc = subprocess.run(
        [sys.executable, "-c", RACE, str(tmp_path / "lib")], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_one_embedder_per_model_across_threads(tmp_path):
    library = Library(tmp_path / "lib", model="toy")
    start = threading.Barrier(8)
    got = []

    def ask():
        start.wait()
        got.append(library.embedders.get("toy"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(e) for e in got}) == 1
    library.close()
