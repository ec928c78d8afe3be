"""The main window's menus: File, Edit, Tags (the tags controller's), View and Help."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu


def _action(menu: QMenu, text: str, slot, shortcut=None) -> QAction:
    action = menu.addAction(text)
    action.triggered.connect(slot)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    return action


def build_menus(window) -> None:
    """File, Edit, Tags, View and Help; the actions the window keeps are set on it."""
    bar = window.menuBar()
    file = bar.addMenu("&File")
    _action(file, "&Add folder…", window.add_folder_dialog, QKeySequence.StandardKey.Open)
    _action(file, "&Index now", window.engine.indexing.start, "F5")
    settings = _action(file, "&Settings…", window.open_settings)
    settings.setShortcuts([QKeySequence("Ctrl+,"), QKeySequence(QKeySequence.StandardKey.Preferences)])
    file.addSeparator()
    _action(file, "&Quit", window.close, QKeySequence.StandardKey.Quit)
    edit = bar.addMenu("&Edit")
    # Undo of every change (tags, stars, hearts, turns, trash): controllers/undo.py, made
    # with the photo actions after the menus.
    window.undo_action = _action(edit, "&Undo", lambda: window.photo_actions.undo.undo(), QKeySequence.StandardKey.Undo)
    window.edit_menu = edit
    edit.addSeparator()
    _action(edit, "Select &all", window.gallery.selectAll, QKeySequence.StandardKey.SelectAll)
    _action(edit, "Copy &paths", window.copy_paths, "Ctrl+Shift+C")
    window.tags_ui.build_menu(bar)
    view = bar.addMenu("&View")
    _action(view, "&Find…", window.focus_search, QKeySequence.StandardKey.Find)
    larger = _action(view, "Larger thumbnails", lambda: window.zoom_thumbnails(1))
    larger.setShortcuts([QKeySequence("Ctrl+="), QKeySequence(QKeySequence.StandardKey.ZoomIn)])
    smaller = _action(view, "Smaller thumbnails", lambda: window.zoom_thumbnails(-1))
    smaller.setShortcuts([QKeySequence("Ctrl+-"), QKeySequence(QKeySequence.StandardKey.ZoomOut)])
    window.square_action = _action(view, "S&quare thumbnails", window.set_square)
    window.square_action.setCheckable(True)
    window.square_action.setToolTip("Crop every thumbnail to a square instead of keeping its shape")
    window.problems_action = _action(view, "&Problems…", window.show_problems)
    _action(view, "&Duplicates…", window.show_duplicates)
    _action(view, "&People", lambda: window.people_ui.show(), "Ctrl+Shift+P")
    _action(view, "World &map", lambda: window.tags_ui.places.show_map(), "Ctrl+Shift+M")
    help_menu = bar.addMenu("&Help")
    _action(help_menu, "&Keyboard shortcuts", lambda: show_shortcuts(window), "F1")
    _action(help_menu, "&About Photoapp", lambda: show_about(window))


def show_shortcuts(window):
    from photoapp.gui.views.help_dialogs import shortcuts_dialog

    dialog = shortcuts_dialog(window)
    dialog.open()
    return dialog


def show_about(window):
    from photoapp import __version__
    from photoapp.gui.views.help_dialogs import about_dialog

    dialog = about_dialog(window, __version__)
    dialog.open()
    return dialog
