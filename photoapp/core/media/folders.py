"""Photo folders as what they are, not by the name they were given.

A folder is known by its resolved real path and its (device, inode): a symlink, a bind
mount or a second mount point of a library folder is the same folder. A ``Fence`` lists
the places a walk must not enter (the library and every cache, other library folders).
``offline_reason`` tells a folder that cannot be trusted to list its photos (a missing,
unreadable or suddenly empty root: an unplugged or unmounted drive) from one that can.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

Identity = tuple[str, int, int]  # (real path, st_dev, st_ino)


def identity(path: str | os.PathLike) -> Identity:
    """The folder's (real path, device, inode); OSError if it cannot be reached."""
    real = os.path.realpath(path)
    st = os.stat(real)
    return real, st.st_dev, st.st_ino


def is_within(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or lies under it (plain path strings, no file-system access)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def relation(new: Identity, old: Identity) -> str | None:
    """How folder ``new`` stands to folder ``old``: "same", "inside", "contains" or None."""
    if new[1:] == old[1:] or new[0] == old[0]:
        return "same"
    if is_within(new[0], old[0]):
        return "inside"
    if is_within(old[0], new[0]):
        return "contains"
    return None


def offline_reason(root: str, has_photos: bool) -> str | None:
    """Why the photos catalogued under ``root`` cannot be checked now, or None when they can.

    An unmounted drive often leaves its mount point behind as an empty folder: a root
    that is empty while the catalog holds photos in it is offline, not emptied.
    """
    try:
        with os.scandir(root) as entries:
            first = next(entries, None)
    except (FileNotFoundError, NotADirectoryError):
        return "missing (an unplugged drive?)"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if first is None and has_photos:
        return "empty, though the library has photos in it (an unmounted drive?)"
    return None


def known_gone(path: str) -> bool:
    """Positive evidence that a catalogued file is gone: looking it up says it does not
    exist. A folder on the way that cannot be searched (EACCES, EIO) proves nothing."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return True  # there, but no longer a photo file a scan yields (a FIFO, a folder)


@dataclass(frozen=True)
class Fence:
    """Places a walk never enters: their real paths and (device, inode) pairs. The pairs
    catch a bind mount or a second name of the place itself; the real paths a symbolic
    link into it."""

    reals: tuple[str, ...] = ()
    ids: frozenset[tuple[int, int]] = frozenset()

    @classmethod
    def around(cls, places: Iterable[str | os.PathLike]) -> Fence:
        reals, ids = [], set()
        for place in places:
            try:
                real, dev, ino = identity(place)
                ids.add((dev, ino))
            except OSError:
                real = os.path.realpath(place)  # not there (yet): its path is enough
            reals.append(real)
        return cls(tuple(reals), frozenset(ids))

    def blocks(self, path: str, st: os.stat_result | None = None, resolve: bool = True) -> bool:
        """``path`` is fenced off: one of the places (by ``st``'s device and inode), or, with
        ``resolve``, inside one once symbolic links are resolved."""
        if st is not None and (st.st_dev, st.st_ino) in self.ids:
            return True
        if not resolve or not self.reals:
            return False
        real = os.path.realpath(path)
        return any(is_within(real, place) for place in self.reals)
