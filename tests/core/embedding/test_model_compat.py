"""Every CLIP-family model folder a user names loads and embeds faithfully.

A matrix of the supported architectures (tests/core/embedding/model_families.py: published
preprocessing and architecture values, random weights, small widths, tokenizers of each
family's kind built here), each in the older (preprocessor_config.json) and the current
(transformers 5 processor_config.json) layout: indexing real photos, text and image
queries, vector dimensions, text padding, a model switch. Then the preprocessing's
fidelity to each model's own image processor on the 27 shared photos, and folders that
are not usable models.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from photoapp.core.embedding.models import SUPPORTED, ModelUnavailable
from photoapp.core.library import Library
from tests.core.embedding.model_families import FAMILIES, build, image_processor

LAYOUTS = ("older", "current")
# Four of the shared photos, of different shapes (landscape, near-square, portrait).
PHOTOS = ("Dune.jpg", "Picture_1A_by_freespace.jpg", "FreshFlower.jpg", "Wine_by_Jakkub_Mede.jpg")


@pytest.fixture(scope="module")
def model_folders(tmp_path_factory):
    """Model folders built once per module, on first use."""
    root = tmp_path_factory.mktemp("models")
    built = {}

    def get(family: str, layout: str):
        if (family, layout) not in built:
            built[family, layout] = build(family, root / f"{family}-{layout}", layout)
        return built[family, layout]

    return get


@pytest.fixture
def photos(shared_photos, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in PHOTOS:
        shutil.copy2(shared_photos / name, folder / name)
    return folder


def _quiet_library(path, model):
    """A library that does not auto-tag: tagging is tested elsewhere, and the matrix
    stays fast (the tag vocabulary is several hundred texts per model)."""
    lib = Library(path, model=model)
    lib.settings.tags.auto_tagging = False
    lib.settings.save(lib.path)
    return lib


def _capture_text_inputs(embedder):
    """Record what the text tower is given (the tokens as the model sees them)."""
    seen = []
    model = embedder.load()._model
    real = model.get_text_features

    def spy(**kwargs):
        seen.append({k: v.clone() for k, v in kwargs.items()})
        return real(**kwargs)

    model.get_text_features = spy
    return seen


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", list(FAMILIES))
def test_family_indexes_searches_and_pads_text(name, layout, model_folders, photos, tmp_path):
    family = FAMILIES[name]
    folder = model_folders(name, layout)
    if layout == "current":  # what transformers 5 writes: no preprocessor_config.json
        assert (folder / "processor_config.json").exists() and not (folder / "preprocessor_config.json").exists()
    with _quiet_library(tmp_path / "lib", str(folder)) as lib:
        report = lib.index_folders([str(photos)])
        assert report.embedded == len(PHOTOS) and report.failed == 0
        embedder = lib.embedder
        # The preprocessing is the published one, read through the model's own processor.
        spec = embedder.spec
        side = family.image_size
        assert spec.output_size == (side, side)
        assert spec.resample == family.image_processor["resample"]
        assert spec.mean == pytest.approx(tuple(family.image_processor["image_mean"]))
        assert spec.std == pytest.approx(tuple(family.image_processor["image_std"]))
        assert (spec.crop is not None) == family.image_processor.get("do_center_crop", False)
        # Stored vectors: the model's embedding size, unit length.
        config = embedder._model.config
        dim = getattr(config, "projection_dim", None) or config.text_config.hidden_size
        ids, vectors = lib.catalog.embeddings(lib.model_name)
        assert vectors.shape == (len(PHOTOS), dim) == (len(PHOTOS), embedder.dim)
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
        # A text query ranks the library by the model's own text-image similarity.
        seen = _capture_text_inputs(embedder)
        hits = lib.search("a photo of a red flower", k=len(PHOTOS), cutoff=False)
        text = embedder.embed_texts(["a photo of a red flower"])[0]
        by_id = dict(zip(ids.tolist(), vectors @ text))
        expected = sorted(by_id, key=by_id.get, reverse=True)
        assert [lib.photo(h.path)["id"] for h in hits] == expected
        tokens = seen[0]["input_ids"]
        if family.kind == "siglip":  # 64 tokens, padded on the right, no attention mask
            assert tokens.shape[1] == 64 and "attention_mask" not in seen[0]
            assert int(tokens[0, -1]) == embedder._tokenizer.pad_token_id
            assert int(tokens[0, 0]) != embedder._tokenizer.pad_token_id
        else:  # CLIP: padded to the longest text, with its mask
            assert tokens.shape[1] < 77 and "attention_mask" in seen[0]
        # An image query: a copy of a photo from outside the library finds that photo first.
        outside = tmp_path / "query.jpg"
        shutil.copy2(photos / PHOTOS[2], outside)
        assert lib.search(str(outside), k=1, cutoff=False)[0].path == str(photos / PHOTOS[2])
        assert len(lib.similar(photos / PHOTOS[0], k=2, cutoff=False)) == 2


@pytest.mark.parametrize("name", list(FAMILIES))
def test_family_embeds_photos_like_its_own_processor(name, model_folders, shared_photos):
    """The indexer's path (draft-mode decode, fast preprocessing) against the reference
    pipeline (full decode, the model's own processor, the model) on the same photos."""
    import torch

    from photoapp.core.embedding.clip import ClipEmbedder
    from photoapp.core.embedding.models import resolve
    from photoapp.core.media.decoding import decode_for_model, load_rgb

    embedder = ClipEmbedder(resolve(str(model_folders(name, "current"))), "cpu", precision="fp32").load()
    paths = [shared_photos / p for p in PHOTOS]
    fast = embedder.embed_pixels(np.stack([decode_for_model(p, embedder.spec)[0] for p in paths]))
    processor = image_processor(FAMILIES[name])
    pixels = processor(images=[load_rgb(p)[0] for p in paths], return_tensors="pt")["pixel_values"]
    with torch.inference_mode():
        feats = embedder._model.get_image_features(pixel_values=pixels)
    feats = feats if hasattr(feats, "norm") else feats.pooler_output
    reference = torch.nn.functional.normalize(feats, dim=-1).numpy()
    assert np.min(np.sum(fast * reference, axis=1)) >= 0.99


def test_switching_between_families_keeps_search(model_folders, photos, tmp_path):
    clip, siglip = str(model_folders("clip-vit-b32", "current")), str(model_folders("siglip-b16-256", "older"))
    with _quiet_library(tmp_path / "lib", clip) as lib:
        lib.index_folders([str(photos)])
        before = [h.path for h in lib.search("sunset", k=4, cutoff=False)]
    with Library(tmp_path / "lib", model=siglip) as lib:
        report = lib.index_folders()
        assert report.embedded == len(PHOTOS) and any("re-embedded" in w for w in lib.warnings)
        assert lib.model_name == siglip and lib.settings.model == siglip and lib.pending_model is None
        assert lib.vector_index().dim == lib.embedder.dim != 24
        assert len(lib.search("sunset", k=4, cutoff=False)) == 4
        assert lib.catalog.count_embedded(clip) == len(PHOTOS)  # the old embeddings are kept
    with Library(tmp_path / "lib", model=clip) as lib:  # and switching back needs no re-embedding
        report = lib.index_folders()
        assert report.embedded == 0 and lib.settings.model == clip
        assert [h.path for h in lib.search("sunset", k=4, cutoff=False)] == before


# -- fidelity of the fast preprocessing ------------------------------------------------------
@pytest.fixture(scope="module")
def decoded_photos(shared_photos):
    from photoapp.core.media.decoding import load_rgb

    return [(p.name, load_rgb(p)[0]) for p in sorted(shared_photos.glob("*.jpg"))]


@pytest.fixture(scope="module")
def reference_tensors(decoded_photos):
    """Each family's processor and its tensors of the 27 fully decoded photos (computed once
    per distinct preprocessing: CLIP B/32 and B/16 share theirs)."""
    from photoapp.core.embedding.preprocess import PreprocessSpec

    cache = {}

    def get(name: str):
        key = json.dumps(FAMILIES[name].image_processor, sort_keys=True)
        if key not in cache:
            processor = image_processor(FAMILIES[name])
            tensors = np.stack(
                [processor(images=img, return_tensors="np")["pixel_values"][0] for _, img in decoded_photos]
            )
            cache[key] = PreprocessSpec.from_processor(processor), tensors
        return cache[key]

    return get


@pytest.mark.parametrize("name", list(FAMILIES))
def test_fast_preprocessing_matches_the_models_processor(name, decoded_photos, reference_tensors):
    """Full decode: the fast path's tensor is the model's own processor's, photo by photo
    (mean absolute difference of the normalised tensors; the bar is 0.01)."""
    spec, reference = reference_tensors(name)
    assert len(decoded_photos) == 27
    for (photo, img), theirs in zip(decoded_photos, reference):
        ours = spec.to_array(img)
        assert ours.shape == theirs.shape, photo
        assert float(np.abs(ours - theirs).mean()) < 0.01, photo


def test_draft_decode_keeps_the_tiny_models_embeddings(shared_photos):
    """The trained tiny model on all 27 photos: draft-mode decode + fast path against
    full decode + its own processor, cosine >= 0.99 (measured: min 0.9986)."""

    from photoapp.core.embedding.clip import ClipEmbedder
    from photoapp.core.embedding.models import resolve
    from photoapp.core.embedding.preprocess import load_image_processor
    from photoapp.core.media.decoding import decode_for_model, load_rgb

    embedder = ClipEmbedder(resolve("toy"), "cpu", precision="fp32").load()
    paths = sorted(shared_photos.glob("*.jpg"))
    fast = embedder.embed_pixels(np.stack([decode_for_model(p, embedder.spec)[0] for p in paths]))
    processor = load_image_processor(resolve("toy").folder)
    pixels = processor(images=[load_rgb(p)[0] for p in paths], return_tensors="pt")["pixel_values"]
    reference = embedder.embed_pixels(pixels.numpy())
    assert np.min(np.sum(fast * reference, axis=1)) >= 0.99


@pytest.mark.parametrize(
    "size, crop, expected",
    [
        (224, 224, (224, 224)),  # int sizes (openai/clip-vit-*'s preprocessor_config.json)
        ({"shortest_edge": 336}, {"height": 336, "width": 336}, (336, 336)),
        ({"height": 256, "width": 256}, None, (256, 256)),  # SigLIP: square resize, no crop
        ({"height": 200, "width": 300}, None, (300, 200)),
    ],
)
def test_size_forms_of_preprocessor_config(size, crop, expected, tmp_path, decoded_photos):
    from photoapp.core.embedding.preprocess import PreprocessSpec, load_image_processor

    cfg = {
        "image_processor_type": "CLIPImageProcessor",
        "size": size,
        "do_center_crop": crop is not None,
        "image_mean": [0.5, 0.5, 0.5],
        "image_std": [0.5, 0.5, 0.5],
        "resample": 3,
    }
    if crop is not None:
        cfg["crop_size"] = crop
    (tmp_path / "preprocessor_config.json").write_text(json.dumps(cfg))
    processor = load_image_processor(tmp_path)
    spec = PreprocessSpec.from_folder(tmp_path)
    assert spec.output_size == expected and spec == PreprocessSpec.from_config(cfg)
    _, img = decoded_photos[0]
    theirs = processor(images=img, return_tensors="np")["pixel_values"][0]
    assert spec.to_array(img).shape == theirs.shape and np.abs(spec.to_array(img) - theirs).mean() < 0.01


# -- folders that are not usable models -----------------------------------------------------
def _no_config(folder):
    folder.mkdir()
    shutil.copy(_toy() / "model.safetensors", folder)


def _unknown_architecture(folder):
    shutil.copytree(_toy(), folder)
    (folder / "config.json").write_text(json.dumps({"model_type": "pixelmagic", "architectures": ["PixelMagic"]}))


def _text_only(folder):
    from transformers import BertConfig, BertModel

    BertModel(
        BertConfig(vocab_size=100, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32)
    ).save_pretrained(folder, safe_serialization=True)


def _pickled_only(folder):
    shutil.copytree(_toy(), folder)
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")


def _siglip2_naflex(folder):
    from transformers import Siglip2Config, Siglip2Model

    tiny = {"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2}
    Siglip2Model(Siglip2Config(text_config=tiny | {"vocab_size": 64}, vision_config=tiny)).save_pretrained(
        folder, safe_serialization=True
    )


def _toy():
    from photoapp.core.embedding.models import toy_model_dir

    return toy_model_dir()


@pytest.fixture(scope="module")
def toy_library(tmp_path_factory):
    """A library indexed with the tiny model, copied by each test that needs one."""
    from photoapp.toy.domain import generate_library

    base = tmp_path_factory.mktemp("toylib")
    generate_library(base / "photos", per_class=1, seed=5)
    with _quiet_library(base / "lib", "toy") as lib:
        lib.index_folders([str(base / "photos")])
    return base


def _snapshot(lib_path):
    with Library(lib_path) as lib:
        return (
            lib.settings.model,
            lib.pending_model,
            lib.folders(),
            lib.catalog.count_photos(),
            lib.catalog.count_embedded("toy"),
            sorted(p.name for p in (lib_path / "index").iterdir()),
        )


@pytest.mark.parametrize(
    "make, reason",
    [
        (_no_config, "no config.json"),
        (_unknown_architecture, "not a model transformers knows"),
        (_text_only, "bert model, not an image-text model"),
        (_pickled_only, "only pickled weights (pytorch_model.bin)"),
        (_siglip2_naflex, "SigLIP2 NaFlex"),
    ],
)
def test_unusable_folder_is_one_clear_line_and_leaves_the_library(make, reason, toy_library, tmp_path, capsys):
    from photoapp.cli import main

    shutil.copytree(toy_library, tmp_path / "base")
    lib_path, new_photos = tmp_path / "base" / "lib", tmp_path / "new"
    new_photos.mkdir()
    shutil.copy2(next((tmp_path / "base" / "photos").glob("*.jpg")), new_photos / "extra.jpg")
    before = _snapshot(lib_path)
    settings = (lib_path / "settings.json").read_bytes()
    make(tmp_path / "model")
    capsys.readouterr()
    assert main(["--library", str(lib_path), "--model", str(tmp_path / "model"), "index", str(new_photos)]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert reason in err and SUPPORTED in err, err
    assert _snapshot(lib_path) == before and (lib_path / "settings.json").read_bytes() == settings
    with Library(lib_path) as lib:  # and it still searches with its own model
        assert len(lib.search("red circle", k=3, cutoff=False)) == 3
    with pytest.raises(ModelUnavailable, match="Photoapp works with"):
        Library(lib_path, model=str(tmp_path / "model")).embedder.load()


def _truncated_weights(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # an interrupted copy or download


def _garbage_weights(path):
    path.write_bytes(np.random.default_rng(2).integers(0, 256, 4096, dtype=np.uint8).tobytes())


@pytest.mark.parametrize("damage", [_truncated_weights, _garbage_weights])
def test_damaged_weights_are_one_clear_line_and_leave_the_library(damage, toy_library, tmp_path, capsys):
    """A corrupt model.safetensors (issue 29, finding 12) was a SafetensorError traceback."""
    from photoapp.cli import main
    from photoapp.config import resources_dir

    shutil.copytree(toy_library, tmp_path / "base")
    lib_path = tmp_path / "base" / "lib"
    before, settings = _snapshot(lib_path), (lib_path / "settings.json").read_bytes()
    model = tmp_path / "model"
    shutil.copytree(resources_dir() / "models" / "toy-clip", model)
    damage(model / "model.safetensors")
    capsys.readouterr()
    args = ["--library", str(lib_path), "--model", str(model), "index", str(tmp_path / "base" / "photos")]
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert f"the model weights in {model} are damaged" in err and "download the model again" in err
    assert _snapshot(lib_path) == before and (lib_path / "settings.json").read_bytes() == settings


@pytest.mark.parametrize("name", list(FAMILIES))
def test_draft_decode_keeps_real_size_embeddings(name, decoded_photos, reference_tensors, shared_photos):
    """Each architecture at its real size (vision tower, random weights) on the photos whose
    draft-mode tensor differs most from the reference (full decode + the model's own
    processor): embedding cosine >= 0.99. benchmarks/model_fidelity.py measures all 27."""
    import torch
    from transformers import CLIPVisionModelWithProjection, SiglipVisionModel

    from photoapp.core.media.decoding import load_rgb
    from tests.core.embedding.model_families import model_config

    family = FAMILIES[name]
    spec, reference = reference_tensors(name)
    draft = np.stack(
        [
            spec.to_array(load_rgb(shared_photos / photo, min_side=spec.smallest_decode_size())[0])
            for photo, _ in decoded_photos
        ]
    )
    worst = np.argsort(np.abs(draft - reference).mean(axis=(1, 2, 3)))[-(2 if family.image_size > 300 else 4) :]
    torch.manual_seed(0)
    config = model_config(family, 1000, {"pad_token_id": 1, "eos_token_id": 1, "bos_token_id": 1}, scale="real")
    tower = (CLIPVisionModelWithProjection if family.kind == "clip" else SiglipVisionModel)(config.vision_config)
    with torch.inference_mode():

        def embed(pixels):
            out = tower(pixel_values=torch.from_numpy(np.ascontiguousarray(pixels)))
            feats = out.image_embeds if family.kind == "clip" else out.pooler_output
            return torch.nn.functional.normalize(feats, dim=-1).numpy()

        cosine = np.sum(embed(draft[worst]) * embed(reference[worst]), axis=1)
    assert cosine.min() >= 0.99, dict(zip([decoded_photos[i][0] for i in worst], cosine))
