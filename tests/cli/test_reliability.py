"""Reliability of the library under abuse, through the real CLI in subprocesses: kill -9
while indexing, several processes at once, a full disk or a read-only library folder, and
no network at all.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from photoapp.toy.domain import generate_library

ROOT = Path(__file__).resolve().parent.parent.parent


def photoapp(lib: Path, *args: str, prefix=(), env=None, timeout=300) -> subprocess.CompletedProcess:
    cmd = [*prefix, sys.executable, "-m", "photoapp", "--library", str(lib), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=env)


def jphotoapp(lib: Path, *args: str, **kw):
    proc = photoapp(lib, *args, "--json", **kw)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def embedded_count(lib: Path) -> int:
    """Photos embedded so far, read as another process would (0 before the catalog exists)."""
    if not (lib / "catalog.sqlite3").exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{lib / 'catalog.sqlite3'}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0  # not yet created or mid-migration


def cli_json(capsys, lib: Path, *args: str):
    """The real CLI entry point in this process: a read-only command costs no interpreter start."""
    from photoapp import cli

    capsys.readouterr()
    code = cli.main(["--library", str(lib), *args, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def assert_library_sound(capsys, lib: Path, files: set[str]) -> None:
    """Integrity ok, index agrees with the catalog, every file catalogued and embedded once,
    search returns each photo at most once."""
    db = sqlite3.connect(lib / "catalog.sqlite3")
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = db.execute(
            "SELECT p.path, COUNT(e.photo_id) FROM photos p LEFT JOIN embeddings e ON e.photo_id = p.id GROUP BY p.id"
        ).fetchall()
    finally:
        db.close()
    paths = [path for path, _ in rows]
    assert len(paths) == len(set(paths)) == len(files) and set(paths) == files
    assert all(n == 1 for _, n in rows), "a photo without (or with two) embeddings"
    check = cli_json(capsys, lib, "check", "--no-repair")
    assert check["ok"] is True and check["index_agrees"] is True, check
    # The whole library ranked (no relevance cut-off): every photo exactly once.
    found = [h["path"] for h in cli_json(capsys, lib, "search", "red circle", "--all", "-k", str(len(files) + 50))]
    assert len(found) == len(set(found)) == len(files) and set(found) == files


# -- kill -9 ------------------------------------------------------------------------------
def test_kill_9_while_indexing_then_resume(tmp_path, capsys):
    """Five kill -9 at random moments of indexing 180 photos, then a final index."""
    folder, lib = tmp_path / "photos", tmp_path / "lib"
    files = {str(p) for p in generate_library(folder, per_class=5, seed=4242)}
    rng = random.Random(8)
    cmd = [sys.executable, "-m", "photoapp", "--library", str(lib), "--model", "toy", "index", str(folder), "-q"]
    kills = 0
    for round_no in range(5):
        done = embedded_count(lib)
        # The first kill lands at a random time (start-up or scanning); the others when a
        # random share of the remaining photos is embedded, whatever the machine's speed.
        target = None if round_no == 0 else done + rng.randint(1, max(1, (len(files) - done) // 3))
        early = rng.uniform(0.2, 2.0)
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        start = time.monotonic()
        while proc.poll() is None:
            if target is None and time.monotonic() - start > early:
                break
            if target is not None and embedded_count(lib) >= target:
                break
            assert time.monotonic() - start < 300, "indexing made no progress"
            time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        stderr = proc.stderr.read().decode(errors="replace")
        assert "Traceback" not in stderr, stderr
    assert kills >= 3, "indexing finished before it could be killed"
    report = jphotoapp(lib, "--model", "toy", "index")
    assert report["failed"] == 0
    assert report["embedded"] + report["skipped"] == len(files)
    assert_library_sound(capsys, lib, files)
    leftovers = [p.name for p in lib.rglob("*.tmp")]
    assert not leftovers, f"temp files left in the library: {leftovers}"


def test_kill_9_while_watching_then_restart(tmp_path, capsys):
    """A watcher killed mid-batch: the restarted one reconciles and nothing is lost or doubled."""
    from photoapp.config import Settings

    folder, lib = tmp_path / "photos", tmp_path / "lib"
    folder.mkdir()
    lib.mkdir()
    # Batches of 4 are saved one by one: after the first 10 photos some 24 saves remain to kill
    # the watcher in, however long this process waits for the CPU (with batches of 32, three).
    Settings(batch_size=4).save(lib)
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
        "0.3",
    ]
    log = tmp_path / "watch.log"

    def start() -> subprocess.Popen:
        with open(log, "a") as err:
            return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)

    def wait_until(condition, what: str, proc: subprocess.Popen) -> None:
        deadline = time.monotonic() + 240
        while not condition():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.05)

    watch = start()
    wait_until(lambda: "photoapp: watching" in log.read_text(), "watching", watch)
    files = {str(p) for p in generate_library(folder / "new", per_class=3, seed=77)}
    wait_until(lambda: embedded_count(lib) >= 10, "a first batch", watch)
    watch.send_signal(signal.SIGKILL)
    watch.wait(timeout=60)
    assert embedded_count(lib) < len(files), "the watcher finished before it could be killed"
    watch = start()
    try:
        wait_until(lambda: embedded_count(lib) >= len(files), "the restarted watcher to catch up", watch)
    finally:
        watch.send_signal(signal.SIGTERM)
        code = watch.wait(timeout=60)
    assert code == 0 and "Traceback" not in log.read_text(), log.read_text()
    assert_library_sound(capsys, lib, files)


# -- concurrent use -------------------------------------------------------------------------
def _clean_or_clear(proc_or_text) -> None:
    text = proc_or_text if isinstance(proc_or_text, str) else proc_or_text.stderr
    assert "Traceback" not in text and "database is locked" not in text, text


def test_index_watch_and_readers_at_once(tmp_path, capsys):
    """`photoapp watch` and `photoapp index` write to one library while status and search
    read it: every command works or says clearly why not; the library ends up sound."""
    folder, lib = tmp_path / "photos", tmp_path / "lib"
    files = {str(p) for p in generate_library(folder / "a", per_class=2, seed=31)}
    log = tmp_path / "watch.log"
    base = [sys.executable, "-m", "photoapp", "--library", str(lib), "--model", "toy"]
    with open(log, "w") as err:
        watch = subprocess.Popen(
            [*base, "watch", str(folder), "--settle", "0.3"],
            stdout=subprocess.DEVNULL,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
    index = None
    try:
        index = subprocess.Popen(
            [*base, "index", str(folder), "-q", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        # New photos while both run: the watcher and the index both see them.
        files |= {str(p) for p in generate_library(folder / "b", per_class=1, seed=32)}
        readers = 0
        deadline = time.monotonic() + 240
        while index.poll() is None or readers < 3:
            assert time.monotonic() < deadline, "index did not finish"
            for args in (["status"], ["search", "red circle"]):
                capsys.readouterr()
                from photoapp import cli

                code = cli.main(["--library", str(lib), *args, "--json"])
                out = capsys.readouterr()
                _clean_or_clear(out.err)
                assert code == 0 or out.err.startswith("photoapp: error: "), out.err
                readers += 1
            time.sleep(0.2)
        out, err = index.communicate(timeout=60)
        _clean_or_clear(err)
        assert index.returncode == 0, err
        # The watcher catches up with what the index did not see; wait until all is embedded.
        deadline = time.monotonic() + 120
        while embedded_count(lib) < len(files):
            assert watch.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"{embedded_count(lib)} of {len(files)} embedded"
            time.sleep(0.3)
    finally:
        if index is not None and index.poll() is None:
            index.kill()
        watch.send_signal(signal.SIGTERM)
        code = watch.wait(timeout=60)
    _clean_or_clear(log.read_text())
    assert code == 0, log.read_text()
    jphotoapp(lib, "index")  # a last run sees the watcher's saved index or rebuilds it
    assert_library_sound(capsys, lib, files)


# -- disk full, read-only library -------------------------------------------------------------
def _snapshot_catalog(lib: Path) -> list:
    db = sqlite3.connect(lib / "catalog.sqlite3")
    try:
        return db.execute(
            "SELECT p.path, p.hash, e.vector FROM photos p JOIN embeddings e ON e.photo_id = p.id ORDER BY p.path"
        ).fetchall()
    finally:
        db.close()


def index_in_process(lib: Path, folder: Path | None = None) -> None:
    from photoapp.core.library import Library

    with Library(lib, model="toy") as library:
        library.index_folders([str(folder)] if folder else None)


@pytest.fixture
def small_library(tmp_path):
    folder, lib = tmp_path / "photos", tmp_path / "lib"
    generate_library(folder, per_class=1, seed=5)
    index_in_process(lib, folder)
    return folder, lib


def _file_size_limit(limit: int):
    import resource

    def apply() -> None:  # in the child: files cannot grow past ``limit`` bytes (EFBIG), as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("limit", [1, 64 * 1024], ids=["nothing-fits", "full-mid-run"])
def test_disk_full_gives_a_clear_error_and_keeps_what_was_saved(small_library, capsys, limit):
    """With 1 byte nothing can be written (settings, catalog); with 64 kB the catalog's log fills
    up after a few batches. Either way: one clear line, exit 1, the library still sound, and a
    later run with space finishes the job."""
    folder, lib = small_library
    before = _snapshot_catalog(lib)
    settings = (lib / "settings.json").read_bytes()
    more = generate_library(folder / "more", per_class=3, seed=6)
    proc = subprocess.run(
        [sys.executable, "-m", "photoapp", "--library", str(lib), "index", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        preexec_fn=_file_size_limit(limit),
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    line = proc.stderr.strip().splitlines()[-1]
    assert line.startswith("photoapp: error: ") and "disk" in line, proc.stderr
    after = _snapshot_catalog(lib)
    assert set(before) <= set(after), "a photo saved before was lost"
    assert (lib / "settings.json").read_bytes() == settings
    assert not list(lib.rglob("*.tmp")), "a temp file was left behind"
    check = cli_json(capsys, lib, "check", "--no-repair")
    assert check["ok"] and check["integrity"] == "ok"
    index_in_process(lib)
    assert_library_sound(capsys, lib, {str(p) for p in folder.rglob("*") if p.is_file()})
    assert len(more) == 108


def test_read_only_library_folder(small_library):
    folder, lib = small_library
    prefix = [] if os.geteuid() != 0 else ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    if prefix and shutil.which("setpriv") is None:
        pytest.skip("root ignores permissions and setpriv is missing")
    before = _snapshot_catalog(lib)
    generate_library(folder / "more", per_class=1, seed=9)
    for sub in (lib / "index", lib):
        sub.chmod(0o555)
    try:
        for args in (["index", "-q"], ["status"]):
            proc = photoapp(lib, *args, prefix=prefix)
            assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
            line = proc.stderr.strip()
            assert line.startswith("photoapp: error: ") and "read-only" in line and "\n" not in line, line
    finally:
        for sub in (lib, lib / "index"):
            sub.chmod(0o755)
    assert _snapshot_catalog(lib) == before


# -- no network -------------------------------------------------------------------------------
SITECUSTOMIZE = """
import os, socket

