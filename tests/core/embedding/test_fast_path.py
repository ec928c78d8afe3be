"""The query and index paths on ONNX Runtime without torch or transformers' model code
(issue 30): what the export recorded reproduces today's preprocessing, tokenisation and
embeddings; a stale, foreign or damaged entry is rebuilt; the optimised graph is kept.

Tiny models only (the toy and the compat matrix's tiny widths, forced to int8); the
real-size ViT-B/32 is measured by benchmarks/cli_search.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from photoapp.core.embedding import export_cache, fast_path, onnxrt  # noqa: E402
from photoapp.core.embedding.architecture import text_inputs  # noqa: E402
from photoapp.core.embedding.bank import bank_texts  # noqa: E402
from photoapp.core.embedding.clip import ClipEmbedder  # noqa: E402
from photoapp.core.embedding.device import gpu_possible  # noqa: E402
from photoapp.core.embedding.models import resolve, toy_model_dir  # noqa: E402
from photoapp.core.embedding.preprocess import PreprocessSpec  # noqa: E402
from photoapp.core.library import Library  # noqa: E402
from photoapp.core.media.decoding import decode_for_model  # noqa: E402
from tests.core.embedding.model_families import build  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
QUERIES = ["red circle", "blue square on grass", "a photo of a green star"]
ODD_TEXTS = ["", "  Beach SUNSET!!  ", "émigré café 東京 🐕", "a " * 120, "x" * 400, "<|endoftext|> inside", "a\tb\nc"]
HEAVY = ("torch", "transformers", "onnx")


def _int8(folder_or_name) -> ClipEmbedder:
    return ClipEmbedder(resolve(str(folder_or_name)), "cpu", precision="int8").load()


def _exports(folder_or_name) -> list:
    """The export steps a load of the model reports (none: it used the cache)."""
    steps = []
    with onnxrt.preparing_progress(lambda done, total: steps.append((done, total))):
        _int8(folder_or_name)
    return steps


@pytest.fixture
def photos(shared_photos):
    return sorted(shared_photos.glob("*.jpg"))


def test_a_later_run_takes_the_fast_path_with_the_same_embeddings(photos):
    first = _int8("toy")  # exports; torch loads (today's ORT path)
    assert first._settings is None and first.runtime == "onnxruntime int8 (image, text)"
    pixels = np.stack([decode_for_model(p, first.spec)[0] for p in photos[:8]])
    texts, images = first.embed_texts(QUERIES + bank_texts()[:40]), first.embed_pixels(pixels)
    later = _int8("toy")
    assert later._settings is not None and later._model is None  # the fast path: no torch model
    assert later.runtime == first.runtime and later.precision == "int8"
    assert later.dim == first.dim and later.logit_scale == pytest.approx(first.logit_scale)
    assert later.spec == first.spec
    assert not later._image_ort.loaded  # a text query creates the text session alone
    again = later.embed_texts(QUERIES + bank_texts()[:40])
    assert later._text_ort.loaded and not later._image_ort.loaded
    assert np.min(np.sum(again * texts, axis=1)) >= 0.9999
    assert np.min(np.sum(later.embed_pixels(pixels) * images, axis=1)) >= 0.9999
    assert later._model is None  # the image verdict was recorded by the first run: nothing checked again


def test_the_first_photos_after_an_export_are_still_checked(photos):
    _int8("toy").embed_texts(QUERIES)  # exported by a search: no photo has been checked yet
    assert fast_path.read_entry(toy_model_dir()).verdict == {"text": True, "image": None}
    later = _int8("toy")
    assert later._settings is not None and later._check_image
    pixels = np.stack([decode_for_model(p, later.spec)[0] for p in photos[:4]])
    later.embed_pixels(pixels)
    assert later.int8_cosine is not None and later.int8_cosine >= 0.99  # compared with fp32 (torch loaded)
    assert fast_path.read_entry(toy_model_dir()).verdict == {"text": True, "image": True}


FAMILIES = ("clip-vit-b32", "siglip-b16-224", "siglip2-b16-224")  # CLIP BPE, SentencePiece, Gemma BPE


@pytest.mark.parametrize("family", FAMILIES)
def test_recorded_settings_reproduce_todays_preprocessing_and_tokens(family, photos, tmp_path):
    from transformers import AutoConfig, AutoTokenizer

    folder = build(family, tmp_path / family)
    embedder = _int8(folder)
    today = PreprocessSpec.from_folder(folder)
    entry = fast_path.read_entry(folder)
    assert entry is not None and entry.settings.spec == today
    for photo in photos:  # the 27 shared photos
        ours, _ = decode_for_model(photo, entry.settings.spec)
        theirs, _ = decode_for_model(photo, today)
        assert ours.shape == theirs.shape and np.max(np.abs(ours - theirs)) <= 1e-5
    tokenizer = AutoTokenizer.from_pretrained(folder)
    padding, _ = text_inputs(AutoConfig.from_pretrained(folder), tokenizer)
    tokenize = fast_path.tokenizer(entry, folder)
    assert type(tokenize).__name__ == ("TransformersTokenizer" if family == "siglip-b16-224" else "FastTokenizer")
    captions = bank_texts() + ODD_TEXTS  # a few hundred
    for batch in (captions, captions[:1], ODD_TEXTS, captions[100:107]):
        expected = tokenizer(batch, truncation=True, return_tensors="np", **padding)
        got = tokenize(batch)
        assert set(got) == set(entry.settings.text.inputs)
        for name, ids in got.items():
            assert np.array_equal(ids, np.asarray(expected[name], np.int64)), name
    assert entry.settings.dim == embedder.dim


def _foreign(entry: Path) -> None:
    data = json.loads((entry / "settings.json").read_text())
    (entry / "settings.json").write_text(json.dumps(data | {"folder": "/elsewhere/another-model"}))


def _older_format(entry: Path) -> None:
    data = json.loads((entry / "settings.json").read_text())
    (entry / "settings.json").write_text(json.dumps(data | {"format": 1}))


def _garbled(entry: Path) -> None:
    (entry / "settings.json").write_text('{"format": 2, "key": ')


def _wrong_values(entry: Path) -> None:
    data = json.loads((entry / "settings.json").read_text())
    (entry / "settings.json").write_text(json.dumps(data | {"preprocess": {"crop": "huge"}}))


def _no_tokenizer(entry: Path) -> None:
    (entry / "tokenizer.json").unlink()


@pytest.mark.parametrize("damage", [_foreign, _older_format, _garbled, _wrong_values, _no_tokenizer])
def test_a_stale_foreign_or_damaged_entry_is_rebuilt(damage, tmp_path, photos):
    folder = tmp_path / "toy-copy"
    shutil.copytree(toy_model_dir(), folder)
    first = _int8(folder)
    texts = first.embed_texts(QUERIES)
    entry = export_cache.entry_dir(first._ort_key)
    stamp = (entry / "text-int8.onnx").stat().st_mtime_ns
    damage(entry)
    assert fast_path.read_entry(folder) is None
    assert _exports(folder) == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]  # exported afresh, settings too
    assert (entry / "text-int8.onnx").stat().st_mtime_ns != stamp
    later = _int8(folder)
    assert later._settings is not None and fast_path.read_entry(folder).settings.spec == first.spec
    assert np.min(np.sum(later.embed_texts(QUERIES) * texts, axis=1)) >= 0.9999


def test_the_optimised_graph_is_kept_and_a_damaged_one_made_again():
    first = _int8("toy")
    texts = first.embed_texts(QUERIES)
    path = first._text_ort.path
    optimised = onnxrt.optimised_path(path)
    assert optimised.is_file() and optimised.name.startswith("text-int8.opt-")
    optimised.write_bytes(b"not a model")
    later = _int8("toy")
    assert np.allclose(later.embed_texts(QUERIES), texts, atol=1e-6)
    assert optimised.stat().st_size > 1000  # optimised again


def test_no_gpu_means_the_cpu_without_asking_torch(monkeypatch):
    from photoapp.core.embedding import device

    if sys.platform.startswith("linux"):
        monkeypatch.setattr(device, "LINUX_GPU_FILES", ("/nonexistent/nvidia",))
        assert not device.gpu_possible() and device.choose_device("auto") == "cpu"
        monkeypatch.setattr(device, "LINUX_GPU_FILES", (str(ROOT),))  # something exists: torch is asked
        assert device.gpu_possible() and device.choose_device("auto") in ("cpu", "cuda")


PROBE = """
import json, sys
from photoapp.cli.app import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as fh:
    json.dump({"code": code, "modules": sorted(sys.modules)}, fh)
