"""The timeline: date order both ways with undated photos last under "No date", month
headers (day headers when large), search results grouped by month with the best match
first inside each, and the scrubber that jumps as it is dragged."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget

from photoapp.gui.layout.timeline import NO_DATE, day_key, groups, order_rows, title, year_marks
from photoapp.gui.models.photo_list import PhotoListModel, PhotoRow
from photoapp.gui.views.gallery_view import DAY_HEADERS_FROM, GalleryView, Grouping
from photoapp.gui.views.scrubber import TimelineScrubber


def row(i: int, when: datetime | None, score: float | None = None, aspect: float = 1.5) -> PhotoRow:
    taken = when.timestamp() if when else None
    return PhotoRow(i, f"/p/{i:05d}.jpg", 0.0, taken, score, aspect=aspect, day=day_key(taken))


def years(first: int, last: int, per_month: int = 6) -> list[PhotoRow]:
    """Newest first, as the core lists them, then two undated photos."""
    rows, i = [], 0
    for year in range(last, first - 1, -1):
        for month in range(12, 0, -1):
            for day in range(per_month, 0, -1):
                rows.append(row(i, datetime(year, month, day * 4, 12)))
                i += 1
    return rows + [row(i, None), row(i + 1, None)]


def test_day_keys_and_titles():
    assert day_key(datetime(2008, 6, 14, 10).timestamp()) == 20080614
    assert day_key(None) == 0
    assert title(200806) == "June 2008"
    assert title(20080614, by_day=True) == "Sat 14 June 2008"
    assert title(0) == NO_DATE


def test_newest_and_oldest_first_keep_undated_photos_last():
    rows = years(2019, 2020, per_month=1)
    newest = order_rows(rows, "newest")
    oldest = order_rows(rows, "oldest")
    assert [r.taken for r in newest[-2:]] == [None, None] and [r.taken for r in oldest[-2:]] == [None, None]
    dated = [r.taken for r in oldest[:-2]]
    assert dated == sorted(dated) and [r.taken for r in newest[:-2]] == sorted(dated, reverse=True)
    by_month = groups([r.day for r in oldest])
    assert [g.title for g in by_month[:2]] == ["January 2019", "February 2019"]
    assert by_month[-1].title == NO_DATE and by_month[-1].end - by_month[-1].start == 2


def test_search_results_group_by_month_with_the_best_match_first_inside():
    hits = [  # best first, as the core ranks them
        row(1, datetime(2019, 5, 2), 0.9),
        row(2, datetime(2021, 3, 1), 0.8),
        row(3, None, 0.7),
        row(4, datetime(2019, 5, 30), 0.6),
        row(5, datetime(2021, 3, 20), 0.5),
    ]
    grouped = order_rows(hits, "newest", searching=True)
    assert [r.id for r in grouped] == [2, 5, 1, 4, 3]  # March 2021 (best first), May 2019, no date
    assert [g.title for g in groups([r.day for r in grouped])] == ["March 2021", "May 2019", NO_DATE]
    assert [r.id for r in order_rows(hits, "oldest", searching=True)] == [1, 4, 2, 5, 3]
    assert [r.id for r in order_rows(hits, "relevance", searching=True)] == [1, 2, 3, 4, 5]


@pytest.fixture
def timeline(qtbot):
    """A gallery with the scrubber beside it, over six years of photos."""
    pane = QWidget()
    qtbot.addWidget(pane)
    model = PhotoListModel()
    gallery = GalleryView()
    gallery.setModel(model)
    scrubber = TimelineScrubber(gallery)
    layout = QHBoxLayout(pane)
    layout.addWidget(gallery, 1)
    layout.addWidget(scrubber)
    pane.resize(1000, 700)
    pane.show()
    qtbot.waitExposed(pane)
    model.set_rows(years(2015, 2020))
    yield gallery, scrubber
    pane.close()  # the pane (and so the gallery) lives until the test ends


def test_month_headers_then_day_headers_when_thumbnails_are_large(timeline):
    gallery, _ = timeline
    titles = [h.title for h in gallery.layout_.headers]
    assert titles[:2] == ["December 2020", "November 2020"] and titles[-1] == NO_DATE
    assert len(titles) == 6 * 12 + 1
    first = gallery.layout_.rect(0)
    assert first[1] > 0  # the first photo sits under its header
    gallery.set_thumb_size(DAY_HEADERS_FROM)
    titles = [h.title for h in gallery.layout_.headers]
    assert titles[0] == "Thu 24 December 2020" and len(titles) == 6 * 12 * 6 + 1
    gallery.set_grouping(Grouping.NONE)
    assert gallery.layout_.headers == []


def press_drag(widget, ys: list[float]):
    """Press at the first y, then move with the button held through the others."""
    x = widget.width() / 2
    kinds = [QEvent.Type.MouseButtonPress] + [QEvent.Type.MouseMove] * (len(ys) - 1)
    for kind, y in zip(kinds, ys):
        button = Qt.MouseButton.LeftButton if kind == QEvent.Type.MouseButtonPress else Qt.MouseButton.NoButton
        pos = QPointF(x, y)
        event = QMouseEvent(
            kind, pos, widget.mapToGlobal(pos), button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(widget, event)
        yield


def first_visible_year(gallery) -> int:
    first, _ = gallery.visible_rows()
    return gallery.model().row_at(first).day // 10000


def test_the_scrubber_shows_years_and_jumps_as_it_is_dragged(timeline):
    gallery, scrubber = timeline
    assert scrubber.isVisible()
    labels = [label for _f, label in scrubber.marks]
    assert labels == ["2020", "2019", "2018", "2017", "2016", "2015", NO_DATE]
    mark = {label: f for f, label in scrubber.marks}
    assert first_visible_year(gallery) == 2020
    ys = [scrubber.y_of(mark[y]) + 1 for y in ("2020", "2018", "2016")]
    drag = press_drag(scrubber, ys)
    next(drag)
    assert first_visible_year(gallery) == 2020
    next(drag)  # moved with the button held: the gallery is already at 2018
    assert first_visible_year(gallery) == 2018 and scrubber.bubble.text() == "December 2018"
    next(drag)
    assert first_visible_year(gallery) == 2016
    QApplication.sendEvent(
        scrubber,
        QMouseEvent(
            QEvent.Type.MouseButtonRelease,
            QPointF(5, ys[-1]),
            scrubber.mapToGlobal(QPointF(5, ys[-1])),
            Qt.MouseButton.LeftButton,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        ),
    )
    assert scrubber.bubble.isHidden()


def test_no_scrubber_without_date_headers(timeline):
    gallery, scrubber = timeline
    gallery.set_grouping(Grouping.NONE)
    assert not scrubber.isVisible()
    assert year_marks([], [], 0) == []


def test_oldest_first_while_browsing(make_window, indexed_library, wait):
    window = make_window(indexed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    assert window.sort_choice.isEnabled() and window.sort_choice.currentText() == "Newest first"
    window.sort_choice.setCurrentIndex(window.sort_choice.findData("oldest"))
    wait.rows(window, lambda w: "oldest first" in w.header.text())
    taken = [r.taken for r in window.model.rows()]
    assert taken == sorted(taken)
    assert window.gallery.layout_.headers  # grouped under month headers
    window.set_query("red")
    wait.rows(window, lambda w: "match" in w.header.text())
    assert window.sort_choice.findData("relevance") >= 0  # best match is offered for searches


def test_day_keys_of_a_listing_match_one_by_one():
    from photoapp.gui.layout.timeline import day_keys

    start = datetime(2021, 3, 27, 20).timestamp()  # across a spring DST change in Europe
    takens = [start + k * 1800 for k in range(200)] + [None] + [start - k * 7200 for k in range(50)]
    assert day_keys(takens) == [day_key(t) for t in takens]


def test_clicks_and_arrow_keys_follow_the_justified_layout(timeline, qtbot):
    gallery, _ = timeline
    model = gallery.model()
    rect = gallery.visualRect(model.index(3))
    assert gallery.indexAt(rect.center()).row() == 3
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert gallery.currentIndex().row() == 3 and gallery.selectionModel().isSelected(model.index(3))
    qtbot.keyClick(gallery, Qt.Key.Key_Right)
    assert gallery.currentIndex().row() == 4
    line = gallery.layout_.line_of(4)
    qtbot.keyClick(gallery, Qt.Key.Key_Down)
    below = gallery.currentIndex().row()
    assert gallery.layout_.line_of(below) == line + 1  # straight down, on the next row
    qtbot.keyClick(gallery, Qt.Key.Key_End)
    assert gallery.currentIndex().row() == model.rowCount() - 1
    first, last = gallery.visible_rows()
    assert first <= model.rowCount() - 1 <= last  # scrolled to it


def test_shift_click_selects_the_photos_between_in_reading_order(timeline, qtbot):
    """Not the rectangle between the two clicks (Qt's default): on justified rows of unequal
    widths that left out photos at the end of the first row (found walking the window)."""
    gallery, _ = timeline
    model = gallery.model()
    layout = gallery.layout_
    first_line = layout.items_of_line(0)
    start = first_line[-1]  # the last photo of the first row...
    end = layout.items_of_line(1)[0]  # ...to the first of the second: the rectangle holds more
    assert gallery.visualRect(model.index(start)).left() > gallery.visualRect(model.index(end)).right()
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=gallery.visualRect(model.index(start)).center())
    shift = Qt.KeyboardModifier.ShiftModifier
    center = gallery.visualRect(model.index(end + 2)).center()
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, shift, center)
    selected = sorted(i.row() for i in gallery.selectionModel().selectedIndexes())
    assert selected == list(range(start, end + 3))
    # A second Shift+click still starts from the first photo clicked.
    center = gallery.visualRect(model.index(start - 1)).center()
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, shift, center)
    assert sorted(i.row() for i in gallery.selectionModel().selectedIndexes()) == [start - 1, start]


def test_a_photo_turned_a_quarter_takes_a_tall_place_in_its_row(timeline, qtbot):
    """Turning a landscape photo with ] left it in its wide cell, cropped (found walking the window)."""
    from photoapp.core.store.marks import Marks

    gallery, _ = timeline
    model = gallery.model()
    photo = model.row_at(0).id
    assert gallery.visualRect(model.index(0)).width() > gallery.visualRect(model.index(0)).height()  # 3:2, as listed
    with qtbot.waitSignal(gallery.layout_changed):
        model.set_marks({photo: Marks(rotation=90)})
    assert gallery.visualRect(model.index(0)).width() < gallery.visualRect(model.index(0)).height()
    with qtbot.waitSignal(gallery.layout_changed):
        model.set_marks({photo: Marks(rotation=180)})  # upside down: as wide as before
    assert gallery.visualRect(model.index(0)).width() > gallery.visualRect(model.index(0)).height()


def test_shift_arrows_extend_the_selection_in_reading_order(timeline, qtbot):
    gallery, _ = timeline
    model = gallery.model()
    layout = gallery.layout_
    start = layout.items_of_line(0)[-1]  # the end of the first row
    qtbot.mouseClick(gallery.viewport(), Qt.MouseButton.LeftButton, pos=gallery.visualRect(model.index(start)).center())
    qtbot.keyClick(gallery, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    below = gallery.currentIndex().row()
    assert layout.line_of(below) == 1
    selected = sorted(i.row() for i in gallery.selectionModel().selectedIndexes())
    assert selected == list(range(start, below + 1))  # the end of row one and row two up to it
    qtbot.keyClick(gallery, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert sorted(i.row() for i in gallery.selectionModel().selectedIndexes()) == list(range(start, below))
    qtbot.keyClick(gallery, Qt.Key.Key_Right)  # an arrow without Shift: one photo, a new anchor
    assert [i.row() for i in gallery.selectionModel().selectedIndexes()] == [below]
