"""Folders are watched while the window runs: real copies, moves and deletions reach the
gallery and search by themselves; the status bar says watching is on, and how."""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture
def watched_window(make_window, qtbot, few_photos, tmp_path):
    window = make_window(tmp_path / "library")
    with qtbot.waitSignal(window.engine.indexing.stopped, timeout=120_000):
        window.add_folders([str(few_photos)])
    qtbot.waitUntil(lambda: window.watch_indicator.state == "watching", timeout=60_000)
    qtbot.waitUntil(lambda: window.model.rowCount() == 12, timeout=20_000)
    return window


def _paths(window) -> set[str]:
    return {r.path for r in window.model.rows()}


def test_copies_moves_and_deletions_reach_gallery_and_search(watched_window, qtbot, few_photos, toy_folder):
    window = watched_window
    assert "Watching 1 folder" in window.watch_indicator.text()
    new = [p for p in sorted(toy_folder.iterdir()) if not (few_photos / p.name).exists()][:4]
    for path in new:
        shutil.copy2(path, few_photos / path.name)
    qtbot.waitUntil(lambda: window.model.rowCount() == 16, timeout=30_000)
    assert {str(few_photos / p.name) for p in new} <= _paths(window)

    gone = sorted(few_photos.iterdir())[:3]
    sub = few_photos / "moved"
    sub.mkdir()
    moved = sorted(few_photos.glob("*.*"))[3:5]
    for path in gone:
        path.unlink()
    for path in moved:
        path.rename(sub / path.name)
    expected = {str(p) for p in few_photos.rglob("*.*") if p.is_file()}
    qtbot.waitUntil(lambda: _paths(window) == expected, timeout=30_000)

    # Search answers from the GUI's own index: the moved photo under its new path.
    target = sub / moved[0].name
    colour, shape = target.name.split("_")[:2]
    window.set_query(f"{colour} {shape}")
    qtbot.waitUntil(lambda: str(target) in _paths(window), timeout=30_000)
    assert all(os.path.exists(p) for p in _paths(window))
    assert window.engine.library.vector_index().ids() == window.engine.library.catalog.embedded_ids(
        window.engine.model_name
    )


def test_index_run_pauses_watching_and_polling_is_shown(make_window, qtbot, few_photos, toy_folder, tmp_path):
    from photoapp.config import Settings
    from photoapp.core.library import Library

    with Library(tmp_path / "library") as lib:
        lib.add_folders([str(few_photos)])
    settings = Settings.load(tmp_path / "library")
    settings.watch.polling, settings.watch.poll_interval = True, 0.5  # as chosen in settings
    settings.save(tmp_path / "library")
    window = make_window(tmp_path / "library")  # indexes, then watches
    qtbot.waitUntil(lambda: window.watch_indicator.state == "polling", timeout=120_000)
    assert "polling every 0.5 s" in window.watch_indicator.text()
    assert window.watch_indicator.toolTip().startswith("Native file events are not available")

    extra = next(p for p in sorted(toy_folder.iterdir()) if not (few_photos / p.name).exists())
    shutil.copy2(extra, few_photos / extra.name)
    qtbot.waitUntil(lambda: str(few_photos / extra.name) in _paths(window), timeout=30_000)

    seen = []
    window.engine.watch.status.connect(lambda status: seen.append(status.state if status else None))
    with qtbot.waitSignal(window.engine.indexing.stopped, timeout=60_000):
        window.engine.indexing.start()  # File ▸ Index now: the watcher steps aside meanwhile
        qtbot.waitUntil(lambda: None in seen, timeout=60_000)
    qtbot.waitUntil(lambda: window.watch_indicator.state == "polling", timeout=60_000)
    assert window.engine.watch.running and seen[seen.index(None) + 1] == "starting"

    # Out of inotify watches: the watcher falls back to polling and says why; so does the bar.
    from photoapp.core.watching.watcher import WatchStatus, _watch_limit_message

    message = _watch_limit_message("inotify watch limit reached", 0.5)
    window.engine.watch._status.emit(WatchStatus("watching", "polling", 0, 13, 13, [str(few_photos)], message))
    qtbot.waitUntil(lambda: message in window.watch_indicator.toolTip(), timeout=5_000)
    assert window.watch_indicator.state == "polling"
