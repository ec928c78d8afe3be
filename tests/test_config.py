"""Atomic writes: a writer killed mid-write leaves a temp file that the next writer removes."""

from __future__ import annotations

import subprocess
import sys

from photoapp.config import atomic_write_bytes

WRITE_AND_DIE = """
import os, sys
from pathlib import Path
from photoapp.config import make_temp_file
fd, tmp = make_temp_file(Path(sys.argv[1]))
os.write(fd, b"half a file")
print(tmp, flush=True)
if sys.argv[2] == "die":
    os._exit(9)  # like kill -9: no cleanup
sys.stdin.read()  # stay alive, mid-write, until told
"""


def test_orphan_temp_files_are_removed_and_live_ones_kept(tmp_path):
    target = tmp_path / "settings.json"
    dead = subprocess.run([sys.executable, "-c", WRITE_AND_DIE, str(target), "die"], capture_output=True,
                          text=True, check=False)
    orphan = dead.stdout.strip()
    alive = subprocess.Popen([sys.executable, "-c", WRITE_AND_DIE, str(target), "live"], stdout=subprocess.PIPE,
                             stdin=subprocess.PIPE, text=True)
    try:
        in_progress = alive.stdout.readline().strip()
        atomic_write_bytes(target, b"{}")
        left = {p.name for p in tmp_path.iterdir()}
        assert target.read_bytes() == b"{}"
        assert orphan.rsplit("/", 1)[-1] not in left, "the killed writer's temp file is still there"
        assert in_progress.rsplit("/", 1)[-1] in left, "a live writer's temp file was removed"
    finally:
        alive.communicate("", timeout=30)


def test_the_old_default_search_ef_moves_to_the_current_one(tmp_path):
    """ef 256 missed 3 % of real caption queries' top 10 at 100k photos; a library that
    stored it (never a user's choice) searches at the current default, a chosen value stays."""
    import json

    from photoapp.config import Settings

    (tmp_path / "settings.json").write_text(json.dumps({"hnsw_ef": 256, "hnsw_m": 16}))
    assert Settings.load(tmp_path).hnsw_ef == Settings().hnsw_ef == 512
    (tmp_path / "settings.json").write_text(json.dumps({"hnsw_ef": 300}))
    assert Settings.load(tmp_path).hnsw_ef == 300
