"""The Duplicates view on real photographs: groups with space to reclaim, the suggested
keeper marked, another keeper chosen, resolve to a (temporary) system trash and undo,
"not duplicates", compare at the same scale, apply all suggestions with one undo, and
finding off the GUI thread with progress and cancel."""

from __future__ import annotations

import importlib
import os
import shutil
import threading

import pytest
from PIL import Image
from PySide6.QtCore import Qt


@pytest.fixture
def dupes_folder(tmp_path, shared_photos, monkeypatch):
    """Aqua twice (exact), Dune and a half-size re-save of it (near), one distinct photo;
    the trash is a temporary freedesktop trash."""
    from send2trash import plat_other

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    importlib.reload(plat_other)  # send2trash reads XDG_DATA_HOME once, at import
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("Aqua.jpg", "Dune.jpg", "FreshFlower.jpg"):
        shutil.copy2(shared_photos / name, folder / name)
    shutil.copy2(shared_photos / "Aqua.jpg", folder / "Aqua copy.jpg")
    with Image.open(shared_photos / "Dune.jpg") as img:
        img.resize((img.width // 2, img.height // 2)).save(folder / "Dune small.jpg", quality=80)
    yield folder
    monkeypatch.undo()
    importlib.reload(plat_other)


def _open(window, qtbot, groups: int):
    dialog = window.show_duplicates()
    qtbot.waitUntil(lambda: dialog.list.count() == groups and not dialog.busy, timeout=60_000)
    return dialog


def _indexed_window(make_window, qtbot, wait, folder, library):
    window = make_window(library)
    with qtbot.waitSignal(window.engine.indexing.stopped, timeout=120_000):
        window.add_folders([str(folder)])
    wait.rows(window, lambda w: w.model.rowCount() == 5)
    return window


def test_groups_keeper_resolve_undo_dismiss_compare(make_window, qtbot, wait, dupes_folder, tmp_path):
    window = _indexed_window(make_window, qtbot, wait, dupes_folder, tmp_path / "lib")

    dialog = _open(window, qtbot, 2)
    exact, near = dialog.groups
    assert (exact.tier, near.tier) == ("exact", "near")
    assert dialog.list.item(0).text().startswith("Exact copies · 2 photos")
    assert "KB to reclaim" in dialog.list.item(0).text() and "reclaim" in dialog.summary.text()

    dialog.list.setCurrentRow(1)  # Dune and its half-size copy
    assert [os.path.basename(c.photo.path) for c in dialog.cards] == ["Dune.jpg", "Dune small.jpg"]
    assert "highest resolution" in dialog.heading.text()
    badges = [c.findChild(type(dialog.summary), "badge") for c in dialog.cards]  # the suggestion is marked
    assert [b.isVisibleTo(c) for b, c in zip(badges, dialog.cards)] == [True, False]
    assert dialog.cards[0].fate.text() == "Kept" and dialog.cards[1].fate.text() == "Goes to the trash"
    qtbot.waitUntil(
        lambda: all(c.image.pixmap() is not None and not c.image.pixmap().isNull() for c in dialog.cards),
        timeout=20_000,
    )

    dialog.compare_button.click()  # full-size pixels, the chosen keeper first
    qtbot.waitUntil(lambda: getattr(dialog, "compare_dialog", None) is not None, timeout=20_000)
    compare = dialog.compare_dialog
    shown = lambda: [s.widget().pixmap().size().toTuple() for s in compare.scrolls]  # noqa: E731
    assert shown() == [(1680, 1050), (1680, 1050)]  # the same scale: the half-size copy enlarged 2x
    qtbot.keyClick(compare, Qt.Key.Key_Minus)  # zoom: both panes together
    assert shown()[0] == shown()[1] and shown()[0][0] < 1680
    qtbot.keyClick(compare, Qt.Key.Key_1)
    left, right = (s.horizontalScrollBar() for s in compare.scrolls)
    left.setValue(left.maximum() // 4)  # panning one pans the other to the same spot
    assert right.value() == left.value() and right.maximum() == left.maximum()
    compare.close()

    dialog.choose(str(dupes_folder / "Dune small.jpg"))  # keep the small one, against the advice
    assert dialog.cards[0].fate.text() == "Goes to the trash" and dialog.cards[1].fate.text() == "Kept"
    dialog.resolve_button.click()
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=20_000)
    assert "1 group ·" in dialog.summary.text()  # not "1 groups"
    assert sorted(os.listdir(dupes_folder)) == ["Aqua copy.jpg", "Aqua.jpg", "Dune small.jpg", "FreshFlower.jpg"]
    assert os.listdir(tmp_path / "xdg" / "Trash" / "files") == ["Dune.jpg"]
    assert dialog.undo_button.isEnabled()
    wait.rows(window, lambda w: w.model.rowCount() == 4)  # the gallery followed

    dialog.undo_button.click()
    qtbot.waitUntil(lambda: dialog.list.count() == 2 and not dialog.busy, timeout=30_000)
    assert (dupes_folder / "Dune.jpg").exists() and not os.listdir(tmp_path / "xdg" / "Trash" / "files")
    wait.rows(window, lambda w: w.model.rowCount() == 5)

    dialog.list.setCurrentRow(0)
    dialog.dismiss_button.click()  # the Aqua pair: "not duplicates"
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=20_000)
    assert dialog.groups[0].tier == "near"
    dialog.close()
    again = _open(window, qtbot, 1)  # remembered: not proposed again
    assert again.groups[0].tier == "near" and len(os.listdir(dupes_folder)) == 5
    again.close()


def test_finding_waits_for_indexing_runs_off_thread_with_progress_and_cancel(
    make_window, qtbot, wait, dupes_folder, tmp_path, monkeypatch
):
    from photoapp.core.library import Library
    from photoapp.gui.services import duplicates as duplicates_service

    with Library(tmp_path / "lib") as lib:
        lib.add_folders([str(dupes_folder)])  # registered, not indexed: the window indexes it
    real = duplicates_service.find_groups
    threads, phases, held = [], [], threading.Event()

    def watched(library, tier, progress=None, cancel=None):
        threads.append(threading.current_thread())
        if not held.is_set():  # the first search blocks until the user cancels it
            held.set()
            assert cancel.wait(20)
            return [], False
        return real(library, tier, progress=lambda *a: (phases.append(a), progress(*a)), cancel=cancel)

    monkeypatch.setattr(duplicates_service, "find_groups", watched)
    window = make_window(tmp_path / "lib")
    qtbot.waitUntil(lambda: window.engine.indexing.active, timeout=20_000)
    dialog = window.show_duplicates()
    assert dialog.busy and "Indexing is running" in dialog.summary.text()
    assert not dialog.resolve_button.isEnabled()
    qtbot.waitUntil(lambda: held.is_set(), timeout=60_000)  # started by itself once indexing ended
    assert dialog.cancel_button.isVisible()
    dialog.cancel_button.click()
    assert not dialog.busy and dialog.list.count() == 0 and "Stopped" in dialog.summary.text()
    wait.idle(window)  # the cancelled job's late answer has arrived; it must not fill the list
    assert dialog.list.count() == 0

    window.engine.library.catalog.db.execute("DELETE FROM fingerprints")  # photos from before the feature
    assert dialog.again_button.isVisible()
    dialog.again_button.click()
    qtbot.waitUntil(lambda: dialog.list.count() == 2 and not dialog.busy, timeout=60_000)
    assert all(t is not threading.main_thread() for t in threads)
    assert phases and phases[-1][0] == "fingerprint" and phases[-1][2] == 5
    assert dialog.progress.maximum() == 5
    dialog.close()


def test_a_burst_suggests_nothing_for_the_trash_until_a_keeper_is_chosen(
    make_window, qtbot, wait, tmp_path, shared_photos
):
    from tests.core.duplicates.dupe_variants import burst_frames

    folder = tmp_path / "burst"
    folder.mkdir()
    burst_frames(shared_photos / "Garden.jpg", folder)
    window = make_window(tmp_path / "lib")
    with qtbot.waitSignal(window.engine.indexing.stopped, timeout=120_000):
        window.add_folders([str(folder)])
    wait.rows(window, lambda w: w.model.rowCount() == 3)
    dialog = window.show_duplicates()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    assert dialog.list.count() == 0  # copies only by default: a burst is not a copy
    dialog.tier.setCurrentIndex(dialog.tier.findData("all"))
    qtbot.waitUntil(lambda: dialog.list.count() == 1 and not dialog.busy, timeout=60_000)
    assert "best shot" in dialog.list.item(0).text() and "reclaim" not in dialog.list.item(0).text()
    assert "Nothing goes to the trash unless you choose" in dialog.heading.text()
    assert {c.fate.text() for c in dialog.cards} == {"Not suggested for the trash"}
    assert not dialog.resolve_button.isEnabled()
    assert any("Burst: one camera" in c.findChild(type(dialog.summary), "hint").text() for c in dialog.cards[1:])
    dialog.choose(dialog.cards[1].photo.path)  # the user asks
    assert [c.fate.text() for c in dialog.cards].count("Goes to the trash") == 2
    assert dialog.resolve_button.isEnabled()


def test_apply_all_suggestions_is_one_undo(make_window, qtbot, wait, dupes_folder, tmp_path):
    window = _indexed_window(make_window, qtbot, wait, dupes_folder, tmp_path / "lib")
    dialog = _open(window, qtbot, 2)
    keepers = sorted(os.path.basename(g.keep.path) for g in dialog.groups)
    assert dialog.apply_all_button.isEnabled()
    dialog.apply_all(confirm=False)
    qtbot.waitUntil(lambda: dialog.list.count() == 0 and not dialog.busy, timeout=60_000)
    assert sorted(os.listdir(dupes_folder)) == sorted([*keepers, "FreshFlower.jpg"])
    assert "one “Undo last”" in dialog.summary.text()
    change = window.undo.changes[-1]  # the window's Ctrl+Z / Undo offers it as well
    assert change.kind == "trash" and len(change.paths) == 2
    dialog.undo_button.click()  # one undo: both groups come back
    qtbot.waitUntil(lambda: dialog.list.count() == 2 and not dialog.busy, timeout=60_000)
    assert len(os.listdir(dupes_folder)) == 5
    dialog.close()
