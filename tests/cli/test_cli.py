"""The CLI end to end, as a user runs it: a real process, JSON on stdout, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from photoapp.toy.domain import generate_library
from tests.conftest import Snapshot


def run(*args, env=None, check=True):
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.run(
        [sys.executable, "-m", "photoapp", *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def jrun(*args, **kw):
    return json.loads(run(*args, **kw).stdout)


@pytest.fixture(scope="module")
def _indexed_once(tmp_path_factory):
    """72 toy photos (toy_photos' set) indexed once for the module, and what index said."""
    base = tmp_path_factory.mktemp("cli")
    truth = generate_library(base / "photos", per_class=2, seed=11)
    result = jrun("--library", base / "lib", "--model", "toy", "index", base / "photos", "--json")
    return Snapshot(base, ("photos", "lib")), truth, result


@pytest.fixture
def indexed(_indexed_once):
    """That library and its photos as they were indexed, for one test to change."""
    snapshot, truth, result = _indexed_once
    base = snapshot.restore()
    return base / "lib", base / "photos", truth, result


def test_index_json_and_incremental(indexed):
    lib, folder, truth, result = indexed
    assert {"scanned", "embedded", "skipped", "failed", "seconds"} <= set(result)
    assert result["scanned"] == result["embedded"] == len(truth)
    again = jrun("--library", lib, "index", "--json")
    assert again["embedded"] == 0 and again["skipped"] == len(truth)


def test_search_similar_show_status_check(indexed):
    lib, folder, truth, _ = indexed
    hits = jrun("--library", lib, "search", "red circle", "-k", "4", "--all", "--json")
    assert len(hits) == 4
    assert all(set(h) == {"path", "score", "taken", "kind"} and os.path.isabs(h["path"]) for h in hits)
    assert sum("red_circle" in h["path"] for h in hits) >= 2  # 2 red circles per background in the folder
    target = str(next(iter(truth)))
    similar = jrun("--library", lib, "similar", target, "-k", "3", "--all", "--json")
    assert len(similar) == 3 and target not in [h["path"] for h in similar]
    shown = jrun("--library", lib, "show", target, "--json")
    assert shown["path"] == target and shown["width"] > 0 and "toy" in shown["embedded_models"]
    status = jrun("--library", lib, "status", "--json")
    assert status["photos"] == status["indexed"] == len(truth) and status["model"] == "toy"
    assert status["folders"] == [str(folder)] and status["problems"] == []
    assert jrun("--library", lib, "check", "--json")["ok"] is True


def test_library_from_environment(indexed):
    lib, *_ = indexed
    status = jrun("status", "--json", env={"PHOTOAPP_LIBRARY": str(lib)})
    assert status["library"] == str(lib) and status["photos"] > 0


def test_human_output(indexed):
    lib, *_ = indexed
    out = run("--library", lib, "search", "blue", "-k", "2").stdout.strip().splitlines()
    assert len(out) == 3 and out[0].split()[2].startswith("/")  # score, date taken, path
    assert out[2] == "12 relevant photos, showing 2"  # 2 per class: 3 shapes x 2 backgrounds


@pytest.mark.parametrize(
    "args, message",
    [
        (["index", "/definitely/not/here"], "not a folder"),
        (["search", "x", "-k", "0"], "-k must be at least 1"),
        (["search", "x", "--after", "tomorrow"], "not a date"),
        (["show", "/nope.jpg"], "not in the library"),
        (["--model", "/no/such/model", "index", "."], "does not exist"),
        (["--model", "someone/not-downloaded", "index", "."], "cannot download model"),
    ],
)
def test_errors_are_one_clear_line(tmp_path, args, message):
    proc = run("--library", tmp_path / "lib", *args, check=False)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_bad_arguments_exit_with_usage(tmp_path):
    proc = run("--library", tmp_path, "search", check=False)
    assert proc.returncode == 2 and "usage" in proc.stderr and "Traceback" not in proc.stderr


def test_demo_headless(tmp_path):
    data = jrun(
        "--library", tmp_path / "demo-lib", "demo", tmp_path / "demo-photos", "--per-class", "2", "--json", "--no-gui"
    )
    assert data["index"]["embedded"] == 72
    assert all(1 <= len(hits) <= 5 for hits in data["searches"].values())  # the relevant ones, at most 5
    red = data["searches"]["red circle"]
    assert "red_circle" in red[0]["path"]


def test_help_does_not_import_torch():
    code = "import sys; from photoapp.cli import build_parser; build_parser(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_a_damaged_settings_file_is_one_warning_line(tmp_path):
    """A bad value names its key; a truncated file is set aside; the command still runs."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "settings.json").write_text('{"batch_size": "lots", "device": "cpu"}')
    proc = run("--library", lib, "status", "--json")
    expected = (
        'photoapp: warning: settings.json: batch_size must be a whole number of at least 1, not "lots"; '
        "using the default (32)"
    )
    assert proc.stderr.strip().splitlines() == [expected]
    (lib / "settings.json").write_text('{"tags": {"xmp_sid')
    proc = run("--library", lib, "status", "--json")
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "moved to settings.json.bad" in lines[0], proc.stderr
    assert (lib / "settings.json.bad").read_text() == '{"tags": {"xmp_sid'


def test_show_prints_the_camera_settings_of_a_real_photo(tmp_path, real_photos):
    lib = tmp_path / "lib"
    run("--library", lib, "folders", "add", real_photos)
    run("--library", lib, "--model", "toy", "index")
    shown = jrun("--library", lib, "show", real_photos / "Blinds.jpg", "--json")
    from photoapp.core.media.exif import read_exif  # its values: tests/core/media/test_exif.py

    assert shown["exif"] == read_exif(real_photos / "Blinds.jpg") and shown["exif"]["aperture"] == 5.6
    lines = run("--library", lib, "show", real_photos / "Blinds.jpg").stdout.splitlines()
    assert "        Aperture: f/5.6" in lines and "         Shutter: 1/80 s" in lines
    assert not any(line.lstrip().startswith("exif:") for line in lines)  # words, not a raw dict
    assert jrun("--library", lib, "show", real_photos / "Aqua.jpg", "--json")["exif"] == {}  # no EXIF
