"""Tags taught from examples: an L2-regularised logistic-regression probe on CLIP embeddings.

The CLIP paper's linear probe, sized for a desktop: a few positive examples, optional
counter-examples, and negatives sampled from the library when the user gave none (most of
a library is not an example of any one new tag, so random photos are mostly true negatives;
the few that are not are outweighed by the regularisation and the class weighting).
Training is a handful of Newton steps on at most ``MAX_NEGATIVES`` + examples rows, so it
costs the same for 1k or 100k photos; scoring the library is one matrix-vector product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_NEGATIVES = 1000  # sampled from the library; more adds time, not accuracy
MIN_POSITIVES = 3
L2 = 0.5  # on standardised features, with sample weights summing to 1 (see train)


@dataclass
class Probe:
    """A linear scorer in the raw embedding space: p = sigmoid(x . weights + bias)."""

    weights: np.ndarray
    bias: float
    threshold: float = 0.5

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        logits = np.asarray(vectors, dtype=np.float32) @ self.weights + np.float32(self.bias)
        return _sigmoid(logits)

    def accepts(self, vectors: np.ndarray) -> np.ndarray:
        return self.scores(vectors) >= self.threshold


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


def train(positives: np.ndarray, negatives: np.ndarray, l2: float | None = None, max_steps: int = 20) -> Probe:
    """Fit a class-balanced, L2-regularised logistic regression.

    Features are standardised per dimension (CLIP embeddings differ in a few dimensions
    only, at a scale of 1/sqrt(dim)), so one ``l2`` suits every model; the standardisation
    is folded back into the weights so scoring needs raw vectors only. The regularisation
    is strong on purpose: 5 examples in 512 dimensions are separable in countless ways,
    and a weakly regularised fit memorises them instead of finding what they share.
    """
    if len(positives) < 1 or len(negatives) < 1:
        raise ValueError("a probe needs positive and negative examples")
    x = np.concatenate([positives, negatives]).astype(np.float32)
    y = np.concatenate([np.ones(len(positives)), np.zeros(len(negatives))]).astype(np.float32)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1), np.float32)])
    # Balanced classes: 5 positives weigh as much as 2000 negatives; weights sum to 1.
    weight = np.where(y == 1, 0.5 / len(positives), 0.5 / len(negatives)).astype(np.float32)
    reg = np.full(z.shape[1], L2 if l2 is None else l2, np.float32)
    reg[-1] = 0.0  # the bias is not shrunk
    beta = _newton(z, y, weight, reg, max_steps)
    w = beta[:-1] / std
    return Probe(w.astype(np.float32), float(beta[-1] - mean @ w))


def _newton(z: np.ndarray, y: np.ndarray, weight: np.ndarray, reg: np.ndarray, max_steps: int) -> np.ndarray:
    """Newton's method (IRLS). The strong regularisation keeps the loss well conditioned,
    so it converges in a handful of steps; the Hessian is built in float32 (the cost)."""
    beta = np.zeros(z.shape[1], np.float64)
    for _ in range(max_steps):
        p = _sigmoid(z @ beta.astype(np.float32))
        grad = z.T @ (weight * (p - y)) + reg * beta
        curvature = (weight * p * (1 - p)).astype(np.float32)
        hess = (z * curvature[:, None]).T @ z + np.diag(reg + 1e-6)
        step = np.linalg.solve(hess.astype(np.float64), grad.astype(np.float64))
        beta -= step
        if np.max(np.abs(step)) < 1e-4 * (1.0 + np.max(np.abs(beta))):
            break
    return beta


def sample_negatives(ids: np.ndarray, exclude: set[int], n: int = MAX_NEGATIVES,
                     seed: int = 0) -> np.ndarray:
    """Row indices of up to ``n`` library photos that are not examples (a fixed seed keeps
    retraining after a correction stable)."""
    mask = ~np.isin(ids, np.fromiter(exclude, dtype=np.int64, count=len(exclude)))
    candidates = np.flatnonzero(mask)
    if len(candidates) <= n:
        return candidates
    return np.sort(np.random.default_rng(seed).choice(candidates, size=n, replace=False))


def train_from_library(ids: np.ndarray, vectors: np.ndarray, positive_ids: set[int],
                       negative_ids: set[int]) -> Probe:
    """Train on the examples; without counter-examples, negatives come from the library."""
    if len(positive_ids) < MIN_POSITIVES:
        raise ValueError(f"teach a tag with at least {MIN_POSITIVES} example photos (got {len(positive_ids)})")
    row = {int(i): r for r, i in enumerate(ids.tolist())}
    pos = vectors[[row[i] for i in positive_ids if i in row]]
    neg_rows = [row[i] for i in negative_ids if i in row]
    sampled = sample_negatives(ids, positive_ids | negative_ids, max(0, MAX_NEGATIVES - len(neg_rows)))
    neg = vectors[np.concatenate([np.array(neg_rows, dtype=np.int64), sampled])]
    if len(neg) == 0:
        raise ValueError("the library has no photos besides the examples to contrast them with")
    return train(pos, neg)


class Probes:
    """Taught tags of one library: examples and trained probes live in the catalog; the
    tags they give are ``probe`` rows of ``photo_tags`` (see tagging.write_source)."""

    def __init__(self, lib):
        self.lib = lib
        self._loaded: dict[str, tuple[str, Probe]] = {}

    @property
    def db(self):
        return self.lib.catalog.db

    def names(self) -> list[str]:
        return [n for (n,) in self.db.execute("SELECT DISTINCT probe FROM probe_examples ORDER BY probe")]

    def examples(self, name: str) -> tuple[set[int], set[int]]:
        rows = self.db.execute("SELECT photo_id, positive FROM probe_examples WHERE probe=?", (name,)).fetchall()
        return {p for p, pos in rows if pos}, {p for p, pos in rows if not pos}

    def add_examples(self, name: str, ids: list[int], positive: bool) -> None:
        with self.lib.catalog.transaction():
            self.db.executemany("INSERT OR REPLACE INTO probe_examples(probe, photo_id, positive) VALUES (?, ?, ?)",
                                [(name, int(i), int(positive)) for i in ids])

    def teach(self, name: str) -> tuple[int, set[int]]:
        """(Re)train ``name`` from its examples and tag the whole library with it;
        returns (photos carrying it, ids whose tags changed)."""
        from photoapp.core.tagging import PROBE

        positives, negatives = self.examples(name)
        ids, vectors = self.lib.catalog.embeddings(self.lib.model_name)
        probe = train_from_library(ids, vectors, positives, negatives)
        self._save(name, probe)
        accepted = probe.scores(vectors)
        keep = (accepted >= probe.threshold) & ~np.isin(ids, list(negatives))
        wanted = {(int(i), name): float(p) for i, p in zip(ids[keep], accepted[keep])}
        embedded = set(ids.tolist())
        wanted.update({(i, name): 1.0 for i in positives if i in embedded})  # the examples themselves
        return len(wanted), self.lib.tagger.write_source(ids, wanted, PROBE, only_tag=name)

    def apply_to(self, ids: np.ndarray, vectors: np.ndarray) -> set[int]:
        """Newly embedded photos get the taught tags they match."""
        from photoapp.core.tagging import PROBE

        changed: set[int] = set()
        for name in self.names():
            probe = self._probe(name)
            if probe is None:
                continue
            scores = probe.scores(vectors)
            wanted = {(int(i), name): float(p) for i, p in zip(ids, scores) if p >= probe.threshold}
            changed |= self.lib.tagger.write_source(ids, wanted, PROBE, only_tag=name)
        return changed

    def retrain_stale(self) -> set[int]:
        """Probes trained on another model's embeddings are retrained from their examples."""
        changed: set[int] = set()
        for name in self.names():
            row = self.db.execute("SELECT model FROM probes WHERE name=?", (name,)).fetchone()
            if row is None or row[0] != self.lib.model_name:
                try:
                    changed |= self.teach(name)[1]
                except ValueError:
                    continue  # too few examples left (photos deleted): keep its tags as they are
        return changed

    def _save(self, name: str, probe: Probe) -> None:
        import time

        with self.lib.catalog.transaction():
            self.db.execute("INSERT OR REPLACE INTO probes(name, model, weights, bias, threshold, trained) "
                            "VALUES (?, ?, ?, ?, ?, ?)", (name, self.lib.model_name, probe.weights.tobytes(),
                                                          probe.bias, probe.threshold, time.time()))
        self._loaded[name] = (self.lib.model_name, probe)

    def _probe(self, name: str) -> Probe | None:
        cached = self._loaded.get(name)
        if cached and cached[0] == self.lib.model_name:
            return cached[1]
        row = self.db.execute("SELECT weights, bias, threshold FROM probes WHERE name=? AND model=?",
                              (name, self.lib.model_name)).fetchone()
        if row is None:
            return None
        probe = Probe(np.frombuffer(row[0], np.float32).copy(), row[1], row[2])
        self._loaded[name] = (self.lib.model_name, probe)
        return probe
