"""Folders through the CLI (issue 29): an alias of a folder is refused and no file is ever
its own duplicate; `status` names offline folders and keeps their photos."""

from __future__ import annotations

import os
import shutil

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
