"""The system trash: move a file there (send2trash, never a permanent delete), find where
it went, and put it back.

send2trash does not say where a file landed, so after trashing we look for it: on Linux
and the BSDs in the freedesktop trash (``$XDG_DATA_HOME/Trash``, or ``.Trash/$uid`` /
``.Trash-$uid`` at the top of the file's volume) by the ``Path=`` line of the
``.trashinfo`` files; on macOS in ``~/.Trash`` by name and size. Where neither applies
(Windows' Recycle Bin) restoring is left to the system's own "Restore" command.

A trash is shared with every other program and may be emptied at any time, so a file is
only ever restored after its size and content hash match what was trashed (and, in a
freedesktop trash, its ``.trashinfo`` still names the original path): a different file
that happens to lie at the recorded place is left alone.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from photoapp.core.errors import PhotoappError


class TrashError(PhotoappError):
    """A file could not be trashed or restored; the message says why."""


@dataclass(frozen=True)
class Trashed:
    path: str  # where the file was
    trash_path: str | None  # where it is now, when we could tell
    info_path: str | None  # its freedesktop .trashinfo file


def is_same_file(candidate: str, size: int, digest: str) -> bool:
    """Whether ``candidate`` holds exactly the trashed content (size first: cheap)."""
    from photoapp.core.media.scanner import file_hash

    try:
        return os.path.isfile(candidate) and os.path.getsize(candidate) == size and file_hash(candidate) == digest
    except OSError:
        return False


def find(path: str, size: int, digest: str) -> Trashed | None:
    """The trash entry holding the file once at ``path`` with this size and content, if any."""
    if sys.platform == "darwin":
        hit = _find_macos(path, size, lambda c: is_same_file(c, size, digest))
        return Trashed(path, hit, None) if hit else None
    if sys.platform.startswith("win"):
        return None
    found = _find_freedesktop(path, lambda c: is_same_file(c, size, digest))
    return Trashed(path, *found) if found else None


def check(item: Trashed, size: int, digest: str) -> str | None:
    """Why ``item`` must not be restored (None: it is the trashed file, still in the trash)."""
    if not item.trash_path or not os.path.lexists(item.trash_path):
        return "it is no longer in the trash (emptied?)"
    if not is_same_file(item.trash_path, size, digest):
        return f"{item.trash_path} in the trash is another file now (different content); left alone"
    if item.info_path and original_path(item.info_path) != item.path:
        return f"{item.info_path} names another original path; left alone"
    return None


def looks_present(item: Trashed, size: int) -> bool:
    """A cheap ``check`` for listings: the recorded trash file has the size and its
    .trashinfo the path (the content hash is compared only when restoring)."""
    try:
        in_trash = bool(item.trash_path) and os.path.getsize(item.trash_path) == size
    except OSError:
        return False
    return in_trash and (not item.info_path or original_path(item.info_path) == item.path)


def put_back(item: Trashed, size: int, digest: str) -> bool:
    """Restore the trashed file; True when a person had already put it back (same content
    at its path). Looks for it elsewhere in the trash when it is not at the recorded place."""
    if os.path.lexists(item.path):
        if is_same_file(item.path, size, digest):
            return True
        raise TrashError(f"cannot restore {item.path}: another file is there now")
    if check(item, size, digest):
        item = find(item.path, size, digest) or item
    restore(item, size, digest)  # refuses anything but the trashed file, with the reason
    return False


def original_path(info: str) -> str | None:
    """The ``Path=`` of a freedesktop ``.trashinfo`` file, absolute (None: unreadable)."""
    return _read_info(Path(info), Path(info).parent.parent)[0]


def send(path: str) -> Trashed:
    """Move ``path`` to the system trash and say where it went."""
    from send2trash import send2trash
    from send2trash.exceptions import TrashPermissionError

    size = os.path.getsize(path)
    try:
        send2trash(path)
    except TrashPermissionError as exc:
        raise TrashError(f"no permission to use the trash for {path}: {exc}") from None
    except OSError as exc:
        raise TrashError(f"cannot move {path} to the trash: {exc.strerror or exc}") from None
    if os.path.lexists(path):
        raise TrashError(f"{path} is still there after moving it to the trash")

    def same_size(candidate: str) -> bool:  # the newest entry of this path and size is ours
        return os.path.isfile(candidate) and os.path.getsize(candidate) == size

    if sys.platform == "darwin":
        return Trashed(path, _find_macos(path, size, same_size), None)
    if sys.platform.startswith("win"):
        return Trashed(path, None, None)
    found = _find_freedesktop(path, same_size)
    return Trashed(path, *(found or (None, None)))


def restore(item: Trashed, size: int, digest: str) -> None:
    """Put a trashed file back where it was, only if it is the file that was trashed
    (``check``); refuses to overwrite anything."""
    problem = check(item, size, digest)
    if problem:
        raise TrashError(f"cannot restore {item.path}: {problem}")
    if os.path.lexists(item.path):
        raise TrashError(f"cannot restore {item.path}: another file is there now")
    os.makedirs(os.path.dirname(item.path), exist_ok=True)
    shutil.move(item.trash_path, item.path)  # a rename, or copy + delete across volumes
    if item.info_path:
        try:
            os.unlink(item.info_path)
        except FileNotFoundError:
            pass


# -- freedesktop ------------------------------------------------------------------------
def _trash_dirs(path: str) -> list[Path]:
    """Every trash send2trash may have used for ``path``: home first, then the volume's."""
    from send2trash import plat_other

    # send2trash reads XDG_DATA_HOME once, at import: ask it rather than the environment.
    dirs = [Path(os.fsdecode(plat_other.HOMETRASH_B))]
    top = Path(os.fsdecode(plat_other.find_mount_point(os.fsencode(os.path.dirname(path)))))
    uid = str(os.getuid())
    dirs += [top / ".Trash" / uid, top / f".Trash-{uid}"]
    return dirs


