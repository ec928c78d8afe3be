"""Filters: a button in the toolbar that opens a popover with the kind of file and the dates
(typed words — "June 2008", "2019", "2019-2021", "last summer" — or a range picked on a
calendar), and the chips that show each active filter in the header, removable with one
click. A filter is applied or refused with a reason; never silently ignored."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from photoapp.core.search.dates import DateSpan, parse_date_range

KINDS = (("All types", None), ("Photos", "photo"), ("Videos", "video"), ("RAW", "raw"))
DATE_HINT = "e.g. June 2008, 2019, 2019-2021, last summer"


def read_dates(text: str, today: date | None = None) -> tuple[DateSpan | None, str]:
    """The span typed in the dates field and what to tell the user about it:
    (span, "") when understood, (None, why) when not. Months of any year ("December")
    are refused: the filter is a range of days."""
    text = text.strip()
    if not text:
        return None, ""
    span = parse_date_range(text, today or date.today())
    if span is None:
        return None, f"“{text}” is not a date Photoapp understands ({DATE_HINT})"
    if span.months and span.start is None and span.end is None:
        return None, f"“{text}” has no year: add one (e.g. {text} 2019)"
    return span, ""


def span_between(start: date, end: date) -> DateSpan:
    """The days from ``start`` to ``end``, both included (a calendar pick)."""
    start, end = min(start, end), max(start, end)
    label = _day(start) if start == end else f"{_day(start)} – {_day(end)}"
    return DateSpan(start, end + timedelta(days=1), (), label)


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def span_times(span: DateSpan | None) -> tuple[float | None, float | None]:
    """(after, before) POSIX times (local midnight) of a span, for the core's Filters."""
    if span is None:
        return None, None
    after = datetime.combine(span.start, datetime.min.time()).timestamp() if span.start else None
    before = datetime.combine(span.end, datetime.min.time()).timestamp() if span.end else None
    return after, before


class FiltersPopup(QFrame):
    """The popover; ``changed`` after Apply, Clear or a new kind."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("filtersPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.span: DateSpan | None = None
        self.type_choice = QComboBox(self)  # photo / video / raw, like the CLI's --type
        for text, kind in KINDS:
            self.type_choice.addItem(text, kind)
        self.type_choice.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.rating_choice = QComboBox(self)  # at least this many stars, like the CLI's --min-rating
        self.rating_choice.addItem("Any rating", None)
        for n in range(1, 6):
            self.rating_choice.addItem("★" * n + ("" if n == 5 else " or more"), n)
        self.rating_choice.setToolTip("Show only photos with at least this many stars")
        self.rating_choice.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.date_text = QLineEdit(self)
        self.date_text.setPlaceholderText(DATE_HINT)
        self.date_text.setClearButtonEnabled(True)
        self.date_text.setMinimumWidth(300)
        self.date_text.textChanged.connect(self._typed)
        self.date_text.returnPressed.connect(self.apply_typed)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setObjectName("hint")
        self.start, self.end = self._date_edit(), self._date_edit()
        self.start.dateChanged.connect(lambda d: self.end.setMinimumDate(d))
        pick = QPushButton("Use these dates", self)
        pick.clicked.connect(self.apply_picked)
        apply = QPushButton("Apply", self)
        apply.setDefault(True)
        apply.clicked.connect(self.apply_typed)
        clear = QPushButton("Clear dates", self)
        clear.clicked.connect(self.clear_dates)
        form = self.form = QFormLayout()
        form.addRow("Show", self.type_choice)
        form.addRow("Rating", self.rating_choice)
        typed = QHBoxLayout()
        typed.addWidget(self.date_text, 1)
        typed.addWidget(apply)
        form.addRow("Taken", typed)
        form.addRow("", self.message)
        picked = QHBoxLayout()
        picked.addWidget(self.start)
        picked.addWidget(QLabel("to", self))
        picked.addWidget(self.end)
        picked.addWidget(pick)
        form.addRow("or from", picked)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(clear, 0, Qt.AlignmentFlag.AlignRight)

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setCalendarPopup(True)  # the range is picked on a calendar
        edit.setDisplayFormat("d MMM yyyy")
        edit.setDate(QDate.currentDate())
        return edit

    def kind(self) -> str | None:
        return self.type_choice.currentData()

    def min_rating(self) -> int | None:
        return self.rating_choice.currentData()

    def _typed(self, text: str) -> None:
        span, why = read_dates(text)
        if why:
            self.message.setText(why)
        elif span is not None:
            self.message.setText(f"Photos taken in {span.label or text.strip()}")
            self._show_on_calendars(span)
        else:
            self.message.setText("")

    def _show_on_calendars(self, span: DateSpan) -> None:
        if span.start:
            self.start.setDate(QDate(span.start.year, span.start.month, span.start.day))
        if span.end:
            last = span.end - timedelta(days=1)
            self.end.setDate(QDate(last.year, last.month, last.day))

    def apply_typed(self) -> bool:
        """Apply the typed dates; False (and the reason shown) when they are not dates."""
        text = self.date_text.text()
        span, why = read_dates(text)
        if why:
            self.message.setText(why)
            return False
        self.set_span(span)
        return True

    def apply_picked(self) -> None:
        self.set_span(span_between(self.start.date().toPython(), self.end.date().toPython()))

    def set_span(self, span: DateSpan | None) -> None:
        self.span = span
        self.date_text.blockSignals(True)
        self.date_text.setText(span.label if span else "")
        self.date_text.blockSignals(False)
        self.message.setText("")
        self.hide()
        self.changed.emit()

    def clear_dates(self) -> None:
        self.set_span(None)

    def clear_kind(self) -> None:
        self.type_choice.setCurrentIndex(0)

    def clear_rating(self) -> None:
        self.rating_choice.setCurrentIndex(0)


class FilterChips(QWidget):
    """One chip per active filter ("June 2008 ✕"); clicking it removes that filter."""

    def __init__(self, popup: FiltersPopup, parent=None):
        super().__init__(parent)
        self.popup = popup
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(8, 0, 0, 0)
        self.row.setSpacing(6)
        self.chips: list[QToolButton] = []

    def refresh(self) -> None:
        for chip in self.chips:
            chip.deleteLater()
        self.chips = []
        if self.popup.span is not None:
            self._chip(f"Taken: {self.popup.span.label}", self.popup.clear_dates)
        if self.popup.kind() is not None:
            self._chip(f"Only {self.popup.type_choice.currentText().lower()}", self.popup.clear_kind)
        if self.popup.min_rating() is not None:  # a forgotten rating filter hides photos: say so
            self._chip(f"Rating: {self.popup.rating_choice.currentText()}", self.popup.clear_rating)
        self.setVisible(bool(self.chips))

    def _chip(self, text: str, remove) -> None:
        chip = QToolButton(self)
        chip.setObjectName("chip")
        chip.setText(f"{text}  ✕")
        chip.setToolTip("Remove this filter")
        chip.setAccessibleName(f"{text}, remove filter")
        chip.clicked.connect(remove)
        self.row.addWidget(chip)
        self.chips.append(chip)
