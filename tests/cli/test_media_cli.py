"""Issue 18's bar, as a user meets it: toy photos plus a camera's DNG+JPEG pair and two
videos, through the real command line."""

from __future__ import annotations

import os

import numpy as np
import pytest

from tests.cli.test_cli import jrun, run

pytest.importorskip("rawpy")
pytest.importorskip("av")


def test_raw_pair_and_videos_end_to_end(tmp_path, toy_photos):
    from photoapp.toy.domain import ToyClass, render
    from tests.media import toy_frames, write_dng, write_video

    folder, truth = toy_photos
    circle = render(ToyClass("red", "circle", "white"), np.random.default_rng(5))
    circle.save(folder / "IMG_0042.jpg", quality=92)
    write_dng(circle, folder / "IMG_0042.dng")
    write_video(folder / "VID_0043.mp4", toy_frames(seed=1))
    write_video(folder / "VID_0044.mov", toy_frames(seed=2), codec="mpeg4")
    lib = tmp_path / "lib"

    report = jrun("--library", lib, "--model", "toy", "index", folder, "--json")
    assert report["failed"] == 0 and report["embedded"] == len(truth) + 3  # the pair is one photo
    assert jrun("--library", lib, "status", "--json")["problems"] == []

    shown = jrun("--library", lib, "show", folder / "IMG_0042.dng", "--json")
    assert shown["kind"] == "raw" and shown["files"] == [str(folder / "IMG_0042.jpg"), str(folder / "IMG_0042.dng")]

    hits = jrun("--library", lib, "search", "blue triangle", "--all", "-k", "8", "--json")
    kinds = {os.path.basename(h["path"]): h["kind"] for h in hits}
    assert kinds.get("VID_0043.mp4") == "video" and kinds.get("VID_0044.mov") == "video", kinds
    # --type keeps one kind (tests/core/media/test_media.py checks each kind); find-similar from a
    # video uses its stored embedding (no model load), itself left out.
    others = jrun("--library", lib, "similar", folder / "VID_0043.mp4", "--type", "video", "--all", "--json")
    assert [(os.path.basename(h["path"]), h["kind"]) for h in others] == [("VID_0044.mov", "video")]

    for group in jrun("--library", lib, "dupes", "--json"):
        members = set(group["paths"])
        assert str(folder / "IMG_0042.dng") not in members
        assert str(folder / "IMG_0042.jpg") not in members or group["keep"] == str(folder / "IMG_0042.jpg")
    bad = run("--library", lib, "search", "x", "--type", "gif", check=False)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
