"""Search quality on a freshly generated toy-domain library, through the product's own path.

    python -m photoapp.toy.evaluate [--model toy] [--per-class 10] [--seed 2024]

Generates a held-out library, indexes it with ``Library`` exactly as the CLI does, and
prints text-search precision@10 for the 18 "<colour> <shape>" queries, colour-only and
shape-only precision, zero-shot colour/shape tag accuracy, find-similar precision@10, and
how well the relevance decisions end each list (mean precision, recall and F1 of the
results returned without -k, for colour+shape, colour and shape queries and for
find-similar on one photo of each class, and the longest list returned for queries that
match nothing in the domain).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from photoapp.toy.domain import BACKGROUNDS, COLOURS, SHAPES, ToyClass, generate_library


def evaluate_library(lib, truth: dict[Path, ToyClass], k: int = 10) -> dict:
    """Quality figures of an indexed library against its ground truth."""
    by_path = {str(p): c for p, c in truth.items()}
    per_class = len(truth) // 36
    pair_p = []
    for colour in COLOURS:
        for shape in SHAPES:
            hits = lib.search(f"{colour} {shape}", k=k, cutoff=False)
            pair_p.append(np.mean([by_path[h.path].colour == colour and by_path[h.path].shape == shape for h in hits]))
    colour_p = [_precision(lib, c, 6 * per_class, lambda t, c=c: t.colour == c, by_path) for c in COLOURS]
    shape_p = [_precision(lib, s, 12 * per_class, lambda t, s=s: t.shape == s, by_path) for s in SHAPES]
    similar_p = []
    for path, cls in list(by_path.items())[:: max(1, per_class // 2)]:
        hits = lib.similar(path, k=k, cutoff=False)
        similar_p.append(
            np.mean([by_path[h.path].colour == cls.colour and by_path[h.path].shape == cls.shape for h in hits])
        )
    return {
        "text_p_at_10": float(np.mean(pair_p)),
        "text_p_at_10_min": float(np.min(pair_p)),
        "colour_precision": float(np.mean(colour_p)),
        "shape_precision": float(np.mean(shape_p)),
        "similar_p_at_10": float(np.mean(similar_p)),
        **zero_shot_accuracy(lib, by_path),
    }


def _precision(lib, query: str, n: int, match, by_path) -> float:
    hits = lib.search(query, k=n, cutoff=False)
    return float(np.mean([match(by_path[h.path]) for h in hits]))


NOTHING = ("dog", "beach sunset with dog", "a photo", "a man riding a bike")  # nothing in the domain


def _prf(returned: set, true: set) -> tuple[float, float, float]:
    hit = len(returned & true)
    precision, recall = (hit / len(returned) if returned else 0.0), hit / max(len(true), 1)
    return precision, recall, 2 * precision * recall / (precision + recall) if hit else 0.0


def cutoff_quality(lib, truth: dict[Path, ToyClass]) -> dict:
    """Mean precision/recall/F1 of the relevant-only result lists (no k) per query kind,
    find-similar's on one photo per colour+shape, and the longest answer to NOTHING."""
    by_path = {str(p): c for p, c in truth.items()}
    kinds = {
        "colour_shape": [
            (f"{c} {s}", lambda t, c=c, s=s: t.colour == c and t.shape == s) for c in COLOURS for s in SHAPES
        ],
        "colour": [(c, lambda t, c=c: t.colour == c) for c in COLOURS],
        "shape": [(s, lambda t, s=s: t.shape == s) for s in SHAPES],
    }
    rows = {
        kind: [
            _prf({h.path for h in lib.search(query)}, {p for p, t in by_path.items() if match(t)})
            for query, match in queries
        ]
        for kind, queries in kinds.items()
    }
    rows["similar"] = []
    for cls in sorted({(t.colour, t.shape) for t in by_path.values()}):
        example = next(p for p, t in sorted(by_path.items()) if (t.colour, t.shape) == cls)
        true = {p for p, t in by_path.items() if (t.colour, t.shape) == cls and p != example}
        rows["similar"].append(_prf({h.path for h in lib.similar(example)}, true))
    figures = {
        f"cutoff_{kind}_{name}": round(float(value), 4)
        for kind, values in rows.items()
        for name, value in zip(("precision", "recall", "f1"), np.mean(values, axis=0))
    }
    figures["cutoff_nothing_max"] = max(len(lib.search(query)) for query in NOTHING)
    return figures


def zero_shot_accuracy(lib, by_path: dict[str, ToyClass]) -> dict:
    """Argmax over the colour words and over the shape words, per image."""
    embedder = lib.embedder
    ids, vectors = lib.catalog.embeddings(lib.model_name)
    paths = lib.catalog.photos_by_ids(ids.tolist())
    result = {}
    for name, words, attr in (
        ("colour", list(COLOURS), "colour"),
        ("shape", list(SHAPES), "shape"),
        ("background", [f"{b} background" for b in BACKGROUNDS], "background"),
    ):
        labels = embedder.embed_texts(words)
        predicted = np.argmax(vectors @ labels.T, axis=1)
        truth = [
            words.index(getattr(by_path[paths[int(i)].path], attr) + (" background" if attr == "background" else ""))
            for i in ids
        ]
        result[f"zero_shot_{name}_accuracy"] = float(np.mean(predicted == np.array(truth)))
    return result


def main() -> None:
    from photoapp.core.library import Library

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="toy")
    parser.add_argument("--per-class", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        truth = generate_library(Path(tmp) / "photos", per_class=args.per_class, seed=args.seed)
        with Library(Path(tmp) / "library", model=args.model) as lib:
            report = lib.index_folders([str(Path(tmp) / "photos")])
            figures = evaluate_library(lib, truth)
            figures.update(cutoff_quality(lib, truth))
            figures["images_per_second"] = round(report.embedded / max(report.seconds, 1e-9), 1)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
