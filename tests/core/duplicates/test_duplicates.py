"""Duplicate detection: tiers on real-photo variants, the Hamming search, capped grouping,
the keeper rule."""

from __future__ import annotations

import numpy as np
import pytest

from photoapp.core.duplicates import finder as duplicates
from photoapp.core.duplicates import hamming_index, keeper, near
from photoapp.core.duplicates.finder import DupeSettings, Pair, Tier
from photoapp.core.media import fingerprint
from photoapp.core.media.scanner import file_hash
from photoapp.core.store.catalog import Photo
from tests.core.duplicates.dupe_variants import build_set, catalogue, pair_scores, prints_of


def _photo(pid, path, w=100, h=100, size=1000, mtime=0.0, fmt="JPEG", digest=None) -> Photo:
    return Photo(pid, path, None, size, mtime, digest or f"h{pid}", w, h, None, 0, None, 1, fmt, 0.0)


def _groups(photos, fps, tiers, settings=None):
    settings = settings or DupeSettings()
    pairs = duplicates.exact_pairs(photos) if Tier.EXACT in tiers else []
    if Tier.NEAR in tiers:
        prints, colours = prints_of(photos, fps)
        pairs += duplicates.near_pairs(prints, settings.near_max_bits, None, colours, None, {p.id: p for p in photos})
    sharp = {p.id: f.sharpness for p, f in zip(photos, fps)}
    return duplicates.build_groups(duplicates.link(pairs, settings.group_cap), {p.id: p for p in photos}, sharp)


def test_near_tier_precision_and_recall_on_real_photo_variants(shared_photos, tmp_path):
    photos = sorted(shared_photos.glob("*.jpg"))
    families, distinct = photos[1::3], [p for i, p in enumerate(photos) if i % 3 != 1][:10]
    truth, exact = build_set(families + distinct, tmp_path / "set", len(families))
    cat, fps = catalogue(sorted(truth))
    # A family here is 30 files (original, 2 byte copies, 27 edits): past the default group
    # cap of 24, which only guards against chains of look-alikes.
    groups = _groups(cat, fps, duplicates.tiers_up_to("near"), DupeSettings(group_cap=32))
    precision, recall = pair_scores([g.paths for g in groups], truth)
    assert precision >= 0.95 and recall >= 0.9, (precision, recall)
    # Byte-identical copies are tier exact on their own, and the exact edge inside a near group.
    exact_groups = _groups(cat, fps, duplicates.tiers_up_to("exact"))
    assert {g.tier for g in exact_groups} == {Tier.EXACT}
    assert {frozenset(g.paths) for g in exact_groups} == {
        frozenset({str(copy), str(copy).replace("_copy", "")}) for copy in exact
    }
    for g in groups:
        by_id = {p.id: p.path for p in g.photos}
        for pair in g.pairs:
            if pair.tier == Tier.EXACT:
                assert file_hash(by_id[pair.a]) == file_hash(by_id[pair.b])


def test_distinct_real_photos_are_far_apart(shared_photos):
    _, fps = catalogue([str(p) for p in sorted(shared_photos.glob("*.jpg"))])
    closest = min(
        fingerprint.hamming(a.phash, b.phash) + fingerprint.hamming(a.dhash, b.dhash)
        for i, a in enumerate(fps)
        for b in fps[i + 1 :]
    )
    assert closest > DupeSettings().near_max_bits


def test_hamming_search_equals_brute_force():
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 2**63, size=1500, dtype=np.int64).view(np.uint64) << np.uint64(1)
    for k in range(300):  # plant neighbours at 0..12 bits
        flips = rng.choice(64, size=int(rng.integers(0, 13)), replace=False)
        codes[1000 + k % 500] = codes[k] ^ np.uint64(sum(1 << int(b) for b in flips))
    uniq, _ = hamming_index.unique_codes(codes)
    i, j, d = hamming_index.pairs_within(uniq, 11)
    dist = fingerprint.popcount(uniq[:, None] ^ uniq[None, :])
    bi, bj = np.nonzero(np.triu(dist <= 11, 1))
    assert set(zip(i.tolist(), j.tolist())) == set(zip(bi.tolist(), bj.tolist()))
    assert np.array_equal(d, dist[i, j])


