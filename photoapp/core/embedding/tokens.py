"""Texts to the token ids a text tower gets, with the ``tokenizers`` library alone.

transformers' fast tokenizers are a thin layer over ``tokenizers`` (Hugging Face's Rust
tokenizer, which transformers itself depends on): ``tokenizer(texts, truncation=True,
padding=...)`` sets truncation and padding on its backend tokenizer and encodes the batch.
When the towers are exported, what that call does for this model (``TextSettings``: the
truncation length, the padding, the pad token, the sides, the inputs the tower takes) is
recorded beside the towers with the backend's own ``tokenizer.json``; ``FastTokenizer``
does the same from them, without importing transformers
(tests/core/embedding/test_fast_path.py checks the ids are equal on a few hundred captions).
A model whose tokenizer has no fast backend (SigLIP's SentencePiece) keeps transformers'.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

# Above this transformers treats model_max_length as unset (no truncation): its VERY_LARGE_INTEGER / LARGE_INTEGER.
UNSET_LENGTH = int(1e20)


@dataclass(frozen=True)
class TextSettings:
    inputs: tuple[str, ...]  # what the text tower takes: input_ids, and attention_mask for CLIP
    max_length: int | None  # texts are cut to this many tokens (None: never)
    fixed_length: bool  # every text padded to max_length (SigLIP), else to the batch's longest
    pad_id: int
    pad_token: str
    padding_side: str
    truncation_side: str

    def to_json(self) -> dict:
        return asdict(self) | {"inputs": list(self.inputs)}

    @classmethod
    def from_json(cls, data: dict) -> TextSettings:
        settings = cls(**(data | {"inputs": tuple(data["inputs"])}))
        if not set(settings.inputs) <= {"input_ids", "attention_mask"} or "input_ids" not in settings.inputs:
            raise ValueError(f"unknown text inputs {settings.inputs}")
        if settings.fixed_length and not settings.max_length:
            raise ValueError("padding to a fixed length without a length")
        return settings


def settings_of(tokenizer, padding: dict, inputs: tuple[str, ...]) -> TextSettings:
    """What ``tokenizer(texts, truncation=True, **padding)`` (transformers) does."""
    fixed = padding.get("padding") == "max_length"
    length = padding.get("max_length")
    if length is None:
        model_max = getattr(tokenizer, "model_max_length", None)
        length = int(model_max) if model_max and model_max < UNSET_LENGTH else None
    return TextSettings(
        inputs=tuple(inputs),
        max_length=int(length) if length else None,
        fixed_length=fixed,
        pad_id=int(tokenizer.pad_token_id),
        pad_token=str(tokenizer.pad_token),
        padding_side=str(tokenizer.padding_side),
        truncation_side=str(getattr(tokenizer, "truncation_side", "right")),
    )


def backend_json(tokenizer) -> str | None:
    """The tokenizer.json of a transformers tokenizer's backend, None if it has none."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    return backend.to_str() if backend is not None else None


class FastTokenizer:
    """Texts -> {input name: int64 array (batch, tokens)}, as transformers' tokenizer gives them."""

    def __init__(self, tokenizer_json: str, settings: TextSettings):
        from tokenizers import Tokenizer

        self.settings = settings
        tok = Tokenizer.from_str(tokenizer_json)
        if settings.max_length:
            tok.enable_truncation(settings.max_length, strategy="longest_first", direction=settings.truncation_side)
        else:
            tok.no_truncation()
        tok.enable_padding(
            direction=settings.padding_side,
            pad_id=settings.pad_id,
            pad_token=settings.pad_token,
            length=settings.max_length if settings.fixed_length else None,
        )
        self._tokenizer = tok

    def __call__(self, texts: list[str]) -> dict[str, np.ndarray]:
        encodings = self._tokenizer.encode_batch(list(texts))
        out = {"input_ids": np.array([e.ids for e in encodings], np.int64)}
        if "attention_mask" in self.settings.inputs:
            out["attention_mask"] = np.array([e.attention_mask for e in encodings], np.int64)
        return out


class TransformersTokenizer:
    """The same for a tokenizer without a fast backend: transformers' own (no model code)."""

    def __init__(self, folder, settings: TextSettings):
        from transformers import AutoTokenizer

        self.settings = settings
        self._tokenizer = AutoTokenizer.from_pretrained(folder)
        self._tokenizer.padding_side = settings.padding_side
        self._padding = (
            {"padding": "max_length", "max_length": settings.max_length} if settings.fixed_length else {"padding": True}
        )

    def __call__(self, texts: list[str]) -> dict[str, np.ndarray]:
        tokens = self._tokenizer(list(texts), truncation=True, return_tensors="np", **self._padding)
        return {name: np.asarray(tokens[name], np.int64) for name in self.settings.inputs}
