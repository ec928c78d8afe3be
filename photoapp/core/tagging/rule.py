"""Auto-tagging: every photo scored against every label of the vocabulary as it is indexed.

Assignment rule (``calibrate`` + ``assign``; measured on real CLIP ViT-B/32 embeddings and on
the toy model, figures in README.md). A raw cosine means little: with real CLIP a label
that is in the photo scores only a few hundredths above one that is not, and some labels
score high on every photo. So each score is read against three things the library and the
model teach, never against a constant keyed to a model:

1. the label's *bias*: its median cosine over the library's photos (a sample of up to
   ``CALIBRATION_SAMPLE``), which says how high it scores on photos that do not show it -
   or, for a label so many photos show that its scores split into two groups, the lower
   group's median (``typical_level``).
   The same median over the caption bank (``photoapp/core/embedding/bank.py``) moved into image space
   by the model's modality gap - which does not depend on what the library shows - is
   blended in for a library of few photos (``PRIOR_PHOTOS``), and caps the bias of a label
   most photos show (a dog owner's dog) at ``PRIOR_TOLERANCE`` units above it;
2. the photo's *offset*: the median of its bias-corrected scores over the vocabulary (over
   the caption bank for vocabularies under ``MIN_LABEL_REFERENCE`` labels), so a photo that
   scores high on every text does not collect every label;
3. the model's *unit*: how far a photo's best-matching everyday caption stands above its
   median caption (median over the library's photos) - what "this text describes this
   photo" looks like in this model's cosines (0.13 for CLIP ViT-B/32, 0.55 for the toy).

A label is given when its corrected score, in units, reaches the threshold (sensitivity
0.5 -> 0.36 of a unit) and it is among the ``max_tags`` (4) best; the score (capped at 1) is
stored as the tag's confidence. The calibration is stored with the tagging state and
renewed (re-tagging everything) when the library has doubled or halved since.

Tags stay true: the state (rule, model, vocabulary and its prompts, threshold, max tags,
calibration) is fingerprinted; when it changes every photo is re-tagged, auto-tags that no
longer hold are removed and new ones added. Tags a user adds (``manual``) or removes
(``rejected``, a tombstone) are never touched by auto-tagging or by taught tags.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from photoapp.config import TagSettings, threshold_for  # noqa: F401 (threshold_for: the rule's threshold)
from photoapp.core.embedding import bank as caption_bank
from photoapp.core.embedding.base import Embedder
from photoapp.core.errors import InvalidInput
from photoapp.core.store.catalog import Catalog
from photoapp.core.store.tags import TagStore
from photoapp.core.tagging import labels as vocab
from photoapp.core.tagging.labels import Label

AUTO, PROBE, MANUAL, REJECTED = "auto", "probe", "manual", "rejected"
VISIBLE = (AUTO, PROBE, MANUAL)
RULE_VERSION = "calibrated/2"  # part of the fingerprint: a new rule re-tags
CHUNK = 4096
CALIBRATION_SAMPLE = 2000  # library photos the label biases and the unit are measured on
PRIOR_PHOTOS = 10  # weight, in photos, of the caption bank's estimate of the label biases
MIN_LABEL_REFERENCE = 16  # smaller vocabularies take a photo's offset from the caption bank
GAP_NEIGHBOURS = 5  # bank captions nearest each photo, to measure the modality gap
SPLIT_SIGMAS = (3.0, 4.5)  # a label's scores split into two groups this far apart: see typical_level
PRIOR_TOLERANCE = 0.05  # in units: how far the library may lift a label's bias above the bank's estimate


@dataclass
class Calibration:
    """What ``assign`` reads scores against, learnt from the library's photos and the bank."""

    label_bias: np.ndarray  # (L,) each label's median cosine over photos
    bank_bias: np.ndarray  # (B,) each bank caption's median cosine over photos
    unit: float  # best minus median bank caption cosine of a photo, median over photos
    photos: int  # how many library photos it was measured on

    def to_json(self) -> dict:
        return {
            "label_bias": [float(v) for v in self.label_bias],
            "bank_bias": [float(v) for v in self.bank_bias],
            "unit": float(self.unit),
            "photos": int(self.photos),
        }

    @classmethod
    def from_json(cls, data: dict) -> Calibration:
        return cls(
            np.asarray(data["label_bias"], np.float32),
            np.asarray(data["bank_bias"], np.float32),
            float(data["unit"]),
            int(data["photos"]),
        )


