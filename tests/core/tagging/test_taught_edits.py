"""Renaming and forgetting a taught tag (issue 25's sidebar): examples, probe and tags move or
go together, hand-given tags stay, later indexing and returning files do not bring it back,
and sidecars follow. The toy model on 36 generated photos."""

from __future__ import annotations

import shutil

import pytest

from photoapp.core.errors import InvalidInput
from photoapp.core.library import Library
from photoapp.core.store.tags import TagStore
from photoapp.core.tagging.xmp import read_subjects, sidecar_path
from photoapp.toy.domain import generate_library
from tests.conftest import Snapshot


@pytest.fixture(scope="module")
def _indexed_once(tmp_path_factory):
    base = tmp_path_factory.mktemp("taught")
    truth = generate_library(base / "photos", per_class=1, seed=3)
    with Library(base / "lib", model="toy") as lib:
        lib.index_folders([str(base / "photos")])
    return Snapshot(base, ("photos", "lib")), {str(p): c for p, c in truth.items()}


@pytest.fixture
def reds(_indexed_once):
    """A library with the taught tag "reds" (4 red photos), one photo given "reds" by hand
    (an example too) and one photo it tagged taken off by hand (a counter-example)."""
    snapshot, truth = _indexed_once
    base = snapshot.restore()
    red = sorted(p for p, c in truth.items() if c.colour == "red")
    with Library(base / "lib", model="toy") as lib:
        lib.tags.train("reds", red[:4])
        lib.tags.add("reds", [red[4]])
        others = [p for p in lib.tags.album("reds") if p not in red[:5]]  # one it got wrong, if any
        wrong = (others or sorted(p for p, c in truth.items() if c.colour != "red"))[0]
        lib.tags.remove("reds", [wrong])
        yield lib, red, wrong, base


def _state(lib, name: str) -> dict:
    """Everything a taught tag holds, by photo path."""
    positives, negatives = lib.tags.probes.examples(name)
    ids = {lib.photo(p)["id"]: p for p in lib.tags.album(name)}
    return {
        "album": set(lib.tags.album(name)),
        "examples": (positives, negatives),
        "model": lib.tags.probes.store.model_of(name),
        "sources": {d["source"] for p in ids.values() for d in lib.photo(p)["tag_details"] if d["tag"] == name},
    }


def test_rename_moves_examples_probe_and_tags(reds):
    lib, red, wrong, _ = reds
    before = _state(lib, "reds")
    assert before["sources"] == {"probe", "manual"} and before["examples"][1]
    result = lib.tags.rename_taught("reds", "  crimson   things ")
    assert result == {
        "tag": "crimson things",
        "was": "reds",
        "photos": len(before["album"]),
        "moved": result["moved"],
        "merged": False,
    }
    assert result["moved"] == len(before["album"]) + 1  # and the counter-example's removal
    assert lib.tags.probes.names() == ["crimson things"]
    assert _state(lib, "crimson things") == before
    assert _state(lib, "reds")["album"] == set() and lib.tags.probes.store.model_of("reds") is None
    assert "reds" not in lib.tags.counts()
    wrong_id = lib.photo(wrong)["id"]
    assert TagStore(lib.catalog).source_of(wrong_id, "crimson things") == ("rejected", None)
    groups = {a["name"]: a["group"] for a in lib.tags.albums()}
    assert groups["crimson things"] == "taught"


def test_rename_is_one_transaction(reds, monkeypatch):
    lib, *_ = reds
    before = _state(lib, "reds")

    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(TagStore, "mark_sidecars_dirty", fail)  # the last step of the rename
    with pytest.raises(OSError):
        lib.tags.rename_taught("reds", "crimson")
    monkeypatch.undo()
    assert lib.tags.probes.names() == ["reds"] and _state(lib, "reds") == before
    assert _state(lib, "crimson")["album"] == set()


def test_rename_refusals_change_nothing(reds):
    lib, red, *_ = reds
    lib.tags.train("squares", red[:3])  # a second taught tag
    before = _state(lib, "reds")
    for new, says in [
        (" ", "empty tag name"),
        ("reds", "already named 'reds'"),
        ("squares", "'squares' is already a taught tag"),
    ]:
        with pytest.raises(InvalidInput, match=says):
            lib.tags.rename_taught("reds", new)
    with pytest.raises(InvalidInput, match="no taught tag named 'blues'"):
        lib.tags.rename_taught("blues", "azure")
    lib.tags.add("holiday", [red[0]])
    with pytest.raises(InvalidInput, match="no taught tag named 'holiday'"):
        lib.tags.rename_taught("holiday", "trip")  # a hand tag is renamed with Tags.rename
    assert lib.tags.probes.names() == ["reds", "squares"] and _state(lib, "reds") == before


