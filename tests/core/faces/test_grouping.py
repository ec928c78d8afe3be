"""Grouping faces into people on made-up embeddings whose distances are chosen: the rules
of core/faces/grouping.py (cliques, no chains, one person per photo, small faces, margins)."""

from __future__ import annotations

import numpy as np

from photoapp.core.faces import grouping
from photoapp.core.faces.service import find_names

RNG = np.random.default_rng(27)


def _around(centre: np.ndarray, radius: float) -> np.ndarray:
    """A point at ``radius`` from ``centre`` in a random direction."""
    step = RNG.normal(size=centre.shape)
    return centre + radius * step / np.linalg.norm(step)


def _person(n: int, spread: float = 0.15) -> list[np.ndarray]:
    centre = RNG.normal(size=128) * 0.1
    return [_around(centre, spread) for _ in range(n)]


def _faces(vectors, photos=None, px=100.0, people=None):
    faces = []
    for i, _ in enumerate(vectors):
        person = people[i] if people else None
        faces.append(grouping.Face(i + 1, photos[i] if photos else i + 1, px, person, person is None))
    return faces, np.array(vectors)


def test_three_mutually_close_faces_start_a_person_two_do_not():
    a, b = _person(3), _person(2)
    faces, vectors = _faces(a + b)
    plan = grouping.plan(faces, vectors)
    assert sorted(map(sorted, plan.new_people)) == [[1, 2, 3]]
    assert plan.joins == []


def test_a_chain_of_lookalikes_never_becomes_one_person():
    # A-B and B-C are close (0.45), A-C far apart (0.9): no three faces are mutually close.
    a = np.zeros(128)
    c = np.zeros(128)
    c[0] = 0.9
    b = np.zeros(128)
    b[0], b[1] = 0.45, 0.05
    faces, vectors = _faces([a, b, c])
    assert grouping.plan(faces, vectors).new_people == []


def test_two_faces_of_one_photo_are_never_one_person():
    vecs = _person(4, spread=0.1)
    faces, vectors = _faces(vecs, photos=[1, 1, 2, 3])
    plan = grouping.plan(faces, vectors)
    grouped = [f for group in plan.new_people for f in group] + [f for f, _ in plan.joins]
    assert not {1, 2} <= set(grouped)
    assert len(plan.new_people) == 1


def test_small_faces_never_start_a_person_but_may_join_one():
    vecs = _person(4, spread=0.1)
    small, _ = _faces(vecs, px=30.0)
    assert grouping.plan(small, np.array(vecs)).new_people == []
    faces, vectors = _faces(vecs)
    faces[3].px = 30.0
    plan = grouping.plan(faces, vectors)
    assert sorted(sum(plan.new_people, [])) == [1, 2, 3, 4]


def test_a_face_between_two_people_stays_unknown():
    a, b = _person(3, 0.1), _person(3, 0.1)
    ca, cb = np.mean(a, axis=0), np.mean(b, axis=0)
    middle = (ca + cb) / 2
    people = [1, 1, 1, 2, 2, 2, None]
    faces, vectors = _faces(a + b + [middle], people=people)
    # Pull the two people near enough that the middle face is close to both.
    scale = 0.4 / np.linalg.norm(ca - cb)
    vectors = np.array([middle + (v - middle) * scale for v in vectors])
    assert grouping.plan(faces, vectors).joins == []


def test_a_close_face_joins_unless_rejected_or_its_photo_already_has_the_person():
    vecs = _person(4, 0.1)
    faces, vectors = _faces(vecs, people=[7, 7, 7, None])
    assert grouping.plan(faces, vectors).joins == [(4, 7)]
    faces[3].rejected = frozenset({7})
    assert grouping.plan(faces, vectors).joins == []
    faces[3].rejected = frozenset()
    faces[3].photo_id = faces[0].photo_id
    assert grouping.plan(faces, vectors).joins == []


def test_faces_a_user_decided_about_are_never_moved():
    vecs = _person(4, 0.1)
    faces, vectors = _faces(vecs, people=[7, 7, 7, None])
    faces[3].free = False  # removed from person 7 by hand: stays unknown
    assert grouping.plan(faces, vectors).joins == []


