"""How fast a command-line search answers on a real-size model (issue 30).

    python benchmarks/cli_search.py [--runs 5] [--cache /tmp/photoapp-bench]

A ViT-B/32 CLIP folder with random weights (benchmarks/fixtures.py make_vit_b32: real sizes,
so real costs) indexes the 27 photos of ../shared/photos once; its int8 towers are then in
the export cache (kept in --cache between runs, as a user's is). Then, each as a fresh
process with a warm page cache, side by side in the same run:

- ``python -c "import torch"``: the bar (a search must cost no more than importing torch);
- ``photoapp search "a dog on a beach" --json``: wall time and peak memory (target 400 MB);
- ``photoapp index`` of 8 new photos (2 MP JPEGs made here): how long until the first
  batch reaches the model (target 1.5 s) and until the command ends.

Then, in this process, the fast path's embeddings against today's ONNX Runtime path (torch
and transformers loaded as before this change) on the caption bank and the 27 photos.

Each command's heavy imports are listed (torch, transformers' model code, onnx...): the
query and index paths on ONNX Runtime import none of torch, transformers or onnx.
Prints a table and writes benchmarks/results/cli_search.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import SHARED_PHOTOS, make_vit_b32, table, write_results  # noqa: E402

HEAVY = ("torch", "transformers", "onnx", "onnxruntime", "tokenizers", "PIL", "hnswlib", "numpy", "PySide6")
QUERY = "a dog on a beach"
TARGET_MB = 400
TARGET_INDEX_START_S = 1.5
PROBE = Path(__file__).resolve().parent / "cli_probe.py"


def probed(args: list[str], env: dict, out: Path) -> tuple[float, float, int, dict]:
    """One fresh process through cli_probe.py: (start time.time(), wall s, peak MB, probe)."""
    started, t0 = time.time(), time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(PROBE), *args], env=env | {"PHOTOAPP_PROBE_OUT": str(out)}, capture_output=True
    )
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.decode()[-2000:]}")
    probe = json.loads(out.read_text())
    return started, wall, probe["peak_mb"], probe


def heavy(modules: list[str]) -> list[str]:
    tops = {m.split(".")[0] for m in modules}
    found = [h for h in HEAVY if h in tops]
    model_code = [m for m in modules if m.startswith("transformers.models.") and ".modeling_" in m]
    return found + (["transformers model code"] if model_code else [])


def new_photos(folder: Path, count: int, seed: int) -> None:
    """Photo-sized JPEGs with content of their own (no stored vector is reused by hash)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    for i in range(count):
        small = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
        img = Image.fromarray(small).resize((1600, 1200), Image.Resampling.BICUBIC)
        img.save(folder / f"IMG_{seed:03d}_{i}.jpg", quality=90)


