"""The tagging commands as a user runs them: labels, tags, tag, album, smart-album, show."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from photoapp.toy.domain import generate_library
from tests.conftest import Snapshot


def run(*args, check=True):
    proc = subprocess.run(
        [sys.executable, "-m", "photoapp", *map(str, args)],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def jrun(*args):
    return json.loads(run(*args).stdout)


@pytest.fixture(scope="module")
def _lib_once(tmp_path_factory):
    """72 toy photos (toy_photos' set) in a library whose vocabulary is the toy labels, set
    from a file before indexing: indexed once for the module."""
    base = tmp_path_factory.mktemp("tags-cli")
    truth = generate_library(base / "photos", per_class=2, seed=11)
    labels = base / "labels.txt"
    labels.write_text("[Colours]\nred\ngreen\nblue\nyellow\npurple\norange\n[Shapes]\ncircle\nsquare\ntriangle\n")
    library = base / "lib"
    listed = jrun("--library", library, "--model", "toy", "labels", "set", labels, "--json")
    assert [x["name"] for x in listed][:2] == ["red", "green"] and listed[-1]["group"] == "Shapes"
    run("--library", library, "--model", "toy", "index", base / "photos", "--json")
    return Snapshot(base, ("photos", "lib")), {str(p): c for p, c in truth.items()}


@pytest.fixture
def lib(_lib_once):
    """That library and its photos as they were indexed, for one test to change."""
    snapshot, truth = _lib_once
    return snapshot.restore() / "lib", truth


def test_tags_album_show_and_manual_edits(lib):
    library, truth = lib
    counts = jrun("--library", library, "tags", "--json")
    assert set(counts) <= {"red", "green", "blue", "yellow", "purple", "orange", "circle", "square", "triangle"}
    assert sum(counts.values()) >= len(truth)
    album = jrun("--library", library, "album", "triangle", "--json")
    assert album and all(set(a) == {"path"} for a in album)
    assert sum(truth[a["path"]].shape == "triangle" for a in album) / len(album) >= 0.8
    path = album[0]["path"]
    shown = jrun("--library", library, "show", path, "--json")
    assert "triangle" in shown["tags"]
    jrun("--library", library, "tag", "add", "keeper", path, "--json")
    jrun("--library", library, "tag", "remove", "triangle", path, "--json")
    shown = jrun("--library", library, "show", path, "--json")
    assert "keeper" in shown["tags"] and "triangle" not in shown["tags"]
    human = run("--library", library, "labels", "list").stdout
    assert human.startswith("[Colours]\nred\n")


def test_train_settings_and_smart_album(lib, tmp_path):
    library, truth = lib
    reds = sorted(p for p, c in truth.items() if c.colour == "red")
    result = jrun(
        "--library",
        library,
        "tags",
        "train",
        "reddish",
        "--positive",
        *reds[:4],
        "--negative",
        sorted(truth)[0] if truth[sorted(truth)[0]].colour != "red" else sorted(truth)[-1],
        "--json",
    )
    assert result["tag"] == "reddish" and result["examples"] == 4 and result["counter_examples"] == 1
    album = {a["path"] for a in jrun("--library", library, "album", "reddish", "--json")}
    assert set(reds[:4]) <= album
    settings = jrun("--library", library, "tags", "settings", "--sensitivity", "0.8", "--xmp", "on", "--json")
    assert settings["sensitivity"] == 0.8 and settings["xmp_sidecars"] is True
    assert os.path.exists(reds[0] + ".xmp")
    jrun("--library", library, "smart-album", "add", "blue ones", "blue", "--json")
    assert jrun("--library", library, "smart-album", "list", "--json") == [{"name": "blue ones", "query": "blue"}]
    shown = jrun("--library", library, "album", "blue ones", "--json")
    assert shown and truth[shown[0]["path"]].colour == "blue"


def test_errors_are_one_line(lib, tmp_path):
    library, truth = lib
    few = sorted(truth)[:2]
    proc = run("--library", library, "tags", "train", "x", "--positive", *few, check=False)
    assert proc.returncode == 1 and "at least 3" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    proc = run("--library", library, "tag", "add", "x", tmp_path / "nowhere.jpg", check=False)
    assert proc.returncode == 1 and "not in the library" in proc.stderr
    proc = run("--library", library, "labels", "set", tmp_path / "missing.txt", check=False)
    assert proc.returncode == 1 and "cannot read label file" in proc.stderr


def test_rename_and_forget_a_taught_tag(lib):
    library, truth = lib
    reds = sorted(p for p, c in truth.items() if c.colour == "red")
    jrun("--library", library, "tags", "train", "reddish", "--positive", *reds[:4], "--json")
    jrun("--library", library, "tag", "add", "reddish", reds[4], "--json")  # by hand: an example that stays
    renamed = jrun("--library", library, "tags", "rename", "reddish", "crimson", "--json")
    assert renamed["tag"] == "crimson" and renamed["was"] == "reddish" and renamed["merged"] is False
    album = {a["path"] for a in jrun("--library", library, "album", "crimson", "--json")}
    assert set(reds[:5]) <= album and len(album) == renamed["photos"]
    assert "reddish" not in jrun("--library", library, "tags", "--json")

    human = run("--library", library, "tags", "forget", "crimson").stdout
    assert human.startswith("forgot the taught tag 'crimson': taken off ") and "1 photos keep it" in human
    assert [a["path"] for a in jrun("--library", library, "album", "crimson", "--json")] == [reds[4]]
    proc = run("--library", library, "tags", "forget", "crimson", check=False)
    assert proc.returncode == 1 and proc.stderr == "photoapp: error: no taught tag named 'crimson'\n"


def test_rename_errors_are_one_line(lib):
    library, truth = lib
    reds = sorted(p for p, c in truth.items() if c.colour == "red")
    jrun("--library", library, "tags", "train", "reddish", "--positive", *reds[:3], "--json")
    jrun("--library", library, "tags", "train", "rosy", "--positive", *reds[3:6], "--json")
    for args, says in [
        (("rename", "reddish", "rosy"), "'rosy' is already a taught tag: choose another name"),
        (("rename", "reddish", " "), "empty tag name"),
        (("rename", "reddish"), "missing NEW"),
        (("rename", "nothing", "something"), "no tag named 'nothing'"),
        (("forget",), "missing NAME"),
    ]:
        proc = run("--library", library, "tags", *args, "--json", check=False)
        assert proc.returncode == 1 and proc.stderr == f"photoapp: error: {says}\n", (args, proc.stderr)
    merged = run("--library", library, "tags", "rename", "reddish", "red").stdout  # an auto-tag's name
    assert merged.startswith("renamed 'reddish' to 'red' (merged with the tag 'red' already there): ")