def test_hamming_search_equals_brute_force_with_crowded_buckets():
    """Codes whose chunks take few values: many codes share a bucket and neighbouring
    buckets, where each pair of buckets is probed once (from the lower key)."""
    rng = np.random.default_rng(8)
    values = rng.integers(0, 1 << 16, size=(4, 6))
    codes = np.zeros(2000, dtype=np.uint64)
    for c in range(4):
        chunk = values[c][rng.integers(0, 6, 2000)] ^ (1 << rng.integers(0, 16, 2000)) * (rng.random(2000) < 0.5)
        codes |= chunk.astype(np.uint64) << np.uint64(16 * c)
    uniq, _ = hamming_index.unique_codes(codes)
    dist = fingerprint.popcount(uniq[:, None] ^ uniq[None, :])
    for radius in (7, 11):
        i, j, d = hamming_index.pairs_within(uniq, radius)
        bi, bj = np.nonzero(np.triu(dist <= radius, 1))
        assert set(zip(i.tolist(), j.tolist())) == set(zip(bi.tolist(), bj.tolist())), radius
        assert np.array_equal(d, dist[i, j])
        assert len(bi) > 1000


def test_shared_chunk_probe_finds_every_pair_with_a_common_chunk():
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 2**63, size=800, dtype=np.int64).view(np.uint64) << np.uint64(1)
    for k in range(200):
        flips = rng.choice(64, size=int(rng.integers(1, 12)), replace=False)
        codes[600 + k] = codes[k] ^ np.uint64(sum(1 << int(b) for b in flips))
    uniq, _ = hamming_index.unique_codes(codes)
    i, j, _ = hamming_index.pairs_within(uniq, 11, flips=0)
    chunks = [(uniq >> np.uint64(16 * c)) & np.uint64(0xFFFF) for c in range(4)]
    dist = fingerprint.popcount(uniq[:, None] ^ uniq[None, :])
    share = np.any([c[:, None] == c[None, :] for c in chunks], axis=0)
    bi, bj = np.nonzero(np.triu((dist <= 11) & share, 1))
    assert set(zip(i.tolist(), j.tolist())) == set(zip(bi.tolist(), bj.tolist()))
    assert len(bi) < np.count_nonzero(np.triu(dist <= 11, 1))  # some close pairs share no chunk


def test_near_tier_at_scale_takes_candidates_from_the_vector_index(monkeypatch):
    """Past NEAR_EXACT_LIMIT the Hamming search only probes shared chunks; the k-NN of the
    vector index (a near copy embeds almost identically) brings back what it misses."""
    from photoapp.core.store.vector_index import VectorIndex

    rng = np.random.default_rng(5)
    n, dim = 1200, 64
    ids = np.arange(1, n + 1)
    ph, dh = (rng.integers(0, 2**63, n, dtype=np.int64).view(np.uint64) for _ in range(2))
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    for k in range(300):  # copies of photos 0..299 at up to 11 + 11 bits, similar embeddings
        for codes in (ph, dh):
            flips = rng.choice(64, size=int(rng.integers(3, 12)), replace=False)
            codes[900 + k] = codes[k] ^ np.uint64(sum(1 << int(b) for b in flips))
        vectors[900 + k] = vectors[k] + 0.05 * rng.standard_normal(dim)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    settings = DupeSettings()
    exact = {(p.a, p.b) for p in near.near_pairs(ids, ph, dh, settings.near_max_bits)}
    assert len(exact) >= 290
    monkeypatch.setattr(duplicates, "NEAR_EXACT_LIMIT", 100)
    edges = duplicates.knn(VectorIndex.build(ids, vectors, dim), ids, vectors, settings)
    chunks_only = {
        (p.a, p.b) for p in near.near_pairs(ids, ph, dh, settings.near_max_bits, (np.zeros(0, int), np.zeros(0, int)))
    }
    at_scale = {(p.a, p.b) for p in near.near_pairs(ids, ph, dh, settings.near_max_bits, edges[:2])}
    assert chunks_only < exact and len(chunks_only) < 0.9 * len(exact)
    assert at_scale == exact


