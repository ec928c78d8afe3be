"""The vector index: an HNSW graph (hnswlib, cosine) over one model's embeddings.

Labels are catalog photo ids. The index is a cache of the catalog: it is saved
atomically (temp file + rename, after checking what was written) and rebuilt from stored
embeddings whenever it is missing, damaged (hnsw_file.py checks it before hnswlib reads
it) or disagrees with the catalog.
"""

from __future__ import annotations

import errno
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from photoapp.config import atomic_write_bytes, make_temp_file, sync_folder
from photoapp.core.store.hnsw_file import IndexFileDamaged, check_index_file, file_crc

REFERENCE_SIZE = 100_000  # up to this many photos a query walks the setting's ef


@dataclass(frozen=True)
class HnswParams:
    """The graph's shape, a per-library setting (settings.json: hnsw_m, hnsw_ef_construction,
    hnsw_ef). ``m`` links per node (memory ~8*m bytes/photo, recall), ``ef_construction``
    the build's candidate list (build time, graph quality), ``ef`` the search's (latency,
    recall). benchmarks/search_scale.py measures recall@10 and latency for a choice."""

    m: int = 16
    ef_construction: int = 200
    # recall@10 for real caption queries over 100k blends of real CLIP photo embeddings:
    # 0.969 at ef 256, 0.9885 at 512 (search_scale.py --data real); 1M clustered 0.9995.
    ef: int = 512
    # Beyond REFERENCE_SIZE photos the search walks a longer candidate list: ef * (n / 100k)
    # ** ef_growth. A fixed ef finds less of the true top 10 as the graph grows: over 1M
    # real-derived photos ef 512 finds 0.76 of it, 4,096 0.96, 12,288 0.98 (100k: 0.9885
    # at 512), so the list grows a little faster than the library. 0 keeps ef fixed.
    ef_growth: float = 1.4

    def search_ef(self, size: int) -> int:
        """The candidate list a query over ``size`` photos walks (at least ``ef``)."""
        if size <= REFERENCE_SIZE or self.ef_growth <= 0:
            return self.ef
        return round(self.ef * (size / REFERENCE_SIZE) ** self.ef_growth)

    @classmethod
    def from_settings(cls, settings) -> HnswParams:
        return cls(
            max(2, int(settings.hnsw_m)), max(8, int(settings.hnsw_ef_construction)), max(1, int(settings.hnsw_ef))
        )


