"""kill -9 during `tag add` with XMP sidecars on (issue 29, finding 11): the catalog has the
tag, the sidecars do not, and a temp file lies in the photo folder. `check`, `index` and
switching sidecars on again each bring the sidecars back in step and remove the temp file.

The CLI runs as a real subprocess that kills itself (SIGKILL, no cleanup) at a fixed point:
PHOTOAPP_CRASH_AT (photoapp/config.py: crash_point)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from photoapp.config import TEMP_PREFIX
from photoapp.core.library import Library
from photoapp.core.tagging.xmp import read_subjects, sidecar_path
from photoapp.toy.domain import generate_library
from tests.core.tagging.sidecar_samples import DARKTABLE


def photoapp(lib, *args, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PHOTOAPP_CRASH_AT"}
    if crash_at:
        env["PHOTOAPP_CRASH_AT"] = crash_at
    cmd = [sys.executable, "-m", "photoapp", "--library", str(lib), *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, stdin=subprocess.DEVNULL)


def ok(lib, *args) -> dict | list:
    proc = photoapp(lib, *args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def xmp_library(tmp_path):
    folder = tmp_path / "photos"
    generate_library(folder, per_class=1, seed=5)
    lib = tmp_path / "lib"
    ok(lib, "--model", "toy", "index", "-q", folder)
    assert ok(lib, "tags", "settings", "--xmp", "on")["xmp_sidecars"] is True
    return lib, folder, sorted(str(p) for p in folder.iterdir() if not p.name.endswith(".xmp"))


def catalog_tags(lib, paths) -> dict[str, list[str]]:
    with Library(lib) as opened:
        return {p: sorted(opened.photo(p)["tags"]) for p in paths}


def _temp_files(folder) -> list:
    return sorted(folder.rglob(f"{TEMP_PREFIX}*"))


@pytest.mark.parametrize(
    "crash_at, reconcile",
    [
        ("before-rename *.xmp", "check"),
        ("before-rename *.xmp", "index"),
        ("before-rename *.xmp", "xmp off, on"),
        ("sidecars", "check"),  # killed after the commit, before any sidecar was opened
    ],
)
def test_kill_9_during_tag_add_is_reconciled(xmp_library, crash_at, reconcile):
    lib, folder, photos = xmp_library
    edited = photos[:3]
    killed = photoapp(lib, "tag", "add", "holiday", *edited, crash_at=crash_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert all("holiday" in tags for tags in catalog_tags(lib, edited).values())  # the catalog has it
    assert not any("holiday" in read_subjects(sidecar_path(p)) for p in edited)  # the sidecars do not
    assert len(_temp_files(folder)) == (1 if crash_at.startswith("before-rename") else 0)

    if reconcile == "check":
        assert ok(lib, "check")["sidecars_reconciled"] >= len(edited)
    elif reconcile == "index":
        ok(lib, "index", "-q", folder)
    else:
        ok(lib, "tags", "settings", "--xmp", "off")
        ok(lib, "tags", "settings", "--xmp", "on")

    for path, tags in catalog_tags(lib, photos).items():  # every sidecar says what the catalog says
        assert sorted(read_subjects(sidecar_path(path))) == tags, path
    assert all("holiday" in read_subjects(sidecar_path(p)) for p in edited)
    assert _temp_files(folder) == []
    assert ok(lib, "check")["sidecars_reconciled"] == 0  # nothing left out of step


def test_a_malformed_sidecar_is_reported_in_one_line_and_left_alone(xmp_library):
    lib, _, photos = xmp_library
    photo = photos[0]
    broken = DARKTABLE[: len(DARKTABLE) // 2]  # a darktable history cut short, keyword "family" and all
    sidecar_path(photo).write_text(broken)
    proc = photoapp(lib, "tag", "add", "holiday", photo)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("photoapp: warning: 1 XMP sidecar(s) not written"), proc.stderr
    assert "not well-formed XML" in lines[0] and "Traceback" not in proc.stderr
    assert sidecar_path(photo).read_text() == broken
    problems = {p["path"]: p["error"] for p in ok(lib, "status")["problems"]}
    assert problems[str(sidecar_path(photo))].startswith("sidecar not written: not well-formed XML")
    check = ok(lib, "check")
    assert check["ok"] and [s.split(": ")[0] for s in check["sidecars_not_written"]] == [str(sidecar_path(photo))]
    assert sidecar_path(photo).read_text() == broken
