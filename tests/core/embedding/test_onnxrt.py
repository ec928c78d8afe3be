"""int8 towers on ONNX Runtime: exported once per model into the cache, reused, kept only
within cosine 0.99 of fp32 (a drifting model falls back to fp32, remembered, with a note in
``photoapp status``), and every supported family either runs this way or falls back cleanly.

Tiny models only (the toy and the compat matrix's tiny widths); the real-size ViT-B/32 is
measured by benchmarks/index_throughput.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from photoapp.core.embedding import clip, onnxrt  # noqa: E402
from photoapp.core.embedding.clip import ClipEmbedder  # noqa: E402
from photoapp.core.embedding.models import resolve, toy_model_dir  # noqa: E402
from photoapp.core.library import Library  # noqa: E402
from photoapp.core.media.decoding import decode_for_model  # noqa: E402
from tests.core.embedding.model_families import FAMILIES, build  # noqa: E402

QUERIES = ["red circle", "blue square on grass", "a photo of a green star"]


def _pixels(embedder, photos) -> np.ndarray:
    return np.stack([decode_for_model(p, embedder.spec)[0] for p in photos])


def _onnx_files() -> list:
    """The quantised towers (beside each, ONNX Runtime's optimised graph of it: onnxrt.session)."""
    return sorted(p for p in onnxrt.cache_dir().rglob("*-int8.onnx") if p.is_file())


@pytest.fixture
def photos(shared_photos):
    return sorted(shared_photos.glob("*.jpg"))[:6]


def test_cache_is_the_env_override_else_inside_the_model_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("PHOTOAPP_ONNX_DIR", raising=False)
    monkeypatch.setenv("PHOTOAPP_MODELS_DIR", str(tmp_path / "models"))
    assert onnxrt.cache_dir() == tmp_path / "models" / "onnx"
    monkeypatch.setenv("PHOTOAPP_ONNX_DIR", str(tmp_path / "elsewhere"))
    assert onnxrt.cache_dir() == tmp_path / "elsewhere"


def test_toy_runs_int8_on_onnx_runtime_close_to_fp32_and_exports_once(photos):
    fp32 = ClipEmbedder(resolve("toy"), "cpu", precision="fp32")
    pixels = _pixels(fp32, photos)
    reference, text_reference = fp32.embed_pixels(pixels), fp32.embed_texts(QUERIES)
    steps = []
    with onnxrt.preparing_progress(lambda done, total: steps.append((done, total))):
        int8 = ClipEmbedder(resolve("toy"), "cpu", precision="int8").load()
    assert steps == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]  # export + quantise, per tower
    assert int8.runtime == "onnxruntime int8 (image, text)" and int8.precision == "int8"
    files = _onnx_files()
    assert [p.name for p in files] == ["image-int8.onnx", "text-int8.onnx"]
    # The first batch of the run is checked against fp32; later ones run int8 only.
    first, again = int8.embed_pixels(pixels), int8.embed_pixels(pixels)
    assert int8.int8_cosine >= clip.MIN_COSINE
    assert np.min(np.sum(first * reference, axis=1)) == pytest.approx(int8.int8_cosine, abs=1e-5)
    assert not np.allclose(first, reference, atol=1e-6)  # really the int8 tower, not torch
    assert np.allclose(again, first, atol=1e-5)  # (activations are quantised per batch: same batch)
    assert np.allclose(np.linalg.norm(first, axis=1), 1, atol=1e-4)
    assert int8.text_int8_cosine >= clip.MIN_COSINE
    texts = int8.embed_texts(QUERIES)
    assert np.min(np.sum(texts * text_reference, axis=1)) >= clip.MIN_COSINE
    assert not np.allclose(texts, text_reference, atol=1e-6)
    verdict = onnxrt.read_verdict(int8._ort_key)
    assert verdict["image"]["kept"] and verdict["text"]["kept"]
    # A second load (a later run) reuses the files: no export, same bytes.
    stamps = {p: p.stat().st_mtime_ns for p in files}
    steps.clear()
    with onnxrt.preparing_progress(lambda done, total: steps.append((done, total))):
        again = ClipEmbedder(resolve("toy"), "cpu", precision="int8").load()
    assert steps == [] and {p: p.stat().st_mtime_ns for p in _onnx_files()} == stamps
    assert again.runtime == int8.runtime
    assert np.allclose(again.embed_pixels(pixels), first, atol=1e-5)
    assert onnxrt.precision_note("toy") is None


