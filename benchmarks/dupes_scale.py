"""How long grouping duplicates takes at library scale (not a timed test).

Builds a real catalog of N synthetic photos (rows, pHash/dHash fingerprints, 512-d unit
embeddings in scenes of look-alikes) with planted exact copies, near copies (a few bits
flipped) and similar shots (fixtures.planted_copies), takes the HNSW index from the
benchmark cache (built and timed apart, shared with search_scale.py: a library already
has it), then times each stage of ``duplicates.find`` and the whole call, prints a table
and how many planted copies ended up grouped with their original.

    python benchmarks/dupes_scale.py                 # 100,000 photos (target 30 s)
    python benchmarks/dupes_scale.py -n 100000,1000000   # and 1,000,000 (target 5 min)
    python benchmarks/dupes_scale.py -n 20000 --dim 256

Writes benchmarks/results/dupes_scale.json (one entry per size).
    python benchmarks/dupes_scale.py --variants      # edits and traps on random halves of real photos
    python benchmarks/dupes_scale.py --crops         # crops of each size found beside their originals
    python benchmarks/dupes_scale.py --small         # one photo, one edit, its colourways: found? offered?
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import cached_index, fill_catalog, library_vectors, planted_copies, write_results  # noqa: E402

from photoapp.core.duplicates import finder as duplicates  # noqa: E402
from photoapp.core.duplicates import near as near_tier  # noqa: E402
from photoapp.core.duplicates.finder import DupeSettings, Tier  # noqa: E402
from photoapp.core.media import fingerprint  # noqa: E402
from photoapp.core.store.catalog import Catalog  # noqa: E402
from photoapp.core.store.fingerprints import FingerprintStore  # noqa: E402
from photoapp.core.store.vector_index import HnswParams  # noqa: E402


def synth(n: int, dim: int, seed: int = 0):
    """Content hashes, fingerprints and embeddings of an n-photo library with the copies of
    fixtures.planted_copies: exact ones share every value, near ones differ by a few hash
    bits (and embed at cosine ~0.999), similar shots only embed close (~0.96)."""
    rng = np.random.default_rng(seed)
    copies = planted_copies(n, seed)
    base, exact, near = copies["base"], copies["exact"], copies["near"]
    digests = np.array([f"{i:032x}" for i in range(n)], dtype=object)
    phash = rng.integers(0, 2**63, n, dtype=np.int64).view(np.uint64) ^ (rng.integers(0, 2, n).astype(np.uint64) << 63)
    dhash = rng.integers(0, 2**63, n, dtype=np.int64).view(np.uint64)
    digests[exact] = digests[base[exact]]
    for arr in (phash, dhash):
        arr[exact] = arr[base[exact]]
        flips = np.zeros(len(near), dtype=np.uint64)
        for _ in range(8):  # up to 8 bits per hash: 16 of 128, inside the near radius of 22
            flips |= np.uint64(1) << rng.integers(0, 64, len(near)).astype(np.uint64)
        arr[near] = arr[base[near]] ^ flips
    turned = _turned(rng, phash, dhash, base, exact, near)
    shot_time = np.arange(n, dtype=np.float64) * 60.0  # a minute apart...
    shot_time[copies["similar"]] = shot_time[base[copies["similar"]]] + 1.5  # ...but a burst's frames
    turned += (shot_time, ["Bench Camera#1"] * n, _windows(rng, phash, dhash, turned[3], base, exact, near))
    return digests, (phash, dhash, *turned), library_vectors(n, dim)


def _windows(rng, phash, dhash, grids, base, exact, near):
    """Window hashes (see photoapp/core/duplicates/crops.py): random parts, the same for an
    exact copy and a bit off for a near one, except that a tenth of the near copies are
    crops, whose whole-frame hashes (and colour grid) are one of their original's parts
    (hashes a bit off), so the crop search finds work."""
    from photoapp.core.duplicates.colour import window

    n, k = len(phash), len(fingerprint.WINDOWS)
    parts = rng.integers(0, 2**63, (n, k, 2), dtype=np.int64).view(np.uint64)
    parts[exact] = parts[base[exact]]
    parts[near] = parts[base[near]] ^ (np.uint64(1) << rng.integers(0, 64, (len(near), k, 2)).astype(np.uint64))
    crops = near[rng.random(len(near)) < 0.1]
    which = rng.integers(0, k, len(crops))
    for arr, col in ((phash, 0), (dhash, 1)):
        flip = np.uint64(1) << rng.integers(0, 64, len(crops)).astype(np.uint64)
        arr[crops] = parts[base[crops], which, col] ^ flip
    for i, k in zip(crops.tolist(), which.tolist()):
        lab = window(fingerprint.grid_array(grids[base[i]]), fingerprint.WINDOWS[k])
        lab[..., 0] /= 2
        grids[i] = np.clip(np.round(lab), -128, 127).astype(np.int8).tobytes()
    return [parts[i].astype("<u8").tobytes() for i in range(n)]


def _turned(rng, phash, dhash, base, exact, near):
    """Canonical-pose hashes, poses and colour grids for the synthetic library: copies keep
    their original's colours (and turn hashes, a few bits off); a fifth of the near copies
    are mirrored or rotated (another pose), so both searches have work to do."""
    n = len(phash)
    turn_p = rng.integers(0, 2**63, n, dtype=np.int64).view(np.uint64)
    turn_d = rng.integers(0, 2**63, n, dtype=np.int64).view(np.uint64)
    pose = rng.integers(0, 8, n)
    grids = [rng.integers(-20, 60, 192, dtype=np.int8).tobytes() for _ in range(n)]
    for arr in (turn_p, turn_d):
        arr[exact] = arr[base[exact]]
        arr[near] = arr[base[near]] ^ (np.uint64(1) << rng.integers(0, 64, len(near)).astype(np.uint64))
    pose[exact] = pose[base[exact]]
    pose[near] = np.where(rng.random(len(near)) < 0.2, (pose[base[near]] + 1) % 8, pose[base[near]])
    for i in np.concatenate([exact, near]):
        grids[i] = grids[base[i]]
    return turn_p, turn_d, pose, grids


def timed(label: str, rows: list, fn, *args, repeat: int = 1):
    """Run ``fn``; record its best wall and CPU seconds of ``repeat`` runs (CPU time, all
    threads, is what other users of a shared machine disturb least)."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn(*args)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    rows.append((label, min(walls), min(cpus), len(result) if hasattr(result, "__len__") else ""))
    return result


