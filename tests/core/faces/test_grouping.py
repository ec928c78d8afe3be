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
