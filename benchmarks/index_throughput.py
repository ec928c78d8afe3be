"""Indexing throughput: the project's pipeline against its bounds and a naive baseline.

    python benchmarks/index_throughput.py                  # CPU, 32 camera photos
    python benchmarks/index_throughput.py --device cuda --photos 512 --batch-sizes 64,128,256

Everything is measured in one run, side by side, with the real-size ViT-B/32 CLIP
architecture (transformers' CLIPConfig defaults, random weights: its cost does not depend
on the weights), saved in the current folder layout (CLIPProcessor.save_pretrained:
processor_config.json), on camera-like 12 MP JPEGs with EXIF (benchmarks/fixtures.py):

  decode only    the project's decode path (hash, EXIF, JPEG draft decode, fingerprint,
                 resize + normalise) in its decode worker pool, no model
  model only     the embedder on pre-made tensors at the best batch size: the upper bound
                 (measured before and after the end-to-end run; the mean is the bound)
  end-to-end     ``Library.index_folders`` (what ``photoapp index`` runs) on a fresh
                 library, model already loaded
  naive          per image: full-size Pillow decode, the model's own image processor,
                 the model on a batch of one
  precision      model only with the reduced precisions and runtimes (CPU: torch dynamic
                 int8, ONNX Runtime fp32 and int8, bf16; CUDA: fp16), and the cosine of their
                 embeddings to fp32 on the real photos
  text query     one search text through the text tower: torch fp32, torch int8, ONNX
                 Runtime int8 (what a query costs before the index is searched)
  decode cap     what decoding alone allows when it shares the CPUs with the model: CPU
                 seconds per photo of decode + model, against the cores there are

On a CPU "auto" runs ONNX Runtime int8: its one-off export + quantisation is timed too
(into a fresh cache folder, PHOTOAPP_ONNX_DIR, each run).

Prints a table and writes benchmarks/results/index_throughput-<device>.json.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import camera_photos, make_vit_b32, table, write_results  # noqa: E402

from photoapp.config import Settings  # noqa: E402


def cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class Clock:
    """Wall and process CPU time of a block: CPU-seconds per image are far less sensitive
    than wall time to other programs on a shared machine."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, cpu_seconds() - self.cpu

    def row(self, images: int, **extra) -> dict:
        return {
            "images": images,
            "seconds": round(self.wall, 3),
            "images_per_s": round(images / self.wall, 2),
            "cpu_s_per_image": round(self.cpu / images, 3),
        } | extra


def embedder_for(model: Path, device: str, precision: str = "fp32", onnx: bool = True):
    from photoapp.core.embedding.clip import ClipEmbedder
    from photoapp.core.embedding.models import resolve

    return ClipEmbedder(resolve(str(model)), device, precision=precision, onnx=onnx).load()


class OrtFp32:
    """The image tower exported to ONNX and run in fp32 by ONNX Runtime (not a Photoapp
    precision: measured to separate the runtime's gain from int8's)."""

    def __init__(self, model: Path, folder: Path):
        from photoapp.core.embedding import onnxrt

        emb = embedder_for(model, "cpu", "fp32")
        path = folder / "image-fp32.onnx"
        onnxrt.export_tower(
            emb._model,
            "image",
            path,
            image_size=emb._model.config.vision_config.image_size,
            text_inputs=("input_ids",),
            text_length=None,
        )
        self.tower, self._normalise = onnxrt.Tower(path), emb._normalise

    def embed_pixels(self, batch: np.ndarray) -> np.ndarray:
        return self._normalise(self.tower(pixel_values=batch))

    def unload(self) -> None:
        self.tower = None


def text_query(embedders: dict, rounds: int = 20) -> dict:
    """Milliseconds to encode one search text (batch of one, as a query is), best of 3."""
    rows = {}
    texts = [f"a photo of a dog on the beach number {i}" for i in range(rounds)]
    for name, emb in embedders.items():
        emb.embed_texts(["warm-up"])
        best = None
        for _ in range(3):
            with Clock() as clock:
                for text in texts:
                    emb.embed_texts([text])
            best = clock if best is None or clock.wall < best.wall else best
        rows[name] = {"ms_per_query": round(1000 * best.wall / rounds, 1), "runtime": emb.runtime}
    return rows


