"""Show a file in the system's file manager, selected where the platform allows.

Windows: ``explorer /select,``; macOS: ``open -R``; Linux and the BSDs: the freedesktop
FileManager1 D-Bus interface (Nautilus, Dolphin, Nemo, Thunar... select the file), else
the folder opened with the default application (``xdg-open``: no selection). Where none
of that is there (no file manager, no desktop session), the reason, in words.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


def reveal(path: str) -> str | None:
    """Show ``path``; None on success, else a one-line message for the status bar."""
    if not os.path.exists(path):
        return f"{os.path.basename(path)} is not there any more ({os.path.dirname(path)})"
    try:
        if sys.platform.startswith("win"):
            subprocess.Popen(["explorer", "/select,", os.path.normpath(path)])  # noqa: S607
            return None
        if sys.platform == "darwin":
            subprocess.Popen(["open", "-R", path])  # noqa: S607
            return None
        if _dbus_show_items(path):
            return None
        opener = shutil.which("xdg-open")
        if opener:
            subprocess.Popen([opener, os.path.dirname(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return None
    except OSError as exc:
        return f"Could not open the file manager: {exc.strerror or exc}"
    return f"No file manager is available to show {os.path.basename(path)}; it is in {os.path.dirname(path)}"


def _dbus_show_items(path: str) -> bool:
    """org.freedesktop.FileManager1.ShowItems over the session bus (Qt's D-Bus module)."""
    try:
        from PySide6.QtCore import QUrl
        from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage
    except ImportError:
        return False
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return False
    iface = QDBusInterface(
        "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1", "org.freedesktop.FileManager1", bus
    )
    if not iface.isValid():
        return False
    reply = iface.call("ShowItems", [QUrl.fromLocalFile(path).toString()], "")
    return reply.type() != QDBusMessage.MessageType.ErrorMessage