def test_cache_key_follows_the_model_files(tmp_path):
    folder = tmp_path / "toy-copy"
    shutil.copytree(toy_model_dir(), folder)
    key = onnxrt.model_key(folder)
    assert onnxrt.model_key(folder) == key
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes())  # rewritten (new modification time): export again
    assert onnxrt.model_key(folder) != key


def test_a_changed_model_exports_again_and_its_old_export_is_removed(tmp_path):
    folder = tmp_path / "toy-copy"
    shutil.copytree(toy_model_dir(), folder)
    first = ClipEmbedder(resolve(str(folder)), "cpu", precision="int8").load()
    assert first.runtime == "onnxruntime int8 (image, text)"
    old = onnxrt.cache_dir() / first._ort_key
    other = ClipEmbedder(resolve("toy"), "cpu", precision="int8").load()  # another model's entry stays
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes())  # the model's files changed (an update)
    second = ClipEmbedder(resolve(str(folder)), "cpu", precision="int8").load()
    assert second._ort_key != first._ort_key and second.runtime == first.runtime
    assert not old.exists() and (onnxrt.cache_dir() / other._ort_key / "image-int8.onnx").is_file()
    assert len(_onnx_files()) == 4


def test_a_failed_export_leaves_no_file_and_torch_runs_the_model(monkeypatch, photos):
    def broken(source, target):
        target.write_bytes(b"half a model")  # a partial file, as a crash mid-write leaves
        raise RuntimeError("quantiser crashed")

    monkeypatch.setattr(onnxrt, "quantise", broken)
    int8 = ClipEmbedder(resolve("toy"), "cpu", precision="int8").load()
    assert "quantiser crashed" in int8.onnx_error
    assert int8.runtime == "torch int8" and int8._image_ort is None and int8._text_ort is None
    assert _onnx_files() == []  # nothing a later run could pick up
    assert "did not export to ONNX Runtime" in onnxrt.precision_note("toy")  # photoapp status says why
    assert not list(onnxrt.cache_dir().rglob(".export-*"))
    fp32 = ClipEmbedder(resolve("toy"), "cpu", precision="fp32")
    pixels = _pixels(fp32, photos)
    cos = np.sum(int8.embed_pixels(pixels) * fp32.embed_pixels(pixels), axis=1)
    assert cos.min() >= clip.MIN_COSINE - 1e-4  # torch's int8 with its own guard, or fp32
    monkeypatch.undo()  # the next run exports fine
    assert ClipEmbedder(resolve("toy"), "cpu", precision="int8").load().runtime == "onnxruntime int8 (image, text)"
    assert onnxrt.precision_note("toy") is None


def _drifting_model(folder):
    """The toy model with one huge activation channel in every layer norm that the next
    layers ignore (their weights for it are zero): fp32 embeddings are unaffected by it, but
    int8's per-batch activation scale is set by it, so every other channel loses its
    precision - what outlier features do to some real models."""
    import torch
    from transformers import AutoModel

    shutil.copytree(toy_model_dir(), folder)
    model = AutoModel.from_pretrained(folder)
    with torch.no_grad():
        for tower in (model.vision_model, model.text_model):
            for layer in tower.encoder.layers:
                attn = layer.self_attn
                for norm, linears in (
                    (layer.layer_norm1, (attn.q_proj, attn.k_proj, attn.v_proj)),
                    (layer.layer_norm2, (layer.mlp.fc1,)),
                ):
                    norm.weight[0], norm.bias[0] = 300.0, 300.0
                    for linear in linears:
                        linear.weight[:, 0] = 0
    model.save_pretrained(folder)
    return folder


def test_a_model_whose_int8_drifts_falls_back_to_fp32_remembered_and_noted(tmp_path, photos):
    folder = _drifting_model(tmp_path / "drifting")
    name = str(folder)
    fp32 = ClipEmbedder(resolve(name), "cpu", precision="fp32")
    pixels = _pixels(fp32, photos)
    reference, text_reference = fp32.embed_pixels(pixels), fp32.embed_texts(QUERIES)
    int8 = ClipEmbedder(resolve(name), "cpu", precision="int8").load()
    assert int8.text_int8_cosine < clip.MIN_COSINE and int8._text_ort is None  # text probes drifted at load
    assert np.allclose(int8.embed_texts(QUERIES), text_reference, atol=1e-5)
    assert int8.runtime == "onnxruntime int8 (image)"
    first = int8.embed_pixels(pixels)  # the first batch drifts: fp32's embeddings are returned
    assert int8.int8_cosine < clip.MIN_COSINE
    assert np.allclose(first, reference, atol=1e-5)
    assert int8.runtime == "torch fp32" and int8.precision == "fp32"
    assert np.allclose(int8.embed_pixels(pixels), reference, atol=1e-5)
    note = onnxrt.precision_note(name)
    assert note.startswith("photos and search texts embed in fp32") and "< 0.99" in note
    # Remembered: a later run goes straight to fp32, exports and checks nothing.
    later = ClipEmbedder(resolve(name), "cpu", precision="int8").load()
    assert later.runtime == "torch fp32" and later.text_int8_cosine is None
    assert np.allclose(later.embed_pixels(pixels), reference, atol=1e-5)
    # photoapp status shows the note for the library's model.
    with Library(tmp_path / "lib", model=name) as lib:
        lib.settings.model = name
        assert lib.status()["notes"] == [note]
    with Library(tmp_path / "toy-lib", model="toy") as lib:
        assert lib.status()["notes"] == []


