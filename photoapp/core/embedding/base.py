"""The Embedder interface every service types against (ClipEmbedder satisfies it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from photoapp.core.embedding.preprocess import PreprocessSpec


@runtime_checkable
class Embedder(Protocol):
    """A model that puts photos and texts in one vector space (unit vectors, ``dim`` wide).

    Creating one is cheap; ``load()`` reads the weights (seconds), ``unload()`` frees them
    (the next embed loads them again)."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    @property
    def spec(self) -> PreprocessSpec:
        """How photos are prepared for it (size, crop, normalisation)."""
        ...

    def load(self) -> Embedder: ...

    def unload(self) -> None: ...

    def embed_pixels(self, batch: np.ndarray) -> np.ndarray:
        """(N, 3, H, W) preprocessed pixels -> (N, dim) unit vectors."""
        ...

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """Texts -> (N, dim) unit vectors."""
        ...

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Search queries -> (N, dim) unit vectors (cached per text)."""
        ...
