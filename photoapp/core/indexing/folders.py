"""The library's folders, known by what they are (issue 29), wired by the Library.

A folder is registered with its real path and (device, inode) (photoapp/core/media/folders.py):
the same folder under another name (a symlink, a bind mount, a second mount point) or a
folder inside a library folder is refused with one line; a parent of library folders takes
them over, their photos keeping their rows, ids and tags. The library and the caches are
never a photo folder. A folder whose root is missing, unreadable or suddenly empty is
offline: its photos stay until it is back.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable

from photoapp.core.errors import LibraryError
from photoapp.core.media.folders import Identity, identity, offline_reason, relation
from photoapp.core.store.catalog import Catalog


class FolderRegistry:
    """Receives the catalog, the folders that are never indexed (the library, the caches)
    and the list of warnings the CLI shows."""

    def __init__(self, catalog: Catalog, private_folders: Callable[[], list[str]], warnings: list[str]):
        self.catalog = catalog
        self.private_folders = private_folders
        self.warnings = warnings

    def add(self, paths: list[str | os.PathLike]) -> list[tuple[int, str]]:
        """Register folders (each by its absolute path); returns their (id, path)."""
        added = []
        for raw in paths:
            path = os.path.abspath(os.path.expanduser(os.fsdecode(raw)))
            if not os.path.isdir(path):
                raise LibraryError(f"not a folder: {raw}")
            added.append((self._add(path), path))
        return added

    def _add(self, path: str) -> int:
        new = identity(path)
        for place in self.private_folders():
            if os.path.isdir(place) and relation(new, identity(place)) in ("same", "inside"):
                raise LibraryError(f"{path} is Photoapp's own library or cache folder ({place}); it is never indexed")
        inner = []
        with self.catalog.transaction():
            for folder_id, old_path, old in self._identities():
                if old_path == path:
                    self.catalog.set_folder_identity(folder_id, new)  # a drive remounted: new device number
                    return folder_id
                found = relation(new, old) if old else None
                if found == "same":
                    raise LibraryError(f"{path} is the same folder as {old_path}, already in the library")
                if found == "inside":
                    raise LibraryError(f"{path} is inside {old_path}, already in the library: it is indexed with it")
                if found == "contains":
                    inner.append((folder_id, old_path))
            folder_id = self.catalog.add_folder(path, new)
            self.catalog.merge_folders(folder_id, [i for i, _ in inner])
        if inner:
            self.warnings.append(
                f"{path} holds library folders {', '.join(p for _, p in inner)}: merged into it "
                "(their photos keep their tags)"
            )
        return folder_id

    def _identities(self) -> list[tuple[int, str, Identity | None]]:
        """The catalog's folders with their identities; one recorded before identities were
        (an older catalog) gets it now if it can be reached."""
        rows = self.catalog.folder_identities()
        for i, (folder_id, path, known) in enumerate(rows):
            if known is None:
                try:
                    known = identity(path)
                except OSError:
                    continue
                self.catalog.set_folder_identity(folder_id, known)
                rows[i] = (folder_id, path, known)
        return rows

    def fold_aliases(self) -> None:
        """A catalog from before folders were known by what they are may hold one folder
        under two names, or one inside another: fold each into the other (the outer one,
        or the first added), so that no file is indexed twice."""
        rows = []
        for folder_id, path, _ in self.catalog.folder_identities():
            with contextlib.suppress(OSError):  # offline: compared when it is back
                rows.append((folder_id, path, identity(path)))
        merged: dict[int, int] = {}
        for folder_id, path, ident in rows:
            for other_id, other_path, other in rows:
                found = relation(ident, other) if other_id != folder_id else None
                if other_id not in merged and (found == "inside" or (found == "same" and other_id < folder_id)):
                    merged[folder_id] = other_id
                    self.warnings.append(f"{path} is {other_path} or inside it: merged into it (tags are kept)")
                    break
        if merged:
            with self.catalog.transaction():
                for folder_id, into in merged.items():
                    self.catalog.merge_folders(into, [folder_id])

    def offline(self) -> list[dict]:
        """See Library.offline_folders."""
        counts = self.catalog.folder_photo_counts()
        found = []
        for folder_id, path in self.catalog.folders():
            reason = offline_reason(path, counts.get(folder_id, 0) > 0)
            if reason:
                found.append({"path": path, "reason": reason})
        return found
