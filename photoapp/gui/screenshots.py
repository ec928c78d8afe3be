"""Screenshots of the real window on a generated demo library: the README's pictures.

    python -m photoapp.gui.screenshots            # refreshes docs/screenshots/*.png
    xvfb-run -a -s "-screen 0 1400x900x24" python -m photoapp.gui.screenshots --all --out /tmp/gui-shots

Saves gallery.png (the timeline: month headers, the year scrubber, On this day),
search.png ("red circle", best match first), map.png (the world map with the photos as
markers) and settings.png into docs/screenshots (small palette PNGs, to be
committed). The demo photos get dates spread over two years, so the timeline has months to
show, and GPS positions in seven cities. ``--all`` adds progress.png (indexing, paused),
search-by-date.png ("red", grouped by month), search-none.png (nothing relevant),
viewer.png, duplicates.png and compare.png.
Runs with QT_QPA_PLATFORM=offscreen where no X server is installed (the default here).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEMO_START = 1_704_067_200  # 1 January 2024: the demo photos are dated from here on


def wait_until(app, condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.01)
    return False


def settle(app, window, seconds: float = 0.3) -> None:
    """Let thumbnails for the visible rows arrive and the window repaint."""
    wait_until(app, lambda: window.thumbnails.pending_count() == 0, 30)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def date_photos(folder: Path) -> None:
    """Spread the demo photos over two years (their file dates: the demo has no EXIF)."""
    for i, path in enumerate(sorted(folder.iterdir())):
        when = DEMO_START + (i * 5 + i % 3) * 86_400 + 10 * 3600  # every five days or so, at 10:00
        os.utime(path, (when, when))


# Where the demo photos were "taken" (for the map and Places): a few cities on three continents.
DEMO_PLACES = (
    (48.8584, 2.2945),  # Paris
    (38.7139, -9.1394),  # Lisbon
    (41.8902, 12.4922),  # Rome
    (40.7580, -73.9855),  # New York
    (35.6586, 139.7454),  # Tokyo
    (-33.8568, 151.2153),  # Sydney
    (51.5007, -0.1246),  # London
)


def place_photos(folder: Path) -> None:
    """Give the demo's JPEGs an EXIF capture time (their file date; two of them today's date
    in earlier years, for "On this day") and a GPS position, so Places and the world map
    have something to show. Only these generated demo photos are rewritten."""
    from datetime import date, datetime

    from PIL import Image

    def dms(value: float) -> tuple[float, float, float]:
        value = abs(value)
        d, m = int(value), int((abs(value) - int(value)) * 60)
        return (d, m, round((value - d - m / 60) * 3600, 4))

    today = date.today()
    jpegs = [p for p in sorted(folder.iterdir()) if p.suffix.lower() in (".jpg", ".jpeg")]
    for i, path in enumerate(jpegs):
        when = datetime.fromtimestamp(path.stat().st_mtime)
        if i < 2:
            when = when.replace(year=today.year - 1 - i, month=today.month, day=min(today.day, 28))
        lat, lon = DEMO_PLACES[i % len(DEMO_PLACES)]
        exif = Image.Exif()
        exif[0x8769] = {0x9003: when.strftime("%Y:%m:%d %H:%M:%S")}
        exif[0x8825] = {1: "N" if lat >= 0 else "S", 2: dms(lat), 3: "E" if lon >= 0 else "W", 4: dms(lon)}
        with Image.open(path) as img:
            img.load()
            img.save(path, exif=exif, quality=92)
        stamp = when.timestamp()
        os.utime(path, (stamp, stamp))


def save_small(widget, path: Path) -> None:
    """A palette PNG (256 colours): a few tens of KB, fine for flat UI and the demo's shapes."""
    from PIL import Image

    widget.grab().save(str(path))
    with Image.open(path) as img:
        img.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def make_copies(source: Path, folder: Path) -> Path:
    """Duplicates for the Duplicates view: an exact copy and a half-size re-save of two photos."""
    import shutil

    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(p for p in source.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))[:2]:
        shutil.copy2(path, folder / f"{path.stem} copy{path.suffix}")
        with Image.open(path) as img:
            img.convert("RGB").resize((max(1, img.width // 2), max(1, img.height // 2))).save(
                folder / f"{path.stem} small.jpg", quality=80
            )
    return folder


def shoot_duplicates(app, window, out: Path) -> None:
    dialog = window.show_duplicates()
    wait_until(app, lambda: dialog.groups and not dialog.busy, 120)
    near = next((i for i, g in enumerate(dialog.groups) if g.tier == "near"), 0)
    dialog.list.setCurrentRow(near)
    wait_until(app, lambda: dialog.thumbnails.pending_count() == 0, 30)
    settle(app, window, 0.5)
    save_small(dialog, out / "duplicates.png")
    dialog.compare()
    if not wait_until(app, lambda: getattr(dialog, "compare_dialog", None) is not None, 60):
        print(f"compare did not open: {dialog.summary.text()}")
        dialog.close()
        return
    settle(app, window, 0.5)
    save_small(dialog.compare_dialog, out / "compare.png")
    dialog.compare_dialog.close()
    dialog.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(DOCS), help="folder for the PNGs (default: docs/screenshots)")
    parser.add_argument("--model", default="toy", help="model for the demo library (default: the tiny toy model)")
    parser.add_argument("--per-class", type=int, default=3, help="toy images per class")
    parser.add_argument("--photos", help="index this folder of photos too (e.g. real photographs)")
    parser.add_argument("--all", action="store_true", help="every view, not only the README's three")
    args = parser.parse_args(argv)
    from photoapp.gui.app import display_available

    if not display_available():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no X server: Qt draws off screen
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from photoapp.gui.app import make_application  # noqa: F811 - after the platform is chosen
    from photoapp.gui.main_window import MainWindow
    from photoapp.gui.services.library import LibraryService
    from photoapp.toy.domain import generate_library

    app = make_application()
    base = Path(tempfile.mkdtemp(prefix="photoapp-shots-"))
    generate_library(base / "demo-photos", per_class=args.per_class, seed=7)
    date_photos(base / "demo-photos")
    place_photos(base / "demo-photos")
    folders = [str(base / "demo-photos")] + ([args.photos] if args.photos else [])
    if args.all:
        folders.append(str(make_copies(Path(args.photos) if args.photos else base / "demo-photos", base / "copies")))
    engine = LibraryService(base / "library", model=args.model)
    engine.library.add_folders(folders)
    window = MainWindow(engine)
    window.resize(1180, 740)
    window.show()
    if args.all:
        shoot_progress(app, window, engine, out)
    wait_until(app, lambda: not engine.indexing.active and window.model.rowCount() > 0, 300)
    wait_until(app, lambda: window.watch_indicator.state in ("watching", "polling"), 60)
    window.reload()
    wait_until(app, lambda: window.model.rowCount() > 0 and not window.busy, 60)
    settle(app, window, 1.0)
    save_small(window, out / "gallery.png")
    window.search_bar.setText("red circle")
    window.set_query("red circle")
    wait_until(app, lambda: window.model.rowCount() and window.model.row_at(0).score is not None, 60)
    settle(app, window, 0.5)
    save_small(window, out / "search.png")
    shoot_map(app, window, out)
    settings = window.open_settings()
    settle(app, window, 0.3)
    save_small(settings, out / "settings.png")
    settings.reject()
    if args.all:
        shoot_more(app, window, out)
    window.close()
    print("\n".join(str(p) for p in sorted(out.glob("*.png"))))
    return 0


def shoot_map(app, window, out: Path) -> None:
    """The world map with the demo's photos as markers, then back to the gallery."""
    places = window.tags_ui.places
    page = places.show_map()
    wait_until(app, lambda: page.map.lat.size > 0, 60)
    page.map.show_world()
    settle(app, window, 0.5)
    save_small(window, out / "map.png")
    window.pages.setCurrentWidget(window.splitter)


def shoot_progress(app, window, engine, out: Path) -> None:
    """Pause the run as soon as it embeds, so the shot shows counts and controls."""
    wait_until(app, lambda: engine.indexing.active and window.progress.bar.value() > 0, 120)
    window.progress.pause_button.setChecked(True)
    window.reload(keep_position=True)  # show what is embedded so far without waiting for the live refresh
    settle(app, window, 0.8)
    save_small(window, out / "progress.png")
    window.progress.pause_button.setChecked(False)


def shoot_more(app, window, out: Path) -> None:
    window.search_bar.setText("red")
    window.set_query("red")
    window.sort_choice.setCurrentIndex(window.sort_choice.findData("newest"))
    wait_until(app, lambda: "newest first" in window.header.text(), 60)
    settle(app, window, 0.5)
    save_small(window, out / "search-by-date.png")
    window.sort_choice.setCurrentIndex(window.sort_choice.findData("relevance"))
    window.search_bar.setText("a photo")  # the neutral prompt: nothing stands out
    window.set_query("a photo")
    wait_until(app, lambda: window.header.text().startswith("No photos"), 60)
    settle(app, window, 0.3)
    save_small(window, out / "search-none.png")
    window.search_bar.setText("red circle")
    window.set_query("red circle")
    wait_until(app, lambda: window.model.rowCount() > 0, 60)
    viewer = window.open_viewer(0)
    wait_until(app, lambda: viewer.loading_done(), 30)
    settle(app, window, 0.3)
    save_small(viewer, out / "viewer.png")
    viewer.leave()
    shoot_duplicates(app, window, out)


if __name__ == "__main__":
    raise SystemExit(main())
