"""Tags taught from examples: an L2-regularised logistic-regression probe on CLIP embeddings.

The CLIP paper's linear probe, sized for a desktop: a few positive examples, optional
counter-examples, and negatives sampled from the library when the user gave none (most of
a library is not an example of any one new tag, so random photos are mostly true negatives;
the few that are not are outweighed by the regularisation and the class weighting).
Training is a handful of Newton steps on at most ``MAX_NEGATIVES`` + examples rows, so it
costs the same for 1k or 100k photos; scoring the library is one matrix-vector product.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from photoapp.core.errors import InvalidInput
from photoapp.core.store.probes import ProbeStore

if TYPE_CHECKING:
    from photoapp.core.tagging.rule import Tagger

MAX_NEGATIVES = 500  # sampled from the library; more adds time, not accuracy
MIN_POSITIVES = 3
L2 = 0.01  # on standardised features, with sample weights summing to 1 (see train)
MARGIN = 2.0  # logits below where unseen examples score (see _held_out_threshold)


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


def train(positives: np.ndarray, negatives: np.ndarray, l2: float | None = None) -> Probe:
    """Fit a class-balanced, L2-regularised logistic regression (threshold 0.5)."""
    fit = _Fit(positives, negatives, L2 if l2 is None else l2)
    return fit.probe(fit.solve(np.ones(len(positives), bool)))


class _Fit:
    """The standardised design matrix of one training set, shared by the full fit and its
    cross-validation folds (which start from the full fit's solution: 1-3 Newton steps).

    Features are standardised per dimension (CLIP embeddings differ in a few dimensions
    only, at a scale of 1/sqrt(dim)), so one ``L2`` suits every model; the standardisation
    is folded back into the weights so scoring needs raw vectors only. ``L2`` was chosen
    by measurement (toy model and 512-d synthetic clusters); the threshold, not the
    regularisation, is what adapts to the model (``_held_out_threshold``).
    """

    def __init__(self, positives: np.ndarray, negatives: np.ndarray, l2: float):
        if len(positives) < 1 or len(negatives) < 1:
            raise ValueError("a probe needs positive and negative examples")
        x = np.concatenate([positives, negatives]).astype(np.float32)
        self.n_pos, self.n_neg = len(positives), len(negatives)
        self.mean, self.std = x.mean(axis=0), x.std(axis=0) + 1e-6
        self.z = np.hstack([(x - self.mean) / self.std, np.ones((len(x), 1), np.float32)])
        self.reg = np.full(self.z.shape[1], l2, np.float32)
        self.reg[-1] = 0.0  # the bias is not shrunk

    def solve(self, keep_pos: np.ndarray, start: np.ndarray | None = None, max_steps: int = 25) -> np.ndarray:
        rows = np.concatenate([np.flatnonzero(keep_pos), np.arange(self.n_pos, self.n_pos + self.n_neg)])
        n_kept = int(keep_pos.sum())
        y = (rows < self.n_pos).astype(np.float32)
        # Balanced classes: 5 positives weigh as much as 500 negatives; weights sum to 1.
        weight = np.where(y == 1, 0.5 / n_kept, 0.5 / self.n_neg).astype(np.float32)
        return _newton(self.z[rows], y, weight, self.reg, max_steps, start)

    def probe(self, beta: np.ndarray) -> Probe:
        w = beta[:-1] / self.std
        return Probe(w.astype(np.float32), float(beta[-1] - self.mean @ w))


def _newton(
    z: np.ndarray, y: np.ndarray, weight: np.ndarray, reg: np.ndarray, max_steps: int, start: np.ndarray | None
) -> np.ndarray:
    """Newton's method (IRLS); the Hessian is built in float32 (the cost)."""
    beta = np.zeros(z.shape[1], np.float64) if start is None else start.copy()
    for _ in range(max_steps):
        p = _sigmoid(z @ beta.astype(np.float32))
        grad = z.T @ (weight * (p - y)) + reg * beta
        curvature = (weight * p * (1 - p)).astype(np.float32)
        hess = (z * curvature[:, None]).T @ z + np.diag(reg + 1e-6)
        step = np.linalg.solve(hess.astype(np.float64), grad.astype(np.float64))
        beta -= step
        if np.max(np.abs(step)) < 1e-3 * (1.0 + np.max(np.abs(beta))):
            break
    return beta


def sample_negatives(ids: np.ndarray, exclude: set[int], n: int = MAX_NEGATIVES, seed: int = 0) -> np.ndarray:
    """Row indices of up to ``n`` library photos that are not examples (a fixed seed keeps
    retraining after a correction stable)."""
    mask = ~np.isin(ids, np.fromiter(exclude, dtype=np.int64, count=len(exclude)))
    candidates = np.flatnonzero(mask)
    if len(candidates) <= n:
        return candidates
    return np.sort(np.random.default_rng(seed).choice(candidates, size=n, replace=False))


def _rows_of(ids: np.ndarray, wanted: list[int]) -> np.ndarray:
    """Row indices of the ``wanted`` ids present in ``ids`` (vectorised: a dict of 100k
    ids alone costs 0.2 s)."""
    order = np.argsort(ids, kind="stable")
    wanted_arr = np.asarray(wanted, dtype=np.int64)
    at = np.searchsorted(ids, wanted_arr, sorter=order).clip(0, max(len(ids) - 1, 0))
    found = ids[order[at]] == wanted_arr if len(ids) else np.zeros(len(wanted_arr), bool)
    return order[at[found]].astype(np.int64)


def train_from_library(ids: np.ndarray, vectors: np.ndarray, positive_ids: set[int], negative_ids: set[int]) -> Probe:
    """Train on the examples (without counter-examples, negatives come from the library)
    and set the acceptance threshold where unseen examples of the tag score (see
    ``_held_out_threshold``)."""
    if len(positive_ids) < MIN_POSITIVES:
        raise InvalidInput(f"teach a tag with at least {MIN_POSITIVES} example photos (got {len(positive_ids)})")
    pos = vectors[_rows_of(ids, sorted(positive_ids))]
    if len(pos) < MIN_POSITIVES:
        raise InvalidInput(
            f"only {len(pos)} of the {len(positive_ids)} example photos are indexed yet; "
            f"a tag needs at least {MIN_POSITIVES}"
        )
    neg_rows = _rows_of(ids, sorted(negative_ids))
    sampled = sample_negatives(ids, positive_ids | negative_ids, max(0, MAX_NEGATIVES - len(neg_rows)))
    neg = vectors[np.concatenate([neg_rows, sampled])]
    if len(neg) == 0:
        raise InvalidInput("the library has no photos besides the examples to contrast them with")
    fit = _Fit(pos, neg, L2)
    beta = fit.solve(np.ones(len(pos), bool))
    probe = fit.probe(beta)
    probe.threshold = _held_out_threshold(fit, beta)
    return probe


def _held_out_threshold(fit: _Fit, beta: np.ndarray) -> float:
    """Where unseen examples of the tag score, less ``MARGIN`` logits. Each example's
    leave-one-out logit comes from one Newton step away from the full fit with the example
    removed (Sherman-Morrison; no refits). A fixed 0.5 is wrong both ways: on the toy
    model near-miss classes (same shape and colour, other background) clear it, on 512-d
    synthetic clusters unseen examples fall short of it (benchmarks/tagging_quality.py,
    benchmarks/probe_100k.py)."""
    z = fit.z.astype(np.float64)
    weight = np.where(np.arange(len(z)) < fit.n_pos, 0.5 / fit.n_pos, 0.5 / fit.n_neg)
    p = _sigmoid(z @ beta)
    hess = (z * (weight * p * (1 - p))[:, None]).T @ z + np.diag(fit.reg + 1e-6)
    zp = z[: fit.n_pos]
    h = np.einsum("ij,ji->i", zp, np.linalg.solve(hess, zp.T))  # z_i^T H^-1 z_i
    c = weight[: fit.n_pos] * p[: fit.n_pos] * (1 - p[: fit.n_pos])
    held = zp @ beta + weight[: fit.n_pos] * (p[: fit.n_pos] - 1) * h / (1 - c * h)
    logit = float(np.mean(held)) - MARGIN
    return float(1.0 / (1.0 + np.exp(-logit)))


class Probes:
    """Taught tags of one library: examples and trained probes live in the catalog; the
    tags they give are ``probe`` rows of ``photo_tags`` (see tagging.write_source)."""

    def __init__(self, catalog, store: ProbeStore, model: Callable[[], str], tagger: Tagger):
        self.catalog, self.store = catalog, store
        self.model = model  # the searching model: probes are trained on its embeddings
        self.tagger = tagger  # writes the ``probe`` rows beside the auto-tags
        self._loaded: dict[str, tuple[tuple[str, float], Probe]] = {}

    def names(self) -> list[str]:
        return self.store.names()

    def examples(self, name: str) -> tuple[set[int], set[int]]:
        rows = self.store.examples(name)
        return {p for p, pos in rows if pos}, {p for p, pos in rows if not pos}

    def add_examples(self, name: str, ids: list[int], positive: bool) -> None:
        self.store.add_examples(name, ids, positive)

    def drop_examples(self, name: str) -> None:
        """Drop a taught tag's examples (a failed first lesson leaves nothing behind)."""
        self.store.forget_examples(name)

    def rename(self, old: str, new: str) -> set[int]:
        """Move taught tag ``old`` whole to ``new`` in one transaction: its examples and
        counter-examples, its probe, and its rows of ``photo_tags`` (the photos it tagged and
        the hand tags and removals that made its examples); returns the photos moved."""
        from photoapp.core.tagging.rule import MANUAL, PROBE, REJECTED

        with self.catalog.transaction():
            self.store.rename(old, new)
            moved = self.tagger.store.rename_tag(old, new, (PROBE, MANUAL, REJECTED))
            self.tagger.store.mark_sidecars_dirty(moved)  # with the change: a crash cannot split them
        self._loaded.pop(old, None)
        return moved

    def forget(self, name: str) -> set[int]:
        """Forget taught tag ``name`` in one transaction: its examples, its probe and the
        tags it gave; tags set or removed by hand under that name stay. Returns the photos
        it was taken off."""
        from photoapp.core.tagging.rule import PROBE

        with self.catalog.transaction():
            self.store.forget(name)
            untagged = self.tagger.store.delete_tag(name, PROBE)
            self.tagger.store.mark_sidecars_dirty(untagged)
        self._loaded.pop(name, None)
        return untagged

    def teach(self, name: str) -> tuple[int, set[int]]:
        """(Re)train ``name`` from its examples and tag the whole library with it;
        returns (photos carrying it, ids whose tags changed)."""
        from photoapp.core.tagging.rule import PROBE

        positives, negatives = self.examples(name)
        ids, vectors = self.catalog.embeddings(self.model())
        probe = train_from_library(ids, vectors, positives, negatives)
        self._save(name, probe)
        accepted = probe.scores(vectors)
        keep = (accepted >= probe.threshold) & ~np.isin(ids, list(negatives))
        wanted = {(int(i), name): float(p) for i, p in zip(ids[keep], accepted[keep])}
        embedded = set(ids.tolist())
        wanted.update({(i, name): 1.0 for i in positives if i in embedded})  # the examples themselves
        return len(wanted), self.tagger.write_source(ids, wanted, PROBE, only_tag=name)

    def apply_to(self, ids: np.ndarray, vectors: np.ndarray) -> set[int]:
        """Newly embedded photos get the taught tags they match."""
        from photoapp.core.tagging.rule import PROBE

        changed: set[int] = set()
        for name in self.names():
            probe = self._probe(name)
            if probe is None:
                continue
            scores = probe.scores(vectors)
            wanted = {(int(i), name): float(p) for i, p in zip(ids, scores) if p >= probe.threshold}
            with self.catalog.transaction():  # the tag may have been renamed or forgotten meanwhile
                if self.store.model_of(name) is not None:  # (by the window, on its own connection)
                    changed |= self.tagger.write_source(ids, wanted, PROBE, only_tag=name)
        return changed

    def retrain_stale(self) -> set[int]:
        """Probes trained on another model's embeddings are retrained from their examples."""
        changed: set[int] = set()
        for name in self.names():
            if self.store.model_of(name) != self.model():
                try:
                    changed |= self.teach(name)[1]
                except ValueError:
                    continue  # too few examples left (photos deleted): keep its tags as they are
        return changed

    def _save(self, name: str, probe: Probe) -> None:
        self.store.save(name, self.model(), probe.weights, probe.bias, probe.threshold)
        self._loaded.pop(name, None)  # re-read from the catalog with its stored time

    def _probe(self, name: str) -> Probe | None:
        """The stored probe; re-read when it was retrained since (maybe by another process
        or connection: the GUI teaches on its own connection while the indexer tags)."""
        model = self.model()
        trained = self.store.trained(name, model)
        if trained is None:
            return None
        key = (model, trained)
        cached = self._loaded.get(name)
        if cached and cached[0] == key:
            return cached[1]
        probe = Probe(*self.store.load(name, model))
        self._loaded[name] = (key, probe)
        return probe
