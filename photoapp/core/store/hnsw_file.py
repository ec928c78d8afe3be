"""Checks an hnswlib index file before hnswlib reads it.

hnswlib trusts its file: a few bad header bytes make it allocate absurd sizes or follow
links outside its arrays, and the process dies (SIGSEGV) inside the native library, where
no Python ``except`` can catch it. So every file is read here first, with the layout of
hnswlib 0.8's ``saveIndex`` (hnswalg.h): a 96-byte header, then ``cur_element_count``
fixed-size level-0 records (link count and links, the vector, the label), then for every
element a ``uint32`` byte length and its upper-level link lists. Every number hnswlib
would use to index memory is checked against the file's size, the expected dimension and
the element count; a file that passes cannot send hnswlib outside its arrays. The whole
file's CRC (``file_crc``) additionally catches flipped bytes inside vectors, which the
structure cannot show.
"""

from __future__ import annotations

import math
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# offsetLevel0, max_elements, cur_element_count, size_data_per_element, label_offset,
# offsetData (size_t), maxlevel (int), enterpoint_node (uint32), maxM, maxM0, M (size_t),
# mult (double), ef_construction (size_t)
HEADER = struct.Struct("<6QiI3QdQ")
LINK_COUNT_MASK = 0xFFFF  # the count is an unsigned short; byte 2 holds the deleted mark
MAX_LEVEL = 64  # levels are drawn with P(level >= l) = M**-l: 64 is never reached


class IndexFileDamaged(ValueError):
    """The file is not a sound hnswlib index of the expected shape; the message says why."""


@dataclass(frozen=True)
class Header:
    max_elements: int
    count: int
    record: int  # size_data_per_element
    maxlevel: int
    enterpoint: int
    m: int
    ef_construction: int


def file_crc(path: Path) -> str:
    """The CRC-32 of the whole file (2 GB/s: a 1M-photo index in about a second)."""
    crc = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return f"{crc:08x}"


def check_index_file(path: Path, dim: int, count: int | None = None, full: bool = True) -> Header:
    """The header of a sound index file of ``dim``-dimensional vectors (holding ``count``
    elements, deleted ones included, when given), else IndexFileDamaged saying why.

    ``full`` also walks every record and link list (a second at 250,000 photos); without it
    only the header is checked against the file's size: enough for a file whose CRC matches
    the one recorded when it was saved, as that file was fully checked then."""
    size = os.path.getsize(path)
    if size < HEADER.size:
        raise IndexFileDamaged(f"{size} bytes, shorter than the header")
    with open(path, "rb") as fh:
        header = _header(HEADER.unpack(fh.read(HEADER.size)), dim, size)
    if count is not None and header.count != count:
        raise IndexFileDamaged(f"{header.count} elements, expected {count}")
    if header.count and full:
        _check_records(path, header, dim)
        _check_upper_levels(path, header)
    return header


def _header(values: tuple, dim: int, size: int) -> Header:
    offset0, max_elements, count, record, label_offset, offset_data = values[:6]
    maxlevel, enterpoint, max_m, max_m0, m, mult, ef_construction = values[6:]
    links0 = max_m0 * 4 + 4
    expected = {
        "offsetLevel0": (offset0, 0),
        "maxM": (max_m, m),
        "maxM0": (max_m0, 2 * m),
        "offsetData": (offset_data, links0),
        "label_offset": (label_offset, links0 + dim * 4),
        "size_data_per_element": (record, links0 + dim * 4 + 8),
    }
    for name, (got, want) in expected.items():
        if got != want:
            raise IndexFileDamaged(f"header field {name} is {got}, expected {want} (dimension {dim})")
    if not 2 <= m <= 4096 or not 1 <= ef_construction <= 1 << 20:
        raise IndexFileDamaged(f"header gives M={m}, ef_construction={ef_construction}")
    if not math.isfinite(mult) or abs(mult * math.log(m) - 1) > 1e-6:
        raise IndexFileDamaged(f"header level multiplier {mult} does not match M={m}")
    # hnswlib uses the header's capacity only when it exceeds the one load_index is given,
    # which is the element count here: beyond 2**40 it is garbage, not a capacity.
    if count > max_elements or max_elements >= 1 << 40 or HEADER.size + count * (record + 4) > size:
        raise IndexFileDamaged(f"{count} elements of {record} bytes cannot fit in {size} bytes")
    if count == 0 and (maxlevel, enterpoint) != (-1, 0xFFFFFFFF):
        raise IndexFileDamaged("an empty index with an entry point")
    if count and not (0 <= maxlevel < MAX_LEVEL and enterpoint < count):
        raise IndexFileDamaged(f"entry point {enterpoint} at level {maxlevel} outside the {count} elements")
    return Header(max_elements, count, record, maxlevel, enterpoint, m, ef_construction)