def calibration_sample(n: int, cap: int = CALIBRATION_SAMPLE) -> np.ndarray:
    """Rows of an n-photo library the calibration is measured on: all, or ``cap`` spread evenly."""
    if n <= cap:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, cap).round().astype(np.int64))


def _unit_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def typical_level(scores: np.ndarray) -> np.ndarray:
    """Per column of scores (photos x texts): the score of a photo that does not show the
    text. That is the median, unless the column splits into two clearly separate groups
    (a label many photos show: Otsu's split, group medians more than SPLIT_SIGMAS[0] robust
    sigmas of the lower group apart, the lower group at least a fifth of the photos): then
    it moves toward the lower group's median, all the way from SPLIT_SIGMAS[1] sigmas on.
    The scores of a label that no photo stands out on split about 2.3 sigmas apart (real CLIP)."""
    x = np.asarray(scores, np.float64)
    n = x.shape[0]
    level = np.median(x, axis=0)
    if n < 8 or x.shape[1] == 0:
        return level
    s = np.sort(x, axis=0)
    cum = np.cumsum(s, axis=0)
    k = np.arange(1, n)[:, None]
    upper_mean = (cum[-1] - cum[:-1]) / (n - k)
    cut = np.argmax(k * (n - k) * (cum[:-1] / k - upper_mean) ** 2, axis=0) + 1  # size of the lower group
    cols = np.arange(x.shape[1])

    def at(rows):  # s[rows[j], j] for every column j
        return s[np.clip(rows, 0, n - 1), cols]

    lower_median = (at((cut - 1) // 2) + at(cut // 2)) / 2
    upper_median = (at(cut + (n - cut - 1) // 2) + at(cut + (n - cut) // 2)) / 2
    # the lower group's robust sigma from its own lower half (median minus first quartile),
    # which the upper group cannot widen
    sigma = np.maximum((lower_median - at((cut - 1) // 4)) / 0.6745, 1e-9)
    apart = (upper_median - lower_median) / sigma
    lo_sig, hi_sig = SPLIT_SIGMAS
    weight = np.clip((apart - lo_sig) / (hi_sig - lo_sig), 0.0, 1.0)
    weight[(cut < max(3, 0.2 * n)) | (n - cut < max(3, 0.05 * n))] = 0.0
    return level - weight * (level - lower_median)


def calibrate(photos: np.ndarray, labels: np.ndarray, bank: np.ndarray) -> Calibration:
    """Learn a Calibration from photo embeddings (n >= 1), label and bank text embeddings."""
    photos, labels, bank = _unit_rows(photos), _unit_rows(labels), _unit_rows(bank)
    if len(photos) == 0 or len(bank) == 0:
        raise ValueError("calibration needs at least one photo and a caption bank")
    scores, bank_scores = photos @ labels.T, photos @ bank.T
    unit = float(np.median(bank_scores.max(axis=1) - np.median(bank_scores, axis=1)))
    # The bank's captions moved into image space: shifted by the modality gap, measured as the
    # photos' mean minus the mean of the captions nearest them (so the library's own content
    # cancels out), a prior for the label biases that does not depend on what the photos show.
    k = min(GAP_NEIGHBOURS, len(bank))
    nearest = np.argpartition(-bank_scores, k - 1, axis=1)[:, :k]
    pseudo = _unit_rows(bank + (photos.mean(axis=0) - bank[nearest].mean(axis=(0, 1))))
    weight = len(photos) / (len(photos) + PRIOR_PHOTOS)

    def blend(observed: np.ndarray, prior: np.ndarray, level: np.ndarray | None = None) -> np.ndarray:
        median = np.median(observed, axis=0) if level is None else level
        prior = prior - prior.mean() + median.mean()  # same level: only the label-to-label shape counts
        mixed = weight * median + (1 - weight) * prior
        # A label most of the library shows (a dog owner's dog) has its median among the photos
        # that show it: the bank, which does not know the library, caps how high it may go.
        return np.minimum(mixed, prior + PRIOR_TOLERANCE * unit).astype(np.float32)

    label_bias = (
        blend(scores, np.median(pseudo @ labels.T, axis=0), typical_level(scores))
        if len(labels)
        else np.zeros(0, np.float32)
    )
    bank_bias = blend(bank_scores, np.median(pseudo @ bank.T, axis=0))
    return Calibration(label_bias, bank_bias, max(unit, 1e-6), len(photos))


def assign(
    label_cos: np.ndarray, bank_cos: np.ndarray, calibration: Calibration, threshold: float, max_tags: int
) -> tuple[np.ndarray, np.ndarray]:
    """The assignment rule for a block of photos.

    label_cos (n, L) and bank_cos (n, B) are cosines to the labels and the bank's captions;
    returns (mask (n, L) of assigned labels, scores (n, L) in the model's units, capped to
    0..1, the tags' confidence).
    """
    corrected = np.asarray(label_cos, np.float64) - calibration.label_bias
    if label_cos.shape[1] >= MIN_LABEL_REFERENCE:
        offset = np.median(corrected, axis=1)
    else:
        offset = np.median(np.asarray(bank_cos, np.float64) - calibration.bank_bias, axis=1)
    score = (corrected - offset[:, None]) / calibration.unit
    mask = score >= threshold
    if max_tags < label_cos.shape[1]:
        kth = -np.partition(-score, max(max_tags, 1) - 1, axis=1)[:, max(max_tags, 1) - 1 : max(max_tags, 1)]
        mask &= score >= kth
    return mask, np.clip(score, 0.0, 1.0).astype(np.float32)


class Tagger:
    """Auto-tags of one library: its tag rows, the searching model (a name and an embedder
    provider), the tagging settings section and the cache folder of the caption bank."""

    def __init__(
        self,
        catalog: Catalog,
        store: TagStore,
        model: Callable[[], str],
        embedder: Callable[[], Embedder],
        settings: TagSettings,
        cache_dir: Path | None = None,
    ):
        self.catalog, self.store = catalog, store
        self.model, self.embedder = model, embedder
        self._settings = settings
        self.cache_dir = cache_dir
        self._labels_cache: dict[tuple[str, str], tuple[list[str], np.ndarray]] = {}
        self._bank_cache: dict[str, np.ndarray] = {}
        self._bank_keys: dict[str, str] = {}
        self._stored: tuple[str | None, str, Calibration | None] | None = None  # parsed tag_calibration

    @property
    def settings(self) -> TagSettings:
        return self._settings

    # -- vocabulary ---------------------------------------------------------------------
    def vocabulary(self) -> list[Label]:
        """The library's own vocabulary once set, else the shipped default for its model."""
        if self.catalog.get_meta("vocabulary") != "custom":
            return vocab.default_vocabulary(self.model())
        return [Label(n, g, tuple(p)) for n, g, p in self.store.labels()]

    def set_vocabulary(self, labels: list[Label]) -> None:
        with self.catalog.transaction():
            self.store.set_labels((lb.name, lb.group, lb.prompts) for lb in labels)
            self.catalog.set_meta("vocabulary", "custom")

    def label_matrix(self) -> tuple[list[str], np.ndarray]:
        """(names, (L, dim) label vectors) for the library's model."""
        labels = self.vocabulary()
        key = (self.model(), vocab.fingerprint(labels))
        if key not in self._labels_cache:
            vectors = self._cached_vectors([lb.texts() for lb in labels]) if labels else np.zeros((0, 0), np.float32)
            self._labels_cache[key] = ([lb.name for lb in labels], vectors)
        return self._labels_cache[key]

    def bank(self) -> np.ndarray:
        """The caption bank's embeddings for the library's model (cached in the library)."""
        model = self.model()
        if model not in self._bank_cache:
            self._bank_cache[model] = caption_bank.bank_embeddings(self.embedder(), self.cache_dir)
        return self._bank_cache[model]

    def _cached_vectors(self, prompt_sets: list[list[str]]) -> np.ndarray:
        """Ensemble vectors per prompt set, cached in the catalog per model and prompts."""
        model = self.model()
        keys = [hashlib.sha256("\n".join(t).encode()).hexdigest()[:24] for t in prompt_sets]
        found = self.store.label_vectors(model)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            fresh = vocab.ensemble_embeddings(self.embedder(), [prompt_sets[i] for i in missing])
            self.store.put_label_vectors(model, [(keys[i], fresh[j]) for j, i in enumerate(missing)])
            found.update({keys[i]: fresh[j] for j, i in enumerate(missing)})
        return np.stack([found[k] for k in keys])

    # -- calibration --------------------------------------------------------------------
    def _calibration_key(self) -> str:
        """What a stored calibration was learnt for: rule, model, vocabulary, caption bank."""
        model = self.model()
        if model not in self._bank_keys:
            texts = caption_bank.bank_texts(model)
            self._bank_keys[model] = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
        parts = [RULE_VERSION, model, vocab.fingerprint(self.vocabulary()), self._bank_keys[model]]
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]

    def stored_calibration(self) -> Calibration | None:
        raw = self.catalog.get_meta("tag_calibration")
        key = self._calibration_key()
        if self._stored is not None and self._stored[:2] == (raw, key):
            return self._stored[2]
        cal = None
        try:
            data = json.loads(raw) if raw else None
            if data and data.get("key") == key:
                cal = Calibration.from_json(data)
        except (ValueError, KeyError, TypeError):
            pass  # unreadable: measured again
        self._stored = (raw, key, cal)
        return cal

    def calibration(self) -> Calibration | None:
        """The stored calibration, or one measured now on the library's embedded photos
        (None while none are embedded)."""
        return self.stored_calibration() or self.recalibrate()

    def recalibrate(self) -> Calibration | None:
        """Measure the calibration on (a spread sample of) the library's photos and store it."""
        model = self.model()
        ids = sorted(self.catalog.embedded_ids(model))
        if not ids:
            return None
        ids = [ids[i] for i in calibration_sample(len(ids))]
        _, photos = self.catalog.embeddings(model, ids)
        _, matrix = self.label_matrix()
        cal = calibrate(photos, matrix.reshape(-1, photos.shape[1]), self.bank())
        cal.photos = self.catalog.count_embedded(model)
        self.catalog.set_meta("tag_calibration", json.dumps({"key": self._calibration_key(), **cal.to_json()}))
        return cal

    def calibration_is_stale(self) -> bool:
        """No calibration for this model and vocabulary, or the library has doubled or halved since."""
        cal = self.stored_calibration()
        if cal is None:
            return True
        now = self.catalog.count_embedded(self.model())
        return now >= 2 * cal.photos or 2 * now < cal.photos

    # -- state --------------------------------------------------------------------------
    def state(self) -> str:
        s = self.settings
        cal = self.stored_calibration()
        parts = [
            RULE_VERSION,
            self.model(),
            vocab.fingerprint(self.vocabulary()),
            f"{s.threshold:.6f}",
            str(s.max_tags),
            str(s.auto_tagging),
            "uncalibrated" if cal is None else str(cal.photos),
        ]
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]

    def is_current(self) -> bool:
        s = self.settings
        if self.catalog.get_meta("tagging_state") != self.state():
            return False
        return not (s.auto_tagging and self.vocabulary() and self.calibration_is_stale())

    # -- tagging ------------------------------------------------------------------------
    def tag_vectors(self, ids: np.ndarray, vectors: np.ndarray) -> set[int]:
        """Auto-tag these photos from their embeddings; returns ids whose tags changed."""
        s = self.settings
        if not s.auto_tagging or len(ids) == 0:
            return self.write_source(ids, {}, AUTO) if len(ids) else set()
        names, matrix = self.label_matrix()
        cal = self.calibration() if names else None
        if cal is None:
            return self.write_source(ids, {}, AUTO)
        mask, scores = assign(vectors @ matrix.T, vectors @ self.bank().T, cal, s.threshold, s.max_tags)
        rows, cols = np.nonzero(mask)
        wanted = {(int(ids[r]), names[c]): float(scores[r, c]) for r, c in zip(rows, cols)}
        return self.write_source(ids, wanted, AUTO)

    def retag_all(self) -> set[int]:
        """Recompute every auto-tag (vocabulary, threshold, model or calibration changed)."""
        all_ids, vectors = self.catalog.embeddings(self.model())
        if self.settings.auto_tagging and len(all_ids) and self.vocabulary():
            self.recalibrate()
        changed = set()
        for start in range(0, len(all_ids), CHUNK):
            changed |= self.tag_vectors(all_ids[start : start + CHUNK], vectors[start : start + CHUNK])
        embedded = set(all_ids.tolist())
        stale = [pid for pid in self.store.tagged_ids(AUTO) if pid not in embedded]
        changed |= self.write_source(np.array(stale, dtype=np.int64), {}, AUTO)  # tags of another model
        self.catalog.set_meta("tagging_state", self.state())
        return changed

    def write_source(
        self, ids: np.ndarray, wanted: dict[tuple[int, str], float], source: str, only_tag: str | None = None
    ) -> set[int]:
        """Make ``source``'s rows for ``ids`` (and ``only_tag``) equal ``wanted``; rows of a
        stronger source (manual/rejected always; probe over auto) are left alone."""
        stronger = {MANUAL, REJECTED} | ({PROBE} if source == AUTO else set())
        changed: set[int] = set()
        by_photo: dict[int, list[tuple[str, float]]] = {}
        for (p, t), c in wanted.items():
            by_photo.setdefault(p, []).append((t, c))
        with self.catalog.transaction():
            for start in range(0, len(ids), 900):
                chunk = [int(i) for i in ids[start : start + 900]]
                existing = self.store.rows(chunk, only_tag)
                drop = [(p, t) for (p, t), src in existing.items() if src == source and (p, t) not in wanted]
                put = [(p, t, c) for p in chunk for t, c in by_photo.get(p, ()) if existing.get((p, t)) not in stronger]
                self.store.delete(drop)
                self.store.put((p, t, source, c) for p, t, c in put)
                changed |= {p for p, _ in drop} | {p for p, t, _ in put if (p, t) not in existing}
            self.store.mark_sidecars_dirty(changed)  # with the change: a crash cannot split them
        return changed

    # -- manual edits -------------------------------------------------------------------
    def set_manual(self, ids: list[int], tag: str, present: bool) -> set[int]:
        """The user adds (``present``) or removes a tag: a row auto-tagging never overrides."""
        tag = " ".join(tag.split())
        if not tag:
            raise InvalidInput("empty tag name")
        source = MANUAL if present else REJECTED
        with self.catalog.transaction():
            before = self.store.rows(list(ids), tag) if ids else {}
            self.store.put((int(i), tag, source, None) for i in ids)
            changed = {int(i) for i in ids if (before.get((int(i), tag)) in VISIBLE) != present}
            self.store.mark_sidecars_dirty(changed)  # with the change: a crash cannot split them
        return changed

    # -- queries ------------------------------------------------------------------------
    def tags_of(self, photo_id: int) -> list[dict]:
        """A photo's visible tags: name, source and confidence (None for manual ones)."""
        rows = self.store.of_photo(photo_id, VISIBLE)
        return [{"tag": t, "source": s, "confidence": None if c is None else round(c, 4)} for t, s, c in rows]

    def counts(self) -> dict[str, int]:
        """Every tag that is an album, with its photo count, largest first."""
        return self.store.counts(VISIBLE)

    def album(self, tag: str) -> list[int]:
        """Photo ids carrying ``tag``: manual ones first, then by confidence."""
        return self.store.album(tag, VISIBLE)
