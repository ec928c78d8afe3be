"""Indexing throughput of the project's end-to-end `index`, side by side, in one run.

    python benchmarks/index_throughput.py [--photos 64] [--json out.json]

Rows:
  toy       the tiny shipped model on generated toy-domain photos (160-640 px)
  vit-b32   the real-size ViT-B/32 CLIP architecture with random weights (its cost does
            not depend on the weights) on camera-like 4000x3000 JPEGs made from ../shared/photos
For vit-b32 it also measures the model alone on pre-made tensors (the upper bound).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from photoapp.core.library import Library  # noqa: E402
from photoapp.toy.domain import generate_library  # noqa: E402


def make_vit_b32(folder: Path) -> Path:
    """A ViT-B/32-shaped CLIPModel with random weights, saved like a downloaded model."""
    import torch
    from transformers import CLIPConfig, CLIPModel

    from photoapp.core.embedding.models import toy_model_dir

    torch.manual_seed(0)
    CLIPModel(CLIPConfig()).save_pretrained(folder, safe_serialization=True)  # defaults = ViT-B/32
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt"):
        shutil.copy(toy_model_dir() / name, folder / name)
    cfg = {"size": {"shortest_edge": 224}, "do_center_crop": True, "crop_size": {"height": 224, "width": 224},
           "resample": 3, "image_processor_type": "CLIPImageProcessor"}
    (folder / "preprocessor_config.json").write_text(json.dumps(cfg))
    return folder


def make_camera_photos(folder: Path, count: int) -> None:
    """12 MP JPEGs (4000x3000) upscaled from the real photographs in ../shared/photos."""
    sources = sorted((ROOT.parent / "shared" / "photos").glob("*.jpg"))
    if not sources:
        raise SystemExit("../shared/photos is needed for camera-like photos")
    folder.mkdir(parents=True)
    for i in range(count):
        with Image.open(sources[i % len(sources)]) as img:
            big = img.convert("RGB").resize((4000, 3000), Image.BILINEAR)
        big.save(folder / f"IMG_{i:04d}.jpg", quality=90)


def end_to_end(model: str, photos: Path, lib: Path) -> dict:
    with Library(lib, model=model) as library:
        library.embedder.load()  # model load time is not indexing throughput
        report = library.index_folders([str(photos)])
    return {"images": report.embedded, "seconds": round(report.seconds, 2),
            "images_per_s": round(report.embedded / report.seconds, 1)}


def model_only(model_folder: Path, batch: int = 32, rounds: int = 3) -> dict:
    from photoapp.core.embedding.clip import ClipEmbedder
    from photoapp.core.embedding.models import resolve

    emb = ClipEmbedder(resolve(str(model_folder)), "cpu").load()
    w, h = emb.spec.output_size
    pixels = np.random.default_rng(0).normal(size=(batch, 3, h, w)).astype(np.float32)
    emb.embed_pixels(pixels)  # warm-up
    start = time.perf_counter()
    for _ in range(rounds):
        emb.embed_pixels(pixels)
    seconds = time.perf_counter() - start
    return {"images": batch * rounds, "seconds": round(seconds, 2), "images_per_s": round(batch * rounds / seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=64, help="camera-like photos for vit-b32")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        generate_library(tmp / "toy", per_class=10, seed=5)
        rows["toy end-to-end (360 toy photos)"] = end_to_end("toy", tmp / "toy", tmp / "lib-toy")
        vit = make_vit_b32(tmp / "vit-b32")
        make_camera_photos(tmp / "camera", args.photos)
        rows[f"vit-b32 end-to-end ({args.photos} x 12 MP JPEG)"] = end_to_end(str(vit), tmp / "camera", tmp / "lib-vit")
        rows["vit-b32 model only (batch 32)"] = model_only(vit)
    e2e, bound = (rows[k]["images_per_s"] for k in list(rows)[1:])
    print(f"{'what':48} {'images':>7} {'seconds':>8} {'images/s':>9}")
    for name, row in rows.items():
        print(f"{name:48} {row['images']:>7} {row['seconds']:>8} {row['images_per_s']:>9}")
    print(f"vit-b32 end-to-end / model-only bound: {e2e / bound:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "ratio_to_model_bound": round(e2e / bound, 3)}, indent=2))


if __name__ == "__main__":
    main()
