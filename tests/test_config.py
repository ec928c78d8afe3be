"""Atomic writes: a writer killed mid-write leaves a temp file that the next writer removes."""

from __future__ import annotations

import subprocess
import sys

from photoapp.config import atomic_write_bytes

WRITE_AND_DIE = """
import os, sys
from pathlib import Path
from photoapp.config import make_temp_file
fd, tmp = make_temp_file(Path(sys.argv[1]))
os.write(fd, b"half a file")
print(tmp, flush=True)
if sys.argv[2] == "die":
    os._exit(9)  # like kill -9: no cleanup
sys.stdin.read()  # stay alive, mid-write, until told
"""


def test_orphan_temp_files_are_removed_and_live_ones_kept(tmp_path):
    target = tmp_path / "settings.json"
    dead = subprocess.run(
        [sys.executable, "-c", WRITE_AND_DIE, str(target), "die"], capture_output=True, text=True, check=False
    )
    orphan = dead.stdout.strip()
    alive = subprocess.Popen(
        [sys.executable, "-c", WRITE_AND_DIE, str(target), "live"],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
        text=True,
    )
    try:
        in_progress = alive.stdout.readline().strip()
        atomic_write_bytes(target, b"{}")
        left = {p.name for p in tmp_path.iterdir()}
        assert target.read_bytes() == b"{}"
        assert orphan.rsplit("/", 1)[-1] not in left, "the killed writer's temp file is still there"
        assert in_progress.rsplit("/", 1)[-1] in left, "a live writer's temp file was removed"
    finally:
        alive.communicate("", timeout=30)


def test_the_old_default_search_ef_moves_to_the_current_one(tmp_path):
    """ef 256 missed 3 % of real caption queries' top 10 at 100k photos; a library that
    stored it (never a user's choice) searches at the current default, a chosen value stays."""
    import json

    from photoapp.config import Settings

    (tmp_path / "settings.json").write_text(json.dumps({"hnsw_ef": 256, "hnsw_m": 16}))
    assert Settings.load(tmp_path).hnsw_ef == Settings().hnsw_ef == 512
    (tmp_path / "settings.json").write_text(json.dumps({"hnsw_ef": 300}))
    assert Settings.load(tmp_path).hnsw_ef == 300


# settings.json as the release before the typed sections wrote it (every later feature's
# values in one untyped "extra" dict).
OLD_FORMAT = """{
  "batch_size": 16,
  "decode_workers": 0,
  "device": "cpu",
  "extra": {
    "auto_tagging": false,
    "duplicates": {"group_cap": 12, "near_max_bits": 18, "similar_max_gap_s": 3600},
    "gui": {"folder": "/photos/2024", "geometry": "AdnQywADAAA=", "sort": "date", "thumb_size": 220},
    "pending_model": "toy",
    "tag_max": 6,
    "tag_sensitivity": 0.7,
    "watch_max_batch": 64,
    "watch_poll_interval": 2.5,
    "watch_polling": true,
    "watch_settle": 1.5,
    "watch_video_settle": 4.0,
    "xmp_sidecars": true
  },
  "hnsw_ef": 512,
  "hnsw_ef_construction": 200,
  "hnsw_m": 16,
  "model": "openai/clip-vit-base-patch32",
  "precision": "auto",
  "strictness": 0.25
}"""


def test_an_old_settings_file_moves_into_the_typed_sections(tmp_path):
    import json

    from photoapp.config import DupeSettings, GuiState, Settings, TagSettings, WatchSettings

    (tmp_path / "settings.json").write_text(OLD_FORMAT)
    s = Settings.load(tmp_path)
    assert (s.model, s.device, s.batch_size, s.strictness) == ("openai/clip-vit-base-patch32", "cpu", 16, 0.25)
    assert s.pending_model == "toy"
    assert s.tags == TagSettings(sensitivity=0.7, max_tags=6, auto_tagging=False, xmp_sidecars=True)
    assert s.duplicates == DupeSettings(group_cap=12, near_max_bits=18, similar_max_gap_s=3600.0)
    assert s.watch == WatchSettings(polling=True, poll_interval=2.5, settle=1.5, video_settle=4.0, max_batch=64)
    assert s.gui == GuiState(geometry="AdnQywADAAA=", thumb_size=220, folder="/photos/2024", sort="date")

    s.save(tmp_path)  # the new format: sections, no "extra"
    stored = json.loads((tmp_path / "settings.json").read_text())
    assert "extra" not in stored
    assert stored["tags"]["sensitivity"] == 0.7 and stored["watch"]["polling"] is True
    assert stored["pending_model"] == "toy" and stored["gui"]["thumb_size"] == 220
    assert Settings.load(tmp_path) == s


def test_a_hand_edited_section_keeps_the_defaults_it_cannot_read(tmp_path):
    import json

    from photoapp.config import Settings, TagSettings

    (tmp_path / "settings.json").write_text(
        json.dumps({"tags": {"sensitivity": "high", "max_tags": 3, "nope": 1}, "watch": "not a section"})
    )
    s = Settings.load(tmp_path)
    assert s.tags == TagSettings(max_tags=3)
    assert s.watch == Settings().watch


