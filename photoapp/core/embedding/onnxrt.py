"""The model's towers on ONNX Runtime, with int8 weights: the CPU path of "auto" precision.

torch's fp32 already runs near a CPU's fp32 matrix-multiply peak, and its dynamic int8
kernels are barely faster; ONNX Runtime's int8 kernels are 2-3x faster on the same CPU
(benchmarks/index_throughput.py). So on a CPU each tower (image, text) is exported once per
model with ``torch.onnx.export`` (the TorchScript exporter, no extra dependency), its
weights quantised to int8 with ONNX Runtime's ``quantize_dynamic`` and the file cached:

    <cache>/<key>/{image,text}-int8.onnx     the quantised towers
    <cache>/<key>/verdict.json               the guard's verdict for them (cosines to fp32)
    <cache>/notes.json                       a one-line note per model that fell back

``<cache>`` is ``PHOTOAPP_ONNX_DIR``, else an ``onnx`` folder in the model cache (the
user cache folder). ``<key>`` hashes the model's folder and files (names, sizes,
modification times), the tower's inputs and the versions of torch, transformers, onnx and ONNX
Runtime: a new model file or runtime exports again. A file is written under a temporary
name in the cache and renamed into place only once complete, so an export that fails or
is killed never leaves a file a later run would use.

Progress of the one-off export is reported to a listener (``preparing_progress``), the
way a model download is.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from photoapp.core.embedding.models import ThreadListener
from photoapp.core.errors import PhotoappError

# Privacy: importing onnxruntime (1.32) starts its telemetry, which writes a device id and
# an event store under ~/.cache/Microsoft/DeveloperTools. ONNX Runtime reads this switch
# when it is first imported; every import of it in Photoapp is in this module, after this
# line (a person who sets the variable to 0 has chosen otherwise).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

FORMAT = 1  # bump when the exported graphs change (inputs, outputs, opset)
OPSET = 17
TOWERS = ("image", "text")


def available() -> bool:
    """ONNX Runtime and its quantiser (which needs the onnx package) are installed."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def cache_dir() -> Path:
    override = os.environ.get("PHOTOAPP_ONNX_DIR")
    if override:
        return Path(override).expanduser()
    from photoapp.config import models_cache_dir

    return models_cache_dir() / "onnx"


# -- progress ---------------------------------------------------------------------------
_exports = ThreadListener()
PrepareListener = Callable[[int, int], None]  # (steps done, steps in all)


def preparing_progress(listener: PrepareListener):
    """Report the steps of any one-off export this thread starts to ``listener``."""
    return _exports.listening(listener)


def _report(done: int, total: int) -> None:
    fn = _exports.current()
    if fn is not None:
        fn(done, total)


# -- cache keys, verdicts, notes --------------------------------------------------------
def versions() -> dict:
    import onnx
    import onnxruntime
    import torch
    import transformers

    return {
        "format": FORMAT,
        "opset": OPSET,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "onnx": onnx.__version__,
        "onnxruntime": onnxruntime.__version__,
    }


def model_key(folder: Path, text_inputs: tuple[str, ...], text_length: int | None) -> str:
    """What the exported files depend on: the model's files and the runtimes' versions."""
    digest = hashlib.sha256(str(Path(folder).resolve()).encode())  # an entry belongs to one folder
    for path in sorted(Path(folder).iterdir()):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    digest.update(
        json.dumps(
            {"versions": versions(), "text_inputs": list(text_inputs), "text_length": text_length}, sort_keys=True
        ).encode()
    )
    return digest.hexdigest()[:24]


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_verdict(key: str) -> dict:
    try:
        return json.loads((cache_dir() / key / "verdict.json").read_text())
    except (OSError, ValueError):
        return {}


def write_verdict(key: str, tower: str, cosine: float, kept: bool) -> None:
    verdict = read_verdict(key) | {tower: {"cosine": round(cosine, 5), "kept": kept}}
    _write_atomic(cache_dir() / key / "verdict.json", json.dumps(verdict, indent=1))


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
            _write_atomic(cache_dir() / "notes.json", json.dumps(notes, indent=1))
        except OSError:
            pass  # a read-only cache: the note is only informative


def precision_note(model: str) -> str | None:
    """The note for ``model`` (why it runs in fp32 on this CPU), without importing anything heavy."""
    return read_notes().get(model)


# -- export and quantisation ------------------------------------------------------------
class ExportFailed(PhotoappError):
    """A tower could not be exported or quantised; the model runs on torch instead."""


