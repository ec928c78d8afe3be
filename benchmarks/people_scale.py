"""Grouping at library scale: all pairs (before) and the HNSW graph (now), side by side.

    python benchmarks/people_scale.py [--sizes 10000 50000 100000] [--exact-up-to 50000]

Made-up 128-number faces shaped like dlib's (a person's faces ~0.4 apart, people ~0.85
apart, some lookalike pairs ~0.5 apart, a third of the faces strangers seen once). Two
runs per size: the first index of a library (every face unknown) and an incremental one
(70 % of the faces already in people, the rest new). Process CPU seconds of
``grouping.plan`` and ``grouping.suggestions``; where both ran, whether their decisions are
the same. Writes benchmarks/results/people_scale.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import table, write_results  # noqa: E402


def made_up_faces(n: int, seed: int = 27, known: float = 0.0):
    """(faces, vectors): ~30 faces a person, a third of the faces strangers; ``known`` of the
    people's faces already assigned to their person."""
    from photoapp.core.faces import grouping

    rng = np.random.default_rng(seed)
    people = max(1, int(n * 2 / 3) // 30)
    centres = rng.normal(scale=0.85 / 16, size=(people, 128))
    twins = rng.choice(people, size=people // 20 * 2, replace=False)  # lookalike pairs: a centre near another
    centres[twins[1::2]] = centres[twins[::2]] + rng.normal(scale=0.45 / 16, size=(len(twins[1::2]), 128))
    who = np.concatenate([rng.integers(0, people, size=int(n * 2 / 3)), -np.ones(n - int(n * 2 / 3), int)])
    spread = rng.uniform(0.3, 0.5, size=n) / 16
    vectors = (
        np.where((who >= 0)[:, None], centres[np.maximum(who, 0)], rng.normal(scale=0.85 / 16, size=(n, 128)))
        + rng.normal(size=(n, 128)) * spread[:, None]
    )
    photo = rng.permutation(n) // 2  # two faces a photo, on average
    faces = []
    for i in range(n):
        assigned = who[i] >= 0 and rng.random() < known
        px = float(rng.choice([40.0, 120.0], p=[0.15, 0.85]))
        person = int(who[i]) + 1 if assigned else None
        faces.append(grouping.Face(i, int(photo[i]), px, person, not assigned))
    return faces, vectors, who


def run(faces, vectors, exact: bool):
    from photoapp.core.faces import grouping

    start = time.process_time()
    plan = grouping.plan(faces, vectors, exact=exact)
    middle = time.process_time()
    offered = grouping.suggestions(faces, vectors, exact=exact)
    return plan, offered, middle - start, time.process_time() - middle


def differences(old_plan, new_plan, old_offered, new_offered) -> int:
    """Joins, new people and suggestions that one way made and the other did not."""
    groups = [{tuple(sorted(g)) for g in plan.new_people} for plan in (old_plan, new_plan)]
    offers = [{(f, p) for f, p, _ in offered} for offered in (old_offered, new_offered)]
    return len(set(old_plan.joins) ^ set(new_plan.joins)) + len(groups[0] ^ groups[1]) + len(offers[0] ^ offers[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--exact-up-to", type=int, default=50_000, help="all pairs only up to this many faces")
    args = parser.parse_args()
    rows, data = [], {}
    for n in args.sizes:
        for label, known in (("first index", 0.0), ("incremental", 0.7)):
            faces, vectors, who = made_up_faces(n, known=known)
            new_plan, new_offered, new_plan_s, new_sugg_s = run(faces, vectors, exact=False)
            entry = {"graph_plan_s": round(new_plan_s, 2), "graph_suggestions_s": round(new_sugg_s, 2)}
            old = ["-", "-", "-"]
            if n <= args.exact_up_to:
                old_plan, old_offered, old_plan_s, old_sugg_s = run(faces, vectors, exact=True)
                differ = differences(old_plan, new_plan, old_offered, new_offered)
                old = [f"{old_plan_s:.1f}", f"{old_sugg_s:.1f}", "same" if not differ else f"{differ} differ"]
                entry |= {"pairs_plan_s": round(old_plan_s, 2), "pairs_suggestions_s": round(old_sugg_s, 2)}
                entry["decisions_that_differ"] = differ
            joined = len(new_plan.joins) + sum(map(len, new_plan.new_people))
            rows.append(
                [f"{n:,}", label, old[0], f"{new_plan_s:.1f}", old[1], f"{new_sugg_s:.1f}", old[2], f"{joined:,}"]
            )
            data[f"{n}-{label}"] = entry | {"faces_placed": joined, "new_people": len(new_plan.new_people)}
            print(rows[-1], flush=True)
    head = ["faces", "run", "plan: pairs s", "plan: graph s", "suggest: pairs s", "suggest: graph s"]
    head += ["decisions", "placed"]
    print(table(head, rows, title="grouping, process CPU seconds"))
    print(f"\nwrote {write_results('people_scale', data)}")


if __name__ == "__main__":
    main()