TARGET_S = {100_000: 30, 1_000_000: 300}


def run_scale(n: int, dim: int, cache: Path) -> dict:
    model, s = "bench", DupeSettings()
    with tempfile.TemporaryDirectory() as tmp:
        cat = Catalog(Path(tmp) / "catalog.sqlite3")
        print(f"generating {n:,} photos ({dim}-d)...", file=sys.stderr)
        digests, hashes, vectors = synth(n, dim)
        fill_catalog(cat, vectors, model, digests, hashes)
        rows: list = []
        index, build_s = cached_index(vectors, HnswParams(), cache, "clustered")
        rows.append(("build HNSW index (once per library, not grouping)", build_s, float("nan"), len(index)))
        photos = timed("load photo rows", rows, lambda: {p.id: p for p in cat.all_photos(order="id")})
        store = FingerprintStore(cat)
        fp = timed("load fingerprints", rows, store.load)
        ids, vecs = timed("load embeddings", rows, cat.embeddings, model)
        exact = timed("exact pairs (hash buckets)", rows, duplicates.exact_pairs, list(photos.values()))
        edges = timed("k-NN of every photo (HNSW)", rows, duplicates.knn, index, ids, vecs, s)
        large = duplicates.at_scale(len(fp))
        repeat = 1 if large else 2  # past the exact search the near stages take a minute each
        guard = near_tier.guard_for(store.colours, fp.ids, fp.turn, (fp.phash, fp.dhash, fp.windows))
        as_is = dataclasses.replace(fp, turn=np.full(len(fp), -1), windows=None)  # the search before issue 28
        timed(
            "  (for comparison: near pairs as is, no turn, no colours)",
            rows,
            duplicates.near_pairs,
            as_is,
            s.near_max_bits,
            edges[:2] if large else None,
            repeat=repeat,
        )
        near = timed(
            f"near pairs ({'shared chunks + k-NN' if large else 'multi-index Hamming'}, as is + turned, colours)",
            rows,
            duplicates.near_pairs,
            fp,
            s.near_max_bits,
            edges[:2] if large else None,
            store.colours,
            guard,
            repeat=repeat,
        )
        shots = duplicates.Shots(fp.known(fp.shot_time), {int(i): c for i, c in zip(fp.ids, fp.camera) if c})
        similar = timed("similar pairs (from the k-NN)", rows, duplicates.similar_pairs, edges, shots, s)
        linked = timed("capped closure", rows, duplicates.link, exact + near + similar, s.group_cap, guard)
        timed("keepers", rows, duplicates.build_groups, linked, photos, {})
        groups = timed("TOTAL duplicates.find(all)", rows, duplicates.find, cat, index, model, s, duplicates.TIERS)
        cat.close()
    print(f"\n{n:,} photos, {dim}-d embeddings, {os.cpu_count()} CPUs")
    print(f"{'stage':<64} {'seconds':>8} {'CPU s':>8} {'items':>9}")
    for label, seconds, cpu, count in rows:
        print(f"{label:<64} {seconds:8.2f} {cpu:8.2f} {count:>9}")
    tiers = {str(t): sum(g.tier == t for g in groups) for t in Tier}
    copies = planted_copies(n)
    group_of = {path: k for k, g in enumerate(groups) for path in g.paths}
    path = "/bench/{:06d}.jpg".format
    recovered = {
        kind: int(sum(group_of.get(path(i), -1) == group_of.get(path(copies["base"][i]), -2) for i in copies[kind]))
        for kind in ("exact", "near", "similar")
    }
    print(
        "planted copies grouped with their original:",
        ", ".join(f"{kind} {recovered[kind]:,}/{len(copies[kind]):,}" for kind in recovered),
    )
    print("groups:", ", ".join(f"{t}: {c:,}" for t, c in tiers.items()))
    total = rows[-1][1]
    target = TARGET_S.get(n)
    if target:
        print(f"grouping {total:.1f} s, target {target} s: {'met' if total <= target else 'NOT met'}")
    return {
        "n": n,
        "dim": dim,
        "grouping_s": round(total, 2),
        "target_s": target,
        "stages": {label.strip(): round(seconds, 2) for label, seconds, _, _ in rows},
        "stages_cpu_s": {label.strip(): round(cpu, 2) for label, _, cpu, _ in rows if cpu == cpu},
        "groups": tiers,
        "planted_copies_grouped": {kind: [recovered[kind], len(copies[kind])] for kind in recovered},
    }


