"""The HNSW index: growth, deletions, k beyond size, atomic persistence, stale detection."""

from __future__ import annotations

import numpy as np
import pytest

from photoapp.core.store.hnsw_file import IndexFileDamaged, check_index_file
from photoapp.core.store.vector_index import HnswParams, VectorIndex
from tests.conftest import file_size_limit


def _unit(n, dim=16, seed=0):
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_query_returns_nearest_and_cosine_scores():
    vectors = _unit(200)
    index = VectorIndex.build(np.arange(1, 201), vectors, 16)
    ids, scores = index.query(vectors[41], 5)
    assert ids[0] == 42 and abs(scores[0] - 1.0) < 1e-5 and list(scores) == sorted(scores, reverse=True)


def test_grows_beyond_initial_capacity_and_k_beyond_size_returns_all():
    index = VectorIndex(16, capacity=16)
    index.add(np.arange(100), _unit(100))
    assert len(index) == 100
    ids, _ = index.query(_unit(1, seed=5)[0], 1000)
    assert sorted(ids.tolist()) == list(range(100))


def test_deleted_items_never_come_back_and_readding_replaces():
    vectors = _unit(50)
    index = VectorIndex.build(np.arange(50), vectors, 16)
    index.remove([7, 8])
    ids, _ = index.query(vectors[7], 50)
    assert 7 not in ids and 8 not in ids and len(ids) == 48
    index.add(np.array([7]), vectors[9:10])  # same label, new vector
    ids, scores = index.query(vectors[9], 2)
    assert set(ids.tolist()) == {7, 9}


def test_filter_restricts_results():
    vectors = _unit(300)
    index = VectorIndex.build(np.arange(300), vectors, 16)
    ids, _ = index.query(vectors[0], 10, allowed={3, 5, 299})
    assert sorted(ids.tolist()) == [3, 5, 299]


def test_save_load_roundtrip_keeps_deletions(tmp_path):
    vectors = _unit(60)
    index = VectorIndex.build(np.arange(60), vectors, 16)
    index.remove([10])
    index.save(tmp_path / "m.hnsw", "model")
    loaded = VectorIndex.load(tmp_path / "m.hnsw", 16)
    assert loaded is not None and loaded.ids() == set(range(60)) - {10}
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_load_rejects_missing_corrupt_or_mismatched(tmp_path):
    assert VectorIndex.load(tmp_path / "none.hnsw", 16) is None
    index = VectorIndex.build(np.arange(10), _unit(10), 16)
    index.save(tmp_path / "m.hnsw", "model")
    assert VectorIndex.load(tmp_path / "m.hnsw", 32) is None  # another model's dimension
    (tmp_path / "m.hnsw").write_bytes(b"\x00" * 100)
    with pytest.raises(IndexFileDamaged):  # there but damaged: the caller rebuilds and says so
        VectorIndex.load(tmp_path / "m.hnsw", 16)


def test_params_are_used_and_an_index_built_with_others_is_not_loaded(tmp_path):
    from photoapp.core.store.vector_index import HnswParams

    params = HnswParams(m=8, ef_construction=40, ef=20)
    index = VectorIndex.build(np.arange(300), _unit(300), 16, params)
    assert (index._index.M, index._index.ef_construction, index._index.ef) == (8, 40, 20)
    ids, _ = index.query(_unit(1, seed=9)[0], 50)  # k beyond ef still returns k
    assert len(ids) == 50
    index.save(tmp_path / "m.hnsw", "model")
    loaded = VectorIndex.load(tmp_path / "m.hnsw", 16, HnswParams(m=8, ef_construction=40, ef=64))
    assert loaded is not None and loaded._index.ef == 64  # ef is a search-time choice
    assert VectorIndex.load(tmp_path / "m.hnsw", 16, HnswParams(m=16, ef_construction=40)) is None
    assert VectorIndex.load(tmp_path / "m.hnsw", 16, HnswParams(m=8, ef_construction=200)) is None


def test_params_come_from_library_settings():
    from photoapp.config import Settings
    from photoapp.core.store.vector_index import HnswParams

    s = Settings(hnsw_m=24, hnsw_ef_construction=150, hnsw_ef=300)
    assert HnswParams.from_settings(s) == HnswParams(24, 150, 300)
    assert HnswParams.from_settings(Settings(hnsw_m=0, hnsw_ef_construction=1, hnsw_ef=0)) == HnswParams(2, 8, 1)


def test_the_search_candidate_list_grows_with_the_library_beyond_100k():
    """A fixed ef finds less of the true top 10 as the graph grows (1M real-derived photos:
    0.76 at ef 512, 0.98 at 12,288): beyond 100k photos the list grows with the library."""
    params = HnswParams()
    assert [params.search_ef(n) for n in (10, 100_000)] == [params.ef, params.ef]
    assert params.ef < params.search_ef(200_000) < params.search_ef(1_000_000)
    assert 12_000 <= params.search_ef(1_000_000) <= 14_000
    assert HnswParams(ef=300, ef_growth=0).search_ef(5_000_000) == 300  # a fixed choice stays fixed


def test_a_query_walks_the_grown_list(monkeypatch):
    index = VectorIndex(4, params=HnswParams(ef=20))
    index.add(np.arange(1, 51), np.eye(4, dtype=np.float32)[np.arange(50) % 4] + 0.01)
    monkeypatch.setattr(HnswParams, "search_ef", lambda self, size: 40 if size == 50 else 1)
    index.query(np.ones(4, np.float32), 5)
    assert index._index.ef == 40
    index.query(np.ones(4, np.float32), 45)  # never fewer candidates than results asked for
    assert index._index.ef == 45


