"""photoapp dupes end to end: a real process, JSON groups, resolve to the trash, undo."""

from __future__ import annotations

import os
import shutil

from tests.cli.test_cli import jrun, run
from tests.core.duplicates.dupe_variants import make_variants


def test_dupes_json_resolve_and_undo(shared_photos, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    family = [str(p) for p in make_variants(shared_photos / "Garden.jpg", folder)[:4]]  # orig, copy, exif, half
    for extra in folder.iterdir():
        if str(extra) not in family:
            extra.unlink()
    shutil.copy2(shared_photos / "Storm.jpg", folder / "Storm.jpg")
    lib = tmp_path / "lib"
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    jrun("--library", lib, "--model", "toy", "index", folder, "--json")

    groups = jrun("--library", lib, "dupes", "--tier", "near", "--json")
    assert len(groups) == 1
    group = groups[0]
    assert {"tier", "paths", "keep", "reason"} <= set(group)
    assert group["tier"] == "near" and sorted(group["paths"]) == sorted(family) and group["keep"] in family
    exact = jrun("--library", lib, "dupes", "--tier", "exact", "--json")
    assert [g["tier"] for g in exact] == ["exact"] and sorted(exact[0]["paths"]) == sorted(family[:2])

    refused = run("--library", lib, "dupes", "resolve", "--all", check=False, env=env)
    assert refused.returncode == 1 and "--tier" in refused.stderr

    report = jrun("--library", lib, "dupes", "resolve", family[3], "--json", env=env)
    assert sorted(report["trashed"]) == sorted(p for p in family if p != group["keep"])
    trash_files = tmp_path / "xdg" / "Trash" / "files"
    assert sorted(os.listdir(trash_files)) == sorted(os.path.basename(p) for p in report["trashed"])
    assert jrun("--library", lib, "dupes", "--json") == []

    undone = jrun("--library", lib, "dupes", "undo", "--json", env=env)
    assert sorted(undone["restored"]) == sorted(report["trashed"])
    assert all(os.path.exists(p) for p in family) and not os.listdir(trash_files)
    history = jrun("--library", lib, "dupes", "history", "--json")
    assert history[0]["in_trash"] == 0 and history[0]["photos"] == 3


def test_dupes_lists_each_photos_reason_rotated_and_burst(shared_photos, tmp_path):
    from PIL import Image

    from tests.core.duplicates.dupe_variants import copy_and_burst_folder

    turn = {"turned": lambda im: im.transpose(Image.Transpose.ROTATE_270)}
    folder = copy_and_burst_folder(shared_photos, tmp_path / "photos", turn)
    lib = tmp_path / "lib"
    jrun("--library", lib, "--model", "toy", "index", folder, "--json")
    text = run("--library", lib, "dupes").stdout
    assert "same picture, rotated 90°" in text
    assert "burst: one camera, 0." in text and "(other shots: none suggested for the trash)" in text
    groups = jrun("--library", lib, "dupes", "--json")
    assert [(g["tier"], g["suggest_trash"]) for g in groups] == [("near", True), ("similar", False)]
    near_only = run("--library", lib, "dupes", "resolve", str(folder / "burst 1.jpg"), check=False)
    assert near_only.returncode == 1 and "--tier similar" in near_only.stderr  # asked for copies only
    everything = jrun("--library", lib, "dupes", "resolve", "--all", "--tier", "all", "--dry-run", "--json")
    assert [os.path.basename(p) for p in everything["would_trash"]] == ["dune.jpg"]  # no burst frame
    asked = jrun("--library", lib, "dupes", "resolve", "--all", "--tier", "similar", "--dry-run", "--json")
    assert len(asked["would_trash"]) == 3  # the copy and, asked for, two of the three frames
