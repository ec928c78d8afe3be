"""Preprocessing fidelity per model family: the fast path against the model's own processor.

    python benchmarks/model_fidelity.py                       # every family, the 27 shared photos, CPU
    python benchmarks/model_fidelity.py --device cuda --families clip-vit-l14-336

For each family (tests/core/embedding/model_families.py: published preprocessing and architecture,
real size, random weights) and the tiny trained toy model, on each photo of ../shared/photos:

  tensor MAD      mean absolute difference between the fast path's tensor (full decode,
                  PreprocessSpec.to_array) and the model's own image processor
                  (AutoImageProcessor, Pillow backend) on the same decoded photo
  draft xF        the same photo decoded with JPEG draft mode down to F times the model's
                  input side, then the fast path: its tensor MAD and its embedding's cosine
                  to the reference pipeline's (full decode + the model's processor)
  other photos    the mean cosine between different photos' reference embeddings: how far
                  apart this (random-weight) model puts different pictures, for scale

Prints a table and writes benchmarks/results/model_fidelity-<device>.json.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fixtures import SHARED_PHOTOS, table, write_results  # noqa: E402

FACTORS = (1, 2)


def reference_tensors(processor, images) -> np.ndarray:
    return np.stack([processor(images=img, return_tensors="np")["pixel_values"][0] for img in images])


def measure(name: str, processor, spec, embed, paths: list[Path]) -> dict:
    """Tensor MADs and draft-mode cosines of one model on ``paths``."""
    from photoapp.core.media.decoding import load_rgb

    side = max(spec.output_size)
    full = [load_rgb(p)[0] for p in paths]
    ref = reference_tensors(processor, full)
    fast = np.stack([spec.to_array(img) for img in full])
    mad = np.abs(fast - ref).mean(axis=(1, 2, 3))
    ref_emb = embed(ref)
    row = {
        "photos": len(paths),
        "input": side,
        "tensor_mad_max": round(float(mad.max()), 5),
        "tensor_mad_mean": round(float(mad.mean()), 5),
        "tensor_mad_worst_photo": paths[int(mad.argmax())].name,
    }
    sims = ref_emb @ ref_emb.T
    row["other_photos_cosine_mean"] = round(float(sims[~np.eye(len(paths), dtype=bool)].mean()), 4)
    row["full_decode_cosine_min"] = round(float(np.min(np.sum(embed(fast) * ref_emb, axis=1))), 5)
    for factor in FACTORS:
        draft = np.stack([spec.to_array(load_rgb(p, min_side=factor * side)[0]) for p in paths])
        cos = np.sum(embed(draft) * ref_emb, axis=1)
        dmad = np.abs(draft - ref).mean(axis=(1, 2, 3))
        row[f"draft_x{factor}_tensor_mad_max"] = round(float(dmad.max()), 4)
        row[f"draft_x{factor}_cosine_min"] = round(float(cos.min()), 5)
        row[f"draft_x{factor}_cosine_mean"] = round(float(cos.mean()), 5)
        row[f"draft_x{factor}_worst_photo"] = paths[int(cos.argmin())].name
    print(f"  {name}: {row}", file=sys.stderr)
    return row


def embedder(model, device: str):
    import torch

    def embed(pixels: np.ndarray) -> np.ndarray:
        out = []
        with torch.inference_mode():
            for start in range(0, len(pixels), 8):
                batch = torch.from_numpy(np.ascontiguousarray(pixels[start : start + 8])).to(device)
                feats = model.get_image_features(pixel_values=batch)
                feats = feats if hasattr(feats, "norm") else feats.pooler_output
                out.append(torch.nn.functional.normalize(feats.float(), dim=-1).cpu().numpy())
        return np.concatenate(out)

    return embed


def main() -> None:
    from tests.core.embedding.model_families import FAMILIES, image_processor, model_config

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", default=",".join(["toy", *FAMILIES]))
    parser.add_argument("--photos", type=int, default=0, help="use only the first N photos (default all)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    import torch
    from transformers import CLIPModel, SiglipModel

    from photoapp.core.embedding.models import toy_model_dir
    from photoapp.core.embedding.preprocess import PreprocessSpec, load_image_processor

    paths = sorted(SHARED_PHOTOS.glob("*.jpg"))
    paths = paths[: args.photos] if args.photos else paths
    rows = {}
    for name in args.families.split(","):
        print(f"{name}...", file=sys.stderr)
        torch.manual_seed(0)
        if name == "toy":
            processor = load_image_processor(toy_model_dir())
            model = CLIPModel.from_pretrained(toy_model_dir(), use_safetensors=True)
        else:
            family = FAMILIES[name]
            processor = image_processor(family)
            special = {"pad_token_id": 1, "eos_token_id": 1, "bos_token_id": 1}
            config = model_config(family, family.text.get("vocab_size", 49408), special, scale="real")
            model = (CLIPModel if family.kind == "clip" else SiglipModel)(config)
        model = model.to(args.device).eval()
        rows[name] = measure(
            name, processor, PreprocessSpec.from_processor(processor), embedder(model, args.device), paths
        )
        del model
    headers = ["model", "input", "tensor MAD max", "worst photo", "other photos cos"]
    for f in FACTORS:
        headers += [f"draft x{f} MAD max", f"draft x{f} cos min", f"draft x{f} cos mean"]
    print()
    lines = []
    for n, r in rows.items():
        line = [n, r["input"], r["tensor_mad_max"], r["tensor_mad_worst_photo"], r["other_photos_cosine_mean"]]
        for f in FACTORS:
            line += [r[f"draft_x{f}_tensor_mad_max"], r[f"draft_x{f}_cosine_min"], r[f"draft_x{f}_cosine_mean"]]
        lines.append(line)
    print(
        table(
            headers,
            lines,
            title=f"fast path vs the model's own processor, {len(paths)} photos of {SHARED_PHOTOS}, "
            f"device {args.device}",
        )
    )
    out = write_results(
        f"model_fidelity-{args.device}",
        {
            "photos": len(paths),
            "models": "toy = the shipped trained tiny model; others real size, random weights "
            "(tests/core/embedding/model_families.py)",
            "rows": rows,
        },
        args.json,
    )
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
