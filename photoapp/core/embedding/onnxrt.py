"""The model's towers on ONNX Runtime, with int8 weights: the CPU path of "auto" precision.

torch's fp32 already runs near a CPU's fp32 matrix-multiply peak, and its dynamic int8
kernels are barely faster; ONNX Runtime's int8 kernels are 2-3x faster on the same CPU
(benchmarks/index_throughput.py). So on a CPU each tower (image, text) is exported once per
model with ``torch.onnx.export`` (the TorchScript exporter, no extra dependency), its
weights quantised to int8 with ONNX Runtime's ``quantize_dynamic`` and the file cached in
the export cache (export_cache.py: where, under which key, what else an entry holds). A
file is written under a temporary name and renamed into place only once complete, so an
export that fails or is killed never leaves a file a later run would use.

A session is created from the graph ONNX Runtime optimised for this CPU on an earlier run
(``SessionOptions.optimized_model_filepath``, kept beside the quantised file): the
optimisations then cost nothing at start (0.6 s -> 0.2 s for ViT-B/32's text tower).
Sessions are created on first use, so a text query never loads the image tower.

Progress of the one-off export is reported to a listener (``preparing_progress``), the
way a model download is.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import platform
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from photoapp.core.embedding.export_cache import (  # noqa: F401 - the cache's API, as callers know it
    OPSET,
    TOWERS,
    cache_dir,
    forget_older,
    model_key,
    precision_note,
    read_notes,
    read_verdict,
    set_note,
    versions,
    write_verdict,
)
from photoapp.core.embedding.models import ThreadListener
from photoapp.core.errors import PhotoappError

# Privacy: importing onnxruntime (1.32) starts its telemetry, which writes a device id and
# an event store under ~/.cache/Microsoft/DeveloperTools. ONNX Runtime reads this switch
# when it is first imported; every import of it in Photoapp is in this module, after this
# line (a person who sets the variable to 0 has chosen otherwise).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


def available() -> bool:
    """ONNX Runtime and its quantiser (which needs the onnx package) are installed: towers
    can be exported. Nothing is imported (onnx alone takes 0.6 s)."""
    return runtime_available() and importlib.util.find_spec("onnx") is not None


def runtime_available() -> bool:
    """ONNX Runtime is installed: exported towers can run."""
    return importlib.util.find_spec("onnxruntime") is not None


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
        forget_older(key, Path(source))
    return wanted


# -- sessions ---------------------------------------------------------------------------
@functools.cache
def cpu_tag() -> str:
    """A short tag of this CPU (architecture, model, instruction sets): ONNX Runtime's fully
    optimised graph may use kernels and layouts of the CPU it was made on, so another CPU
    (a cache folder shared between machines) makes its own."""
    parts = [platform.machine(), platform.processor()]
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            wanted = {"model name", "flags", "Features", "CPU implementer", "CPU part"}
            for line in fh:
                name = line.split(":", 1)[0].strip()
                if name in wanted:
                    parts.append(line.strip())
                    wanted.discard(name)
                if not line.strip() and len(parts) > 2:
                    break  # the first processor says it for all
    except OSError:
        pass
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:10]


def optimised_path(path: Path) -> Path:
    """Where the graph ONNX Runtime optimised from ``path`` for this CPU is kept."""
    return path.with_name(f"{path.stem}.opt-{cpu_tag()}.onnx")


def _options(threads: int | None):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if threads:
        options.intra_op_num_threads = threads
    return options


def _inference_session(path: Path, options):
    import onnxruntime as ort

    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


def session(path: Path, threads: int | None = None):
    """An ONNX Runtime CPU session of a quantised tower. Its threads sleep between batches
    instead of spinning, so the decode workers get the cores while the model waits for
    photos. Made from the graph optimised on an earlier run when there is one (optimisations
    off: they were applied, same results); else optimised now and that graph kept."""
    import onnxruntime as ort

    optimised = optimised_path(path)
    if optimised.is_file():
        options = _options(threads)
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            return _inference_session(optimised, options)
        except Exception:  # noqa: BLE001 - a damaged or truncated file: optimised again below
            optimised.unlink(missing_ok=True)
    options = _options(threads)
    if not os.access(path.parent, os.W_OK):  # a read-only cache: optimised in memory each run
        return _inference_session(path, options)
    tmp = path.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{optimised.name}")
    options.optimized_model_filepath = str(tmp)
    try:
        made = _inference_session(path, options)
    except Exception:  # noqa: BLE001 - the optimised graph could not be written (a full disk): not kept
        tmp.unlink(missing_ok=True)
        return _inference_session(path, _options(threads))
    try:
        for older in path.parent.glob(f"{path.stem}.opt-*.onnx"):  # another CPU's
            older.unlink(missing_ok=True)
        os.replace(tmp, optimised)
    except OSError:
        tmp.unlink(missing_ok=True)
    return made


class Tower:
    """One exported tower: numpy in, float32 embeddings (not normalised) out. Its session is
    created on first use."""

    def __init__(self, path: Path, threads: int | None = None):
        self.path = path
        self._threads = threads
        self._session = None
        self._lock = threading.Lock()

    def _ready(self):
        if self._session is None:
            with self._lock:
                if self._session is None:
                    try:
                        self._session = session(self.path, self._threads)
                    except Exception as exc:  # noqa: BLE001 - a damaged file: exported again next run
                        self.path.unlink(missing_ok=True)
                        optimised_path(self.path).unlink(missing_ok=True)
                        raise ExportFailed(
                            f"the exported {self.path.stem} model could not be loaded and is exported again on "
                            f"the next run ({type(exc).__name__}: {str(exc).strip()[:120]})"
                        ) from None
        return self._session

    def warm(self) -> None:
        """Create the session now (an error is raised again at first use)."""
        try:
            self._ready()
        except Exception:  # noqa: BLE001 - reported by the call that needs the tower
            pass

    @property
    def loaded(self) -> bool:
        return self._session is not None

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(i.name for i in self._ready().get_inputs())

    def __call__(self, **inputs: np.ndarray) -> np.ndarray:
        sess = self._ready()
        feed = {i.name: np.ascontiguousarray(inputs[i.name]) for i in sess.get_inputs()}
        return sess.run(["embeds"], feed)[0].astype(np.float32, copy=False)
