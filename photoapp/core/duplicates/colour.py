"""Whether two pictures with the same grey structure also agree in colour.

Grey-level hashes cannot tell a photo from its colourway (the same layout with its hues
turned) or a red triangle from an orange one. Each fingerprint carries an 8x8 grid of mean
CIELAB colours and a tone share (photoapp/core/media/fingerprint.py). Two pictures agree
in colour when:

- either is grayscale (rms chroma below ``NEUTRAL``): it has no colour to disagree with;
- one is toned (sepia: its chroma is a function of its lightness, tone share below
  ``TONED``) and the other clearly is not (``COLOURED``): a toned print of the photo;
- otherwise their overall hue (the mean chroma's angle, where both have one) is within
  ``MAX_HUE_TURN`` degrees, and their chroma layouts (each cell's chroma less the mean)
  correlate at ``MIN_LAYOUT`` at least, where both have one. A saturation change scales
  chroma and a white-balance change shifts it, which moves neither much; a hue turn
  rotates every cell's chroma, which moves both.

The numbers were chosen on generated edits and colourways of half of shared/photos and
checked on the other half (benchmarks/dupes_scale.py --variants, docs/duplicates.md).
"""

from __future__ import annotations

import numpy as np

NEUTRAL = 3.0  # rms chroma (CIELAB units) below which a picture is grayscale
TONED = 0.01  # tone share below which a picture is toned (sepia ~0.002, colour photos ~0.2)
COLOURED = 0.04  # ... and above which it clearly is not
SCALES = (0.4, 2.5)  # saturation changes a copy may have
MAX_SHIFT = 10.0  # how far a white-balance change moves the mean chroma (CIELAB units)
HUE_GATE = 6.0  # mean chroma from which a picture has an overall hue
MAX_HUE_TURN = 60.0  # degrees between the overall hues of two copies, whatever their strength
LAYOUT_GATE = 3.0  # rms chroma about the mean from which a picture has a chroma layout
MIN_LAYOUT = 0.85  # correlation of the chroma layouts of two copies


def agree(grid_a: np.ndarray, tone_a: float, grid_b: np.ndarray, tone_b: float) -> tuple[bool, str]:
    """(same colours?, how they differ: "", "grayscale version" or "toned version") of
    two colour grids (GRID, GRID, 3: L, a*, b*) aligned cell to cell, and their tone shares."""
    za = (grid_a[..., 1] + 1j * grid_a[..., 2]).ravel()
    zb = (grid_b[..., 1] + 1j * grid_b[..., 2]).ravel()
    neutral_a, neutral_b = _rms(za) < NEUTRAL, _rms(zb) < NEUTRAL
    if neutral_a or neutral_b:
        return True, "" if neutral_a and neutral_b else "grayscale version"
    if (tone_a < TONED and tone_b > COLOURED) or (tone_b < TONED and tone_a > COLOURED):
        return True, "toned version"
    ma, mb = za.mean(), zb.mean()
    scale = min(max(_rms(zb) / _rms(za), SCALES[0]), SCALES[1])
    if abs(mb - scale * ma) > MAX_SHIFT:
        return False, ""
    if min(abs(ma), abs(mb)) >= HUE_GATE and abs(np.angle(mb / ma, deg=True)) > MAX_HUE_TURN:
        return False, ""
    ya, yb = za - ma, zb - mb
    if min(_rms(ya), _rms(yb)) >= LAYOUT_GATE:
        corr = np.vdot(ya, yb).real / np.sqrt(np.vdot(ya, ya).real * np.vdot(yb, yb).real)
        if corr < MIN_LAYOUT:
            return False, ""
    return True, ""


def _rms(z: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.abs(z) ** 2)))
