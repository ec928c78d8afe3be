"""Issue 28, the parts that were missing: crops well beyond the whole-frame radius are found
(their hashes match the part of the original they kept), and a pale single-hue photo's
colourways are not offered through one of its colour-edited copies."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from photoapp.core.duplicates import colour, crops, hamming_index, near
from photoapp.core.media import fingerprint
from photoapp.core.store import catalog as catalog_module
from photoapp.core.store import fingerprints as fingerprint_store
from photoapp.core.store.catalog import Catalog
from photoapp.core.store.fingerprints import FingerprintStore
from tests.core.duplicates.dupe_variants import make_family, make_traps, near_groups, old_catalog

CROP_EDITS = ("half", "crop12", "crop16", "crop20", "crop_corner10", "crop_corner15")
COLOUR_EDITS = ("half", "rot90", "mirror_q60", "warm", "cool", "bright", "desat")


def _groups(rows: list[tuple[str, str]]):
    return near_groups(rows)


def _stem(path: str) -> str:
    return Path(path).stem.split("_")[0]


def _family_of(groups, rows):
    group_of = {path: k for k, g in enumerate(groups) for path in g.paths}
    original = {_stem(path): path for path, kind in rows if kind == "original"}
    return group_of, original


def test_crops_up_to_a_fifth_of_each_side_join_their_original_and_colourways_do_not(shared_photos, tmp_path):
    rows = []
    for name in ("Dune.jpg", "LadyBird.jpg", "Garden.jpg"):
        rows += [(str(p), k) for p, k in make_family(shared_photos / name, tmp_path, CROP_EDITS)]
        rows += [(str(p), k) for p, k in make_traps(shared_photos / name, tmp_path)]
    groups = _groups(rows)
    group_of, original = _family_of(groups, rows)
    for path, kind in rows:
        if kind.startswith("crop"):
            assert group_of.get(path) == group_of.get(original[_stem(path)]) is not None, (path, kind)
        if kind.startswith("hue"):
            assert path not in group_of, path
    reasons = " ".join(p.reason for g in groups for p in g.pairs)
    assert "cropped to the centre" in reasons and "cropped to the bottom-right" in reasons


def test_a_pale_single_hue_photo_keeps_its_colour_edits_but_not_its_colourways(shared_photos, tmp_path):
    """Wood.jpg: bare wood, one pale hue. Its cool white balance is as green as its 60°
    colourway, so the colourway agreed with that copy and joined the family through it."""
    rows = [(str(p), k) for p, k in make_family(shared_photos / "Wood.jpg", tmp_path, COLOUR_EDITS)]
    rows += [(str(p), k) for p, k in make_traps(shared_photos / "Wood.jpg", tmp_path)]
    groups = _groups(rows)
    offered = {path for g in groups for path in g.paths}
    assert [p for p, k in rows if k.startswith("hue") and p in offered] == []
    family = [g for g in groups if rows[0][0] in g.paths]
    assert len(family) == 1
    kept = {k for p, k in rows if p in family[0].paths}
    assert {"copy", "exif", "half", "rot90", "mirror_q60", "warm", "bright"} <= kept, kept


def test_colour_agreement_does_not_depend_on_the_order_of_the_photos():
    rng = np.random.default_rng(5)
    for _ in range(300):
        a = rng.normal(0, 1, (8, 8, 3)) * [10, 4, 4] + [50, *rng.normal(0, 15, 2)]
        b = a * [1, *rng.uniform(0.5, 1.6, 1).repeat(2)] + [0, *rng.normal(0, 7, 2)]
        ta, tb = rng.uniform(0, 0.3, 2)
        assert colour.agree(a, ta, b, tb) == colour.agree(b, tb, a, ta)


def test_a_crop_hashes_like_the_part_of_the_original_it_kept(shared_photos):
    from PIL import Image

    img = Image.open(shared_photos / "Dune.jpg").convert("RGB")
    whole = fingerprint.compute(img)
    parts = fingerprint.windows_array(whole.windows)
    assert parts.shape == (len(fingerprint.WINDOWS), 2) == (fingerprint_store.WINDOWS, 2)
    w, h = img.size
    for k, (left, top, right, bottom) in enumerate(fingerprint.WINDOWS):
        cut = fingerprint.compute(img.crop((round(left * w), round(top * h), round(right * w), round(bottom * h))))
        bits = fingerprint.hamming(int(parts[k, 0]), cut.phash) + fingerprint.hamming(int(parts[k, 1]), cut.dhash)
        assert bits <= crops.CROP_MAX_BITS, (k, bits)
    # The colour grid of a part, resampled from the whole, agrees with the crop's own.
    cut = fingerprint.compute(img.crop((0, 0, round(0.84 * w), round(0.84 * h))))
    resampled = colour.colours(colour.window(fingerprint.grid_array(whole.grid), fingerprint.WINDOWS[8]), whole.tone)
    own = colour.colours(fingerprint.grid_array(cut.grid), cut.tone)
    assert colour.agree_colours(resampled, own) == (True, "")
    assert colour.shift(resampled, own) < colour.MAX_SHIFT


def test_cross_search_equals_brute_force():
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 2**63, 400, dtype=np.int64).view(np.uint64)
    queries = codes[rng.integers(0, 400, 300)] ^ (np.uint64(1) << rng.integers(0, 64, 300).astype(np.uint64))
    queries = np.concatenate([queries, rng.integers(0, 2**63, 300, dtype=np.int64).view(np.uint64)])
    q, i, d = hamming_index.pairs_between(queries, codes, 7)
    dist = fingerprint.popcount(queries[:, None] ^ codes[None, :])
    expected = set(zip(*np.nonzero(dist <= 7)))
    assert set(zip(q.tolist(), i.tolist())) == {(int(a), int(b)) for a, b in expected}
    assert (d == dist[q, i]).all()


def test_a_crop_is_compared_with_its_part_on_a_looser_layout_rule(shared_photos, tmp_path):
    """The part's colour grid is resampled from the original's 8x8 grid: smoother than the
    crop's own, so their chroma layouts correlate less than two whole copies' do
    (Dragonfly's 20 % centre crop: 0.82 against the 0.85 whole copies need)."""
    rows = [(str(p), k) for p, k in make_family(shared_photos / "Dragonfly_by_Bolly.jpg", tmp_path, ("crop20",))]
    rows = [r for r in rows if r[1] in ("original", "crop20")]
    groups = _groups(rows)
    assert [sorted(g.paths) for g in groups] == [sorted(p for p, _ in rows)]
    assert "cropped to the centre" in groups[0].pairs[0].reason


def test_only_a_crop_is_held_to_the_looser_layout_rule_of_parts():
    """The grouping compares a photo with the part of another its hashes are closest to;
    only a photo closer to that part than to the whole frame (a crop) gets the looser
    layout rule: a recoloured copy (a colourway has the very same grey structure) is held
    to the rule of whole copies."""
    rng = np.random.default_rng(3)
    phash, dhash = (rng.integers(0, 2**63, 3, dtype=np.int64).view(np.uint64) for _ in range(2))
    windows = rng.integers(0, 2**63, (3, len(fingerprint.WINDOWS), 2), dtype=np.int64).view(np.uint64)
    windows[0, 0] = phash[0] ^ np.uint64(0b111), dhash[0] ^ np.uint64(0b11)  # part 0 is 5 bits from the whole
    phash[1], dhash[1] = phash[0] ^ np.uint64(1 << 60), dhash[0]  # photo 1: the whole frame, 1 bit off
    phash[2], dhash[2] = windows[0, 4, 0], windows[0, 4, 1] ^ np.uint64(1)  # photo 2: part 4, 1 bit off
    parts = near._Parts(np.array([10, 11, 12]), phash, dhash, windows)
    assert parts.kept(10, 11) == (0, False)
    assert parts.kept(10, 12) == (4, True)
    # On colours: a layout correlating at 0.80 with the part's passes for a crop only.
    grid = np.zeros((8, 8, 3))
    grid[..., 0] = 60
    grid[..., 1] = np.linspace(-20, 20, 64).reshape(8, 8)
    grid[..., 2] = 10 + 15 * np.sin(np.arange(64) / 5).reshape(8, 8)
    part = colour.window(grid, fingerprint.WINDOWS[0])
    layout = lambda g: (g[..., 1] + 1j * g[..., 2]) - (g[..., 1] + 1j * g[..., 2]).mean()  # noqa: E731
    noise = layout(rng.normal(0, 1, (8, 8, 3)))
    noise -= np.vdot(layout(part), noise).real / np.vdot(layout(part), layout(part)).real * layout(part)
    noise *= 0.75 * np.linalg.norm(layout(part)) / np.linalg.norm(noise)  # correlation 1 / sqrt(1 + 0.75^2) = 0.8
    crop = part.copy()
    crop[..., 1] += noise.real
    crop[..., 2] += noise.imag
    check = near._ColourCheck(None)
    check.known = {1: (grid, 0.3), 2: (crop, 0.3)}
    assert check.part(1, 2, 0, crop=True) == (True, "")
    assert check.part(1, 2, 0, crop=False) == (False, "")


def test_crop_search_finds_a_planted_crop_by_hashes_and_by_neighbours():
    rng = np.random.default_rng(8)
    n, k = 50, len(fingerprint.WINDOWS)
    phash, dhash = (rng.integers(0, 2**63, n, dtype=np.int64).view(np.uint64) for _ in range(2))
    windows = rng.integers(0, 2**63, (n, k, 2), dtype=np.int64).view(np.uint64)
    phash[7], dhash[7] = windows[3, 9, 0] ^ np.uint64(1 << 5), windows[3, 9, 1]  # photo 7 is part 9 of photo 3
    windows[11] = 0  # a photo fingerprinted before the windows: never searched as a whole
    for neighbours in (None, (np.array([3]), np.array([7]))):
        whole, crop, window, dp, dd = crops.crop_pairs(phash, dhash, windows, neighbours)
        assert list(zip(whole.tolist(), crop.tolist(), window.tolist())) == [(3, 7, 9)]
        assert (dp + dd).tolist() == [1]
    assert crops.describe(9) == "cropped to the top-right 84 %"
    assert crops.describe(1) == "cropped to the centre 84 %"


def test_crop_search_by_neighbours_looks_both_ways_and_skips_photos_without_parts():
    """At scale only the vector index's neighbour pairs are checked, part by part, whichever
    photo of a pair is the crop; a photo fingerprinted before the part hashes (all zero)
    has no parts, so a nearly blank frame (hashes of few bits) is no crop of it."""
    rng = np.random.default_rng(9)
    n, k = 20, len(fingerprint.WINDOWS)
    phash, dhash = (rng.integers(0, 2**63, n, dtype=np.int64).view(np.uint64) for _ in range(2))
    windows = rng.integers(0, 2**63, (n, k, 2), dtype=np.int64).view(np.uint64)
    phash[7], dhash[7] = windows[3, 2, 0], windows[3, 2, 1] ^ np.uint64(1 << 40)  # photo 7 is part 2 of photo 3
    windows[11] = 0
    phash[12], dhash[12] = np.uint64(0b101), np.uint64(0)
    neighbours = (np.array([7, 11, 5]), np.array([3, 12, 6]))
    whole, crop, window, dp, dd = crops.crop_pairs(phash, dhash, windows, neighbours)
    assert list(zip(whole.tolist(), crop.tolist(), window.tolist(), (dp + dd).tolist())) == [(3, 7, 2, 1)]


def test_schema_11_catalog_migrates_and_its_fingerprints_are_due_again(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    old_catalog(path, 11, "(photo_id, phash, dhash, sharpness, version) VALUES (1, -5, 7, 12.5, 2)")
    cat = Catalog(path)
    assert cat.db.execute("PRAGMA user_version").fetchone()[0] == catalog_module.SCHEMA_VERSION
    store = FingerprintStore(cat)
    prints = store.load()
    assert prints.windows.shape == (1, fingerprint_store.WINDOWS, 2) and not prints.windows.any()
    assert store.missing(fingerprint.VERSION) == [(1, "/p/a.jpg")]
    cat.close()
