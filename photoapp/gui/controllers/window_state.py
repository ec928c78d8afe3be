"""The main window's state between sessions: its size and place, the thumbnail size, the
folder, the sorts and the square option, kept in settings.json (GuiState).

The window always opens wholly on a screen: Qt refuses a geometry saved at another screen
scale (and the default size may not fit a small or scaled screen), so whatever size it gets
is fitted to the free area of the screen it opens on (``fit_on_screen``), before it is shown
and again once its frame is known.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, QSize
from PySide6.QtGui import QGuiApplication

from photoapp.config import GuiState
from photoapp.gui.views.sidebar import ALL_PHOTOS

DEFAULT_SIZE = QSize(1200, 800)


def restore_state(window) -> str:
    """Set the window as it was left; the folder it showed (selected by the caller)."""
    state = window.engine.settings().gui
    geometry = state.geometry
    if not (geometry and window.restoreGeometry(QByteArray.fromBase64(geometry.encode()))):
        window.resize(DEFAULT_SIZE)  # none saved, or saved at another scale: Qt refuses it
    fit_on_screen(window)
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


def fit_on_screen(window) -> None:
    """Shrink the window to the free area of its screen and move it wholly onto it (a size
    saved at another scale or on a larger screen, a place on a screen now gone). The window
    buttons (top left and right) stay reachable even when its minimum size is wider."""
    if window.isMaximized() or window.isFullScreen():
        return
    screen = QGuiApplication.screenAt(window.frameGeometry().center()) or window.screen()
    screen = screen or QGuiApplication.primaryScreen()
    if screen is None:
        return
    free = screen.availableGeometry()
    frame = window.frameGeometry()
    extra = QSize(frame.width() - window.width(), frame.height() - window.height())  # title bar, borders
    size = window.size().boundedTo(free.size() - extra).expandedTo(window.minimumSize())
    if size != window.size():
        window.resize(size)
    frame = window.frameGeometry()
    x = max(free.left(), min(frame.left(), free.left() + free.width() - frame.width()))
    y = max(free.top(), min(frame.top(), free.top() + free.height() - frame.height()))
    if (x, y) != (frame.left(), frame.top()):
        window.move(QPoint(x, y))  # move() places the frame
