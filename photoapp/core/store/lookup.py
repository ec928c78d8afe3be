"""Photos named by path on a command line or by a caller: one rule for every service."""

from __future__ import annotations

import os
from collections.abc import Iterable

from photoapp.core.errors import InvalidInput
from photoapp.core.store.catalog import Catalog, Photo


def photos_at(catalog: Catalog, paths: Iterable[str | os.PathLike]) -> list[Photo]:
    """The catalog's photos at ``paths`` (``~`` expanded, relative to the working folder; a
    RAW+JPEG pair's RAW names the pair), each once, in the order named. InvalidInput names
    the first path that is not in the library."""
    found: list[Photo] = []
    for raw in paths:
        path = os.path.abspath(os.path.expanduser(os.fspath(raw)))
        photo = catalog.photo_at(path)
        if photo is None:
            raise InvalidInput(f"not in the library: {path}")
        if photo not in found:
            found.append(photo)
    return found
