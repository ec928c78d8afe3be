"""Walking photo folders: which photo files exist, with their size and mtime.

A generator over ``os.scandir`` (cheap stat calls), following directory symlinks once
(real paths are remembered, so symlink loops end), skipping hidden folders and
anything that is not a regular file.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


def walk_photos(root: Path) -> Iterator[FileEntry | SkippedEntry]:
    """Yield every photo file under ``root`` (recursively), sorted per folder.

    Symbolic links are followed only after every real file and folder: a photo reachable
    both directly and through a link is catalogued under its real path.
    """
    seen_dirs: set[str] = set()
    seen_files: set[tuple[int, int]] = set()
    stack = [os.path.abspath(root)]
    links: list[os.DirEntry] = []
    while stack or links:
        if not stack:
            link = links.pop(0)
            found = _classify(link, seen_files)
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
        except OSError:
            continue  # unreadable folder: nothing under it can be indexed
        subdirs = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                links.append(entry)
                continue
            found = _classify(entry, seen_files)
            if found == "dir":
                subdirs.append(entry.path)
            elif found is not None:
                yield found
        stack.extend(reversed(subdirs))


def _classify(entry: os.DirEntry, seen_files: set[tuple[int, int]]):
    try:
        st = entry.stat(follow_symlinks=True)
    except OSError as exc:
        if entry.is_symlink() and is_photo_name(entry.name):
            loop = exc.errno == errno.ELOOP
            return SkippedEntry(entry.path, "symbolic link loop" if loop else "broken symbolic link")
        return None
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    if not is_photo_name(entry.name):
        return None
    if not stat.S_ISREG(st.st_mode):
        return SkippedEntry(entry.path, "not a regular file (device, pipe or socket)")
    key = (st.st_dev, st.st_ino)
    if key in seen_files:  # the same file reached twice through symlinks
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