def decode_only(paths: list[Path], spec, workers: int) -> tuple[dict, np.ndarray]:
    """The indexer's own per-file work, in a pool of its size, without the model."""
    from photoapp.core.indexing.indexer import _decode_one, _Work
    from photoapp.core.media.scanner import FileEntry

    items = [_Work(FileEntry(str(p), p.stat().st_size, p.stat().st_mtime), 1) for p in paths]
    with Clock() as clock, ThreadPoolExecutor(workers) as pool:
        arrays = [arr for arr, _ in pool.map(lambda item: _decode_one(item, spec), items)]
    return clock.row(len(paths), workers=workers), np.stack(arrays)


def model_only(embedder, pixels: np.ndarray, batch_sizes: list[int], images: int) -> dict:
    """Best throughput over ``batch_sizes`` on pre-made tensors (real decoded photos, tiled)."""
    best = None
    for bs in batch_sizes:
        batch = np.resize(pixels, (bs,) + pixels.shape[1:]).astype(np.float32)
        embedder.embed_pixels(batch)  # warm-up (allocator, oneDNN primitives, CUDA kernels)
        rounds = max(1, images // bs)
        with Clock() as clock:
            for _ in range(rounds):
                embedder.embed_pixels(batch)
        row = clock.row(rounds * bs, batch=bs)
        print(f"  model only, batch {bs}: {row['images_per_s']} images/s", file=sys.stderr)
        if best is None or row["images_per_s"] > best["images_per_s"]:
            best = row
    return best


def first_index(model: Path, photo: Path, lib: Path, device: str, template: Path) -> dict:
    """The one-off work of a library's first index (the tagging vocabulary's text
    embeddings, cached in the catalog), done on one photo so it stays out of throughput.
    The library is kept in the cache (``template``) and copied for later runs."""
    import json
    import shutil

    from photoapp.core.library import Library

    if (template / "one_off.json").exists():
        shutil.copytree(template, lib)
        return json.loads((template / "one_off.json").read_text()) | {"cached": True}
    lib.mkdir(parents=True)
    Settings(model=str(model), device=device).save(lib)
    with Library(lib) as library:
        library.embedder.load()
        with Clock() as clock:
            library.index_folders([str(photo)])
    one_off = {"seconds": round(clock.wall, 1), "cpu_s": round(clock.cpu, 1)}
    shutil.rmtree(template, ignore_errors=True)
    shutil.copytree(lib, template)
    (template / "one_off.json").write_text(json.dumps(one_off))
    return one_off


def end_to_end(lib: Path, photos: Path, batch: int, workers: int, precision: str, warm: np.ndarray) -> dict:
    """``photoapp index`` on new photos of an existing library, model loaded and warm (for
    int8 that includes its one-off first-batch check against fp32, done on ``warm``)."""
    from photoapp.core.library import Library

    settings = Settings.load(lib)
    settings.batch_size, settings.decode_workers, settings.precision = batch, workers, precision
    settings.save(lib)
    with Library(lib) as library:
        library.embedder.embed_pixels(warm)  # model load + int8 check are not throughput
        with Clock() as clock:
            report = library.index_folders([str(photos)])
        used, cosine, runtime = library.embedder.precision, library.embedder.int8_cosine, library.embedder.runtime
    assert report.embedded == len(list(photos.glob("*.jpg"))), report
    extra = {"int8_check_cosine": round(cosine, 4)} if cosine is not None else {}
    return clock.row(
        report.embedded, batch=batch, workers=workers, precision=used, runtime=runtime.replace(" ", "_"), **extra
    )


def naive(model: Path, paths: list[Path], device: str) -> dict:
    """What a first script would do: full decode, the transformers processor, batch of 1."""
    import torch
    from PIL import Image
    from transformers import AutoImageProcessor, CLIPModel

    processor = AutoImageProcessor.from_pretrained(model)  # the model's own, from processor_config.json
    net = CLIPModel.from_pretrained(model, use_safetensors=True).to(device).eval()
    with torch.inference_mode():
        net.get_image_features(pixel_values=torch.zeros(1, 3, 224, 224, device=device))  # warm-up
        with Clock() as clock:
            for path in paths:
                with Image.open(path) as img:
                    rgb = img.convert("RGB")
                inputs = processor(images=rgb, return_tensors="pt")
                net.get_image_features(pixel_values=inputs["pixel_values"].to(device))
    return clock.row(len(paths))


def precision_rows(
    model: Path,
    device: str,
    pixels: np.ndarray,
    reference: np.ndarray,
    batch: int,
    images: int,
    precisions: list[str],
    work: Path,
    interleaved: tuple[str, ...] = (),
) -> dict:
    """Model only per precision/runtime at one batch size, and the cosine to fp32. Those in
    ``interleaved`` are timed in turns, one batch each per round, so that a load that comes
    and goes on a shared machine weighs on all of them alike; the others one after another."""
    rows, loaded = {}, {}
    for precision in precisions:
        try:
            if precision == "ort fp32":
                emb = OrtFp32(model, work)
            else:
                runtime, _, level = precision.rpartition(" ")
                emb = embedder_for(model, device, level, onnx=runtime == "ort")
        except Exception as exc:  # noqa: BLE001 - an unsupported precision is a finding, not a crash
            rows[precision] = {"error": str(exc)}
            continue
        cos = np.sum(emb.embed_pixels(pixels) * reference, axis=1)  # also the warm-up (and int8's first-batch check)
        rows[precision] = {"cosine_min": round(float(cos.min()), 4), "cosine_mean": round(float(cos.mean()), 4)}
        if precision in interleaved:
            loaded[precision] = emb
        else:
            rows[precision] = model_only(emb, pixels, [batch], batch) | rows[precision]  # one batch: bf16 can crawl
            emb.unload()
    if loaded:
        data = np.resize(pixels, (batch,) + pixels.shape[1:]).astype(np.float32)
        for emb in loaded.values():
            emb.embed_pixels(data)  # warm at this batch size
        clocks = {name: [0.0, 0.0] for name in loaded}
        rounds = max(1, images // batch)
        for _ in range(rounds):
            for name, emb in loaded.items():
                with Clock() as clock:
                    emb.embed_pixels(data)
                clocks[name][0] += clock.wall
                clocks[name][1] += clock.cpu
        for name, (wall, cpu) in clocks.items():
            n = rounds * batch
            rows[name] = {
                "images": n,
                "seconds": round(wall, 3),
                "images_per_s": round(n / wall, 2),
                "cpu_s_per_image": round(cpu / n, 3),
                "batch": batch,
                "interleaved": True,
            } | rows[name]
            print(f"  model only, {name}, batch {batch}: {rows[name]['images_per_s']} images/s", file=sys.stderr)
            loaded[name].unload()
    return {name: rows[name] for name in precisions}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=32, help="camera-like photos for end-to-end and decode")
    parser.add_argument("--naive-photos", type=int, default=8, help="photos for the (slow) naive baseline")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "mps"])
    parser.add_argument(
        "--batch-sizes",
        default=None,
        help="model-only batch sizes to try (default cpu 8,16,32; gpu 64,128,256); the best is used end to end",
    )
    parser.add_argument("--workers", type=int, default=0, help="decode workers (default: the library's choice)")
    parser.add_argument("--precision", default=None, help="end-to-end precision (default: the library default)")
    parser.add_argument("--skip", default="", help="comma list of phases to skip: naive,precision,text")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "photoapp-bench",
        help="where generated photos and the random-weight model are kept between runs",
    )
    parser.add_argument(
        "--json", type=Path, help="result file (default benchmarks/results/index_throughput-<device>.json)"
    )
    args = parser.parse_args()
    gpu = args.device != "cpu"
    batch_sizes = [int(b) for b in (args.batch_sizes or ("64,128,256" if gpu else "8,16,32")).split(",")]
    skip = set(filter(None, args.skip.split(",")))

    from photoapp.core.indexing.indexer import default_workers

    precision = args.precision or "auto"
    workers = args.workers or default_workers()
    print("preparing the model and photos...", file=sys.stderr)
    model = make_vit_b32(args.cache / "vit-b32-random-processor")
    # Three folders of distinct photos: one library indexes them all, and a copy of a
    # photo already indexed would reuse its embedding instead of being decoded.
    folders = {name: args.cache / name for name in ("camera", "camera-fp32", "camera-first")}
    for (_name, folder), (count, seed) in zip(folders.items(), [(args.photos, 0), (args.photos, 1), (1, 2)]):
        camera_photos(folder, count, seed)
        for stale in sorted(folder.glob("*.jpg"))[count:]:
            stale.unlink()  # each folder is indexed whole
    paths = sorted(folders["camera"].glob("*.jpg"))
    sizes_mb = [p.stat().st_size / 1e6 for p in paths]

    onnx_cache = Path(tempfile.mkdtemp(prefix="photoapp-onnx-"))
    os.environ["PHOTOAPP_ONNX_DIR"] = str(onnx_cache)  # a fresh export cache: its one-off cost is measured
    export = {}
    if not gpu:
        print("exporting and quantising the towers for ONNX Runtime (once per model)...", file=sys.stderr)
        with Clock() as clock:
            ort = embedder_for(model, args.device, "int8")
        files = {p.name: round(p.stat().st_size / 1e6, 1) for p in onnx_cache.rglob("*.onnx")}
        export = {
            "seconds_with_model_load": round(clock.wall, 1),
            "runtime": ort.runtime,
            "files_mb": files,
            "onnx_error": ort.onnx_error,
        }
        ort.unload()
    fp32 = embedder_for(model, args.device, "fp16" if gpu else "fp32")
    rows: dict[str, dict] = {}
    print("decode only...", file=sys.stderr)
    rows["decode only"], pixels = decode_only(paths, fp32.spec, workers)
    print("model only...", file=sys.stderr)
    before = model_only(fp32, pixels, batch_sizes, max(args.photos, 2 * max(batch_sizes)))
    best_batch = before["batch"]
    fp32.unload()
    print("end to end...", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        lib = Path(tmp) / "lib"
        one_off = first_index(
            model, folders["camera-first"], lib, args.device, args.cache / f"library-after-first-index-{args.device}"
        )
        rows["end-to-end index"] = end_to_end(lib, folders["camera"], best_batch, workers, precision, pixels[:8])
        if precision not in ("fp32", "fp16"):
            rows["end-to-end index, fp32"] = end_to_end(
                lib, folders["camera-fp32"], best_batch, workers, "fp16" if gpu else "fp32", pixels[:8]
            )
    fp32 = embedder_for(model, args.device, "fp16" if gpu else "fp32")
    after = model_only(fp32, pixels, [best_batch], max(args.photos, 2 * best_batch))
    bound_ips = (before["images_per_s"] + after["images_per_s"]) / 2
    rows["model only (bound)"] = before | {
        "images_per_s": round(bound_ips, 2),
        "before_e2e": before["images_per_s"],
        "after_e2e": after["images_per_s"],
    }
    reference = fp32.embed_pixels(pixels)
    fp32.unload()
    if "naive" not in skip:
        print("naive baseline...", file=sys.stderr)
        rows["naive (full decode + HF processor, batch 1)"] = naive(model, paths[: args.naive_photos], args.device)
    precisions = (
        {}
        if "precision" in skip
        else precision_rows(  # a few batches each: bf16 can be 10x slower
            model,
            args.device,
            pixels,
            reference,
            best_batch,
            (1 if gpu else 4) * best_batch,
            ["fp32"] if gpu else ["torch fp32", "torch int8", "ort fp32", "ort int8", "torch bf16"],
            onnx_cache,
            interleaved=() if gpu else ("torch fp32", "torch int8", "ort fp32", "ort int8"),
        )
    )
    queries = {}
    if not gpu and "text" not in skip:
        print("text queries...", file=sys.stderr)
        queries = text_query(
            {
                "torch fp32": embedder_for(model, "cpu", "fp32"),
                "torch int8": embedder_for(model, "cpu", "int8", onnx=False),
                "ort int8": embedder_for(model, "cpu", "int8"),
            }
        )
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    decode_cpu = rows["decode only"]["cpu_s_per_image"]
    caps = {}
    for name in ("torch fp32", "ort int8"):
        model_cpu = precisions.get(name, {}).get("cpu_s_per_image")
        if model_cpu:  # decode and model share the cores: each photo costs both's CPU time
            caps[f"decode + {name} on {cpus} cores, images/s"] = round(cpus / (decode_cpu + model_cpu), 1)
    caps["decode alone on 1 core, images/s"] = round(1 / decode_cpu, 1)

    e2e = rows["end-to-end index"]["images_per_s"]
    ratios = {"e2e_over_model_only": round(e2e / bound_ips, 3)}
    # The same ratios by CPU time per image: robust to other programs on a shared machine.
    cpu = {name: r["cpu_s_per_image"] for name, r in rows.items()}
    ratios["cpu_e2e_over_model_only"] = round(cpu["model only (bound)"] / cpu["end-to-end index"], 3)
    if "end-to-end index, fp32" in rows:
        ratios["e2e_fp32_over_model_only"] = round(rows["end-to-end index, fp32"]["images_per_s"] / bound_ips, 3)
        ratios["cpu_e2e_fp32_over_model_only"] = round(cpu["model only (bound)"] / cpu["end-to-end index, fp32"], 3)
    naive_row = rows.get("naive (full decode + HF processor, batch 1)")
    torch_fp32 = precisions.get("torch fp32", {}).get("images_per_s")
    for name, r in precisions.items():
        if torch_fp32 and "images_per_s" in r:
            ratios[f"model_only_{name.replace(' ', '_')}_over_torch_fp32"] = round(r["images_per_s"] / torch_fp32, 2)
    if torch_fp32:  # the bar: end to end (ORT int8) over torch fp32 model-only, same run
        ratios["e2e_over_torch_fp32_model_only"] = round(e2e / torch_fp32, 2)
    if queries.get("ort int8") and queries.get("torch int8"):
        ratios["text_query_ort_int8_speedup_over_torch_int8"] = round(
            queries["torch int8"]["ms_per_query"] / queries["ort int8"]["ms_per_query"], 2
        )
        ratios["text_query_ort_int8_speedup_over_torch_fp32"] = round(
            queries["torch fp32"]["ms_per_query"] / queries["ort int8"]["ms_per_query"], 2
        )
    if naive_row:
        ratios["e2e_over_naive"] = round(e2e / naive_row["images_per_s"], 2)
        ratios["cpu_e2e_over_naive"] = round(naive_row["cpu_s_per_image"] / cpu["end-to-end index"], 2)
    print()
    print(
        table(
            ["what", "images", "seconds", "images/s", "CPU-s/image", "notes"],
            [
                [
                    name,
                    r["images"],
                    r["seconds"],
                    r["images_per_s"],
                    r["cpu_s_per_image"],
                    " ".join(
                        f"{k}={v}"
                        for k, v in r.items()
                        if k
                        in ("batch", "workers", "precision", "before_e2e", "after_e2e", "int8_check_cosine", "runtime")
                    ),
                ]
                for name, r in rows.items()
            ],
            title=f"ViT-B/32 (random weights), {args.photos} x 12 MP JPEG "
            f"({min(sizes_mb):.1f}-{max(sizes_mb):.1f} MB), device {args.device}, {os.cpu_count()} CPUs",
        )
    )
    if precisions:
        print()
        print(
            table(
                ["precision (model only)", "images/s", "cosine min", "cosine mean"],
                [
                    [p, r.get("images_per_s", "-"), r.get("cosine_min", "-"), r.get("cosine_mean", r.get("error", ""))]
                    for p, r in precisions.items()
                ],
            )
        )
    if queries:
        print()
        print(
            table(
                ["text query (1 text)", "ms", "runtime"],
                [[name, r["ms_per_query"], r["runtime"]] for name, r in queries.items()],
            )
        )
    print()
    for name, value in caps.items():
        print(f"{name}: {value}")
    if export:
        print(
            f"ONNX export + quantisation, once per model (with model load): {export['seconds_with_model_load']} s, "
            f"files {export['files_mb']} MB, {export['runtime']}"
        )
    print()
    for name, value in ratios.items():
        print(f"{name}: {value}")
    print(f"first index of a library, one-off (tagging vocabulary): {one_off['seconds']} s")
    out = write_results(
        f"index_throughput-{args.device}",
        {
            "photos": args.photos,
            "photo_mb": [round(min(sizes_mb), 2), round(max(sizes_mb), 2)],
            "model": "CLIP ViT-B/32 architecture (transformers CLIPConfig defaults), random weights",
            "rows": rows,
            "precision": precisions,
            "text_query": queries,
            "decode_cap": caps,
            "onnx_export": export,
            "ratios": ratios,
            "first_index_one_off": one_off,
            "torch_threads": _torch_threads(),
        },
        args.json,
    )
    print(f"\nwrote {out}")
    import shutil

    shutil.rmtree(onnx_cache, ignore_errors=True)


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


if __name__ == "__main__":
    main()
