"""Where and when in the window: the search bar's chips (removable) and the viewer's Place row."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt

from tests.places_media import gallery_names, indexed_library


@pytest.fixture
def placed_library(tmp_path, model_spec):
    return indexed_library(
        tmp_path,
        model_spec,
        {
            "paris.jpg": {"colour": (220, 30, 30), "taken": "2019:06:14 15:22:01", "gps": (48.8584, 2.2945)},
            "nice.jpg": {"colour": (30, 60, 220), "taken": "2020:07:01 10:00:00", "gps": (43.6961, 7.2719)},
            "plain.jpg": {"colour": (30, 170, 30), "taken": "2021:01:01 10:00:00"},
        },
    )


_names = gallery_names


def test_a_place_in_the_search_bar_is_a_removable_chip(make_window, placed_library, wait, qtbot):
    window = make_window(placed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 3)
    window.search_bar.setText("photos from Paris")
    window.set_query("photos from Paris")
    wait.rows(window, lambda w: _names(w) == {"paris.jpg"} and w.query_chips.isVisible())
    assert [b.text() for b in window.query_chips.buttons] == ["place: Paris  ✕"]
    assert window.query_chips.text_label.text() == "every photo"
    assert "newest first" in window.header.text()  # a place alone: every photo from there, by date
    assert window.sort_choice.currentText() == "Newest first"  # the box says so too, not "Best match" (walk)
    assert window.sort_choice.search_value() == "relevance"  # the choice itself is kept for word searches

    qtbot.mouseClick(window.query_chips.buttons[0], Qt.MouseButton.LeftButton)  # undo: Paris is a word again
    assert window.search_bar.text() == 'photos from "Paris"' and window.query == 'photos from "Paris"'
    wait.rows(window, lambda w: not w.query_chips.isVisible(), timeout=30_000)
    wait.idle(window)
    assert window.sort_choice.currentText() == "Best match"  # words again: ranked by the model

    window.set_query("2020")  # a year alone: every photo of that year
    wait.rows(window, lambda w: _names(w) == {"nice.jpg"} and w.query_chips.isVisible())
    assert [b.text() for b in window.query_chips.buttons] == ["date: 2020  ✕"]
    window.set_query("1999")  # a year without photos: none, not all
    wait.rows(window, lambda w: w.model.rowCount() == 0 and "date: 1999" in w.query_chips.buttons[0].text())


def test_the_info_panel_shows_the_place(placed_library, model_spec):
    from photoapp.core.library import Library
    from photoapp.gui.models.photo_list import PhotoRow
    from photoapp.gui.views.info_panel import describe

    with Library(placed_library, model=model_spec) as lib:
        path = next(p for p in lib.folders())  # the photo folder
        paris = os.path.join(path, "paris.jpg")
        info = lib.photo(paris)
        plain = lib.photo(os.path.join(path, "plain.jpg"))
    row = PhotoRow(info["id"], paris, info["mtime"], info["taken"], None, "photo", None, None)
    values = describe(row, info, Library.describe_exif(info["exif"]))
    assert values["Place"] == "Paris, Île-de-France, France\n48.85840, 2.29450"
    assert values["Taken"].startswith("14 June 2019, 15:22:01")
    plain_row = PhotoRow(plain["id"], plain["path"], plain["mtime"], plain["taken"], None, "photo", None, None)
    assert "Place" not in describe(plain_row, plain, {})
