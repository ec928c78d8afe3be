"""Shared fixtures: generated toy photos, the shipped tiny model, the real photos in ../shared."""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_PHOTOS = ROOT.parent / "shared" / "photos"
SHARED_FACES = ROOT.parent / "shared" / "faces"


# The face stage (dlib) costs seconds in every index run (its models load, each photo is
# decoded larger and searched for faces): libraries made by tests start with faces off
# (photoapp.config.faces_default), in this process and in the CLI processes tests start.
# Tests of faces are marked ``@pytest.mark.faces`` and see the default users get.
# ``PHOTOAPP_FACES=on pytest ...`` runs every test with faces on.
os.environ.setdefault("PHOTOAPP_FACES", "off")


def pytest_configure(config):
    config.addinivalue_line("markers", "faces: the test needs the face stage on (the default users get)")


def _faces_as_users_get(request):
    with pytest.MonkeyPatch.context() as patch:
        if request.node.get_closest_marker("faces") is not None:
            patch.delenv("PHOTOAPP_FACES", raising=False)
        yield


# Module scope for a module's pytestmark (its module-scoped libraries are indexed with faces
# on), function scope for one marked test.
_faces_module = pytest.fixture(autouse=True, scope="module", name="_faces_module")(_faces_as_users_get)
_faces_test = pytest.fixture(autouse=True, name="_faces_test")(_faces_as_users_get)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Tests never touch the user's real library or model cache, and never go online."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PHOTOAPP_LIBRARY", str(home / "default-library"))
    monkeypatch.setenv("PHOTOAPP_MODELS_DIR", str(home / "models"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def xdg_trash(tmp_path, monkeypatch):
    """A temporary freedesktop trash: send2trash reads XDG_DATA_HOME once, at import, so
    it is pointed at a temp dir and reloaded (and reloaded back afterwards)."""
    import importlib

    from send2trash import plat_other

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    importlib.reload(plat_other)
    yield tmp_path / "xdg" / "Trash"
    monkeypatch.undo()
    importlib.reload(plat_other)


@pytest.fixture(scope="session")
def shared_photos() -> Path:
    if not SHARED_PHOTOS.is_dir():
        pytest.skip(f"real photographs not found at {SHARED_PHOTOS}")
    return SHARED_PHOTOS


@pytest.fixture(scope="session")
def shared_faces() -> Path:
    """21 real photos of 6 people (../shared/faces/photos) and who is on each (identities.tsv)."""
    if not (SHARED_FACES / "identities.tsv").is_file():
        pytest.skip(f"real faces not found at {SHARED_FACES}")
    return SHARED_FACES


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


@pytest.fixture
def small_disk(tmp_path):
    """A 512 kB tmpfs at ``tmp_path / "disk"``: a disk that really fills up (ENOSPC).
    Skipped where mounting is not allowed (not root, a container without the right)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@contextmanager
def file_size_limit(limit: int):
    """Files written by this process cannot grow past ``limit`` bytes (EFBIG), as on a full
    disk, deterministically and without mounting anything; the limit is lifted afterwards."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


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


class Snapshot:
    """Folders built once for a module (photos, and the library that indexed them: its
    catalog names photos by absolute path, so they stay where they were built) and put back
    as they were before each test that uses them: tests that change a library share one
    index run, yet none sees what another did (tests/cli/test_dupes_journal.py's pattern)."""

    def __init__(self, base: Path, names: tuple[str, ...]):
        self.base, self.names = base, names
        for name in names:
            shutil.copytree(base / name, base / f"snapshot-{name}", symlinks=True)

    def restore(self) -> Path:
        for name in self.names:
            shutil.rmtree(self.base / name, ignore_errors=True)
            shutil.copytree(self.base / f"snapshot-{name}", self.base / name, symlinks=True)
        return self.base
