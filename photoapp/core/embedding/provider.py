"""Which model a library searches and indexes with, and one loaded embedder per model.

``ModelChoice`` answers "which model": ``--model``, else the model being switched to (for
index runs) or the library's active one. ``Embedders`` creates each model's embedder once
(loading stays lazy) and can share its models with another Library of the same process.
"""

from __future__ import annotations

import threading

from photoapp.config import DEFAULT_MODEL, Settings
from photoapp.core.embedding import models as model_registry
from photoapp.core.embedding.base import Embedder


class ModelChoice:
    """The library's models, read from its settings and ``--model``."""

    def __init__(self, settings: Settings, requested: str | None = None):
        self.settings = settings
        self.requested = model_registry.canonical_name(requested) if requested else None

    @property
    def searching(self) -> str:
        """The model whose embeddings answer searches: --model, else the library's active one."""
        return self.requested or self.settings.model or DEFAULT_MODEL

    @property
    def pending(self) -> str | None:
        """A model being switched to: it embeds in the background while the old one answers."""
        return self.settings.pending_model

    @property
    def next(self) -> str:
        """The model the next index run embeds with (nothing is recorded)."""
        return self.requested or self.pending or self.settings.model or DEFAULT_MODEL


class Embedders:
    """One embedder per model, created on first use with the library's device and precision."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._by_model: dict[str, Embedder] = {}
        # The window's first index run and its search-model preload ask at the same moment from
        # two threads: one embedder (one copy in memory, one load under its own lock), never two.
        self._lock = threading.Lock()

    def get(self, model: str) -> Embedder:
        with self._lock:
            if model not in self._by_model:
                from photoapp.core.embedding.clip import ClipEmbedder

                self._by_model[model] = ClipEmbedder(
                    model_registry.resolve(model), self.settings.device, self.settings.precision
                )
            return self._by_model[model]

    def share(self, other: Embedders) -> None:
        """Use ``other``'s models (a watcher's Library beside the GUI's): one copy in memory."""
        self._by_model, self._lock = other._by_model, other._lock
