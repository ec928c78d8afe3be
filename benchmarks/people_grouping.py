"""Grouping quality on held-out halves of the dev faces, for a grid of thresholds.

    python benchmarks/people_grouping.py [--draws 40]

Faces of ../shared/faces/photos are found once (the app's FaceAnalyzer, defaults); then, for
each threshold pair (``core`` x ``join``) and each random half of the photos, grouping runs
on that half alone and is scored as the issue scores it: pairwise precision and recall over
photos of one person (two photos of the same person share a group: a true pair). The
thresholds are not chosen here (see core/faces/grouping.py: from the issue's measured
ranges); this shows that no choice near them mixes people on unseen subsets, and where
recall is lost (a half with fewer than ``min_faces`` photos of someone cannot start them).
Prints a table and writes benchmarks/results/people_grouping.json.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import table, write_results  # noqa: E402

FACES = Path(__file__).resolve().parent.parent.parent / "shared" / "faces"


def score(found: dict, ident: dict, chosen: list[str], th) -> tuple[int, int, int]:
    from photoapp.core.faces import grouping

    faces, vectors, owner = [], [], []
    for p, name in enumerate(chosen):
        for f in found[name]:
            faces.append(grouping.Face(len(faces), p, f.px, None, True))
            vectors.append(f.embedding)
            owner.append(name)
    if not faces:
        return 0, 0, 0
    plan = grouping.plan(faces, np.array(vectors), th)
    where: dict[str, set] = {}
    for face, person in plan.joins:
        where.setdefault(owner[face], set()).add(person)
    for k, group in enumerate(plan.new_people):
        for face in group:
            where.setdefault(owner[face], set()).add(-k - 1)
    single = [n for n in chosen if len(ident[n]) == 1]
    tp = fp = fn = 0
    for a, b in itertools.combinations(single, 2):
        same, together = ident[a] == ident[b], bool(where.get(a, set()) & where.get(b, set()))
        tp += same and together
        fp += (not same) and together
        fn += same and not together
    return tp, fp, fn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=40)
    args = parser.parse_args()
    from photoapp.core.faces import grouping
    from photoapp.core.faces.detector import FaceAnalyzer
    from photoapp.core.media.decoding import load_rgb

    rows = (FACES / "identities.tsv").read_text().splitlines()[1:]
    ident = {name: who.split(",") for name, who in (r.split("\t") for r in rows)}
    analyzer = FaceAnalyzer().load()
    found = {name: analyzer.analyze(load_rgb(FACES / "photos" / name, 768)[0]) for name in ident}
    names = sorted(ident)
    out, data = [], {}
    defaults = grouping.Thresholds()
    for core in (0.45, 0.50, 0.55, 0.60):
        for join in (0.45, 0.52, 0.58):
            th = grouping.Thresholds(core=core, join=join, join_nearest=join + 0.04)
            rng = random.Random(27)
            totals = np.zeros(3, int)
            for _ in range(args.draws):
                totals += score(found, ident, rng.sample(names, len(names) // 2 + 1), th)
            tp, fp, fn = totals
            precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
            mark = " (default)" if (core, join) == (defaults.core, defaults.join) else ""
            out.append([f"core {core:.2f} join {join:.2f}{mark}", f"{precision:.3f}", f"{recall:.3f}", fp])
            data[f"core={core},join={join}"] = {"precision": round(precision, 4), "recall": round(recall, 4)}
    print(table(["thresholds", "precision", "recall", "wrong pairs"], out, title=f"{args.draws} random halves"))
    print(f"\nwrote {write_results('people_grouping', data | {'draws': args.draws})}")


if __name__ == "__main__":
    main()
