"""Photos named by path (core/store/lookup.py): the one rule marks and tags resolve paths by."""

from __future__ import annotations

import pytest

from photoapp.core.errors import InvalidInput
from photoapp.core.store.catalog import Catalog
from photoapp.core.store.lookup import photos_at


def test_paths_name_photos_once_in_order_and_a_stranger_is_named(tmp_path, monkeypatch):
    cat = Catalog(tmp_path / "c.sqlite3")
    folder = tmp_path / "p"
    row = {"folder_id": None, "size": 10, "mtime": 1.0, "width": 4, "height": 3, "taken": 5.0, "added": 0.0}
    with cat.transaction():
        a = cat.upsert_photo({**row, "path": str(folder / "a.jpg"), "hash": "h1"})
        b = cat.upsert_photo({**row, "path": str(folder / "b.jpg"), "hash": "h2"})
        cat.set_companion(b, str(folder / "b.cr2"), "raw")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(folder))
    named = photos_at(cat, ["p/b.cr2", str(folder / "a.jpg"), "~/a.jpg", folder / "b.jpg"])
    assert [p.id for p in named] == [b, a]  # relative, ~, a pair's RAW; each photo once
    with pytest.raises(InvalidInput, match=f"^not in the library: {tmp_path / 'p' / 'c.jpg'}$"):
        photos_at(cat, ["p/a.jpg", "p/c.jpg"])
    assert photos_at(cat, []) == []
    cat.close()
