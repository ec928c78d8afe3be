"""Image preprocessing for CLIP-family models, done with Pillow and numpy.

The numbers (resize rule, centre crop, resampling filter, rescale factor, mean and std)
come from the model's own image processor, as ``transformers`` loads it from the folder
(``AutoImageProcessor``: ``preprocessor_config.json`` or the image-processor part of a
``processor_config.json``). The steps are the ones its Pillow backend takes: resize with
the same filter to the same size, crop the same window, then rescale and normalise, so
the tensor matches the processor's (tests/core/embedding/test_model_compat.py checks it on real
photos). Doing it here instead of calling the processor keeps it cheap and in the decode
worker threads (Pillow releases the GIL).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from photoapp.core.errors import PhotoappError

# Pillow's filter numbers, as transformers' PILImageResampling uses them.
_RESAMPLE_NAMES = {"NEAREST": 0, "LANCZOS": 1, "BILINEAR": 2, "BICUBIC": 3, "BOX": 4, "HAMMING": 5}
# A JPEG is decoded at reduced scale (DCT scaling, Pillow's draft mode) down to this many
# times the model's input side, and the model's own resize does the rest. Measured against
# full decode + the model's own processor on the 27 shared photos (benchmarks/
# model_fidelity.py), 1x keeps every photo's image embedding within cosine 0.9985 (the tiny
# trained model and each real-size architecture with random weights; 2x: 0.9999 for the
# real-size ones), above the 0.99 bar, so the cheaper decode of a 12 MP photo stays (1/8
# scale instead of 1/4). Raise it if a model ever falls below.
DRAFT_FACTOR = 1


class UnsupportedPreprocessing(PhotoappError, ValueError):
    """The image processor asks for something with no fixed output size (NaFlex, longest edge)."""


def _size(value) -> dict:
    """transformers' size (an int, a dict or a SizeDict) as a dict without the unset keys."""
    if value is None:
        return {}
    if isinstance(value, int):
        return {"shortest_edge": value}
    if not isinstance(value, dict):
        value = {
            k: getattr(value, k, None)
            for k in ("height", "width", "shortest_edge", "longest_edge", "max_height", "max_width")
        }
    return {k: v for k, v in value.items() if v is not None}


def _resample(value) -> int:
    """A Pillow filter number from an int, a PILImageResampling or a torchvision InterpolationMode."""
    if value is None:
        return _RESAMPLE_NAMES["BILINEAR"]  # what transformers' resize falls back to
    name = getattr(value, "name", None)
    if isinstance(name, str) and name.upper() in _RESAMPLE_NAMES:
        return _RESAMPLE_NAMES[name.upper()]
    return int(value)


