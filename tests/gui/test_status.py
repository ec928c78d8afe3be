"""The status bar's message line: a no-news message ("0 newly indexed") never replaces a
message the person needs (a confirmation, a count, a hint) while that one is showing."""

from __future__ import annotations

from PySide6.QtWidgets import QStatusBar

from photoapp.gui.status import Priority, StatusMessages


def _report(embedded: int = 0, failed: int = 0) -> dict:
    return {"scanned": 36, "embedded": embedded, "failed": failed, "skipped": 36 - embedded}


def test_no_news_waits_for_an_empty_line(qtbot):
    bar = QStatusBar()
    qtbot.addWidget(bar)
    status = StatusMessages(bar)
    shown = []
    status.shown.connect(lambda text, priority: shown.append((text, priority)))

    assert status.show("Tags updated to the new sensitivity.", 60_000)
    assert not status.show("Library up to date: 36 photos (0 newly indexed)", 10_000, Priority.NO_NEWS)
    assert bar.currentMessage() == "Tags updated to the new sensitivity."
    assert status.current() == ("Tags updated to the new sensitivity.", Priority.NEWS)
    assert status.show("“boxes” learnt from 4 examples", 60_000)  # news replaces news
    assert bar.currentMessage() == "“boxes” learnt from 4 examples"

    status.clear()
    assert status.show("Library up to date: 36 photos (0 newly indexed)", 10_000, Priority.NO_NEWS)
    assert status.show("Library up to date: 37 photos (0 newly indexed)", 10_000, Priority.NO_NEWS)
    assert status.show("Teaching “boxes” from 4 photos…")  # anything replaces no news
    assert shown == [
        ("Tags updated to the new sensitivity.", Priority.NEWS),
        ("“boxes” learnt from 4 examples", Priority.NEWS),
        ("Library up to date: 36 photos (0 newly indexed)", Priority.NO_NEWS),
        ("Library up to date: 37 photos (0 newly indexed)", Priority.NO_NEWS),
        ("Teaching “boxes” from 4 photos…", Priority.NEWS),
    ]


def test_an_expired_message_gives_way_to_no_news(qtbot):
    bar = QStatusBar()
    qtbot.addWidget(bar)
    status = StatusMessages(bar)
    status.show("Select photos in the gallery first.", 1)
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=10_000)  # its timeout cleared the line
    assert status.current() == ("", Priority.NO_NEWS)
    assert status.show("Library up to date: 36 photos (0 newly indexed)", 10_000, Priority.NO_NEWS)
    assert bar.currentMessage().endswith("(0 newly indexed)")


def test_a_run_that_found_nothing_new_keeps_the_confirmation(make_window, indexed_library, wait):
    """What the window does with each end of an index run, while a confirmation shows."""
    window = make_window(indexed_library)
    wait.idle(window)
    window.status.show("“boxes” learnt from 4 examples: 5 photos tagged (0.10 s)", 60_000)
    window.engine.indexing.stopped.emit("finished", _report())  # a restarted run: nothing new
    assert window.statusBar().currentMessage().startswith("“boxes” learnt")

    window.engine.indexing.stopped.emit("finished", _report(embedded=3))  # a count is news
    assert window.statusBar().currentMessage() == "Library up to date: 36 photos (3 newly indexed)"
    window.engine.indexing.stopped.emit("finished", _report())
    assert window.statusBar().currentMessage() == "Library up to date: 36 photos (3 newly indexed)"
    window.engine.indexing.stopped.emit("finished", _report(failed=1))  # so is a photo that cannot be read
    assert "1 could not be read" in window.statusBar().currentMessage()
    window.engine.indexing.stopped.emit("cancelled", None)
    assert window.statusBar().currentMessage().startswith("Indexing stopped")

    window.status.clear()  # nothing showing: the no-news report may take the line
    window.engine.indexing.stopped.emit("finished", _report())
    assert window.statusBar().currentMessage() == "Library up to date: 36 photos (0 newly indexed)"
    wait.idle(window)
