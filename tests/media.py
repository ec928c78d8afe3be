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


def write_dng(img: Image.Image, path: Path, taken: str | None = "2023:07:14 10:20:30", orientation: int = 1,
              make: str = "Photoapp", model: str = "Test DNG") -> Path:
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
    for tag, value in ((Tag.ImageWidth, w), (Tag.ImageLength, h), (Tag.TileWidth, w), (Tag.TileLength, h),
                       (Tag.Orientation, orientation),
                       (Tag.PhotometricInterpretation, PhotometricInterpretation.Color_Filter_Array),
                       (Tag.SamplesPerPixel, 1), (Tag.BitsPerSample, 16), (Tag.CFARepeatPatternDim, [2, 2]),
                       (Tag.CFAPattern, CFAPattern.RGGB), (Tag.BlackLevel, 0), (Tag.WhiteLevel, white),
                       (Tag.ColorMatrix1, [[round(v * 10000), 10000] for row in _XYZ_TO_SRGB for v in row]),
                       (Tag.CalibrationIlluminant1, CalibrationIlluminant.D65),
                       (Tag.AsShotNeutral, [[1, 1], [1, 1], [1, 1]]), (Tag.Make, make), (Tag.Model, model),
                       (Tag.DNGVersion, DNGVersion.V1_4), (Tag.DNGBackwardVersion, DNGVersion.V1_2)):
        tags.set(tag, value)
    if taken:
        tags.set(Tag.DateTimeOriginal, taken)
    writer = RAW2DNG()
    writer.options(tags, path="", compress=False)
    data = writer.convert(np.round(bayer * white).astype(np.uint16))
    Path(path).write_bytes(bytes(data))
    return Path(path)


def toy_frames(colour: str = "blue", shape: str = "triangle", n: int = 24, size=(192, 144), seed: int = 3,
               background: str = "white") -> list[Image.Image]:
    """``n`` toy-domain pictures of one class (the shape moves between frames), one size."""
    from photoapp.toy.domain import ToyClass, render

    rng = np.random.default_rng(seed)
    cls = ToyClass(colour, shape, background)
    return [render(cls, rng).resize(size, Image.Resampling.BILINEAR) for _ in range(n)]


def write_video(path: Path, frames: list[Image.Image], codec: str = "libx264", rate: int = 8,
                creation_time: str | None = "2024-05-01T12:34:56.000000Z") -> Path:
    """Encode ``frames`` into ``path`` (container from the extension) with PyAV."""
    import av

    with av.open(str(path), "w") as out:
        if creation_time:
            out.metadata["creation_time"] = creation_time
        stream = out.add_stream(codec, rate=rate)
        stream.width, stream.height = frames[0].size
        stream.pix_fmt = "yuv420p"
        for img in frames:
            for packet in stream.encode(av.VideoFrame.from_image(img)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return Path(path)
