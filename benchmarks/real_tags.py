"""Auto-tagging decision on given embeddings: the evaluation interface of issue 15.

    python benchmarks/real_tags.py --images IMAGES.npy --labels LABELS.npy --names NAMES.txt \
        --bank BANK.npy --out OUT.json [--sensitivity 0.5] [--max-tags 5]

IMAGES.npy (n, d) are photo embeddings, LABELS.npy (L, d) the text embeddings of the
vocabulary's labels (NAMES.txt: one name per line), BANK.npy (B, d) the text embeddings of a
caption bank (the stand-in for ``resources/captions/bank.txt`` embedded by the model); raw
or normalised, they are normalised here. The photos form an in-memory library: the
product's own calibration (``photoapp.core.tagging.rule.calibrate`` on the same sample a library
uses) and assignment rule (``assign``, default settings unless given) decide the tags, and
OUT.json gets {"tags": [[label rows given to photo 0], ...]}. Scored by
``../shared/real-clip/evaluate_tags.py`` (see its README).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from photoapp.core.tagging.rule import TagSettings, assign, calibrate, calibration_sample  # noqa: E402


def load_matrix(path: str, what: str) -> np.ndarray:
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"real_tags: cannot read {what} {path}: {exc}") from None
    if arr.ndim != 2 or not np.issubdtype(arr.dtype, np.floating) or not np.all(np.isfinite(arr)):
        raise SystemExit(f"real_tags: {what} {path} is not a 2-D array of finite floats")
    return arr.astype(np.float32)


def decide(images: np.ndarray, labels: np.ndarray, bank: np.ndarray, settings: TagSettings) -> list[list[int]]:
    """Label rows per photo, exactly as a library of these photos would tag them."""
    unit = lambda x: x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)  # noqa: E731
    images, labels, bank = unit(images), unit(labels), unit(bank)
    cal = calibrate(images[calibration_sample(len(images))], labels, bank)
    tags: list[list[int]] = []
    for start in range(0, len(images), 4096):
        block = images[start : start + 4096]
        mask, scores = assign(block @ labels.T, block @ bank.T, cal, settings.threshold, settings.max_tags)
        for row, sc in zip(mask, scores):
            rows = np.nonzero(row)[0]
            tags.append([int(i) for i in rows[np.argsort(-sc[rows], kind="stable")]])
    return tags


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--names", required=True)
    ap.add_argument("--bank", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sensitivity", type=float, default=TagSettings.sensitivity)
    ap.add_argument("--max-tags", type=int, default=TagSettings.max_tags)
    a = ap.parse_args()
    images, labels, bank = (
        load_matrix(a.images, "images"),
        load_matrix(a.labels, "labels"),
        load_matrix(a.bank, "bank"),
    )
    try:
        names = Path(a.names).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SystemExit(f"real_tags: cannot read names {a.names}: {exc.strerror or exc}") from None
    if len(names) != len(labels):
        raise SystemExit(f"real_tags: {len(names)} names for {len(labels)} label vectors")
    if not (images.shape[1] == labels.shape[1] == bank.shape[1]):
        raise SystemExit(
            f"real_tags: dimensions differ (images {images.shape[1]}, labels {labels.shape[1]}, bank {bank.shape[1]})"
        )
    if len(images) == 0 or len(bank) == 0:
        raise SystemExit("real_tags: no images or an empty bank")
    if not 0.0 <= a.sensitivity <= 1.0 or a.max_tags < 1:
        raise SystemExit("real_tags: sensitivity must be in 0..1 and max tags at least 1")
    tags = decide(images, labels, bank, TagSettings(sensitivity=a.sensitivity, max_tags=a.max_tags))
    Path(a.out).write_text(json.dumps({"tags": tags}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