def _towers(model, text_inputs: tuple[str, ...]):
    import torch

    def features(out):
        return out if hasattr(out, "norm") else out.pooler_output

    class Image(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, pixel_values):
            return features(self.model.get_image_features(pixel_values=pixel_values))

    class Text(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            return features(self.model.get_text_features(**dict(zip(text_inputs, inputs))))

    return Image(), Text()


def export_tower(
    model, tower: str, path: Path, *, image_size: int, text_inputs: tuple[str, ...], text_length: int | None
) -> None:
    """Export one tower of a float32 transformers model to an ONNX file at ``path``."""
    import warnings

    import torch

    image, text = _towers(model, text_inputs)
    if tower == "image":
        module, names = image, ["pixel_values"]
        args = (torch.zeros(2, 3, image_size, image_size),)
        axes = {"pixel_values": {0: "batch"}, "embeds": {0: "batch"}}
    else:
        module, names = text, list(text_inputs)
        length = text_length or 7  # any length > 1; CLIP's is dynamic, SigLIP's fixed
        ids = torch.full((2, length), 1, dtype=torch.long)
        args = tuple(ids if name == "input_ids" else torch.ones_like(ids) for name in names)
        axes = {name: {0: "batch"} | ({} if text_length else {1: "tokens"}) for name in names}
        axes["embeds"] = {0: "batch"}
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about Python-side shape checks
        torch.onnx.export(
            module,
            args,
            str(path),
            dynamo=False,
            opset_version=OPSET,
            input_names=names,
            output_names=["embeds"],
            dynamic_axes=axes,
            do_constant_folding=True,
        )


def quantise(source: Path, target: Path) -> None:
    """int8 weights, activations quantised per batch (ONNX Runtime's dynamic quantisation)."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # its "consider pre-processing" advice is for static quantisation
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8)
    finally:
        root.setLevel(level)


def exported(
    model,
    key: str,
    towers: tuple[str, ...],
    *,
    image_size: int,
    text_inputs: tuple[str, ...],
    text_length: int | None,
    source: Path | None = None,
) -> dict[str, Path]:
    """The int8 file of each tower, exported and quantised now if not cached. Raises
    ExportFailed (nothing is left behind) if a tower cannot be. ``source``: the model's
    folder; the entries of its older files or runtimes are removed after an export."""
    folder = cache_dir() / key
    wanted = {tower: folder / f"{tower}-int8.onnx" for tower in towers}
    missing = [tower for tower, path in wanted.items() if not path.is_file()]
    if not missing:
        return wanted
    folder.mkdir(parents=True, exist_ok=True)
    total, done = 2 * len(missing), 0
    _report(done, total)
    work = Path(tempfile.mkdtemp(dir=folder, prefix=".export-"))
    try:
        for tower in missing:
            fp32, int8 = work / f"{tower}.onnx", work / f"{tower}-int8.onnx"
            try:
                export_tower(
                    model, tower, fp32, image_size=image_size, text_inputs=text_inputs, text_length=text_length
                )
                done += 1
                _report(done, total)
                quantise(fp32, int8)
            except Exception as exc:  # noqa: BLE001 - any exporter/quantiser failure: torch runs it
                raise ExportFailed(f"{tower} tower: {type(exc).__name__}: {str(exc).strip()[:160]}") from None
            done += 1
            _report(done, total)
            os.replace(int8, wanted[tower])  # complete: only now does it get its real name
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if source is not None:
        _forget_older(key, Path(source))
    return wanted


def _forget_older(key: str, source: Path) -> None:
    """Record which model folder ``key`` belongs to, and remove that folder's other entries
    (exports of its previous files or of older runtimes: 150 MB each for ViT-B/32)."""
    _write_atomic(cache_dir() / key / "source.json", json.dumps({"folder": str(source)}))
    for entry in cache_dir().iterdir():
        if entry.name == key or not entry.is_dir():
            continue
        try:
            owner = json.loads((entry / "source.json").read_text()).get("folder")
        except (OSError, ValueError, AttributeError):
            continue
        if owner == str(source):
            shutil.rmtree(entry, ignore_errors=True)


# -- sessions ---------------------------------------------------------------------------
def session(path: Path, threads: int | None = None):
    """An ONNX Runtime CPU session. Its threads sleep between batches instead of spinning, so
    the decode workers get the cores while the model waits for photos."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if threads:
        options.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


class Tower:
    """One exported tower: numpy in, float32 embeddings (not normalised) out."""

    def __init__(self, path: Path, threads: int | None = None):
        self.path = path
        self._session = session(path, threads)
        self.inputs = tuple(i.name for i in self._session.get_inputs())

    def __call__(self, **inputs: np.ndarray) -> np.ndarray:
        feed = {name: np.ascontiguousarray(inputs[name]) for name in self.inputs}
        return self._session.run(["embeds"], feed)[0].astype(np.float32, copy=False)
