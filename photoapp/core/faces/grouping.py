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

Nothing compares every face with every other: each face looks at its nearest faces in an
HNSW graph (core/faces/neighbours.py), and a decision is taken from them only when the
k-th distance proves that no face further away could change it (else more neighbours, then
every face, for that face alone). ``exact=True`` compares all pairs (the reference the tests
and benchmarks/people_scale.py hold the graph to); by default all pairs are compared below
GRAPH_FROM faces, where that is faster (benchmarks/people_scale.py: 3.8 s against 6.4 s at
10,000 faces, 121 s against 65 s at 50,000).
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
NEAR_K, NEAR_MAX = 32, 512  # neighbours looked at for cliques: first, and at most (a clique's size)
SCORE_K = (32, 256)  # nearest members looked at to score people for a face, then if unsure
MEASURED = 256  # a person up to this many members is measured whole when near a face
GRAPH_FROM = 25_000  # faces from which the graph is faster than every pair
UNSURE = object()  # a decision the nearest members cannot prove


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


def plan(faces: list[Face], vectors: np.ndarray, th: Thresholds = Thresholds(), exact: bool | None = None) -> Plan:
    """What to change: free faces that join people, and the new people to start."""
    out = Plan()
    if not faces:
        return out
    exact = len(faces) < GRAPH_FROM if exact is None else exact
    members = _members(faces)
    pool = [i for i, f in enumerate(faces) if f.free and f.person_id is None]
    joined = _joins(faces, vectors, pool, members, th, exact)
    out.joins += [(faces[i].id, p) for i, p in joined.items()]
    pool = [i for i in pool if i not in joined]
    cliques = _cliques(faces, vectors, pool, th, exact)
    in_clique = {i for c in cliques for i in c}
    pool = [i for i in pool if i not in in_clique]
    # Faces that were near a new person's first faces join it (anchored on those only).
    new_members = {-(n + 1): c for n, c in enumerate(cliques)}
    later = _joins(faces, vectors, pool, members | new_members, th, exact)
    groups = [list(c) for c in cliques]
    for i, p in later.items():
        if p < 0:
            groups[-p - 1].append(i)
        else:
            out.joins.append((faces[i].id, p))
    out.new_people = [[faces[i].id for i in g] for g in groups]
    return out


def _person_scores(faces, vectors, rows, members, people) -> tuple[np.ndarray, np.ndarray]:
    """For faces ``rows`` and each of ``people``: the mean distance to the person's 3 nearest
    members and the nearest one (every member measured)."""
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
    return scores, nearest


class _Scores:
    """People scored for faces: the mean distance to each person's nearest members (up to 3)
    and the nearest one. ``decide(rows, choose)`` calls ``choose(face index, seen, bound)``
    with ``seen`` {person: (score, nearest)} for the people among the face's nearest members
    and ``bound``, below which no other person scores; ``choose`` answers UNSURE when those
    cannot settle it, and the face is asked again with more members, then with every person."""

    def __init__(self, faces, vectors, members, exact: bool):
        self.faces, self.vectors, self.members, self.people = faces, vectors, members, list(members)
        self.nearest = None
        self.unsure = 0  # faces that needed every person (benchmarks/people_scale.py reports it)
        if not exact:
            from photoapp.core.faces.neighbours import Nearest

            self.cols = np.concatenate([members[p] for p in self.people])
            self.owner = np.repeat(np.arange(len(self.people)), [len(members[p]) for p in self.people])
            self.nearest = Nearest(vectors[self.cols])

    def decide(self, rows: list[int], choose) -> dict[int, object]:
        out: dict[int, object] = {}
        todo = list(rows)
        for k in SCORE_K if self.nearest is not None else ():
            unsure = []
            for start in range(0, len(todo), CHUNK):
                chunk = todo[start : start + CHUNK]
                labels, dists = self.nearest.query(self.vectors[chunk], k)
                whole = k >= self.nearest.n  # every member seen: nothing unseen
                for r, i in enumerate(chunk):
                    bound = np.inf if whole else float(dists[r, -1]) - 1e-6  # the graph's distances are float32
                    answer = choose(i, self._seen(i, labels[r]), bound)
                    if answer is UNSURE:
                        unsure.append(i)
                    else:
                        out[i] = answer
            todo = unsure
        self.unsure = len(todo)
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start : start + CHUNK]
            scores, nearest = _person_scores(self.faces, self.vectors, chunk, self.members, self.people)
            for r, i in enumerate(chunk):
                seen = {p: (float(scores[r, k]), float(nearest[r, k])) for k, p in enumerate(self.people)}
                out[i] = choose(i, seen, np.inf)
        return out

    def _seen(self, i: int, labels: np.ndarray) -> dict[int, tuple[float, float]]:
        """Scores of the people among the face's nearest members: every member of a person up
        to MEASURED members is measured (the graph may miss one), a larger person's nearest
        members are the graph's; distances in float64, as every-pair scores have them."""
        near: dict[int, list[int]] = {}
        for label in labels:
            near.setdefault(int(self.owner[label]), []).append(int(self.cols[label]))
        seen = {}
        for k, found in near.items():
            p = self.people[k]
            whole = len(self.members[p]) <= MEASURED or (len(found) < 3 and len(found) < len(self.members[p]))
            ds = np.sort(distances(self.vectors[[i]], self.vectors[self.members[p] if whole else found])[0])[:3]
            seen[p] = (float(ds.mean()), float(ds[0]))
        return seen


