"""What a new user meets first (issue 31), through the real command line: --json on every
command (watch: one JSON object per event), check in words with its exit statuses, the demo
saying where it writes, an empty search that says why, and a RAW+JPEG pair named by either
of its files in every command."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

from photoapp.cli.app import build_parser
from photoapp.cli.output import empty_reason
from photoapp.core.search.ranking import Results
from photoapp.core.search.relevance import Cutoff
from tests.cli.test_cli import jrun, run
from tests.cli.test_watch import wait_for


def _commands(parser: argparse.ArgumentParser, prefix: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield prefix + name, sub
                yield from _commands(sub, f"{prefix}{name} ")


def test_every_command_takes_json():
    commands = dict(_commands(build_parser()))
    assert {"index", "search", "watch", "check", "dupes", "demo", "smart-album"} <= commands.keys()
    without = [name for name, sub in commands.items() if not any("--json" in a.option_strings for a in sub._actions)]
    assert without == []


def test_help_documents_the_exit_statuses():
    for args in (["--help"], ["check", "--help"]):
        text = run(*args).stdout
        assert "exit status:" in text and "130" in text, args
    assert "damaged and was not repaired" in run("check", "--help").stdout


@pytest.fixture(scope="module")
def pair_library(tmp_path_factory):
    """36 toy photos, a camera's DNG+JPEG pair, and an exact copy of the pair's JPEG elsewhere."""
    pytest.importorskip("rawpy")
    from photoapp.toy.domain import ToyClass, generate_library, render
    from tests.media import write_dng

    root = tmp_path_factory.mktemp("first-hour")
    folder = root / "photos"
    generate_library(folder, per_class=1, seed=3)
    circle = render(ToyClass("red", "circle", "white"), np.random.default_rng(5))
    circle.save(folder / "IMG_0042.jpg", quality=92)
    write_dng(circle, folder / "IMG_0042.dng")
    (folder / "copies").mkdir()
    shutil.copy2(folder / "IMG_0042.jpg", folder / "copies" / "IMG_0042.jpg")
    lib = root / "lib"
    jrun("--library", lib, "--model", "toy", "index", folder, "--json")
    return lib, folder


def test_either_file_of_a_pair_names_it_in_dupes(pair_library):
    lib, folder = pair_library
    jpeg, dng, copy = folder / "IMG_0042.jpg", folder / "IMG_0042.dng", folder / "copies" / "IMG_0042.jpg"
    [group] = [g for g in jrun("--library", lib, "dupes", "--tier", "exact", "--json") if str(copy) in g["paths"]]
    assert group["keep"] == str(jpeg) and group["raw"] == {str(jpeg): str(dng)}
    listed = run("--library", lib, "dupes", "--tier", "exact").stdout
    assert f"{jpeg}  (+ IMG_0042.dng)" in listed

    for named in (dng, jpeg, copy):  # the RAW of the pair answers as show does
        plan = jrun("--library", lib, "dupes", "resolve", named, "--dry-run", "--json")
        assert plan == {"dry_run": True, "kept": [str(jpeg)], "would_trash": [str(copy)]}, named
    kept_by_raw = jrun("--library", lib, "dupes", "resolve", copy, "--keep", dng, "--dry-run", "--json")
    assert kept_by_raw["kept"] == [str(jpeg)] and kept_by_raw["would_trash"] == [str(copy)]
    assert jrun("--library", lib, "show", dng, "--json")["path"] == str(jpeg)
    tagged = jrun("--library", lib, "tag", "add", "camera", dng, "--json")
    assert tagged["changed"] == 1 and "camera" in jrun("--library", lib, "show", jpeg, "--json")["tags"]
    look_alikes = jrun("--library", lib, "similar", dng, "-k", "3", "--json")
    assert str(jpeg) not in [h["path"] for h in look_alikes]  # the pair itself is the query, left out

    stranger = folder / "not-indexed.jpg"
    gone = run("--library", lib, "dupes", "resolve", stranger, check=False)
    assert gone.returncode == 1 and gone.stderr.strip() == f"photoapp: error: not in the library: {stranger}"


def test_search_hits_name_the_pairs_raw(pair_library):
    lib, folder = pair_library
    hits = jrun("--library", lib, "search", "red circle", "--all", "-k", "40", "--json")
    assert any(h.get("raw") == str(folder / "IMG_0042.dng") for h in hits)
    text = run("--library", lib, "search", "red circle", "--all", "-k", "40").stdout
    assert f"{folder / 'IMG_0042.jpg'} (+ IMG_0042.dng)  [raw]" in text


def test_an_empty_search_says_why_and_offers_all(pair_library):
    lib, _ = pair_library
    # The toy domain has no dogs: nothing stands out (issue 31: it said only "no matching photos").
    empty = run("--library", lib, "search", "a dog on a beach")
    assert empty.stdout.startswith("no matching photos: ") and "add --all" in empty.stdout, empty.stdout
    assert len(jrun("--library", lib, "search", "a dog on a beach", "--all", "-k", "3", "--json")) == 3


def test_empty_reasons_name_the_verdict():
    flat = empty_reason(Results([], 0, Cutoff(float("inf"), "flat", 0.0)))
    assert "scores about the same on every photo" in flat and "--all" in flat
    tail = empty_reason(Results([], 0, Cutoff(0.3, "tail", 0.0)), filtered=True)
    assert "within the filters" in tail and "--all" in tail
    assert "no indexed photos" in empty_reason(Results([], 0, Cutoff(float("inf"), "none", 0.0)))
    assert empty_reason(Results([], 0, None), filtered=True) == (
        "no photos within the filters (--folder, --after, --before, --type, --place)"
    )


def test_check_speaks_text_and_exits_1_on_problems(pair_library, tmp_path):
    lib, folder = pair_library
    clean = run("--library", lib, "check")
    assert clean.stdout.startswith("catalog: ok\n") and "result:  ok" in clean.stdout
    # A copy of the library whose vector index is damaged: a finding, exit 1 without repair.
    lib2 = tmp_path / "lib"
    shutil.copytree(lib, lib2)
    [index] = (lib2 / "index").glob("*.hnsw")
    index.write_bytes(index.read_bytes()[:100])
    found = run("--library", lib2, "check", "--no-repair", check=False)
    assert found.returncode == 1 and "result:  problems remain" in found.stdout, found.stdout
    assert not found.stdout.lstrip().startswith("{")
    repaired = run("--library", lib2, "check", "--json")
    assert json.loads(repaired.stdout)["index_rebuilt"] is True


def test_demo_says_where_it_writes_and_takes_out(tmp_path):
    out = tmp_path / "my demo"
    proc = run("demo", "--out", out, "--per-class", "1", "--no-gui", env={"PHOTOAPP_LIBRARY": str(tmp_path / "mine")})
    assert f"photoapp: writing demo photos to {out / 'photos'}" in proc.stderr
    assert f"photoapp: demo library: {out / 'library'}" in proc.stderr
    assert (out / "library" / "catalog.sqlite3").exists()
    assert sum(p.is_file() for p in (out / "photos").rglob("*")) == 36
    assert not (tmp_path / "mine").exists() and not (tmp_path / "demo-library").exists()
    again = run("demo", "--out", out, "--no-gui", "--json")
    assert json.loads(again.stdout)["folder"] == str(out / "photos") and "reused" in again.stderr


def test_watch_json_is_one_object_per_event(tmp_path):
    from photoapp.toy.domain import generate_library

    folder, lib, log = tmp_path / "photos", tmp_path / "lib", tmp_path / "watch.jsonl"
    generate_library(folder, per_class=1, seed=4)
    cmd = [sys.executable, "-m", "photoapp", "--library", str(lib), "--model", "toy", "watch", str(folder)]
    with open(log, "w") as out:
        proc = subprocess.Popen([*cmd, "--settle", "0.5", "--json"], stdout=out, stderr=subprocess.PIPE, text=True)
    try:

        def events() -> list[dict]:
            return [json.loads(line) for line in log.read_text().splitlines() if line.endswith("}")]

        wait_for(lambda: any(e.get("state") == "watching" for e in events()) or proc.poll() is not None, "watching")
        shutil.copy2(next(folder.glob("*.png")), folder / "new.png")
        wait_for(lambda: any(str(folder / "new.png") in e.get("paths", ()) for e in events()), "the new photo")
    finally:
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    lines = log.read_text().splitlines()
    assert all(json.loads(line)["event"] in ("status", "batch") for line in lines)  # every line one object
    batch = next(e for e in map(json.loads, lines) if e["event"] == "batch")
    assert {"paths", "embedded", "moved", "removed", "failed"} <= batch.keys()
    assert "photoapp: watching" not in stderr  # the events went to stdout, not as lines on stderr
    assert os.path.exists(lib / "catalog.sqlite3")


def test_settings_by_key(tmp_path):
    lib = tmp_path / "lib"
    listing = jrun("--library", lib, "settings", "--json")
    assert listing["file"] == str(lib / "settings.json") and listing["settings"] == listing["defaults"]
    assert {"precision", "strictness", "duplicates.near_max_bits", "tags.sensitivity"} <= listing["settings"].keys()

    assert jrun("--library", lib, "settings", "strictness", "0.3", "--json") == {"strictness": 0.3}
    assert jrun("--library", lib, "settings", "precision", "int8", "--json") == {"precision": "int8"}
    assert run("--library", lib, "settings", "watch.polling", "true").stdout == "watch.polling = true\n"
    stored = json.loads((lib / "settings.json").read_text())
    assert (stored["strictness"], stored["precision"], stored["watch"]["polling"]) == (0.3, "int8", True)
    assert "strictness = 0.3   (default 0.0)" in run("--library", lib, "settings").stdout

    for key, value, message in [
        ("strictness", "4", "strictness must be a number from -1.0 to 1.0, not 4"),
        ("precision", "int4", 'precision must be one of auto, fp32, fp16, bf16, int8, not "int4"'),
        ("model", "toy", "model is not set by key: use --model ID|PATH|toy"),
        ("colour", "red", "no setting 'colour'; `photoapp settings` lists them"),
    ]:
        refused = run("--library", lib, "settings", key, value, check=False)
        assert (refused.returncode, refused.stderr) == (1, f"photoapp: error: {message}\n"), key
    assert json.loads((lib / "settings.json").read_text()) == stored  # a refused value changes nothing


def test_a_device_or_precision_outside_its_choices_keeps_the_default(tmp_path):
    from photoapp.config import Settings

    (tmp_path / "settings.json").write_text(json.dumps({"device": "gpu", "precision": "int8"}))
    problems: list[str] = []
    settings = Settings.load(tmp_path, problems)
    assert (settings.device, settings.precision) == ("auto", "int8")
    assert problems == [
        'settings.json: device must be one of auto, cpu, cuda, mps, not "gpu"; using the default ("auto")'
    ]