# -- damage and full disks (issue 29, findings 8 and 10) -------------------------------------
def _saved(tmp_path, n=300, dim=16):
    """An index of ``n`` photos saved as ``m.hnsw``, with its sidecar."""
    index = VectorIndex.build(np.arange(1, n + 1), _unit(n, dim), dim)
    index.remove([5])
    index.save(tmp_path / "m.hnsw", "model")
    return index, tmp_path / "m.hnsw"


def _damaged_copies(path):
    """(what, bytes) of the saved file with one kind of damage each."""
    good = path.read_bytes()
    yield "empty", b""
    yield "header only", good[:96]
    yield "truncated", good[: len(good) // 2]
    yield "extra bytes", good + b"\0" * 8
    for offset in range(0, 96, 8):  # every header field in turn
        yield f"header+{offset}", good[:offset] + b"\xff" * 8 + good[offset + 8 :]
    link = 96 + 4  # the first neighbour of element 0's level-0 list
    yield "level-0 link", good[:link] + b"\xff\xff\x00\x00" + good[link + 4 :]
    tail = 96 + 300 * (4 + 32 * 4 + 16 * 4 + 8)  # element 0's upper-level byte length
    yield "upper-level length", good[:tail] + b"\x07\x00\x00\x00" + good[tail + 4 :]


def test_the_file_check_finds_every_kind_of_damage_without_a_checksum(tmp_path):
    """A file saved by an older Photoapp has no recorded CRC: the structural walk alone
    must find each damage before hnswlib reads the file (no hnswlib call here)."""
    _, path = _saved(tmp_path)
    check_index_file(path, 16, 300)  # the good file passes
    for what, data in _damaged_copies(path):
        bad = tmp_path / "bad.hnsw"
        bad.write_bytes(data)
        with pytest.raises(IndexFileDamaged):
            check_index_file(bad, 16, 300)
            pytest.fail(f"{what}: not found")


def test_flipped_vector_bytes_are_found_by_the_checksum(tmp_path):
    index, path = _saved(tmp_path)
    data = bytearray(path.read_bytes())
    data[96 + 4 + 32 * 4 + 7] ^= 0x40  # inside element 0's vector: the structure still holds
    path.write_bytes(bytes(data))
    check_index_file(path, 16, 300)
    with pytest.raises(IndexFileDamaged, match="checksum"):
        VectorIndex.load(path, 16)


def test_a_full_disk_never_replaces_the_saved_index(tmp_path):
    """hnswlib's save ignores write errors: with the file size limited (EFBIG, as a full
    disk gives ENOSPC) the save fails with an OSError and the previous file stays."""
    index, path = _saved(tmp_path)
    before = path.read_bytes(), path.with_suffix(".json").read_bytes()
    index.add(np.arange(1000, 1400), _unit(400, seed=3))
    with file_size_limit(len(before[0]) + 1000), pytest.raises(OSError, match="short"):
        index.save(path, "model")
    assert (path.read_bytes(), path.with_suffix(".json").read_bytes()) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert VectorIndex.load(path, 16).ids() == set(range(1, 301)) - {5}


def test_a_full_tmpfs_never_replaces_the_saved_index(small_disk):
    """The same on a real filesystem that runs out of space (ENOSPC)."""
    index, path = _saved(small_disk, n=100, dim=64)
    before = path.read_bytes()
    index.add(np.arange(1000, 2500), _unit(1500, 64, seed=3))  # 630 kB: more than the disk holds
    with pytest.raises(OSError):
        index.save(path, "model")
    assert path.read_bytes() == before
    assert VectorIndex.load(path, 64).ids() == set(range(1, 101)) - {5}
    assert not [p for p in small_disk.iterdir() if p.name.endswith(".tmp")]


WRITER = """
import sys
from pathlib import Path
import numpy as np
from photoapp.core.store.vector_index import VectorIndex
rng = np.random.default_rng(0)
vectors = rng.normal(size=(3000, 16)).astype(np.float32)
index = VectorIndex.build(np.arange(1, 2001), vectors[:2000], 16)
for i in range(2001, 2061):  # 60 saves, each one photo more
    index.add(np.array([i]), vectors[i - 1 : i])
    index.save(Path(sys.argv[1]), "model")
"""


def test_a_reader_never_takes_a_save_in_progress_for_damage(tmp_path):
    """Another process saves the index over and over while this one loads it: every load
    finds a whole, matching file and its sidecar (the sidecar, written first, describes the
    new file and the previous one), never a damaged one."""
    import subprocess
    import sys

    path = tmp_path / "m.hnsw"
    VectorIndex.build(np.arange(1, 2001), _unit(2000), 16).save(path, "model")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)])
    loads = 0
    try:
        while writer.poll() is None or loads < 5:
            index = VectorIndex.load(path, 16)  # IndexFileDamaged would fail the test
            assert index is not None and set(range(1, 2001)) <= index.ids() <= set(range(1, 2061))
            loads += 1
    finally:
        writer.wait(timeout=120)
    assert writer.returncode == 0
    assert VectorIndex.load(path, 16).ids() == set(range(1, 2061))
