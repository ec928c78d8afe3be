"""The fast path's inputs: a model's export cache entry, when a run may use it alone.

A run may when int8 runs on the CPU (device.py says so without torch where no GPU can be),
ONNX Runtime is installed, and the model's entry (export_cache.py) is this folder's, of this
format, complete (settings, tokenizer, both towers) and its text tower passed the guard (a
photo tower not yet checked is checked on the first batch of photos, as at export). Then
clip.py runs the towers from it without torch or transformers' model code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from photoapp.core.embedding import export_cache
from photoapp.core.embedding.model_settings import ModelSettings
from photoapp.core.embedding.precision import default_precision
from photoapp.core.embedding.tokens import FastTokenizer, TransformersTokenizer

Tokenize = Callable[[list[str]], dict[str, np.ndarray]]


@dataclass(frozen=True)
class Entry:
    key: str
    settings: ModelSettings
    files: dict[str, Path]  # tower -> its quantised ONNX file
    verdict: dict  # tower -> True (kept), False (drifted) or None (not checked yet)


def kept(verdict: dict, tower: str) -> bool | None:
    judged = verdict.get(tower)
    return judged.get("kept") if isinstance(judged, dict) and isinstance(judged.get("kept"), bool) else None


def read_entry(folder: Path) -> Entry | None:
    """The model's complete, valid entry, else None (the export rebuilds it)."""
    try:
        key = export_cache.model_key(folder)
    except OSError:
        return None
    data = export_cache.read_settings(key, folder)
    if data is None:
        return None
    try:
        settings = ModelSettings.from_json(data)
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    files = {t: export_cache.entry_dir(key) / f"{t}-int8.onnx" for t in export_cache.TOWERS}
    if settings.fast_tokenizer and not (export_cache.entry_dir(key) / export_cache.TOKENIZER).is_file():
        return None
    verdict = export_cache.read_verdict(key)
    return Entry(key, settings, files, {t: kept(verdict, t) for t in export_cache.TOWERS})


def runnable(entry: Entry | None, precision: str) -> bool:
    """Whether ``entry`` alone runs the model at this precision ("auto" or "int8")."""
    if entry is None or precision not in ("auto", "int8"):
        return False
    if precision == "auto" and default_precision("cpu", entry.settings.vision_width) != "int8":
        return False  # a small model (the toy) runs fp32 on torch
    if entry.verdict["text"] is not True or entry.verdict["image"] is False:
        return False  # a tower that drifted runs fp32 on torch
    return all(path.is_file() for path in entry.files.values())


def tokenizer(entry: Entry, folder: Path) -> Tokenize | None:
    """Texts -> token arrays as at export: the recorded tokenizer.json on ``tokenizers``, or
    transformers' tokenizer for one without a fast backend (SigLIP's SentencePiece)."""
    try:
        if entry.settings.fast_tokenizer:
            text = export_cache.read_tokenizer(entry.key)
            return FastTokenizer(text, entry.settings.text) if text is not None else None
        return TransformersTokenizer(folder, entry.settings.text)
    except Exception:  # noqa: BLE001 - a damaged tokenizer file or library: the full load rebuilds
        return None
