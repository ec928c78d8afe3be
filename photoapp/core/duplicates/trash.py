"""The system trash: move a file there (send2trash, never a permanent delete), find where
it went, and put it back.

send2trash does not say where a file landed, so after trashing we look for it: on Linux
and the BSDs in the freedesktop trash (``$XDG_DATA_HOME/Trash``, or ``.Trash/$uid`` /
``.Trash-$uid`` at the top of the file's volume) by the ``Path=`` line of the
``.trashinfo`` files; on macOS in ``~/.Trash`` by name and size. Where neither applies
(Windows' Recycle Bin) restoring is left to the system's own "Restore" command.
"""

from __future__ import annotations

import os
import shutil
import sys
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
    if sys.platform == "darwin":
        return Trashed(path, _find_macos(path, size), None)
    if sys.platform.startswith("win"):
        return Trashed(path, None, None)
    found = _find_freedesktop(path)
    return Trashed(path, *(found or (None, None)))


def restore(item: Trashed) -> None:
    """Put a trashed file back where it was; refuses to overwrite anything."""
    if not item.trash_path or not os.path.lexists(item.trash_path):
        raise TrashError(
            f"{item.path} is no longer in the trash (emptied?); restore it from the "
            "system trash by hand if it is still there"
        )
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


def _find_freedesktop(path: str) -> tuple[str, str] | None:
    """(file, info) of the most recent trash entry whose Path= is ``path``."""
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
            if os.path.lexists(target) and (best is None or date >= best[0]):
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
def _find_macos(path: str, size: int) -> str | None:
    """Finder may rename on collision ("photo 12.03.44.jpg"): match stem and size, newest."""
    trash = Path.home() / ".Trash"
    stem, ext = os.path.splitext(os.path.basename(path))
    try:
        hits = [
            p
            for p in trash.iterdir()
            if p.name.startswith(stem) and p.name.endswith(ext) and p.is_file() and p.stat().st_size == size
        ]
    except OSError:
        return None
    return str(max(hits, key=lambda p: p.stat().st_mtime)) if hits else None
