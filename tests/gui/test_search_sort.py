"""Search results are only the relevant photos (the core's adaptive cut-off), counted in
the header and ordered by the sort choice next to the search bar."""

from __future__ import annotations

import os


def _searched(window, wait, query: str) -> list:
    window.search_bar.setText(query)
    window.set_query(query)
    wait.rows(window, lambda w: f"match <b>“{query}”</b>" in w.header.text())  # this question's answer
    return list(window.model.rows())


def test_results_are_counted_and_sorted_by_date_or_name(make_window, indexed_library, wait, shipped_model, qtbot):
    window = make_window(indexed_library, model=shipped_model)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    assert window.sort_choice.currentText() == "Newest first"  # browsing: a date order, never "Best match"
    assert window.sort_choice.findData("relevance") < 0

    rows = _searched(window, wait, "red")
    names = [os.path.basename(r.path) for r in rows]
    assert len(rows) == 6 and all(n.startswith("red_") for n in names), names  # just the red photos
    assert window.header.text().startswith("6 photos match <b>“red”</b>")
    assert "best match first" in window.header.text() and window.sort_choice.isEnabled()
    scores = [r.score for r in rows]
    assert scores == sorted(scores, reverse=True)

    window.sort_choice.setCurrentIndex(window.sort_choice.findData("newest"))  # grouped by month, best first inside
    wait.rows(window, lambda w: "newest first" in w.header.text())
    months = [r.day // 100 for r in window.model.rows()]
    assert months == sorted(months, reverse=True)
    assert {r.path for r in window.model.rows()} == {r.path for r in rows}  # the same photos, in time order
    assert "newest first" in window.header.text() and window.header.text().startswith("6 photos")

    window.sort_choice.setCurrentIndex(window.sort_choice.findData("name"))
    wait.rows(window, lambda w: [os.path.basename(r.path) for r in w.model.rows()] == sorted(names))

    window.search_bar.setText("a photo")  # the neutral prompt: nothing stands out
    window.set_query("a photo")
    qtbot.waitUntil(lambda: window.header.text().startswith("No photos match"), timeout=20_000)
    assert window.model.rowCount() == 0 and "href='closest'" in window.header.text()
    window.header.linkActivated.emit("closest")  # the user clicks "show the closest anyway"
    qtbot.waitUntil(lambda: window.header.text().startswith("The 36 closest"), timeout=20_000)
    assert window.model.rowCount() == 36
    rows = _searched(window, wait, "red")  # a new question: relevant photos only again
    assert len(rows) == 6


def test_sort_choice_is_remembered_and_applies_to_similar(make_window, indexed_library, wait, shipped_model):
    window = make_window(indexed_library, model=shipped_model)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    window.sort_choice.setCurrentIndex(window.sort_choice.findData("name"))
    target = next(r.path for r in window.model.rows() if os.path.basename(r.path).startswith("blue_circle_on_black"))
    window.find_similar(target)
    wait.rows(window, lambda w: w.model.rowCount() and w.model.row_at(0).score is not None)
    assert target not in {r.path for r in window.model.rows()}
    assert "look" in window.header.text() and "by name" in window.header.text()
    window.close()

    again = make_window(indexed_library, model=shipped_model)
    assert again.sort_choice.value() == "name"