def fidelity(model: Path, onnx_dir: Path) -> dict:
    """The fast path against today's ONNX Runtime path (torch loads the model, transformers
    tokenises and reads the image processor, the same int8 files run): the lowest cosine
    over the shipped caption bank and the 27 shared photos (target >= 0.9999)."""
    os.environ["PHOTOAPP_ONNX_DIR"] = str(onnx_dir)
    from photoapp.core.embedding.bank import bank_texts
    from photoapp.core.embedding.clip import ClipEmbedder
    from photoapp.core.embedding.models import resolve
    from photoapp.core.media.decoding import decode_for_model

    fast = ClipEmbedder(resolve(str(model)), "cpu").load()
    today = ClipEmbedder(resolve(str(model)), "cpu")
    with today._lock:
        today._load_torch()  # what every run did before: torch, transformers, the same towers
        today._loaded = True
    assert fast._settings is not None and today._settings is None
    texts = bank_texts()
    photos = sorted(SHARED_PHOTOS.glob("*.jpg"))
    pixels = [np.stack([decode_for_model(p, e.spec)[0] for p in photos]) for e in (fast, today)]
    cos = lambda a, b: float(np.min(np.sum(a * b, axis=1)))  # noqa: E731
    return {
        "texts": len(texts),
        "photos": len(photos),
        "pixels_max_abs_diff": float(np.max(np.abs(pixels[0] - pixels[1]))),
        "text_cosine_min": round(cos(fast.embed_texts(texts), today.embed_texts(texts)), 6),
        "image_cosine_min": round(cos(fast.embed_pixels(pixels[0]), today.embed_pixels(pixels[1])), 6),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "photoapp-bench")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    entry = Path(sys.executable).with_name("photoapp")  # the setup runs the installed command
    model = make_vit_b32(args.cache / "vit-b32-random-processor")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        lib = tmp / "lib"
        env = os.environ | {"PHOTOAPP_ONNX_DIR": str(args.cache / "onnx-cli"), "PHOTOAPP_LIBRARY": str(lib)}
        base = [str(entry), "--library", str(lib), "--model", str(model)]
        t0 = time.perf_counter()
        subprocess.run([*base, "index", "-q", str(SHARED_PHOTOS)], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*base, "search", QUERY], env=env, check=True, stdout=subprocess.DEVNULL)  # bank cached
        print(f"setup (index {SHARED_PHOTOS}, export if not cached): {time.perf_counter() - t0:.1f} s")
        query = ["--library", str(lib), "--model", str(model), "search", QUERY, "--json"]
        torch_runs, search_runs = [], []
        for i in range(args.runs):  # interleaved: both see the same load on a shared machine
            torch_runs.append(probed(["--import", "torch"], env, tmp / f"t{i}.json"))
            search_runs.append(probed(query, env, tmp / f"s{i}.json"))
        search_probe = search_runs[-1]
        index_runs = []
        for i in range(args.runs):
            new_photos(tmp / f"new-{i}", 8, seed=i)
            argv = ["--library", str(lib), "--model", str(model), "index", "-q", str(tmp / f"new-{i}")]
            started, wall, peak, probe = probed(argv, env, tmp / f"i{i}.json")
            start = probe["first_embed"] - started if probe["first_embed"] else None
            done = probe["first_embedded"] - started if probe["first_embedded"] else None
            index_runs.append((start, wall, peak, heavy(probe["modules"]), done, probe["first_embed_cpu_s"]))
    torch_s = float(np.median([r[1] for r in torch_runs]))
    search_s = [r[1] for r in search_runs]
    search_mb = [r[2] for r in search_runs]
    starts = [r[0] for r in index_runs if r[0] is not None]
    results = {
        "model": "CLIP ViT-B/32 (transformers CLIPConfig defaults), random weights, int8 towers cached",
        "runs": args.runs,
        "import_torch": {
            "wall_p50_s": round(torch_s, 3),
            "cpu_p50_s": round(float(np.median([r[3]["cpu_s"] for r in torch_runs])), 3),
            "peak_mb_p50": int(np.median([r[2] for r in torch_runs])),
        },
        "search": {
            "command": f'photoapp search "{QUERY}" --json',
            "wall_p50_s": round(float(np.median(search_s)), 3),
            "wall_max_s": round(max(search_s), 3),
            "cpu_p50_s": round(float(np.median([r[3]["cpu_s"] for r in search_runs])), 3),
            "peak_mb_max": max(search_mb),
            "vs_import_torch": round(float(np.median(search_s)) / torch_s, 2),
            "imports": heavy(search_probe[3]["modules"]),
            "target": "wall <= import torch, peak <= 400 MB",
        },
        "index_8_new": {
            "command": "photoapp index DIR (8 new 2 MP photos)",
            "first_batch_p50_s": round(float(np.median(starts)), 3) if starts else None,
            "first_batch_max_s": round(max(starts), 3) if starts else None,
            "first_batch_cpu_p50_s": round(float(np.median([r[5] for r in index_runs if r[5]])), 3),
            "first_batch_embedded_p50_s": round(float(np.median([r[4] for r in index_runs if r[4]])), 3),
            "wall_p50_s": round(float(np.median([r[1] for r in index_runs])), 3),
            "peak_mb_max": max(r[2] for r in index_runs),
            "imports": index_runs[-1][3],
            "target_first_batch_s": TARGET_INDEX_START_S,
        },
    }
    results["fidelity"] = fidelity(model, args.cache / "onnx-cli")
    print("fast path vs today's ONNX Runtime path:", results["fidelity"])
    s, ix = results["search"], results["index_8_new"]
    t = results["import_torch"]
    first = f"{ix['first_batch_p50_s']} (CPU {ix['first_batch_cpu_p50_s']})"
    rows = [
        ['python -c "import torch"', t["wall_p50_s"], t["cpu_p50_s"], "-", t["peak_mb_p50"], "torch"],
        [s["command"], s["wall_p50_s"], s["cpu_p50_s"], "-", s["peak_mb_max"], ",".join(s["imports"])],
        [ix["command"], ix["wall_p50_s"], "-", first, ix["peak_mb_max"], ",".join(ix["imports"])],
    ]
    load = os.getloadavg()[0]
    print(
        table(
            ["command", "wall p50 s", "CPU p50 s", "first batch s", "peak MB", "heavy imports"],
            rows,
            title=f"ViT-B/32 cached, {args.runs} fresh processes each (load {load:.1f} on {os.cpu_count()} CPUs)",
        )
    )
    print("wrote", write_results("cli_search", results, args.json))


if __name__ == "__main__":
    main()
