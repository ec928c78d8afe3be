"""The viewer as a person drives it (issue 24): every key goes to the widget that has the
keyboard focus, as a real keyboard would send it. No key removes a tag or touches a file;
a chip's ✕ removes a tag and Ctrl+Z (or the status bar's Undo) brings it back; the zoom,
full-screen, info-panel, slideshow and Esc keys; the camera facts of a real photo."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QEnterEvent
from PySide6.QtWidgets import QApplication

from photoapp.core.units import human_size

TAGS = ["red", "holiday", "keep"]


def _core(path):
    from photoapp.core.library import Library

    return Library(path)


def _checksums(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _tags_of(library: Path, paths: list[str]) -> dict[str, set[str]]:
    with _core(library) as lib:
        return {path: set(lib.photo(path)["tags"]) for path in paths}


@pytest.fixture
def tagged(indexed_library):
    """The indexed toy library with three tags added by hand on its first photos."""
    with _core(indexed_library) as lib:
        paths = [row[1] for row in lib.browse()][:4]  # newest first, as the gallery opens
        for tag in TAGS:
            lib.tags.add(tag, paths)
    return indexed_library, paths


def _open(make_window, library, wait, qtbot, row=0):
    window = make_window(library)
    wait.rows(window, lambda w: w.model.rowCount() > row)
    wait.idle(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    viewer = window.open_viewer(row)
    qtbot.waitUntil(viewer.loading_done, timeout=60_000)
    return window, viewer


def _press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    """A key as the keyboard sends it: to whichever widget has the focus."""
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, key, modifier)


def test_no_key_in_the_viewer_removes_a_tag_or_changes_a_file(make_window, tagged, toy_folder, wait, qtbot):
    library, paths = tagged
    before_files, before_tags = _checksums(toy_folder), _tags_of(library, paths)
    window, viewer = _open(make_window, library, wait, qtbot)
    assert set(TAGS) <= set(viewer.tag_editor.tags())  # the chips are there...
    assert QApplication.focusWidget() is viewer.canvas  # ...but the photo has the keys

    # Clicking a chip, or typing a tag and leaving with Esc, leaves the keys with the photo.
    qtbot.mouseClick(viewer.tag_editor.chips.viewport(), Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is viewer.canvas
    qtbot.mouseClick(viewer.tag_editor.input, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is viewer.tag_editor.input
    qtbot.keyClicks(viewer.tag_editor.input, "fo")  # typing a tag: letters and ↓ stay in the field
    for key in (Qt.Key.Key_Down, Qt.Key.Key_F, Qt.Key.Key_Space, Qt.Key.Key_I):
        _press(qtbot, key)
    assert viewer.row == 0 and not window.isFullScreen() and viewer.panel.isVisible()
    assert viewer.tag_editor.input.text() == "fof i"
    _press(qtbot, Qt.Key.Key_Escape)  # Esc in the field clears it and gives the keys back
    assert viewer.tag_editor.input.text() == "" and QApplication.focusWidget() is viewer.canvas
    assert window.viewer is viewer
    qtbot.mouseClick(viewer.tag_editor.input, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(viewer.canvas, Qt.MouseButton.LeftButton)  # clicking the photo takes them back
    assert QApplication.focusWidget() is viewer.canvas

    for key in (Qt.Key.Key_Backspace, Qt.Key.Key_Right, Qt.Key.Key_Left):  # Delete: test_photo_actions.py
        _press(qtbot, key)
        assert viewer.row == (1 if key == Qt.Key.Key_Right else 0)
        assert QApplication.focusWidget() is viewer.canvas
    _press(qtbot, Qt.Key.Key_Right)
    _press(qtbot, Qt.Key.Key_Right)
    assert viewer.row == 2  # ←/→ change photo at once: no stepping through the chips
    _press(qtbot, Qt.Key.Key_Space)
    assert viewer.slideshow.isActive()
    _press(qtbot, Qt.Key.Key_Space)
    assert not viewer.slideshow.isActive()
    for key in (Qt.Key.Key_Backspace, Qt.Key.Key_Backspace):
        _press(qtbot, key)
    wait.idle(window)  # any edit a key had started would have landed by now
    assert set(TAGS) <= set(viewer.tag_editor.tags())
    assert _tags_of(library, paths) == before_tags
    assert _checksums(toy_folder) == before_files
    assert not window.undo.changes  # nothing happened, so nothing to undo


def test_chip_cross_removes_a_tag_and_ctrl_z_brings_it_back(make_window, tagged, wait, qtbot):
    library, paths = tagged
    window, viewer = _open(make_window, library, wait, qtbot)
    path = viewer.current_path()
    editor = viewer.tag_editor
    qtbot.mouseClick(editor.remove_buttons["holiday"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "holiday" not in editor.tags(), timeout=10_000)
    assert "holiday" not in _tags_of(library, [path])[path]
    assert QApplication.focusWidget() is viewer.canvas  # the ✕ took no focus

    _press(qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "holiday" in editor.tags(), timeout=10_000)
    assert _tags_of(library, [path])[path] >= set(TAGS)

    # After the viewer is closed, the status bar offers to undo the last removal.
    qtbot.mouseClick(editor.remove_buttons["keep"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "keep" not in editor.tags(), timeout=10_000)
    _press(qtbot, Qt.Key.Key_Escape)
    assert window.viewer is None and window.windowTitle() == "Photoapp"
    undo = window.undo.button
    assert undo.isVisible() and "“keep”" in window.undo.label.text()
    qtbot.mouseClick(undo, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Put the tag “keep” back"), timeout=10_000)
    assert "keep" in _tags_of(library, [path])[path] and not undo.isVisible()


def test_zoom_full_screen_info_and_escape_keys(make_window, tagged, wait, qtbot):
    library, _paths = tagged
    window, viewer = _open(make_window, library, wait, qtbot)
    name = Path(viewer.current_path()).name
    assert window.windowTitle() == f"{name} — Photoapp"  # the title names the photo
    assert window.pages.currentWidget() is viewer  # inside the main window, not a dialog
    label = viewer.canvas.zoom_label
    assert label.text().startswith("Fit · ")
    _press(qtbot, Qt.Key.Key_1)
    assert label.text() == "100 %"
    _press(qtbot, Qt.Key.Key_Plus)
    assert label.text() == "125 %"
    _press(qtbot, Qt.Key.Key_Minus)
    _press(qtbot, Qt.Key.Key_Minus)
    assert label.text() == "80 %"
    _press(qtbot, Qt.Key.Key_0)
    assert label.text().startswith("Fit · ")

    _press(qtbot, Qt.Key.Key_I)
    assert not viewer.panel.isVisible()
    _press(qtbot, Qt.Key.Key_I)
    assert viewer.panel.isVisible()

    _press(qtbot, Qt.Key.Key_F)
    assert window.isFullScreen() and not window.menuBar().isVisible()
    _press(qtbot, Qt.Key.Key_F11)
    assert not window.isFullScreen() and window.menuBar().isVisible()
    _press(qtbot, Qt.Key.Key_F11)
    assert window.isFullScreen()
    _press(qtbot, Qt.Key.Key_Escape)  # Esc leaves full screen first...
    assert not window.isFullScreen() and window.viewer is viewer
    _press(qtbot, Qt.Key.Key_Escape)  # ...then the viewer
    assert window.viewer is None and window.pages.currentWidget() is window.splitter
    assert window.windowTitle() == "Photoapp"


def test_slideshow_moves_on_and_stops_at_the_end(make_window, tagged, wait, qtbot):
    library, _paths = tagged
    window, viewer = _open(make_window, library, wait, qtbot, row=33)
    viewer.slideshow.setInterval(50)  # the test's pace; the wait below is on the row, not the clock
    _press(qtbot, Qt.Key.Key_Space)
    assert "slideshow" in viewer.panel.position.text()
    assert viewer.canvas.zoom_label.text().startswith("▶ Slideshow")  # seen in full screen too
    qtbot.waitUntil(lambda: viewer.row == 35 and not viewer.slideshow.isActive(), timeout=20_000)
    assert "slideshow" not in viewer.panel.position.text()
    assert viewer.canvas.zoom_label.text().startswith("Fit")


@pytest.fixture
def real_library(tmp_path, real_photos, model_spec):
    from photoapp.core.library import Library

    path = tmp_path / "library"
    with Library(path, model=model_spec) as lib:
        lib.index_folders([str(real_photos)])
    return path, real_photos


def test_info_panel_shows_a_real_photos_camera_and_hides_empty_rows(make_window, real_library, wait, qtbot):
    library, folder = real_library
    window = make_window(library)
    wait.rows(window, lambda w: w.model.rowCount() == 6)
    window.set_query("a photo")  # search results: their scores must not show as numbers
    window._show_closest("")
    wait.rows(window, lambda w: w.model.rowCount() == 6 and w.model.row_at(0).score is not None)
    rows = [Path(r.path).name for r in window.model.rows()]
    viewer = window.open_viewer(rows.index("Blinds.jpg"))
    qtbot.waitUntil(viewer.loading_done, timeout=60_000)
    shown = {
        n: viewer.fields[n].text().replace("\u200b", "") for n in viewer.fields if viewer.fields[n].isVisibleTo(viewer)
    }
    assert shown["Camera"] == "Canon EOS 350D DIGITAL" and shown["Aperture"] == "f/5.6"
    assert shown["Shutter"] == "1/80 s" and shown["ISO"] == "400" and shown["Focal length"] == "107 mm"
    assert shown["Taken"] == "22 January 2008, 03:28:22" and shown["Dimensions"] == "1,920 × 1,200 px"
    assert shown["Path"] == str(folder / "Blinds.jpg")
    assert shown["Size"] == human_size((folder / "Blinds.jpg").stat().st_size)
    assert "Lens" not in shown and "Files" not in shown  # no EXIF lens: no empty row
    texts = [w.text() for w in viewer.panel.findChildren(type(viewer.fields["Name"])) if w.isVisibleTo(viewer)]
    assert not any(re.search(r"\b0\.\d{3}\b", t) or "Score" in t for t in texts)  # no raw cosine

    viewer.show_row(rows.index("Aqua.jpg"))  # no EXIF at all
    hidden = {n for n in viewer.fields if not viewer.fields[n].isVisibleTo(viewer)}
    assert {"Camera", "Lens", "ISO", "Aperture", "Shutter", "Focal length"} <= hidden
    assert not any(viewer.panel.captions[n].isVisibleTo(viewer) for n in hidden)

    # "1" is 100 % of the file: a photo decoded smaller for the screen is decoded again in full.
    viewer.show_row(rows.index("Bridge_by_Sander_Klootwijk.jpg"))  # 4352 × 2448
    qtbot.waitUntil(viewer.loading_done, timeout=60_000)
    assert viewer.canvas.pixmap.width() == 2560
    viewer.focus_photo()
    _press(qtbot, Qt.Key.Key_1)
    assert viewer.canvas.zoom_label.text() == "100 %"
    qtbot.waitUntil(lambda: viewer.loading_done() and viewer.canvas.pixmap.width() == 4352, timeout=60_000)
    assert viewer.canvas.zoom_label.text() == "100 %"  # the view kept its zoom

    # The on-screen previous/next buttons show while the pointer is over the photo, step
    # too, and are disabled at the ends.
    viewer.show_row(0)
    # The pointer enters the photo (sent to the widget: the platform's pointer may be held
    # by whatever an earlier test left on screen).
    centre = QPointF(viewer.canvas.rect().center())
    QApplication.sendEvent(viewer.canvas, QEnterEvent(centre, centre, QPointF(viewer.canvas.mapToGlobal(centre))))
    qtbot.waitUntil(viewer.canvas.next_button.isVisible, timeout=20_000)
    assert not viewer.canvas.prev_button.isEnabled()
    qtbot.mouseClick(viewer.canvas.next_button, Qt.MouseButton.LeftButton)
    assert viewer.row == 1 and viewer.canvas.prev_button.isEnabled()
    viewer.leave()


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_face_boxes_turn_with_the_photo(rotation):
    """B on a photo turned with ] drew its face boxes where the face was before the turn
    (found walking the window): the box must cover the same pixels once turned."""
    from PIL import Image, ImageDraw

    from photoapp.gui.views.image_canvas import turned_box

    width, height, box = 300, 200, (0.1, 0.2, 0.3, 0.25)
    image = Image.new("L", (width, height), 0)
    x, y, w, h = box
    ImageDraw.Draw(image).rectangle([x * width, y * height, (x + w) * width - 1, (y + h) * height - 1], fill=255)
    turned = image.rotate(-rotation, expand=True)  # PIL turns counter-clockwise
    tx, ty, tw, th = turned_box(box, rotation)
    W, H = turned.size
    inside = turned.crop((round(tx * W) + 1, round(ty * H) + 1, round((tx + tw) * W) - 1, round((ty + th) * H) - 1))
    assert inside.getextrema() == (255, 255)  # all of the box is the face
    assert turned.histogram()[255] <= (tw * W + 1) * (th * H + 1)  # and all of the face is in the box


def test_fit_never_enlarges_a_small_photo_and_fill_does_on_demand(make_window, tmp_path, qtbot):
    from PIL import Image

    folder = tmp_path / "photos"
    folder.mkdir()
    Image.new("RGB", (100, 80), "teal").save(folder / "a_small.jpg")
    Image.new("RGB", (3000, 2000), "olive").save(folder / "b_large.jpg")
    window = make_window(tmp_path / "library")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    viewer = window.open_files([str(folder / "a_small.jpg"), str(folder / "b_large.jpg")])
    qtbot.waitUntil(viewer.loading_done, timeout=20_000)
    canvas, label = viewer.canvas, viewer.canvas.zoom_label
    assert Path(viewer.current_path()).name == "a_small.jpg"
    assert canvas.width() > 200 and canvas.height() > 160  # room to enlarge it twice over
    assert label.text() == "Fit · 100 %" and canvas.scale() == 1.0  # was enlarged to fill the canvas

    _press(qtbot, Qt.Key.Key_9)  # Fill, on demand: the photo covers the canvas
    assert label.text().startswith("Fill · ") and canvas.scale() > 2
    assert 100 * canvas.scale() >= canvas.width() and 80 * canvas.scale() >= canvas.height()
    qtbot.mouseDClick(canvas, Qt.MouseButton.LeftButton)  # a double-click goes back to Fit
    assert label.text() == "Fit · 100 %"
    qtbot.mouseDClick(canvas, Qt.MouseButton.LeftButton)
    assert label.text().startswith("Fill · ")

    _press(qtbot, Qt.Key.Key_Right)  # a large photo: Fit shrinks it whole into the canvas
    qtbot.waitUntil(lambda: Path(viewer.current_path()).name == "b_large.jpg" and viewer.loading_done())
    assert label.text().startswith("Fit · ") and canvas.scale() < 1
    shown = canvas.source_size * canvas.scale()
    assert shown.width() <= canvas.width() and shown.height() <= canvas.height()
    viewer.leave()


def test_fit_and_100_percent_count_screen_pixels_on_a_scaled_screen(make_window, tmp_path, qtbot):
    """On a screen scaled to 125 % (QT_SCALE_FACTOR=1.25, found walking the window), Fit drew a
    small photo 1.25 times its size while saying "100 %": the zoom counted logical pixels.
    The canvas's own device pixel ratio is set to 1.25 here (the offscreen screen has 1)."""
    from PIL import Image

    folder = tmp_path / "photos"
    folder.mkdir()
    Image.new("RGB", (100, 80), "teal").save(folder / "small.jpg")
    window = make_window(tmp_path / "library")
    viewer = window.open_files([str(folder / "small.jpg")])
    qtbot.waitUntil(viewer.loading_done, timeout=20_000)
    canvas = viewer.canvas
    canvas.devicePixelRatioF = lambda: 1.25  # what Qt reports on a 125 % screen
    canvas.set_zoom(None)
    assert canvas.zoom_label.text() == "Fit · 100 %"
    assert canvas.photo_rect().width() == 80 and canvas.photo_rect().height() == 64  # 100 x 80 device pixels
    canvas.set_zoom(1.0)  # the 1 key: one photo pixel on one screen pixel
    assert canvas.photo_rect().width() == 80
    canvas.set_zoom("fill")
    shown = canvas.photo_rect()
    assert shown.width() >= canvas.width() - 0.01 and shown.height() >= canvas.height() - 0.01  # covers it
    viewer.leave()
