"""Issue 28: a sepia print of a single-hue photo (a green meadow, blue blinds, bare wood) is
a copy, while that photo's colourways (also single-hue pictures of another hue) are never
offered. Real photographs from ../shared/photos; two sepia formulas (PIL's colorize and the
classic sepia matrix)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from photoapp.core.duplicates import colour
from photoapp.core.media import fingerprint
from tests.core.duplicates.dupe_variants import EDITS, half_decode, hue_turn, make_family, make_traps, near_groups

SINGLE_HUE = ("GreenMeadow.jpg", "Blinds.jpg", "Wood.jpg", "RainDrops.jpg")
SEPIA_EDITS = ("half", "sepia", "sepia_matrix", "mirror")


def _colours(img: Image.Image) -> colour.Colours:
    grid, tone = fingerprint.colour_facts(img)
    return colour.colours(fingerprint.grid_array(grid), tone)


def test_sepia_prints_of_single_hue_photos_join_them_and_their_colourways_are_never_offered(shared_photos, tmp_path):
    rows = []
    for name in SINGLE_HUE:
        rows += [(str(p), k) for p, k in make_family(shared_photos / name, tmp_path, SEPIA_EDITS)]
        rows += [(str(p), k) for p, k in make_traps(shared_photos / name, tmp_path)]
    groups = near_groups(rows)
    group_of = {path: k for k, g in enumerate(groups) for path in g.paths}
    original = {Path(p).stem: p for p, k in rows if k == "original"}
    for path, kind in rows:
        stem = Path(path).stem.rsplit("_", 1)[0] if kind != "sepia_matrix" else Path(path).stem[: -len("_sepia_matrix")]
        if kind in ("sepia", "sepia_matrix"):
            assert group_of.get(path) == group_of.get(original[stem]) is not None, (path, kind)
        if kind.startswith("hue"):
            assert path not in group_of, path
    reasons = [p.reason for g in groups for p in g.pairs]
    assert any("toned version" in r for r in reasons)


def test_a_sepia_print_agrees_with_a_single_hue_photo_but_two_hues_of_it_do_not(shared_photos):
    meadow = half_decode(shared_photos / "GreenMeadow.jpg")
    original = _colours(meadow)
    for name in ("sepia", "sepia_matrix"):
        print_ = _colours(EDITS[name][0](meadow))
        assert print_.sepia and not original.sepia
        assert colour.agree_colours(original, print_) == (True, "toned version")
    for degrees in (60, 120, 180):
        turned = _colours(hue_turn(degrees)(meadow))
        assert not turned.sepia
        assert colour.agree_colours(original, turned)[0] is False, degrees
        assert colour.agree_colours(turned, original)[0] is False, degrees


def test_a_saturated_orange_object_is_not_a_sepia_print():
    """An orange shape on white has the hue of sepia and one hue only, but far more chroma
    than a toning gives (the demo library's red and orange triangles)."""
    img = Image.new("RGB", (256, 256), "white")
    img.paste((240, 140, 30), (60, 60, 200, 200))
    assert not _colours(img).sepia


def test_a_print_beside_a_photo_and_its_colourways_alone_joins_none_of_them(shared_photos, tmp_path):
    """No family to outvote a colourway: the sepia print agrees with the meadow and with its
    colourways alike, so it joins none; beside the meadow alone it joins it."""
    family = make_family(shared_photos / "GreenMeadow.jpg", tmp_path, ("sepia",))
    original, sepia = str(family[0][0]), next(str(p) for p, k in family if k == "sepia")
    traps = [(str(p), k) for p, k in make_traps(shared_photos / "GreenMeadow.jpg", tmp_path)]
    groups = near_groups([(original, "original"), (sepia, "sepia"), *traps])
    offered = {path for g in groups for path in g.paths}
    assert not any(path in offered for path, _ in traps), [g.paths for g in groups]
    assert [sorted(g.paths) for g in near_groups([(original, "original"), (sepia, "sepia")])] == [
        sorted([original, sepia])
    ]
