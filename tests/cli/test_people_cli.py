"""photoapp people and search --person as a user runs them, on real faces (../shared/faces)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("dlib")
pytestmark = pytest.mark.faces  # tests of the face stage: it stays on (tests/conftest.py)

PHOTOS = [
    "obama-1080p.jpg",
    "obama3.jpg",
    "test_obama1.jpg",
    "train_obama_obama.jpg",
    "train_kit_harington_john1.jpeg",
    "train_kit_harington_john2.jpeg",
    "test_johnsnow_test1.jpg",
]


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


@pytest.fixture(scope="module")
def lib(shared_faces, tmp_path_factory):
    base = tmp_path_factory.mktemp("people-cli")
    (base / "photos").mkdir()
    for name in PHOTOS:
        shutil.copy(shared_faces / "photos" / name, base / "photos" / name)
    library = base / "lib"
    report = json.loads(run("--library", library, "--model", "toy", "index", base / "photos", "--json").stdout)
    assert report["faces"] == len(PHOTOS)
    return ("--library", library, "--model", "toy")


def jrun(lib, *args):
    return json.loads(run(*lib, *args, "--json").stdout)


def test_people_are_listed_named_and_searched(lib):
    people = jrun(lib, "people")
    assert sorted(len(p["photos"]) for p in people) == [3, 4]
    assert all({"id", "name", "photos", "photo_count", "cover"} <= set(p) for p in people)
    kit = next(p for p in people if any("kit" in path or "johnsnow" in path for path in p["photos"]))
    named = jrun(lib, "people", "name", kit["id"], "Kit", "Harington")
    assert named["name"] == "Kit Harington"
    hits = jrun(lib, "search", "--person", "kit harington")
    assert sorted(h["path"] for h in hits) == sorted(kit["photos"])
    assert jrun(lib, "people", "show", "Kit Harington")["photos"] == kit["photos"]
    # The name in the search bar: a person filter (a chip), alone or with words
    by_name = jrun(lib, "search", "kit harington")
    assert sorted(h["path"] for h in by_name) == sorted(kit["photos"])
    meaning = jrun(lib, "search", "Kit Harington outdoors", "--explain")
    assert [(c["kind"], c["value"]) for c in meaning["chips"]] == [("person", kit["id"])]
    assert meaning["text"] == "outdoors"


def test_corrections_from_the_command_line(lib):
    people = jrun(lib, "people")
    a = people[0]
    face = jrun(lib, "people", "show", a["id"])["faces"][0]
    jrun(lib, "people", "remove-face", face["id"])
    assert face["path"] not in jrun(lib, "people", "show", a["id"])["photos"]
    jrun(lib, "people", "confirm", face["id"], a["id"])
    assert face["path"] in jrun(lib, "people", "show", a["id"])["photos"]
    jrun(lib, "people", "hide", a["id"])
    assert a["id"] not in [p["id"] for p in jrun(lib, "people")]
    jrun(lib, "people", "unhide", a["id"])
    assert a["id"] in [p["id"] for p in jrun(lib, "people")]
    faces = jrun(lib, "people", "faces", face["path"])
    assert [f["id"] for f in faces] == [face["id"]]


def test_mistakes_are_one_line(lib):
    for args, message in [
        (("people", "name", "999", "Nobody"), "no such person: 999"),
        (("people", "remove-face", "abc"), "not a face id"),
        (("people", "merge", "1"), "needs PERSON OTHER"),
        (("search", "--person", "Nobody At All"), "no such person"),
    ]:
        proc = run(*lib, *args, check=False)
        assert proc.returncode == 1, args
        assert proc.stderr.startswith("photoapp: error: ") and message in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    proc = run(*lib, "search", check=False)  # no query, no --person: a usage error
    assert proc.returncode == 2 and "missing QUERY" in proc.stderr and "usage" in proc.stderr


def test_faces_off_deletes_people(lib, tmp_path):
    settings = jrun(lib, "people", "settings")
    assert settings["enabled"] and settings["detector"] == "hog"
    off = jrun(lib, "people", "settings", "--faces", "off")
    assert off["faces"] == 0 and off["people"] == 0
    assert jrun(lib, "people") == []
    jrun(lib, "people", "settings", "--faces", "on")
    run(*lib, "index", "-q")
    assert len(jrun(lib, "people")) == 2
