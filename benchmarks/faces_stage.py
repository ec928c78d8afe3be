"""The face stage's cost beside the CLIP stage, per photo, on real photographs.

    python benchmarks/faces_stage.py [--cnn 2]

Photos: ../shared/faces (21 photos of people) and ../shared/photos (27 without people),
read in place. Single-threaded process CPU seconds per photo (far less sensitive than wall
time to other programs on a shared machine), each row side by side in one run:

  decode (CLIP size)     what the indexer decodes with faces off (JPEG draft at the model's size)
  decode (face size)     what it decodes with faces on (both sides >= 768 px): the one decode
  face stage (HOG)       detect + 5 landmarks + 128-d embedding per face, at the defaults
  face stage (CNN)       the opt-in mmod detector, on --cnn photos only (seconds each)
  CLIP stage             ViT-B/32 (random weights, real size) image tower, torch fp32, batch 16
  index, faces off/on    Library.index_folders end to end with the toy model (the CLIP stage
                         costs nothing there, so the difference is what faces add)

Target (issue 27): the face stage at defaults <= 0.35 s CPU per photo.
Prints a table and writes benchmarks/results/faces_stage.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import make_vit_b32, table, write_results  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
TARGET_S = 0.35


def cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def measure(fn, items) -> tuple[float, float, list]:
    wall, start = time.perf_counter(), cpu()
    out = [fn(item) for item in items]
    return (cpu() - start) / len(items), (time.perf_counter() - wall) / len(items), out


def row(name: str, cpu_s: float, wall_s: float, photos: int, note: str = "") -> list:
    return [name, photos, f"{cpu_s:.3f}", f"{wall_s:.3f}", note]


def index_run(photos: list[Path], faces: bool) -> tuple[float, float, int]:
    from photoapp.core.library import Library

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        for p in photos:
            shutil.copy(p, folder / p.name)
        (Path(tmp) / "lib").mkdir()
        (Path(tmp) / "lib" / "settings.json").write_text(json.dumps({"faces": {"enabled": faces}}))
        with Library(Path(tmp) / "lib", model="toy") as lib:
            lib.settings.decode_workers = 1
            wall, start = time.perf_counter(), cpu()
            report = lib.index_folders([str(folder)])
            return (cpu() - start) / len(photos), (time.perf_counter() - wall) / len(photos), report.faces


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cnn", type=int, default=2, help="photos to time the CNN detector on (0: skip)")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    from photoapp.core.embedding.clip import ClipEmbedder
    from photoapp.core.embedding.models import resolve
    from photoapp.core.faces.detector import DECODE_SIDE, FaceAnalyzer
    from photoapp.core.media.decoding import load_rgb

    photos = sorted((SHARED / "faces" / "photos").iterdir()) + sorted((SHARED / "photos").glob("*.jpg"))
    with tempfile.TemporaryDirectory() as tmp:
        clip = ClipEmbedder(resolve(str(make_vit_b32(Path(tmp) / "vit"))), "cpu", precision="fp32", onnx=False).load()
        spec = clip.spec
        small = spec.smallest_decode_size()
        rows, data = [], {}

        c, w, _ = measure(lambda p: load_rgb(p, small), photos)
        rows.append(row(f"decode (CLIP size, {small} px)", c, w, len(photos)))
        data["decode_clip"] = {"cpu_s": round(c, 4), "wall_s": round(w, 4)}
        c, w, images = measure(lambda p: load_rgb(p, max(small, DECODE_SIDE))[0], photos)
        rows.append(row(f"decode (face size, {DECODE_SIDE} px)", c, w, len(photos), "the one decode with faces on"))
        data["decode_faces"] = {"cpu_s": round(c, 4), "wall_s": round(w, 4)}

        hog = FaceAnalyzer("hog").load()
        hog.analyze(images[0])
        c, w, found = measure(hog.analyze, images)
        faces = sum(len(f) for f in found)
        with_people = sum(1 for f in found[:21] if f)
        rows.append(row("face stage (HOG, default)", c, w, len(images), f"{faces} faces; target <= {TARGET_S}"))
        data["face_stage_hog"] = {"cpu_s": round(c, 4), "wall_s": round(w, 4), "faces": faces}
        data["faces_found"] = {
            "photos_of_people_with_a_face": with_people,
            "faces_on_people_free_photos": sum(len(f) for f in found[21:]),
        }
        if args.cnn:
            cnn = FaceAnalyzer("cnn").load()
            c, w, _ = measure(cnn.analyze, images[: args.cnn])
            rows.append(row("face stage (CNN, opt-in)", c, w, args.cnn))
            data["face_stage_cnn"] = {"cpu_s": round(c, 3), "wall_s": round(w, 3), "photos": args.cnn}

        pixels = np.stack([spec.to_array(img) for img in images])
        clip.embed_pixels(pixels[:2])
        start_c, start_w = cpu(), time.perf_counter()
        for i in range(0, len(pixels), 16):
            clip.embed_pixels(pixels[i : i + 16])
        c, w = (cpu() - start_c) / len(pixels), (time.perf_counter() - start_w) / len(pixels)
        rows.append(row("CLIP stage (ViT-B/32 fp32, 1 thread)", c, w, len(pixels)))
        data["clip_stage"] = {"cpu_s": round(c, 4), "wall_s": round(w, 4)}

    for faces_on in (False, True):
        c, w, n = index_run(photos, faces_on)
        label = f"index, faces {'on' if faces_on else 'off'} (toy model, 1 worker)"
        rows.append(row(label, c, w, len(photos), f"{n} faces" if faces_on else ""))
        data[f"index_faces_{'on' if faces_on else 'off'}"] = {"cpu_s": round(c, 4), "wall_s": round(w, 4)}

    print(table(["stage", "photos", "CPU s/photo", "wall s/photo", ""], rows, title="Face stage beside CLIP"))
    print(f"\nwrote {write_results('faces_stage', data)}")


if __name__ == "__main__":
    main()
