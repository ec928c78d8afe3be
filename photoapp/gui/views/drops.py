"""Reading dragged files and folders out of a drop's MIME data."""

from __future__ import annotations

import os


def dropped_paths(mime) -> list[str]:
    if mime is None or not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]


def dropped_folders(mime) -> list[str]:
    return [p for p in dropped_paths(mime) if os.path.isdir(p)]
