"""Folders through the CLI (issue 29): an alias of a folder is refused and no file is ever
its own duplicate; `status` names offline folders and keeps their photos."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.cli.test_cli import jrun, run


def _real_folder(shared_photos, folder, n=6):
    folder.mkdir()
    for photo in sorted(shared_photos.glob("*.jpg"))[:n]:
        shutil.copy2(photo, folder / photo.name)
    return sorted(str(p) for p in folder.iterdir())


def test_a_folder_and_its_alias_are_not_duplicates_and_nothing_is_trashed(shared_photos, tmp_path):
    folder = tmp_path / "real"
    files = _real_folder(shared_photos, folder)
    os.symlink(folder, tmp_path / "alias")
    os.symlink(folder, folder / "link-to-itself")
    lib, env = tmp_path / "lib", {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    assert jrun("--library", lib, "--model", "toy", "index", folder, "--json")["scanned"] == 6

    refused = run("--library", lib, "index", folder, tmp_path / "alias", check=False)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines() == [
        f"photoapp: error: {tmp_path / 'alias'} is the same folder as {folder}, already in the library"
    ]
    assert jrun("--library", lib, "status", "--json")["photos"] == 6
    assert jrun("--library", lib, "dupes", "--tier", "exact", "--json") == []
    report = jrun("--library", lib, "dupes", "resolve", "--all", "--tier", "exact", "--json", env=env)
    assert report["trashed"] == []
    assert all(os.path.exists(p) for p in files)
    assert not (tmp_path / "xdg" / "Trash" / "files").exists() or not os.listdir(tmp_path / "xdg" / "Trash" / "files")


def test_status_names_an_offline_folder_and_keeps_its_photos(shared_photos, tmp_path):
    folder = tmp_path / "drive"
    _real_folder(shared_photos, folder, n=3)
    lib = tmp_path / "lib"
    jrun("--library", lib, "--model", "toy", "index", folder, "--json")
    os.rename(folder, tmp_path / "parked")
    folder.mkdir()  # the empty mount point an unmounted drive leaves
    report = jrun("--library", lib, "index", "--json")
    assert report["removed"] == 0 and report["offline_folders"] == [str(folder)]
    status = jrun("--library", lib, "status", "--json")
    assert status["photos"] == 3 and [f["path"] for f in status["offline"]] == [str(folder)]
    human = run("--library", lib, "status").stdout
    assert f"folder:  {folder}  (offline: empty" in human


@pytest.fixture
def as_nobody():
    """Run photoapp as the unprivileged user 65534 (chmod 000 binds it, unlike root) in a
    world-writable scratch folder; skips where that cannot be done."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root to switch to an unprivileged user with setpriv")
    scratch = Path(tempfile.mkdtemp(prefix="photoapp-nobody-"))
    os.chmod(scratch, 0o777)
    env = {"HOME": str(scratch), "PHOTOAPP_MODELS_DIR": str(scratch / "models"), "XDG_CACHE_HOME": str(scratch)}

    def photoapp(*args):
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m", "photoapp"]
        proc = subprocess.run(
            [*cmd, *map(str, args)], capture_output=True, text=True, env=dict(os.environ, **env), timeout=300
        )
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
        return json.loads(proc.stdout)

    probe = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", "0"])
    if probe.returncode != 0:
        pytest.skip("the unprivileged user cannot run this Python")
    yield scratch, photoapp
    for folder, _, _ in os.walk(scratch):
        os.chmod(folder, 0o755)
    shutil.rmtree(scratch)


def test_unreadable_folders_keep_their_photos(shared_photos, as_nobody):
    """A real EACCES: a subfolder, then the whole root, made unreadable (chmod 000)."""
    scratch, photoapp = as_nobody
    folder, lib = scratch / "photos", scratch / "lib"
    _real_folder(shared_photos, folder, n=4)
    (folder / "sub").mkdir()
    for photo in sorted(folder.glob("*.jpg"))[:2]:
        shutil.move(photo, folder / "sub" / photo.name)
    for path in (folder, folder / "sub", *folder.rglob("*.jpg")):
        os.chown(path, 65534, 65534)
    assert photoapp("--library", lib, "--model", "toy", "index", folder, "--json")["embedded"] == 4

    os.chmod(folder / "sub", 0)
    report = photoapp("--library", lib, "index", "--json")
    status = photoapp("--library", lib, "status", "--json")
    assert report["removed"] == 0 and status["photos"] == 4
    assert [(p["path"], "Permission denied" in p["error"]) for p in status["problems"]] == [(str(folder / "sub"), True)]

    os.chmod(folder, 0)
    report = photoapp("--library", lib, "index", "--json")
    status = photoapp("--library", lib, "status", "--json")
    assert report["removed"] == 0 and report["offline_folders"] == [str(folder)] and status["photos"] == 4
    assert [f["path"] for f in status["offline"]] == [str(folder)] and "cannot be read" in status["offline"][0][
        "reason"
    ]

    os.chmod(folder, 0o755)
    os.chmod(folder / "sub", 0o755)
    report = photoapp("--library", lib, "index", "--json")
    status = photoapp("--library", lib, "status", "--json")
    assert report["removed"] == 0 and status["photos"] == 4 and status["problems"] == [] and status["offline"] == []
