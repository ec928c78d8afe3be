"""Auto-tag and taught-tag quality on a fresh toy library; the measurement behind the
assignment rule documented in photoapp/core/tagging/rule.py and README.md.

    python benchmarks/tagging_quality.py [--per-class 10] [--seed 4242]

Indexes a held-out 360-image toy library with the tiny model and the vocabulary
``red green blue yellow purple orange circle square triangle``, then prints, for the
calibrated rule at several sensitivities and for the previous rule (softmax over the labels
and a neutral prompt): the share of photos carrying both their true colour and
shape tags, wrong tags per photo, and precision/recall of the "triangle" album; and the F1
of tags taught from 5 examples of single colour+shape+background classes.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

TOY_LABELS = ["red", "green", "blue", "yellow", "purple", "orange", "circle", "square", "triangle"]


def rule_figures(mask: np.ndarray, names: list[str], truth: list) -> dict:
    col = {n: i for i, n in enumerate(names)}
    true = np.zeros_like(mask)
    for r, cls in enumerate(truth):
        true[r, col[cls.colour]] = true[r, col[cls.shape]] = True
    both = np.mean(
        mask[np.arange(len(truth)), [col[c.colour] for c in truth]]
        & mask[np.arange(len(truth)), [col[c.shape] for c in truth]]
    )
    tri = col["triangle"]
    tp = np.sum(mask[:, tri] & true[:, tri])
    return {
        "true_colour_and_shape": round(float(both), 4),
        "wrong_tags_per_photo": round(float(np.sum(mask & ~true) / len(truth)), 4),
        "triangle_precision": round(float(tp / max(1, mask[:, tri].sum())), 4),
        "triangle_recall": round(float(tp / max(1, true[:, tri].sum())), 4),
    }


NEUTRAL_PROMPTS = ["a photo.", "a photo of something.", "an image.", "a picture."]  # the previous rule's


def compare_rules(lib, by_path: dict) -> dict:
    from photoapp.core.tagging.labels import ensemble_embeddings
    from photoapp.core.tagging.rule import TagSettings, assign, threshold_for

    tagger = lib.tags.tagger
    names, matrix = tagger.label_matrix()
    ids, vectors = lib.catalog.embeddings(lib.model_name)
    photos = lib.catalog.photos_by_ids(ids.tolist())
    truth = [by_path[photos[int(i)].path] for i in ids]
    cal, bank = tagger.calibration(), tagger.bank()
    cos, bcos = vectors @ matrix.T, vectors @ bank.T
    out = {"unit": round(cal.unit, 4), "calibrated_on": cal.photos}
    for s in (0.0, 0.25, 0.5, 0.75, 1.0):
        out[f"calibrated, sensitivity {s} (threshold {threshold_for(s):.2f})"] = rule_figures(
            assign(cos, bcos, cal, threshold_for(s), TagSettings().max_tags)[0], names, truth
        )
    # the previous rule (RULE_VERSION softmax+neutral/1): softmax at the model's logit scale
    # over the labels and a neutral prompt, probability >= 0.1, top 5
    neutral = ensemble_embeddings(lib.embedder, [NEUTRAL_PROMPTS])[0]
    logits = lib.embedder.logit_scale * np.concatenate([cos, (vectors @ neutral)[:, None]], axis=1)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = (probs / probs.sum(axis=1, keepdims=True))[:, :-1]
    kth = -np.sort(-probs, axis=1)[:, 4:5]
    out["previous: softmax+neutral p>=0.1 top5"] = rule_figures((probs >= 0.1) & (probs >= kth), names, truth)
    return out


def probe_figures(lib, by_path: dict, classes: int = 12) -> dict:
    from photoapp.toy.domain import ALL_CLASSES

    f1s, seconds = [], []
    for cls in ALL_CLASSES[:: max(1, len(ALL_CLASSES) // classes)]:
        members = sorted(p for p, c in by_path.items() if c == cls)
        result = lib.tags.train(f"taught {cls.name}", members[:5])
        tagged = set(lib.tags.album(f"taught {cls.name}"))
        tp = len(tagged & set(members))
        f1s.append(2 * tp / (len(tagged) + len(members)))
        seconds.append(result["seconds"])
    return {
        "probe_f1_mean": round(float(np.mean(f1s)), 4),
        "probe_f1_min": round(float(np.min(f1s)), 4),
        "probe_train_and_tag_seconds_max": max(seconds),
    }


def main() -> None:
    from photoapp.core.library import Library
    from photoapp.core.tagging.labels import parse_vocabulary
    from photoapp.toy.domain import generate_library

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-class", type=int, default=10)
    parser.add_argument("--seed", type=int, default=4242)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        truth = generate_library(Path(tmp) / "photos", per_class=args.per_class, seed=args.seed)
        with Library(Path(tmp) / "library", model="toy") as lib:
            lib.tags.set_labels(parse_vocabulary("\n".join(TOY_LABELS)))
            lib.index_folders([str(Path(tmp) / "photos")])
            by_path = {str(p): c for p, c in truth.items()}
            figures = {"photos": len(truth), "rules": compare_rules(lib, by_path), **probe_figures(lib, by_path)}
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
