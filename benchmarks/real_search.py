"""Runs Photoapp's own relevance decisions on raw embeddings (the evaluation interface of
shared/real-clip/evaluate.py, issue 15).

    python benchmarks/real_search.py --images IMAGES.npy --queries QUERIES.npy --bank BANK.npy --out OUT.json

IMAGES (n, d) are image embeddings, QUERIES (m, d) text embeddings and BANK (b, d) the
embeddings of generic captions standing in for the caption bank Photoapp embeds itself
(photoapp/core/embedding/bank.py); none need be normalised. The library is every image; the decisions
are the ones `photoapp search` / `photoapp similar` use (photoapp.core.search.relevance), with the
default settings: the model's scale learnt from the bank against the library
(``calibrate``), ``decide_text`` for each query and ``decide_image`` for each image against
the others. Writes {"text": [[relevant image rows, best first], ...], "similar": [[...], ...]}.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from photoapp.config import Settings  # noqa: E402
from photoapp.core.search import relevance  # noqa: E402


def unit(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float32)
    return a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)


def decide(images: np.ndarray, queries: np.ndarray, bank: np.ndarray, strictness: float) -> dict:
    calibration = relevance.calibrate(bank, images)
    text = []
    for q in queries:
        scores = images @ q
        cut = relevance.decide_text(scores, calibration, None, strictness)
        text.append(_chosen(scores, cut.threshold, np.arange(len(images))))
    similar = []
    for i, v in enumerate(images):
        others = np.delete(np.arange(len(images)), i)
        scores = images[others] @ v
        cut = relevance.decide_image(scores, calibration, strictness)
        similar.append(_chosen(scores, cut.threshold, others))
    return {"text": text, "similar": similar}


def _chosen(scores: np.ndarray, threshold: float, rows: np.ndarray) -> list[int]:
    order = np.argsort(-scores, kind="stable")
    return [int(rows[j]) for j in order if scores[j] >= threshold]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", required=True)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--bank", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--strictness", type=float, default=Settings().strictness)
    args = parser.parse_args(argv)
    load = lambda path: unit(np.load(path, allow_pickle=False))  # noqa: E731
    result = decide(load(args.images), load(args.queries), load(args.bank), args.strictness)
    Path(args.out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