def test_an_old_library_finishes_its_model_switch_from_the_old_file(tmp_path):
    """A library mid-switch under the old format keeps switching after the upgrade."""
    from photoapp.core.library import Library

    (tmp_path / "settings.json").write_text(OLD_FORMAT)
    with Library(tmp_path) as lib:
        assert lib.pending_model == "toy"
        assert lib.model_name == "openai/clip-vit-base-patch32"
        assert lib.settings.tags.sensitivity == 0.7
        assert lib.duplicates.settings.group_cap == 12
        assert lib.tags.settings().max_tags == 6


def test_a_full_disk_never_replaces_a_file_written_atomically(tmp_path, small_disk):
    """settings.json, sidecars, caches: a write that does not fit fails with an OSError and
    leaves the previous file (and no temp file); first deterministically (a file size
    limit), then on a real 512 kB filesystem that runs out of space."""
    import pytest

    from tests.conftest import file_size_limit

    for folder, limit in ((tmp_path / "limited", 4096), (small_disk, None)):
        folder.mkdir(exist_ok=True)
        target = folder / "settings.json"
        atomic_write_bytes(target, b'{"model": "toy"}')
        big = b"x" * (600 * 1024)
        if limit is None:
            with pytest.raises(OSError):
                atomic_write_bytes(target, big)
        else:
            with file_size_limit(limit), pytest.raises(OSError):
                atomic_write_bytes(target, big)
        assert target.read_bytes() == b'{"model": "toy"}'
        assert [p.name for p in folder.iterdir()] == ["settings.json"]


# -- a damaged settings.json (issue 29, finding 12) -------------------------------------------
def test_a_bad_value_keeps_its_default_and_every_other_key_is_kept(tmp_path):
    import json

    from photoapp.config import Settings

    stored = {
        "batch_size": "lots",
        "decode_workers": -3,
        "hnsw_ef": 300,
        "strictness": 0.4,
        "device": "cpu",
        "tags": {"sensitivity": 7, "max_tags": 6, "auto_tagging": "no", "xmp_sidecars": True},
        "watch": {"settle": 2.5, "max_batch": 0.5},
        "duplicates": "all of them",
    }
    (tmp_path / "settings.json").write_text(json.dumps(stored))
    problems: list[str] = []
    settings = Settings.load(tmp_path, problems)
    defaults = Settings()
    assert (settings.batch_size, settings.decode_workers) == (defaults.batch_size, defaults.decode_workers)
    assert (settings.hnsw_ef, settings.strictness, settings.device) == (300, 0.4, "cpu")
    assert (settings.tags.sensitivity, settings.tags.auto_tagging) == (0.5, True)
    assert (settings.tags.max_tags, settings.tags.xmp_sidecars) == (6, True)
    assert (settings.watch.settle, settings.watch.max_batch) == (2.5, defaults.watch.max_batch)
    assert settings.duplicates == defaults.duplicates
    keys = ["batch_size", "decode_workers", "tags.sensitivity", "tags.auto_tagging", "duplicates", "watch.max_batch"]
    assert len(problems) == len(keys)
    for key, line in zip(keys, problems):
        assert line.startswith(f"settings.json: {key} must be ") and "\n" not in line, line
    assert 'not "lots"; using the default (32)' in problems[0]


def test_an_unreadable_settings_file_is_moved_aside_never_overwritten(tmp_path):
    import json

    from photoapp.config import Settings

    path = tmp_path / "settings.json"
    text = json.dumps({"tags": {"xmp_sidecars": True, "sensitivity": 0.9}}, indent=2)
    path.write_text(text[: len(text) // 2])  # truncated
    problems: list[str] = []
    assert Settings.load(tmp_path, problems) == Settings()
    assert len(problems) == 1 and "moved to settings.json.bad" in problems[0] and "not valid JSON" in problems[0]
    assert not path.exists() and (tmp_path / "settings.json.bad").read_text() == text[: len(text) // 2]
    Settings().save(tmp_path)  # the app goes on and saves: the damaged file stays aside

    path.write_bytes(b"\xff\xfe not even text")  # damaged again: the first .bad is kept
    problems.clear()
    Settings.load(tmp_path, problems)
    assert "moved to settings.json.bad.1" in problems[0]
    assert (tmp_path / "settings.json.bad").read_text() == text[: len(text) // 2]
    assert (tmp_path / "settings.json.bad.1").read_bytes() == b"\xff\xfe not even text"

    path.write_text("[1, 2, 3]")  # JSON, but not settings
    problems.clear()
    Settings.load(tmp_path, problems)
    assert "not a JSON object" in problems[0] and (tmp_path / "settings.json.bad.2").exists()


def test_photoapp_faces_sets_the_default_and_a_saved_setting_wins(tmp_path, monkeypatch):
    """PHOTOAPP_FACES=off (the test suite, scripted runs) starts a library with faces off;
    what a library's settings.json says is kept whatever the environment says."""
    import json

    from photoapp.config import Settings

    monkeypatch.delenv("PHOTOAPP_FACES", raising=False)
    assert Settings.load(tmp_path).faces.enabled is True  # what users get
    for off in ("0", "off", "No", "false"):
        monkeypatch.setenv("PHOTOAPP_FACES", off)
        assert Settings.load(tmp_path).faces.enabled is False
    (tmp_path / "settings.json").write_text(json.dumps({"faces": {"enabled": True}}))
    assert Settings.load(tmp_path).faces.enabled is True
    monkeypatch.setenv("PHOTOAPP_FACES", "on")
    (tmp_path / "settings.json").write_text(json.dumps({"faces": {"enabled": False}}))
    assert Settings.load(tmp_path).faces.enabled is False