@pytest.mark.parametrize("name", list(FAMILIES))
def test_every_family_runs_int8_on_onnx_runtime_or_falls_back_cleanly(name, tmp_path, photos):
    folder = build(name, tmp_path / name)
    fp32 = ClipEmbedder(resolve(str(folder)), "cpu", precision="fp32")
    pixels = _pixels(fp32, photos[:3])
    int8 = ClipEmbedder(resolve(str(folder)), "cpu", precision="int8").load()
    assert int8.onnx_error is None
    images, texts = int8.embed_pixels(pixels), int8.embed_texts(QUERIES)
    assert int8.runtime.startswith("onnxruntime int8") or int8.runtime == "torch fp32"
    assert np.min(np.sum(images * fp32.embed_pixels(pixels), axis=1)) >= clip.MIN_COSINE - 1e-4
    assert np.min(np.sum(texts * fp32.embed_texts(QUERIES), axis=1)) >= clip.MIN_COSINE - 1e-4
    assert images.shape[1] == texts.shape[1] == fp32.dim
    if int8.runtime != "onnxruntime int8 (image, text)":
        assert onnxrt.precision_note(str(folder))  # a fallback is never silent


def test_index_run_reports_the_one_off_preparation(tmp_path, toy_photos):
    folder, truth = toy_photos
    phases = []
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.settings.precision = "int8"
        lib.settings.tags.auto_tagging = False
        lib.settings.save(lib.path)
        report = lib.index_folders([str(folder)], progress=lambda *event: phases.append(event))
        assert report.embedded == 72 and lib.embedder.runtime == "onnxruntime int8 (image, text)"
        hits = lib.search("red circle", k=2, cutoff=False)  # the int8 towers still find the red circles
        assert [(truth[Path(h.path)].colour, truth[Path(h.path)].shape) for h in hits] == [("red", "circle")] * 2
    prepare = [p for p in phases if p[0] == "prepare"]
    assert prepare[0] == ("prepare", 0, 4) and prepare[-1] == ("prepare", 4, 4)
    assert phases.index(prepare[-1]) < next(i for i, p in enumerate(phases) if p[0] == "embed")
    # Switching precision in settings re-embeds nothing (embeddings are the model's, kept
    # within cosine 0.99 of fp32 whatever runs them), and the next run prepares nothing.
    with Library(tmp_path / "lib") as lib:
        lib.settings.precision = "fp32"
        lib.settings.save(lib.path)
        phases.clear()
        report = lib.index_folders(progress=lambda *event: phases.append(event))
        assert report.embedded == 0 and report.skipped == 72 and lib.embedder.runtime == "torch fp32"
    assert not [p for p in phases if p[0] == "prepare"]


RUN_INT8 = """
from photoapp.core.embedding.clip import ClipEmbedder
from photoapp.core.embedding.models import resolve
print(ClipEmbedder(resolve("toy"), "cpu", precision="int8").load().runtime)
"""


def test_onnx_runtime_writes_no_device_id_in_the_home_folder(tmp_path):
    """Importing onnxruntime 1.32 writes ~/.cache/Microsoft/DeveloperTools/.onnxruntime/deviceid
    (its telemetry) unless told not to (issue 29): the real int8 path, in a fresh process
    whose home and cache folders are empty, leaves them empty."""
    import os
    import subprocess
    import sys

    home, cache = tmp_path / "home", tmp_path / "xdg-cache"
    home.mkdir()
    cache.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env |= {"HOME": str(home), "XDG_CACHE_HOME": str(cache), "PHOTOAPP_MODELS_DIR": str(tmp_path / "models")}
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.run(
        [sys.executable, "-c", RUN_INT8], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "onnxruntime int8 (image, text)"  # ONNX Runtime ran
    assert sorted(home.rglob("*")) == [] and sorted(cache.rglob("*")) == []
