"""Hand-made data of removed photos, kept by content hash for a grace period (issue 29)."""

from __future__ import annotations

from photoapp.core.store.catalog import Catalog
from photoapp.core.store.keepsakes import GRACE_DAYS, Keepsakes
from photoapp.core.store.probes import ProbeStore
from photoapp.core.store.tags import TagStore
from tests.core.store.test_catalog import _photo

DAY = 86400.0


def _removed_photo(cat, path, digest, when):
    """A photo with a manual, a rejected and an automatic tag and a taught-tag example, removed at ``when``."""
    with cat.transaction():
        pid = cat.upsert_photo(_photo(path, digest))
        TagStore(cat).put([(pid, "mine", "manual", None), (pid, "cat", "rejected", None), (pid, "dog", "auto", 0.4)])
    ProbeStore(cat).add_examples("view", [pid], positive=False)
    with cat.transaction():
        Keepsakes(cat).keep([pid], now=when)
        cat.delete_photos([pid])


def test_hand_made_data_comes_back_to_the_same_content_at_any_path(tmp_path):
    cat = Catalog(tmp_path / "c.sqlite3")
    _removed_photo(cat, "/p/a.jpg", "h1", when=1000 * DAY)
    with cat.transaction():
        back = cat.upsert_photo(_photo("/q/elsewhere.jpg", "h1"))
        other = cat.upsert_photo(_photo("/q/other.jpg", "h2"))
        assert Keepsakes(cat).restore([(back, "h1"), (other, "h2")]) == 1
    assert sorted(TagStore(cat).of_photo(back)) == [("cat", "rejected", None), ("mine", "manual", None)]
    assert TagStore(cat).of_photo(other) == [] and ProbeStore(cat).examples("view") == [(back, False)]
    assert Keepsakes(cat).count() == 0  # given back once


def test_kept_data_expires_after_the_grace_period(tmp_path):
    cat = Catalog(tmp_path / "c.sqlite3")
    _removed_photo(cat, "/p/old.jpg", "old", when=1000 * DAY)
    _removed_photo(cat, "/p/recent.jpg", "recent", when=(1000 + GRACE_DAYS - 1) * DAY)
    assert Keepsakes(cat).count() == 2  # the old one is within its grace period still
    _removed_photo(cat, "/p/new.jpg", "new", when=(1000 + GRACE_DAYS + 1) * DAY)
    with cat.transaction():
        old = cat.upsert_photo(_photo("/p/old.jpg", "old"))
        assert Keepsakes(cat).restore([(old, "old")]) == 0
    assert Keepsakes(cat).count() == 2 and TagStore(cat).of_photo(old) == []
