"""The export cache: a model's int8 towers and what running them needs, one entry per model.

    <cache>/<key>/{image,text}-int8.onnx         the quantised towers (onnxrt.py exports them)
    <cache>/<key>/{image,text}-int8.opt-<cpu>.onnx  the same after ONNX Runtime's graph
                                                 optimisations for this CPU (loads 2-3x faster)
    <cache>/<key>/settings.json                  what the runtime needs, read through
                                                 transformers once, at export (``Settings``)
    <cache>/<key>/tokenizer.json                 the tokenizer transformers ran (tokens.py)
    <cache>/<key>/verdict.json                   the guard's verdict (cosines to fp32)
    <cache>/<key>/source.json                    the model folder the entry belongs to
    <cache>/notes.json                           a one-line note per model that fell back

``<cache>`` is ``PHOTOAPP_ONNX_DIR``, else an ``onnx`` folder in the model cache (the
user cache folder). ``<key>`` hashes the model's folder and files (names, sizes,
modification times), the entry format and the versions of torch, transformers, onnx and
ONNX Runtime (read from the installed packages' metadata: nothing is imported): a new model
file or runtime exports again. An entry whose settings are missing, damaged, of another
format or of another folder (a foreign one) is rebuilt. Files are written under a temporary
name and renamed into place once complete.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
import threading
from importlib import metadata
from pathlib import Path

FORMAT = 2  # bump when the exported graphs or the settings change (2: settings.json, tokenizer.json)
OPSET = 17
TOWERS = ("image", "text")
SETTINGS = "settings.json"
TOKENIZER = "tokenizer.json"


def cache_dir() -> Path:
    override = os.environ.get("PHOTOAPP_ONNX_DIR")
    if override:
        return Path(override).expanduser()
    from photoapp.config import models_cache_dir

    return models_cache_dir() / "onnx"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


@functools.cache  # the installed packages do not change while Photoapp runs
def versions() -> dict:
    return {
        "format": FORMAT,
        "opset": OPSET,
        **{name: _version(name) for name in ("torch", "transformers", "onnx", "onnxruntime")},
    }


def model_key(folder: Path) -> str:
    """What the exported files depend on: the model's files and the runtimes' versions."""
    digest = hashlib.sha256(str(Path(folder).resolve()).encode())  # an entry belongs to one folder
    for path in sorted(Path(folder).iterdir()):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    digest.update(json.dumps({"versions": versions()}, sort_keys=True).encode())
    return digest.hexdigest()[:24]


def entry_dir(key: str) -> Path:
    return cache_dir() / key


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- settings ---------------------------------------------------------------------------
def write_settings(key: str, folder: Path, settings: dict, tokenizer_json: str | None) -> None:
    """Record what running the towers needs (the tokenizer first: settings name it)."""
    entry = entry_dir(key)
    if tokenizer_json is not None:
        write_atomic(entry / TOKENIZER, tokenizer_json)
    head = {"format": FORMAT, "key": key, "folder": str(Path(folder).resolve())}
    write_atomic(entry / SETTINGS, json.dumps(head | settings, indent=1))


def read_settings(key: str, folder: Path) -> dict | None:
    """The entry's settings if they are this format's and this folder's, else None."""
    try:
        data = json.loads((entry_dir(key) / SETTINGS).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    head = (data.get("format"), data.get("key"), data.get("folder"))
    return data if head == (FORMAT, key, str(Path(folder).resolve())) else None


def read_tokenizer(key: str) -> str | None:
    try:
        return (entry_dir(key) / TOKENIZER).read_text()
    except OSError:
        return None


def clear_entry(key: str) -> None:
    """Remove a stale or foreign entry's files so the next export rebuilds all of them."""
    shutil.rmtree(entry_dir(key), ignore_errors=True)


# -- verdicts ---------------------------------------------------------------------------
def read_verdict(key: str) -> dict:
    try:
        verdict = json.loads((entry_dir(key) / "verdict.json").read_text())
    except (OSError, ValueError):
        return {}
    return verdict if isinstance(verdict, dict) else {}


def write_verdict(key: str, tower: str, cosine: float, kept: bool) -> None:
    verdict = read_verdict(key) | {tower: {"cosine": round(cosine, 5), "kept": kept}}
    write_atomic(entry_dir(key) / "verdict.json", json.dumps(verdict, indent=1))


def forget_older(key: str, source: Path) -> None:
    """Record which model folder ``key`` belongs to, and remove that folder's other entries
    (exports of its previous files or of older runtimes: 150 MB each for ViT-B/32)."""
    write_atomic(entry_dir(key) / "source.json", json.dumps({"folder": str(source)}))
    for entry in cache_dir().iterdir():
        if entry.name == key or not entry.is_dir():
            continue
        try:
            owner = json.loads((entry / "source.json").read_text()).get("folder")
        except (OSError, ValueError, AttributeError):
            continue
        if owner == str(source):
            shutil.rmtree(entry, ignore_errors=True)


# -- notes ------------------------------------------------------------------------------
_notes_lock = threading.Lock()


def read_notes() -> dict:
    try:
        notes = json.loads((cache_dir() / "notes.json").read_text())
    except (OSError, ValueError):
        return {}
    return notes if isinstance(notes, dict) else {}


def set_note(model: str, note: str | None) -> None:
    """Remember (or clear) the one-line note ``photoapp status`` shows for ``model``."""
    with _notes_lock:
        notes = read_notes()
        if notes.get(model) == note or (note is None and model not in notes):
            return
        if note is None:
            notes.pop(model, None)
        else:
            notes[model] = note
        try:
            write_atomic(cache_dir() / "notes.json", json.dumps(notes, indent=1))
        except OSError:
            pass  # a read-only cache: the note is only informative


def precision_note(model: str) -> str | None:
    """The note for ``model`` (why it runs in fp32 on this CPU), without importing anything heavy."""
    return read_notes().get(model)
