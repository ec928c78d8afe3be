"""`photoapp --quit-after S`: the window opens, closes by itself and the process exits 0
(what the installers' smoke tests run on the frozen app)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from photoapp.config import Settings


@pytest.mark.parametrize("command", [[], ["demo", "--per-class", "1"]])
def test_window_opens_and_closes(tmp_path, command):
    lib = tmp_path / "lib"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    args = [sys.executable, "-m", "photoapp", "--library", str(lib), "--model", "toy", "--quit-after", "1.5", *command]
    if command:
        args.append(str(tmp_path / "photos"))
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert "the window opened (offscreen platform), closed after 1.5 s" in proc.stderr
    # Closing went through the window's own close: its state was saved in the library.
    assert Settings.load(lib).gui.geometry


def test_without_a_display_it_says_so(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run(
        [sys.executable, "-m", "photoapp", "--library", str(tmp_path / "lib"), "--quit-after", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    if sys.platform == "linux":
        assert proc.returncode != 0 and "no display" in proc.stderr
