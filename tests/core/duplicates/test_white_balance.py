"""A white-balance change multiplies each linear RGB channel by one gain: a strong warm or
cool edit of a clearly coloured photo moves its mean chroma further than the mean-shift
rule allows, yet it is the photo under three gains; a colourway is not."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from photoapp.core.duplicates import colour
from photoapp.core.media import fingerprint
from photoapp.core.media.decoding import load_rgb
from tests.core.duplicates.dupe_variants import make_family, make_traps, near_groups


def _colours(path: Path) -> colour.Colours:
    img, _ = load_rgb(path, min_side=fingerprint.MIN_SIDE)
    fp = fingerprint.compute(img)
    return colour.colours(fingerprint.grid_array(fp.grid), fp.tone)


def test_a_strong_warm_edit_is_the_photo_under_three_gains_and_a_colourway_is_not(shared_photos, tmp_path):
    rows = make_family(shared_photos / "Bridge_by_Sander_Klootwijk.jpg", tmp_path, ("warm",))
    rows += make_traps(shared_photos / "Bridge_by_Sander_Klootwijk.jpg", tmp_path)
    got = {kind: _colours(path) for path, kind in rows}
    original, warm = got["original"], got["warm"]
    scale = np.sqrt(warm.rms / original.rms)
    assert abs(warm.mean / scale - scale * original.mean) > colour.MAX_SHIFT  # beyond the mean-shift rule
    assert colour.white_balanced(original, warm) and colour.white_balanced(warm, original)
    assert colour.agree_colours(original, warm) == colour.agree_colours(warm, original) == (True, "")
    for trap in ("hue60", "hue120", "hue180"):
        assert not colour.white_balanced(original, got[trap]), trap
        assert colour.agree_colours(original, got[trap])[0] is False, trap


def test_white_balanced_copies_group_with_their_original_and_colourways_stay_out(shared_photos, tmp_path):
    rows = []
    for name in ("Bridge_by_Sander_Klootwijk.jpg", "Aqua.jpg"):
        rows += [(str(p), k) for p, k in make_family(shared_photos / name, tmp_path, ("half", "warm", "cool"))]
        rows += [(str(p), k) for p, k in make_traps(shared_photos / name, tmp_path)]
    groups = near_groups(rows)
    group_of = {path: g for g in groups for path in g.paths}
    originals = {Path(p).stem: p for p, k in rows if k == "original"}
    for path, kind in rows:
        stem = Path(path).stem.rsplit("_", 1)[0]
        if kind in ("warm", "cool"):
            assert group_of.get(path) is group_of.get(originals[stem]) is not None, path
        if kind.startswith("hue"):
            assert path not in group_of, path


def test_gains_a_white_balance_cannot_reach_are_no_white_balance():
    """A red picture turned orange is the red one with green x6: three gains fit it
    exactly, but no white-balance change goes that far."""
    red, orange = np.zeros((8, 8, 3)), np.zeros((8, 8, 3))
    red[...] = (54, 80, 67)
    orange[...] = (67, 43, 74)
    a, b = colour.colours(red, 0.3), colour.colours(orange, 0.3)
    gains = (a.linear * b.linear).sum(axis=0) / (a.linear**2).sum(axis=0)
    assert gains[1] / gains[0] > colour.WB_GAINS[1]
    assert not colour.white_balanced(a, b) and not colour.white_balanced(b, a)
    assert colour.agree_colours(a, b)[0] is False
