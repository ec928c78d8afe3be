"""StatusMessages: the status bar's message line, where no news never hides news.

Several parts of the window speak through the status bar: the end of an index run, a
taught tag, a re-tag at a new sensitivity, hints. Index runs restart by themselves after
most changes, and a run that finds nothing new ends within milliseconds: were its
"Library up to date: … (0 newly indexed)" to replace what the person is reading, they
would never see that their tag was learnt or their settings applied. So each message has
a priority, and a message replaces the one showing only if it is at least as important;
once the one showing has expired or been cleared, anything may take the line.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QStatusBar


class Priority(IntEnum):
    NO_NEWS = 0  # nothing changed (an index run that found nothing new): only on an empty line
    NEWS = 1  # what the person needs: a confirmation, a count, work under way, a hint


class StatusMessages(QObject):
    shown = Signal(str, int)  # text, priority: a message was put on the status bar

    def __init__(self, bar: QStatusBar, parent=None):
        super().__init__(parent)
        self.bar = bar
        self._text, self._priority = "", Priority.NO_NEWS

    def show(self, text: str, timeout_ms: int = 0, priority: Priority = Priority.NEWS) -> bool:
        """Show ``text`` (for ``timeout_ms``, 0 = until replaced) unless a more important
        message is still showing; True when it was shown."""
        showing = self.bar.currentMessage()
        if showing and showing == self._text and priority < self._priority:
            return False  # the person still needs what is showing
        self._text, self._priority = text, Priority(priority)
        self.bar.showMessage(text, timeout_ms)
        self.shown.emit(text, int(priority))
        return True

    def current(self) -> tuple[str, Priority]:
        """The message showing and its priority (``("", NO_NEWS)`` when the line is empty)."""
        showing = self.bar.currentMessage()
        if not showing:
            return "", Priority.NO_NEWS
        return showing, (self._priority if showing == self._text else Priority.NEWS)

    def clear(self) -> None:
        self._text, self._priority = "", Priority.NO_NEWS
        self.bar.clearMessage()
