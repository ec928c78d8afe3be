"""Shared inputs of the performance benchmarks: a real-size CLIP with random weights and
camera-like 12 MP JPEGs. Both are made locally (no download) and can be cached between runs.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SHARED_PHOTOS = ROOT.parent / "shared" / "photos"

CAMERA_SIZE = (4000, 3000)  # 12 MP, 4:3 like most phone and APS-C cameras


def make_vit_b32(folder: Path) -> Path:
    """A ViT-B/32-shaped CLIPModel (transformers' CLIPConfig defaults) with random weights,
    saved as the installed transformers saves a model and its processor (transformers 5:
    the image processor inside processor_config.json, no preprocessor_config.json), with
    openai/clip-vit-base-patch32's published preprocessing."""
    if (folder / "model.safetensors").exists():
        return folder
    import torch
    from transformers import AutoTokenizer, CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    from photoapp.core.embedding.models import toy_model_dir

    torch.manual_seed(0)
    folder.mkdir(parents=True, exist_ok=True)
    CLIPModel(CLIPConfig()).save_pretrained(folder, safe_serialization=True)
    # The toy tokenizer stands in: text cost depends on the 77-token context, not the vocabulary.
    image_processor = CLIPImageProcessor(
        size={"shortest_edge": 224}, crop_size={"height": 224, "width": 224}, do_center_crop=True, resample=3
    )
    CLIPProcessor(
        image_processor=image_processor, tokenizer=AutoTokenizer.from_pretrained(toy_model_dir())
    ).save_pretrained(folder)
    return folder


def catalog_row(i: int, folder_id: int) -> dict:
    """A catalogue row of a synthetic 12 MP photo (no file behind it: thumbnails fail fast)."""
    return {
        "path": f"/bench/photos/{i // 1000:03d}/IMG_{i:06d}.jpg",
        "folder_id": folder_id,
        "size": 3_000_000,
        "mtime": 1.6e9 + i,
        "hash": f"{i:040x}",
        "width": 4000,
        "height": 3000,
        "taken": 1.6e9 + i * 60,
        "added": 1.7e9,
    }


def _exif(i: int, rng: np.random.Generator) -> Image.Exif:
    exif = Image.Exif()
    make, model = [("Canon", "Canon EOS 90D"), ("NIKON CORPORATION", "NIKON D7500"), ("Apple", "iPhone 13")][i % 3]
    when = (datetime(2023, 6, 1) + timedelta(minutes=int(rng.integers(0, 500_000)))).strftime("%Y:%m:%d %H:%M:%S")
    exif[0x010F], exif[0x0110], exif[0x0132] = make, model, when
    exif[0x0112] = 6 if i % 5 == 4 else 1  # every fifth shot is a portrait stored sideways
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = sub[0x9004] = when
    sub[0x829A], sub[0x829D], sub[0x8827] = (1, 250), (28, 10), 200  # exposure, f-number, ISO
    return exif


def camera_photos(folder: Path, count: int, seed: int = 0) -> list[Path]:
    """``count`` distinct 12 MP JPEGs (~3-6 MB, quality 92, EXIF) made from ../shared/photos:
    a random crop scaled to 4000x3000 plus sensor-like grain, so the file sizes and the
    entropy-decoding work resemble a camera's. Existing files are reused."""
    sources = sorted(SHARED_PHOTOS.glob("*.jpg"))
    if not sources:
        raise SystemExit(f"{SHARED_PHOTOS} holds no photos to build camera-like JPEGs from")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"IMG_{i:05d}.jpg"
        paths.append(path)
        if path.exists():
            continue
        rng = np.random.default_rng(seed * 100_003 + i)
        with Image.open(sources[i % len(sources)]) as src:
            src = src.convert("RGB")
            w, h = src.size
            cw, ch = int(w * rng.uniform(0.8, 1.0)), int(h * rng.uniform(0.8, 1.0))
            left, top = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
            big = src.crop((left, top, left + cw, top + ch)).resize(CAMERA_SIZE, Image.BICUBIC)
        arr = np.asarray(big, dtype=np.int16)
        arr = arr + rng.normal(0, 5.0, arr.shape[:2] + (1,)).astype(np.int16)  # luminance grain
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
        tmp = path.with_suffix(".tmp")
        img.save(tmp, "JPEG", quality=92, exif=_exif(i, rng))
        os.replace(tmp, path)
    return paths


SIMD_FLAGS = {"avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_int8", "amx_bf16"}


def machine() -> dict:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    flags: list[str] = []
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and cpu in (platform.processor(), platform.machine()):
                cpu = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):  # the vector units int8, bf16 and HNSW speed depend on
                flags = sorted(set(line.split(":", 1)[1].split()) & SIMD_FLAGS)
                break
    except OSError:
        pass
    info = {"cpu": cpu, "cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform()}
    if flags:
        info["simd"] = flags
    try:
        info["load_avg_at_start"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info


def write_results(name: str, data: dict, path: Path | None = None) -> Path:
    """JSON under benchmarks/results/ (or ``path``), with the machine it ran on."""
    path = path or RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"benchmark": name, "measured": datetime.now().isoformat(timespec="seconds"), "machine": machine()} | data
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def table(headers: list[str], rows: list[list], title: str | None = None) -> str:
    """A plain-text table: first column left-aligned, the rest right-aligned."""
    cells = [[str(c) for c in r] for r in [headers, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    fmt = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    lines = (
        ([title] if title else []) + [fmt(cells[0]), "  ".join("-" * w for w in widths)] + [fmt(r) for r in cells[1:]]
    )
    return "\n".join(lines)


# -- embeddings at library scale (search_scale.py and dupes_scale.py share them) -----------
def unit_vectors(n: int, dim: int, seed: int) -> np.ndarray:
    """Random unit vectors: no cluster structure at all (the hardest case for a graph index)."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, dim), np.float32)
    for start in range(0, n, 100_000):  # in slices: no float64 temporaries of the whole set
        block = rng.standard_normal((min(100_000, n - start), dim), dtype=np.float32)
        out[start : start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def clustered_vectors(n: int, dim: int, seed: int, scenes: int, spread: float = 0.75) -> np.ndarray:
    """Photos in ``scenes`` scenes: a scene centre plus isotropic noise (cosine ~0.8 to it)."""
    rng = np.random.default_rng(seed)
    centres = unit_vectors(scenes, dim, seed=scenes)
    out = np.empty((n, dim), np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        block = centres[rng.integers(0, len(centres), m)]
        block += spread * rng.standard_normal((m, dim), dtype=np.float32) / np.sqrt(dim)
        out[start : start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def planted_copies(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Which photos of an n-photo library are copies, and of what: in the second half, ~2 %
    exact copies, ~5 % near copies and ~5 % similar shots of a photo of the first half."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, max(1, n // 2), n)
    kind = rng.random(n)
    second = np.arange(n) >= n // 2
    return {
        "base": base,
        "exact": np.nonzero((kind < 0.02) & second)[0],
        "near": np.nonzero((kind >= 0.02) & (kind < 0.07) & second)[0],
        "similar": np.nonzero((kind >= 0.07) & (kind < 0.12) & second)[0],
    }


REAL_CLIP = Path(__file__).resolve().parents[1].parent / "shared" / "real-clip"


def real_clip(name: str) -> np.ndarray:
    """Unit rows of one of shared/real-clip's real ViT-B/32 embedding files (images, queries, bank)."""
    path = REAL_CLIP / f"{name}.npy"
    if not path.exists():
        sys.exit(f"benchmark: {path} is missing (--data real needs ../shared/real-clip)")
    a = np.load(path, allow_pickle=False).astype(np.float32)
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def real_derived_vectors(n: int, seed: int) -> np.ndarray:
    """n photos built from real CLIP image embeddings: two real photos blended (weight of the
    first 0.55-1) plus Gaussian noise of sigma 0.012 per dimension, normalised. Queried with
    the real captions, this is as hard for a graph index as real libraries (issue 15)."""
    images = real_clip("images")
    rng = np.random.default_rng(seed)
    out = np.empty((n, images.shape[1]), np.float32)
    for lo in range(0, n, 100_000):
        hi = min(n, lo + 100_000)
        a, b = rng.integers(0, len(images), hi - lo), rng.integers(0, len(images), hi - lo)
        w = rng.uniform(0.55, 1.0, (hi - lo, 1)).astype(np.float32)
        mix = w * images[a] + (1 - w) * images[b] + rng.normal(0, 0.012, (hi - lo, images.shape[1])).astype(np.float32)
        out[lo:hi] = mix / np.linalg.norm(mix, axis=1, keepdims=True)
    return out


def library_vectors(n: int, dim: int, data: str = "clustered") -> np.ndarray:
    """The embeddings of an n-photo library: scenes of ~50 look-alikes with planted copies
    (an exact copy embeds identically, a near one at cosine ~0.999, a similar shot ~0.96),
    with ``data="real"`` blends of real CLIP photo embeddings (``real_derived_vectors``),
    or, with ``data="random"``, plain random unit vectors."""
    if data == "random":
        return unit_vectors(n, dim, seed=n)
    if data == "real":
        return real_derived_vectors(n, seed=n)
    vectors = clustered_vectors(n, dim, seed=n, scenes=max(1, n // 50))
    copies, rng = planted_copies(n), np.random.default_rng(n + 7)
    base = copies["base"]
    vectors[copies["exact"]] = vectors[base[copies["exact"]]]
    for kind, noise in (("near", 0.05), ("similar", 0.3)):
        rows = copies[kind]
        vectors[rows] = vectors[base[rows]] + noise / np.sqrt(dim) * rng.standard_normal((len(rows), dim), np.float32)
        vectors[rows] /= np.linalg.norm(vectors[rows], axis=1, keepdims=True)
    return vectors


def cached_index(vectors: np.ndarray, params, cache: Path, tag: str):
    """(VectorIndex over ids 1..n as in a catalog, build seconds): built once (every core) and kept in
    ``cache``, so the 1M benchmarks share one 25-minute build. The build time is kept too."""
    from photoapp.core.store.vector_index import VectorIndex

    n, dim = vectors.shape
    path = cache / f"hnsw-{tag}-v2-{n}x{dim}-m{params.m}-efc{params.ef_construction}.bin"
    timing = path.with_suffix(".build.json")
    index = VectorIndex.load(path, dim, params)
    if index is not None and len(index) == n and timing.exists():
        print(f"{n:,} vectors: index loaded from {path}", file=sys.stderr)
        return index, json.loads(timing.read_text())["build_s"]
    print(f"{n:,} vectors: building M={params.m} ef_construction={params.ef_construction}...", file=sys.stderr)
    start = time.perf_counter()
    index = VectorIndex(dim, capacity=n, params=params)
    for lo in range(0, n, 50_000):  # the library's own add, in slices so progress shows
        hi = min(n, lo + 50_000)
        index.add(np.arange(lo + 1, hi + 1), vectors[lo:hi])
        print(f"  {hi:,} ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    build_s = round(time.perf_counter() - start, 1)
    cache.mkdir(parents=True, exist_ok=True)
    index.save(path, "bench")
    timing.write_text(json.dumps({"build_s": build_s, "load_avg_after": list(os.getloadavg())}))
    return index, build_s


def fill_catalog(cat, vectors: np.ndarray, model: str, digests=None, hashes=None) -> None:
    """Catalog rows for photos 1..n (``/bench/000000.jpg``...), their embeddings and, given
    (phash, dhash), their fingerprints: what indexing n photos would have stored."""
    from photoapp.core.media import fingerprint
    from photoapp.core.store.fingerprints import FingerprintStore

    n = len(vectors)
    rng = np.random.default_rng(1)
    with cat.transaction():
        folder = cat.add_folder("/bench")
        cat.db.executemany(
            "INSERT INTO photos(id, path, folder_id, size, mtime, hash, width, height, taken, format, added) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'JPEG', 0)",
            (
                (
                    i + 1,
                    f"/bench/{i:06d}.jpg",
                    folder,
                    int(rng.integers(1e5, 5e6)),
                    float(i),
                    digests[i] if digests is not None else f"{i:032x}",
                    4000,
                    3000,
                    1.6e9 + i,
                )
                for i in range(n)
            ),
        )
        # (phash, dhash), or also (turn phash, turn dhash, pose, grids, shot times, cameras[, windows])
        if hashes is not None:
            phash, dhash, *turned = hashes
            FingerprintStore(cat).put(
                (
                    i + 1,
                    fingerprint.Fingerprint(int(phash[i]), int(dhash[i]), 100.0)
                    if not turned
                    else fingerprint.Fingerprint(
                        int(phash[i]),
                        int(dhash[i]),
                        100.0,
                        int(turned[0][i]),
                        int(turned[1][i]),
                        int(turned[2][i]),
                        turned[3][i],
                        0.3,
                        0.9,
                        float(turned[4][i]),
                        turned[5][i],
                        turned[6][i] if len(turned) > 6 else None,
                        version=fingerprint.VERSION,
                    ),
                )
                for i in range(n)
            )
        cat.put_embeddings(model, ((i + 1, vectors[i]) for i in range(n)))
