"""What running a model's exported towers needs, read through transformers once, at export,
and kept in the export cache entry (export_cache.py), so later runs read that and nothing
else: no torch, no transformers model code (clip.py's fast path)."""

from __future__ import annotations

from dataclasses import dataclass

from photoapp.core.embedding.preprocess import PreprocessSpec
from photoapp.core.embedding.tokens import TextSettings


@dataclass(frozen=True)
class ModelSettings:
    model_type: str
    vision_width: int | None  # decides "auto" precision (int8 pays off for wide layers only)
    image_size: int
    dim: int  # the embedding size
    logit_scale: float  # exp of the model's learned logit_scale
    spec: PreprocessSpec  # the image processor's settings
    text: TextSettings  # the tokenizer's settings
    fast_tokenizer: bool  # the entry holds the tokenizer's tokenizer.json (else transformers' tokenizer runs)

    def to_json(self) -> dict:
        return {
            "model_type": self.model_type,
            "vision_width": self.vision_width,
            "image_size": self.image_size,
            "dim": self.dim,
            "logit_scale": self.logit_scale,
            "preprocess": self.spec.to_json(),
            "text": self.text.to_json(),
            "fast_tokenizer": self.fast_tokenizer,
        }

    @classmethod
    def from_json(cls, data: dict) -> ModelSettings:
        """The settings ``to_json`` gave; KeyError, TypeError or ValueError for anything else."""
        width = data["vision_width"]
        settings = cls(
            model_type=str(data["model_type"]),
            vision_width=None if width is None else int(width),
            image_size=int(data["image_size"]),
            dim=int(data["dim"]),
            logit_scale=float(data["logit_scale"]),
            spec=PreprocessSpec.from_json(data["preprocess"]),
            text=TextSettings.from_json(data["text"]),
            fast_tokenizer=bool(data["fast_tokenizer"]),
        )
        if settings.dim <= 0 or settings.image_size <= 0:
            raise ValueError("no embedding or image size")
        return settings

    @property
    def padding(self) -> dict:
        """The tokenizer call's padding arguments, as architecture.text_inputs gives them."""
        if self.text.fixed_length:
            return {"padding": "max_length", "max_length": self.text.max_length}
        return {"padding": True}
