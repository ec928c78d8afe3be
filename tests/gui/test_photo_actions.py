"""Actions on photos as a person drives them in the window (issue 24): keys in the grid
(1-5, ., [, ], Delete), the selection bar, Ctrl+Z for every kind of change, drag-out
mime data, the Favourites entry and the rating filter, the Add-a-tag dialog. Photo files
stay byte-identical through stars, favourites and rotation (checksums)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from photoapp.core.store.marks import Marks


def _marks(library: Path, paths):
    from photoapp.core.library import Library

    with Library(library) as lib:
        return lib.marks.of(paths)


def _sums(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _window(make_window, indexed_library, wait, qtbot):
    window = make_window(indexed_library)
    wait.rows(window)
    wait.idle(window)
    window.activateWindow()
    window.gallery.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.gallery, timeout=5_000)
    return window


def _click(qtbot, window, row, modifier=Qt.KeyboardModifier.NoModifier):
    """A click on a thumbnail, as the mouse sends it (Ctrl adds, Shift extends a range)."""
    rect = window.gallery.visualRect(window.model.index(row))
    qtbot.mouseClick(window.gallery.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def _select(qtbot, window, rows):
    _click(qtbot, window, rows[0])
    for r in rows[1:]:
        _click(qtbot, window, r, Qt.KeyboardModifier.ControlModifier)


def test_grid_keys_mark_photos_and_ctrl_z_undoes_each(make_window, indexed_library, toy_folder, wait, qtbot):
    before = _sums(toy_folder)
    window = _window(make_window, indexed_library, wait, qtbot)
    paths = [window.model.row_at(r).path for r in (0, 1)]
    _select(qtbot, window, [0, 1])
    assert window.photo_actions.bar.isVisible() and window.photo_actions.bar.count.text() == "2 selected"
    actions = window.engine.actions
    for key in (Qt.Key.Key_4, Qt.Key.Key_Period, Qt.Key.Key_BracketRight):
        with qtbot.waitSignal(actions.changed, timeout=10_000):
            qtbot.keyClick(window.gallery, key)
    wait.idle(window)
    assert set(_marks(indexed_library, paths).values()) == {Marks(4, True, 90)}
    row0 = window.model.index(0)
    from photoapp.gui.models.photo_list import MarksRole, ThumbnailRole

    qtbot.waitUntil(lambda: window.model.data(row0, MarksRole) == Marks(4, True, 90), timeout=10_000)
    pixmap = window.model.data(row0, ThumbnailRole)
    if pixmap is not None and not pixmap.isNull():
        raw = window.thumbnails.pixmap(paths[0], window.model.row_at(0).mtime, window.model.thumb_size)
        assert (pixmap.width(), pixmap.height()) == (raw.height(), raw.width())  # the thumbnail is turned
    assert [c.kind for c in window.undo.changes] == ["rating", "favourite", "rotation"]
    assert window.undo.button.isVisible() and "Turned 2 photos right" in window.undo.label.text()
    for expected in (Marks(4, True, 0), Marks(4, False, 0), Marks()):
        with qtbot.waitSignal(window.undo.undone, timeout=10_000):
            qtbot.keyClick(window.gallery, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert set(_marks(indexed_library, paths).values()) == {expected}
    assert not window.undo.button.isVisible()
    assert _sums(toy_folder) == before  # no photo file was written


def test_delete_moves_to_the_trash_and_the_status_bar_undo_brings_it_back(
    make_window, indexed_library, toy_folder, wait, qtbot, xdg_trash, tmp_path
):
    import shutil

    from photoapp.core.library import Library

    folder = tmp_path / "own"  # a folder of this test's own: the session's toy folder is shared
    shutil.copytree(toy_folder, folder)
    with Library(indexed_library) as lib:
        for old in lib.folders():
            lib.remove_folder(old)
        lib.index_folders([str(folder)])
    window = _window(make_window, indexed_library, wait, qtbot)
    _select(qtbot, window, [2])
    path = window.model.row_at(2).path
    count = window.model.rowCount()
    with qtbot.waitSignal(window.engine.actions.changed, timeout=20_000):
        qtbot.keyClick(window.gallery, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.model.rowCount() == count - 1, timeout=20_000)
    assert not Path(path).exists() and len(list((xdg_trash / "files").iterdir())) == 1
    assert window.undo.changes[-1].kind == "trash"
    qtbot.mouseClick(window.undo.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.rowCount() == count, timeout=20_000)
    assert Path(path).exists() and window.model.row_of_path(path) is not None
    _back_in_sight(window, qtbot, path)

    # Ctrl+Z in the gallery, scrolled away from the photo: it comes back selected, in sight.
    _select(qtbot, window, [2])
    with qtbot.waitSignal(window.engine.actions.changed, timeout=20_000):
        qtbot.keyClick(window.gallery, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.model.rowCount() == count - 1, timeout=20_000)
    bar = window.gallery.verticalScrollBar()
    bar.setValue(bar.maximum())
    assert bar.maximum() > 0 and not _in_sight(window, 2)  # the photo's place is out of sight
    window.gallery.clearSelection()
    qtbot.keyClick(window.gallery, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.model.rowCount() == count, timeout=20_000)
    _back_in_sight(window, qtbot, path)
    # A refresh in place (the folder watcher indexing the file that came back) keeps the selection.
    with qtbot.waitSignal(window.model.modelReset, timeout=20_000):
        window.reload(keep_position=True)
    assert window.selected_paths() == [path]


def _in_sight(window, row: int) -> bool:
    rect = window.gallery.visualRect(window.model.index(row))
    return window.gallery.viewport().rect().contains(rect)


def _back_in_sight(window, qtbot, path: str) -> None:
    """The photo put back is the gallery's selection and current photo, wholly in sight."""
    qtbot.waitUntil(lambda: window.selected_paths() == [path], timeout=20_000)
    row = window.model.row_of_path(path)
    assert window.gallery.currentIndex().row() == row and _in_sight(window, row)


