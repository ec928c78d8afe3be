"""Menus and Settings: Edit (undo, select all), Help (shortcuts read from the menus, About
with every shipped model's licence), Settings on Ctrl+, with the options that lived only
in settings.json, models by plain name and size, and the toy model's warning."""

from __future__ import annotations

from photoapp.config import DEFAULT_MODEL, TOY_MODEL, Settings
from photoapp.gui.controllers.menus import show_about, show_shortcuts
from photoapp.gui.views.settings_dialog import SettingsDialog


def action(window, text: str):
    return next(a for m in window.menuBar().actions() for a in m.menu().actions() if a.text() == text)


def test_edit_and_help_menus(make_window, indexed_library, wait):
    window = make_window(indexed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    assert "Ctrl+," in [k.toString() for k in action(window, "&Settings…").shortcuts()]
    action(window, "Select &all").trigger()
    assert len(window.selected_paths()) == 36
    assert window.undo_action.shortcut().toString() == "Ctrl+Z"  # one Undo for every change
    shortcuts = show_shortcuts(window)
    text = shortcuts.text.toPlainText()
    assert "Ctrl+," in text and "Ctrl+=" in text and "Select all" in text
    shortcuts.close()
    about = show_about(window)
    text = about.text.toPlainText()
    assert "toy-clip" in text and "MIT" in text and "CLIP ViT-B/32" in text and "LGPL-3.0" in text
    assert "GeoNames" in text and "CC BY 4.0" in text and "dlib" in text  # data and models that ship
    assert "FFmpeg" in text and "LibRaw" in text and "libheif" in text  # the decoders' bundled libraries (walk)
    about.close()


def test_models_by_plain_name_and_the_toy_warning(qtbot):
    dialog = SettingsDialog(TOY_MODEL, "auto")
    qtbot.addWidget(dialog)
    dialog.show()
    labels = [dialog.model_box.itemText(i) for i in range(dialog.model_box.count())]
    assert labels[0].startswith("CLIP ViT-B/32") and "600 MB" in labels[0]
    assert "5 MB" in labels[1] and "/" not in labels[1].split("—")[0]
    assert dialog.toy_warning.isVisible() and "only understands" in dialog.toy_warning.text()
    dialog.model_box.setCurrentIndex(dialog.model_box.findData(DEFAULT_MODEL))
    assert not dialog.toy_warning.isVisible() and dialog.model() == DEFAULT_MODEL
    dialog.model_box.setCurrentIndex(dialog.model_box.count() - 1)
    dialog.other_model.setText("google/siglip-base-patch16-224")
    assert dialog.model() == "google/siglip-base-patch16-224"


def test_settings_options_are_saved(make_window, indexed_library, wait, qtbot):
    window = make_window(indexed_library)
    wait.rows(window, lambda w: w.model.rowCount() == 36)
    wait.idle(window)
    dialog = window.open_settings()
    dialog.strictness.setValue(40)
    dialog.max_tags.setValue(2)
    dialog.near_bits.setValue(10)
    dialog.similar_cosine.setValue(0.95)
    dialog.polling.setChecked(True)
    dialog.poll_interval.setValue(30)
    with qtbot.waitSignal(window.engine.indexing.started, timeout=60_000):  # restarted once applied
        dialog.accept()
    saved = Settings.load(indexed_library)
    assert saved.strictness == 0.4 and saved.tags.max_tags == 2
    assert (saved.duplicates.near_max_bits, saved.duplicates.similar_min_cosine) == (10, 0.95)
    assert saved.watch.polling and saved.watch.poll_interval == 30
    assert window.engine.library.settings.strictness == 0.4  # the open library searches with it
    assert saved.model == window.engine.model_name  # the model was not switched
