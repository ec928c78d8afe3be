"""Auto-tags, albums, taught tags and sidecars end to end with the tiny toy model."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from photoapp.core.library import Library
from photoapp.core.search.ranking import Filters
from photoapp.core.tagging.labels import default_vocabulary, parse_vocabulary
from photoapp.core.tagging.xmp import read_subjects, sidecar_path
from photoapp.toy.domain import generate_library
from tests.conftest import Snapshot

TOY_LABELS = parse_vocabulary("red\ngreen\nblue\nyellow\npurple\norange\ncircle\nsquare\ntriangle\n")


@pytest.fixture(scope="module")
def _tagged_once(tmp_path_factory):
    """72 toy photos (toy_photos' set) indexed once for the module with the toy vocabulary
    set beforehand (tags made at index time)."""
    base = tmp_path_factory.mktemp("tagged")
    truth = generate_library(base / "photos", per_class=2, seed=11)
    with Library(base / "lib", model="toy") as lib:
        lib.tags.set_labels(TOY_LABELS)
        lib.index_folders([str(base / "photos")])
    return Snapshot(base, ("photos", "lib")), {str(p): c for p, c in truth.items()}


@pytest.fixture
def tagged(_tagged_once):
    """That library and its photos as they were indexed, for one test to change."""
    snapshot, truth = _tagged_once
    with Library(snapshot.restore() / "lib", model="toy") as lib:
        yield lib, truth


def _tags(lib, path) -> set[str]:
    return set(lib.photo(path)["tags"])


# -- the acceptance figures on a held-out 360-image library ------------------------
@pytest.fixture(scope="module")
def held_out(held_out_library):
    lib, truth, _ = held_out_library
    lib.tags.set_labels(TOY_LABELS)  # re-tags the whole library
    return lib, {str(p): c for p, c in truth.items()}


def test_photos_carry_their_true_colour_and_shape(held_out):
    lib, truth = held_out
    right, wrong = 0, 0
    for path, cls in truth.items():
        tags = _tags(lib, path)
        right += {cls.colour, cls.shape} <= tags
        wrong += len(tags - {cls.colour, cls.shape})
    assert len(truth) == 360
    assert right / len(truth) >= 0.9
    assert wrong / len(truth) <= 0.1  # "few wrong ones"


def test_triangle_album_precision_and_recall(held_out):
    lib, truth = held_out
    album = set(lib.tags.album("triangle"))
    triangles = {p for p, c in truth.items() if c.shape == "triangle"}
    assert len(album & triangles) / len(album) >= 0.9
    assert len(album & triangles) / len(triangles) >= 0.9
    counts = lib.tags.counts()
    assert counts["triangle"] == len(album) and set(counts) <= {lb.name for lb in TOY_LABELS}


def test_tag_taught_from_five_examples_finds_its_class(held_out):
    lib, truth = held_out
    cls = next(iter(truth.values()))
    members = sorted(p for p, c in truth.items() if c == cls)
    result = lib.tags.train("my class", members[:5])
    assert result["examples"] == 5 and result["seconds"] >= 0  # how fast: benchmarks, not a timed assertion
    tagged = set(lib.tags.album("my class"))
    f1 = 2 * len(tagged & set(members)) / (len(tagged) + len(members))
    assert f1 >= 0.8


# -- tags stay true -----------------------------------------------------------------------
def test_vocabulary_change_retracts_and_adds_tags(tagged):
    lib, truth = tagged
    assert any(c in lib.tags.counts() for c in ("red", "blue", "green"))
    # The tiny model tells backgrounds apart less sharply than colours and shapes (about a
    # quarter of a unit of the calibrated rule, README "Tags and albums"): at full sensitivity.
    lib.tags.configure(sensitivity=1.0)
    lib.tags.set_labels(parse_vocabulary("circle\nsquare\ntriangle\nwhite background\nblack background\n"))
    counts = lib.tags.counts()
    assert not {"red", "green", "blue", "yellow", "purple", "orange"} & set(counts)  # retracted
    assert {"white background", "black background"} & set(counts)  # added
    path, cls = next(iter(truth.items()))
    assert _tags(lib, path) <= {"circle", "square", "triangle", "white background", "black background"}


def test_manual_tags_survive_retagging(tagged):
    lib, truth = tagged
    path, cls = next((p, c) for p, c in truth.items() if cls_ok(lib, p, c))
    lib.tags.add("favourite", [path])
    lib.tags.remove(cls.colour, [path])
    lib.tags.configure(sensitivity=0.9)  # a new threshold re-tags everything
    lib.tags.set_labels(TOY_LABELS[:-1])  # so does a new vocabulary
    lib.tags.set_labels(TOY_LABELS)
    tags = _tags(lib, path)
    assert "favourite" in tags and cls.colour not in tags and cls.shape in tags
    details = {d["tag"]: d for d in lib.photo(path)["tag_details"]}
    assert details["favourite"]["source"] == "manual" and details[cls.shape]["source"] == "auto"
    assert 0 < details[cls.shape]["confidence"] <= 1


def cls_ok(lib, path, cls) -> bool:
    return {cls.colour, cls.shape} <= _tags(lib, path)


def test_new_photos_get_tags_and_taught_tags_as_they_arrive(tagged, tmp_path):
    lib, truth = tagged
    reds = sorted(p for p, c in truth.items() if c.colour == "red" and c.shape == "square")
    lib.tags.train("red squares", reds[:3] + reds[-1:])
    more = generate_library(tmp_path / "more", per_class=1, seed=5)
    lib.index_folders([str(tmp_path / "more")])
    new_red_squares = [str(p) for p, c in more.items() if c.colour == "red" and c.shape == "square"]
    assert all("red squares" in _tags(lib, p) for p in new_red_squares)
    tagged_right = sum(cls_ok(lib, str(p), c) for p, c in more.items())
    assert tagged_right / len(more) >= 0.8


def test_correcting_a_taught_tag_retrains_it(tagged):
    lib, truth = tagged
    blues = sorted(p for p, c in truth.items() if c.colour == "blue")
    lib.tags.train("blue things", blues[:4])
    before = set(lib.tags.album("blue things"))
    wrong = next(iter(before - set(blues)), blues[-1])
    lib.tags.remove("blue things", [wrong])
    assert wrong not in lib.tags.album("blue things")
    positives, negatives = lib.tags.probes.examples("blue things")
    assert lib.photo(wrong)["id"] in negatives and len(positives) == 4


def test_model_or_threshold_change_is_detected(tagged):
    lib, _ = tagged
    assert lib.tags.tagger.is_current()
    lib.settings.tags.sensitivity = 0.1
    assert not lib.tags.tagger.is_current()
    lib.tags.refresh()
    assert lib.tags.tagger.is_current()


def test_a_new_rule_version_retags(tagged, monkeypatch):
    from photoapp.core.tagging import rule as tagging

    lib, truth = tagged
    path = next(iter(truth))
    lib.catalog.db.execute("DELETE FROM photo_tags WHERE source='auto'")  # as if an old rule had tagged nothing
    monkeypatch.setattr(tagging, "RULE_VERSION", "calibrated/next")
    assert not lib.tags.tagger.is_current()
    assert lib.tags.refresh() > 0 and lib.tags.tagger.is_current()
    assert _tags(lib, path)


def test_calibration_is_learnt_from_the_library_and_renewed_as_it_grows(tagged, tmp_path):
    from photoapp.core.embedding.bank import bank_texts

    lib, truth = tagged
    tagger = lib.tags.tagger
    cal = tagger.stored_calibration()
    assert cal is not None and cal.photos == len(truth) == 72
    assert cal.label_bias.shape == (len(TOY_LABELS),) and cal.bank_bias.shape == (len(bank_texts("toy")),)
    assert 0.2 < cal.unit < 1.0  # the tiny model's scale, learnt from its own bank
    assert len(list((lib.path / "cache").glob("bank-*.npy"))) == 1  # the bank embedded once, cached
    generate_library(tmp_path / "few", per_class=1, seed=8)  # 36 more: not yet double
    lib.index_folders([str(tmp_path / "few")])
    assert tagger.stored_calibration().photos == 72 and tagger.is_current()
    generate_library(tmp_path / "more", per_class=1, seed=9)  # 144: doubled, measured again, re-tagged
    lib.index_folders([str(tmp_path / "more")])
    assert tagger.stored_calibration().photos == 144 and tagger.is_current()
    lib.catalog.set_meta("tag_calibration", "{not json")  # damaged: measured again, no crash
    assert not tagger.is_current()
    lib.tags.refresh()
    assert tagger.stored_calibration().photos == 144 and tagger.is_current()


# -- albums -----------------------------------------------------------------------------
def test_smart_album_is_live(tagged, tmp_path):
    lib, truth = tagged
    lib.tags.add_smart_album("yellow things", "yellow")
    before = [h.path for h in lib.tags.smart_album("yellow things")]
    assert before and all(truth[p].colour == "yellow" for p in before[:4])
    more = generate_library(tmp_path / "more", per_class=3, seed=8)
    lib.index_folders([str(tmp_path / "more")])
    after = [h.path for h in lib.tags.smart_album("yellow things")]
    new_yellow = {str(p) for p, c in more.items() if c.colour == "yellow"}
    assert len(new_yellow & set(after)) >= 0.8 * len(new_yellow)  # the album grew with the new photos
    colour = {**truth, **{str(p): c for p, c in more.items()}}
    assert sum(colour[p].colour == "yellow" for p in after) >= 0.9 * len(after)  # and only with yellow ones
    in_more = [h.path for h in lib.tags.smart_album("yellow things", Filters(folder=str(tmp_path / "more")))]
    assert set(in_more) == set(after) & {str(p) for p in more}  # a folder filter narrows, never moves the cut-off
    assert {"name": "yellow things", "kind": "smart", "query": "yellow"} in lib.tags.albums()
    assert lib.tags.album("yellow things") == after


# -- sidecars ---------------------------------------------------------------------------
def test_xmp_sidecars_follow_tags_when_enabled(tagged):
    lib, truth = tagged
    path = next(iter(truth))
    assert not sidecar_path(path).exists()  # off by default
    lib.tags.configure(xmp_sidecars=True)
    assert sorted(read_subjects(sidecar_path(path))) == sorted(_tags(lib, path))
    lib.tags.add("holiday", [path])
    assert "holiday" in read_subjects(sidecar_path(path))
    if shutil.which("exiftool"):
        out = subprocess.run(
            ["exiftool", "-s3", "-sep", ";", "-XMP-dc:Subject", str(sidecar_path(path))],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert sorted(out.split(";")) == sorted(_tags(lib, path))


def test_shipped_vocabularies(tmp_path):
    """The toy model's library starts with the toy vocabulary and tags by it at index time;
    the everyday vocabulary (300 labels) embeds into unit vectors, one per label."""
    folder = tmp_path / "p"
    truth = generate_library(folder, per_class=1, seed=3)
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.index_folders([str(folder)])
        assert [lb.name for lb in lib.tags.labels()][:3] == ["red", "green", "blue"]
        assert lib.tags.tagger.is_current()  # tagged at index time, state recorded
        right = sum({c.colour, c.shape} <= _tags(lib, str(p)) for p, c in truth.items())
        assert right >= 0.9 * len(truth)
        lib.tags.set_labels(default_vocabulary())
        assert len(lib.tags.labels()) >= 200
        ids, vectors = lib.catalog.embeddings("toy")
        names, matrix = lib.tags.tagger.label_matrix()
        assert matrix.shape == (len(names), vectors.shape[1]) and np.allclose(
            np.linalg.norm(matrix, axis=1), 1, atol=1e-4
        )
        assert lib.tags.tagger.is_current()


def test_albums_say_where_each_tag_comes_from(tmp_path):
    """The sidebar's sections: a tag set by hand is "yours", the vocabulary's are "auto"."""
    from PIL import Image

    from photoapp.core.library import Library

    folder = tmp_path / "photos"
    folder.mkdir()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(folder / "a.jpg")
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.index_folders([str(folder)])
        lib.tags.add("holiday", [str(folder / "a.jpg")])
        lib.tags.add_smart_album("reds", "red")
        albums = {a["name"]: a for a in lib.tags.albums(smart_counts=True)}
    assert albums["holiday"]["group"] == "yours" and albums["holiday"]["count"] == 1
    assert all(a["group"] == "auto" for n, a in albums.items() if a["kind"] == "tag" and n != "holiday")
    assert isinstance(albums["reds"]["count"], int)
