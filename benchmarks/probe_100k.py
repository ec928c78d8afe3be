"""How long teaching a tag takes on a 100k-photo library (not a test: prints the times).

    python benchmarks/probe_100k.py [--photos 100000] [--dim 512]

Prints the times and writes benchmarks/results/probe_100k.json (with the machine and its load).

Embeddings are synthetic unit vectors with CLIP's statistics in miniature: a shared
component (CLIP embeddings of photos sit in a narrow cone) plus 50 clusters ("concepts").
The user gives 5 examples of one cluster; the probe samples negatives from the library,
trains, and scores every photo. Also prints F1 against the cluster as a sanity check.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def synthetic_library(n: int, dim: int, clusters: int = 50, seed: int = 0):
    rng = np.random.default_rng(seed)
    common = rng.normal(size=dim)
    centres = rng.normal(size=(clusters, dim))
    labels = rng.integers(0, clusters, size=n)
    x = 2.0 * common + 1.0 * centres[labels] + rng.normal(scale=1.2, size=(n, dim))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return np.arange(1, n + 1, dtype=np.int64), x.astype(np.float32), labels


def main() -> None:
    from fixtures import write_results

    from photoapp.core.tagging.probe import train_from_library

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=512)
    args = parser.parse_args()
    ids, vectors, labels = synthetic_library(args.photos, args.dim)
    positives = set(ids[labels == 0][:5].tolist())
    timings, cpu = [], []
    for _ in range(3):
        start, start_cpu = time.perf_counter(), time.process_time()
        probe = train_from_library(ids, vectors, positives, set())
        trained, trained_cpu = time.perf_counter(), time.process_time()
        accepted = probe.accepts(vectors)
        timings.append((trained - start, time.perf_counter() - trained))
        cpu.append(trained_cpu - start_cpu)
    train_s, score_s = min(t[0] for t in timings), min(t[1] for t in timings)
    truth = labels == 0
    tp = int(np.sum(accepted & truth))
    f1 = 2 * tp / max(1, int(accepted.sum()) + int(truth.sum()))
    print(
        f"{args.photos} photos, dim {args.dim}: train {train_s * 1000:.0f} ms, score all {score_s * 1000:.0f} ms, "
        f"total {(train_s + score_s) * 1000:.0f} ms (best of 3; training CPU time {min(cpu) * 1000:.0f} ms "
        f"over all threads: wall time above it means a busy machine); F1 vs. the taught cluster {f1:.3f}"
    )
    write_results(
        "probe_100k",
        {
            "photos": args.photos,
            "dim": args.dim,
            "examples": len(positives),
            "train_ms": round(train_s * 1000, 1),
            "score_all_ms": round(score_s * 1000, 1),
            "train_cpu_ms": round(min(cpu) * 1000, 1),
            "f1_vs_taught_cluster": round(f1, 3),
            "note": "best of 3 runs; synthetic CLIP-like unit vectors (see the script's docstring)",
        },
    )


if __name__ == "__main__":
    main()
