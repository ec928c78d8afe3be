"""Readability: every text role of the light and the dark palette meets WCAG AA (4.5:1) on
the background it is drawn on; the window follows the palette; empty galleries say why,
centred, and never blame filters that are not set; the window fits small screens."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette

from photoapp.gui.palette import BANNER, DARK, LIGHT, TEXT_PAIRS, contrast, palette

AA = 4.5


def test_contrast_formula():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#b8b8b8", "#efefef") < 2  # the unreadable grey the issue measured
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_text_role_meets_aa_on_its_background(dark):
    pal = palette(dark)
    for text, back in TEXT_PAIRS:
        ratio = contrast(pal.color(text), pal.color(back))
        assert ratio >= AA, f"{text.name} on {back.name}: {ratio:.2f}"
    group = QPalette.ColorGroup.Disabled  # greyed-out text is still legible
    assert contrast(pal.color(group, QPalette.ColorRole.Text), pal.color(QPalette.ColorRole.Base)) >= AA
    assert contrast(*BANNER["dark" if dark else "light"]) >= AA
    assert pal.color(QPalette.ColorRole.Base).lightness() < 128 if dark else True


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_duplicates_words_meet_aa(dark):
    from photoapp.gui.views.dupe_card import FATE_COLOURS

    window = (DARK if dark else LIGHT)[QPalette.ColorRole.Window]
    assert all(contrast(colour, window) >= AA for colour in FATE_COLOURS[dark])
    assert contrast("#ffffff", "#1e7b3f") >= AA  # the "keep" badge


def test_both_palettes_cover_the_same_roles():
    assert set(LIGHT) == set(DARK)


def test_the_window_uses_the_readable_palette_and_hints(make_window, indexed_library, wait):
    window = make_window(indexed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    hint = window.header.palette().color(window.header.foregroundRole())
    back = window.palette().color(QPalette.ColorRole.Window)
    assert contrast(hint, back) >= AA  # the result line, once #b8b8b8 on #efefef
    bar = window.search_bar
    assert bar.fontMetrics().horizontalAdvance(bar.placeholderText()) < bar.minimumWidth()


def test_no_filter_never_reads_as_no_match(make_window, tmp_path, wait, qtbot):
    empty = tmp_path / "empty"
    empty.mkdir()
    window = make_window(tmp_path / "lib")
    assert window.stack.currentWidget() is window.empty  # a new library: "Add a folder to start"
    assert "Add a folder to start" in window.empty.findChildren(type(window.header))[1].text()
    window.add_folders([str(empty)])
    qtbot.waitUntil(lambda: bool(window.sidebar.folders()) and not window.busy, timeout=60_000)
    window.reload()
    wait.rows(window, lambda w: w.stack.currentWidget() is w.no_photos)
    assert "filters" not in window.header.text() and "filters" not in window.no_photos.title.text()


def test_a_search_with_no_match_offers_the_closest_centred(make_window, indexed_library, wait, qtbot, shipped_model):
    window = make_window(indexed_library, model=shipped_model)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    window.set_query("a photo")  # the neutral prompt: nothing stands out
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.no_photos, timeout=20_000)
    assert "No photos match “a photo”" in window.no_photos.title.text()
    window.no_photos.title.linkActivated.emit("closest")
    qtbot.waitUntil(lambda: window.model.rowCount() == 36, timeout=20_000)
    assert window.stack.currentWidget() is window.gallery_pane


def test_the_window_fits_small_screens(make_window, indexed_library, wait):
    window = make_window(indexed_library)
    wait.rows(window)
    assert window.minimumSizeHint().width() <= 1000  # 1366 px at 125 % leaves room for the frame
    assert window.minimumSizeHint().height() <= 560
