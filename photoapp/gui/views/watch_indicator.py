"""WatchIndicator: a status-bar note that says whether folders are being watched, how
(native events or polling, and why polling), and what the watcher is doing."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

ON, BUSY, OFF, WARN, ERROR = "#2e9d57", "#2f7fd0", "#8a8a8a", "#c98a00", "#c0392b"
NATIVE_HELP = "New, changed, moved and deleted photos in your folders are picked up by themselves."


class WatchIndicator(QLabel):
    def __init__(self, service, parent=None):
        super().__init__(parent)
        self.service = service
        self.state = "off"
        self._fallback = ""  # the watcher's last message: why it polls, or a problem it met
        service.status.connect(self.update_status)
        self.update_status(None)

    def update_status(self, status) -> None:
        if status is None:
            self._fallback = ""
            note = self.service.note  # why it does not watch (a setting, a failure): worth saying
            self._show("off", OFF, "○ Not watching folders" if note else "", note or "")
            return
        if status.message:
            self._fallback = status.message
        folders = len(status.folders)
        where = f"{folders} folder{'s' if folders != 1 else ''}"
        polling = "polling" in status.mode
        if status.state == "failed":
            self._show("failed", ERROR, "● Watching stopped", status.message or "the folder watcher failed")
        elif status.state in ("starting", "reconciling"):
            self._show("checking", BUSY, "", NATIVE_HELP)  # quiet: it speaks when it finds changes
        elif status.state == "indexing":
            self._show("indexing", BUSY, f"● Adding changes from {where}…", NATIVE_HELP)
        elif status.state == "watching" and polling:
            interval = self.service.watcher.options.poll_interval if self.service.watcher else 0
            why = self._fallback or "polling was chosen in settings, or a folder is on a network drive"
            self._show(
                "polling",
                WARN,
                f"● Watching {where} by polling every {interval:g} s",
                f"Native file events are not available: {why}",
            )
        elif status.state == "watching":
            self._show("watching", ON, f"● Watching {where}", self._fallback or NATIVE_HELP)
        else:
            self._show("off", OFF, "○ Not watching folders", self.service.note)

    def _show(self, state: str, colour: str, text: str, tooltip: str) -> None:
        self.state = state
        self.setText(f"<span style='color:{colour}'>{text[0]}</span>{text[1:]}" if text else "")
        self.setToolTip(tooltip)
