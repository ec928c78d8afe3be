"""Model resolution and loading: toy, local folders, hub ids offline, safetensors only."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from photoapp.core.embedding.clip import ClipEmbedder, choose_device
from photoapp.core.embedding.models import ModelUnavailable, canonical_name, resolve


def test_toy_resolves_to_the_shipped_folder():
    source = resolve("toy")
    assert source.name == "toy" and (source.folder / "model.safetensors").exists()
    assert (source.folder / "model.safetensors").stat().st_size < 20 * 1024 * 1024


def test_local_folder_and_missing_folder(tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(resolve("toy").folder, folder)
    assert resolve(str(folder)).folder == folder and canonical_name(str(folder)) == str(folder)
    with pytest.raises(ModelUnavailable, match="does not exist"):
        resolve(str(tmp_path / "absent"))


def test_hub_id_offline_gives_guidance():
    assert canonical_name("openai/clip-vit-base-patch32") == "openai/clip-vit-base-patch32"
    with pytest.raises(ModelUnavailable, match="--model /path/to/folder"):
        resolve("openai/clip-vit-base-patch32")


def test_pickled_weights_are_never_loaded(tmp_path):
    folder = tmp_path / "pickled"
    shutil.copytree(resolve("toy").folder, folder)
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    with pytest.raises(ModelUnavailable):
        ClipEmbedder(resolve(str(folder)), "cpu").load()


def test_embeddings_are_unit_vectors_and_texts_match_images():
    import io

    from photoapp.core.media.decoding import decode_for_model
    from photoapp.toy.domain import ALL_CLASSES, encode, render

    emb = ClipEmbedder(resolve("toy"), "cpu")
    rng = np.random.default_rng(3)
    red_circle = next(c for c in ALL_CLASSES if (c.colour, c.shape, c.background) == ("red", "circle", "white"))
    data, _ = encode(render(red_circle, rng), rng, png_share=0)
    arr, _ = decode_for_model(io.BytesIO(data), emb.spec)
    image = emb.embed_pixels(arr[None])
    texts = emb.embed_texts(["red circle", "blue square", "green triangle"])
    assert np.allclose(np.linalg.norm(image, axis=1), 1, atol=1e-5) and texts.shape == (3, emb.dim)
    assert int(np.argmax(texts @ image[0])) == 0
    assert emb.logit_scale > 1
    emb.unload()


def test_device_choice_on_cpu_machine():
    assert choose_device("cpu") == "cpu"
    assert choose_device("auto") in ("cpu", "cuda", "mps")
    with pytest.raises(ValueError):
        choose_device("tpu")


def test_reduced_precisions_stay_close_to_fp32_and_bad_ones_are_refused(shared_photos, monkeypatch):
    from photoapp.core.embedding import clip
    from photoapp.core.media.decoding import decode_for_model

    photos = sorted(shared_photos.glob("*.jpg"))[:6]
    ref = ClipEmbedder(resolve("toy"), "cpu")
    pixels = np.stack([decode_for_model(p, ref.spec)[0] for p in photos])
    fp32 = ref.embed_pixels(pixels)
    assert ref.precision == "fp32"  # auto on a CPU: the 128-wide toy is too small for int8 to pay
    bf16 = ClipEmbedder(resolve("toy"), "cpu", precision="bf16")
    low = bf16.embed_pixels(pixels)
    assert low.dtype == np.float32 and np.allclose(np.linalg.norm(low, axis=1), 1, atol=1e-4)
    assert np.min(np.sum(low * fp32, axis=1)) > 0.97
    # int8 is checked on its first batch: kept only within MIN_COSINE of fp32, else fp32 for good.
    int8 = ClipEmbedder(resolve("toy"), "cpu", precision="int8", onnx=False)
    first, again = int8.embed_pixels(pixels), int8.embed_pixels(pixels)
    cos = np.sum(first * fp32, axis=1)
    assert int8.int8_cosine == pytest.approx(float(cos.min()), abs=1e-4) or int8.precision == "fp32"
    assert int8.precision == ("int8" if int8.int8_cosine >= clip.MIN_COSINE else "fp32")
    assert np.min(np.sum(again * fp32, axis=1)) >= clip.MIN_COSINE - 1e-4
    monkeypatch.setattr(clip, "MIN_COSINE", 1.01)  # no int8 result can pass: falls back
    strict = ClipEmbedder(resolve("toy"), "cpu", precision="int8", onnx=False)
    assert np.allclose(strict.embed_pixels(pixels), fp32, atol=1e-5) and strict.precision == "fp32"
    assert np.allclose(strict.embed_pixels(pixels), fp32, atol=1e-5)
    with pytest.raises(ValueError, match="unknown precision"):
        ClipEmbedder(resolve("toy"), "cpu", precision="int4")


def test_int8_text_tower_is_kept_only_when_it_reproduces_fp32(monkeypatch):
    from photoapp.core.embedding import clip

    queries = ["red circle", "blue square on grass", "a photo"]
    fp32 = ClipEmbedder(resolve("toy"), "cpu", precision="fp32")
    reference = fp32.embed_texts(queries)
    assert fp32.text_int8_cosine is None  # fp32 asked for: the text tower is not touched
    int8 = ClipEmbedder(resolve("toy"), "cpu", precision="int8", onnx=False).load()
    assert int8.text_int8_cosine is not None
    quantised = ".dynamic." in type(int8._model.text_model.encoder.layers[0].mlp.fc1).__module__
    assert quantised == (int8.text_int8_cosine >= clip.MIN_COSINE)
    assert np.min(np.sum(int8.embed_texts(queries) * reference, axis=1)) >= clip.MIN_COSINE - 1e-4
    monkeypatch.setattr(clip, "MIN_COSINE", 1.01)  # nothing can pass: the fp32 tower stays
    strict = ClipEmbedder(resolve("toy"), "cpu", precision="int8", onnx=False)
    assert np.allclose(strict.embed_texts(queries), reference, atol=1e-5)


def test_recent_queries_are_encoded_once(monkeypatch):
    from photoapp.core.embedding import clip

    emb = ClipEmbedder(resolve("toy"), "cpu", precision="fp32")
    encoded = []
    real = emb.embed_texts
    monkeypatch.setattr(emb, "embed_texts", lambda texts: encoded.extend(texts) or real(texts))
    first = emb.embed_queries(["red circle", "green star"])
    again = emb.embed_queries(["green star", "red circle", "green star"])
    assert encoded == ["red circle", "green star"]
    assert np.array_equal(again[1], first[0]) and np.array_equal(again[0], again[2])
    assert np.allclose(first, real(["red circle", "green star"]), atol=1e-6)
    monkeypatch.setattr(clip, "QUERY_CACHE_SIZE", 2)
    emb.embed_queries(["blue square"])  # evicts the least recently used: "red circle"
    assert list(emb._queries) == ["green star", "blue square"]
    emb.embed_queries(["green star", "red circle"])
    assert encoded == ["red circle", "green star", "blue square", "red circle"]
    assert emb.embed_queries([]).shape == (0, emb.dim)


def test_download_progress_reaches_the_listener_through_huggingface_hubs_bar():
    """snapshot_download builds its byte bar with huggingface_hub's own helper from the
    tqdm_class we pass; drive that helper exactly so (no network here) and check that
    the listener hears the bytes, that stderr stays quiet, and that a cancel propagates."""
    import logging

    from huggingface_hub.utils.tqdm import _create_progress_bar

    from photoapp.core.embedding.models import _reporting_tqdm, download_progress
    from photoapp.core.errors import Cancelled

    heard = []
    cls = _reporting_tqdm(lambda done, total: heard.append((done, total)))
    bar = _create_progress_bar(
        cls=cls,
        log_level=logging.WARNING,
        name="huggingface_hub.snapshot_download",
        desc="Reconstructing (incomplete total...)",
        total=0,
        initial=0,
        unit="B",
        unit_scale=True,
    )
    files = _create_progress_bar(cls=cls, log_level=logging.WARNING, desc="Fetching 4 files", total=4)
    bar.total = 600_000_000
    bar.update(150_000_000)
    files.update(1)  # the file-count bar is not bytes: not reported
    bar.update(450_000_000)
    assert heard == [(150_000_000, 600_000_000), (600_000_000, 600_000_000)]

    def cancel(done, total):
        raise Cancelled()

    with pytest.raises(Cancelled):
        _reporting_tqdm(cancel)(desc="Reconstructing", unit="B", total=10).update(5)
    listener = heard.append
    with download_progress(listener):
        from photoapp.core.embedding import models

        assert models._downloads.current() == listener
    assert models._downloads.current() is None
