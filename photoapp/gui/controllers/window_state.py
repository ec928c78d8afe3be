"""The main window's state between sessions: its size and place, the thumbnail size, the
folder, the sorts and the square option, kept in settings.json (GuiState)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray

from photoapp.config import GuiState
from photoapp.gui.views.sidebar import ALL_PHOTOS


def restore_state(window) -> str:
    """Set the window as it was left; the folder it showed (selected by the caller)."""
    state = window.engine.settings().gui
    geometry = state.geometry
    if geometry:
        window.restoreGeometry(QByteArray.fromBase64(geometry.encode()))
    else:
        window.resize(1200, 800)
    window.size_slider.setValue(state.thumb_size)
    window.set_thumb_size(window.size_slider.value())
    window.set_square(state.square)
    window.sort_choice.set_value(state.sort, state.browse_sort)
    return state.folder or ALL_PHOTOS


def save_state(window) -> None:
    settings = window.engine.settings()  # freshly loaded: keep what the core wrote meanwhile
    settings.gui = GuiState(
        bytes(window.saveGeometry().toBase64()).decode(),
        window.gallery.thumb_size,
        window.sidebar.current_folder(),
        window.sort_choice.search_value(),
        browse_sort=window.sort_choice.browse_value(),
        square=window.gallery.square,
    )
    settings.save(window.engine.path)
