"""photoapp rate, favourite, rotate, trash, untrash and photos end to end (issue 24): real
processes, --json everywhere, files byte-identical through every mark."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from tests.cli.test_cli import jrun, run


def test_marks_and_trash_from_the_command_line(real_photos, tmp_path):
    lib = tmp_path / "lib"
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    paths = sorted(str(p) for p in real_photos.glob("*.jpg"))[:3]
    for extra in real_photos.glob("*.jpg"):
        if str(extra) not in paths:
            extra.unlink()
    jrun("--library", lib, "--model", "toy", "index", real_photos, "--json")
    sums = {p: hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}

    rated = jrun("--library", lib, "rate", "4", *paths[:2], "--json")
    assert rated["kind"] == "rating" and rated["changed"] == 2 and rated["marks"][paths[0]]["rating"] == 4
    fav = jrun("--library", lib, "favourite", paths[1], "--json")
    assert fav["marks"][paths[1]] == {"rating": 4, "favourite": True, "rotation": 0}
    turned = jrun("--library", lib, "rotate", "left", paths[2], "--json")
    assert turned["marks"][paths[2]]["rotation"] == 270
    assert jrun("--library", lib, "rotate", "reset", paths[2], "--json")["marks"][paths[2]]["rotation"] == 0

    assert [p["path"] for p in jrun("--library", lib, "photos", "--favourites", "--json")] == [paths[1]]
    assert sorted(p["path"] for p in jrun("--library", lib, "photos", "--min-rating", "4", "--json")) == paths[:2]
    hits = jrun("--library", lib, "search", "photo", "--all", "--favourites", "--json")
    assert [h["path"] for h in hits] == [paths[1]]
    assert jrun("--library", lib, "show", paths[0], "--json")["rating"] == 4
    assert {p: hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths} == sums

    bad = run("--library", lib, "rate", "7", paths[0], check=False)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    missing = run("--library", lib, "favourite", str(tmp_path / "nope.jpg"), check=False)
    assert missing.returncode == 1 and missing.stderr.startswith("photoapp: error: not in the library")

    trashed = jrun("--library", lib, "trash", paths[0], "--json", env=env)
    assert trashed["trashed"] == [paths[0]] and not os.path.exists(paths[0])
    assert paths[0] not in [p["path"] for p in jrun("--library", lib, "photos", "--json")]
    back = jrun("--library", lib, "untrash", paths[0], "--json", env=env)
    assert back["restored"] == [paths[0]] and os.path.exists(paths[0])
    assert jrun("--library", lib, "show", paths[0], "--json")["rating"] == 4  # marks came back
    again = run("--library", lib, "untrash", paths[0], "--json", check=False, env=env)
    assert again.returncode == 1
