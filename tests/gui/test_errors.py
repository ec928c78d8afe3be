"""Errors cross threads as objects and the window decides by their type, never their text."""

from __future__ import annotations

from photoapp.core.errors import LibraryError, NotIndexed, PhotoappError
from photoapp.core.library import ModelUnavailable


def test_a_workers_failure_arrives_as_the_exception_object(make_window, indexed_library, tmp_path, wait, qtbot):
    window = make_window(indexed_library)
    wait.idle(window)
    errors = []
    window.engine.submit(window.engine.library.remove_folder, str(tmp_path / "nowhere"), on_failed=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=20_000)
    assert isinstance(errors[0], LibraryError) and isinstance(errors[0], PhotoappError)
    assert "not a library folder" in str(errors[0])


def _failing_search(error):
    def search(*_args, **_kwargs):
        raise error

    return search


def test_the_search_banner_follows_the_error_type_not_its_text(make_window, indexed_library, wait, qtbot, monkeypatch):
    window = make_window(indexed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    wait.idle(window)
    # Texts chosen to mislead a decision by words: no "model" in the model's error...
    monkeypatch.setattr(window.engine.library, "search", _failing_search(ModelUnavailable("weights are truncated")))
    window.set_query("red")
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=20_000)
    assert window.banner.text() == "The search model is not available: weights are truncated"
    assert window.banner.button.isVisible()  # Settings…, where another model is chosen
    wait.idle(window)
    # ...and "model" in an error that is no model's fault: shown as it is, no Settings button.
    monkeypatch.setattr(window.engine.library, "search", _failing_search(LibraryError("no model photo: 'x.jpg'")))
    window.set_query("blue")
    qtbot.waitUntil(lambda: window.banner.text() == "no model photo: 'x.jpg'", timeout=20_000)
    assert not window.banner.button.isVisible()
    wait.idle(window)
    # Nothing embedded with this model and no index run under way: Settings, to choose another.
    monkeypatch.setattr(window.engine.library, "search", _failing_search(NotIndexed("nothing embedded")))
    window.set_query("green")
    qtbot.waitUntil(
        lambda: window.banner.text() == "The search model is not available: nothing embedded", timeout=20_000
    )
    assert window.banner.button.isVisible()
    wait.idle(window)


def test_not_indexed_while_indexing_says_it_is_under_way(make_window, tmp_path, few_photos, wait, qtbot, monkeypatch):
    from photoapp.config import Settings

    library = tmp_path / "library"
    library.mkdir()
    Settings(batch_size=4).save(library)  # several batches: the run can be held between two
    window = make_window(library)
    window.engine.indexing.progress.connect(
        lambda phase, *_: phase == "embed" and window.progress.pause_button.setChecked(True)
    )
    wait.lockstep_progress(window)
    window.add_folders([str(few_photos)])
    qtbot.waitUntil(
        lambda: window.engine.indexing.job is not None and window.engine.indexing.job.holding.is_set(), timeout=120_000
    )
    monkeypatch.setattr(window.engine.library, "search", _failing_search(NotIndexed("nothing embedded")))
    window.set_query("red")
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=20_000)
    assert window.banner.text() == "Search works once the first photos are indexed — indexing is under way."
    with qtbot.waitSignal(window.engine.indexing.stopped, timeout=30_000):
        window.progress.cancel_button.click()


def test_a_damaged_settings_file_is_shown_in_the_banner(make_window, indexed_library, wait):
    """A bad value in settings.json names its key in the window too, and the window opens."""
    import json

    path = indexed_library / "settings.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps(stored | {"batch_size": "lots"}))
    window = make_window(indexed_library)
    wait.idle(window)
    assert window.banner.isVisible()
    assert window.banner.text().startswith('settings.json: batch_size must be a whole number of at least 1, not "lots"')
