"""Issue 28 end to end through the Library: mirrored copies and bursts found with their
reasons, colourways not; a catalog from before migration 10 migrates, and its photos get
the new fingerprints from their files when duplicates are looked for, without re-embedding."""

from __future__ import annotations

import sqlite3

from PIL import Image

from photoapp.core.library import Library
from photoapp.core.media import fingerprint
from photoapp.core.store import catalog as catalog_module
from photoapp.core.store.catalog import Catalog
from photoapp.core.store.fingerprints import FingerprintStore
from tests.core.duplicates.dupe_variants import copy_and_burst_folder, hue_turn, old_catalog, toy_traps


def _folder(shared_photos, tmp_path):
    edits = {"mirrored": lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT), "colourway": hue_turn(120)}
    return copy_and_burst_folder(shared_photos, tmp_path / "photos", edits)


def test_mirrored_copy_and_burst_found_colourway_not(shared_photos, tmp_path):
    folder = _folder(shared_photos, tmp_path)
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.index_folders([str(folder)])
        groups = [g.as_dict() for g in lib.duplicates.find("all")]
    names = [sorted(p.rsplit("/", 1)[1] for p in g["paths"]) for g in groups]
    assert names == [["dune mirrored.jpg", "dune.jpg"], ["burst 0.jpg", "burst 1.jpg", "burst 2.jpg"]]
    near, burst = groups
    assert near["tier"] == "near" and near["suggest_trash"]
    assert near["pairs"][0]["reason"].startswith("same picture, mirrored")
    assert burst["tier"] == "similar" and not burst["suggest_trash"]
    assert all(p["reason"].startswith("burst: one camera, 0.") for p in burst["pairs"])


def test_an_older_catalog_migrates_and_gets_new_fingerprints_without_reembedding(shared_photos, tmp_path):
    folder = _folder(shared_photos, tmp_path)
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.index_folders([str(folder)])
        embedded = lib.catalog.count_embedded(lib.duplicates.model())
        path = lib.catalog.path
    db = sqlite3.connect(path)  # as a version 7 catalog would hold it: version 1 fingerprints
    db.execute("UPDATE fingerprints SET version=1, turn_phash=NULL, turn_dhash=NULL, turn=NULL, grid=NULL, tone=NULL")
    db.commit()
    db.close()
    with Library(tmp_path / "lib", model="toy") as lib:
        store = FingerprintStore(lib.catalog)
        assert len(store.missing(fingerprint.VERSION)) == 6
        groups = lib.duplicates.find("near")
        assert [len(g.photos) for g in groups] == [2] and "mirrored" in groups[0].pairs[0].reason
        assert store.missing(fingerprint.VERSION) == []
        assert lib.catalog.count_embedded(lib.duplicates.model()) == embedded


def test_schema_7_catalog_migrates_to_10(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    old_catalog(path, 7, "(photo_id, phash, dhash, sharpness) VALUES (1, -5, 7, 12.5)")
    cat = Catalog(path)
    assert cat.db.execute("PRAGMA user_version").fetchone()[0] == catalog_module.SCHEMA_VERSION
    store = FingerprintStore(cat)
    prints = store.load()
    assert prints.turn.tolist() == [-1] and prints.phash.tolist() == [(1 << 64) - 5]
    assert store.missing(fingerprint.VERSION) == [(1, "/p/a.jpg")]
    cat.close()


def test_toy_shapes_of_other_colours_are_offered_in_no_tier(tmp_path):
    """With the toy model, shapes of other colours embed up to 0.97 apart: without burst
    evidence a similar shot also needs an alike layout, so none is offered, as a copy or as
    a similar shot."""
    folder = tmp_path / "toys"
    toy_traps(folder, seed=3)
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.index_folders([str(folder)])
        groups = lib.duplicates.find("all")
    colours = [{p.path.rsplit("_", 2)[-2] for p in g.photos} for g in groups]
    assert [c for c in colours if len(c) > 1] == []