_LOG = os.environ["NO_NETWORK_LOG"]


def _refuse(*args, **kwargs):
    with open(_LOG, "a") as fh:
        fh.write(f"network use: {args!r}\\n")
    raise OSError(101, "network is unreachable (test)")


class _NoSocket(socket.socket):
    def connect(self, *a):
        _refuse(*a)

    def connect_ex(self, *a):
        _refuse(*a)

    def sendto(self, *a):
        _refuse(*a)


socket.socket = _NoSocket
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
"""


def test_index_and_search_work_without_network(tmp_path):
    """No socket may connect and no name be resolved while indexing and searching with a local
    model; the offline switches of the Hugging Face libraries are deliberately not set."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "network.log"
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env |= {"PYTHONPATH": os.pathsep.join([str(site), str(ROOT)]), "NO_NETWORK_LOG": str(log)}
    folder, lib = tmp_path / "photos", tmp_path / "lib"
    files = generate_library(folder, per_class=1, seed=12)
    report = jphotoapp(lib, "--model", "toy", "index", str(folder), env=env)
    assert report["embedded"] == len(files)
    hits = jphotoapp(lib, "search", "red circle", env=env)
    assert hits
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('localhost', 9))"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert probe.returncode != 0 and "network is unreachable (test)" in probe.stderr  # the guard works
    used = log.read_text().splitlines()
    assert used == ["network use: (('localhost', 9),)"], used


# -- no shell ------------------------------------------------------------------------------------
def test_no_shell_is_ever_given_a_path():
    """Static check of the package: no os.system/os.popen, no subprocess with shell=True or a
    command string (a catalog path in a shell command line would be code injection)."""
    import ast

    offences = []
    for path in sorted((ROOT / "photoapp").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            if name in (
                "os.system",
                "os.popen",
                "subprocess.getoutput",
                "subprocess.getstatusoutput",
                "asyncio.create_subprocess_shell",
            ):
                offences.append(f"{path.name}:{node.lineno} {name}")
            if name.startswith("subprocess.") or name.endswith("Popen"):
                if any(
                    k.arg == "shell" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                    for k in node.keywords
                ):
                    offences.append(f"{path.name}:{node.lineno} shell=")
                if node.args and isinstance(node.args[0], (ast.Constant, ast.JoinedStr, ast.BinOp)):
                    offences.append(f"{path.name}:{node.lineno} command given as a string")
    assert not offences, offences
