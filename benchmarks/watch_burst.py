"""A burst of new photos under a running folder watcher: throughput and peak memory.

    python benchmarks/watch_burst.py [--files 5000] [--model toy] [--max-batch 256]

Writes toy photos to a staging folder, starts a FolderWatcher on an empty folder, then
copies every photo in at once and waits until each is indexed. Prints the throughput
(photos/s from the first copy to the last photo indexed), the batches, the peak resident
memory during the burst against the baseline, and checks that nothing was lost or
embedded twice. Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from photoapp.core.library import Library  # noqa: E402
from photoapp.core.watching.watcher import FolderWatcher, WatchOptions  # noqa: E402
from photoapp.toy.domain import ALL_CLASSES, generate_library  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """Samples resident memory every 50 ms on a thread of its own."""

    def __init__(self):
        self.peak, self._stop = rss_mb(), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--model", default="toy")
    ap.add_argument("--max-batch", type=int, default=256)
    ap.add_argument("--settle", type=float, default=1.0)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="watch-burst-"))
    try:
        staged = stage_photos(work / "staging", args.files)
        lib = Library(work / "library", model=args.model)
        lib.embedder.load()
        watched = work / "photos"
        watched.mkdir()
        lib.add_folders([watched])
        batches = []
        watcher = FolderWatcher(
            lib,
            WatchOptions(settle=args.settle, max_batch=args.max_batch),
            on_batch=lambda report, paths: batches.append((time.monotonic(), report)),
        )
        watcher.start()
        wait(lambda: watcher.status.state == "watching", 300)
        baseline = rss_mb()
        with PeakRss() as peak:
            start = time.monotonic()
            for src in staged:
                shutil.copyfile(src, watched / src.name)
            copied = time.monotonic() - start
            wait(
                lambda: (
                    watcher.status.state == "watching" and not len(watcher.changes) and lib_count(lib) >= len(staged)
                ),
                3600,
            )
            took = max(t for t, _ in batches) - start
        assert watcher.stop(timeout=30)
        report(args, staged, batches, copied, took, baseline, peak.peak, lib)
        lib.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def stage_photos(folder: Path, count: int) -> list[Path]:
    per_class = -(-count // len(ALL_CLASSES))
    print(f"writing {per_class * len(ALL_CLASSES)} toy photos...", file=sys.stderr)
    return sorted(generate_library(folder, per_class=per_class, seed=3))[:count]


def lib_count(lib: Library) -> int:
    return lib.catalog.count_embedded(lib.model_name)


def wait(condition, deadline: float) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise SystemExit(f"timed out after {deadline}s")


def report(args, staged, batches, copied, took, baseline, peak, lib) -> None:
    unique = len({hashlib.blake2b(p.read_bytes(), digest_size=16).digest() for p in staged})
    embedded = sum(r.embedded for _, r in batches)
    status = lib.status()
    print(f"files copied:        {len(staged)} in {copied:.1f}s")
    print(
        f"indexed:             {status['indexed']} photos ({status['photos']} in catalog) in {took:.1f}s "
        f"after the first copy: {len(staged) / took:.0f} photos/s"
    )
    print(f"batches:             {len(batches)} (max {args.max_batch} files each; index saved after each)")
    print(f"embedded:            {embedded} (distinct contents: {unique}; copies reuse an embedding)")
    print(f"resident memory:     baseline {baseline:.0f} MB, peak {peak:.0f} MB (+{peak - baseline:.0f} MB)")
    lost = len(staged) - status["photos"]
    print(
        "nothing lost, nothing embedded twice"
        if lost == 0 and embedded == unique
        else f"PROBLEM: {lost} lost, {embedded - unique} embedded twice"
    )


if __name__ == "__main__":
    sys.exit(main())
