"""The toy domain: synthetic photos of one coloured shape on a plain background.

It gives the tiny shipped CLIP model a world whose semantics tests can check
(see ``../shared/toy-domain.md``). Pure Pillow + numpy, no torch.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 30),
    "green": (30, 170, 30),
    "blue": (30, 60, 220),
    "yellow": (235, 210, 30),
    "purple": (140, 40, 170),
    "orange": (245, 130, 20),
}
SHAPES: tuple[str, ...] = ("circle", "square", "triangle")
BACKGROUNDS: dict[str, tuple[int, int, int]] = {"white": (245, 245, 245), "black": (15, 15, 15)}


@dataclass(frozen=True)
class ToyClass:
    colour: str
    shape: str
    background: str

    @property
    def name(self) -> str:
        return f"{self.colour}_{self.shape}_on_{self.background}"


ALL_CLASSES: tuple[ToyClass, ...] = tuple(
    ToyClass(c, s, b) for c, s, b in itertools.product(COLOURS, SHAPES, BACKGROUNDS)
)


def _jitter(rgb: tuple[int, int, int], amount: int, rng: np.random.Generator) -> tuple[int, ...]:
    return tuple(int(np.clip(v + rng.integers(-amount, amount + 1), 0, 255)) for v in rgb)


def render(cls: ToyClass, rng: np.random.Generator) -> Image.Image:
    """Draw one image of ``cls`` with random size, placement, colour jitter and noise."""
    w = int(rng.integers(160, 641))
    h = int(np.clip(w * rng.uniform(3 / 4, 4 / 3), 160, 640))
    img = Image.new("RGB", (w, h), _jitter(BACKGROUNDS[cls.background], 10, rng))
    side = int(min(w, h) * rng.uniform(0.30, 0.60))
    x0 = int(rng.integers(0, w - side + 1))
    y0 = int(rng.integers(0, h - side + 1))
    fill = _jitter(COLOURS[cls.colour], 15, rng)
    draw = ImageDraw.Draw(img)
    box = (x0, y0, x0 + side - 1, y0 + side - 1)
    if cls.shape == "circle":
        draw.ellipse(box, fill=fill)
    elif cls.shape == "square":
        draw.rectangle(box, fill=fill)
    else:
        draw.polygon([(x0 + side / 2, y0), (x0, y0 + side - 1), (x0 + side - 1, y0 + side - 1)], fill=fill)
    pixels = np.asarray(img, dtype=np.float32) + rng.normal(0.0, 4.0, (h, w, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def encode(img: Image.Image, rng: np.random.Generator, png_share: float = 0.1) -> tuple[bytes, str]:
    """Encode as JPEG (quality 80-95) or, sometimes, PNG; returns (bytes, extension)."""
    buf = io.BytesIO()
    if rng.random() < png_share:
        img.save(buf, "PNG")
        return buf.getvalue(), ".png"
    img.save(buf, "JPEG", quality=int(rng.integers(80, 96)))
    return buf.getvalue(), ".jpg"


def generate_library(folder: Path, per_class: int = 10, seed: int = 1234) -> dict[Path, ToyClass]:
    """Write ``per_class`` images of each of the 36 classes into ``folder``.

    Returns the ground truth: file path -> class.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    truth: dict[Path, ToyClass] = {}
    for cls in ALL_CLASSES:
        for i in range(per_class):
            data, ext = encode(render(cls, rng), rng)
            path = folder / f"{cls.name}_{i:03d}{ext}"
            path.write_bytes(data)
            truth[path] = cls
    return truth
