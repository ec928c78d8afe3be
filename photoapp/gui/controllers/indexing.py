"""IndexingUi: the index runs as the main window shows them (a controller of the window).

The first run starts by itself once the gallery is on screen and speaks only if it finds
changes; the progress panel follows every run; newly embedded photos appear while a run
goes on; a run's end says what it did (or why it stopped) and lists the photos again.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer

from photoapp.gui.status import Priority
from photoapp.gui.workers import error_text

LIVE_REFRESH_MS = 2000  # while indexing, newly embedded photos appear at most this often


class IndexingUi:
    def __init__(self, window):
        self.window = window
        self.armed = False  # indexing starts by itself, once the gallery is on screen
        self._quiet_run = self._run_is_quiet = False
        indexing = window.engine.indexing
        window.progress.pause_toggled.connect(indexing.pause)
        window.progress.cancel_requested.connect(indexing.cancel)
        indexing.started.connect(self._started)
        indexing.progress.connect(self._progress)
        indexing.stopped.connect(self._stopped)
        window.engine.watch.changed.connect(self._folder_contents_changed)
        self._live = QTimer(window, singleShot=True, interval=LIVE_REFRESH_MS)
        self._live.timeout.connect(self._live_refresh)

    def gallery_shown(self) -> None:
        """The first answer is on screen (or failed): the armed first run may start now.
        Only now: loading the model (torch) competes for the GIL with the first listing."""
        if self.armed:
            QTimer.singleShot(0, self._first_run)

    def _first_run(self) -> None:
        if self.armed:  # armed until it has really started, so ``busy`` covers the wait
            self.armed = False
            self._quiet_run = True  # the check at start speaks only if it finds changes
            self.window.engine.indexing.start()
            self._quiet_run = False

    def _started(self) -> None:
        self._run_is_quiet = self._quiet_run
        self.window.progress.started(quiet=self._quiet_run)

    def _progress(self, phase: str, done: int, total: int, eta) -> None:
        self.window.progress.update_progress(phase, done, total, eta)
        if phase == "embed" and done and not self._live.isActive():
            self._live.start()

    def _live_refresh(self) -> None:
        w = self.window
        if not w.query and not w.similar_to:  # never reshuffle results under the user's eyes
            w.reload(keep_position=True)

    def _stopped(self, outcome: str, detail) -> None:
        w = self.window
        w.progress.stopped()
        self._live.stop()
        if w.engine.changing:
            return  # stopped to let a folder or settings change through; it restarts after
        if outcome == "finished":
            # A run that found nothing new (most runs restarted after a change) is no news: it
            # never replaces a confirmation or a count the person is still reading; the check
            # at start that found nothing says nothing at all.
            news = detail["embedded"] or detail["failed"] or detail.get("removed")
            quiet, self._run_is_quiet = self._run_is_quiet, False  # only the run at start is quiet
            if news or not quiet:
                w.status.show(report_text(detail), 10_000, Priority.NEWS if news else Priority.NO_NEWS)
        elif outcome == "cancelled":
            w.status.show("Indexing stopped — what was indexed is kept; File ▸ Index now resumes.", 10_000)
        else:
            w.banner.show_message(f"Indexing failed: {error_text(detail)}", "settings", "Settings…")
        self.update_problems()
        w.reload(keep_position=True)
        w.tags_ui.refresh_albums()

    def _folder_contents_changed(self) -> None:
        """The watcher indexed changes in a folder: list again where the user is."""
        self.window.reload(keep_position=True)
        self.update_problems()

    def update_problems(self) -> None:
        count = len(self.window.engine.problems())
        self.window.problems_action.setText(f"&Problems ({count})…" if count else "&Problems…")


def report_text(report: dict) -> str:
    text = f"Library up to date: {report['scanned']:,} photos ({report['embedded']:,} newly indexed"
    if report["failed"]:
        text += f", {report['failed']:,} could not be read — see View ▸ Problems"
    return text + ")"
