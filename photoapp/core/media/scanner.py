"""Walking photo folders: which photo files exist, with their size and mtime.

A generator over ``os.scandir`` (cheap stat calls), following directory symlinks once
(real paths are remembered, so symlink loops end), skipping hidden folders, fenced-off
places and anything that is not a regular file, and naming the folders it cannot list.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from photoapp.config import remove_orphan_temp_file
from photoapp.core.media.folders import Fence
from photoapp.core.media.formats import RAW_EXTENSIONS, TWIN_EXTENSIONS, is_photo_name
from photoapp.core.media.image import open_photo

HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileEntry:
    path: str  # absolute path
    size: int
    mtime: float


@dataclass(frozen=True)
class SkippedEntry:
    """A photo-named entry that cannot be a photo (FIFO, device, dangling link...)."""

    path: str
    reason: str


@dataclass(frozen=True)
class UnreachableEntry:
    """A folder (or an entry that may be one) that cannot be listed now: an unreadable or
    failing folder, a dangling link, a path too long for the system. Photos catalogued
    under ``path`` are not known to be gone. ``listed_folder``: it is a folder whose
    listing failed (always worth a problem entry), not an entry that cannot be looked at."""

    path: str
    reason: str
    listed_folder: bool = True


def walk_photos(
    root: Path | str, fence: Fence | None = None, seen_files: set[tuple[int, int]] | None = None
) -> Iterator[FileEntry | SkippedEntry | UnreachableEntry]:
    """Yield every photo file under ``root`` (recursively), sorted per folder.

    Symbolic links are followed only after every real file and folder: a photo reachable
    both directly and through a link is catalogued under its real path. Folders behind
    ``fence`` (the library, caches, other library folders) are never entered. A file is
    yielded once per (device, inode) in ``seen_files`` (share it across the roots of a run).
    """
    fence = fence or Fence()
    seen_dirs: set[str] = set()
    seen_files = set() if seen_files is None else seen_files
    stack = [os.path.abspath(root)]
    links: list[os.DirEntry] = []
    while stack or links:
        if not stack:
            link = links.pop(0)
            found = _classify(link, seen_files, fence)
            if found == "dir":
                stack.append(link.path)
            elif found is not None:
                yield found
            continue
        folder = stack.pop()
        try:
            real = os.path.realpath(folder)
        except OSError:
            continue
        if real in seen_dirs:
            continue
        seen_dirs.add(real)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield UnreachableEntry(folder, _listing_error(folder, exc))
            continue
        subdirs = []
        for entry in entries:
            if entry.name.startswith("."):
                if entry.name.endswith(".tmp"):  # an XMP sidecar's write killed midway?
                    remove_orphan_temp_file(Path(entry.path))
                continue
            if entry.is_symlink():
                links.append(entry)
                continue
            found = _classify(entry, seen_files, fence)
            if found == "dir":
                subdirs.append(entry.path)
            elif found is not None:
                yield found
        stack.extend(reversed(subdirs))


def _listing_error(folder: str, exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        size = len(os.fsencode(folder))
        return f"path too long for the operating system ({size:,} bytes); shorten a folder name to index it"
    return f"cannot list folder: {exc.strerror or exc}; its photos are kept as they were"


def _classify(entry: os.DirEntry, seen_files: set[tuple[int, int]], fence: Fence):
    try:
        st = entry.stat(follow_symlinks=True)
    except OSError as exc:
        too_long = exc.errno == errno.ENAMETOOLONG
        if not is_photo_name(entry.name):
            reason = _listing_error(entry.path, exc) if too_long else f"cannot be reached: {exc.strerror or exc}"
            return UnreachableEntry(entry.path, reason, listed_folder=too_long)
        if too_long:
            return SkippedEntry(entry.path, _listing_error(entry.path, exc))
        if entry.is_symlink():
            loop = exc.errno == errno.ELOOP
            return SkippedEntry(entry.path, "symbolic link loop" if loop else "broken symbolic link")
        return None
    if fence.blocks(entry.path, st, resolve=entry.is_symlink()):
        return None  # the library, a cache or another library folder: never walked from here
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    if not is_photo_name(entry.name):
        return None
    if not stat.S_ISREG(st.st_mode):
        return SkippedEntry(entry.path, "not a regular file (device, pipe or socket)")
    key = (st.st_dev, st.st_ino)
    if key in seen_files:  # the same file reached twice (symlinks, hard links, aliases)
        return None
    seen_files.add(key)
    return FileEntry(entry.path, st.st_size, st.st_mtime)


def file_hash(path: str | Path) -> str:
    """Content hash (BLAKE2b-128) of the whole file, read with ``open_photo``'s limits: a
    FIFO or device swapped in after the scan, or a file too large for its kind, is refused
    (DecodeError) before a read, and a hash that takes too long stops."""
    h = hashlib.blake2b(digest_size=16)
    with open_photo(path) as fh:
        while chunk := fh.read(HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def pair_raws(paths) -> dict[str, str]:
    """RAW+JPEG pairs among ``paths``: {the JPEG's (or HEIF's) path: the RAW's path}.

    A pair is a RAW file and a camera JPEG/HEIF in the same folder with the same base
    name (``IMG_0042.CR2`` + ``IMG_0042.JPG``); the extension's case does not matter.
    """
    raws: dict[tuple[str, str], str] = {}
    twins: dict[tuple[str, str], str] = {}
    for path in paths:
        stem, ext = os.path.splitext(path)
        ext = ext.lower()
        if ext in RAW_EXTENSIONS:
            _first(raws, stem, path)
        elif ext in TWIN_EXTENSIONS:
            _first(twins, stem, path)
    return {twin: raws[stem] for stem, twin in twins.items() if stem in raws}


def _first(found: dict, stem: str, path: str) -> None:
    """Keep one file per base name, the same one whatever order the paths come in."""
    if stem not in found or path < found[stem]:
        found[stem] = path


def pair_siblings(path: str) -> list[str]:
    """``path`` and the files that may form a RAW+JPEG pair with it (same folder, same
    base name, a RAW or JPEG/HEIF extension in either case) that exist."""
    stem, ext = os.path.splitext(path)
    if ext.lower() not in RAW_EXTENSIONS | TWIN_EXTENSIONS:
        return [path]
    found = [path]
    for other in sorted(RAW_EXTENSIONS | TWIN_EXTENSIONS):
        for candidate in (stem + other, stem + other.upper()):
            if (
                candidate != path
                and candidate not in found
                and os.path.lexists(candidate)
                and not any(_same_file(candidate, f) for f in found)
            ):  # case-insensitive disks
                found.append(candidate)
    return found


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
