"""Gallery: rows by date, search re-ranking, thumbnails, visible rows, thumbnail size."""

from __future__ import annotations

import os
import threading

from PySide6.QtCore import Qt

from photoapp.gui.models.photo_list import PathRole, PhotoListModel, PhotoRow, ScoreRole, ThumbnailRole


def test_rows_are_sorted_by_date_newest_first(make_window, indexed_library, wait):
    window = make_window(indexed_library)
    # the first screenful comes before the whole answer, and the header with the whole answer
    wait.rows(window, lambda w: w.model.rowCount() == 36 and w.header.text().startswith("36 photos"))
    taken = [row.taken for row in window.model.rows()]
    assert taken == sorted(taken, reverse=True)
    assert len(set(taken)) == 36  # the fixture gave every photo its own date
    assert window.header.text().startswith("36 photos")


def test_search_reranks_and_escape_returns_to_dates(make_window, indexed_library, wait, qtbot):
    window = make_window(indexed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    by_date = [r.path for r in window.model.rows()]
    window.search_bar.setFocus()
    qtbot.keyClicks(window.search_bar, "red circle")
    # Debounced: nothing is searched while typing, then one search replaces the rows.
    wait.rows(window, lambda w: w.model.rowCount() and w.model.row_at(0).score is not None)
    scores = [r.score for r in window.model.rows()]
    assert scores == sorted(scores, reverse=True)
    assert {r.path for r in window.model.rows()} < set(by_date)  # only what the cut-off finds relevant
    assert [r.path for r in window.model.rows()] != by_date
    assert window.model.index(0).data(ScoreRole) == scores[0]
    assert "match score" in window.model.index(0).data(Qt.ItemDataRole.ToolTipRole)
    qtbot.keyClick(window.search_bar, Qt.Key.Key_Escape)
    wait.rows(window, lambda w: w.model.rowCount() and w.model.row_at(0).score is None)
    assert [r.path for r in window.model.rows()] == by_date
    assert window.search_bar.text() == ""


def test_search_finds_what_the_words_say(make_window, indexed_library, wait, shipped_model):
    window = make_window(indexed_library, model=shipped_model)
    wait.rows(window)
    window.set_query("red circle")
    wait.rows(window, lambda w: w.model.rowCount() and w.model.row_at(0).score is not None)
    top = [os.path.basename(r.path) for r in window.model.rows()[:2]]
    assert all(name.startswith("red_circle") for name in top), top


def test_folder_filter_and_date_filter(make_window, indexed_library, toy_folder, wait):
    window = make_window(indexed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    window.sidebar.select(str(toy_folder))
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    window.filters_popup.date_text.setText("2001")  # nothing was taken in 2001
    assert window.filters_popup.apply_typed()
    wait.rows(window, lambda w: w.model.rowCount() == 0)
    assert "No photos match" in window.header.text()


def test_thumbnails_arrive_and_are_cached_in_the_library(make_window, indexed_library, toy_folder, wait, qtbot):
    window = make_window(indexed_library)
    wait.rows(window)
    first = window.model.index(0)
    qtbot.waitUntil(lambda: first.data(ThumbnailRole) is not None, timeout=20_000)
    pixmap = first.data(ThumbnailRole)
    assert not pixmap.isNull() and max(pixmap.width(), pixmap.height()) <= 256
    cached = list((indexed_library / "thumbnails").rglob("*.jpg"))
    assert cached, "thumbnails are cached on disk under the library folder"
    assert sorted(p.name for p in toy_folder.iterdir()) == sorted(
        os.path.basename(r.path) for r in window.model.rows()
    )  # nothing was written next to the photos


def test_only_visible_rows_are_requested(make_window, indexed_library, wait, qtbot):
    window = make_window(indexed_library)
    window.set_thumb_size(200)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    qtbot.waitUntil(lambda: window.thumbnails.pending_count() == 0, timeout=20_000)
    first, last = window.gallery.visible_rows()
    assert first == 0 and 0 < last < 35  # 900x600 window: a few rows of 200 px thumbnails
    from photoapp.core.library import Library

    bucket = Library.thumbnail_bucket(window.gallery.thumbnail_size())  # the albums' covers are smaller
    decoded = {key[0] for key in window.thumbnails._cache if key[1] == bucket}
    assert decoded <= {r.path for r in window.model.rows()[: last + 1]}


def test_thumbnail_size_slider_and_ctrl_plus(make_window, indexed_library, wait):
    window = make_window(indexed_library)
    wait.rows(window)
    window.size_slider.setValue(240)
    lines = window.gallery.layout_.line_height
    assert window.gallery.thumb_size == 240 and 160 <= lines[0] <= 360  # justified rows near 240 px high
    window.zoom_thumbnails(-1)
    assert window.gallery.thumb_size == 220 and window.size_slider.value() == 220
    larger = next(a for m in window.menuBar().actions() for a in m.menu().actions() if a.text() == "Larger thumbnails")
    assert "Ctrl+=" in [s.toString() for s in larger.shortcuts()]
    larger.trigger()
    assert window.gallery.thumb_size == 240


def test_stale_thumbnail_requests_are_dropped(qtbot, toy_folder, tmp_path):
    from photoapp.gui.services.thumbnails import ThumbnailLoader

    loader = ThumbnailLoader(tmp_path / "lib", threads=1)
    scrolled = threading.Event()
    loader.pool.start(lambda: scrolled.wait(60))  # its one thread is busy until the user has scrolled
    paths = sorted(str(p) for p in toy_folder.iterdir())
    for path in paths:
        assert loader.pixmap(path, os.path.getmtime(path), 128) is None  # placeholder first
    loader.set_visible(paths[:2], 128)  # the user scrolled: only two rows still on screen
    scrolled.set()
    qtbot.waitUntil(lambda: loader.pending_count() == 0, timeout=20_000)
    decoded = {key[0] for key in loader._cache}
    assert decoded == set(paths[:2])  # every request for a row scrolled past was dropped undecoded
    assert loader.shutdown()


def test_model_data_is_lazy_and_cheap():
    rows = [PhotoRow(i, f"/p/{i:06d}.jpg", 0.0, float(i), None) for i in range(100_000)]
    model = PhotoListModel()
    model.set_rows(rows)
    assert model.rowCount() == 100_000
    assert model.index(99_999).data(PathRole) == "/p/099999.jpg"
    assert model.index(5).data(Qt.ItemDataRole.DisplayRole) == "000005.jpg"
    assert model.index(5).data(ThumbnailRole) is None  # no loader: nothing decoded
    assert model.row_of_path("/p/000042.jpg") == 42


def test_returning_none_from_data_does_not_leak_refcounts():
    """PySide6 6.12.0 over-releases None returned by data() on Python 3.11 and crashes
    after enough repaints; pyproject pins below it. This catches a regression."""
    import sys

    model = PhotoListModel()
    model.set_rows([PhotoRow(1, "/p/a.jpg", 0.0, 1.0, None)])
    index = model.index(0)
    before = sys.getrefcount(None)
    for _ in range(20_000):
        index.data(ScoreRole)  # None: not a search result
    assert sys.getrefcount(None) >= before - 100


def test_progress_panel_shows_a_model_download_in_megabytes(qtbot):
    from photoapp.gui.views.progress_panel import ProgressPanel

    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.started()
    panel.update_progress("download", 150_000_000, 600_000_000, 90.0)
    assert panel.label.text().startswith("Downloading the model (once): 150 of 600 MB")
    assert (panel.bar.value(), panel.bar.maximum()) == (150, 600)
    panel.update_progress("embed", 10, 100, None)
    assert panel.label.text().startswith("Indexing 10 of 100 photos")


def test_progress_panel_shows_the_one_off_model_preparation(qtbot):
    from photoapp.gui.views.progress_panel import ProgressPanel

    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.started()
    panel.update_progress("prepare", 1, 4, None)  # what Library.index_folders reports during the int8 export
    assert panel.label.text() == "Preparing the model for this computer (once): step 1 of 4"
    assert (panel.bar.value(), panel.bar.maximum()) == (1, 4)
    panel.update_progress("embed", 0, 50, None)
    assert panel.label.text().startswith("Indexing 0 of 50 photos")
