"""Edits the variants benchmark does not make, each alone beside its original: found?
(not a timed test).

The near tier was built and checked on the edits of ``dupes_scale.py --variants``. This
asks how it fares on others a user makes: blur, sharpening, noise, heavy JPEG, upscaling,
a text overlay, a thumbnail, a small straightening turn and an added border. Each edit of
each photo is grouped beside its original only (exact + near tiers, as ``duplicates.find``
groups them), so nothing can chain through another copy.

    python benchmarks/dupes_edits.py                       # ../shared/photos
    python benchmarks/dupes_edits.py --photos DIR [DIR ...]

Writes benchmarks/results/dupes_edits.json: per edit, how many were found, the
pHash + dHash bits from the original (median, max), and which photos were missed.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dupes_scale import _near_groups, _photos  # noqa: E402
from fixtures import write_results  # noqa: E402

from photoapp.core.media import fingerprint  # noqa: E402
from tests.core.duplicates.dupe_variants import catalogue, half_decode  # noqa: E402


def _noise(img: Image.Image) -> Image.Image:
    a = np.asarray(img, dtype=np.float64) + np.random.default_rng(0).normal(0, 8, (img.height, img.width, 3))
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def _text(img: Image.Image) -> Image.Image:
    img = img.copy()
    ImageDraw.Draw(img).text((img.width * 0.05, img.height * 0.85), "(c) Photoapp 2026 holiday", fill=(255, 255, 255))
    return img


def _border(img: Image.Image) -> Image.Image:
    w, h = img.size
    out = Image.new("RGB", (round(w * 1.1), round(h * 1.1)), (255, 255, 255))
    out.paste(img, (round(w * 0.05), round(h * 0.05)))
    return out


# name -> (edit of the half-size decode, JPEG quality)
EDITS = {
    "blur 1.5 px": (lambda im: im.filter(ImageFilter.GaussianBlur(1.5)), 90),
    "sharpened": (lambda im: im.filter(ImageFilter.UnsharpMask(2, 150, 3)), 90),
    "noise (sigma 8)": (_noise, 90),
    "JPEG q25": (lambda im: im, 25),
    "upscaled 1.5x": (lambda im: im.resize((im.width * 3 // 2, im.height * 3 // 2), Image.Resampling.BICUBIC), 90),
    "text overlay": (_text, 90),
    "thumbnail 1/8": (lambda im: im.resize((max(32, im.width // 8), max(32, im.height // 8))), 85),
    "turned 3 degrees": (lambda im: im.rotate(3, resample=Image.Resampling.BICUBIC), 90),
    "5 % white border": (_border, 90),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=Path, nargs="*", help="folders of JPEG photos (default ../shared/photos)")
    args = parser.parse_args()
    photos = [p for folder in (args.photos or [None]) for p in _photos(folder)]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        originals = catalogue([str(p) for p in photos])
        for name, (edit, quality) in EDITS.items():
            found, bits, missed = 0, [], []
            for k, src in enumerate(photos):
                path = Path(tmp) / f"{k}_{name.replace(' ', '_').replace('/', '_')}.jpg"
                edit(half_decode(src)).save(path, quality=quality)
                (copy,), (fp,) = catalogue([str(path)])
                original, ofp = dataclasses.replace(originals[0][k], id=1), originals[1][k]
                copy = dataclasses.replace(copy, id=2)
                groups = _near_groups([original, copy], [ofp, fp])
                ok = any(original.path in g and copy.path in g for g in groups)
                found += ok
                bits.append(fingerprint.hamming(ofp.phash, fp.phash) + fingerprint.hamming(ofp.dhash, fp.dhash))
                if not ok:
                    missed.append(src.name)
            results[name] = {
                "found": found,
                "of": len(photos),
                "bits_median": int(np.median(bits)),
                "bits_max": int(max(bits)),
                "missed": missed,
            }
            print(f"{name:<18} found {found:>3}/{len(photos)}  bits median {np.median(bits):4.0f} max {max(bits):3}")
    folders = [str(f) for f in args.photos] if args.photos else ["shared/photos"]
    print("wrote", write_results("dupes_edits", {"folders": folders, "photos": len(photos), "edits": results}))


if __name__ == "__main__":
    main()
