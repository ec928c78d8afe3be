"""What the issue-28 fingerprints add to indexing (not a timed test).

Per photo, side by side in one run, on camera-like photos (fixtures.camera_photos, the
photos of index_throughput.py) decoded as the indexer's decode workers do (draft mode down
to the CLIP input's decode size):

- decode: the JPEG decode the indexer does anyway;
- fingerprint v1: pHash + dHash + sharpness (before issue 28);
- fingerprint now (version 3): v1 + turned-pose hashes, colour grid and tone, exposure,
  the hashes of 16 parts of the photo (crops), and the EXIF capture time / camera read
  (exif.read_shot).

The extra cost (now - v1) is then set against the end-to-end indexing cost per photo
measured by index_throughput.py on this machine kind (benchmarks/results/
index_throughput-cpu.json: the int8 ONNX default), and against decode + fingerprint alone
(a bound for an infinitely fast model).

    python benchmarks/fingerprint_cost.py [--photos 24]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import camera_photos, table, write_results  # noqa: E402

from photoapp.core.media import fingerprint  # noqa: E402
from photoapp.core.media.decoding import load_for_model  # noqa: E402
from photoapp.core.media.exif import read_shot  # noqa: E402


def fingerprint_v1(img) -> tuple:
    """What the indexer computed before issue 28 (imagehash's pHash and dHash, sharpness)."""
    import imagehash

    grey = img.convert("L")
    return imagehash.phash(grey), imagehash.dhash(grey), fingerprint.laplacian_variance(grey)


def cpu_time(fn, items, rounds: int) -> float:
    """CPU seconds per item (process time: other users of the machine do not count)."""
    start = time.process_time()
    for _ in range(rounds):
        for item in items:
            fn(item)
    return (time.process_time() - start) / (rounds * len(items))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    side = max(224 * 2, fingerprint.MIN_SIDE)  # CLIP's 224 px input, draft factor 2 (preprocess.py)
    with tempfile.TemporaryDirectory() as tmp:
        paths = camera_photos(Path(tmp), args.photos, seed=0)
        decode = cpu_time(lambda p: load_for_model(p, min_side=side), paths, args.rounds)
        images = [load_for_model(p, min_side=side)[0][0] for p in paths]
        fingerprint.compute(images[0])  # imports (scipy) out of the timing
        fingerprint_v1(images[0])
        v1 = cpu_time(fingerprint_v1, images, args.rounds)
        v2 = cpu_time(fingerprint.compute, images, args.rounds)
        shot = cpu_time(read_shot, paths, args.rounds)
    extra = v2 + shot - v1
    measured = Path(__file__).resolve().parent / "results" / "index_throughput-cpu.json"
    index_s = json.loads(measured.read_text())["rows"]["end-to-end index"]["cpu_s_per_image"]
    rows = [
        [f"decode (draft to {side} px)", f"{decode * 1000:.1f}"],
        ["fingerprint v1 (pHash, dHash, sharpness)", f"{v1 * 1000:.1f}"],
        ["fingerprint now (+ turned hashes, colour grid, tone, exposure, 16 part hashes)", f"{v2 * 1000:.1f}"],
        ["EXIF time, sub-seconds, camera, serial", f"{shot * 1000:.2f}"],
        ["extra per photo (now + EXIF - v1)", f"{extra * 1000:.1f}"],
        ["end-to-end indexing per photo (index_throughput, int8)", f"{index_s * 1000:.0f}"],
    ]
    print(table(["stage", "CPU ms per photo"], rows, f"{args.photos} camera-like photos"))
    share = extra / index_s
    bound = extra / (decode + v1)
    print(f"extra cost: {share:.1%} of indexing time (target <= 15 %); {bound:.1%} of decode + fingerprint alone")
    print(
        "wrote",
        write_results(
            "fingerprint_cost",
            {
                "photos": args.photos,
                "cpu_ms_per_photo": {r[0]: float(r[1]) for r in rows},
                "extra_share_of_indexing": round(share, 4),
                "extra_share_of_decode_and_fingerprint": round(bound, 4),
            },
        ),
    )


if __name__ == "__main__":
    main()
