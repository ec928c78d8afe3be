"""Screenshots of the real window on a generated demo library, for looking at the GUI.

    xvfb-run -a -s "-screen 0 1400x900x24" python -m photoapp.gui.screenshots --out /tmp/gui-shots

Saves progress.png (indexing, paused), gallery.png, search.png ("red circle"), search-by-date.png
("red", newest first), search-none.png (nothing relevant), viewer.png,
duplicates.png and compare.png (copies made in a "copies" folder next to the demo photos).
Also usable with QT_QPA_PLATFORM=offscreen where no X server is installed.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


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
    dialog.grab().save(str(out / "duplicates.png"))
    dialog.compare()
    if not wait_until(app, lambda: getattr(dialog, "compare_dialog", None) is not None, 60):
        print(f"compare did not open: {dialog.summary.text()}")
        dialog.close()
        return
    settle(app, window, 0.5)
    dialog.compare_dialog.grab().save(str(out / "compare.png"))
    dialog.compare_dialog.close()
    dialog.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="/tmp/gui-shots", help="folder for the PNGs")
    parser.add_argument("--model", default="toy", help="model for the demo library (default: the tiny toy model)")
    parser.add_argument("--per-class", type=int, default=4, help="toy images per class")
    parser.add_argument("--photos", help="index this folder of photos too (e.g. real photographs)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from photoapp.gui.app import make_application
    from photoapp.gui.main_window import MainWindow
    from photoapp.gui.services.library import LibraryService
    from photoapp.toy.domain import generate_library

    app = make_application()
    base = Path(tempfile.mkdtemp(prefix="photoapp-shots-"))
    generate_library(base / "demo-photos", per_class=args.per_class, seed=7)
    copies = make_copies(Path(args.photos) if args.photos else base / "demo-photos", base / "copies")
    engine = LibraryService(base / "library", model=args.model)
    engine.library.add_folders([str(base / "demo-photos"), str(copies)] + ([args.photos] if args.photos else []))
    window = MainWindow(engine)
    window.resize(1280, 800)
    window.show()

    # Progress: pause the run as soon as it embeds, so the shot shows counts and controls.
    wait_until(app, lambda: engine.indexing.active and window.progress.bar.value() > 0, 120)
    window.progress.pause_button.setChecked(True)
    window.reload(keep_position=True)  # show what is embedded so far without waiting for the live refresh
    settle(app, window, 0.8)
    window.grab().save(str(out / "progress.png"))
    window.progress.pause_button.setChecked(False)
    wait_until(app, lambda: not engine.indexing.active, 300)
    wait_until(app, lambda: window.watch_indicator.state in ("watching", "polling"), 60)
    wait_until(app, lambda: window.model.rowCount() > 0, 30)
    settle(app, window, 1.0)
    window.grab().save(str(out / "gallery.png"))

    window.search_bar.setText("red circle")
    window.set_query("red circle")
    wait_until(app, lambda: window.model.rowCount() and window.model.row_at(0).score is not None, 60)
    settle(app, window, 0.5)
    window.grab().save(str(out / "search.png"))
    window.search_bar.setText("red")
    window.set_query("red")
    window.sort_choice.setCurrentIndex(window.sort_choice.findData("newest"))
    wait_until(app, lambda: "newest first" in window.header.text(), 60)
    settle(app, window, 0.5)
    window.grab().save(str(out / "search-by-date.png"))
    window.sort_choice.setCurrentIndex(window.sort_choice.findData("relevance"))
    window.search_bar.setText("a photo")  # the neutral prompt: nothing stands out
    window.set_query("a photo")
    wait_until(app, lambda: window.header.text().startswith("No photos"), 60)
    settle(app, window, 0.3)
    window.grab().save(str(out / "search-none.png"))
    window.search_bar.setText("red circle")
    window.set_query("red circle")
    wait_until(app, lambda: window.model.rowCount() > 0, 60)

    viewer = window.open_viewer(0)
    wait_until(app, lambda: viewer.loading_done(), 30)
    settle(app, window, 0.3)
    viewer.grab().save(str(out / "viewer.png"))
    viewer.leave()
    shoot_duplicates(app, window, out)
    window.close()
    print("\n".join(str(p) for p in sorted(out.glob("*.png"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
