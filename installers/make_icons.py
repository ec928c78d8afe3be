"""Render the app icon (photoapp/gui/icon.py, its one source) into the installers' icon files.

    QT_QPA_PLATFORM=offscreen .venv/bin/python installers/make_icons.py

Writes resources/icons/: photoapp-<N>.png for the freedesktop hicolor sizes (Linux menus,
the AppImage), photoapp.ico (Windows: the .exe, the installer, the Start-menu entry) and
photoapp.icns (macOS: the .app and the .dmg). Each size is drawn at its own resolution
rather than scaled down from a large one, so the small sizes stay sharp. Run it again
after changing the drawing; tests/installers checks that the files still match it.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS_DIR = ROOT / "resources" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)  # hicolor theme sizes
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # what Windows Explorer and the taskbar pick from
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)  # icns holds 512@2x = 1024


def render(size: int):
    """The icon at ``size`` px as a Pillow RGBA image (needs a QGuiApplication)."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice

    from photoapp.gui.icon import draw_icon

    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not draw_icon(size).save(buf, "PNG"):
        raise RuntimeError(f"Qt could not encode the {size} px icon")
    return Image.open(io.BytesIO(bytes(buf.data()))).convert("RGBA")


def write_icons(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    images = {size: render(size) for size in sorted(set(PNG_SIZES + ICO_SIZES + ICNS_SIZES))}
    written = []
    for size in PNG_SIZES:
        path = out / f"photoapp-{size}.png"
        images[size].save(path, optimize=True)
        written.append(path)
    ico = out / "photoapp.ico"
    largest = images[max(ICO_SIZES)]
    largest.save(ico, sizes=[(s, s) for s in ICO_SIZES], append_images=[images[s] for s in ICO_SIZES])
    icns = out / "photoapp.icns"
    images[max(ICNS_SIZES)].save(icns, append_images=[images[s] for s in ICNS_SIZES])
    return written + [ico, icns]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ICONS_DIR, help=f"output folder (default {ICONS_DIR})")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (QPixmap needs it)
    for path in write_icons(args.out):
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