def _check_links(counts: np.ndarray, links: np.ndarray, limit: int, count: int, what: str) -> None:
    """Every list holds at most ``limit`` links, each to one of the ``count`` elements."""
    if (counts > limit).any():
        raise IndexFileDamaged(f"a {what} link list longer than {limit}")
    used = np.arange(links.shape[1]) < counts[:, None]
    if (links[used] >= count).any():
        raise IndexFileDamaged(f"a {what} link to an element that does not exist")


def _check_records(path: Path, header: Header, dim: int) -> None:
    """Level-0 records: link counts, deleted marks, links, distinct labels (read in place:
    a structured view of the file, nothing copied)."""
    max_m0 = 2 * header.m
    layout = np.dtype([("first", "<u4"), ("links", "<u4", (max_m0,)), ("vector", "<f4", (dim,)), ("label", "<u8")])
    records = np.memmap(path, dtype=layout, mode="r", offset=HEADER.size, shape=(header.count,))
    first = records["first"]
    if ((first >> 16) & 0xFE).any() or (first >> 24).any():  # byte 2: deleted mark (0/1), byte 3: 0
        raise IndexFileDamaged("a level-0 record with bad flags")
    _check_links(first & LINK_COUNT_MASK, records["links"], max_m0, header.count, "level-0")
    labels = records["label"]
    if (labels >= 1 << 63).any() or len(np.unique(labels)) != header.count:
        raise IndexFileDamaged("photo ids out of range or repeated")


def _check_upper_levels(path: Path, header: Header) -> None:
    """The per-element link lists above level 0: lengths add up to the file's end, levels
    stay within the graph's, and a link at level l leads to an element that has level l."""
    per_level = header.m * 4 + 4
    with open(path, "rb") as fh:  # a few bytes per element: read at once
        fh.seek(HEADER.size + header.count * header.record)
        tail = fh.read()
    pos, end = 0, len(tail)
    levels = np.zeros(header.count, dtype=np.int64)
    starts: list[tuple[int, int]] = []  # (offset in tail, levels) of every element above level 0
    for element in range(header.count):
        if pos + 4 > end:
            raise IndexFileDamaged("the file ends inside the link lists")
        (length,) = struct.unpack_from("<I", tail, pos)
        pos += 4
        if length:
            if length % per_level or length // per_level > header.maxlevel or pos + length > end:
                raise IndexFileDamaged(f"element {element} has an impossible link list ({length} bytes)")
            levels[element] = length // per_level
            starts.append((pos, length // per_level))
            pos += length
    if pos != end:
        raise IndexFileDamaged(f"{end - pos} unexpected bytes at the end")
    if levels[header.enterpoint] != header.maxlevel:
        raise IndexFileDamaged("the entry point is not on the top level")
    if not starts:
        return
    # Every upper-level list as one row: [count, link * m], with the level it belongs to.
    lists = np.concatenate(
        [np.frombuffer(tail, "<u4", count=n * (header.m + 1), offset=at) for at, n in starts]
    ).reshape(-1, header.m + 1)
    list_level = np.concatenate([np.arange(1, n + 1) for _, n in starts])
    counts, links = lists[:, 0] & LINK_COUNT_MASK, lists[:, 1:]
    _check_links(counts, links, header.m, header.count, "upper-level")
    used = np.arange(header.m) < counts[:, None]
    if (levels[links[used]] < np.broadcast_to(list_level[:, None], used.shape)[used]).any():
        raise IndexFileDamaged("an upper-level link to an element below that level")
