"""A hostile photo folder (tests/hostile.py) through the real CLI: no crash, no hang, every
good file indexed, every bad one a problem with a reason, the folder left byte-identical.

The index and the watcher run as a subprocess; as root they run without the capabilities
that bypass file permissions (setpriv), so the chmod 000 photo really is unreadable.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from photoapp import cli
from tests.hostile import build_hostile_folder, tree_snapshot

DROP_FILE_CAPS = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def _unprivileged_prefix(unreadable: str) -> list[str] | None:
    """A command prefix under which ``unreadable`` cannot be read, or None if there is none."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        return None
    probe = subprocess.run([*DROP_FILE_CAPS, "cat", unreadable], capture_output=True)
    return DROP_FILE_CAPS if probe.returncode != 0 else None


def _env(home: Path) -> dict:
    return dict(os.environ, PHOTOAPP_MODELS_DIR=str(home / "models"), HF_HUB_OFFLINE="1")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile folder, its snapshot, and one `photoapp index` of it."""
    base = tmp_path_factory.mktemp("hostile")
    folder = build_hostile_folder(base / "photos")
    for sub, _, _ in os.walk(folder.root):  # read-only folders: any attempt to write in them fails
        os.chmod(sub, 0o555)
    before = tree_snapshot(folder.root)
    prefix = _unprivileged_prefix(folder.unreadable)
    lib = base / "library"
    cmd = [
        sys.executable,
        "-m",
        "photoapp",
        "--library",
        str(lib),
        "--model",
        "toy",
        "index",
        str(folder.root),
        "--json",
    ]
    # A hang would show as a timeout here; 300 s is far beyond a run on a loaded 2-core machine.
    proc = subprocess.run(
        [*(prefix or []), *cmd], capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, env=_env(base)
    )
    yield {"folder": folder, "before": before, "lib": lib, "proc": proc, "prefix": prefix, "base": base}
    for sub, _, _ in os.walk(folder.root):
        os.chmod(sub, 0o755)


def _cli(capsys, lib: Path, *args: str):
    """Run the real CLI entry point in this process (cheaper than a new interpreter)."""
    capsys.readouterr()
    code = cli.main(["--library", str(lib), *args, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def _catalogued(lib: Path) -> set[str]:
    from photoapp.core.store.catalog import Catalog

    cat = Catalog(lib / "catalog.sqlite3")
    try:
        return {p.path for p in cat.all_photos()}
    finally:
        cat.close()


def test_index_exits_zero_and_indexes_every_good_file(hostile):
    proc, folder = hostile["proc"], hostile["folder"]
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert "Traceback" not in proc.stderr
    photos = _catalogued(hostile["lib"])
    assert folder.good <= photos, folder.good - photos
    assert not photos & set(folder.bad), "a bad file was catalogued"
    assert report["embedded"] == len(photos)
    # Symlink aliases and a directory loop add no second photo; the real path is the one kept.
    assert not photos & folder.ignored
    if hostile["prefix"] is not None:
        assert folder.unreadable not in photos
    expected = folder.good | ({folder.unreadable} if hostile["prefix"] is None else set())
    assert photos == expected


def test_every_bad_file_is_a_problem_with_a_reason(hostile, capsys):
    folder = hostile["folder"]
    status = _cli(capsys, hostile["lib"], "status")
    problems = {p["path"]: p["error"] for p in status["problems"]}
    expected = dict(folder.bad)
    if hostile["prefix"] is not None:  # else root without setpriv: a chmod 000 file stays readable
        expected[folder.unreadable] = r"permission denied"
    for path, reason in expected.items():
        assert path in problems, f"{path} not listed; problems: {problems}"
        assert re.search(reason, problems[path], re.IGNORECASE), (path, problems[path])
    assert set(problems) == set(expected)
    assert status["photos"] == status["indexed"] == len(_catalogued(hostile["lib"]))


def test_non_utf8_name_round_trips_through_json(hostile, capsys):
    latin1 = next(p for p in hostile["folder"].good if "\udce9" in p)
    info = _cli(capsys, hostile["lib"], "show", latin1)
    assert info["path"] == latin1 and info["exists"]
    assert os.fsencode(info["path"]).endswith(b"caf\xe9_latin1.jpg")


def test_folder_is_byte_identical_after_every_operation(hostile, capsys):
    lib, folder = hostile["lib"], hostile["folder"]
    assert tree_snapshot(folder.root) == hostile["before"], "indexing changed the photo folder"
    hits = _cli(capsys, lib, "search", "red circle", "--all", "-k", "50")
    assert hits and len({h["path"] for h in hits}) == len(hits)
    assert _cli(capsys, lib, "similar", str(folder.root / "plain_1.jpg"))
    _cli(capsys, lib, "tags")
    _cli(capsys, lib, "tag", "add", "holiday", str(folder.root / "plain_2.jpg"))
    assert _cli(capsys, lib, "album", "holiday") == [{"path": str(folder.root / "plain_2.jpg")}]
    _cli(capsys, lib, "dupes")
    _cli(capsys, lib, "check")
    _cli(capsys, lib, "index")  # again: nothing re-read, nothing written
    assert tree_snapshot(folder.root) == hostile["before"], "search, tags, dupes or check changed the folder"
    _watch_briefly(hostile)
    assert tree_snapshot(folder.root) == hostile["before"], "watching changed the photo folder"


def _watch_briefly(hostile) -> None:
    log = hostile["base"] / "watch.log"
    cmd = [
        sys.executable,
        "-m",
        "photoapp",
        "--library",
        str(hostile["lib"]),
        "--model",
        "toy",
        "watch",
        "--settle",
        "0.3",
    ]
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [*(hostile["prefix"] or []), *cmd],
            stdout=subprocess.DEVNULL,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=_env(hostile["base"]),
        )
    try:
        deadline = time.monotonic() + 120
        while "photoapp: watching" not in log.read_text(errors="replace"):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    assert code == 0, log.read_text(errors="replace")
    assert "Traceback" not in log.read_text(errors="replace")


# -- in-process: races and time limits the CLI cannot stage ---------------------------------
def test_file_vanishing_between_scan_and_decode(tmp_path):
    import numpy as np

    from photoapp.core.library import Library
    from tests.hostile import _toy_jpeg

    rng = np.random.default_rng(3)
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(4):
        (folder / f"p{i}.jpg").write_bytes(_toy_jpeg(rng, i))
    doomed = folder / "p2.jpg"

    def progress(phase, done, total):
        if phase == "embed" and done == 0:  # scanned and hashed, not yet decoded
            doomed.unlink()

    with Library(tmp_path / "lib", model="toy") as lib:
        report = lib.index_folders([str(folder)], progress=progress)
        problems = {p["path"]: p["error"] for p in lib.status()["problems"]}
        assert report.embedded == 3 and report.failed == 1
        assert "vanished" in problems[str(doomed)]
        assert str(doomed) not in {p.path for p in lib.catalog.all_photos()}
        lib.index_folders()  # the next run forgets the problem of a file that is gone
        assert lib.status()["problems"] == []


def test_per_file_time_limit(tmp_path, monkeypatch):
    """A decode that does not finish (a stalled drive) becomes a problem; the run goes on."""
    import numpy as np

    from photoapp.core.indexing import indexer as indexer_mod
    from photoapp.core.library import Library
    from tests.hostile import _toy_jpeg

    rng = np.random.default_rng(4)
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(5):
        (folder / f"p{i}.jpg").write_bytes(_toy_jpeg(rng, i))
    release = threading.Event()
    real_load = indexer_mod.load_for_model

    def stalling_load(path, *a, **kw):
        if os.path.basename(path) == "p3.jpg":
            release.wait(120)
        return real_load(path, *a, **kw)

    monkeypatch.setattr(indexer_mod, "load_for_model", stalling_load)
    try:
        with Library(tmp_path / "lib", model="toy") as lib:
            ((fid, root),) = lib.add_folders([str(folder)])
            embedder = lib.embedder_for("toy").load()
            run = indexer_mod.Indexer(lib.catalog, embedder, workers=2, file_timeout=1.0)
            report = run.run([(fid, root)])
            assert not release.is_set(), "the run waited for the stalled file"
            problems = {p["path"]: p["error"] for p in lib.catalog.problems()}
            assert report.embedded == 4 and report.failed == 1
            assert "took longer than 1 s" in problems[str(folder / "p3.jpg")]
    finally:
        release.set()
