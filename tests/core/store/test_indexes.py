"""The index registry: every loaded vector index, kept in step with the catalog."""

from __future__ import annotations

import numpy as np

from photoapp.config import Settings
from photoapp.core.store.catalog import Catalog
from photoapp.core.store.indexes import IndexRegistry


def _catalog(tmp_path, n: int, models=("a", "b"), dim: int = 8) -> Catalog:
    cat = Catalog(tmp_path / "catalog.sqlite3")
    rng = np.random.default_rng(0)
    with cat.transaction():
        for i in range(n):
            pid = cat.upsert_photo({"path": f"/p/{i}.jpg", "size": 1, "mtime": 1.0, "hash": f"{i:x}", "added": 0.0})
            for model in models:
                v = rng.normal(size=dim).astype(np.float32)
                cat.put_embeddings(model, [(pid, v / np.linalg.norm(v))])
    return cat


def test_indexes_are_built_from_the_catalog_saved_and_loaded_again(tmp_path):
    cat = _catalog(tmp_path, 30)
    settings = Settings(model="a")
    registry = IndexRegistry(cat, tmp_path / "index", settings, dim_of=lambda m: 8)
    assert registry.ids("a") == set(range(1, 31))
    assert registry.file("a").exists()  # rebuilt and saved at once
    again = IndexRegistry(cat, tmp_path / "index", settings, dim_of=lambda m: 8)
    assert again.stored("a", 8).ids() == registry.ids("a")
    assert again.models() == [] and again.ids("a") == set(range(1, 31)) and again.models() == ["a"]


def test_removals_reach_every_loaded_index_and_the_active_one(tmp_path):
    cat = _catalog(tmp_path, 10)
    registry = IndexRegistry(cat, tmp_path / "index", Settings(model="a"), dim_of=lambda m: 8)
    registry.get("b")  # only the other model's index is loaded
    with cat.transaction():
        cat.delete_photos([3, 4])
    registry.remove([3, 4])
    assert sorted(registry.models()) == ["a", "b"]  # the active model's index was loaded to follow
    assert 3 not in registry.ids("a") and 4 not in registry.ids("b")


def test_add_saves_when_the_last_save_is_old_and_refresh_follows_another_writer(tmp_path):
    cat = _catalog(tmp_path, 5, models=("a",))
    registry = IndexRegistry(cat, tmp_path / "index", Settings(model="a"), dim_of=lambda m: 8)
    vector = np.eye(8, dtype=np.float32)[:1]
    registry.add("a", np.array([99]), vector, save_every=0.0)
    assert 99 in registry.stored("a", 8).ids()  # saved: others see the progress
    other = Catalog(tmp_path / "catalog.sqlite3")  # another writer removes a photo
    with other.transaction():
        other.delete_photos([2])
    registry.refresh()
    assert 2 not in registry.ids("a")
    registry.drop("a")
    assert registry.models() == []


def test_a_damaged_index_is_rebuilt_with_a_warning_even_when_it_cannot_be_saved(tmp_path):
    """The damaged file is replaced by a rebuild from the catalog; on a full disk (here a
    file size limit) the rebuilt index still answers from memory, with a second warning."""
    from tests.conftest import file_size_limit

    cat = _catalog(tmp_path, 40)
    first = IndexRegistry(cat, tmp_path / "index", Settings(model="a"), dim_of=lambda m: 8)
    first.get("a")  # built from the catalog and saved
    index_file = first.file("a")
    for limit in (None, 64):
        data = bytearray(index_file.read_bytes())
        data[16:24] = b"\xff" * 8  # the element count
        index_file.write_bytes(bytes(data))
        warnings: list[str] = []
        registry = IndexRegistry(cat, tmp_path / "index", Settings(model="a"), dim_of=lambda m: 8, warn=warnings.append)
        if limit is None:
            assert registry.ids("a") == set(range(1, 41))
            assert len(warnings) == 1 and "damaged" in warnings[0] and "rebuilt" in warnings[0]
            assert registry.stored("a", 8).ids() == set(range(1, 41))  # the rebuild was saved
        else:
            with file_size_limit(limit):
                assert registry.ids("a") == set(range(1, 41))
            assert len(warnings) == 2 and "could not save" in warnings[1], warnings
            assert bytes(data) == index_file.read_bytes()  # nothing half-written in its place
