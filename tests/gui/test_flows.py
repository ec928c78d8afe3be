"""User flows: add folder → indexed → search → viewer → back; cancel, pause, remove, failures."""

from __future__ import annotations

import ast
import os
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication

ROOT = Path(__file__).resolve().parents[2]


def test_empty_library_shows_how_to_start(make_window, tmp_path, wait):
    window = make_window(tmp_path / "new-library")
    wait.idle(window)
    assert window.stack.currentWidget() is window.empty
    assert "Add a folder" in window.empty.button.text()


def test_add_folder_index_search_view_and_back(make_window, tmp_path, toy_folder, wait, qtbot):
    window = make_window(tmp_path / "library")
    with qtbot.waitSignal(window.engine.indexing.stopped, timeout=120_000) as stopped:
        window.add_folders([str(toy_folder)])
    assert stopped.args[0] == "finished" and stopped.args[1]["embedded"] == 36
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    assert window.stack.currentWidget() is window.gallery_pane
    assert window.sidebar.folders() == [str(toy_folder)]

    window.set_query("blue")  # the blue photos (and what looks blue enough): at least three
    wait.rows(window, lambda w: w.model.rowCount() >= 3 and w.model.row_at(0).score is not None)
    results = [r.path for r in window.model.rows()]
    viewer = window.open_viewer(0)
    qtbot.waitUntil(viewer.loading_done, timeout=60_000)
    assert not viewer.canvas.pixmap.isNull()
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    assert viewer.current_path() == results[2]
    assert window.gallery.currentIndex().row() == 2  # the gallery follows the viewer
    qtbot.keyClick(viewer, Qt.Key.Key_Left)
    assert viewer.current_path() == results[1]
    assert viewer.fields["Dimensions"].text().endswith("px")
    qtbot.keyClick(viewer, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.viewer is None, timeout=5_000)
    assert [r.path for r in window.model.rows()] == results  # back to the same result list


def test_viewer_stops_at_the_ends(make_window, indexed_library, wait, qtbot):
    window = make_window(indexed_library)
    wait.rows(window)
    viewer = window.open_viewer(0)
    qtbot.keyClick(viewer, Qt.Key.Key_Left)
    assert viewer.row == 0
    qtbot.keyClick(viewer, Qt.Key.Key_End)
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    assert viewer.row == 35
    viewer.leave()


def test_pause_then_cancel_indexing(make_window, tmp_path, few_photos, wait, qtbot):
    from photoapp.config import Settings

    library = tmp_path / "library"
    library.mkdir()
    Settings(batch_size=4).save(library)  # several batches, so there is a "between batches" to pause at
    window = make_window(library)
    paused = []

    def pause_at_first_count(phase, done, total):
        if phase == "embed" and not paused:
            window.progress.pause_button.setChecked(True)  # what a click on Pause does
            paused.append(done)

    window.engine.indexing.progress.connect(pause_at_first_count)
    wait.lockstep_progress(window)  # the click lands before the next batch, however busy the GUI thread is
    window.add_folders([str(few_photos)])
    qtbot.waitUntil(
        lambda: window.engine.indexing.job is not None and window.engine.indexing.job.holding.is_set(), timeout=120_000
    )
    assert window.progress.isVisible() and window.progress.pause_button.text() == "Resume"
    assert "paused" in window.progress.label.text()
    embedded = window.engine.library.catalog.count_embedded(window.engine.model_name)
    with qtbot.waitSignal(window.engine.indexing.stopped, timeout=30_000) as stopped:
        window.progress.cancel_button.click()
    assert stopped.args[0] == "cancelled"
    assert not window.progress.isVisible()
    assert "stopped" in window.statusBar().currentMessage()
    # Nothing was embedded while the run sat paused, nor once cancelled (states, no time window):
    # the first batch, then the pause.
    assert embedded == 4
    assert window.engine.library.catalog.count_embedded(window.engine.model_name) == embedded


def test_resume_finishes_the_run(make_window, tmp_path, few_photos, wait, qtbot):
    from photoapp.config import Settings

    library = tmp_path / "library"
    library.mkdir()
    Settings(batch_size=4).save(library)
    window = make_window(library)
    window.engine.indexing.progress.connect(
        lambda phase, done, total: window.progress.pause_button.setChecked(True) if done == 4 else None
    )
    wait.lockstep_progress(window)  # paused before the last batch, however busy the GUI thread is
    window.add_folders([str(few_photos)])
    qtbot.waitUntil(
        lambda: window.engine.indexing.job is not None and window.engine.indexing.job.holding.is_set(), timeout=120_000
    )
    with qtbot.waitSignal(window.engine.indexing.stopped, timeout=60_000) as stopped:
        window.progress.pause_button.setChecked(False)
    assert stopped.args[0] == "finished"
    assert window.engine.library.catalog.count_embedded(window.engine.model_name) == 12


