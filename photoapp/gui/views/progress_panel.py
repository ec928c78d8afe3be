"""ProgressPanel: indexing progress with counts, time left, pause and cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from photoapp.gui.workers import format_eta


class ProgressPanel(QWidget):
    pause_toggled = Signal(bool)  # True = pause
    cancel_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setMaximumWidth(260)
        self.bar.setTextVisible(False)
        self.pause_button = QPushButton("Pause", self)
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._pause_toggled)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.pause_button)
        layout.addWidget(self.cancel_button)
        self.hide()

    def started(self, quiet: bool = False) -> None:
        """A run starts. ``quiet`` (the check at every start): nothing shows until the run
        finds photos to index, a model to download or prepare; a check of an unchanged
        library stays silent."""
        self.quiet = quiet
        self.pause_button.setChecked(False)
        self.pause_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.bar.setRange(0, 0)  # busy until the first count arrives (model loading, scanning)
        self.label.setText("Preparing to index…")
        self.setVisible(not quiet)

    def update_progress(self, phase: str, done: int, total: int, eta: float | None) -> None:
        if getattr(self, "quiet", False):
            if phase == "scan" or not total:
                return  # still only checking: nothing to say yet
            self.quiet = False
            self.show()  # the check found work: from now on it speaks
        if phase == "scan":
            self.bar.setRange(0, 0)
            self.label.setText(f"Looking for photos… {done:,} found")
            return
        paused = " · paused" if self.pause_button.isChecked() else f" · {format_eta(eta)}"
        if phase == "download":
            megabytes = 1_000_000
            self.bar.setRange(0, max(1, total // megabytes))
            self.bar.setValue(done // megabytes)
            self.label.setText(
                f"Downloading the model (once): {done / megabytes:,.0f} of {total / megabytes:,.0f} MB{paused}"
            )
            return
        if phase == "faces":  # photos indexed before People, or another face detector
            self.bar.setRange(0, max(1, total))
            self.bar.setValue(done)
            self.label.setText(f"Looking for faces: {done:,} of {total:,} photos{paused if total else ''}")
            return
        if phase == "prepare":
            self.bar.setRange(0, max(1, total))
            self.bar.setValue(done)
            self.label.setText(f"Preparing the model for this computer (once): step {done} of {total}")
            return
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(done)
        self.label.setText(f"Indexing {done:,} of {total:,} photos{paused if total else ''}")

    def stopped(self) -> None:
        self.hide()

    def _pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText("Resume" if paused else "Pause")
        if paused:
            self.label.setText(self.label.text().split(" · ")[0] + " · paused")
        self.pause_toggled.emit(paused)