@dataclass(frozen=True)
class PreprocessSpec:
    """What a model expects: output size, crop, resampling and normalisation."""

    resize_shortest: int | None  # resize so the short side is this, keeping the aspect
    resize_to: tuple[int, int] | None  # (width, height) to resize to, ignoring the aspect
    crop: tuple[int, int] | None  # (width, height) of the centre crop, if any
    resample: int
    mean: tuple[float, float, float] | None  # None: no normalisation
    std: tuple[float, float, float] | None
    rescale: float | None = 1 / 255  # None: pixel values stay 0..255

    @property
    def output_size(self) -> tuple[int, int]:
        """(width, height) of the tensor the model receives."""
        if self.crop:
            return self.crop
        if self.resize_to:
            return self.resize_to
        return (self.resize_shortest, self.resize_shortest)

    @classmethod
    def from_processor(cls, processor) -> PreprocessSpec:
        """The settings of a transformers image processor (or of a processor holding one)."""
        processor = getattr(processor, "image_processor", None) or processor
        size = _size(getattr(processor, "size", None)) if getattr(processor, "do_resize", True) else {}
        crop_size = _size(getattr(processor, "crop_size", None)) if getattr(processor, "do_center_crop", False) else {}
        resize_shortest = resize_to = crop = None
        if "height" in size and "width" in size:
            resize_to = (int(size["width"]), int(size["height"]))
        elif "shortest_edge" in size and "longest_edge" not in size:
            resize_shortest = int(size["shortest_edge"])
        elif size:
            raise UnsupportedPreprocessing(f"its image processor resizes to {size}, which gives photos no fixed size")
        if crop_size:
            if "height" not in crop_size or "width" not in crop_size:
                raise UnsupportedPreprocessing(f"its image processor crops to {crop_size}")
            crop = (int(crop_size["width"]), int(crop_size["height"]))
        if not size and not crop:
            raise UnsupportedPreprocessing("its image processor neither resizes nor crops (no fixed input size)")
        normalise = getattr(processor, "do_normalize", True)
        mean, std = getattr(processor, "image_mean", None), getattr(processor, "image_std", None)
        if normalise and (mean is None or std is None):
            raise UnsupportedPreprocessing("its image processor normalises without a mean and std")
        triple = lambda v: tuple(float(x) for x in v) if isinstance(v, (list, tuple)) else (float(v),) * 3
        return cls(
            resize_shortest=resize_shortest,
            resize_to=resize_to,
            crop=crop,
            resample=_resample(getattr(processor, "resample", None)),
            mean=triple(mean) if normalise else None,
            std=triple(std) if normalise else None,
            rescale=float(processor.rescale_factor) if getattr(processor, "do_rescale", True) else None,
        )

    def to_json(self) -> dict:
        """The settings as JSON values (the export cache keeps them: export_cache.py)."""
        return {name: list(v) if isinstance(v, tuple) else v for name, v in self.__dict__.items()}

    @classmethod
    def from_json(cls, data: dict) -> PreprocessSpec:
        """The spec ``to_json`` gave; ValueError/TypeError/KeyError for anything else."""
        pair = lambda v: None if v is None else (int(v[0]), int(v[1]))  # noqa: E731
        triple = lambda v: None if v is None else tuple(float(x) for x in v[:3])  # noqa: E731
        spec = cls(
            resize_shortest=None if data["resize_shortest"] is None else int(data["resize_shortest"]),
            resize_to=pair(data["resize_to"]),
            crop=pair(data["crop"]),
            resample=int(data["resample"]),
            mean=triple(data["mean"]),
            std=triple(data["std"]),
            rescale=None if data["rescale"] is None else float(data["rescale"]),
        )
        if not (spec.resize_shortest or spec.resize_to or spec.crop) or (spec.mean is None) != (spec.std is None):
            raise ValueError("incomplete preprocessing settings")
        return spec

    @classmethod
    def from_config(cls, cfg: dict) -> PreprocessSpec:
        """The settings an image-processor config dict gives, read by the transformers class
        it names (``image_processor_type``, default CLIP's), so its defaults apply too."""
        import transformers

        cfg = dict(cfg)
        name = cfg.pop("image_processor_type", None) or "CLIPImageProcessor"
        cfg.pop("processor_class", None)
        base = getattr(transformers, name, None)
        pil = getattr(transformers, f"{name}Pil", None)  # transformers 5: the Pillow backend
        processor_cls = pil or base
        if processor_cls is None:
            raise UnsupportedPreprocessing(f"unknown image processor {name}")
        return cls.from_processor(processor_cls(**cfg))

    @classmethod
    def from_folder(cls, folder: Path) -> PreprocessSpec:
        """The settings of the image processor ``transformers`` loads from a model folder."""
        return cls.from_processor(load_image_processor(folder))

    def smallest_decode_size(self) -> int:
        """Side a JPEG decoder must at least deliver on both axes (draft mode may go down to it):
        DRAFT_FACTOR times the model's input, so the model's own resize does the last step."""
        if self.resize_to:
            side = max(self.resize_to)
        elif self.resize_shortest:
            side = self.resize_shortest
        else:
            side = max(self.crop)
        return DRAFT_FACTOR * side

    def resized_size(self, width: int, height: int) -> tuple[int, int]:
        """(width, height) after the resize step, computed as transformers does (the long
        side truncated, not rounded)."""
        if self.resize_to:
            return self.resize_to
        if not self.resize_shortest:
            return (width, height)
        short, long = (width, height) if width <= height else (height, width)
        new_long = int(self.resize_shortest * long / short)
        return (self.resize_shortest, new_long) if width <= height else (new_long, self.resize_shortest)

    def to_array(self, img: Image.Image) -> np.ndarray:
        """RGB PIL image -> float32 array (3, H, W), normalised as the model expects."""
        if img.mode != "RGB":
            img = img.convert("RGB")
        if self.resize_to or self.resize_shortest:
            img = img.resize(self.resized_size(*img.size), self.resample)
        if self.crop:
            cw, ch = self.crop
            w, h = img.size
            left, top = (w - cw) // 2, (h - ch) // 2
            img = img.crop((left, top, left + cw, top + ch))  # outside the photo: black, as transformers pads
        arr = np.asarray(img, dtype=np.float32)
        if self.rescale is not None:
            arr = arr * np.float32(self.rescale)
        if self.mean is not None:
            arr = (arr - np.asarray(self.mean, np.float32)) / np.asarray(self.std, np.float32)
        return np.ascontiguousarray(arr.transpose(2, 0, 1))


def load_image_processor(folder: Path):
    """The model's image processor as transformers reads the folder: its own
    ``preprocessor_config.json``, else the image-processor part of ``processor_config.json``."""
    from transformers import AutoImageProcessor, AutoProcessor

    try:
        return AutoImageProcessor.from_pretrained(folder)
    except (OSError, ValueError, KeyError, TypeError) as first:
        try:
            processor = AutoProcessor.from_pretrained(folder)
        except (OSError, ValueError, KeyError, TypeError):
            raise first from None
        image_processor = getattr(processor, "image_processor", None)
        if image_processor is None:
            raise first from None
        return image_processor
