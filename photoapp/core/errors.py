"""The errors the engine raises, with one base class.

Every error the engine means a person to read derives from ``PhotoappError``: its message
is one line that says what happened and what to do. The CLI prints it and exits 1; the
GUI receives the object itself from its worker threads and decides by its type, never
by its text. Anything else that escapes (a ``ValueError``, a ``KeyError``) is a bug and
is shown as one.

The classes live beside the code that raises them (``DecodeError`` in media/decoding.py,
``ModelUnavailable`` in embedding/models.py ...); the ones several packages share are here.
"""

from __future__ import annotations


class PhotoappError(Exception):
    """An error with a message for the person using the app (one line)."""


class LibraryError(PhotoappError):
    """A user-facing error (bad path, model mismatch...); the message says what to do."""


class Cancelled(PhotoappError):
    """The person cancelled a long run (indexing, a model download, an export)."""


class NotIndexed(LibraryError):
    """A search before any photo is embedded with the library's model: index first (the GUI
    says so while its first run is under way)."""


class InvalidInput(LibraryError, ValueError):
    """A request the engine cannot take as given: an empty tag name, a sensitivity outside
    0..1, a photo that is not in the library, a query with no positive term, an unknown
    device in the settings. A user error (one line); also a ValueError, as validation
    errors are in Python."""
