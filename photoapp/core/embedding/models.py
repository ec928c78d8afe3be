"""Finding a model: the shipped ``toy`` model, a local folder, or a Hugging Face id.

Real models download once into the user's cache (with a progress bar on stderr, or
reported to a listener such as the GUI's progress panel, see ``download_progress``) and
load offline afterwards. Only safetensors weights are fetched or loaded.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from photoapp.config import TOY_MODEL, models_cache_dir, resources_dir
from photoapp.core.errors import Cancelled, PhotoappError

# What a model folder needs; never *.bin or *.pt (pickles).
_ALLOW = ["*.json", "*.safetensors", "*.txt", "*.model", "*.tiktoken"]


class ModelUnavailable(PhotoappError):
    """The model cannot be found, downloaded or used; the message says what to do."""


# What every "not a model we can use" message ends with (README's model section lists the
# tested families; tests/core/embedding/test_model_compat.py builds each of them).
SUPPORTED = (
    "Photoapp works with CLIP-family image-text models saved by transformers with safetensors "
    "weights: CLIP (e.g. openai/clip-vit-base-patch32, ViT-B/16, ViT-L/14-336), SigLIP "
    "(e.g. google/siglip-base-patch16-224) and fixed-resolution SigLIP2 "
    "(e.g. google/siglip2-base-patch16-224)"
)


def unsupported(what: str) -> ModelUnavailable:
    """A one-line error: what is wrong with the folder, then what is supported."""
    return ModelUnavailable(f"{what}. {SUPPORTED}")


def check_folder(path: Path) -> None:
    """The files a usable model folder has: config.json and safetensors weights (never a pickle)."""
    if not path.is_dir():
        raise ModelUnavailable(f"model folder {path} does not exist or has no config.json")
    if not (path / "config.json").is_file():
        raise unsupported(f"{path} is not a model folder (it has no config.json)")
    if not any(path.glob("*.safetensors")):
        pickled = sorted(p.name for p in path.iterdir() if p.suffix in (".bin", ".pt", ".pth", ".ckpt", ".pkl"))
        if pickled:
            raise unsupported(
                f"{path} has only pickled weights ({', '.join(pickled[:3])}), which Photoapp never "
                "loads (convert them to safetensors)"
            )
        raise unsupported(f"{path} has no model weights (no *.safetensors file)")


class ThreadListener:
    """Who hears about one-off work (a download, an export) started on this thread:
    ``listening(fn)`` sets ``fn`` for a block, ``current()`` gives it (or None)."""

    def __init__(self):
        self._local = threading.local()

    @contextmanager
    def listening(self, fn: Callable[[int, int], None]):
        previous = self.current()
        self._local.fn = fn
        try:
            yield
        finally:
            self._local.fn = previous

    def current(self) -> Callable[[int, int], None] | None:
        return getattr(self._local, "fn", None)


# Downloads report (bytes done, bytes known so far).
_downloads = ThreadListener()
DownloadListener = Callable[[int, int], None]


def download_progress(listener: DownloadListener):
    """Report the bytes of any model download this thread starts to ``listener``; an
    exception it raises (a cancel) stops the download and propagates."""
    return _downloads.listening(listener)


def _reporting_tqdm(listener: DownloadListener):
    """A silent tqdm class for ``snapshot_download(tqdm_class=...)`` that forwards its
    aggregated byte bar (the one counting every file's bytes) to ``listener``."""
    from tqdm import tqdm

    class ReportingTqdm(tqdm):
        def __init__(self, *args, **kwargs):
            self._reports = kwargs.get("unit") == "B" and str(kwargs.get("desc", "")).startswith("Reconstructing")
            kwargs.setdefault("file", io.StringIO())  # the listener shows it; keep stderr clean
            kwargs.pop("name", None)
            super().__init__(*args, **kwargs)

        def update(self, n=1):
            result = super().update(n)
            if self._reports:
                listener(int(self.n), int(self.total or 0))
            return result

    return ReportingTqdm


@dataclass(frozen=True)
class ModelSource:
    name: str  # what the library records: "toy", a Hugging Face id, or an absolute folder
    folder: Path


def toy_model_dir() -> Path:
    return resources_dir() / "models" / "toy-clip"


def canonical_name(spec: str) -> str:
    """The name a library records for ``spec`` (folders become absolute paths)."""
    if spec == TOY_MODEL:
        return TOY_MODEL
    path = Path(spec).expanduser()
    if path.exists() or spec.startswith((".", "/", "~")) or os.sep in spec and not _looks_like_hub_id(spec):
        return str(path.resolve())
    return spec


def _looks_like_hub_id(spec: str) -> bool:
    parts = spec.split("/")
    return len(parts) == 2 and all(parts) and not spec.startswith((".", "/", "~"))


def resolve(spec: str, download: bool = True) -> ModelSource:
    """Turn a model name into a folder with config, tokenizer and safetensors weights."""
    name = canonical_name(spec)
    if name == TOY_MODEL:
        folder = toy_model_dir()
        if not (folder / "config.json").exists():
            raise ModelUnavailable(
                f"the tiny toy model is missing from {folder}; reinstall Photoapp "
                "or train it with: python -m photoapp.toy.train"
            )
        return ModelSource(TOY_MODEL, folder)
    path = Path(name)
    if path.is_absolute():
        check_folder(path)
        return ModelSource(name, path)
    return ModelSource(name, _from_hub(name, download))


def _from_hub(repo_id: str, download: bool) -> Path:
    from huggingface_hub import snapshot_download

    cache = models_cache_dir()
    try:
        return Path(snapshot_download(repo_id, allow_patterns=_ALLOW, cache_dir=cache, local_files_only=True))
    except Exception:  # noqa: BLE001 - not cached yet: download below
        pass
    if not download:
        raise ModelUnavailable(f"model {repo_id!r} is not downloaded yet")
    listener = _downloads.current()
    progress = {"tqdm_class": _reporting_tqdm(listener)} if listener else {}
    try:
        folder = Path(snapshot_download(repo_id, allow_patterns=_ALLOW, cache_dir=cache, **progress))
    except Cancelled:
        raise
    except Exception as exc:  # noqa: BLE001 - network, auth, unknown repo: one clear message
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelUnavailable(
            f"cannot download model {repo_id!r} ({reason[:160]}). Connect to the internet once so it can be "
            f"downloaded, or download it elsewhere and pass its folder with --model /path/to/folder "
            f"(use --model toy for the built-in demo model)"
        ) from None
    if not any(folder.glob("*.safetensors")):
        raise unsupported(f"model {repo_id!r} has no safetensors weights (Photoapp never loads pickled weights)")
    return folder
