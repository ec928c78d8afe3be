"""The trash journal through the real CLI: a resolve killed with SIGKILL at each step of a
move (its own test hook, PHOTOAPP_TEST_KILL_AT, makes the process kill itself at a chosen
point: deterministic, no timing), a full library disk, a trash emptied behind our back,
and a merely similar shot that a plain ``resolve PHOTO`` must leave alone. The trash is a
freedesktop trash under a temp XDG_DATA_HOME; the tiny model indexes real photographs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from photoapp.core.library import Library
from tests.cli.test_cli import jrun, run
from tests.core.duplicates.dupe_variants import make_variants

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def indexed_once(shared_photos, tmp_path_factory):
    """Garden.jpg, an exact copy, an EXIF copy and a half-size export (one near group), a
    tighter framing of Garden (a quarter of the width and an eighth of the height cut: a
    recomposition, only *similar* to it; a mirrored copy, or a crop keeping the proportions,
    is an edited copy since issue 28) and Storm.jpg; "holiday" given by hand to the
    half-size export. Indexed once, then each test starts from a copy of this state."""
    base = tmp_path_factory.mktemp("journal")
    folder = base / "photos"
    folder.mkdir()
    family = [str(p) for p in make_variants(shared_photos / "Garden.jpg", folder)[:4]]
    for extra in folder.iterdir():
        if str(extra) not in family:
            extra.unlink()
    garden = Image.open(shared_photos / "Garden.jpg").convert("RGB")
    w, h = garden.size
    garden.crop((w // 8, h // 16, w - w // 8, h - h // 16)).save(folder / "tighter.jpg", quality=90)
    shutil.copy2(shared_photos / "Storm.jpg", folder / "Storm.jpg")
    with Library(base / "lib", model="toy") as lib:
        lib.index_folders([str(folder)])
        lib.tags.add("holiday", [family[3]])
    for name in ("photos", "lib"):
        shutil.copytree(base / name, base / f"snap-{name}")
    return base, family


@pytest.fixture
def fresh(indexed_once, tmp_path):
    base, family = indexed_once
    for name in ("photos", "lib"):
        shutil.rmtree(base / name, ignore_errors=True)
        shutil.copytree(base / f"snap-{name}", base / name)
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    return base / "lib", base / "photos", family, env, tmp_path / "xdg" / "Trash"


def catalog(lib) -> tuple[set[str], dict[str, set[str]], list[tuple]]:
    """(catalogued paths, tags by path, journal rows (path, state, restored)) as another process sees them."""
    db = sqlite3.connect(f"file:{lib / 'catalog.sqlite3'}?mode=ro", uri=True)
    try:
        paths = {p for (p,) in db.execute("SELECT path FROM photos")}
        tags: dict[str, set[str]] = {}
        for path, tag in db.execute("SELECT p.path, t.tag FROM photo_tags t JOIN photos p ON p.id = t.photo_id"):
            tags.setdefault(path, set()).add(tag)
        journal = db.execute("SELECT path, state, restored FROM trashed ORDER BY id").fetchall()
    finally:
        db.close()
    return paths, tags, journal


def resolve_killed_at(lib, photo, env, point) -> subprocess.CompletedProcess:
    proc = run(
        "--library", lib, "dupes", "resolve", photo, "--json", env={**env, "PHOTOAPP_TEST_KILL_AT": point}, check=False
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr  # it really died there
    return proc


# (kill point, photos out of their folder when it died, how the next start settles the
# journal entries left pending). The three copies' intents are written in one commit.
KILLS = [
    ("intent", 0, ["kept", "kept", "kept"]),  # journal on disk, no file moved yet
    ("moved", 1, ["trashed", "kept", "kept"]),  # the first file in the trash, not recorded yet
    ("done", 1, ["kept", "kept"]),  # the first move recorded
    ("moved:2", 2, ["trashed", "kept"]),  # the second file in the trash, the first recorded
    ("done:3", 3, []),  # every move recorded, killed before the vector index was saved
]


@pytest.mark.parametrize("point,moved,outcomes", KILLS, ids=[k[0] for k in KILLS])
def test_kill_9_during_resolve_leaves_every_photo_in_place_or_restorable(fresh, point, moved, outcomes):
    lib, folder, family, env, trash = fresh
    [group] = jrun("--library", lib, "dupes", "--tier", "near", "--json")
    keep = group["keep"]
    everything, tags_before, _ = catalog(lib)
    resolve_killed_at(lib, family[3], env, point)
    # What the killed process left: its intents were on disk before any file moved.
    _, _, journal = catalog(lib)
    assert [state for _, state, _ in journal].count("pending") == len(outcomes)
    moved_unrecorded = [p for p, state, _ in journal if state == "pending" and not os.path.exists(p)]
    assert len(moved_unrecorded) == (1 if point.startswith("moved") else 0)

    # The next start (here: check) settles the journal and says so.
    proc = run("--library", lib, "check", "--json", env=env)
    settled = json.loads(proc.stdout)
    assert settled["ok"] and settled["integrity"] == "ok", settled  # a stale index is rebuilt, as after any crash
    assert [s["outcome"] for s in settled["trash_settled"]] == outcomes
    assert proc.stderr.count("a resolve was interrupted") == len(outcomes)

    gone = {p for p in family if not os.path.exists(p)}
    assert len(gone) == moved and keep not in gone
    paths, tags, journal = catalog(lib)
    assert paths == everything - gone  # in place <=> catalogued
    assert {p for p, state, _ in journal} == gone and all(state == "done" for _, state, _ in journal)
    in_trash = os.listdir(trash / "files") if (trash / "files").exists() else []
    assert sorted(in_trash) == sorted(os.path.basename(p) for p in gone)
    # Tags merged into the keeper stay merged only if the copy that had them really left.
    assert ("holiday" in tags.get(keep, set())) == (family[3] in gone)

    if not gone:
        refused = run("--library", lib, "dupes", "undo", env=env, check=False)
        assert refused.returncode == 1 and "nothing to undo" in refused.stderr
        return
    undone = jrun("--library", lib, "dupes", "undo", "--json", env=env)
    assert sorted(undone["restored"]) == sorted(gone) and not undone["failed"]
    assert all(os.path.exists(p) for p in family) and not os.listdir(trash / "files")
    paths, tags, journal = catalog(lib)
    assert paths == everything and tags == tags_before
    check = jrun("--library", lib, "check", "--no-repair", "--json", env=env)
    assert check["ok"] and check["index_agrees"] and not check["trash_settled"]


def test_killed_after_the_move_and_trash_emptied_is_recorded_as_gone(fresh):
    lib, folder, family, env, trash = fresh
    resolve_killed_at(lib, family[3], env, "moved")
    [lost] = [p for p in family if not os.path.exists(p)]
    shutil.rmtree(trash)  # emptied before Photoapp ran again
    history = run("--library", lib, "dupes", "history", "--json", env=env)
    assert "not in the trash" in history.stderr and lost in history.stderr
    [batch] = json.loads(history.stdout)
    assert batch["photos"] == 1 and batch["gone"] == 1 and batch["in_trash"] == 0
    paths, _, journal = catalog(lib)
    assert lost not in paths and journal == [(lost, "lost", None)]
    undone = jrun("--library", lib, "dupes", "undo", "--json", env=env)
    assert not undone["restored"] and "no longer in the trash" in undone["failed"][0]["reason"]


def test_full_library_disk_moves_nothing(fresh):
    """The library on a tmpfs filled to the last byte: the journal entry cannot be written,
    so no file moves, and the error is one line."""
    lib, folder, family, env, trash = fresh
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rm", "true"]).returncode != 0:
        pytest.skip("no user and mount namespaces here for a small tmpfs")
    mount = lib.parent / "mnt"
    mount.mkdir(exist_ok=True)
    before, tags_before, _ = catalog(lib)
    cmd = ["unshare", "-rm", sys.executable, "-m", "tests.cli.full_disk", str(lib), str(mount), "--"]
    proc = subprocess.run(
        [*cmd, "dupes", "resolve", family[3], "--tier", "all"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=dict(os.environ, **env),
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["rc"] == 1 and "Traceback" not in result["stderr"], result
    line = result["stderr"].strip()
    assert "\n" not in line and "nothing was moved to the trash" in line and "full" in line, line
    assert all(os.path.exists(p) for p in [*family, str(folder / "tighter.jpg")])
    assert not (trash / "files").exists() or not os.listdir(trash / "files")
    paths, tags, journal = catalog(lib)
    assert paths == before and tags == tags_before and journal == []


def test_resolve_one_photo_without_tier_never_trashes_a_similar_shot(fresh):
    """Garden's group under the default tier "all" holds the tighter shot too; naming a
    photo with no --tier acts on copies only, as the window does by default."""
    lib, folder, family, env, trash = fresh
    mirror = str(folder / "tighter.jpg")
    groups = jrun("--library", lib, "dupes", "--json")
    assert any(mirror in g["paths"] and family[1] in g["paths"] for g in groups), groups  # the setup holds

    report = jrun("--library", lib, "dupes", "resolve", family[1], "--keep", family[0], "--json", env=env)
    assert sorted(report["trashed"]) == sorted(family[1:]) and os.path.exists(mirror)
    refused = run("--library", lib, "dupes", "resolve", mirror, env=env, check=False)
    assert refused.returncode == 1 and "--tier similar" in refused.stderr and os.path.exists(mirror)
    # (Asking with --tier similar does act on other shots: tests/cli/test_dupes.py. Here the
    # tighter framing was similar to the copies only, so with them gone it has no group.)


def test_a_running_resolve_is_not_settled_by_another_process(fresh):
    """Pending moves of a live process are its own: another start leaves them alone."""
    lib, folder, family, env, trash = fresh
    resolve_killed_at(lib, family[3], env, "intent")
    db = sqlite3.connect(lib / "catalog.sqlite3")
    with db:
        db.execute("UPDATE trashed SET pid=?", (os.getpid(),))  # as if this test process were resolving
    db.close()
    check = jrun("--library", lib, "check", "--json", env=env)
    assert check["trash_settled"] == [] and [s for _, s, _ in catalog(lib)[2]] == ["pending"] * 3
    assert jrun("--library", lib, "dupes", "history", "--json", env=env) == []  # not yet part of any batch