"""


def _run(args: list[str], tmp_path: Path, name: str) -> list[str]:
    out = tmp_path / f"{name}.json"
    env = os.environ | {"PHOTOAPP_ONNX_DIR": str(onnxrt.cache_dir())}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert result["code"] == 0
    return result["modules"]


@pytest.mark.skipif(gpu_possible(), reason="a GPU may be present: auto runs torch on it")
def test_search_and_index_on_onnx_runtime_import_no_torch_nor_model_code(photos, tmp_path):
    first, more = tmp_path / "photos", tmp_path / "more"
    first.mkdir(), more.mkdir()
    for photo in photos[:4]:
        shutil.copy2(photo, first / photo.name)
    for photo in photos[4:6]:
        shutil.copy2(photo, more / photo.name)
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.settings.precision = "int8"  # the toy is too small for "auto" to pick int8
        lib.settings.save(lib.path)
        assert lib.index_folders([str(first)]).embedded == 4  # exports; checks the first photos
        expected = [h.path for h in lib.search("red circle", k=4, cutoff=False)]
    base = ["--library", str(tmp_path / "lib")]
    searched = _run([*base, "search", "red circle", "-k", "4", "--all", "--json"], tmp_path, "search")
    indexed = _run([*base, "index", "-q", str(more)], tmp_path, "index")
    for modules in (searched, indexed):
        tops = {m.split(".")[0] for m in modules}
        assert "onnxruntime" in tops and "tokenizers" in tops  # really the ONNX Runtime path
        assert not tops & set(HEAVY), sorted(tops & set(HEAVY))
        assert not [m for m in modules if m.startswith("transformers.")]
    with Library(tmp_path / "lib") as lib:
        assert lib.catalog.count_embedded("toy") == 6
        assert [h.path for h in lib.search("red circle", k=4, cutoff=False) if h.path in expected]