def test_suggestions_offer_the_nearest_person_never_a_rejected_one():
    vecs = _person(3, 0.1) + [None]
    vecs[3] = _around(np.mean(vecs[:3], axis=0), 0.45)
    faces, vectors = _faces(vecs, people=[5, 5, 5, None])
    assert [(f, p) for f, p, _ in grouping.suggestions(faces, vectors)] == [(4, 5)]
    faces[3].rejected = frozenset({5})
    assert grouping.suggestions(faces, vectors) == []


def test_names_found_in_free_text():
    names = {1: "Ada", 2: "Ben", 3: "Ada Lovelace"}
    assert find_names("Ada beach", names) == ([1], "beach")
    assert find_names("Ada and Ben", names) == ([1, 2], "")
    assert find_names("ada lovelace 2019", names) == ([3], "2019")
    assert find_names("Adam at the beach", names) == ([], "Adam at the beach")


def _library(n: int, known: float, seed: int = 5):
    """Faces shaped like dlib's: people ~30 faces each (a face ~0.3-0.5 from the others of
    its person), people ~0.85 apart, lookalike pairs ~0.6, a third strangers; ``known`` of
    the people's faces already assigned."""
    rng = np.random.default_rng(seed)
    people = n * 2 // 3 // 30
    centres = rng.normal(scale=0.85 / 16, size=(people, 128))
    centres[1::10] = centres[::10][: len(centres[1::10])] + rng.normal(scale=0.45 / 16, size=(len(centres[1::10]), 128))
    who = np.concatenate([rng.integers(0, people, n * 2 // 3), -np.ones(n - n * 2 // 3, int)])
    base = np.where((who >= 0)[:, None], centres[np.maximum(who, 0)], rng.normal(scale=0.85 / 16, size=(n, 128)))
    vectors = base + rng.normal(size=(n, 128)) * rng.uniform(0.3, 0.5, (n, 1)) / 16
    photo = rng.permutation(n) // 2
    faces = []
    for i in range(n):
        person = int(who[i]) + 1 if who[i] >= 0 and rng.random() < known else None
        faces.append(grouping.Face(i, int(photo[i]), float(rng.choice([40.0, 120.0])), person, person is None))
    return faces, vectors


def test_the_neighbour_graph_takes_the_same_decisions_as_every_pair():
    for known in (0.0, 0.7):  # a library's first index; a later one
        faces, vectors = _library(2400, known)
        graph, pairs = grouping.plan(faces, vectors, exact=False), grouping.plan(faces, vectors, exact=True)
        assert sorted(graph.joins) == sorted(pairs.joins)
        assert sorted(map(sorted, graph.new_people)) == sorted(map(sorted, pairs.new_people))
        assert len(pairs.new_people) > 40 if known == 0 else len(pairs.joins) > 400  # decisions were taken
        offered = grouping.suggestions(faces, vectors, exact=False)
        assert [(f, p) for f, p, _ in offered] == [
            (f, p) for f, p, _ in grouping.suggestions(faces, vectors, exact=True)
        ]


def test_a_face_the_nearest_members_cannot_settle_is_compared_with_everyone():
    # A person of 300 faces close around the face, and another person just farther: the
    # nearest 32, then 256 members are all the first person's, and a second person within
    # the margin could hide behind them: the face is measured against everyone, and joins the
    # first only because the second is (just) beyond the margin.
    centre = RNG.normal(size=128) * 0.1
    big = [_around(centre, 0.2) for _ in range(300)]
    other = [_around(centre + _around(np.zeros(128), 0.25), 0.1) for _ in range(3)]
    face = _around(centre, 0.05)
    faces, vectors = _faces(big + other + [face], people=[1] * 300 + [2] * 3 + [None])
    members = grouping._members(faces)
    scores = grouping._Scores(faces, vectors, members, exact=False)
    chosen = scores.decide([303], lambda _i, seen, bound: grouping._join_choice(seen, bound, grouping.Thresholds()))
    assert scores.unsure == 1 and chosen[303][0] == 1
    exact = grouping._Scores(faces, vectors, members, exact=True)
    assert chosen == exact.decide(
        [303], lambda _i, seen, bound: grouping._join_choice(seen, bound, grouping.Thresholds())
    )
    assert grouping.plan(faces, vectors, exact=False).joins == grouping.plan(faces, vectors, exact=True).joins
