"""The window opens wholly on its screen (issue 25): a size saved on a larger screen or at
another scale, or the default size on a small laptop screen at 125 %, is fitted to the
screen's free area. Each case runs the real window in a process of its own, on an offscreen
screen of a given size and scale (Qt's offscreen platform reads them from a JSON file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from photoapp.config import Settings

SHOW = """
import json, sys
from photoapp.gui.app import make_application
from photoapp.gui.main_window import MainWindow
from photoapp.gui.services.library import LibraryService
from PySide6.QtWidgets import QMainWindow

app = make_application()
if sys.argv[1] == "save":  # a big window on a big screen: its geometry, as Qt saves it
    window = QMainWindow()
    window.resize(2400, 1300)
    window.move(100, 60)
    window.show()
    app.processEvents()
    print(bytes(window.saveGeometry().toBase64()).decode())
    sys.exit(0)
window = MainWindow(LibraryService(sys.argv[2], model="toy"))
window.show()
for _ in range(200):  # the fit after the first show is queued: let it run
    app.processEvents()
frame, free = window.frameGeometry(), window.screen().availableGeometry()
print(json.dumps({"frame": frame.getRect(), "free": free.getRect(), "scale": window.screen().devicePixelRatio()}))
window.close()
"""


def _screen(tmp_path, name: str, width: int, height: int, scale: float) -> str:
    config = tmp_path / f"{name}.json"
    screen = {"name": name, "x": 0, "y": 0, "width": width, "height": height, "dpr": scale}
    screen |= {"logicalDpi": 96, "logicalBpi": 96}
    config.write_text(json.dumps({"windowFrameMargins": True, "screens": [screen]}))
    return f"offscreen:configfile={config}"


def _run(platform: str, *args: str) -> str:
    env = dict(os.environ, QT_QPA_PLATFORM=platform)
    proc = subprocess.run(
        [sys.executable, "-c", SHOW, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("saved", ["none", "big screen at 100 %"])
def test_the_window_opens_wholly_on_a_laptop_screen_at_125_percent(tmp_path, saved):
    library = tmp_path / "library"
    library.mkdir()
    if saved != "none":
        settings = Settings.load(library)
        settings.gui.geometry = _run(_screen(tmp_path, "desk", 2560, 1440, 1.0), "save")
        settings.save(library)
    # 1366 × 768 pixels at 125 %: 1093 × 614 in Qt's device-independent pixels.
    shown = json.loads(_run(_screen(tmp_path, "laptop", 1093, 614, 1.25), "show", str(library)))
    x, y, w, h = shown["frame"]
    fx, fy, fw, fh = shown["free"]
    assert shown["scale"] == 1.25
    assert fx <= x and fy <= y and x + w <= fx + fw and y + h <= fy + fh, shown
