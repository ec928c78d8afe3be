"""Nearest faces without comparing every face with every other (hnswlib, imported here).

Grouping (core/faces/grouping.py) needs, for each face, the faces within a distance (to
find cliques) and the people whose nearest members are closest (to join or suggest). Both
used to be all-pairs distance matrices: quadratic in the faces. Here an HNSW graph gives each
face its k nearest, and the caller proves from the k-th distance that no face further away
could change its decision; only the rare face it cannot prove that for is compared with
everything (exactly as before).
"""

from __future__ import annotations

import numpy as np

EF = 200  # search breadth: at least twice the k asked for; higher is closer to exact
M = 32
EF_BUILD = 100


class Nearest:
    """The k nearest of ``vectors`` (Euclidean) for any query vectors."""

    def __init__(self, vectors: np.ndarray):
        import hnswlib

        self.n = len(vectors)
        self.index = hnswlib.Index(space="l2", dim=vectors.shape[1])
        self.index.init_index(max_elements=max(1, self.n), ef_construction=EF_BUILD, M=M, random_seed=27)
        if self.n:
            self.index.add_items(np.asarray(vectors, np.float32), np.arange(self.n))

    def query(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(indices, distances) of each query's ``k`` nearest (fewer when there are fewer), nearest first."""
        k = min(k, self.n)
        if k == 0 or len(queries) == 0:
            return np.zeros((len(queries), 0), int), np.zeros((len(queries), 0))
        self.index.set_ef(max(EF, 2 * k))
        labels, squared = self.index.knn_query(np.asarray(queries, np.float32), k=k)
        return labels.astype(int), np.sqrt(np.maximum(squared.astype(np.float64), 0.0))

    def within(self, queries: np.ndarray, radius: float, k: int, k_max: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each query: (indices, distances) of the vectors within ``radius``, looking at its
        ``k`` nearest and, while the farthest of those is still inside, at up to ``k_max``."""
        labels, dists = self.query(queries, k)
        out = [(row_l[row_d <= radius], row_d[row_d <= radius]) for row_l, row_d in zip(labels, dists, strict=True)]
        while k < min(k_max, self.n):
            full = [r for r, (idx, _) in enumerate(out) if len(idx) >= k]
            if not full:
                break
            k = min(k_max, 4 * k)
            more_l, more_d = self.query(queries[full], k)
            for r, row_l, row_d in zip(full, more_l, more_d, strict=True):
                out[r] = (row_l[row_d <= radius], row_d[row_d <= radius])
        return out
