"""Videos and RAW+JPEG pairs in the window: poster thumbnails, badges, the type filter,
double-click plays a video in the system's player, the viewer names both files of a pair."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QUrl

from photoapp.gui.models.photo_list import BadgeRole, KindRole, ThumbnailRole

pytest.importorskip("rawpy")
pytest.importorskip("av")


@pytest.fixture
def media_library(tmp_path, few_photos, model_spec) -> tuple[Path, Path]:
    from photoapp.core.library import Library
    from photoapp.toy.domain import ToyClass, render
    from tests.media import toy_frames, write_dng, write_video

    circle = render(ToyClass("red", "circle", "white"), np.random.default_rng(5))
    circle.save(few_photos / "IMG_0042.jpg", quality=92)
    write_dng(circle, few_photos / "IMG_0042.dng")
    write_video(few_photos / "VID_0043.mp4", toy_frames(seed=1, n=40), rate=8)  # 5 s
    library = tmp_path / "library"
    with Library(library, model=model_spec) as lib:
        lib.index_folders([str(few_photos)])
        assert lib.catalog.problems() == []
    return library, few_photos


def _row(window, name: str) -> int:
    return next(i for i, r in enumerate(window.model.rows()) if os.path.basename(r.path) == name)


def test_gallery_shows_videos_and_pairs(make_window, media_library, wait, qtbot, monkeypatch):
    library, folder = media_library
    window = make_window(library)
    wait.rows(window, lambda w: w.model.rowCount() == 14)  # 12 photos, the pair, the video
    video, pair = _row(window, "VID_0043.mp4"), _row(window, "IMG_0042.jpg")
    assert window.model.index(video).data(KindRole) == "video"
    assert window.model.index(video).data(BadgeRole) == "▶ 0:05"
    assert window.model.index(pair).data(BadgeRole) == "RAW+JPEG"
    plain = sorted(n for n in os.listdir(folder) if not n.startswith(("IMG_", "VID_")))[0]
    assert window.model.index(_row(window, plain)).data(BadgeRole) is None
    # The poster frame is the video's thumbnail.
    index = window.model.index(video)
    qtbot.waitUntil(lambda: index.data(ThumbnailRole) is not None, timeout=20_000)
    assert not index.data(ThumbnailRole).isNull()

    # Double-click (activation) on a video hands it to the desktop's player; no viewer opens.
    opened = []
    monkeypatch.setattr(
        "photoapp.gui.controllers.viewing.QDesktopServices.openUrl", lambda url: opened.append(url) or True
    )
    assert window.open_viewer(video) is None
    assert opened == [QUrl.fromLocalFile(str(folder / "VID_0043.mp4"))] and window.viewer is None

    # The viewer shows one photo for the pair and names both of its files.
    viewer = window.open_viewer(pair)
    qtbot.waitUntil(viewer.loading_done, timeout=60_000)
    files = viewer.fields["Files"].text().replace("\u200b", "")
    assert "IMG_0042.jpg (JPEG)" in files and "IMG_0042.dng (RAW)" in files
    assert viewer.fields["Files"].isVisibleTo(viewer) and not viewer.fields["Duration"].isVisibleTo(viewer)
    viewer.leave()

    # The type filter, like the CLI's --type.
    window.type_choice.setCurrentIndex(window.type_choice.findData("video"))
    wait.rows(window, lambda w: w.model.rowCount() == 1)
    assert window.model.row_at(0).kind == "video"
    window.type_choice.setCurrentIndex(window.type_choice.findData("raw"))
    wait.rows(window, lambda w: w.model.rowCount() == 1 and w.model.row_at(0).kind == "raw")
    assert window.model.row_at(0).companion == str(folder / "IMG_0042.dng")
