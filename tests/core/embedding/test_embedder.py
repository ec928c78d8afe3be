"""The Embedder protocol: the CLIP embedder satisfies it, and unload() frees the model."""

from __future__ import annotations

import inspect

import numpy as np

from photoapp.core.embedding.base import Embedder
from photoapp.core.embedding.clip import ClipEmbedder
from photoapp.core.embedding.models import resolve


def test_clip_embedder_has_every_member_of_the_protocol():
    members = {n for n in vars(Embedder) if not n.startswith("_")}
    assert {"name", "dim", "spec", "load", "unload", "embed_pixels", "embed_texts", "embed_queries"} <= members
    for name in members:
        assert hasattr(ClipEmbedder, name), name
        theirs, ours = getattr(Embedder, name), getattr(ClipEmbedder, name)
        assert isinstance(ours, property) == isinstance(theirs, property), name
        if callable(theirs) and not isinstance(theirs, property):
            assert list(inspect.signature(ours).parameters) == list(inspect.signature(theirs).parameters), name


def test_unload_frees_the_model_and_the_next_embed_loads_it_again():
    embedder = ClipEmbedder(resolve("toy", download=False), device="cpu").load()
    assert isinstance(embedder, Embedder)
    before = embedder.embed_texts(["red circle"])
    embedder.unload()
    assert embedder._model is None  # the weights are released
    after = embedder.embed_texts(["red circle"])
    assert np.allclose(before, after, atol=1e-5)
