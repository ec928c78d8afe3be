"""Decoding real and generated files: orientation, colour modes, reduced JPEG decode, bad files."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
from PIL import Image

from photoapp.core.embedding.preprocess import PreprocessSpec
from photoapp.core.media.decoding import MAX_PIXELS, DecodeError, decode_for_model, load_rgb, read_info
from tests.conftest import write_exif_jpeg

CLIP_SPEC = PreprocessSpec.from_config(
    {"size": {"shortest_edge": 224}, "do_center_crop": True, "crop_size": {"height": 224, "width": 224}}
)


def test_exif_orientation_is_applied(tmp_path):
    path = write_exif_jpeg(tmp_path / "rot.jpg", size=(80, 40), orientation=6)
    img, info = load_rgb(path)
    assert img.size == (40, 80) and (info.width, info.height) == (40, 80)
    # orientation 6 = rotate 90 clockwise: the blue top-left marker ends at the top-right
    assert img.getpixel((35, 3))[2] > 150 and img.getpixel((3, 3))[0] > 150


def test_exif_date_and_camera(tmp_path):
    path = write_exif_jpeg(tmp_path / "x.jpg", taken="2021:07:04 12:30:00", camera="Pixel 7")
    with Image.open(path) as img:
        info = read_info(img)
    assert info.camera == "Pixel 7"
    assert (
        info.taken is not None and abs(info.taken - __import__("datetime").datetime(2021, 7, 4, 12, 30).timestamp()) < 1
    )


def test_corrupt_exif_does_not_cost_the_photo(tmp_path):
    path = tmp_path / "badexif.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), "green").save(buf, "JPEG", exif=b"Exif\x00\x00MM\x00*garbage-garbage")
    path.write_bytes(buf.getvalue())
    img, info = load_rgb(path)
    assert img.size == (32, 32) and info.orientation == 1


def test_real_photo_decodes_in_draft_mode(shared_photos):
    path = max(shared_photos.glob("*.jpg"), key=lambda p: p.stat().st_size)
    full, _ = load_rgb(path)
    small, info = load_rgb(path, min_side=224)
    assert min(small.size) >= 224 and small.size[0] < full.size[0]  # DCT scaling did its job
    arr, _ = decode_for_model(path, CLIP_SPEC)
    assert arr.shape == (3, 224, 224) and arr.dtype == np.float32 and np.isfinite(arr).all()
    assert (info.width, info.height) == full.size


@pytest.mark.parametrize("mode", ["CMYK", "I;16", "P", "LA", "RGBA", "L", "1", "F"])
def test_colour_modes_become_rgb(tmp_path, mode):
    base = Image.new("RGB", (40, 30), (200, 100, 50))
    if mode == "I;16":
        img = Image.fromarray(np.full((30, 40), 40000, dtype=np.uint16))
        ext = ".png"
    elif mode == "F":
        img = Image.fromarray(np.full((30, 40), 0.5, dtype=np.float32), "F")
        ext = ".tif"
    else:
        img = base.convert(mode)
        ext = ".tif" if mode == "CMYK" else ".png"
    if mode == "P":
        img.info["transparency"] = 0
    path = tmp_path / f"img{ext}"
    img.save(path)
    rgb, _ = load_rgb(path)
    assert rgb.mode == "RGB" and rgb.size == (40, 30)
    if mode == "I;16":
        assert 150 < rgb.getpixel((0, 0))[0] < 160  # 40000/65535 of full scale, not clipped white


def test_transparency_is_flattened_onto_white(tmp_path):
    img = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    img.save(tmp_path / "t.png")
    rgb, _ = load_rgb(tmp_path / "t.png")
    assert rgb.getpixel((5, 5)) == (255, 255, 255)


def test_animated_gif_uses_first_frame(tmp_path):
    frames = [Image.new("RGB", (20, 20), c) for c in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    rgb, _ = load_rgb(tmp_path / "a.gif")
    r, g, b = rgb.getpixel((10, 10))
    assert r > 200 and b < 50


def test_heic_roundtrip(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    try:
        Image.new("RGB", (64, 48), (10, 200, 10)).save(tmp_path / "x.heic")
    except (KeyError, OSError, ValueError) as exc:  # build without an HEVC encoder
        pytest.skip(f"no HEIF encoder: {exc}")
    rgb, info = load_rgb(tmp_path / "x.heic")
    assert rgb.size == (64, 48) and info.format in ("HEIF", "HEIC")


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (os.urandom(2048), "not a recognised image"),
        (b"<html><body>not an image</body></html>", "not a recognised image"),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path, content, reason):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(DecodeError, match=reason):
        load_rgb(path)


def test_truncated_jpeg(shared_photos, tmp_path):
    data = next(iter(sorted(shared_photos.glob("*.jpg")))).read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 3])
    with pytest.raises(DecodeError, match="truncated|corrupt"):
        load_rgb(tmp_path / "cut.jpg")


def test_fifo_and_directory_are_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.jpg")
    (tmp_path / "dir.jpg").mkdir()
    for name in ("pipe.jpg", "dir.jpg"):
        with pytest.raises(DecodeError, match="not a regular file"):
            load_rgb(tmp_path / name)


def test_vanished_file(tmp_path):
    with pytest.raises(DecodeError, match="vanished"):
        load_rgb(tmp_path / "gone.jpg")


def test_decompression_bomb_refused_before_allocation(tmp_path):
    side = int(MAX_PIXELS**0.5) + 100
    # A PNG header claiming a huge canvas; the pixel data would never fit in memory.
    img = Image.new("1", (side, side))
    img.save(tmp_path / "bomb.png", optimize=True)
    with pytest.raises(DecodeError, match="too large"):
        load_rgb(tmp_path / "bomb.png")


def test_preprocess_matches_spec_sizes():
    spec = PreprocessSpec.from_config({"size": {"height": 64, "width": 64}, "do_center_crop": False})
    arr = spec.to_array(Image.new("RGB", (300, 200), (255, 255, 255)))
    assert arr.shape == (3, 64, 64)
    assert CLIP_SPEC.to_array(Image.new("RGB", (400, 300))).shape == (3, 224, 224)


# -- limits on what is read (issue 29, finding 7) ------------------------------------------
def _sparse_jpeg(path, size: int):
    """A JPEG's first bytes, then zeros up to ``size`` as a sparse file (no disk used): the
    JPEG parser reads such a file byte by byte looking for a marker."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "JPEG")
    with open(path, "wb") as fh:
        fh.write(buf.getvalue()[:20])
        fh.truncate(size)
    if os.stat(path).st_blocks * 512 > 1 << 20:
        pytest.skip("this file system does not store sparse files")
    return path


