"""Grouping faces into people: incremental and conservative (pure numpy, no catalog).

dlib's embeddings are compared by Euclidean distance. On real photos the same person's
faces stay within ~0.6 of each other, yet two different people (lookalikes, siblings) can
be as close as ~0.52: one global threshold would either split people or merge lookalikes.
So:

- A new person starts only from ``min_faces`` faces (3) that are all *mutually* within
  ``core`` of each other (a clique: complete linkage, never a chain A~B~C of lookalikes),
  each from a different photo and none of them small (``min_start_px``).
- A face joins an existing person only when the mean distance to that person's nearest
  members (up to 3) is within ``join``, its nearest member within ``join_nearest``, and it
  is clearly closer to that person than to any other (``margin``).
- Two faces of one photo are never one person; a face a user removed from a person or
  rejected for it never goes back to it; faces a user decided about are never moved.
- Faces that fit nobody stay unknown (suggestions offer them to the nearest person).
- A pass joins faces to the members the people had when it started: faces that joined in
  this pass do not pull in more (no chains within a run).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Thresholds:
    """Measured ranges (issue 27, 61 real photos of 13 people): same person <= 0.595,
    different people >= 0.52 (a lookalike pair). ``core`` sits in the middle of that overlap:
    a clique needs every one of its pairs that close, which a lookalike pair at 0.52 meets
    only if every other face of the clique is also that close to both. A join is one face's
    decision on its own and is stricter: its nearest three members must average <= ``join``."""

    core: float = 0.55
    join: float = 0.52
    join_nearest: float = 0.56
    margin: float = 0.06
    min_faces: int = 3
    min_start_px: float = 60.0
    suggest: float = 0.62  # unknown faces within this of a person are offered as suggestions


@dataclass
class Face:
    id: int
    photo_id: int
    px: float
    person_id: int | None
    free: bool  # may be assigned automatically (unknown, and nobody decided about it)
    rejected: frozenset = frozenset()


@dataclass
class Plan:
    joins: list[tuple[int, int]] = field(default_factory=list)  # (face id, person id)
    new_people: list[list[int]] = field(default_factory=list)  # face ids of each new person


CHUNK = 1024  # faces compared at a time: memory stays bounded however large the library


def distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.maximum(sq, 0.0))


def _members(faces: list[Face]) -> dict[int, list[int]]:
    members: dict[int, list[int]] = {}
    for i, f in enumerate(faces):
        if f.person_id is not None:
            members.setdefault(f.person_id, []).append(i)
    return members


def plan(faces: list[Face], vectors: np.ndarray, th: Thresholds = Thresholds()) -> Plan:
    """What to change: free faces that join people, and the new people to start."""
    out = Plan()
    if not faces:
        return out
    members = _members(faces)
    pool = [i for i, f in enumerate(faces) if f.free and f.person_id is None]
    joined = _joins(faces, vectors, pool, members, th)
    out.joins += [(faces[i].id, p) for i, p in joined.items()]
    pool = [i for i in pool if i not in joined]
    cliques = _cliques(faces, vectors, pool, th)
    in_clique = {i for c in cliques for i in c}
    pool = [i for i in pool if i not in in_clique]
    # Faces that were near a new person's first faces join it (anchored on those only).
    new_members = {-(n + 1): c for n, c in enumerate(cliques)}
    later = _joins(faces, vectors, pool, members | new_members, th)
    groups = [list(c) for c in cliques]
    for i, p in later.items():
        if p < 0:
            groups[-p - 1].append(i)
        else:
            out.joins.append((faces[i].id, p))
    out.new_people = [[faces[i].id for i in g] for g in groups]
    return out


def _person_scores(faces, vectors, rows, members, people, excluded=None) -> tuple[np.ndarray, np.ndarray]:
    """For faces ``rows`` and each of ``people``: the mean distance to the person's 3 nearest
    members and the nearest one (inf for the people ``excluded(face index)`` names)."""
    cols = np.concatenate([members[p] for p in people])
    bounds = np.cumsum([0] + [len(members[p]) for p in people])
    d = distances(vectors[rows], vectors[cols])
    scores = np.full((len(rows), len(people)), np.inf)
    nearest = np.full((len(rows), len(people)), np.inf)
    for k in range(len(people)):
        part = d[:, bounds[k] : bounds[k + 1]]
        top = np.sort(part, axis=1)[:, :3] if part.shape[1] > 3 else np.sort(part, axis=1)
        scores[:, k] = top.mean(axis=1)
        nearest[:, k] = top[:, 0]
    if excluded is not None:
        column = {p: k for k, p in enumerate(people)}
        for r, i in enumerate(rows):
            for p in excluded(i):
                if p in column:
                    scores[r, column[p]] = nearest[r, column[p]] = np.inf
    return scores, nearest


def _joins(faces, vectors, pool, members, th) -> dict[int, int]:
    """Free faces (indices) -> the person each joins."""
    if not pool or not members:
        return {}
    people = list(members)
    photos_of = {p: {faces[i].photo_id for i in idx} for p, idx in members.items()}
    wanted: dict[tuple[int, int], tuple[float, int]] = {}  # (photo, person) -> best (score, face)
    for start in range(0, len(pool), CHUNK):
        rows = pool[start : start + CHUNK]
        scores, nearest = _person_scores(faces, vectors, rows, members, people)
        for r, i in enumerate(rows):
            order = np.argsort(scores[r])
            best = order[0]
            p = people[best]
            second = scores[r, order[1]] if len(order) > 1 else np.inf
            if (
                scores[r, best] > th.join
                or nearest[r, best] > th.join_nearest
                or second - scores[r, best] < th.margin
                or p in faces[i].rejected
                or faces[i].photo_id in photos_of[p]
            ):
                continue
            key = (faces[i].photo_id, p)
            if key not in wanted or scores[r, best] < wanted[key][0]:
                wanted[key] = (float(scores[r, best]), i)
    return {i: p for (_, p), (_, i) in wanted.items()}


def _cliques(faces, vectors, pool, th) -> list[list[int]]:
    """Groups of ``min_faces`` or more large faces from distinct photos, all mutually within ``core``."""
    starters = [i for i in pool if faces[i].px >= th.min_start_px]
    if len(starters) < th.min_faces:
        return []
    photo = np.array([faces[i].photo_id for i in starters])
    near: list[dict[int, float]] = []  # for each starter: the others within ``core``, by distance
    for start in range(0, len(starters), CHUNK):
        d = distances(vectors[starters[start : start + CHUNK]], vectors[starters])
        for r, row in enumerate(d):
            k = start + r
            close = np.flatnonzero((row <= th.core) & (photo != photo[k]))
            near.append({int(j): float(row[j]) for j in close})
    order = sorted(
        range(len(starters)), key=lambda k: (-len(near[k]), np.mean(list(near[k].values())) if near[k] else 9)
    )
    used: set[int] = set()
    out = []
    for seed in order:
        if seed in used or len(near[seed]) + 1 < th.min_faces:
            continue
        clique = [seed]
        for k in sorted(near[seed], key=near[seed].get):
            if k not in used and all(k in near[m] for m in clique):
                clique.append(k)
        if len(clique) >= th.min_faces:
            used.update(clique)
            out.append([starters[k] for k in clique])
    return out


def suggestions(faces: list[Face], vectors: np.ndarray, th: Thresholds = Thresholds()) -> list[tuple[int, int, float]]:
    """(face id, person id, distance) for unknown faces near a person they could belong to:
    the person whose nearest members (mean of up to 3) are closest, within ``suggest``, not
    rejected for the face, without a face in the face's photo already. Nearest first."""
    members = _members(faces)
    pool = [i for i, f in enumerate(faces) if f.person_id is None]
    if not pool or not members:
        return []
    people = list(members)
    in_photo: dict[int, set[int]] = {}  # photo -> the people it shows already
    for p, idx in members.items():
        for i in idx:
            in_photo.setdefault(faces[i].photo_id, set()).add(p)

    def excluded(i: int) -> set[int]:
        return set(faces[i].rejected) | in_photo.get(faces[i].photo_id, set())

    out = []
    for start in range(0, len(pool), CHUNK):
        rows = pool[start : start + CHUNK]
        scores, _ = _person_scores(faces, vectors, rows, members, people, excluded)
        for r, i in enumerate(rows):
            k = int(np.argmin(scores[r]))
            if scores[r, k] <= th.suggest:
                out.append((faces[i].id, people[k], float(scores[r, k])))
    return sorted(out, key=lambda s: s[2])
