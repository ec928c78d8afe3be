"""The search model loads in the background once the window shows (issue 30): a search typed
while it loads is named in the status bar and answers as soon as the model is ready."""

from __future__ import annotations

import os


def test_a_search_typed_while_the_model_loads_answers_when_it_is_ready(
    qtbot, indexed_library, shipped_model, wait, make_window
):
    from photoapp.gui.main_window import MainWindow
    from photoapp.gui.services.library import LibraryService

    engine = LibraryService(indexed_library, model=shipped_model)
    window = MainWindow(engine)
    events, typed = [], {}

    def loading() -> None:  # the window's status is already showing; the user types now
        events.append("loading")
        typed["status_shown"] = window.model_status.isVisible()
        window.search_bar.setText("red")
        window.set_query("red")
        typed["status"] = window.model_status.label.text()

    engine.model_loading.connect(loading)
    engine.model_ready.connect(lambda error: events.append(("ready", error)))
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    try:
        wait.rows(window, lambda w: "match <b>“red”</b>" in w.header.text())
        assert events == ["loading", ("ready", None)]  # the answer came after the model was ready
        assert typed["status_shown"] and "“red” is searched as soon as it is ready" in typed["status"]
        assert not window.model_status.isVisible() and engine.model_state == "ready"
        names = [os.path.basename(r.path) for r in window.model.rows()]
        assert names and all(n.startswith("red_") for n in names), names
        wait.idle(window)
    finally:
        window.close()
    assert engine.queries.activeThreadCount() == 0


def test_an_empty_library_loads_no_model(make_window, tmp_path, wait):
    window = make_window(tmp_path / "empty-library")
    wait.idle(window)
    assert window.engine.model_state == "ready"
    assert window.engine.library.embedder._loaded is False  # nothing to search: nothing loaded
