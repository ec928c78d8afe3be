"""A generated hostile photo folder: everything real folders contain that can trip an indexer.

``build_hostile_folder`` writes it and returns which files are good (must be indexed) and
which are bad (must be listed as problems, with words a person understands in the reason).
``tree_snapshot`` records a folder tree without opening anything that could block, so a
test can assert that Photoapp left the photo folder byte-identical.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from photoapp.toy.domain import ALL_CLASSES, render

BOMB_SIDE = (16_000, 12_000)  # 192 megapixels: over the decoder's limit, a few hundred kB on disk


@dataclass
class HostileFolder:
    root: Path
    good: set[str] = field(default_factory=set)  # absolute paths (os.fsdecode) that must be indexed
    bad: dict[str, str] = field(default_factory=dict)  # path -> regex the problem's reason must match
    unreadable: str | None = None  # the chmod 000 file (bad only where permissions are enforced)
    ignored: set[str] = field(default_factory=set)  # symlinks to good files, loops: never a second photo


def _toy_jpeg(rng: np.random.Generator, index: int) -> bytes:
    img = render(ALL_CLASSES[index % len(ALL_CLASSES)], rng)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def decompression_bomb_png(width: int, height: int) -> bytes:
    """A valid greyscale PNG of ``width`` x ``height`` black pixels, built from one compressed
    block of rows repeated (after a full flush a deflate block stands alone), so neither this
    function nor the file ever holds the pixels."""
    rows = 64
    raw = (b"\x00" * (width + 1)) * rows  # filter byte + one byte per pixel, per row
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(raw) + comp.flush(zlib.Z_FULL_FLUSH)
    count, rest = divmod(height, rows)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    last = comp.compress(raw[: rest * (width + 1)]) + comp.flush()
    adler = 1
    for _ in range(count):
        adler = zlib.adler32(raw, adler)
    adler = zlib.adler32(raw[: rest * (width + 1)], adler)
    idat = b"\x78\x01" + block * count + last + struct.pack(">I", adler)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def corrupt_exif_jpeg(rng: np.random.Generator) -> bytes:
    """A good JPEG whose EXIF segment is garbage after a valid-looking TIFF header."""
    data = _toy_jpeg(rng, 3)
    payload = b"Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff" + bytes(rng.integers(0, 256, 200, dtype=np.uint8))
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + app1 + data[2:]


def build_hostile_folder(root: Path, seed: int = 5) -> HostileFolder:
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    out = HostileFolder(root)

    def good(name: str | bytes, data: bytes) -> None:
        path = os.path.join(os.fsencode(root), os.fsencode(name))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
        out.good.add(os.fsdecode(path))

    def bad(name: str, data: bytes, reason: str) -> None:
        (root / name).write_bytes(data)
        out.bad[str(root / name)] = reason

    # -- good, if unusual ------------------------------------------------------------------
    for i in range(6):
        good(f"plain_{i}.jpg", _toy_jpeg(rng, i))
    good("corrupt_exif.jpg", corrupt_exif_jpeg(rng))
    buf = io.BytesIO()
    render(ALL_CLASSES[7], rng).convert("CMYK").save(buf, "JPEG", quality=90)
    good("cmyk.jpg", buf.getvalue())
    buf = io.BytesIO()
    grey16 = np.asarray(render(ALL_CLASSES[8], rng).convert("L"), dtype=np.uint16) * 257
    Image.fromarray(grey16).save(buf, "PNG")  # 16 bits per pixel
    good("grey16.png", buf.getvalue())
    buf = io.BytesIO()
    pal = render(ALL_CLASSES[9], rng).convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    pal.info["transparency"] = 0
    pal.save(buf, "PNG", transparency=0)
    good("palette_alpha.png", buf.getvalue())
    frames = [render(ALL_CLASSES[10 + k], rng).convert("P") for k in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    good("animated.gif", buf.getvalue())
    buf = io.BytesIO()
    Image.new("RGB", (8000, 6000), (40, 90, 160)).save(buf, "JPEG", quality=70)  # 48 MP
    good("camera_48mp.jpg", buf.getvalue())
    buf = io.BytesIO()
    Image.new("RGB", (1, 1), (250, 10, 10)).save(buf, "PNG")
    good("one_pixel.png", buf.getvalue())
    good(b"caf\xe9_latin1.jpg", _toy_jpeg(rng, 11))  # not valid UTF-8
    good("🌅 sunset \u00e9t\u00e9 写真.jpg", _toy_jpeg(rng, 12))
    good("album.jpg/inside_a_folder_named_jpg.jpg", _toy_jpeg(rng, 13))
    good("nested/deeper/plain.webp", _webp(rng))

    # -- bad --------------------------------------------------------------------------------
    photo = _toy_jpeg(rng, 14)
    bad("empty.jpg", b"", r"empty")
    bad("truncated.jpg", photo[: len(photo) // 3], r"truncated|corrupt")
    bad("random_bytes.jpg", bytes(rng.integers(0, 256, 4096, dtype=np.uint8)), r"not a recognised image")
    bad("page.png", b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>\n", r"not a recognised image")
    bad("bomb.png", decompression_bomb_png(*BOMB_SIDE), r"too large.*megapixels")
    ihdr = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 30_000, 30_000, 8, 2, 0, 0, 0))
    idat = _png_chunk(b"IDAT", zlib.compress(b"\x00" * 3001))  # a few pixels of the 900 MP it claims
    bad("bomb_header_only.png", b"\x89PNG\r\n\x1a\n" + ihdr + idat + _png_chunk(b"IEND", b""), r"too large.*megapixels")
    os.mkfifo(root / "pipe.jpg")
    out.bad[str(root / "pipe.jpg")] = r"not a regular file"
    os.symlink("/dev/zero", root / "device.jpg")  # endless if ever read
    out.bad[str(root / "device.jpg")] = r"not a regular file"
    os.symlink(root / "no" / "such" / "photo.jpg", root / "dangling.jpg")
    out.bad[str(root / "dangling.jpg")] = r"broken symbolic link"
    os.symlink("self_loop.jpg", root / "self_loop.jpg")  # ELOOP when followed
    out.bad[str(root / "self_loop.jpg")] = r"symbolic link loop"
    unreadable = root / "unreadable.jpg"
    unreadable.write_bytes(_toy_jpeg(rng, 15))
    unreadable.chmod(0)
    out.unreadable = str(unreadable)

    # -- things that must not become second photos -------------------------------------------
    os.symlink(root, root / "nested" / "loop_to_root")  # a directory symlink loop
    os.symlink(root / "plain_0.jpg", root / "alias_of_plain_0.jpg")  # the same inode again
    out.ignored |= {str(root / "nested" / "loop_to_root"), str(root / "alias_of_plain_0.jpg")}
    return out


def _webp(rng: np.random.Generator) -> bytes:
    buf = io.BytesIO()
    render(ALL_CLASSES[16], rng).save(buf, "WEBP", quality=80)
    return buf.getvalue()


def tree_snapshot(root: Path) -> dict[bytes, tuple]:
    """Every entry under ``root`` (not following symlinks): type, mode, size, mtime and a
    content hash for regular files; link targets for symlinks. FIFOs are never opened."""
    snap: dict[bytes, tuple] = {}
    base = os.fsencode(root)
    for folder, dirs, files in os.walk(base):
        for name in sorted(dirs + files):
            path = os.path.join(folder, name)
            st = os.lstat(path)
            rel = os.path.relpath(path, base)
            if stat.S_ISLNK(st.st_mode):
                snap[rel] = ("link", os.readlink(path))
            elif stat.S_ISREG(st.st_mode):
                digest = hashlib.blake2b(_read_as_owner(path, st), digest_size=16).hexdigest()
                snap[rel] = ("file", st.st_mode, st.st_size, st.st_mtime_ns, digest)
            else:
                snap[rel] = ("other", st.st_mode, st.st_mtime_ns)
    return snap


def _read_as_owner(path: bytes, st: os.stat_result) -> bytes:
    """Contents of a file, even one chmod 000 (read by granting read, then restoring)."""
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except PermissionError:
        os.chmod(path, stat.S_IMODE(st.st_mode) | stat.S_IRUSR)
        try:
            with open(path, "rb") as fh:
                return fh.read()
        finally:
            os.chmod(path, stat.S_IMODE(st.st_mode))
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def photo_beyond_path_max(root: Path, data: bytes, depth: int = 22) -> str:
    """Write ``data`` as ``bottom.jpg`` under folders nested deeper than PATH_MAX (4,096
    bytes: 22 levels of 200-byte names), created through directory descriptors since no
    path can name them; returns the deepest folder's path."""
    name = "d" * 200
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        out = os.open("bottom.jpg", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        with open(out, "wb") as fh:
            fh.write(data)
    finally:
        os.close(fd)
    return os.path.join(root, *[name] * depth)
