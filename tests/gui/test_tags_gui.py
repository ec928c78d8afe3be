"""Tags in the GUI: albums sidebar, album filter, viewer tag editing, teach a tag, smart
albums, tagging sensitivity — on the toy photos with the toy vocabulary, tiny model."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

TOY_LABELS = "red\ngreen\nblue\nyellow\npurple\norange\ncircle\nsquare\ntriangle\n"


@pytest.fixture
def tagged_library(indexed_library, shipped_model):
    """The indexed toy library re-tagged with the colour and shape vocabulary."""
    from photoapp.core.library import Library
    from photoapp.core.tagging.labels import parse_vocabulary

    with Library(indexed_library, model=shipped_model) as lib:
        lib.tags.set_labels(parse_vocabulary(TOY_LABELS))
        counts = lib.tags.counts()
    assert counts.get("triangle", 0) >= 8  # 12 of the 36 photos are triangles
    return indexed_library


def _core(path):
    from photoapp.core.library import Library

    return Library(path)


def _shape(path: str) -> str:
    return os.path.basename(path).split("_")[1]  # red_triangle_on_white_000.png


def _albums(window, wait):
    wait.rows(window, lambda w: bool(w.tags_ui.sidebar.albums()), timeout=20_000)
    return {name: (kind, count) for kind, name, count in window.tags_ui.sidebar.albums()}


def test_albums_sidebar_lists_tags_with_counts_and_filters_the_gallery(make_window, tagged_library, wait, qtbot):
    window = make_window(tagged_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    albums = _albums(window, wait)
    with _core(tagged_library) as lib:
        expected = lib.tags.counts()
    assert {n: int(c.replace(",", "")) for n, (k, c) in albums.items() if k == "tag"} == expected

    window.tags_ui.sidebar.select("tag", "triangle")
    wait.rows(window, lambda w: w.model.rowCount() == expected["triangle"])
    shapes = [_shape(r.path) for r in window.model.rows()]
    assert shapes.count("triangle") >= 0.9 * len(shapes)
    assert "tagged <b>triangle</b>" in window.header.text()

    qtbot.keyClick(window.gallery, Qt.Key.Key_Escape)  # back to every photo
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    assert window.tags_ui.album == ("", "")


def test_viewer_side_panel_adds_and_removes_tags(make_window, tagged_library, wait, qtbot):
    window = make_window(tagged_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    viewer = window.open_viewer(0)
    path = viewer.current_path()
    editor = viewer.tag_editor
    shown = editor.tags()
    assert _shape(path) in shown  # the auto-tags are in the panel
    qtbot.keyClicks(editor.input, "holiday")
    qtbot.keyClick(editor.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "holiday" in editor.tags(), timeout=10_000)
    qtbot.mouseClick(editor.remove_buttons[_shape(path)], Qt.MouseButton.LeftButton)  # the chip's ✕
    qtbot.waitUntil(lambda: _shape(path) not in editor.tags(), timeout=10_000)
    with _core(tagged_library) as lib:
        details = {d["tag"]: d["source"] for d in lib.photo(path)["tag_details"]}
    assert details["holiday"] == "manual" and _shape(path) not in details
    # The albums sidebar follows the edit.
    qtbot.waitUntil(lambda: "holiday" in {n for _k, n, _c in window.tags_ui.sidebar.albums()}, timeout=10_000)
    viewer.leave()


def test_teach_a_tag_from_a_gallery_selection(make_window, tagged_library, wait, qtbot):
    window = make_window(tagged_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    _albums(window, wait)
    squares = [i for i, r in enumerate(window.model.rows()) if _shape(r.path) == "square"][:4]
    selection = window.gallery.selectionModel()
    for row in squares:
        selection.select(window.model.index(row), selection.SelectionFlag.Select)
    assert len(window.selected_paths()) == 4
    dialog = window.tags_ui.teach_selected()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # no name yet
    dialog.name_box.setCurrentText("boxes")
    assert ok.isEnabled() and dialog.examples.count() == 4
    messages = []  # every change of the status bar's message line, "" when one expires
    window.statusBar().messageChanged.connect(messages.append)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    # The new tag is taught, shown in the sidebar and selected: the gallery shows its album.
    qtbot.waitUntil(lambda: window.tags_ui.album == ("tag", "boxes"), timeout=20_000)
    wait.rows(window, lambda w: "boxes" in w.header.text() and w.model.rowCount() >= 4)
    album = [r.path for r in window.model.rows()]
    assert set(window.selected_paths()) <= set(album) or not window.selected_paths()
    assert sum(_shape(p) == "square" for p in album) >= 0.75 * len(album)
    # The confirmation was shown, and the window's own index run (which may end just after
    # the teaching) did not replace it with its "0 newly indexed": at most it expired.
    wait.idle(window)
    learnt = [m for m in messages if "learnt from 4 examples" in m]
    assert learnt, messages
    after = messages[messages.index(learnt[0]) + 1 :]
    assert not after or after[0] == "", messages


def test_teach_needs_three_photos(make_window, tagged_library, wait):
    window = make_window(tagged_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    window.gallery.setCurrentIndex(window.model.index(0))
    dialog = window.tags_ui.teach_selected()
    dialog.name_box.setCurrentText("too few")
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert "at least 3" in dialog.note.text()
    dialog.reject()


def test_smart_album_from_the_current_search(make_window, tagged_library, wait, qtbot):
    window = make_window(tagged_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    window.search_bar.setText("blue")
    window.set_query("blue")
    wait.rows(window, lambda w: w.model.rowCount() and w.model.row_at(0).score is not None)
    dialog = window.tags_ui.new_smart_album()
    assert dialog.query() == "blue" and dialog.name() == "blue"
    dialog.name_edit.setText("blue things")
    dialog.accept()
    qtbot.waitUntil(lambda: window.tags_ui.album == ("smart", "blue things"), timeout=20_000)
    wait.rows(window, lambda w: "smart album" in w.header.text())
    rows = [os.path.basename(r.path) for r in window.model.rows()]
    blue = [name for name in rows if name.startswith("blue_")]
    assert len(blue) == 6 and rows[:6] == blue  # every blue photo (6 of 36), best matches first
    assert window.query == ""  # the album replaced the search
    window.tags_ui.remove_smart_album("blue things")
    qtbot.waitUntil(lambda: ("smart", "blue things", "") not in window.tags_ui.sidebar.albums(), timeout=10_000)
    wait.rows(window, lambda w: w.model.rowCount() == 36)


def test_sensitivity_in_settings_retags_and_keeps_manual_tags(make_window, tagged_library, wait, qtbot):
    from photoapp.gui.views.settings_dialog import SettingsDialog

    window = make_window(tagged_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    wait.idle(window)
    dialog = SettingsDialog("toy", "auto", window, window.tags_ui.service.sensitivity())
    assert dialog.sensitivity() == pytest.approx(0.5)
    dialog.sensitivity_slider.setValue(100)
    path = window.model.row_at(0).path
    with _core(tagged_library) as lib:
        before = sum(lib.tags.counts().values())
        lib.tags.add("keep me", [path])
    messages = []  # every change of the status bar's message line, "" when one expires
    window.statusBar().messageChanged.connect(messages.append)
    with qtbot.waitSignal(
        window.status.shown, timeout=60_000, check_params_cb=lambda text, _priority: text.startswith("Tags updated")
    ):
        window.tags_ui.apply_sensitivity(dialog.sensitivity())
    with _core(tagged_library) as lib:
        assert lib.tags.settings().sensitivity == 1.0
        assert sum(lib.tags.counts().values()) > before  # more tags at a higher sensitivity
        assert "keep me" in lib.photo(path)["tags"]
    # Re-tagging restarted indexing; that run finds nothing new, and its "0 newly indexed"
    # must not replace the confirmation (it did, milliseconds later, on a fast machine).
    wait.idle(window)
    after = messages[messages.index("Tags updated to the new sensitivity.") + 1 :]
    assert not after or after[0] == "", messages


def test_album_counts_follow_indexing(make_window, tmp_path, few_photos, wait, qtbot, shipped_model, monkeypatch):
    """A toy-model library is tagged by the toy vocabulary as it is indexed; while indexing
    runs, the sidebar's counts are refreshed every few seconds, not only at the end."""
    import photoapp.gui.controllers.tags as tags_ui

    monkeypatch.setattr(tags_ui, "LIVE_ALBUMS_MS", 50)
    window = make_window(tmp_path / "library")
    with qtbot.waitSignal(window.engine.indexing.stopped, timeout=120_000):
        window.add_folders([str(few_photos)])
    qtbot.waitUntil(lambda: bool(window.tags_ui.sidebar.albums()), timeout=20_000)
    counts = {n: int(c) for k, n, c in window.tags_ui.sidebar.albums() if k == "tag"}
    assert sum(counts.get(s, 0) for s in ("circle", "square", "triangle")) >= 10  # 12 photos, one shape each
    with _core(tmp_path / "library") as lib:  # tags written meanwhile by another writer (e.g. the indexer)
        lib.tags.add("from elsewhere", [str(next(few_photos.iterdir()))])
    window.engine.indexing.progress.emit("embed", 5, 10, None)  # as the indexer reports progress
    qtbot.waitUntil(lambda: "from elsewhere" in {n for _k, n, _c in window.tags_ui.sidebar.albums()}, timeout=10_000)
