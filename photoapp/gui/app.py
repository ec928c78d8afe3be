"""Starting the GUI: the QApplication, its name and icon, the engine and the main window."""

from __future__ import annotations

import os
import sys

from photoapp.config import APP_NAME


def display_available() -> bool:
    """False on a Linux box with no X11/Wayland display (and no offscreen platform chosen)."""
    if sys.platform != "linux":
        return True
    return any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def make_application(argv: list[str] | None = None):
    from PySide6.QtWidgets import QApplication

    from photoapp.gui.icon import app_icon

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName("photoapp")
    app.setWindowIcon(app_icon())
    return app


def run(library=None, model: str | None = None, device: str | None = None) -> int:
    """Open the main window on ``library`` and run until it closes; the exit status."""
    app = make_application()
    from photoapp.gui.engine import Engine
    from photoapp.gui.main_window import MainWindow

    engine = Engine(library, model=model, device=device)
    window = MainWindow(engine)
    window.show()
    return app.exec()
