"""The icon files the installers use are renderings of the app's own icon drawing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "installers"))
import make_icons  # noqa: E402


@pytest.mark.parametrize("size", [16, 64, 256])
def test_committed_pngs_match_the_drawing(qapp, size):
    """Fails when photoapp/gui/icon.py changes without `python installers/make_icons.py`."""
    committed = np.asarray(Image.open(make_icons.ICONS_DIR / f"photoapp-{size}.png").convert("RGBA"), dtype=float)
    drawn = np.asarray(make_icons.render(size), dtype=float)
    assert committed.shape == drawn.shape == (size, size, 4)
    assert np.abs(committed - drawn).mean() < 2.0  # anti-aliasing may differ a little between Qt builds


def test_ico_and_icns_hold_every_size(qapp, tmp_path):
    written = {p.name for p in make_icons.write_icons(tmp_path)}
    assert {"photoapp.ico", "photoapp.icns", "photoapp-512.png"} <= written
    for folder in (tmp_path, make_icons.ICONS_DIR):
        ico = Image.open(folder / "photoapp.ico")
        assert set(ico.info["sizes"]) == {(s, s) for s in make_icons.ICO_SIZES}
        icns = Image.open(folder / "photoapp.icns")
        assert icns.size == (1024, 1024)
        assert {(512, 512, 2), (256, 256, 1), (128, 128, 1), (16, 16, 2)} <= set(icns.info["sizes"])  # Retina too
        # The 16 px entry is its own small drawing, not blank.
        ico.size = (16, 16)
        small = np.asarray(ico.convert("RGBA"))
        assert small[..., 3].mean() > 100