def test_selection_bar_tag_dialog_and_undo_of_a_tag(make_window, indexed_library, wait, qtbot):
    window = _window(make_window, indexed_library, wait, qtbot)
    qtbot.keyClick(window.gallery, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    n = window.model.rowCount()
    assert window.photo_actions.bar.count.text() == f"{n} selected"
    qtbot.keyClick(window.gallery, Qt.Key.Key_Escape)  # Esc clears the selection
    assert not window.photo_actions.bar.isVisible()
    _click(qtbot, window, 0)
    _click(qtbot, window, 2, Qt.KeyboardModifier.ShiftModifier)  # Shift-click: the range 0..2
    assert window.photo_actions.bar.count.text() == "3 selected"
    window.photo_actions.bar.buttons["tag"].click()
    dialog = window.tags_ui.add_tag_dialog
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Add a tag" and dialog.field.text() == ""  # never pre-filled
    assert dialog.width() >= 380
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)  # Enter on the empty field applies nothing
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.field, "picnic")
    with qtbot.waitSignal(window.tags_ui.service.edited, timeout=10_000):
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    paths = [window.model.row_at(r).path for r in (0, 1, 2)]
    assert window.undo.changes[-1].kind == "tag" and "3 photos" in window.undo.label.text()
    with qtbot.waitSignal(window.undo.undone, timeout=10_000):
        window.undo.button.click()
    from photoapp.core.library import Library

    with Library(indexed_library) as lib:
        assert all("picnic" not in lib.photo(p)["tags"] for p in paths)


def test_drag_out_gives_file_urls(make_window, indexed_library, wait, qtbot):
    window = _window(make_window, indexed_library, wait, qtbot)
    data = window.model.mimeData([window.model.index(0), window.model.index(3)])
    assert [u.toLocalFile() for u in data.urls()] == [window.model.row_at(r).path for r in (0, 3)]
    assert window.gallery.dragEnabled()


def test_favourites_entry_and_rating_filter(make_window, indexed_library, wait, qtbot):
    from photoapp.core.library import Library
    from photoapp.gui.views.sidebar import FAVOURITES

    with Library(indexed_library) as lib:
        paths = [r[1] for r in lib.browse()]
        lib.marks.favourite(paths[:2])
        lib.marks.rate(paths[1:4], 3)
    window = _window(make_window, indexed_library, wait, qtbot)
    window.sidebar.select(FAVOURITES)
    wait.rows(window, lambda w: w.model.rowCount() == 2)
    assert sorted(r.path for r in window.model.rows()) == sorted(paths[:2])
    window.filters_popup.rating_choice.setCurrentIndex(3)  # 3 stars or more
    wait.rows(window, lambda w: w.model.rowCount() == 1)
    assert window.model.row_at(0).path == paths[1]
    # The rating filter shows as a chip and in the button's count (a walk found it hidden).
    assert [c.text() for c in window.chips.chips] == ["Rating: ★★★ or more  ✕"]
    assert window.filters_button.text() == "Filters (1)"
    window.chips.chips[0].click()  # removed: both favourites again
    wait.rows(window, lambda w: w.model.rowCount() == 2)
    assert window.filters_button.text() == "Filters" and not window.chips.chips


