"""The caption bank: shipped texts, embedded once per model with the tiny model, cached."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from photoapp.core.embedding import bank
from photoapp.core.embedding.clip import ClipEmbedder
from photoapp.core.embedding.models import ModelSource, resolve


@pytest.fixture(scope="module")
def toy_embedder():
    return ClipEmbedder(resolve("toy", download=False), device="cpu")


class CountingEmbedder:
    """The real tiny embedder, counting the texts it is asked to encode."""

    def __init__(self, inner):
        self.inner, self.calls = inner, 0
        self.name, self.source = inner.name, inner.source

    def embed_texts(self, texts):
        self.calls += len(texts)
        return self.inner.embed_texts(texts)


def test_shipped_banks_are_generic_varied_captions():
    everyday = bank.bank_texts("openai/clip-vit-base-patch32")
    assert 300 <= len(everyday) <= 500
    assert len(set(everyday)) == len(everyday) and all(not t.startswith("#") for t in everyday)
    words = {w for t in everyday for w in t.split()}
    assert {"dog", "beach", "car", "pizza", "snow", "city", "child", "table", "kitchen", "mountains"} <= words
    toy = bank.bank_texts("toy")
    assert 50 <= len(toy) <= 300
    from photoapp.toy.train import vocabulary_words

    assert {w for t in toy for w in t.split()} <= set(vocabulary_words())  # words the tiny model learnt
    assert bank.parse_bank("# c\n a  dog \n\na dog\ncat\n") == ["a dog", "cat"]


def test_bank_embeddings_are_unit_vectors_cached_per_model(toy_embedder, tmp_path):
    counting = CountingEmbedder(toy_embedder)
    vectors = bank.bank_embeddings(counting, tmp_path / "cache")
    n = len(bank.bank_texts("toy"))
    assert vectors.shape == (n, 64) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert counting.calls == n
    files = list((tmp_path / "cache").glob("bank-*.npy"))
    assert len(files) == 1 and "toy" in files[0].name

    again = bank.bank_embeddings(counting, tmp_path / "cache")
    assert counting.calls == n  # read from the cache, not encoded again
    assert np.array_equal(again, vectors)
    # the cached vectors are the model's own: a bank caption scores highest against itself
    caption = "a photo of a red circle on a white background"
    direct = toy_embedder.embed_texts([caption])[0]
    assert float(vectors[bank.bank_texts("toy").index(caption)] @ direct) > 0.999

    other = bank.bank_embeddings(counting, tmp_path / "cache", texts=["red circle", "blue square"])
    assert other.shape == (2, 64) and counting.calls == n + 2  # another bank, another entry
    assert len(list((tmp_path / "cache").glob("bank-*.npy"))) == 2


def test_bank_cache_is_keyed_by_the_model_weights_and_survives_damage(toy_embedder, tmp_path):
    texts = ["red circle", "green triangle", "a blue square on a black background"]
    first = bank.bank_embeddings(toy_embedder, tmp_path, texts=texts)
    path = bank.cache_path(toy_embedder, tmp_path, texts)
    path.write_bytes(b"not an array")  # corrupt: recomputed and rewritten
    assert np.allclose(bank.bank_embeddings(toy_embedder, tmp_path, texts=texts), first, atol=1e-6)
    assert np.load(path).shape == (3, 64)

    folder = tmp_path / "copy"  # the same model name in another folder with other files
    shutil.copytree(toy_embedder.source.folder, folder)
    (folder / "extra.json").write_text("{}")
    copy = ClipEmbedder(ModelSource(toy_embedder.name, folder), device="cpu")
    assert bank.cache_path(copy, tmp_path, texts) != path

    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o500)
    try:  # a read-only library still gets its embeddings
        assert np.allclose(bank.bank_embeddings(toy_embedder, readonly / "cache", texts=texts), first, atol=1e-6)
    finally:
        readonly.chmod(0o700)
    assert np.allclose(bank.bank_embeddings(toy_embedder, None, texts=texts), first, atol=1e-6)
    with pytest.raises(ValueError, match="empty"):
        bank.bank_embeddings(toy_embedder, None, texts=[])
