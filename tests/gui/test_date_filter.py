"""The date filter: typed words ("June 2008", "2019", "2019-2021") or a range picked on a
calendar; an active filter is a chip in the header that removes it; what is not a date is
refused with a reason, never silently ignored."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, Qt

from photoapp.gui.views.filters_popup import read_dates, span_between, span_times

TODAY = date(2026, 12, 2)


def test_typed_dates_are_understood():
    june, why = read_dates("June 2008", TODAY)
    assert (june.start, june.end, why) == (date(2008, 6, 1), date(2008, 7, 1), "")
    year, _ = read_dates("2019", TODAY)
    assert (year.start, year.end) == (date(2019, 1, 1), date(2020, 1, 1))
    years, _ = read_dates("2019-2021", TODAY)
    assert (years.start, years.end) == (date(2019, 1, 1), date(2022, 1, 1))
    assert read_dates("  ", TODAY) == (None, "")


def test_what_is_not_a_date_is_refused_with_a_reason():
    span, why = read_dates("next tuesday-ish", TODAY)
    assert span is None and "not a date" in why and "June 2008" in why
    span, why = read_dates("December", TODAY)  # any December: not a range of days
    assert span is None and "add one" in why


def test_a_calendar_range_includes_both_days():
    span = span_between(date(2020, 3, 9), date(2020, 3, 1))  # picked backwards
    assert (span.start, span.end) == (date(2020, 3, 1), date(2020, 3, 10))
    assert span.label == "1 Mar 2020 – 9 Mar 2020"
    after, before = span_times(span)
    assert after == datetime(2020, 3, 1).timestamp() and before == datetime(2020, 3, 10).timestamp()


def test_the_filter_shows_as_a_chip_that_removes_it(make_window, indexed_library, wait, qtbot):
    window = make_window(indexed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    taken = datetime.fromtimestamp(window.model.row_at(0).taken)
    popup = window.filters_popup
    assert window.chips.isHidden() and window.filters_button.text() == "Filters"

    popup.date_text.setText("June 2008")
    assert "June 2008" in popup.message.text()  # the interpretation, as it is typed
    assert popup.apply_typed()
    wait.rows(window, lambda w: w.model.rowCount() == 0)
    assert [c.text() for c in window.chips.chips] == ["Taken: June 2008  ✕"] and window.chips.isVisible()
    assert window.filters_button.text() == "Filters (1)"
    assert window.header.text() == "No photos match these filters"

    popup.date_text.setText(f"{taken:%B %Y}")  # the month the toy photos were taken
    popup.apply_typed()
    wait.rows(window, lambda w: w.model.rowCount() == 36)

    popup.date_text.setText("blah")
    assert not popup.apply_typed()  # refused: the month filter stays, and says so
    assert "not a date" in popup.message.text()
    assert window.chips.chips[0].text().startswith(f"Taken: {taken:%B %Y}")

    qtbot.mouseClick(window.chips.chips[0], Qt.MouseButton.LeftButton)
    wait.rows(window, lambda w: w.model.rowCount() == 36 and not w.chips.chips)
    assert popup.span is None and window.filters().after is None


def test_a_range_picked_on_the_calendars(make_window, indexed_library, wait):
    window = make_window(indexed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    popup = window.filters_popup
    assert popup.start.calendarPopup() and popup.end.calendarPopup()
    popup.start.setDate(QDate(2001, 1, 1))
    popup.end.setDate(QDate(2001, 12, 31))
    popup.apply_picked()
    wait.rows(window, lambda w: w.model.rowCount() == 0)
    assert window.chips.chips[0].text().startswith("Taken: 1 Jan 2001 – 31 Dec 2001")
    window.type_choice.setCurrentIndex(window.type_choice.findData("video"))
    assert [c.text().split("  ")[0] for c in window.chips.chips] == ["Taken: 1 Jan 2001 – 31 Dec 2001", "Only videos"]