def run_variants(folder: Path | None, splits: int, seed: int, out: str = "dupes_variants") -> None:
    """Precision and recall of the exact + near tiers per kind of edit, and how many traps
    (colourways, toy shapes of other colours and places) are offered, on random halves of
    the photos (``splits`` times two halves, each grouped on its own): nothing is tuned to
    one half. Any other folder of photos (--photos) checks the rules on pictures they have
    never seen."""
    from tests.core.duplicates.dupe_variants import catalogue, make_family, make_traps, prints_of, toy_traps

    photos = _photos(folder)
    with tempfile.TemporaryDirectory() as tmp:
        rows = []  # (path, picture id, kind, photo number or -1 for a toy)
        for k, src in enumerate(photos):
            rows += [(str(p), k, kind, k) for p, kind in make_family(src, Path(tmp))]
            rows += [(str(p), f"{k}-{kind}", kind, k) for p, kind in make_traps(src, Path(tmp))]
        rows += [(str(p), f"toy{n}", kind, -1) for n, (p, kind) in enumerate(toy_traps(Path(tmp) / "toys"))]
        cat, fps = catalogue([r[0] for r in rows])
    rows, cat, fps = _without_grey_colourways(rows, cat, fps, photos, number=3)
    results = {}
    for split in range(splits):
        order = np.random.default_rng(seed + split).permutation(len(photos))
        for name, half in (("A", order[: len(photos) // 2]), ("B", order[len(photos) // 2 :])):
            chosen = set(half.tolist()) | {-1}
            keep = [i for i, r in enumerate(rows) if r[3] in chosen]
            photos_half = [cat[i] for i in keep]
            prints, colours = prints_of(photos_half, [fps[i] for i in keep])
            # A family here is 30 files (original, 2 byte copies, 27 edits): past the default
            # group cap of 24, which only guards against chains of look-alikes.
            s = DupeSettings(group_cap=32)
            start = time.perf_counter()
            guard = near_tier.guard_for(colours, prints.ids, prints.turn, (prints.phash, prints.dhash, prints.windows))
            pairs = duplicates.exact_pairs(photos_half)
            pairs += duplicates.near_pairs(
                prints, s.near_max_bits, None, colours, guard, {p.id: p for p in photos_half}
            )
            groups = duplicates.build_groups(duplicates.link(pairs, s.group_cap, guard), {p.id: p for p in photos_half})
            seconds = time.perf_counter() - start
            score = _variant_scores([rows[i][:3] for i in keep], [g.paths for g in groups])
            results[f"{split}{name}"] = {"photos": sorted(photos[i].name for i in half), **score}
            results[f"{split}{name}"]["grouping_s"] = round(seconds, 3)
    _print_variants(results, len(photos))
    result = {"photos": len(photos), "folder": str(folder or "shared/photos"), "seed": seed, "halves": results}
    print("wrote", write_results(out, result))


def _photos(folder: Path | None) -> list[Path]:
    """The JPEG photos of ``folder`` (default ../shared/photos): the byte copies made of
    each are named .jpg, and one of them gets an EXIF block, a JPEG segment."""
    folder = folder or Path(__file__).resolve().parent.parent.parent / "shared" / "photos"
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg"))


def _without_grey_colourways(rows: list, cat: list, fps: list, photos: list[Path], number: int):
    """Rows (and their photos, fingerprints) less the colourways of photos without colour:
    a hue turn of a black-and-white photo is the same picture, not a trap. ``number``: the
    column of a row that holds its photo's number."""
    from tests.core.duplicates.dupe_variants import has_colour

    grey = {r[number] for r, fp in zip(rows, fps) if r[2] == "original" and not has_colour(fp)}
    if grey:
        print("colourways left out (no colour to turn):", ", ".join(photos[k].name for k in sorted(grey)))
    keep = [i for i, r in enumerate(rows) if not (r[2].startswith("hue") and r[number] in grey)]
    return [rows[i] for i in keep], [cat[i] for i in keep], [fps[i] for i in keep]


def run_small(folder: Path | None, out: str = "dupes_small") -> None:
    """The smallest libraries that can go wrong: for every photo and every kind of edit, a
    library of the original, that one edit and the photo's 3 colourways. No family to
    outvote a colourway: is the edit found, and is a colourway offered?"""
    from tests.core.duplicates.dupe_variants import catalogue, make_family, make_traps

    photos = _photos(folder)
    with tempfile.TemporaryDirectory() as tmp:
        rows = []  # (path, photo number, kind)
        for k, src in enumerate(photos):
            rows += [(str(p), k, kind) for p, kind in make_family(src, Path(tmp)) + make_traps(src, Path(tmp))]
        cat, fps = catalogue([r[0] for r in rows])
    rows, cat, fps = _without_grey_colourways(rows, cat, fps, photos, number=1)
    kinds = [k for k in dict.fromkeys(r[2] for r in rows) if k != "original" and not k.startswith("hue")]
    found, offered = dict.fromkeys(kinds, 0), dict.fromkeys(kinds, 0)
    for k in range(len(photos)):
        family = [i for i, r in enumerate(rows) if r[1] == k]
        original = next(i for i in family if rows[i][2] == "original")
        traps = [i for i in family if rows[i][2].startswith("hue")]
        for kind in kinds:
            edit = next(i for i in family if rows[i][2] == kind)
            keep = [original, edit, *traps]
            groups = _near_groups([cat[i] for i in keep], [fps[i] for i in keep])
            group_of = {path: g for g, group in enumerate(groups) for path in group}
            found[kind] += group_of.get(rows[edit][0], -1) == group_of.get(rows[original][0], -2)
            offered[kind] += sum(rows[t][0] in group_of for t in traps)
    n, colourways = len(photos), sum(r[2].startswith("hue") for r in rows)
    for kind in kinds:
        print(f"{kind:<14} found {found[kind]:>2}/{n}   colourways offered {offered[kind]}/{colourways}")
    total = sum(offered.values())
    print(f"colourways offered in all: {total} of {colourways * len(kinds)}")
    result = {"photos": n, "found": found, "colourways_offered": offered, "colourways_offered_total": total}
    print("wrote", write_results(out, result))


def _near_groups(photos: list, fps: list) -> list[list[str]]:
    """Exact + near groups (paths) of these catalogued photos, as ``duplicates.find`` forms them."""
    from tests.core.duplicates.dupe_variants import prints_of

    prints, colours = prints_of(photos, fps)
    s = DupeSettings()
    by_id = {p.id: p for p in photos}
    guard = near_tier.guard_for(colours, prints.ids, prints.turn, (prints.phash, prints.dhash, prints.windows))
    pairs = duplicates.exact_pairs(photos) + duplicates.near_pairs(prints, s.near_max_bits, None, colours, guard, by_id)
    return [g.paths for g in duplicates.build_groups(duplicates.link(pairs, s.group_cap, guard), by_id)]


CROP_CUTS = [(c, False) for c in (0.04, 0.08, 0.12, 0.16, 0.20, 0.24, 0.28)] + [
    (c, True) for c in (0.05, 0.1, 0.15, 0.2)
]


def run_crops(folder: Path | None, out: str = "dupes_crops") -> None:
    """Each crop (a share of each side cut, centred or all from the top-left corner) beside
    its original, one kind of crop at a time beside every photo: found directly (no other
    copies to chain through)? And does any group mix two photos?"""
    from tests.core.duplicates.dupe_variants import half_decode, near_groups

    photos = _photos(folder)
    found, mixed = {}, 0
    with tempfile.TemporaryDirectory() as tmp:
        for share, corner in CROP_CUTS:
            name = f"{'corner' if corner else 'centre'} {round(share * 100)} %"
            rows = []
            for src in photos:
                path = Path(tmp) / f"{src.stem}__{round(share * 100)}{'c' if corner else ''}.jpg"
                img = half_decode(src)
                w, h = img.size
                dx, dy = round(w * share / 2), round(h * share / 2)
                box = (2 * dx, 2 * dy, w, h) if corner else (dx, dy, w - dx, h - dy)
                img.crop(box).save(path, quality=90)
                rows += [(str(src), "original"), (str(path), name)]
            for g in near_groups(rows):
                stems = {Path(p).stem.split("__")[0] for p in g.paths}
                mixed += len(stems) > 1
                found[name] = found.get(name, 0) + (len(stems) == 1 and len(g.paths) == 2)
            print(f"{name:<12} found {found.get(name, 0)}/{len(photos)}", flush=True)
    print("groups mixing two photos:", mixed)
    print("wrote", write_results(out, {"photos": len(photos), "found": found, "groups_mixing_photos": mixed}))


def _variant_scores(rows, groups) -> dict:
    """Per kind of edit: recall (the copy is grouped with its original) and precision (its
    group holds no other picture); per trap: how many were offered with the original."""
    picture = {path: pid for path, pid, _ in rows}
    original = {pid: path for path, pid, kind in rows if kind == "original"}
    group_of = {path: k for k, g in enumerate(groups) for path in g}
    edits, traps = {}, {}
    for path, pid, kind in rows:
        if kind == "original":
            continue
        g = group_of.get(path)
        if kind in ("hue60", "hue120", "hue180", "toy"):
            offered = g is not None and any(picture[o] != pid for o in groups[g])
            traps.setdefault(kind, [0, 0])
            traps[kind][0] += offered
            traps[kind][1] += 1
            continue
        found = g is not None and group_of.get(original[pid]) == g
        clean = g is None or all(picture[o] == pid for o in groups[g])
        e = edits.setdefault(kind, {"found": 0, "n": 0, "clean": 0, "grouped": 0})
        e["found"] += found
        e["n"] += 1
        e["grouped"] += g is not None
        e["clean"] += g is not None and clean
    return {
        "edits": {
            k: {"recall": round(e["found"] / e["n"], 3), "precision": round(e["clean"] / max(1, e["grouped"]), 3)}
            for k, e in edits.items()
        },
        "traps_offered": {k: f"{v[0]}/{v[1]}" for k, v in traps.items()},
    }


def _print_variants(results: dict, n: int) -> None:
    halves = list(results)
    print(f"{n} photos, {len(halves)} random halves ({', '.join(halves)}); per half every photo, its edits, its traps")
    print("recall per half (precision where below 1)")
    for k in results[halves[0]]["edits"]:
        cells = []
        for h in halves:
            e = results[h]["edits"][k]
            cells.append(f"{e['recall']:.2f}" + (f"/P{e['precision']:.2f}" if e["precision"] < 1 else ""))
        print(f"{k:<14} " + " ".join(f"{c:>5}" for c in cells))
    for trap in results[halves[0]]["traps_offered"]:
        print(f"offered {trap:<8} " + " ".join(f"{results[h]['traps_offered'][trap]:>5}" for h in halves))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", default="100000", help="library sizes, comma-separated")
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--variants", action="store_true", help="near tier per kind of edit and trap on real photos")
    parser.add_argument("--photos", type=Path, help="for --variants: a folder of *.jpg (default ../shared/photos)")
    parser.add_argument("--crops", action="store_true", help="crops of each size beside their originals")
    parser.add_argument("--small", action="store_true", help="libraries of one photo, one edit and its colourways")
    parser.add_argument("--splits", type=int, default=5, help="for --variants: random splits into two halves")
    parser.add_argument("--seed", type=int, default=0, help="for --variants: seed of the first split")
    parser.add_argument(
        "--out", help="for --variants, --small, --crops: results file name (default dupes_variants, _small, _crops)"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "photoapp-bench",
        help="where built HNSW indexes are kept (shared with search_scale.py)",
    )
    args = parser.parse_args()
    if args.variants:
        run_variants(args.photos, args.splits, args.seed, args.out or "dupes_variants")
        return
    if args.crops:
        run_crops(args.photos, args.out or "dupes_crops")
        return
    if args.small:
        run_small(args.photos, args.out or "dupes_small")
        return
    sizes = [run_scale(int(n), args.dim, args.cache) for n in args.n.split(",")]
    print("wrote", write_results("dupes_scale", {"sizes": sizes}))


if __name__ == "__main__":
    main()
