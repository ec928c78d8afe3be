"""`photoapp watch` end to end: the real CLI in a subprocess, read by other processes.

Waits poll with generous deadlines (a loaded 2-core machine is slow, not wrong); the
figures the issue asked for (15 s to index 100+ photos, exit within 5 s) are printed,
never asserted: a test that times itself fails on a busy machine (the 30 s wait for the
exit still catches a watcher that does not stop).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from photoapp.toy.domain import generate_library

DEADLINE = 180.0  # a wait for correctness, never a timing check: loaded CI machines are slow


class WatchProcess:
    def __init__(self, lib: Path, folder: Path, *extra: str, shell_prefix: str | None = None):
        self.lib, self.folder = lib, folder
        self.log = lib.parent / f"watch-{time.monotonic_ns()}.log"
        cmd = [
            sys.executable,
            "-m",
            "photoapp",
            "--library",
            str(lib),
            "--model",
            "toy",
            "watch",
            str(folder),
            "--settle",
            "0.5",
            *extra,
        ]
        if shell_prefix:  # e.g. lower the inotify limit in a user namespace of its own
            cmd = ["unshare", "-U", "-r", "sh", "-c", f"{shell_prefix} && exec {shlex.join(cmd)}"]
        # the log stays open for the watcher process to write to while it runs
        self.proc = subprocess.Popen(cmd, stderr=open(self.log, "w"), stdout=subprocess.DEVNULL)  # noqa: SIM115

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_watching(self) -> None:
        wait_for(lambda: "photoapp: watching" in self.stderr() or self.proc.poll() is not None, "watching")
        assert self.proc.poll() is None, self.stderr()

    def stop(self) -> float:
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=30)
        took = time.monotonic() - start
        assert code == 0, self.stderr()
        return took


def wait_for(condition, what: str, deadline: float = DEADLINE) -> float:
    start = time.monotonic()
    while time.monotonic() - start < deadline:
        if condition():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"timed out after {deadline}s waiting for {what}")


def catalogued(lib: Path) -> dict[str, int]:
    """path -> id of embedded photos, read as another process would."""
    db = sqlite3.connect(lib / "catalog.sqlite3", timeout=30)
    try:
        return dict(db.execute("SELECT p.path, p.id FROM photos p JOIN embeddings e ON e.photo_id = p.id"))
    finally:
        db.close()


def on_disk(folder: Path) -> set[str]:
    return {str(p) for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")}


def cli_json(lib: Path, *args: str):
    out = subprocess.run(
        [sys.executable, "-m", "photoapp", "--library", str(lib), *args, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> list[Path]:
    return sorted(generate_library(tmp_path_factory.mktemp("src"), per_class=3, seed=21))


def test_watch_copies_moves_deletions_and_restart(source, tmp_path):
    lib, folder = tmp_path / "lib", tmp_path / "photos"
    folder.mkdir()
    watch = WatchProcess(lib, folder)
    watch.wait_watching()
    for src in source:  # 108 photos copied in
        shutil.copy2(src, folder / src.name)
    took = wait_for(lambda: len(catalogued(lib)) == len(source), "108 photos indexed")
    print(f"108 copied photos indexed {took:.1f}s after the copy")
    assert cli_json(lib, "status")["indexed"] == len(source)

    names = sorted(os.listdir(folder))
    (folder / "moved").mkdir()
    for name in names[:20]:
        os.rename(folder / name, folder / "moved" / name)
    for name in names[20:40]:
        os.remove(folder / name)
    took = wait_for(lambda: set(catalogued(lib)) == on_disk(folder), "moves and deletions reflected")
    print(f"20 moves and 20 deletions reflected in {took:.1f}s")
    hits = cli_json(lib, "search", "circle", "--all", "-k", "200")
    assert len(hits) == len(source) - 20 and all(os.path.exists(h["path"]) for h in hits)
    ids_before = catalogued(lib)

    took = watch.stop()
    print(f"stopped in {took:.1f}s")
    moved = folder / "moved"
    os.remove(moved / names[0])
    os.rename(moved / names[1], folder / ("back_" + names[1]))
    shutil.copy2(source[0], moved / "new_while_stopped.png")
    watch = WatchProcess(lib, folder)
    watch.wait_watching()  # the reconcile runs before it says so
    assert set(catalogued(lib)) == on_disk(folder)
    assert catalogued(lib)[str(folder / ("back_" + names[1]))] == ids_before[str(moved / names[1])]
    watch.stop()
    assert cli_json(lib, "check", "--no-repair")["index_agrees"]


def _unshare_works() -> bool:
    if not shutil.which("unshare") or not sys.platform.startswith("linux"):
        return False
    probe = subprocess.run(
        ["unshare", "-U", "-r", "sh", "-c", "echo 4 > /proc/sys/user/max_inotify_watches"], capture_output=True
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _unshare_works(), reason="needs unshare and a per-namespace inotify limit (Linux 5.11+)")
def test_full_inotify_table_gives_a_message_and_falls_back_to_polling(source, tmp_path):
    lib, folder = tmp_path / "lib", tmp_path / "photos"
    for i in range(8):
        (folder / f"year{i}" / "trip").mkdir(parents=True)
    watch = WatchProcess(
        lib, folder, "--poll-interval", "0.5", shell_prefix="echo 4 > /proc/sys/user/max_inotify_watches"
    )
    watch.wait_watching()
    assert "inotify watch limit reached" in watch.stderr() and "polling" in watch.stderr()
    target = folder / "year7" / "trip" / source[0].name  # a folder inotify could not watch
    shutil.copy2(source[0], target)
    wait_for(lambda: str(target) in catalogued(lib), "a photo in an unwatchable folder indexed by polling")
    wait_for(lambda: "1 embedded" in watch.stderr(), "the batch reported")
    watch.stop()
