"""Auto-tagging: every photo scored against every label of the vocabulary as it is indexed.

Assignment rule (see ``assign``; measured on the toy domain, figures in README.md):
a photo's cosines to the labels *and to a neutral prompt* ("a photo.", "an image.", ...)
go through one softmax at the model's own learned temperature (``logit_scale``, about 100
for CLIP). A label is assigned when its probability is at least ``threshold`` and it is
among the ``max_tags`` most probable; the probability is stored as the tag's confidence.
The neutral prompt is the "none of these" answer: a photo that matches no label puts its
mass there and gets no tags, where a softmax over the labels alone would always crown one.
The per-library sensitivity (0..1, default 0.5) sets the threshold (``threshold_for``).

Tags stay true: the state (model, vocabulary and its prompts, threshold, max tags) is
fingerprinted; when it changes every photo is re-tagged, auto-tags that no longer hold are
removed and new ones added. Tags a user adds (``manual``) or removes (``rejected``, a
tombstone) are never touched by auto-tagging or by taught tags.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

from photoapp.core import labels as vocab
from photoapp.core.labels import Label

AUTO, PROBE, MANUAL, REJECTED = "auto", "probe", "manual", "rejected"
VISIBLE = (AUTO, PROBE, MANUAL)
RULE_VERSION = "softmax+neutral/1"  # part of the fingerprint: a new rule re-tags
CHUNK = 4096


@dataclass
class TagSettings:
    """Per-library tagging settings, kept in ``Settings.extra``."""

    sensitivity: float = 0.5
    max_tags: int = 5
    auto_tagging: bool = True
    xmp_sidecars: bool = False

    @classmethod
    def from_extra(cls, extra: dict) -> TagSettings:
        return cls(float(extra.get("tag_sensitivity", 0.5)), int(extra.get("tag_max", 5)),
                   bool(extra.get("auto_tagging", True)), bool(extra.get("xmp_sidecars", False)))

    def to_extra(self, extra: dict) -> None:
        extra.update(tag_sensitivity=self.sensitivity, tag_max=self.max_tags,
                     auto_tagging=self.auto_tagging, xmp_sidecars=self.xmp_sidecars)

    @property
    def threshold(self) -> float:
        return threshold_for(self.sensitivity)


def threshold_for(sensitivity: float) -> float:
    """Sensitivity 0..1 -> probability threshold, log-spaced from 0.5 down to 0.02
    (0.5 -> 0.1): higher sensitivity, more tags."""
    s = min(max(float(sensitivity), 0.0), 1.0)
    return float(0.5 * (0.02 / 0.5) ** s)


def assign(label_cos: np.ndarray, neutral_cos: np.ndarray, scale: float, threshold: float,
           max_tags: int) -> tuple[np.ndarray, np.ndarray]:
    """The assignment rule for a block of photos.

    label_cos (n, L) and neutral_cos (n,) are cosines; returns (mask (n, L) of assigned
    labels, probabilities (n, L)) from a softmax over the L labels and the neutral prompt.
    """
    logits = scale * np.concatenate([label_cos, neutral_cos[:, None]], axis=1).astype(np.float64)
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    probs = probs[:, :-1]
    mask = probs >= threshold
    if max_tags < label_cos.shape[1]:
        kth = -np.sort(-probs, axis=1)[:, max(max_tags, 1) - 1:max(max_tags, 1)]
        mask &= probs >= kth
    return mask, probs.astype(np.float32)


class Tagger:
    """Auto-tags of one library, through its catalog, embedder and settings (the Library)."""

    def __init__(self, lib):
        self.lib = lib
        self._labels_cache: dict[tuple[str, str], tuple[list[str], np.ndarray, np.ndarray]] = {}

    @property
    def db(self):
        return self.lib.catalog.db

    @property
    def settings(self) -> TagSettings:
        return TagSettings.from_extra(self.lib.settings.extra)

    # -- vocabulary ---------------------------------------------------------------------
    def vocabulary(self) -> list[Label]:
        """The library's own vocabulary once set, else the shipped default for its model."""
        if self.lib.catalog.get_meta("vocabulary") != "custom":
            return vocab.default_vocabulary(self.lib.model_name)
        rows = self.db.execute("SELECT name, grp, prompts FROM labels ORDER BY position")
        return [Label(n, g, tuple(json.loads(p))) for n, g, p in rows]

    def set_vocabulary(self, labels: list[Label]) -> None:
        with self.lib.catalog.transaction():
            self.db.execute("DELETE FROM labels")
            self.db.executemany("INSERT INTO labels(position, name, grp, prompts) VALUES (?, ?, ?, ?)",
                                [(i, lb.name, lb.group, json.dumps(list(lb.prompts))) for i, lb in enumerate(labels)])
            self.lib.catalog.set_meta("vocabulary", "custom")

    def label_matrix(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(names, (L, dim) label vectors, (dim,) neutral vector) for the library's model."""
        labels = self.vocabulary()
        key = (self.lib.model_name, vocab.fingerprint(labels))
        if key not in self._labels_cache:
            prompt_sets = [lb.texts() for lb in labels] + [list(vocab.NEUTRAL_PROMPTS)]
            vectors = self._cached_vectors(prompt_sets)
            self._labels_cache[key] = ([lb.name for lb in labels], vectors[:-1], vectors[-1])
        return self._labels_cache[key]

    def _cached_vectors(self, prompt_sets: list[list[str]]) -> np.ndarray:
        """Ensemble vectors per prompt set, cached in the catalog per model and prompts."""
        model = self.lib.model_name
        keys = [hashlib.sha256("\n".join(t).encode()).hexdigest()[:24] for t in prompt_sets]
        found = {k: np.frombuffer(v, np.float32) for k, v in self.db.execute(
            "SELECT prompts_key, vector FROM label_vectors WHERE model=?", (model,))}
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            fresh = vocab.ensemble_embeddings(self.lib.embedder, [prompt_sets[i] for i in missing])
            with self.lib.catalog.transaction():
                self.db.executemany("INSERT OR REPLACE INTO label_vectors(model, prompts_key, vector) VALUES (?, ?, ?)",
                                    [(model, keys[i], fresh[j].tobytes()) for j, i in enumerate(missing)])
            found.update({keys[i]: fresh[j] for j, i in enumerate(missing)})
        return np.stack([found[k] for k in keys])

    # -- state --------------------------------------------------------------------------
    def state(self) -> str:
        s = self.settings
        parts = [RULE_VERSION, self.lib.model_name, vocab.fingerprint(self.vocabulary()),
                 f"{s.threshold:.6f}", str(s.max_tags), str(s.auto_tagging)]
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]

    def is_current(self) -> bool:
        return self.lib.catalog.get_meta("tagging_state") == self.state()

    # -- tagging ------------------------------------------------------------------------
    def tag_vectors(self, ids: np.ndarray, vectors: np.ndarray) -> set[int]:
        """Auto-tag these photos from their embeddings; returns ids whose tags changed."""
        s = self.settings
        if not s.auto_tagging or len(ids) == 0:
            return self.write_source(ids, {}, AUTO) if len(ids) else set()
        names, matrix, neutral = self.label_matrix()
        if not names:
            return self.write_source(ids, {}, AUTO)
        scale = self.lib.embedder.logit_scale
        mask, probs = assign(vectors @ matrix.T, vectors @ neutral, scale, s.threshold, s.max_tags)
        rows, cols = np.nonzero(mask)
        wanted = {(int(ids[r]), names[c]): float(probs[r, c]) for r, c in zip(rows, cols)}
        return self.write_source(ids, wanted, AUTO)

    def retag_all(self) -> set[int]:
        """Recompute every auto-tag (vocabulary, threshold or model changed)."""
        all_ids, vectors = self.lib.catalog.embeddings(self.lib.model_name)
        changed = set()
        for start in range(0, len(all_ids), CHUNK):
            changed |= self.tag_vectors(all_ids[start:start + CHUNK], vectors[start:start + CHUNK])
        embedded = set(all_ids.tolist())
        stale = [pid for (pid,) in self.db.execute("SELECT DISTINCT photo_id FROM photo_tags WHERE source=?",
                                                   (AUTO,)) if pid not in embedded]
        changed |= self.write_source(np.array(stale, dtype=np.int64), {}, AUTO)  # tags of another model
        self.lib.catalog.set_meta("tagging_state", self.state())
        return changed

    def write_source(self, ids: np.ndarray, wanted: dict[tuple[int, str], float], source: str,
                     only_tag: str | None = None) -> set[int]:
        """Make ``source``'s rows for ``ids`` (and ``only_tag``) equal ``wanted``; rows of a
        stronger source (manual/rejected always; probe over auto) are left alone."""
        stronger = {MANUAL, REJECTED} | ({PROBE} if source == AUTO else set())
        changed: set[int] = set()
        by_photo: dict[int, list[tuple[str, float]]] = {}
        for (p, t), c in wanted.items():
            by_photo.setdefault(p, []).append((t, c))
        with self.lib.catalog.transaction():
            for start in range(0, len(ids), 900):
                chunk = [int(i) for i in ids[start:start + 900]]
                existing = self._rows(chunk, only_tag)
                drop = [(p, t) for (p, t), src in existing.items() if src == source and (p, t) not in wanted]
                put = [(p, t, c) for p in chunk for t, c in by_photo.get(p, ())
                       if existing.get((p, t)) not in stronger]
                self.db.executemany("DELETE FROM photo_tags WHERE photo_id=? AND tag=?", drop)
                self.db.executemany("INSERT OR REPLACE INTO photo_tags(photo_id, tag, source, confidence) "
                                    "VALUES (?, ?, ?, ?)", [(p, t, source, c) for p, t, c in put])
                changed |= {p for p, _ in drop} | {p for p, t, _ in put if (p, t) not in existing}
        return changed

    def _rows(self, ids: list[int], only_tag: str | None) -> dict[tuple[int, str], str]:
        marks = ",".join("?" * len(ids))
        sql = f"SELECT photo_id, tag, source FROM photo_tags WHERE photo_id IN ({marks})"
        args = list(ids)
        if only_tag is not None:
            sql += " AND tag=?"
            args.append(only_tag)
        return {(p, t): s for p, t, s in self.db.execute(sql, args)}

    # -- manual edits -------------------------------------------------------------------
    def set_manual(self, ids: list[int], tag: str, present: bool) -> set[int]:
        """The user adds (``present``) or removes a tag: a row auto-tagging never overrides."""
        tag = " ".join(tag.split())
        if not tag:
            raise ValueError("empty tag name")
        source = MANUAL if present else REJECTED
        with self.lib.catalog.transaction():
            before = self._rows(list(ids), tag) if ids else {}
            self.db.executemany("INSERT OR REPLACE INTO photo_tags(photo_id, tag, source, confidence) "
                                "VALUES (?, ?, ?, NULL)", [(int(i), tag, source) for i in ids])
        return {int(i) for i in ids if (before.get((int(i), tag)) in VISIBLE) != present}

    # -- queries ------------------------------------------------------------------------
    def tags_of(self, photo_id: int) -> list[dict]:
        """A photo's visible tags: name, source and confidence (None for manual ones)."""
        rows = self.db.execute(
            f"SELECT tag, source, confidence FROM photo_tags WHERE photo_id=? AND source IN ({_marks(VISIBLE)}) "
            "ORDER BY source = 'manual' DESC, confidence DESC, tag", (photo_id, *VISIBLE))
        return [{"tag": t, "source": s, "confidence": None if c is None else round(c, 4)} for t, s, c in rows]

    def counts(self) -> dict[str, int]:
        """Every tag that is an album, with its photo count, largest first."""
        rows = self.db.execute(
            f"SELECT tag, COUNT(*) AS n FROM photo_tags WHERE source IN ({_marks(VISIBLE)}) "
            "GROUP BY tag ORDER BY n DESC, tag", VISIBLE)
        return dict(rows.fetchall())

    def album(self, tag: str) -> list[int]:
        """Photo ids carrying ``tag``: manual ones first, then by confidence."""
        rows = self.db.execute(
            f"SELECT photo_id FROM photo_tags WHERE tag=? AND source IN ({_marks(VISIBLE)}) "
            "ORDER BY source = 'manual' DESC, confidence DESC, photo_id", (tag, *VISIBLE))
        return [pid for (pid,) in rows]

    # -- sidecars -----------------------------------------------------------------------
    def sync_sidecars(self, ids: set[int] | list[int], force: bool = False) -> tuple[int, list[str]]:
        """Write the XMP sidecars of these photos if the setting is on (or ``force``);
        returns (written, errors). A read-only folder is reported, never fatal."""
        from photoapp.core.xmp import write_sidecar

        if not (force or self.settings.xmp_sidecars) or not ids:
            return 0, []
        written, errors = 0, []
        for pid, photo in self.lib.catalog.photos_by_ids(ids).items():
            tags = [t["tag"] for t in self.tags_of(pid)]
            for path in filter(None, (photo.path, photo.companion)):  # a RAW+JPEG pair: both files' sidecars
                try:
                    written += write_sidecar(path, tags) is not None
                except OSError as exc:
                    errors.append(f"{path}.xmp: {exc.strerror or exc}")
        return written, errors


def _marks(values) -> str:
    return ",".join("?" * len(values))
