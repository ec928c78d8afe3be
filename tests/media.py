"""Test media made on the spot: Bayer DNGs (pidng) from real pictures, videos (PyAV) of
toy-domain scenes. Nothing is downloaded and no sample file is shipped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

# linear sRGB -> XYZ (D65) inverted: the DNG's ColorMatrix1 maps XYZ to our "camera",
# whose three channels are exactly linear sRGB, so LibRaw renders the picture back.
_XYZ_TO_SRGB = [[3.2406, -1.5372, -0.4986], [-0.9689, 1.8758, 0.0415], [0.0557, -0.2040, 1.0570]]


def _linear(rgb: np.ndarray) -> np.ndarray:
    a = rgb / 255.0
    return np.where(a <= 0.04045, a / 12.92, ((a + 0.055) / 1.055) ** 2.4)


def write_dng(
    img: Image.Image,
    path: Path,
    taken: str | None = "2023:07:14 10:20:30",
    orientation: int = 1,
    make: str = "Photoapp",
    model: str = "Test DNG",
) -> Path:
    """A real Bayer (RGGB, 12-bit in 16) DNG of ``img`` that LibRaw demosaics, with
    DateTimeOriginal, Make/Model and Orientation."""
    from pidng.core import RAW2DNG, DNGTags, Tag
    from pidng.defs import CalibrationIlluminant, CFAPattern, DNGVersion, PhotometricInterpretation

    rgb = _linear(np.asarray(img.convert("RGB"), dtype=np.float64))
    h, w = (rgb.shape[0] // 2) * 2, (rgb.shape[1] // 2) * 2
    rgb = rgb[:h, :w]
    bayer = np.empty((h, w))
    bayer[0::2, 0::2] = rgb[0::2, 0::2, 0]
    bayer[0::2, 1::2] = rgb[0::2, 1::2, 1]
    bayer[1::2, 0::2] = rgb[1::2, 0::2, 1]
    bayer[1::2, 1::2] = rgb[1::2, 1::2, 2]
    white = 4095
    tags = DNGTags()
    for tag, value in (
        (Tag.ImageWidth, w),
        (Tag.ImageLength, h),
        (Tag.TileWidth, w),
        (Tag.TileLength, h),
        (Tag.Orientation, orientation),
        (Tag.PhotometricInterpretation, PhotometricInterpretation.Color_Filter_Array),
        (Tag.SamplesPerPixel, 1),
        (Tag.BitsPerSample, 16),
        (Tag.CFARepeatPatternDim, [2, 2]),
        (Tag.CFAPattern, CFAPattern.RGGB),
        (Tag.BlackLevel, 0),
        (Tag.WhiteLevel, white),
        (Tag.ColorMatrix1, [[round(v * 10000), 10000] for row in _XYZ_TO_SRGB for v in row]),
        (Tag.CalibrationIlluminant1, CalibrationIlluminant.D65),
        (Tag.AsShotNeutral, [[1, 1], [1, 1], [1, 1]]),
        (Tag.Make, make),
        (Tag.Model, model),
        (Tag.DNGVersion, DNGVersion.V1_4),
        (Tag.DNGBackwardVersion, DNGVersion.V1_2),
    ):
        tags.set(tag, value)
    if taken:
        tags.set(Tag.DateTimeOriginal, taken)
    writer = RAW2DNG()
    writer.options(tags, path="", compress=False)
    data = writer.convert(np.round(bayer * white).astype(np.uint16))
    Path(path).write_bytes(bytes(data))
    return Path(path)


def toy_frames(
    colour: str = "blue",
    shape: str = "triangle",
    n: int = 24,
    size=(192, 144),
    seed: int = 3,
    background: str = "white",
) -> list[Image.Image]:
    """``n`` toy-domain pictures of one class (the shape moves between frames), one size."""
    from photoapp.toy.domain import ToyClass, render

    rng = np.random.default_rng(seed)
    cls = ToyClass(colour, shape, background)
    return [render(cls, rng).resize(size, Image.Resampling.BILINEAR) for _ in range(n)]


def write_video(
    path: Path,
    frames: list[Image.Image],
    codec: str = "libx264",
    rate: int = 8,
    creation_time: str | None = "2024-05-01T12:34:56.000000Z",
    location: str | None = None,
) -> Path:
    """Encode ``frames`` into ``path`` (container from the extension) with PyAV; ``location``
    is an ISO 6709 position ("+48.8584+002.2945/"), as phones record it."""
    import av

    with av.open(str(path), "w") as out:
        if creation_time:
            out.metadata["creation_time"] = creation_time
        if location:
            out.metadata["location"] = location
        stream = out.add_stream(codec, rate=rate)
        stream.width, stream.height = frames[0].size
        stream.pix_fmt = "yuv420p"
        for img in frames:
            for packet in stream.encode(av.VideoFrame.from_image(img)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return Path(path)


_SHORT, _LONG, _RATIONAL, _SRATIONAL, _ASCII, _BYTE = 3, 4, 5, 10, 2, 1


def write_dng_with_preview(img: Image.Image, path: Path, preview: Image.Image, orientation: int = 1) -> Path:
    """A DNG laid out as camera converters write it: IFD 0 is the camera's JPEG preview
    (NewSubfileType 1) and a SubIFD holds the Bayer data of ``img``. pidng writes no
    preview, so this one is put together tag by tag (TIFF 6 / DNG 1.4)."""
    import io
    import struct

    rgb = _linear(np.asarray(img.convert("RGB"), dtype=np.float64))
    h, w = (rgb.shape[0] // 2) * 2, (rgb.shape[1] // 2) * 2
    rgb = rgb[:h, :w]
    bayer = np.empty((h, w))
    bayer[0::2, 0::2], bayer[0::2, 1::2] = rgb[0::2, 0::2, 0], rgb[0::2, 1::2, 1]
    bayer[1::2, 0::2], bayer[1::2, 1::2] = rgb[1::2, 0::2, 1], rgb[1::2, 1::2, 2]
    raw = np.round(bayer * 4095).astype("<u2").tobytes()
    buf = io.BytesIO()
    preview.convert("RGB").save(buf, "JPEG", quality=90)
    jpeg = buf.getvalue()
    pw, ph = preview.size
    matrix = [(round(v * 10000), 10000) for row in _XYZ_TO_SRGB for v in row]
    ifd0 = [
        (254, _LONG, [1]),
        (256, _LONG, [pw]),
        (257, _LONG, [ph]),
        (258, _SHORT, [8, 8, 8]),
        (259, _SHORT, [7]),
        (262, _SHORT, [6]),
        (271, _ASCII, b"Photoapp\0"),
        (272, _ASCII, b"Preview DNG\0"),
        (273, _LONG, ["jpeg"]),
        (274, _SHORT, [orientation]),
        (277, _SHORT, [3]),
        (278, _LONG, [ph]),
        (279, _LONG, [len(jpeg)]),
        (330, _LONG, ["subifd"]),
        (50706, _BYTE, [1, 4, 0, 0]),
        (50708, _ASCII, b"Photoapp Preview DNG\0"),
        (50721, _SRATIONAL, matrix),
        (50728, _RATIONAL, [(1, 1)] * 3),
        (50778, _SHORT, [21]),
    ]
    sub = [
        (254, _LONG, [0]),
        (256, _LONG, [w]),
        (257, _LONG, [h]),
        (258, _SHORT, [16]),
        (259, _SHORT, [1]),
        (262, _SHORT, [32803]),
        (273, _LONG, ["raw"]),
        (277, _SHORT, [1]),
        (278, _LONG, [h]),
        (279, _LONG, [len(raw)]),
        (33421, _SHORT, [2, 2]),
        (33422, _BYTE, [0, 1, 1, 2]),
        (50714, _LONG, [0]),
        (50717, _LONG, [4095]),
    ]
    off_sub = 8 + 2 + 12 * len(ifd0) + 4
    off_extra = off_sub + 2 + 12 * len(sub) + 4
    extra = bytearray()

    def encode(typ, values) -> bytes:
        if typ == _ASCII:
            return values
        if typ in (_RATIONAL, _SRATIONAL):
            return b"".join(struct.pack("<II" if typ == _RATIONAL else "<ii", *v) for v in values)
        return b"".join(struct.pack({_SHORT: "<H", _LONG: "<I", _BYTE: "<B"}[typ], v) for v in values)

    def ifd(entries, offsets) -> bytes:
        out = struct.pack("<H", len(entries))
        for tag, typ, values in entries:  # already in tag order
            data = encode(
                typ,
                [offsets.get(v, v) if isinstance(v, str) else v for v in values]
                if isinstance(values, list)
                else values,
            )
            count = len(values)
            if len(data) <= 4:
                out += struct.pack("<HHI", tag, typ, count) + data.ljust(4, b"\0")
            else:
                out += struct.pack("<HHII", tag, typ, count, off_extra + len(extra))
                extra.extend(data + b"\0" * (len(data) % 2))
        return out + struct.pack("<I", 0)

    sizing = {"subifd": 0, "jpeg": 0, "raw": 0}
    ifd(ifd0, sizing), ifd(sub, sizing)  # a first pass sizes the out-of-line values
    start = off_extra + len(extra)
    extra.clear()
    offsets = {"subifd": off_sub, "jpeg": start, "raw": start + len(jpeg) + len(jpeg) % 2}
    head = b"II*\0" + struct.pack("<I", 8) + ifd(ifd0, offsets) + ifd(sub, offsets)
    Path(path).write_bytes(head + bytes(extra) + jpeg + b"\0" * (len(jpeg) % 2) + raw)
    return Path(path)