def test_rename_onto_a_hand_tag_merges_and_hand_tags_hold(reds):
    lib, red, wrong, _ = reds
    tagged = [p for p in lib.tags.album("reds") if p != red[4]]
    lib.tags.add("scarlet", [tagged[0], wrong])  # a hand tag on a taught photo and on its counter-example
    result = lib.tags.rename_taught("reds", "scarlet")
    assert result["merged"] and lib.tags.probes.names() == ["scarlet"]
    details = {p: {d["tag"]: d["source"] for d in lib.photo(p)["tag_details"]} for p in (tagged[0], wrong, tagged[1])}
    assert details[tagged[0]]["scarlet"] == "manual" and details[wrong]["scarlet"] == "manual"
    assert details[tagged[1]]["scarlet"] == "probe"
    assert set(lib.tags.album("scarlet")) == set(tagged) | {red[4], wrong}


def test_forget_removes_the_taught_tag_and_keeps_hand_tags(reds, tmp_path):
    lib, red, wrong, base = reds
    result = lib.tags.forget_taught("reds")
    assert result == {"tag": "reds", "untagged": result["untagged"], "kept": 1}
    assert result["untagged"] >= 4
    assert lib.tags.probes.names() == [] and lib.tags.probes.store.model_of("reds") is None
    assert lib.tags.album("reds") == [red[4]]  # given by hand: the user's own tag stays
    assert lib.tags.probes.examples("reds") == (set(), set())
    groups = {a["name"]: a["group"] for a in lib.tags.albums()}
    assert groups["reds"] == "yours"
    # New red photos arriving later do not get it.
    more = generate_library(tmp_path / "more", per_class=1, seed=8)
    lib.index_folders([str(tmp_path / "more")])
    assert lib.tags.album("reds") == [red[4]]
    assert any(c.colour == "red" for c in more.values())
    with pytest.raises(InvalidInput, match="no taught tag named 'reds'"):
        lib.tags.forget_taught("reds")


def test_a_returning_file_does_not_bring_a_forgotten_tag_back(reds, tmp_path):
    lib, red, _, base = reds
    example = red[0]  # an example photo leaves (its examples are kept for its return) ...
    shutil.move(example, tmp_path / "away.png")
    lib.index_folders([str(base / "photos")])
    lib.tags.forget_taught("reds")
    shutil.move(tmp_path / "away.png", example)  # ... and comes back after the tag was forgotten
    lib.index_folders([str(base / "photos")])
    assert lib.tags.probes.names() == [] and "reds" not in lib.photo(example)["tags"]


def test_a_renamed_tag_keeps_its_returning_examples(reds, tmp_path):
    lib, red, _, base = reds
    example = red[0]
    shutil.move(example, tmp_path / "away.png")
    lib.index_folders([str(base / "photos")])
    lib.tags.rename_taught("reds", "crimson")
    shutil.move(tmp_path / "away.png", example)
    lib.index_folders([str(base / "photos")])
    assert lib.tags.probes.names() == ["crimson"]
    assert lib.photo(example)["id"] in lib.tags.probes.examples("crimson")[0]


def test_sidecars_follow_rename_and_forget(reds):
    lib, red, *_ = reds
    lib.tags.configure(xmp_sidecars=True)
    photo = red[1]
    assert "reds" in read_subjects(sidecar_path(photo))
    lib.tags.rename_taught("reds", "crimson")
    subjects = read_subjects(sidecar_path(photo))
    assert "crimson" in subjects and "reds" not in subjects
    lib.tags.forget_taught("crimson")
    assert "crimson" not in read_subjects(sidecar_path(photo))
    assert "crimson" in read_subjects(sidecar_path(red[4]))  # given by hand: kept
    assert lib.catalog and TagStore(lib.catalog).dirty_sidecars() == []


def test_rename_of_any_tag(reds):
    lib, red, *_ = reds
    lib.tags.add("holiday", red[:2])
    assert lib.tags.rename("holiday", "trip")["photos"] == 2
    assert set(lib.tags.album("trip")) == set(red[:2]) and lib.tags.album("holiday") == []
    assert lib.tags.rename("reds", "crimson")["tag"] == "crimson"  # a taught tag moves whole
    assert lib.tags.probes.names() == ["crimson"]
    with pytest.raises(InvalidInput, match="no tag named 'nothing'"):
        lib.tags.rename("nothing", "something")