def test_a_file_over_its_kinds_size_limit_is_refused_before_reading(tmp_path):
    from photoapp.core.media.scanner import file_hash

    huge = _sparse_jpeg(tmp_path / "huge.jpg", 6 << 30)
    for read in (load_rgb, file_hash):
        with pytest.raises(DecodeError, match=r"file too large for its kind \(6.44 GB; limit 2.15 GB\)"):
            read(huge)


def test_a_decode_that_runs_past_the_time_limit_ends_itself(tmp_path, monkeypatch):
    """200 MB of zeros after a JPEG header is under the size limit and takes the parser
    about 20 s; with a 1 s limit the decode stops with a reason (the result, not the time,
    is asserted)."""
    from photoapp.core.media import image

    slow = _sparse_jpeg(tmp_path / "slow.jpg", 200_000_000)
    monkeypatch.setattr(image, "READ_TIMEOUT", 1.0)
    with pytest.raises(DecodeError, match=r"reading took longer than 1 s"):
        load_rgb(slow)


def test_a_hash_that_runs_past_the_time_limit_ends_itself(tmp_path, monkeypatch):
    from photoapp.core.media import image
    from photoapp.core.media.scanner import file_hash

    big = _sparse_jpeg(tmp_path / "big.jpg", 1_900_000_000)  # no disk hashes 1.9 GB in 50 ms
    monkeypatch.setattr(image, "READ_TIMEOUT", 0.05)
    with pytest.raises(DecodeError, match=r"reading took longer than 0.05 s"):
        file_hash(big)


def test_open_photo_refuses_pipes_devices_and_folders_without_blocking(tmp_path):
    from photoapp.core.media.image import open_photo

    os.mkfifo(tmp_path / "pipe.jpg")  # no writer: a blocking open would wait for ever
    (tmp_path / "folder.jpg").mkdir()
    os.symlink("/dev/zero", tmp_path / "zero.jpg")  # endless if read
    for name in ("pipe.jpg", "folder.jpg", "zero.jpg"):
        with pytest.raises(DecodeError, match="not a regular file"):
            open_photo(tmp_path / name)