def _find_freedesktop(path: str, accept: Callable[[str], bool]) -> tuple[str, str] | None:
    """(file, info) of the most recent trash entry whose Path= is ``path`` and whose file
    ``accept`` takes."""
    best: tuple[str, str, str] | None = None
    for trash in _trash_dirs(path):
        info_dir = trash / "info"
        if not info_dir.is_dir():
            continue
        for info in info_dir.glob("*.trashinfo"):
            original, date = _read_info(info, trash)
            if original != path:
                continue
            target = trash / "files" / info.name[: -len(".trashinfo")]
            if (best is None or date >= best[0]) and os.path.lexists(target) and accept(str(target)):
                best = (date, str(target), str(info))
    return (best[1], best[2]) if best else None


def _read_info(info: Path, trash: Path) -> tuple[str | None, str]:
    original, date = None, ""
    try:
        lines = info.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None, ""
    for line in lines:
        if line.startswith("Path="):
            value = unquote(line[5:])
            original = value if os.path.isabs(value) else str(_volume_top(trash) / value)
        elif line.startswith("DeletionDate="):
            date = line[13:]
    return original, date


def _volume_top(trash: Path) -> Path:
    """Volume trashes store paths relative to the volume: ``top/.Trash/uid`` or ``top/.Trash-uid``."""
    return trash.parent.parent if trash.parent.name == ".Trash" else trash.parent


# -- macOS ------------------------------------------------------------------------------
def _find_macos(path: str, size: int, accept: Callable[[str], bool]) -> str | None:
    """Finder may rename on collision ("photo 12.03.44.jpg"): match stem, size and
    ``accept``, newest."""
    trash = Path.home() / ".Trash"
    stem, ext = os.path.splitext(os.path.basename(path))
    try:
        hits = [
            p
            for p in trash.iterdir()
            if p.name.startswith(stem)
            and p.name.endswith(ext)
            and p.is_file()
            and p.stat().st_size == size
            and accept(str(p))
        ]
    except OSError:
        return None
    return str(max(hits, key=lambda p: p.stat().st_mtime)) if hits else None
