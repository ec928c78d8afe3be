"""The caption bank: generic everyday photo captions that teach Photoapp a model's score scale.

A CLIP score means little on its own: what a cosine of 0.25 says depends on the model and
on the text. Photoapp ships a few hundred ordinary captions ("a dog running across a grassy
field", "a plate of pasta with tomato sauce", ...; ``resources/captions/bank.txt``), embeds
them once per model with the model's own text tower, and compares a label's or query's
scores with theirs (tagging, search). Libraries of the tiny demo model, which knows only
coloured shapes, use the toy domain's captions instead (``resources/captions/toy.txt``),
as they use the toy vocabulary.

The embeddings are cached in the library folder (``cache/bank-<model>-<key>.npy``), keyed
by the model, its weight files (size and modification time) and the bank's text, so a new
model, changed weights or an edited bank are embedded afresh; a missing, unreadable or
corrupt cache file is recomputed, and a read-only library still gets its embeddings.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np

from photoapp.config import TOY_MODEL, atomic_write_bytes, resources_dir

CACHE_DIRNAME = "cache"
BATCH = 256


def bank_file(model: str | None = None) -> Path:
    """The shipped bank for a model: the toy domain's captions for the tiny model."""
    return resources_dir() / "captions" / ("toy.txt" if model == TOY_MODEL else "bank.txt")


def parse_bank(text: str) -> list[str]:
    """One caption per line; blank lines and ``#`` comments skipped, duplicates dropped."""
    seen: dict[str, None] = {}
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if line and not line.startswith("#"):
            seen.setdefault(line, None)
    return list(seen)


def bank_texts(model: str | None = None) -> list[str]:
    return parse_bank(bank_file(model).read_text(encoding="utf-8"))


def model_fingerprint(embedder) -> str:
    """The model's name plus the size and mtime of its weight and config files."""
    parts = [str(embedder.name)]
    folder = getattr(getattr(embedder, "source", None), "folder", None)
    if folder is not None and Path(folder).is_dir():
        for f in sorted(Path(folder).iterdir()):
            if f.suffix in (".safetensors", ".json"):
                try:
                    st = f.stat()
                except OSError:
                    continue
                parts.append(f"{f.name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:16]


def cache_path(embedder, cache_dir: str | Path, texts: list[str]) -> Path:
    from photoapp.core.store.vector_index import index_stem

    key = hashlib.sha256((model_fingerprint(embedder) + "\x00" + "\n".join(texts)).encode("utf-8")).hexdigest()[:16]
    return Path(cache_dir) / f"bank-{index_stem(str(embedder.name))}-{key}.npy"


def bank_embeddings(embedder, cache_dir: str | Path | None, texts: list[str] | None = None) -> np.ndarray:
    """(n, dim) unit-norm float32 text embeddings of the bank for this embedder's model.

    ``texts`` defaults to the shipped bank of the embedder's model (``bank_texts``);
    ``cache_dir`` (a library's ``cache`` folder, see ``library_cache_dir``) keeps them
    between runs; None computes them without caching.
    """
    texts = bank_texts(embedder.name) if texts is None else list(texts)
    path = cache_path(embedder, cache_dir, texts) if cache_dir is not None else None
    if path is not None:
        cached = _read(path, len(texts))
        if cached is not None:
            return cached
    vectors = _embed(embedder, texts)
    if path is not None:
        buf = io.BytesIO()
        np.save(buf, vectors, allow_pickle=False)
        try:
            atomic_write_bytes(path, buf.getvalue())
        except OSError:
            pass  # a read-only or full library: the embeddings are still right, just not kept
    return vectors


def library_cache_dir(lib) -> Path:
    """Where a library keeps derived data such as the bank embeddings."""
    return Path(lib.path) / CACHE_DIRNAME


def _embed(embedder, texts: list[str]) -> np.ndarray:
    if not texts:
        raise ValueError("the caption bank is empty")
    vectors = np.concatenate(
        [np.asarray(embedder.embed_texts(texts[i : i + BATCH]), np.float32) for i in range(0, len(texts), BATCH)]
    )
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def _read(path: Path, n: int) -> np.ndarray | None:
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if arr.ndim != 2 or arr.shape[0] != n or arr.dtype != np.float32 or not np.all(np.isfinite(arr)):
        return None
    return arr
