"""A damaged vector index file (issue 29, findings 8 and 10), through the real CLI in a
subprocess: a crash inside hnswlib would show as a negative exit status (-11: SIGSEGV).
Every command notices the damage before hnswlib reads the file, rebuilds the index from the
catalog with one warning line, and answers as it did before the damage."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys

import pytest

from tests.cli.test_reliability import index_in_process


def photoapp(lib, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "photoapp", "--library", str(lib), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def _index_file(lib):
    (found,) = (lib / "index").glob("*.hnsw")
    return found


def _overwrite(offset: int, data: bytes = b"\xff" * 8):
    def damage(path):
        with open(path, "r+b") as fh:
            fh.seek(offset)
            fh.write(data)

    return damage


def _truncate(keep):
    def damage(path):
        size = os.path.getsize(path)
        with open(path, "r+b") as fh:
            fh.truncate(keep(size))

    return damage


def _flip(count: int, seed: int = 29):
    def damage(path):
        data = bytearray(path.read_bytes())
        for pos in random.Random(seed).sample(range(len(data)), count):
            data[pos] ^= 0xFF
        path.write_bytes(bytes(data))

    return damage


def _legacy(damage):
    """A file saved by an older Photoapp (no CRC in its sidecar), then damaged: the walk
    over its structure alone must find the damage."""

    def legacy(path):
        meta_path = path.with_suffix(".json")
        meta = json.loads(meta_path.read_text())
        meta_path.write_text(json.dumps({k: v for k, v in meta.items() if k not in ("file_crc", "file_size")}))
        damage(path)

    return legacy


# (damage, the command that meets it first): header fields hnswlib sizes its arrays and
# walks its links with (offsets 8..88 of the 96-byte header), the first level-0 link list,
# a cut-off file, 300 flipped bytes (an OverflowError traceback before) and an empty file.
DAMAGE = {
    "max_elements": (_overwrite(8), "dupes"),
    "element_count": (_overwrite(16), "check"),
    "record_size": (_overwrite(24), "search"),
    "maxlevel_entrypoint": (_overwrite(48), "dupes"),
    "maxM0": (_overwrite(64), "check"),
    "mult": (_overwrite(80), "dupes"),
    "level0_links": (_overwrite(96, b"\x05\x00\x00\x00" + b"\xff" * 20), "check"),
    "truncated_half": (_truncate(lambda size: size // 2), "dupes"),
    "truncated_header": (_truncate(lambda size: 50), "check"),
    "flipped_300_bytes": (_flip(300), "search"),
    "empty": (_truncate(lambda size: 0), "dupes"),
    "legacy_element_count": (_legacy(_overwrite(16)), "dupes"),
    "legacy_level0_links": (_legacy(_overwrite(96, b"\x05\x00\x00\x00" + b"\xff" * 20)), "check"),
}
COMMAND_ARGS = {"search": ["search", "flower", "--all", "-k", "30"], "dupes": ["dupes"], "check": ["check"]}


@pytest.fixture(scope="module")
def indexed_real(tmp_path_factory, shared_photos):
    """The 27 real photos indexed with the toy model, and the answers before any damage."""
    base = tmp_path_factory.mktemp("corrupt-index")
    folder, lib = base / "photos", base / "lib"
    shutil.copytree(shared_photos, folder)
    index_in_process(lib, folder)
    answers = {name: json.loads(photoapp(lib, *args, "--json").stdout) for name, args in COMMAND_ARGS.items()}
    index_file = _index_file(lib)
    return lib, answers, index_file.read_bytes(), index_file.with_suffix(".json").read_bytes()


@pytest.mark.parametrize("name", DAMAGE)
def test_a_damaged_index_is_rebuilt_with_one_warning(indexed_real, name):
    lib, answers, good, meta = indexed_real
    index_file = _index_file(lib)
    index_file.write_bytes(good)
    index_file.with_suffix(".json").write_bytes(meta)
    damage, command = DAMAGE[name]
    damage(index_file)
    proc = photoapp(lib, *COMMAND_ARGS[command], "--json")
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr}"  # -11 would be a segfault
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("photoapp: warning:")]
    assert len(warnings) == 1 and "damaged" in warnings[0] and "rebuilt" in warnings[0], proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    if command == "check":
        assert data["ok"] and data["index_rebuilt"] and not data["index_agrees"], data
    else:
        assert data == answers[command]
    # Rebuilt and saved: the next run loads it without a word and finds it in step.
    again = photoapp(lib, "check", "--no-repair", "--json")
    assert again.returncode == 0 and again.stderr == "", again.stderr
    assert json.loads(again.stdout)["index_agrees"] is True