def index_stem(model: str) -> str:
    """A file-name-safe stem for a model name."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("_")[-80:] or "model"
    return f"{slug}-{abs(hash_name(model)) % 10**8:08d}"


def hash_name(text: str) -> int:
    import hashlib

    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


class VectorIndex:
    def __init__(self, dim: int, capacity: int = 1024, params: HnswParams | None = None):
        import hnswlib

        self.dim = dim
        self.params = params or HnswParams()
        self._index = hnswlib.Index(space="cosine", dim=dim)
        self._index.init_index(
            max_elements=max(capacity, 16),
            ef_construction=self.params.ef_construction,
            M=self.params.m,
            allow_replace_deleted=True,
        )
        self._index.set_ef(self.params.ef)
        self._ids: set[int] = set()
        self.version = 0  # bumped by every change, so derived caches know when to refresh

    # -- contents -----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._ids)

    def ids(self) -> set[int]:
        return set(self._ids)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return
        replace = [i for i in ids.tolist() if i in self._ids]
        if replace:  # hnswlib would keep both the old and new vector under one label otherwise
            self.remove(replace)
        needed = len(self._ids) + len(ids)
        capacity = self._index.get_max_elements()
        if needed > capacity:
            self._index.resize_index(max(needed, int(capacity * 1.5)))
        self._index.add_items(np.asarray(vectors, dtype=np.float32), ids, replace_deleted=True)
        self._ids.update(ids.tolist())
        self.version += 1

    def remove(self, ids) -> None:
        for i in ids:
            i = int(i)
            if i in self._ids:
                self._index.mark_deleted(i)
                self._ids.discard(i)
                self.version += 1

    # -- queries ------------------------------------------------------------------------
    def query(self, vector: np.ndarray, k: int, allowed: set[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` (ids, cosine similarities), best first; ``k`` beyond the size returns all."""
        if allowed is not None:
            allowed = allowed & self._ids
        k = min(k, len(self._ids) if allowed is None else len(allowed))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        query = np.asarray(vector, np.float32).reshape(1, -1)
        self._index.set_ef(max(self.params.search_ef(len(self._ids)), k))
        try:
            flt = (lambda label: label in allowed) if allowed is not None else None
            labels, distances = self._index.knn_query(query, k=k, filter=flt)
            return labels[0].astype(np.int64), (1.0 - distances[0]).astype(np.float32)
        except RuntimeError:  # a very selective filter can starve the graph walk: go exact
            return self.exact(query[0], k, allowed if allowed is not None else self._ids)

    def neighbours(self, vectors: np.ndarray, k: int, ef: int, threads: int = -1) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` (ids, cosine similarities) of many vectors at once, in hnswlib's threads.

        A low ``ef`` trades recall for speed: duplicate detection only needs the very close
        neighbours of every photo, which the graph walk finds first.
        """
        k = min(k, len(self._ids))
        if k <= 0 or len(vectors) == 0:
            return np.zeros((len(vectors), 0), dtype=np.int64), np.zeros((len(vectors), 0), dtype=np.float32)
        self._index.set_ef(max(ef, k))
        try:
            labels, distances = self._index.knn_query(np.asarray(vectors, np.float32), k=k, num_threads=threads)
        finally:
            self._index.set_ef(self.params.ef)
        return labels.astype(np.int64), (1.0 - distances).astype(np.float32)

    def exact(self, vector: np.ndarray, k: int, ids: set[int]) -> tuple[np.ndarray, np.ndarray]:
        """Brute-force top ``k`` among ``ids`` (vectors read back from the graph)."""
        labels = np.fromiter(ids, dtype=np.int64, count=len(ids))
        vectors = np.asarray(self._index.get_items(labels), dtype=np.float32)
        scores = vectors @ np.asarray(vector, np.float32)
        order = np.argsort(-scores, kind="stable")[:k]
        return labels[order], scores[order]

    # -- persistence --------------------------------------------------------------------
    def save(self, path: Path, model: str) -> None:
        """Write the graph and its sidecar atomically; readers never see half a file.

        hnswlib's own save ignores write errors (a full disk gives a short or empty file),
        so the temp file is synced, its size compared with what hnswlib meant to write and
        read back through the same checks as a load before it replaces the previous file.
        On failure the previous file stays and an OSError says why. The sidecar is written
        first and describes both the new file and the one it replaces, so a reader (or a
        crash) between the two renames still finds a description of the file it reads."""
        fd, tmp = make_temp_file(path)
        os.close(fd)
        try:
            self._index.save_index(tmp)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            size, expected = os.path.getsize(tmp), self._index.index_file_size()
            if size != expected:
                raise OSError(errno.ENOSPC, f"vector index written short, {size} of {expected} bytes", str(path))
            try:
                check_index_file(Path(tmp), self.dim, self._index.element_count)
            except IndexFileDamaged as exc:
                raise OSError(errno.EIO, f"vector index did not read back ({exc})", str(path)) from None
            entry = {
                "count": len(self._ids),
                "checksum": _checksum(self._ids),
                "deleted": sorted({int(i) for i in self._index.get_ids_list()} - self._ids),
                "file_size": size,
                "file_crc": file_crc(Path(tmp)),
            }
            meta_path = path.with_suffix(".json")
            previous = _read_meta(meta_path) if path.exists() else None
            meta = {"model": model, "dim": self.dim, **entry, "previous": _entry(previous)}
            atomic_write_bytes(meta_path, json.dumps(meta).encode())
            os.replace(tmp, path)
            sync_folder(path.parent)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    @classmethod
    def load(cls, path: Path, dim: int, params: HnswParams | None = None) -> VectorIndex | None:
        """The saved index, or None if it is missing, of another dimension, or built with
        another ``m``/``ef_construction`` than ``params`` asks for (then it is rebuilt).
        A file that is there but damaged raises IndexFileDamaged: it is checked before
        hnswlib reads it, which would crash the process on a bad header."""
        params = params or HnswParams()
        meta_path = path.with_suffix(".json")
        for attempt in range(3):
            try:
                before = (_identity(meta_path), _identity(path))
                meta = json.loads(meta_path.read_bytes())
            except FileNotFoundError:
                return None
            except (OSError, ValueError) as exc:
                raise IndexFileDamaged(f"unreadable sidecar {meta_path.name}: {exc}") from None
            if not isinstance(meta, dict) or not path.exists() or meta.get("dim") != dim:
                return None
            try:
                return cls._load_checked(path, dim, params, meta)
            except IndexFileDamaged:
                # Another process replaced the file or its sidecar while this one read them:
                # another try, not damage.
                if attempt < 2 and before != (_identity(meta_path), _identity(path)):
                    continue
                raise
            except (KeyError, TypeError, ValueError, OverflowError) as exc:
                raise IndexFileDamaged(f"bad sidecar {meta_path.name}: {exc}") from None
        return None

    @classmethod
    def _load_checked(cls, path: Path, dim: int, params: HnswParams, meta: dict) -> VectorIndex | None:
        import hnswlib

        if meta.get("file_crc") is None:
            # Saved by an older Photoapp, without a CRC: the full walk over its structure.
            entry = meta
            header = check_index_file(path, dim, _element_count(entry))
        else:
            # A file whose CRC matches the one recorded was fully checked when it was saved:
            # its header suffices. It may be the new file of the sidecar or the one before.
            size, crc = os.path.getsize(path), file_crc(path)
            entry = next((e for e in (meta, meta.get("previous")) if e and _matches(e, size, crc)), None)
            if entry is None:
                raise IndexFileDamaged("its contents do not match the checksum recorded when it was saved")
            header = check_index_file(path, dim, _element_count(entry), full=False)
        if (header.m, header.ef_construction) != (params.m, params.ef_construction):
            return None
        index = cls.__new__(cls)
        index.dim, index.params, index.version = dim, params, 0
        index._index = hnswlib.Index(space="cosine", dim=dim)
        try:
            index._index.load_index(str(path), max_elements=max(header.count, 16), allow_replace_deleted=True)
        except RuntimeError as exc:
            raise IndexFileDamaged(str(exc)) from None
        index._index.set_ef(params.ef)
        index._ids = {int(i) for i in index._index.get_ids_list()} - set(entry.get("deleted", []))
        if _checksum(index._ids) != entry.get("checksum"):
            raise IndexFileDamaged("its photo ids do not match its sidecar")
        return index

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, dim: int, params: HnswParams | None = None) -> VectorIndex:
        index = cls(dim, capacity=max(len(ids), 1024), params=params)
        index.add(ids, vectors)
        return index


ENTRY_FIELDS = ("count", "checksum", "deleted", "file_size", "file_crc")


def _entry(meta: dict | None) -> dict | None:
    """The part of a sidecar that describes one saved file."""
    return {k: meta[k] for k in ENTRY_FIELDS if k in meta} if isinstance(meta, dict) else None


def _read_meta(path: Path) -> dict | None:
    try:
        meta = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _matches(entry: dict, size: int, crc: str) -> bool:
    return entry.get("file_size") == size and entry.get("file_crc") == crc


def _element_count(entry: dict) -> int:
    """Elements in the file: the photos plus the deleted ones hnswlib keeps."""
    return int(entry["count"]) + len(entry.get("deleted", []))


def _identity(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _checksum(ids: set[int]) -> str:
    arr = np.sort(np.fromiter(ids, dtype=np.int64, count=len(ids)))
    import hashlib

    return hashlib.blake2b(arr.tobytes(), digest_size=12).hexdigest()
