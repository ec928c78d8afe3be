"""Image preprocessing for CLIP-family models, done with Pillow and numpy.

It reproduces what the model's own ``preprocessor_config.json`` asks for (resize,
optional centre crop, rescale, normalise) without the transformers image processor,
so it runs in decode worker threads (Pillow releases the GIL) and stays cheap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

_RESAMPLE = {0: Image.NEAREST, 1: Image.LANCZOS, 2: Image.BILINEAR, 3: Image.BICUBIC}
_CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
_CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass(frozen=True)
class PreprocessSpec:
    """What a model expects: output size, crop, resampling and normalisation."""

    resize_shortest: int | None  # resize so the short side is this, keeping the aspect
    resize_to: tuple[int, int] | None  # (width, height) to resize to, ignoring the aspect
    crop: tuple[int, int] | None  # (width, height) of the centre crop, if any
    resample: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]

    @property
    def output_size(self) -> tuple[int, int]:
        """(width, height) of the tensor the model receives."""
        if self.crop:
            return self.crop
        if self.resize_to:
            return self.resize_to
        return (self.resize_shortest, self.resize_shortest)

    @classmethod
    def from_config(cls, cfg: dict) -> PreprocessSpec:
        size = cfg.get("size", {"shortest_edge": 224})
        if isinstance(size, int):
            size = {"shortest_edge": size}
        shortest = size.get("shortest_edge")
        resize_to = (size["width"], size["height"]) if "height" in size else None
        crop = None
        if cfg.get("do_center_crop", False):
            c = cfg.get("crop_size", {"height": 224, "width": 224})
            crop = (c, c) if isinstance(c, int) else (c["width"], c["height"])
        return cls(
            resize_shortest=shortest if resize_to is None else None,
            resize_to=resize_to,
            crop=crop,
            resample=_RESAMPLE.get(cfg.get("resample", 3), Image.BICUBIC),
            mean=tuple(cfg.get("image_mean", _CLIP_MEAN)),
            std=tuple(cfg.get("image_std", _CLIP_STD)),
        )

    @classmethod
    def from_folder(cls, folder: Path) -> PreprocessSpec:
        path = Path(folder) / "preprocessor_config.json"
        cfg = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        return cls.from_config(cfg)

    def smallest_decode_size(self) -> int:
        """Short side a decoder must at least deliver (JPEG draft mode may go down to it)."""
        w, h = self.resize_to or (self.resize_shortest, self.resize_shortest)
        return max(w, h)

    def to_array(self, img: Image.Image) -> np.ndarray:
        """RGB PIL image -> float32 array (3, H, W), normalised as the model expects."""
        if img.mode != "RGB":
            img = img.convert("RGB")
        if self.resize_to:
            img = img.resize(self.resize_to, self.resample, reducing_gap=3.0)
        else:
            w, h = img.size
            scale = self.resize_shortest / min(w, h)
            new = (max(1, round(w * scale)), max(1, round(h * scale)))
            img = img.resize(new, self.resample, reducing_gap=3.0)
        if self.crop:
            cw, ch = self.crop
            w, h = img.size
            left, top = (w - cw) // 2, (h - ch) // 2
            img = img.crop((left, top, left + cw, top + ch))
        arr = np.asarray(img, dtype=np.float32) * (1.0 / 255.0)
        arr = (arr - np.asarray(self.mean, np.float32)) / np.asarray(self.std, np.float32)
        return np.ascontiguousarray(arr.transpose(2, 0, 1))