def test_near_tier_at_scale_without_turned_hashes_yet():
    """A large library whose fingerprints predate the turned hashes (pose -1 everywhere:
    catalogued before migration 10, not refreshed yet) still gets its near pairs from the
    vector index's neighbours: the turned search has nothing to search and is skipped (it
    raised an IndexError on the empty set at 1,000,000 photos)."""
    rng = np.random.default_rng(6)
    n = 50
    ids = np.arange(1, n + 1)
    ph, dh = (rng.integers(0, 2**63, n, dtype=np.int64).view(np.uint64) for _ in range(2))
    ph[1], dh[1] = ph[0] ^ np.uint64(0b101), dh[0] ^ np.uint64(0b11)
    none = np.zeros(n, np.uint64), np.zeros(n, np.uint64), np.full(n, -1)
    neighbours = (np.array([1, 3]), np.array([2, 4]))
    found = near.near_pairs(ids, ph, dh, DupeSettings().near_max_bits, neighbours, turned=none)
    assert {frozenset((p.a, p.b)) for p in found} == {frozenset((1, 2))}


def test_groups_are_transitive_but_capped():
    chain = [Pair(k, k + 1, Tier.NEAR, 4.0, "chain") for k in range(1, 100)]
    linked = duplicates.link(chain, cap=10)
    sizes = [len({x for e in edges for x in (e.a, e.b)}) for _, edges in linked.values()]
    assert max(sizes) == 10 and sum(sizes) == 100
    triangle = duplicates.link([Pair(1, 2, Tier.EXACT, 1, ""), Pair(2, 3, Tier.SIMILAR, 0.95, "")], cap=10)
    assert [t for t, _ in triangle.values()] == [Tier.SIMILAR]  # the loosest edge names the group
    big_exact = duplicates.link([Pair(1, k, Tier.EXACT, 1, "") for k in range(2, 50)], cap=10)
    assert len(next(iter(big_exact.values()))[1]) == 48  # identical copies are never split


def test_dismissed_pairs_are_dropped():
    pairs = [Pair(1, 2, Tier.NEAR, 3, ""), Pair(2, 3, Tier.NEAR, 3, "")]
    kept = duplicates.drop_dismissed(pairs, {1: "a", 2: "b", 3: "c"}, {("a", "b")})
    assert [(p.a, p.b) for p in kept] == [(2, 3)]


def test_keeper_rule_resolution_then_sharpness_then_size_then_age():
    big = _photo(1, "/p/small_but_old.jpg", 200, 100, mtime=1)
    bigger = _photo(2, "/p/large.jpg", 400, 200, mtime=5)
    assert keeper.choose([big, bigger])[0] is bigger
    assert "highest resolution" in keeper.choose([big, bigger])[1]
    sharp, soft = _photo(3, "/p/a.jpg", size=10), _photo(4, "/p/b.jpg", size=99)
    chosen, why = keeper.choose([sharp, soft], {3: 500.0, 4: 100.0})
    assert chosen is sharp and "sharpest" in why
    close = keeper.choose([sharp, soft], {3: 500.0, 4: 480.0})  # within 10 %: size decides
    assert close[0] is soft and "largest file" in close[1]
    old, new = _photo(5, "/p/x copy.jpg", mtime=1), _photo(6, "/p/x.jpg", mtime=9)
    assert keeper.choose([new, old])[0] is old and "oldest" in keeper.choose([new, old])[1]
    twin_a, twin_b = _photo(7, "/p/IMG_1 (2).jpg", mtime=3), _photo(8, "/p/IMG_1.jpg", mtime=3)
    assert keeper.choose([twin_a, twin_b])[0] is twin_b  # not named like a copy
    png, jpg = _photo(9, "/p/a.png", fmt="PNG", size=500), _photo(10, "/p/a.jpg", fmt="JPEG", size=500)
    assert keeper.choose([jpg, png])[0] is png


@pytest.mark.parametrize(
    "tier,expected", [("exact", ("exact",)), ("near", ("exact", "near")), ("all", ("exact", "near", "similar"))]
)
def test_tier_selection(tier, expected):
    assert tuple(map(str, duplicates.tiers_up_to(tier))) == expected
