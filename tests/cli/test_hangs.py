"""No command hangs (issue 29, finding 7), through the real CLI in subprocesses:

- a FIFO swapped in for a photo after the scan (or after its hash) is refused on open,
  and ``index`` ends;
- a 6 GB file with a JPEG header is refused by its size before it is read, by ``index``
  and by ``search FILE``;
- SIGINT / SIGTERM end ``index`` at a batch boundary with a clear line and 130 / 143,
  what was embedded saved and the catalog consistent.

Races and pauses are staged at exact points by ``tests/cli/staged_index.py``. Subprocess
timeouts are only a safety net: every assertion is on the state the run left.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.hostile import _toy_jpeg

ROOT = Path(__file__).resolve().parent.parent.parent
SAFETY_NET_S = 300  # never reached by a run that works; it only stops a hanging test


def _photos(folder: Path, n: int, seed: int = 7) -> list[Path]:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"p{i:02d}.jpg" for i in range(n)]
    for i, path in enumerate(paths):
        path.write_bytes(_toy_jpeg(rng, i))
    return paths


def _cli(lib: Path, *args: str, stage: tuple[str, str] | None = None) -> subprocess.CompletedProcess:
    runner = ["-m", "tests.cli.staged_index", *stage, "--"] if stage else ["-m", "photoapp"]
    cmd = [sys.executable, *runner, "--library", str(lib), "--model", "toy", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=SAFETY_NET_S, stdin=subprocess.DEVNULL)


def _json(lib: Path, *args: str) -> dict | list:
    proc = _cli(lib, *args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _problems(lib: Path) -> dict[str, str]:
    return {p["path"]: p["error"] for p in _json(lib, "status")["problems"]}


# -- FIFOs raced in ---------------------------------------------------------------------------
@pytest.mark.parametrize("stage", ["swap-after-scan", "swap-after-hash"])
def test_fifo_swapped_in_for_a_new_photo_is_refused(tmp_path, stage):
    photos = _photos(tmp_path / "photos", 4)
    target = str(photos[2])
    proc = _cli(tmp_path / "lib", "index", str(tmp_path / "photos"), "--json", stage=(stage, target))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["embedded"] == 3 and report["failed"] == 1, report
    assert "not a regular file" in _problems(tmp_path / "lib")[target]
    assert "Traceback" not in proc.stderr


def test_fifo_swapped_in_for_a_changed_photo_is_refused(tmp_path):
    """A catalogued photo whose size changed is hashed on the main thread: a FIFO there
    blocked the whole run before."""
    photos = _photos(tmp_path / "photos", 3)
    lib = tmp_path / "lib"
    assert _json(lib, "index", str(tmp_path / "photos"))["embedded"] == 3
    photos[1].write_bytes(_toy_jpeg(np.random.default_rng(99), 20))  # changed: size and mtime
    proc = _cli(lib, "index", "--json", stage=("swap-after-scan", str(photos[1])))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["failed"] == 1
    assert "not a regular file" in _problems(lib)[str(photos[1])]


def test_a_decode_stuck_for_good_does_not_keep_index_from_ending(tmp_path):
    """A worker stuck where no time check runs is given up on after the per-file limit; the
    run ends, says so, and the process does not wait for the thread at exit."""
    photos = _photos(tmp_path / "photos", 3)
    proc = _cli(tmp_path / "lib", "index", str(tmp_path / "photos"), "--json", stage=("stall-decode", str(photos[0])))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["embedded"] == 2 and report["failed"] == 1, report
    assert "took longer than 1 s" in _problems(tmp_path / "lib")[str(photos[0])]


# -- size limit -------------------------------------------------------------------------------
def _sparse_jpeg(path: Path, size: int) -> Path:
    """A real JPEG's first bytes, then zeros up to ``size``, as a sparse file (no disk used)."""
    header = _toy_jpeg(np.random.default_rng(1), 0)[:20]
    with open(path, "wb") as fh:
        fh.write(header)
        fh.truncate(size)
    if os.stat(path).st_blocks * 512 > 1 << 20:
        pytest.skip("this file system does not store sparse files")
    return path


def test_six_gb_jpeg_is_refused_by_size_by_index_and_search(tmp_path):
    _photos(tmp_path / "photos", 2)
    huge = _sparse_jpeg(tmp_path / "photos" / "huge.jpg", 6 << 30)
    lib = tmp_path / "lib"
    report = _json(lib, "index", str(tmp_path / "photos"))
    assert report["embedded"] == 2 and report["failed"] == 1, report
    assert "file too large" in _problems(lib)[str(huge)]

    proc = _cli(lib, "search", str(huge))
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "file too large" in lines[0], proc.stderr


# -- signals ----------------------------------------------------------------------------------
@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_ends_index_at_a_batch_boundary(tmp_path, sig, status):
    _photos(tmp_path / "photos", 10)
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "settings.json").write_text(json.dumps({"batch_size": 4}))
    cmd = [sys.executable, "-m", "tests.cli.staged_index", "block-in-batch", "2", "--"]
    cmd += ["--library", str(lib), "--model", "toy", "index", str(tmp_path / "photos"), "--json"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
    )
    try:
        seen = []
        for line in proc.stderr:  # ends (EOF) if the process dies before the stage
            seen.append(line)
            if line.startswith("STAGED: in batch 2"):
                break
        assert seen and seen[-1].startswith("STAGED"), "".join(seen)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=SAFETY_NET_S)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == status, err
    assert f"indexing stopped by {sig.name}" in err and "Traceback" not in err
    assert out == ""  # no summary: the run did not finish
    # The batch under way when the signal came was finished and saved; none after it.
    status_now = _json(lib, "status")
    assert status_now["photos"] == 8, status_now
    check = _json(lib, "check", "--no-repair")
    assert check["ok"] is True and check["index_agrees"] is True, check
    assert _json(lib, "index")["embedded"] == 2  # the next run goes on from there