def test_open_files_browses_their_folder_indexed_or_not(make_window, indexed_library, wait, qtbot, tmp_path):
    from PIL import Image

    from photoapp.cli.app import _photo_arguments

    folder = tmp_path / "loose"
    folder.mkdir()
    for i, colour in enumerate(("red", "green", "blue")):
        Image.new("RGB", (64, 48), colour).save(folder / f"p{i}.jpg")
    (folder / "notes.txt").write_text("not a photo")
    before = _sums(folder)
    known = _photo_arguments(["--library", str(indexed_library), str(folder / "p1.jpg")])
    assert known.photos == [str(folder / "p1.jpg")] and _photo_arguments(["search", "red"]) is None
    window = _window(make_window, indexed_library, wait, qtbot)
    viewer = window.open_files(known.photos)
    qtbot.waitUntil(viewer.loading_done, timeout=60_000)
    assert [Path(r.path).name for r in viewer.rows] == ["p0.jpg", "p1.jpg", "p2.jpg"] and viewer.row == 1
    assert window.windowTitle() == "p1.jpg — Photoapp"
    for key in (Qt.Key.Key_Backspace, Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Space, Qt.Key.Key_Space):
        qtbot.keyClick(QApplication.focusWidget(), key)
    assert viewer.row == 2 and _sums(folder) == before


def test_delete_in_the_viewer_then_ctrl_z_leaves_the_photo_where_it_was(
    make_window, indexed_library, toy_folder, wait, qtbot, xdg_trash, tmp_path
):
    import shutil

    from photoapp.core.library import Library

    folder = tmp_path / "own"
    shutil.copytree(toy_folder, folder)
    with Library(indexed_library) as lib:
        for old in lib.folders():
            lib.remove_folder(old)
        lib.index_folders([str(folder)])
    before = _sums(folder)
    window = _window(make_window, indexed_library, wait, qtbot)
    viewer = window.open_viewer(1)
    qtbot.waitUntil(viewer.loading_done, timeout=60_000)
    path, count = viewer.current_path(), len(viewer.rows)
    with qtbot.waitSignal(window.engine.actions.changed, timeout=20_000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: len(viewer.rows) == count - 1, timeout=10_000)
    assert not Path(path).exists() and viewer.current_path() != path
    with qtbot.waitSignal(window.undo.undone, timeout=20_000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert viewer.current_path() == path and len(viewer.rows) == count  # back, and shown again
    assert _sums(folder) == before and not list((xdg_trash / "files").iterdir())


def test_viewer_turn_and_favourite_keys_show_and_undo(make_window, indexed_library, toy_folder, wait, qtbot):
    before = _sums(toy_folder)
    window = _window(make_window, indexed_library, wait, qtbot)
    viewer = window.open_viewer(0)
    qtbot.waitUntil(viewer.loading_done, timeout=60_000)
    path = viewer.current_path()
    upright = viewer.canvas.pixmap.size().toTuple()
    for key in (Qt.Key.Key_BracketRight, Qt.Key.Key_Period):
        with qtbot.waitSignal(window.engine.actions.changed, timeout=10_000):
            qtbot.keyClick(QApplication.focusWidget(), key)
    qtbot.waitUntil(lambda: viewer.canvas.pixmap.size().toTuple() == upright[::-1], timeout=10_000)  # turned
    assert _marks(indexed_library, [path])[path] == Marks(0, True, 90)
    assert viewer.fields["Marked"].text() == "♥ favourite   turned 90°"
    for _ in range(2):
        with qtbot.waitSignal(window.undo.undone, timeout=10_000):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _marks(indexed_library, [path])[path] == Marks()
    assert viewer.canvas.pixmap.size().toTuple() == upright and viewer.row == 0
    assert _sums(toy_folder) == before


def test_the_selection_bar_takes_the_header_line_and_moves_no_photo(make_window, indexed_library, wait, qtbot):
    """The "N selected" bar was inserted above the gallery, so the first click pushed every
    photo down under the pointer (found walking the window); it shows in the header line's
    place, and the count line comes back when the selection goes."""
    window = _window(make_window, indexed_library, wait, qtbot)
    top = window.stack.mapTo(window, window.stack.rect().topLeft()).y()
    _click(qtbot, window, 0)
    assert window.photo_actions.bar.isVisible() and not window.header.isVisible()
    assert window.stack.mapTo(window, window.stack.rect().topLeft()).y() == top  # nothing moved
    qtbot.keyClick(window.gallery, Qt.Key.Key_Escape)
    assert not window.photo_actions.bar.isVisible() and window.header.isVisible()
    assert window.stack.mapTo(window, window.stack.rect().topLeft()).y() == top


def test_active_filters_stay_in_sight_while_photos_are_selected(make_window, indexed_library, wait, qtbot):
    """The selection bar takes the count line's place, not the filter chips': a filter in use
    is never out of sight (issue 25)."""
    window = _window(make_window, indexed_library, wait, qtbot)
    n = window.model.rowCount()
    taken = datetime.fromtimestamp(window.model.row_at(0).taken)
    window.filters_popup.date_text.setText(f"{taken:%B %Y}")  # the month the photos were taken: all of them
    assert window.filters_popup.apply_typed()
    wait.rows(window, lambda w: w.model.rowCount() == n and w.chips.isVisible())
    _click(qtbot, window, 0)
    assert window.photo_actions.bar.isVisible() and not window.header.isVisible()
    assert window.chips.isVisible() and window.chips.chips[0].text().startswith("Taken:")
