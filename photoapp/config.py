"""Where a library lives and what it remembers: one typed settings object per library.

A library is a folder holding the catalog (SQLite), vector indexes, caches and
``settings.json``. By default it is the platform's user data dir (platformdirs);
``--library DIR`` or ``PHOTOAPP_LIBRARY`` selects another one.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from photoapp import APP_NAME  # noqa: F401 (re-exported: config.APP_NAME)

DEFAULT_MODEL = "openai/clip-vit-base-patch32"
TOY_MODEL = "toy"


def default_library_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "library"


def library_dir(explicit: str | os.PathLike | None = None) -> Path:
    """``--library`` beats ``PHOTOAPP_LIBRARY`` beats the platform default."""
    chosen = explicit or os.environ.get("PHOTOAPP_LIBRARY")
    return Path(chosen).expanduser().resolve() if chosen else default_library_dir()


def models_cache_dir() -> Path:
    """Downloaded model weights are shared by all libraries of a user."""
    override = os.environ.get("PHOTOAPP_MODELS_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME, appauthor=False)) / "models"


def resources_dir() -> Path:
    """The shipped resources: next to the package in a checkout, inside a frozen bundle."""
    override = os.environ.get("PHOTOAPP_RESOURCES")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def make_temp_file(path: Path) -> tuple[int, str]:
    """A temp file next to ``path`` for an atomic write; its name carries this process's id,
    so a later writer can tell an orphan (its writer was killed) from a write in progress.
    Orphans in the folder are removed first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_orphan_temp_files(path.parent)
    return tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)


def remove_orphan_temp_files(folder: Path) -> None:
    for tmp in folder.glob(".*.tmp"):
        pid = tmp.name.split(".")[-3]
        if not pid.isdigit() or _process_alive(int(pid)):
            continue
        try:
            tmp.unlink()
        except OSError:
            pass  # another process cleaned it, or the folder is read-only: harmless


def _process_alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # on Windows os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, belongs to someone else (or cannot tell): leave its file alone
    return True


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over the target."""
    fd, tmp = make_temp_file(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# Search ef before real-CLIP queries were measured (recall@10 0.969 there); libraries that
# stored it move to the current default (ef is a search-time setting: no rebuild).
OLD_DEFAULT_EF = 256


@dataclass
class Settings:
    """Per-library settings, stored as ``settings.json`` in the library folder."""

    model: str | None = None  # remembered after the first index
    device: str = "auto"  # auto | cpu | cuda | mps
    batch_size: int = 32
    decode_workers: int = 0  # 0 = choose from the CPU count
    # auto (fp16 on a GPU; on a CPU int8 on ONNX Runtime for full-size models, else fp32) | fp32 |
    # fp16 | bf16 | int8 (CPU). Embeddings are kept per model, not per precision: switching
    # re-embeds nothing (reduced precision is only used within cosine 0.99 of fp32).
    precision: str = "auto"
    # HNSW graph of the vector index (benchmarks/search_scale.py chose these): links per
    # node, candidate list while building, candidate list while searching.
    hnsw_m: int = 16
    hnsw_ef_construction: int = 200
    hnsw_ef: int = 512
    strictness: float = 0.0  # search cut-off: -1 loose .. +1 strict (photoapp.core.search.relevance)
    extra: dict = field(default_factory=dict)  # settings of later features, by name

    @classmethod
    def load(cls, library: Path) -> Settings:
        path = library / "settings.json"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError):
            return cls()  # a damaged settings file must not lock the user out
        known = {f.name for f in fields(cls)}
        if raw.get("hnsw_ef") == OLD_DEFAULT_EF:  # never offered as a choice: the old default
            raw["hnsw_ef"] = cls.hnsw_ef
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, library: Path) -> None:
        data = json.dumps(asdict(self), indent=2, sort_keys=True).encode("utf-8")
        atomic_write_bytes(library / "settings.json", data)
