"""installers/linux/install.sh on an unpacked-bundle layout (a stand-in `photoapp` program,
the real icons and .desktop entry): freedesktop install, a path with a space, uninstall."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "installers" / "linux"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the Linux installer")


@pytest.fixture
def unpacked(tmp_path) -> Path:
    """The top of the .tar.gz as build.sh lays it out."""
    folder = tmp_path / "photoapp-0.0.0-linux-x86_64"
    icons = folder / "_internal" / "resources" / "icons"
    icons.mkdir(parents=True)
    for size in SIZES:
        shutil.copy2(ROOT / "resources" / "icons" / f"photoapp-{size}.png", icons)
    program = folder / "photoapp"
    program.write_text('#!/bin/sh\necho "photoapp from $0"\n')
    program.chmod(0o755)
    for name in ("install.sh", "photoapp.desktop"):
        shutil.copy2(LINUX / name, folder / name)
    return folder


def install(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"HOME": str(folder.parent / "home"), "PATH": "/usr/bin:/bin"}
    return subprocess.run([str(folder / "install.sh"), *args], capture_output=True, text=True, env=env, timeout=60)


def test_install_and_uninstall(unpacked, tmp_path):
    prefix = tmp_path / "my prefix"  # a space: the .desktop Exec line must be quoted
    proc = install(unpacked, "--prefix", str(prefix))
    assert proc.returncode == 0, proc.stderr
    command = prefix / "bin" / "photoapp"
    assert command.is_symlink()
    ran = subprocess.run([str(command)], capture_output=True, text=True)
    assert ran.stdout.strip() == f"photoapp from {command}"
    desktop = (prefix / "share" / "applications" / "photoapp.desktop").read_text()
    assert f'Exec="{command}" %F' in desktop.splitlines() and f"TryExec={command}" in desktop.splitlines()
    for size in SIZES:
        assert (prefix / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "photoapp.png").is_file()
    validate = shutil.which("desktop-file-validate")
    if validate:
        check = subprocess.run(
            [validate, str(prefix / "share" / "applications" / "photoapp.desktop")], capture_output=True, text=True
        )
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout

    # Installing again (an upgrade) replaces the app folder in place.
    (unpacked / "photoapp").write_text("#!/bin/sh\necho new\n")
    assert install(unpacked, "--prefix", str(prefix)).returncode == 0
    assert subprocess.run([str(command)], capture_output=True, text=True).stdout.strip() == "new"

    proc = install(unpacked, "--prefix", str(prefix), "--uninstall")
    assert proc.returncode == 0, proc.stderr
    left = [p for p in prefix.rglob("*") if p.is_file() and p.name != "mimeinfo.cache"]
    assert not left and not command.exists() and not (prefix / "lib" / "photoapp").exists()


def test_uninstall_leaves_someone_elses_command(unpacked, tmp_path):
    prefix = tmp_path / "prefix"
    (prefix / "bin").mkdir(parents=True)
    other = prefix / "bin" / "photoapp"
    other.write_text("#!/bin/sh\n")  # not our symlink: another program of that name
    assert install(unpacked, "--prefix", str(prefix), "--uninstall").returncode == 0
    assert other.exists()


def test_refuses_a_folder_without_the_app(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    shutil.copy2(LINUX / "install.sh", folder)
    proc = install(folder, "--prefix", str(tmp_path / "p"))
    assert proc.returncode == 1 and "unpacked Photoapp folder" in proc.stderr
    assert install(folder, "--bogus").returncode == 2
    assert os.listdir(folder) == ["install.sh"]
