"""Train the tiny toy-domain CLIP model shipped in ``resources/models/toy-clip``.

    python -m photoapp.toy.train --out resources/models/toy-clip

Reproducible (fixed seeds), about 15-20 minutes on 2 CPU cores. The loss is symmetric
InfoNCE as in the CLIP paper, with every caption in the batch that truly describes an
image counted as a positive, plus half an image-to-image contrastive term whose positives
share colour and shape (it makes "find similar" ignore the background).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from photoapp.core.embedding.preprocess import PreprocessSpec
from photoapp.core.media.decoding import decode_for_model
from photoapp.toy.domain import ALL_CLASSES, BACKGROUNDS, COLOURS, SHAPES, encode, render
from photoapp.toy.tokenizer import save_tokenizer

IMAGE_SIZE = 64
PROCESSOR_CONFIG = {
    "image_processor_type": "CLIPImageProcessor",
    "processor_class": "CLIPProcessor",
    "do_resize": True,
    "size": {"height": IMAGE_SIZE, "width": IMAGE_SIZE},
    "do_center_crop": False,
    "crop_size": {"height": IMAGE_SIZE, "width": IMAGE_SIZE},
    "do_rescale": True,
    "rescale_factor": 1 / 255,
    "do_normalize": True,
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "do_convert_rgb": True,
    "resample": 3,
}
SPEC = PreprocessSpec.from_config(PROCESSOR_CONFIG)

# Prompt templates (CLIP-paper style) so zero-shot label prompts and free text both work.
TEMPLATES = (
    "{}",
    "{}",
    "{}",
    "a photo of a {}.",
    "a photo of the {}.",
    "a close-up photo of the {}.",
    "a bright photo of a {}.",
    "a cropped photo of the {}.",
    "a good photo of the {}.",
    "a photo of the large {}.",
    "a photo of the small {}.",
    "a picture of a {}.",
    "an image of a {}.",
    "a photo of {}.",
    "a dark photo of the {}.",
    "a photo of my {}.",
)
# Phrasings per attribute subset: c=colour, s=shape, b=background.
PHRASES = {
    "csb": (
        "{c} {s} on a {b} background",
        "{c} {s} on {b}",
        "a {c} {s} on a {b} background",
        "{c} {s} with a {b} background",
    ),
    "cs": ("{c} {s}", "a {c} {s}", "the {c} {s}", "{c} {s} shape"),
    "c": ("{c}", "something {c}", "a {c} shape", "{c} colour", "{c} color", "a {c} thing"),
    "s": ("{s}", "a {s}", "the {s}", "a {s} shape", "{s} shape"),
    "b": ("{b} background", "on a {b} background", "something on {b}", "a {b} backdrop"),
    "cb": ("something {c} on {b}", "{c} on a {b} background", "{c} shape on {b}"),
    "sb": ("a {s} on a {b} background", "{s} on {b}", "{s} with a {b} background"),
    "": ("photo", "picture", "image", "something", "shape"),
}
SUBSET_WEIGHTS = {"csb": 0.28, "cs": 0.25, "c": 0.13, "s": 0.13, "b": 0.08, "cb": 0.05, "sb": 0.05, "": 0.03}


def vocabulary_words() -> list[str]:
    words = set(COLOURS) | set(SHAPES) | set(BACKGROUNDS)
    for text in TEMPLATES + sum(PHRASES.values(), ()):
        for w in text.replace("{}", " ").replace(".", " ").replace("-", " ").split():
            if "{" not in w:
                words.add(w)
    return sorted(words | {"close", "up", "dog", "cat", "beach", "sunset", "with"})


def make_caption(attrs: tuple[str, str, str], rng: np.random.Generator) -> tuple[str, str]:
    """Random caption for an image with (colour, shape, background); returns (text, subset)."""
    subsets = list(SUBSET_WEIGHTS)
    subset = subsets[rng.choice(len(subsets), p=np.array(list(SUBSET_WEIGHTS.values())))]
    phrase = PHRASES[subset][rng.integers(len(PHRASES[subset]))]
    c, s, b = attrs
    core = phrase.format(c=c, s=s, b=b)
    template = TEMPLATES[rng.integers(len(TEMPLATES))]
    return template.format(core), subset


def _render_one(args: tuple[int, int]) -> np.ndarray:
    class_index, seed = args
    rng = np.random.default_rng(seed)
    data, _ = encode(render(ALL_CLASSES[class_index], rng), rng)
    arr, _ = decode_for_model(io.BytesIO(data), SPEC)
    return arr.astype(np.float16)


def build_pool(per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    jobs = [(ci, seed * 1_000_003 + ci * 10_007 + i) for ci in range(len(ALL_CLASSES)) for i in range(per_class)]
    with Pool(2) as pool:
        arrays = pool.map(_render_one, jobs, chunksize=64)
    labels = np.array([ci for ci, _ in jobs])
    return np.stack(arrays), labels


def build_model(vocab_size: int, bos: int, eos: int):
    from transformers import CLIPConfig, CLIPModel

    text = {
        "vocab_size": vocab_size,
        "hidden_size": 128,
        "intermediate_size": 512,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "max_position_embeddings": 77,
        "bos_token_id": bos,
        "eos_token_id": eos,
        "pad_token_id": eos,
        "projection_dim": 64,
    }
    vision = {
        "image_size": IMAGE_SIZE,
        "patch_size": 8,
        "hidden_size": 128,
        "intermediate_size": 512,
        "num_hidden_layers": 4,
        "num_attention_heads": 4,
        "projection_dim": 64,
    }
    config = CLIPConfig(
        text_config=text, vision_config=vision, projection_dim=64, logit_scale_init_value=math.log(1 / 0.07)
    )
    return CLIPModel(config)


def _features(out):
    """transformers 5 returns an output object from get_*_features, 4.x a tensor."""
    return out if hasattr(out, "norm") else out.pooler_output


def _positives(img_attrs: np.ndarray, cap_subsets: list[str], cap_attrs: np.ndarray) -> np.ndarray:
    """mask[i, j] = caption j truly describes image i."""
    mask = np.ones((len(img_attrs), len(cap_subsets)), dtype=bool)
    for j, subset in enumerate(cap_subsets):
        for k, key in enumerate("csb"):
            if key in subset:
                mask[:, j] &= img_attrs[:, k] == cap_attrs[j, k]
    return mask


def _soft_ce(logits, targets):
    import torch

    return -(targets * torch.log_softmax(logits, dim=1)).sum(1).mean()


def train(out: Path, steps: int, batch: int, per_class: int, seed: int) -> dict:
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(2)
    rng = np.random.default_rng(seed)
    t0 = time.time()
    tokenizer = save_tokenizer(vocabulary_words(), out)
    pool, labels = build_pool(per_class, seed)
    print(f"pool {pool.shape} built in {time.time() - t0:.0f}s, vocab {len(tokenizer)}", flush=True)
    attrs = np.array(
        [
            [list(COLOURS).index(c.colour), SHAPES.index(c.shape), list(BACKGROUNDS).index(c.background)]
            for c in ALL_CLASSES
        ]
    )
    model = build_model(len(tokenizer), tokenizer.bos_token_id, tokenizer.eos_token_id)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    warmup = max(1, steps // 15)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt,
        lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (steps - warmup))),
    )
    model.train()
    for step in range(steps):
        idx = rng.integers(0, len(pool), batch)
        img_attrs = attrs[labels[idx]]
        caps = [make_caption((list(COLOURS)[a[0]], SHAPES[a[1]], list(BACKGROUNDS)[a[2]]), rng) for a in img_attrs]
        mask = torch.from_numpy(_positives(img_attrs, [s for _, s in caps], img_attrs)).float()
        tok = tokenizer([t for t, _ in caps], padding=True, return_tensors="pt")
        img = torch.nn.functional.normalize(
            _features(model.get_image_features(pixel_values=torch.from_numpy(pool[idx]).float())), dim=-1
        )
        txt = torch.nn.functional.normalize(_features(model.get_text_features(**tok)), dim=-1)
        scale = model.logit_scale.exp().clamp(max=100)
        logits = scale * img @ txt.T
        loss = 0.5 * (
            _soft_ce(logits, mask / mask.sum(1, keepdim=True))
            + _soft_ce(logits.T, (mask / mask.sum(0, keepdim=True)).T)
        )
        same = torch.from_numpy(
            (img_attrs[:, None, 0] == img_attrs[None, :, 0]) & (img_attrs[:, None, 1] == img_attrs[None, :, 1])
        )
        same.fill_diagonal_(False)
        has = same.any(1)
        ii = (scale * img @ img.T).masked_fill(torch.eye(batch, dtype=torch.bool), -1e4)
        if has.any():
            loss = loss + 0.5 * _soft_ce(ii[has], (same[has].float() / same[has].sum(1, keepdim=True)))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 50 == 0 or step == steps - 1:
            print(f"step {step:4d} loss {loss.item():.3f} scale {scale.item():.1f} {time.time() - t0:.0f}s", flush=True)
    model.eval()
    model.save_pretrained(out, safe_serialization=True)
    (out / "preprocessor_config.json").write_text(json.dumps(PROCESSOR_CONFIG, indent=2))
    return {"seconds": round(time.time() - t0), "steps": steps, "batch": batch, "per_class": per_class, "seed": seed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("resources/models/toy-clip"))
    parser.add_argument("--steps", type=int, default=750)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--per-class", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    info = train(args.out, args.steps, args.batch, args.per_class, args.seed)
    (args.out / "training.json").write_text(json.dumps(info, indent=2) + "\n")
    print(json.dumps(info))


if __name__ == "__main__":
    main()
