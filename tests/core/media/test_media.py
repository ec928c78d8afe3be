"""Camera RAW (rawpy) and videos (PyAV) on files generated here: decoding, metadata,
hostile files, RAW+JPEG pairs through incremental runs, duplicates and the type filter."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

pytest.importorskip("rawpy")
pytest.importorskip("av")

from photoapp.core.library import Library  # noqa: E402
from photoapp.core.media import raw, video  # noqa: E402
from photoapp.core.media.decoding import DecodeError, load_for_model, load_rgb, media_kind  # noqa: E402
from photoapp.core.media.scanner import pair_raws, pair_siblings  # noqa: E402
from photoapp.core.search.ranking import Filters  # noqa: E402
from tests.media import toy_frames, write_dng, write_dng_with_preview, write_video  # noqa: E402


def red_circle(size=(400, 300)) -> Image.Image:
    img = Image.new("RGB", size, (245, 245, 245))
    ImageDraw.Draw(img).ellipse(
        (size[0] // 4, size[1] // 5, size[0] // 4 + size[1] * 3 // 5, size[1] * 4 // 5), fill=(220, 30, 30)
    )
    return img


# -- decoding ---------------------------------------------------------------------------
def test_dng_demosaics_to_the_picture_with_its_metadata(tmp_path):
    path = write_dng(red_circle(), tmp_path / "IMG_0001.dng", taken="2023:07:14 10:20:30", orientation=6)
    img, info = load_rgb(path, min_side=64)
    assert (info.kind, info.format, info.camera) == ("raw", "DNG", "Photoapp Test DNG")
    assert (info.width, info.height, info.orientation) == (300, 400, 6)  # upright: turned a quarter
    assert img.size == (150, 200)  # half-size demosaic (no embedded preview), turned by LibRaw
    assert info.taken == pytest.approx(__import__("datetime").datetime(2023, 7, 14, 10, 20, 30).timestamp())
    pixels = np.asarray(img, dtype=int)
    centre, corner = pixels[100, 75], pixels[3, 3]
    assert centre[0] > 180 and centre[1] < 70 and centre[2] < 70, centre  # still a red circle
    assert corner.min() > 200, corner  # on white


def test_raw_preview_used_when_large_enough(tmp_path):
    """The camera's embedded JPEG preview is used when it is at least the size asked for
    (turned upright by the RAW's orientation); a larger request demosaics the sensor data."""
    preview = Image.new("RGB", (400, 300), (30, 200, 30))  # green: tells the preview from the red sensor data
    path = write_dng_with_preview(red_circle(), tmp_path / "cam.dng", preview, orientation=6)
    img, info = raw.load_rgb(path, min_side=224)
    r, g, b = img.getpixel((10, 10))
    assert img.size == (300, 400) and g > 180 and r < 60  # the preview, upright
    assert (info.width, info.height, info.orientation, info.camera) == (300, 400, 6, "Photoapp Preview DNG")
    img, _ = raw.load_rgb(path, min_side=512)  # more than the preview has: half-size demosaic
    assert img.size == (150, 200) and img.getpixel((75, 100))[0] > 180


def test_video_frames_duration_and_date(tmp_path):
    frames = toy_frames(n=20)
    path = write_video(tmp_path / "clip.mp4", frames, rate=10, creation_time="2024-05-01T12:34:56.000000Z")
    images, info = load_for_model(path, min_side=96)
    assert len(images) == len(video.SAMPLES) and all(im.size == (192, 144) for im in images)
    small, _ = load_for_model(path, min_side=48)  # frames much larger than needed are scaled down
    assert min(small[0].size) == 48
    assert (info.kind, info.format, info.width, info.height) == ("video", "MP4", 192, 144)
    assert info.duration == pytest.approx(2.0, abs=0.15)
    assert info.taken == pytest.approx(1714566896.0)  # UTC instant from the container
    # The frames come from different moments (the triangle moves).
    assert np.abs(np.asarray(images[0], float) - np.asarray(images[2], float)).mean() > 5
    poster, _ = load_rgb(path, min_side=96)  # thumbnails: the middle frame
    assert np.abs(np.asarray(poster, float) - np.asarray(images[1], float)).mean() < 3


def test_video_dates():
    assert video.parse_date("2024-05-01T14:34:56+0200") == pytest.approx(1714566896.0)
    assert video.parse_date("1970-01-01T00:00:00.000000Z") is None  # an encoder's placeholder
    assert video.parse_date("not a date") is None


@pytest.mark.parametrize(
    "name,make",
    [
        ("garbage.dng", lambda p: p.write_bytes(b"not a raw file " * 100)),
        ("garbage.mp4", lambda p: p.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"junk" * 500)),
        ("half.mp4", "truncate-video"),
        ("half.dng", "truncate-raw"),
        ("empty.mov", lambda p: p.write_bytes(b"")),
    ],
)
def test_hostile_media_are_clear_decode_errors(tmp_path, name, make):
    path = tmp_path / name
    if make == "truncate-video":
        data = write_video(tmp_path / "whole.mp4", toy_frames(n=12)).read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif make == "truncate-raw":
        data = write_dng(red_circle(), tmp_path / "whole.dng").read_bytes()
        path.write_bytes(data[: len(data) // 2])
    else:
        make(path)
    with pytest.raises(DecodeError) as err:
        load_for_model(path, min_side=64)
    assert "\n" not in str(err.value) and len(str(err.value)) < 200


def test_video_decode_budget(tmp_path):
    path = write_video(tmp_path / "clip.mkv", toy_frames(n=16))
    with pytest.raises(DecodeError, match="longer than"):
        video.load_frames(path, 64, budget=-1.0)  # already past its time: gives up at the first frame


def test_kinds_and_pairing(tmp_path):
    assert [media_kind(n) for n in ("a.JPG", "b.CR3", "c.MOV", "d.avif")] == ["photo", "raw", "video", "photo"]
    d = str(tmp_path)
    paths = [
        f"{d}/IMG_1.JPG",
        f"{d}/IMG_1.CR2",
        f"{d}/IMG_2.dng",
        f"{d}/IMG_3.jpg",
        f"{d}/IMG_3.mov",
        f"{d}/IMG_4.heic",
        f"{d}/IMG_4.ARW",
    ]
    assert pair_raws(paths) == {f"{d}/IMG_1.JPG": f"{d}/IMG_1.CR2", f"{d}/IMG_4.heic": f"{d}/IMG_4.ARW"}
    for p in paths:
        Path(p).write_bytes(b"x")
    assert sorted(pair_siblings(f"{d}/IMG_1.CR2")) == sorted([f"{d}/IMG_1.CR2", f"{d}/IMG_1.JPG"])
    assert pair_siblings(f"{d}/IMG_3.mov") == [f"{d}/IMG_3.mov"]


# -- the library ------------------------------------------------------------------------
@pytest.fixture
def camera_folder(tmp_path):
    folder = tmp_path / "camera"
    folder.mkdir()
    from tests.conftest import write_exif_jpeg

    write_exif_jpeg(folder / "holiday.jpg", size=(96, 64), taken="2022:01:02 03:04:05")
    circle = red_circle()
    circle.save(folder / "IMG_0042.jpg", quality=92)  # the camera's JPEG, without EXIF
    write_dng(circle, folder / "IMG_0042.dng")
    write_dng(red_circle((360, 240)), folder / "IMG_0050.dng")  # a RAW alone
    write_video(folder / "VID_0043.mp4", toy_frames(seed=1))
    write_video(folder / "VID_0044.mov", toy_frames(seed=2), codec="mpeg4")
    return folder


def test_index_raw_pairs_and_videos(camera_folder, tmp_path):
    with Library(tmp_path / "lib", model="toy") as lib:
        report = lib.index_folders([str(camera_folder)])
        assert lib.catalog.problems() == [] and report.failed == 0
        rows = {os.path.basename(p.path): p for p in lib.catalog.all_photos()}
        assert sorted(rows) == ["IMG_0042.jpg", "IMG_0050.dng", "VID_0043.mp4", "VID_0044.mov", "holiday.jpg"]
        pair = rows["IMG_0042.jpg"]
        assert (pair.kind, pair.companion) == ("raw", str(camera_folder / "IMG_0042.dng"))
        assert pair.taken_from_exif and pair.camera == "Photoapp Test DNG"  # the RAW's EXIF, the JPEG had none
        assert rows["IMG_0050.dng"].kind == "raw" and rows["IMG_0050.dng"].format == "DNG"
        assert rows["VID_0043.mp4"].kind == "video" and rows["VID_0043.mp4"].duration == pytest.approx(3.0, abs=0.2)
        # The pair answers for its RAW file; the video's vector is a unit mean of its frames.
        info = lib.photo(camera_folder / "IMG_0042.dng")
        assert info["path"] == str(camera_folder / "IMG_0042.jpg") and len(info["files"]) == 2
        vec = lib.catalog.embedding(rows["VID_0043.mp4"].id, "toy")
        assert np.linalg.norm(vec) == pytest.approx(1.0, abs=1e-4)
        # Filters by kind, and each hit says its kind.
        for kind, names in (
            ("video", {"VID_0043.mp4", "VID_0044.mov"}),
            ("raw", {"IMG_0042.jpg", "IMG_0050.dng"}),
            ("photo", {"holiday.jpg"}),
        ):
            hits = lib.search("blue triangle", k=10, filters=Filters(kind=kind), cutoff=False)
            assert {os.path.basename(h.path) for h in hits} == names
            assert {h.as_dict()["kind"] for h in hits} == {kind}
        # Nothing pairs a video with a still, nor touches the pair.
        for group in lib.duplicates.find("all"):
            kinds = {p.kind for p in group.photos}
            assert "video" not in kinds or kinds == {"video"}
            assert all(not p.companion or p.id == group.keep.id for p in group.photos)
        # Unchanged on a second run: nothing decoded again.
        again = lib.index_folders()
        assert again.embedded == 0 and again.failed == 0


def test_pair_follows_its_files(camera_folder, tmp_path):
    """A RAW that gains its JPEG, a pair that loses its RAW or its JPEG: one row that keeps its tags."""
    jpeg, dng = camera_folder / "IMG_0042.jpg", camera_folder / "IMG_0042.dng"
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.index_folders([str(camera_folder)])
        pair = lib.catalog.photo_by_path(str(jpeg))
        lib.tags.add("keeper", [str(dng)])  # by the RAW's name: the tag is the pair's
        assert "keeper" in lib.photo(dng)["tags"]
        lib.tags.configure(xmp_sidecars=True)  # the pair's tags go to both files' sidecars
        from photoapp.core.tagging.xmp import read_subjects

        assert "keeper" in read_subjects(Path(f"{jpeg}.xmp")) and "keeper" in read_subjects(Path(f"{dng}.xmp"))
        lib.tags.configure(xmp_sidecars=False)

        dng.rename(tmp_path / "aside.dng")  # the RAW goes: the JPEG is a plain photo
        lib.index_folders()
        row = lib.catalog.photo_by_path(str(jpeg))
        assert row.id == pair.id and (row.kind, row.companion) == ("photo", None)

        shutil.move(tmp_path / "aside.dng", dng)  # back: a pair again, nothing decoded
        report = lib.index_folders()
        row = lib.catalog.photo_by_path(str(jpeg))
        assert (row.kind, row.companion, report.embedded) == ("raw", str(dng), 0)

        jpeg.unlink()  # the JPEG goes: the RAW carries the photo on, tags and all
        lib.index_folders()
        row = lib.catalog.photo_by_path(str(dng))
        assert row.id == pair.id and (row.kind, row.companion, row.format) == ("raw", None, "DNG")
        assert "keeper" in lib.photo(dng)["tags"] and lib.catalog.problems() == []


def test_watcher_scope_sees_the_pair(camera_folder, tmp_path):
    """index_paths (what the watcher calls) with only the new JPEG forms the pair."""
    jpeg = camera_folder / "IMG_0042.jpg"
    jpeg.rename(tmp_path / "later.jpg")
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.index_folders([str(camera_folder)])
        alone = lib.catalog.photo_by_path(str(camera_folder / "IMG_0042.dng"))
        assert alone.kind == "raw" and alone.companion is None
        shutil.move(tmp_path / "later.jpg", jpeg)
        lib.index_paths([str(jpeg)])
        row = lib.catalog.photo_at(str(camera_folder / "IMG_0042.dng"))
        assert row.path == str(jpeg) and row.id == alone.id
        assert lib.catalog.photo_by_path(str(camera_folder / "IMG_0042.dng")) is None


def test_broken_video_is_a_problem(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    data = write_video(folder / "ok.mp4", toy_frames(n=12)).read_bytes()
    (folder / "cut.mp4").write_bytes(data[: len(data) // 3])
    with Library(tmp_path / "lib", model="toy") as lib:
        report = lib.index_folders([str(folder)])
        problems = {os.path.basename(p["path"]): p["error"] for p in lib.catalog.problems()}
        assert report.embedded == 1 and list(problems) == ["cut.mp4"]
        assert "video" in problems["cut.mp4"] or "truncated" in problems["cut.mp4"]


def test_avif_and_jpeg_xl(tmp_path):
    """AVIF through Pillow itself; JPEG XL through pillow-jxl-plugin where it is installed
    (GPL-3.0, so optional), else a problem entry that says what to install."""
    from PIL import features

    from photoapp.core.media import decoding

    if not features.check("avif"):
        pytest.skip("this Pillow has no AVIF support (Pillow >= 11.3 wheels have it)")
    folder = tmp_path / "f"
    folder.mkdir()
    red_circle().save(folder / "a.avif", quality=80)
    has_jxl = True
    try:
        import pillow_jxl  # noqa: F401

        red_circle().save(folder / "b.jxl")
    except ImportError:
        has_jxl = False
        (folder / "b.jxl").write_bytes(b"\xff\x0a" + b"\x00" * 64)  # a JPEG XL signature
    img, info = decoding.load_rgb(folder / "a.avif", min_side=64)
    assert info.format == "AVIF" and np.asarray(img)[150, 200, 0] > 180
    with Library(tmp_path / "lib", model="toy") as lib:
        report = lib.index_folders([str(folder)])
        problems = {os.path.basename(p["path"]): p["error"] for p in lib.catalog.problems()}
        if has_jxl:
            assert report.embedded == 2 and problems == {}
        else:
            assert report.embedded == 1 and "pillow-jxl-plugin" in problems["b.jxl"]


def test_unreadable_jpeg_twin_leaves_the_raw_on_its_own(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    write_dng(red_circle(), folder / "IMG_1.dng")
    (folder / "IMG_1.jpg").write_bytes(b"\xff\xd8\xff\xe0 this JPEG was cut short")
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.index_folders([str(folder)])
        assert [os.path.basename(p["path"]) for p in lib.catalog.problems()] == ["IMG_1.jpg"]
        lib.index_folders()  # the broken JPEG is known: the RAW stands alone
        row = lib.catalog.photo_by_path(str(folder / "IMG_1.dng"))
        assert row is not None and (row.kind, row.companion) == ("raw", None)


def test_keeper_prefers_a_raw_pair_and_says_nothing_of_pairs_otherwise():
    from photoapp.core.duplicates import keeper
    from photoapp.core.store.catalog import Photo

    big = Photo(1, "/a/x.jpg", 1, 900, 1.0, "h", 40, 30, None, 0, None, 1, "JPEG", 0.0)
    small = Photo(2, "/b/x.jpg", 1, 100, 2.0, "h", 40, 30, None, 0, None, 1, "JPEG", 0.0)
    assert keeper.choose([big, small]) == (
        big,
        "same resolution, sharpness, metadata; largest file (900 bytes, least recompressed)",
    )
    pair = Photo(3, "/c/x.jpg", 1, 50, 3.0, "h", 20, 15, None, 0, None, 1, "JPEG", 0.0, "raw", None, "/c/x.dng")
    assert keeper.choose([big, small, pair]) == (pair, "RAW+JPEG pair (keeps the RAW file)")