def test_progress_shows_counts_and_time_left(qtbot):
    from photoapp.gui.views.progress_panel import ProgressPanel

    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.started()
    panel.update_progress("embed", 250, 1000, 95.0)
    assert panel.bar.maximum() == 1000 and panel.bar.value() == 250
    assert panel.label.text() == "Indexing 250 of 1,000 photos · about 2 min left"


def test_drop_folder_and_remove_it(make_window, tmp_path, few_photos, wait, qtbot):
    window = make_window(tmp_path / "library")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(few_photos))])
    drop = QDropEvent(
        QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    with qtbot.waitSignal(window.engine.indexing.stopped, timeout=120_000):
        window.dropEvent(drop)
    wait.rows(window, lambda w: w.model.rowCount() == 12)
    window.remove_folder_now(str(few_photos))
    wait.rows(window, lambda w: w.model.rowCount() == 0 and not w.sidebar.folders())
    assert window.stack.currentWidget() is window.empty
    assert len(list(few_photos.iterdir())) == 12  # the files are untouched


def test_context_actions_copy_path_and_find_similar(make_window, indexed_library, wait):
    window = make_window(indexed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    target = window.model.row_at(3).path
    window.gallery.setCurrentIndex(window.model.index(3))
    window.copy_paths()
    assert QGuiApplication.clipboard().text() == target
    window.find_similar(target)
    wait.rows(window, lambda w: "look" in w.header.text())  # some photos, or none that look enough alike
    assert target not in [r.path for r in window.model.rows()]
    assert os.path.basename(target) in window.header.text()


def test_ctrl_f_focuses_search_and_debounces(make_window, indexed_library, wait, qtbot):
    window = make_window(indexed_library)
    wait.rows(window)
    window.gallery.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search_bar.hasFocus()
    fired = []
    window.search_bar.query_changed.connect(fired.append)
    qtbot.keyClicks(window.search_bar, "green")
    assert fired == []  # nothing while typing
    qtbot.waitUntil(lambda: fired == ["green"], timeout=20_000)


def test_broken_model_shows_banner_while_browsing_works(make_window, indexed_library, tmp_path, wait, qtbot):
    window = make_window(indexed_library, model=str(tmp_path / "no-such-model"))
    wait.rows(window, lambda w: w.model.rowCount() == 36)  # browsing needs no model
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=30_000)
    assert "config.json" in window.banner.text() and window.banner.button.isVisible()
    window.set_query("red")
    qtbot.waitUntil(lambda: "search model is not available" in window.banner.text(), timeout=20_000)
    wait.idle(window)


def test_window_state_is_remembered(make_window, indexed_library, wait):
    window = make_window(indexed_library)
    wait.rows(window)
    window.size_slider.setValue(260)
    window.close()
    again = make_window(indexed_library)
    assert again.gallery.thumb_size == 260


def test_no_gui_thread_stall_while_indexing(make_window, tmp_path, few_photos, qtbot):
    """Indexing runs off the GUI thread: the event loop keeps turning between the run's
    progress reports (a run on the GUI thread would deliver them with no turn between).
    Checked on the order of events, not on time (the frame budget is a benchmark's job)."""
    from PySide6.QtCore import QTimer

    window = make_window(tmp_path / "library")
    events = []
    window.engine.indexing.progress.connect(lambda *args: events.append("progress"))
    timer = QTimer(window, interval=5, timeout=lambda: events.append("tick"))
    timer.start()
    with qtbot.waitSignal(window.engine.indexing.stopped, timeout=120_000):
        window.add_folders([str(few_photos)])
    timer.stop()
    progress = [i for i, e in enumerate(events) if e == "progress"]
    assert len(progress) >= 2, events
    assert "tick" in events[progress[0] : progress[-1]], events


def test_core_never_imports_qt():
    """The boundary the GUI relies on: only photoapp/gui may import PySide6."""
    offenders = []
    for path in (ROOT / "photoapp").rglob("*.py"):
        if "gui" in path.relative_to(ROOT / "photoapp").parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            if any(n.split(".")[0] in ("PySide6", "PyQt5", "PyQt6", "shiboken6") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders
