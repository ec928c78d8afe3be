"""Shared fixtures: generated toy photos, the shipped tiny model, the real photos in ../shared."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_PHOTOS = ROOT.parent / "shared" / "photos"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Tests never touch the user's real library or model cache, and never go online."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PHOTOAPP_LIBRARY", str(home / "default-library"))
    monkeypatch.setenv("PHOTOAPP_MODELS_DIR", str(home / "models"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def shared_photos() -> Path:
    if not SHARED_PHOTOS.is_dir():
        pytest.skip(f"real photographs not found at {SHARED_PHOTOS}")
    return SHARED_PHOTOS


@pytest.fixture
def real_photos(shared_photos, tmp_path) -> Path:
    """A writable copy of a few real photographs."""
    folder = tmp_path / "real"
    folder.mkdir()
    for name in sorted(p.name for p in shared_photos.glob("*.jpg"))[:6]:
        shutil.copy2(shared_photos / name, folder / name)
    return folder


@pytest.fixture
def toy_photos(tmp_path) -> tuple[Path, dict]:
    """Two images of each of the 36 toy classes in a fresh folder, with the ground truth."""
    from photoapp.toy.domain import generate_library

    folder = tmp_path / "photos"
    return folder, generate_library(folder, per_class=2, seed=11)


@pytest.fixture(scope="session")
def held_out_library(tmp_path_factory):
    """A 360-image toy library (10 per class, fresh seed) indexed with the tiny model."""
    from photoapp.core.library import Library
    from photoapp.toy.domain import generate_library

    base = tmp_path_factory.mktemp("heldout")
    truth = generate_library(base / "photos", per_class=10, seed=90210)
    lib = Library(base / "library", model="toy")
    report = lib.index_folders([str(base / "photos")])
    yield lib, truth, report
    lib.close()


def write_exif_jpeg(
    path: Path,
    size=(64, 48),
    orientation: int = 1,
    taken: str | None = None,
    camera: str | None = None,
    colour=(200, 30, 30),
) -> Path:
    """A JPEG with the EXIF fields the catalog reads."""
    from PIL import Image

    img = Image.new("RGB", size, colour)
    img.paste((20, 20, 220), (0, 0, size[0] // 2, size[1] // 3))  # a marker to tell rotations apart
    exif = Image.Exif()
    exif[0x0112] = orientation
    if camera:
        exif[0x0110] = camera
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
    img.save(path, "JPEG", exif=exif.tobytes(), quality=92)
    return path


os.environ.setdefault("PYTHONHASHSEED", "0")
