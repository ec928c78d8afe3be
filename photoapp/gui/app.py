"""Starting the GUI: the QApplication, its name and icon, the engine and the main window."""

from __future__ import annotations

import os
import sys

from photoapp import APP_ID, APP_NAME

CLOSE_WAIT_MS = 600  # closing the window ends the process within about a second


def display_available() -> bool:
    """False on a Linux box with no X11/Wayland display (and no offscreen platform chosen)."""
    if sys.platform != "linux":
        return True
    return any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def make_application(argv: list[str] | None = None):
    from PySide6.QtWidgets import QApplication

    from photoapp.gui.icon import app_icon
    from photoapp.gui.palette import follow_system

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_ID)  # matches photoapp.desktop (the Wayland app id)
    app.setWindowIcon(app_icon())
    follow_system(app)  # light or dark, as the desktop is set
    return app


def run(
    library=None,
    model: str | None = None,
    device: str | None = None,
    quit_after: float | None = None,
    photos: list[str] | None = None,
) -> int:
    """Open the main window on ``library`` and run until it closes; the exit status.
    ``photos``: files to open in the viewer (``photoapp PHOTO...``, a file manager's "Open with").

    ``quit_after`` closes the window after that many seconds (the installers' smoke test:
    the bundled GUI must start, show its window and shut down cleanly).
    """
    app = make_application()
    from photoapp.gui.main_window import MainWindow
    from photoapp.gui.services.library import LibraryService

    engine = LibraryService(library, model=model, device=device)
    window = MainWindow(engine)
    window.close_wait_ms = CLOSE_WAIT_MS
    window.show()
    if photos:
        window.open_files(photos)
    status = _run_briefly(app, window, quit_after) if quit_after is not None else app.exec()
    if not window.stopped_cleanly:
        _exit_now(status)
    return status


def _exit_now(status: int) -> None:
    """End the process although a worker thread is still busy (a model still loading, a
    batch being embedded): waiting for it would keep a closed app running for seconds. The
    catalog is SQLite in WAL mode: committed batches are kept and the unfinished
    transaction is rolled back at the next open; files are written by rename (atomic)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _run_briefly(app, window, seconds: float) -> int:
    """Run the event loop for ``seconds``, close the window, and say whether it was shown."""
    from PySide6.QtCore import QTimer

    seen = {}

    def close() -> None:
        seen["visible"] = window.isVisible()
        window.close()  # closeEvent saves the state and stops the engine, as a user's close does
        app.quit()

    QTimer.singleShot(max(0, int(seconds * 1000)), close)
    status = app.exec()
    shown = seen.get("visible", False)
    print(
        f"photoapp: the window {'opened' if shown else 'did not open'} "
        f"({app.platformName()} platform), closed after {seconds:g} s",
        file=sys.stderr,
    )
    return status if shown else 1
