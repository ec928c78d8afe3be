"""Start and stop: on an unchanged library the check at start says nothing (no progress
panel, no "Not watching folders", no "up to date" line) and the window is usable at once;
the same check speaks when it finds a new photo; closing ends every thread."""

from __future__ import annotations

import shutil

from photoapp.core.library import Library


class Spy:
    """What the status bar showed while the first run went on."""

    def __init__(self, window):
        self.window = window
        self.panel_seen = False
        self.indicator_texts: set[str] = set()
        self.messages: list[str] = []
        window.engine.indexing.started.connect(self.look)
        window.engine.indexing.progress.connect(lambda *_a: self.look())
        window.engine.indexing.stopped.connect(lambda *_a: self.look())
        window.statusBar().messageChanged.connect(lambda text: self.messages.append(text))

    def look(self) -> None:
        self.panel_seen |= self.window.progress.isVisible()
        self.indicator_texts.add(self.window.watch_indicator.text())


def test_an_unchanged_library_starts_quietly(make_window, indexed_library, wait, qtbot):
    window = make_window(indexed_library)
    spy = Spy(window)
    wait.rows(window, lambda w: w.model.rowCount() == 36)  # usable while the check runs
    with qtbot.waitSignal(window.engine.indexing.stopped, timeout=60_000) as stopped:
        pass
    assert stopped.args[0] == "finished" and stopped.args[1]["embedded"] == 0
    spy.look()
    assert not spy.panel_seen  # no "Preparing to index…" with Pause and Cancel
    assert not any("Not watching" in t or "Checking" in t for t in spy.indicator_texts)
    assert not any(m.startswith("Library up to date") for m in spy.messages)
    qtbot.waitUntil(lambda: window.watch_indicator.state == "watching", timeout=60_000)
    assert "Watching 1 folder" in window.watch_indicator.text()


def test_the_check_at_start_speaks_when_it_finds_changes(
    make_window, tmp_path, few_photos, toy_folder, model_spec, qtbot
):
    library = tmp_path / "lib"
    with Library(library, model=model_spec) as lib:
        lib.index_folders([str(few_photos)])
    extra = sorted(toy_folder.iterdir())[1]  # not among the 12 (every third photo)
    shutil.copy2(extra, few_photos / extra.name)
    window = make_window(library)
    spy = Spy(window)
    with qtbot.waitSignal(window.engine.indexing.stopped, timeout=60_000) as stopped:
        pass
    assert stopped.args[1]["embedded"] == 1
    assert spy.panel_seen  # the new photo was worth a progress line
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Library up to date"), timeout=10_000)
    assert "1 newly indexed" in window.statusBar().currentMessage()