def _join_choice(seen: dict, bound: float, th: Thresholds):
    """(person, score) the face may join, None, or UNSURE (see _Scores)."""
    ranked = sorted(seen.items(), key=lambda item: item[1][0])
    if not ranked:
        return None if bound >= th.join else UNSURE
    p, (best, nearest) = ranked[0]
    second = ranked[1][1][0] if len(ranked) > 1 else np.inf
    if best <= bound:  # the best of all people (no unseen one scores below ``bound``)
        if best > th.join or nearest > th.join_nearest or second - best < th.margin:
            return None
        return (p, best) if bound - best >= th.margin else UNSURE  # an unseen one within the margin?
    return None if bound >= th.join else UNSURE


def _joins(faces, vectors, pool, members, th, exact=False) -> dict[int, int]:
    """Free faces (indices) -> the person each joins."""
    if not pool or not members:
        return {}
    photos_of = {p: {faces[i].photo_id for i in idx} for p, idx in members.items()}
    wanted: dict[tuple[int, int], tuple[float, int]] = {}  # (photo, person) -> best (score, face)
    chosen = _Scores(faces, vectors, members, exact).decide(pool, lambda _i, seen, bound: _join_choice(seen, bound, th))
    for i in pool:
        if chosen[i] is None:
            continue
        p, score = chosen[i]
        if p in faces[i].rejected or faces[i].photo_id in photos_of[p]:
            continue
        key = (faces[i].photo_id, p)
        if key not in wanted or score < wanted[key][0]:
            wanted[key] = (score, i)
    return {i: p for (_, p), (_, i) in wanted.items()}


def _near(vectors, photo, core, exact) -> list[dict[int, float]]:
    """For each vector: the others within ``core`` from other photos (with distances). From the
    graph: at most NEAR_MAX of them (the nearest), which only ever makes a clique smaller."""
    near: list[dict[int, float]] = []
    if exact:
        for start in range(0, len(vectors), CHUNK):
            d = distances(vectors[start : start + CHUNK], vectors)
            for r, row in enumerate(d):
                close = np.flatnonzero((row <= core) & (photo != photo[start + r]))
                near.append({int(j): float(row[j]) for j in close})
        return near
    from photoapp.core.faces.neighbours import Nearest

    found = Nearest(vectors).within(vectors, core, NEAR_K, NEAR_MAX)
    for k, (idx, d) in enumerate(found):
        keep = photo[idx] != photo[k]
        near.append(dict(zip(idx[keep].tolist(), d[keep].tolist(), strict=True)))
    for k, others in enumerate(near):  # a pair the graph found from one side only counts both ways
        for j, d in others.items():
            near[j].setdefault(k, d)
    return near


def _cliques(faces, vectors, pool, th, exact=False) -> list[list[int]]:
    """Groups of ``min_faces`` or more large faces from distinct photos, all mutually within ``core``."""
    starters = [i for i in pool if faces[i].px >= th.min_start_px]
    if len(starters) < th.min_faces:
        return []
    photo = np.array([faces[i].photo_id for i in starters])
    near = _near(vectors[starters], photo, th.core, exact)  # for each starter: the others within ``core``
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


def suggestions(
    faces: list[Face], vectors: np.ndarray, th: Thresholds = Thresholds(), exact: bool | None = None
) -> list[tuple[int, int, float]]:
    """(face id, person id, distance) for unknown faces near a person they could belong to:
    the person whose nearest members (mean of up to 3) are closest, within ``suggest``, not
    rejected for the face, without a face in the face's photo already. Nearest first."""
    members = _members(faces)
    pool = [i for i, f in enumerate(faces) if f.person_id is None]
    if not pool or not members:
        return []
    in_photo: dict[int, set[int]] = {}  # photo -> the people it shows already
    for p, idx in members.items():
        for i in idx:
            in_photo.setdefault(faces[i].photo_id, set()).add(p)

    def choose(i: int, seen: dict, bound: float):
        excluded = faces[i].rejected | in_photo.get(faces[i].photo_id, set())
        allowed = [(score, p) for p, (score, _) in seen.items() if p not in excluded]
        best, p = min(allowed, default=(np.inf, None))
        if best <= bound:  # the nearest of all allowed people
            return (p, best) if best <= th.suggest else None
        return None if bound >= th.suggest else UNSURE

    exact = len(faces) < GRAPH_FROM if exact is None else exact
    chosen = _Scores(faces, vectors, members, exact).decide(pool, choose)
    out = [(faces[i].id, c[0], float(c[1])) for i, c in chosen.items() if c is not None]
    return sorted(out, key=lambda s: s[2])
