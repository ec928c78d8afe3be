"""Whether two pictures with the same grey structure also agree in colour.

Grey-level hashes cannot tell a photo from its colourway (the same layout with its hues
turned) or a red triangle from an orange one. Each fingerprint carries an 8x8 grid of mean
CIELAB colours and a tone share (photoapp/core/media/fingerprint.py). Two pictures agree
in colour when:

- either is grayscale (rms chroma below ``NEUTRAL``): it has no colour to disagree with;
- one is toned (sepia: its chroma is a function of its lightness, tone share below
  ``TONED``) and the other clearly is not (``COLOURED``): a toned print of the photo;
- either is a sepia print (``sepia``: its chroma follows its lightness, in the brown to
  cream hues sepia toning gives, and no cell strongly coloured): a sepia print of a
  single-hue photo (a green meadow) is a single-hue picture of another hue, as a colourway
  of it is; only the sepia hues tell the print from the colourway;
- otherwise their mean chroma, with the saturation scaled out (half on each side: the
  answer does not depend on which photo is first), is within ``MAX_SHIFT``, their overall
  hue (the mean chroma's angle, where both have one) within ``MAX_HUE_TURN`` degrees, and
  their chroma layouts (each cell's chroma less the mean) correlate at ``MIN_LAYOUT`` at
  least, where both have one. A saturation change scales chroma and a white-balance change
  shifts it, which moves neither much; a hue turn rotates every cell's chroma, which moves
  both.

A pair can only say so much: a pale single-hue picture (bare wood) turned 60° moves no more
than its cool white balance does. The grouping therefore asks for a consensus
(``near.ColourGuard.consensus``): a photo joins a family only if it agrees with most of it.

The numbers were chosen on generated edits and colourways of half of shared/photos and
checked on the other half (benchmarks/dupes_scale.py --variants, docs/duplicates.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from photoapp.core.media.fingerprint import lab_of_linear, linear_of_lab

NEUTRAL = 3.0  # rms chroma (CIELAB units) below which a picture is grayscale
TONED = 0.01  # tone share below which a picture is toned (sepia ~0.002, colour photos ~0.2)
COLOURED = 0.04  # ... and above which it clearly is not
SCALES = (0.4, 2.5)  # saturation changes a copy may have
MAX_SHIFT = 10.0  # how far a white-balance change moves the mean chroma (CIELAB units)
HUE_GATE = 6.0  # mean chroma from which a picture has an overall hue
MAX_HUE_TURN = 60.0  # degrees between the overall hues of two copies, whatever their strength
SAME = 3.0  # rms colour difference (CIELAB a*b* per cell) of copies with unedited colours
LAYOUT_GATE = 3.0  # rms chroma about the mean from which a picture has a chroma layout
MIN_LAYOUT = 0.85  # correlation of the chroma layouts of two copies
# ... of a crop and the part of its original it kept, that part's grid resampled from the
# original's 8x8 grid (``window``): smoother than the crop's own grid, so it correlates
# less. Real crops of 8-28 % (centre) and 5-20 % (corner) measured 0.80-1.00 on
# shared/photos (27 photos x 9 crops), 0.78-1.00 on the 17 photos of shared/faces.
MIN_LAYOUT_PART = 0.75
# A sepia print: the tints sepia toning gives, from dark brown to cream. PIL's colorize
# sepia puts shared/photos at CIELAB hue 68-82 degrees, the classic sepia matrix at 85-102
# (brighter prints are yellower); no cell past a toning's strength (both stay below 38
# units of chroma per cell; an orange or yellow object on a plain ground reaches 60+); and
# a tone share below SEPIA_TONE (the matrix's clipping lifts it to 0.025 on most photos).
SEPIA_HUES = (55.0, 105.0)
SEPIA_CHROMA = 45.0
SEPIA_TONE = 0.03
# A white-balance (colour temperature or tint) change multiplies each linear RGB channel by
# one gain. A copy whose colours are the original's under the best such gains, to within
# WB_RESIDUAL (rms a*b* per cell, both ways), with gains relative to green within WB_GAINS,
# agrees even where the mean chroma moved further than MAX_SHIFT (a strong warm or cool
# edit of a clearly coloured photo: 10.7-10.9 units). Measured on generated white-balance
# edits (sRGB gains 0.88-1.12) of shared/photos and shared/faces: 0.5-2.3 for photos with
# colour (rms chroma >= 6); colourways (hues turned 30-180 degrees) 4.7 and up, except a
# pale single-hue photo (bare wood: 0.9-1.8), which no per-pair rule tells from its white
# balance (see ``near.ColourGuard.consensus``). The gains keep a red toy shape from
# passing as an orange one (that needs green x2 or more).
WB_RESIDUAL = 1.5
WB_GAINS = (0.55, 1.8)


@dataclass(frozen=True)
class Colours:
    """What ``agree`` compares of one picture (computed once per photo and pose)."""

    z: np.ndarray  # chroma a* + i b* per cell
    mean: complex
    rms: float
    layout: np.ndarray  # chroma less the mean
    layout_rms: float
    tone: float
    sepia: bool  # a sepia print (see ``SEPIA_HUES``)
    lab: np.ndarray  # L, a*, b* per cell (cells, 3)

    @cached_property
    def linear(self) -> np.ndarray:
        """Linear RGB per cell (cells, 3), for ``white_balanced``: converted only for the
        few pairs the chroma rule refuses (it is 40 % of the cost of ``colours``)."""
        return linear_of_lab(self.lab)


def colours(grid: np.ndarray, tone: float) -> Colours:
    """A colour grid (GRID, GRID, 3: L, a*, b*) and its tone share, ready to compare."""
    z = (grid[..., 1] + 1j * grid[..., 2]).ravel()
    mean = complex(z.mean())
    layout = z - mean
    rms = _rms(z)
    sepia = (
        rms >= NEUTRAL
        and tone < SEPIA_TONE
        and SEPIA_HUES[0] <= float(np.angle(mean, deg=True)) <= SEPIA_HUES[1]
        and float(np.abs(z).max()) < SEPIA_CHROMA
    )
    return Colours(z, mean, rms, layout, _rms(layout), tone, bool(sepia), grid.reshape(-1, 3))


def agree(grid_a: np.ndarray, tone_a: float, grid_b: np.ndarray, tone_b: float) -> tuple[bool, str]:
    """(same colours?, how they differ: "", "grayscale version" or "toned version") of
    two colour grids aligned cell to cell, and their tone shares."""
    return agree_colours(colours(grid_a, tone_a), colours(grid_b, tone_b))


def agree_colours(a: Colours, b: Colours, min_layout: float = MIN_LAYOUT) -> tuple[bool, str]:
    """``agree`` on precomputed ``Colours`` (``min_layout``: see ``MIN_LAYOUT_PART``)."""
    neutral_a, neutral_b = a.rms < NEUTRAL, b.rms < NEUTRAL
    if neutral_a or neutral_b:
        return True, "" if neutral_a and neutral_b else "grayscale version"
    if (a.tone < TONED and b.tone > COLOURED) or (b.tone < TONED and a.tone > COLOURED):
        return True, "toned version"
    if a.sepia or b.sepia:
        # A sepia print of the other (or two prints toned a little differently): the
        # structure alone decides, as for a grayscale one.
        return True, "toned version"
    return (_alike(a, b, min_layout) or white_balanced(a, b)), ""


def _alike(a: Colours, b: Colours, min_layout: float) -> bool:
    """The mean chroma (saturation scaled out), overall hue and chroma layout rule."""
    # Saturation scaled out half on each side (the geometric mean of the two): the same
    # answer whichever photo is A.
    scale = np.sqrt(min(max(b.rms / a.rms, SCALES[0]), SCALES[1]))
    if abs(b.mean / scale - scale * a.mean) > MAX_SHIFT:
        return False
    if min(abs(a.mean), abs(b.mean)) >= HUE_GATE and abs(np.angle(b.mean / a.mean, deg=True)) > MAX_HUE_TURN:
        return False
    if min(a.layout_rms, b.layout_rms) >= LAYOUT_GATE:
        corr = np.vdot(a.layout, b.layout).real / (len(a.z) * a.layout_rms * b.layout_rms)
        if corr < min_layout:
            return False
    return True


def white_balanced(a: Colours, b: Colours) -> bool:
    """Whether B is A with its white balance changed (``WB_RESIDUAL``), judged both ways."""
    return _balance_residual(a, b) <= WB_RESIDUAL and _balance_residual(b, a) <= WB_RESIDUAL


def _balance_residual(a: Colours, b: Colours) -> float:
    """How far B's chroma is from A's under the per-channel gains that fit best (least
    squares on linear RGB); infinite where those gains are beyond ``WB_GAINS``."""
    gains = (a.linear * b.linear).sum(axis=0) / np.maximum((a.linear**2).sum(axis=0), 1e-12)
    if gains[1] <= 0:
        return float("inf")
    relative = gains / gains[1]
    if relative.min() < WB_GAINS[0] or relative.max() > WB_GAINS[1]:
        return float("inf")
    fitted = lab_of_linear(a.linear * gains)
    return _rms(fitted[:, 1] + 1j * fitted[:, 2] - b.z)


def shift(a: Colours, b: Colours) -> float:
    """How far the colours moved between two aligned pictures: the rms over the cells of
    the a*b* difference. Re-encodes, resizes, turns and crops stay below ``SAME`` (about a
    just noticeable difference); colour edits and colourways move further."""
    return _rms(b.z - a.z)


def window(grid: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """The colour grid of a part of the picture (left, top, right, bottom as shares of its
    sides), resampled from the whole picture's grid: what a crop to that part would show."""
    cells = grid.shape[0]

    def axis(lo: float, hi: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        at = np.clip(lo * cells + (np.arange(cells) + 0.5) * (hi - lo) - 0.5, 0, cells - 1)
        base = np.minimum(np.floor(at).astype(int), cells - 2)
        return base, base + 1, (at - base)[:, None]

    r0, r1, fr = axis(box[1], box[3])
    c0, c1, fc = axis(box[0], box[2])
    rows = grid[r0] * (1 - fr[..., None]) + grid[r1] * fr[..., None]
    return rows[:, c0] * (1 - fc[None]) + rows[:, c1] * fc[None]


def _rms(z: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.abs(z) ** 2)))
