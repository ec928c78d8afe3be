"""CLIP-family embedders (CLIPModel, SiglipModel, ...) through transformers.

Lazy: nothing heavy is imported or loaded until the first ``load()``. Weights come from
safetensors only. Device: CUDA, else Apple MPS, else CPU (device.py). Precision ("auto"):
fp16 on a GPU; on a CPU a full-size model's image and text towers run in int8 on ONNX
Runtime (onnxrt.py: exported and quantised once per model, 2-3x faster than torch fp32,
benchmarks/index_throughput.py), or torch's dynamic int8 where ONNX Runtime is missing or
the export fails. int8 is kept only while it reproduces fp32: TEXT_PROBES and the first
batch of photos after an export, within cosine 0.99; a tower that drifts goes back to fp32
for good (remembered in the export cache, with a note ``photoapp status`` shows).

Once a model's towers are exported and the text tower passed its guard, later runs take the
fast path (``_load_exported``): the settings recorded at export (export_cache.py,
model_settings.py), the towers on ONNX Runtime and the tokenizer on the ``tokenizers``
library, without importing torch or transformers' model code (a search answers in about a
second; benchmarks/cli_search.py). torch loads only to export, to run on a GPU, where ONNX
Runtime is missing or a tower failed the guard, or to check the first photos after an export.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from photoapp.core.embedding import export_cache
from photoapp.core.embedding.architecture import (  # noqa: F401 - NOT_SUPPORTED, text_inputs: this module's API
    NOT_SUPPORTED,
    check_architecture,
    text_inputs,
)
from photoapp.core.embedding.architecture import first_line as _first_line
from photoapp.core.embedding.architecture import quiet_transformers as _quiet_transformers
from photoapp.core.embedding.device import choose_device
from photoapp.core.embedding.model_settings import ModelSettings
from photoapp.core.embedding.models import ModelSource, ModelUnavailable, unsupported
from photoapp.core.embedding.precision import default_precision
from photoapp.core.embedding.preprocess import PreprocessSpec, UnsupportedPreprocessing, load_image_processor
from photoapp.core.errors import InvalidInput

PRECISIONS = ("auto", "fp32", "fp16", "bf16", "int8")
# One model load at a time in the process: two threads importing transformers at once fail.
_LOADING = threading.Lock()


# Reduced precision is kept only while embeddings stay this close to fp32 (first batch checked).
MIN_COSINE = 0.99
# Everyday queries the int8 text tower must reproduce (within MIN_COSINE) before it is used.
TEXT_PROBES = (
    "a photo of a dog",
    "beach sunset",
    "birthday cake with candles",
    "snow mountains",
    "a screenshot of a document",
    "my grandmother in the garden",
    "red car",
    "city at night",
    "two children playing football",
    "a plate of pasta",
    "wedding",
    "cat",
)
QUERY_CACHE_SIZE = 256


def _features(out):
    """transformers 5 returns an output object from get_*_features, 4.x a tensor."""
    return out if hasattr(out, "norm") else out.pooler_output


class ClipEmbedder:
    """Maps images and texts into one normalised embedding space. ``onnx``: int8 runs on ONNX
    Runtime when it is installed (False: torch's dynamic int8, for comparisons)."""

    def __init__(self, source: ModelSource, device: str = "auto", precision: str = "auto", onnx: bool = True):
        if precision not in PRECISIONS:
            raise InvalidInput(f"unknown precision {precision!r} (choose {', '.join(PRECISIONS)})")
        self.source = source
        self.preference = device
        self.precision = precision
        self.int8_cosine: float | None = None  # measured on the first batch of photos
        self._spec: PreprocessSpec | None = None
        self.model_type: str | None = None
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()
        self._loaded = False
        self._settings: ModelSettings | None = None  # the fast path's, from the export cache
        self._tokenize = None  # the fast path's tokenizer: texts -> token arrays
        self._model_lock = threading.Lock()  # the fast path's lazily loaded fp32 reference model
        self.device = "cpu"
        self.dtype = None
        self.text_padding: dict = {"padding": True}  # how texts are tokenized (see text_inputs())
        self.text_inputs: tuple[str, ...] | None = None  # the tokenizer outputs the text tower gets (None: all)
        self._fp32_vision = None  # kept until the first int8 batch has been checked against it
        self.text_int8_cosine: float | None = None  # measured on TEXT_PROBES at load
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()  # recent search texts
        self._queries_lock = threading.Lock()
        self.onnx = onnx
        self._ort_key: str | None = None  # the export cache entry of this model's int8 towers
        self._image_ort = None  # onnxrt.Tower running the image tower, if int8 runs on ONNX Runtime
        self._text_ort = None
        self._check_image = False  # the next image batch is compared with fp32 (once per run)
        self.onnx_error: str | None = None  # why the towers could not be exported (torch runs them)

    @property
    def runtime(self) -> str:
        """What embeds photos and texts, e.g. "onnxruntime int8 (image, text)" or "torch fp32"."""
        towers = [name for name, tower in (("image", self._image_ort), ("text", self._text_ort)) if tower]
        if towers:
            return f"onnxruntime int8 ({', '.join(towers)})"
        return f"torch {self.precision}"

    @property
    def name(self) -> str:
        return self.source.name

    def load(self) -> ClipEmbedder:
        with self._lock:
            if self._loaded:
                return self
            with _LOADING:  # transformers fails to import in two threads at once ("cannot import name")
                if not self._load_exported():
                    self._load_torch()
                self._loaded = True
        return self

    @property
    def spec(self) -> PreprocessSpec:
        """How photos are prepared for this model, from its own image processor (as recorded
        at export, when the fast path runs it)."""
        if self._spec is None:
            with self._lock:
                if self._spec is None:
                    entry = self._exported_entry()
                    self._spec = entry.settings.spec if entry is not None else self._read_spec()
        return self._spec

    def _exported_entry(self):
        """The export cache entry that runs this model alone (fast_path.py), else None."""
        from photoapp.core.embedding import fast_path, onnxrt

        if not self.onnx or self.precision not in ("auto", "int8") or not onnxrt.runtime_available():
            return None
        if choose_device(self.preference) != "cpu":
            return None
        entry = fast_path.read_entry(self.source.folder)
        return entry if fast_path.runnable(entry, self.precision) else None

    def _load_exported(self) -> bool:
        """The fast path: the towers on ONNX Runtime with the settings recorded at export;
        nothing of torch or transformers' model code is imported. False: the full load runs."""
        from photoapp.core.embedding import fast_path, onnxrt

        entry = self._exported_entry()
        tokenize = fast_path.tokenizer(entry, self.source.folder) if entry is not None else None
        if tokenize is None:
            return False
        settings = self._settings = entry.settings
        self._spec, self.model_type, self._tokenize = settings.spec, settings.model_type, tokenize
        self.device, self.precision = "cpu", "int8"
        self.text_padding, self.text_inputs = settings.padding, settings.text.inputs
        self._ort_key = entry.key
        self._text_ort, self._image_ort = onnxrt.Tower(entry.files["text"]), onnxrt.Tower(entry.files["image"])
        self._check_image = entry.verdict["image"] is None  # the first photos after an export
        return True

    def prepare_images(self) -> None:
        """Start the image tower's session on a thread of its own (fast path), so it is
        ready when the first photos are decoded (an index run calls this as it starts)."""
        tower = self._image_ort
        if tower is not None and not tower.loaded:
            threading.Thread(target=tower.warm, name="photoapp-image-tower", daemon=True).start()

    def _reference_model(self):
        """The torch model: the loaded one, or (fast path) the fp32 one loaded now, for the
        guard's check of the first photos after an export or a tower that drifted."""
        with self._model_lock:
            if self._model is None:
                import torch

                _quiet_transformers()
                self.dtype = torch.float32
                self._model = self._from_pretrained(torch.float32).eval()
        return self._model

    def _from_pretrained(self, dtype):
        from safetensors import SafetensorError
        from transformers import AutoModel

        try:
            return AutoModel.from_pretrained(self.source.folder, use_safetensors=True, dtype=dtype)
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelUnavailable(f"cannot load model from {self.source.folder}: {_first_line(exc)}") from None
        except SafetensorError as exc:  # a truncated copy or download, or not safetensors at all
            raise ModelUnavailable(
                f"the model weights in {self.source.folder} are damaged ({_first_line(exc)}); "
                "copy or download the model again"
            ) from None

    def _read_spec(self) -> PreprocessSpec:
        _quiet_transformers()
        try:
            processor = load_image_processor(self.source.folder)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise unsupported(
                f"{self.source.name} has no image processor transformers can read ({_first_line(exc)})"
            ) from None
        try:
            return PreprocessSpec.from_processor(processor)
        except UnsupportedPreprocessing as exc:
            raise unsupported(f"{self.source.name} cannot be used: {exc}") from None

    def _load_torch(self) -> None:
        import torch
        from transformers import AutoTokenizer

        _quiet_transformers()
        config = check_architecture(self.source)
        self.model_type = config.model_type
        if self._spec is None:
            self._spec = self._read_spec()
        self.device = choose_device(self.preference)
        if self.precision == "auto":
            self.precision = default_precision(self.device, getattr(config.vision_config, "hidden_size", None))
        if self.precision == "int8" and self.device != "cpu":
            raise ModelUnavailable("int8 precision runs on the CPU only; use fp16 on a GPU")
        self.dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(self.precision, torch.float32)
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(self.source.folder)
        except (OSError, ValueError, KeyError, TypeError, ImportError) as exc:
            raise unsupported(
                f"{self.source.name} has no tokenizer transformers can read ({_first_line(exc)})"
            ) from None
        model = self._from_pretrained(self.dtype)
        if not hasattr(model, "get_image_features") or not hasattr(model, "get_text_features"):
            raise unsupported(f"{self.source.name} is a {config.model_type} model without an image and a text tower")
        self.text_padding, self.text_inputs = text_inputs(config, self._tokenizer)
        self._model = model.to(self.device).eval()
        if self.precision == "int8" and not hasattr(self._model, "vision_model"):
            self.precision = "fp32"  # an unusual layout: nothing we know how to quantise safely
        if self.precision == "int8" and self.onnx and self._load_onnx(config):
            return
        if self.precision == "int8":
            self._fp32_vision = self._model.vision_model
            self._model.vision_model = _quantize_int8(self._fp32_vision)
            self._quantize_text_tower()

    def _load_onnx(self, config) -> bool:
        """The int8 towers on ONNX Runtime (exported now if not cached), minus any whose int8
        drifted from fp32 before. False: ONNX Runtime is not installed or the model does not
        export; torch's int8 runs it instead."""
        from photoapp.core.embedding import onnxrt

        if not onnxrt.available():
            return False
        length = self.text_padding.get("max_length")
        inputs = self.text_inputs or tuple(self._tokenizer.model_input_names)
        inputs = tuple(name for name in ("input_ids", "attention_mask") if name in inputs)
        from photoapp.core.embedding import fast_path

        key = onnxrt.model_key(self.source.folder)
        if fast_path.read_entry(self.source.folder) is None:
            export_cache.clear_entry(key)  # none, or stale, foreign, damaged: exported afresh
        verdict = onnxrt.read_verdict(key)
        towers = tuple(t for t in onnxrt.TOWERS if verdict.get(t, {}).get("kept", True))
        self._ort_key = key
        if not towers:  # both drifted before: fp32, as remembered
            self.precision = "fp32"
            return True
        try:
            files = onnxrt.exported(
                self._model,
                key,
                towers,
                image_size=int(config.vision_config.image_size),
                text_inputs=inputs,
                text_length=length,
                source=self.source.folder,
            )
            if "image" in files:
                self._image_ort = onnxrt.Tower(files["image"])
                self._image_ort.inputs  # noqa: B018 - its session now: one that fails falls back here
                self._check_image = True
            if "text" in files:
                self._text_ort = onnxrt.Tower(files["text"])
                self._text_ort.inputs  # noqa: B018
            self._record_settings(key, config, inputs)
        except Exception as exc:  # noqa: BLE001 - an export or a session that fails: torch runs it
            self.onnx_error = _first_line(exc)
            self._image_ort = self._text_ort = None
            self._ort_key = None
            onnxrt.set_note(
                self.name, f"int8 runs on torch (slower): the model did not export to ONNX Runtime ({self.onnx_error})"
            )
            return False
        if self._text_ort is not None:
            self._check_text_onnx()
        return True

    def _record_settings(self, key: str, config, inputs: tuple[str, ...]) -> None:
        """Keep in the entry what the fast path needs, read now through transformers."""
        from photoapp.core.embedding import fast_path
        from photoapp.core.embedding.tokens import backend_json, settings_of

        if fast_path.read_entry(self.source.folder) is not None:
            return
        tokenizer_json = backend_json(self._tokenizer)
        settings = ModelSettings(
            model_type=str(config.model_type),
            vision_width=getattr(config.vision_config, "hidden_size", None),
            image_size=int(config.vision_config.image_size),
            dim=self._torch_dim(),
            logit_scale=self._torch_logit_scale(),
            spec=self._spec,
            text=settings_of(self._tokenizer, self.text_padding, inputs),
            fast_tokenizer=tokenizer_json is not None,
        )
        try:
            export_cache.write_settings(key, self.source.folder, settings.to_json(), tokenizer_json)
        except OSError:
            pass  # a read-only cache: the full load runs each time

    def _check_text_onnx(self) -> None:
        """Keep the int8 text tower only if it reproduces fp32 on everyday queries."""
        text_ort, self._text_ort = self._text_ort, None
        reference = self._encode_texts(list(TEXT_PROBES))
        self._text_ort = text_ort
        self.text_int8_cosine = float(np.min(np.sum(reference * self._encode_texts(list(TEXT_PROBES)), axis=1)))
        self._judge("text", self.text_int8_cosine)

    def _judge(self, tower: str, cosine: float) -> bool:
        """Record the guard's verdict on an int8 tower; one that drifted is dropped for good."""
        from photoapp.core.embedding import onnxrt

        kept = cosine >= MIN_COSINE
        if not kept:
            setattr(self, f"_{tower}_ort", None)
        try:
            onnxrt.write_verdict(self._ort_key, tower, cosine, kept)
        except OSError:
            pass  # a read-only cache: checked again next run
        verdict = onnxrt.read_verdict(self._ort_key) or {tower: {"cosine": cosine, "kept": kept}}
        dropped = {t: verdict[t]["cosine"] for t in onnxrt.TOWERS if not verdict.get(t, {}).get("kept", True)}
        onnxrt.set_note(self.name, _fallback_note(dropped) if dropped else None)
        if self._image_ort is None and self._text_ort is None and not self._check_image:
            self.precision = "fp32"
        return kept

    def _quantize_text_tower(self) -> None:
        """int8 text tower for queries (half the latency on a CPU: its matmuls are bound by
        reading the weights), kept only if it reproduces fp32 on TEXT_PROBES."""
        if not hasattr(self._model, "text_model"):
            return
        reference = self._encode_texts(list(TEXT_PROBES))
        fp32_text = self._model.text_model
        self._model.text_model = _quantize_int8(fp32_text)
        self.text_int8_cosine = float(np.min(np.sum(reference * self._encode_texts(list(TEXT_PROBES)), axis=1)))
        if self.text_int8_cosine < MIN_COSINE:
            self._model.text_model = fp32_text

    def unload(self) -> None:
        with self._lock:
            self._loaded = False
            self._model = None
            self._tokenizer = None
            self._settings = None
            self._tokenize = None
            self._fp32_vision = None
            self._image_ort = self._text_ort = None
            self._queries.clear()

    @property
    def dim(self) -> int:
        self.load()
        return self._settings.dim if self._settings is not None else self._torch_dim()

    def _torch_dim(self) -> int:
        cfg = self._model.config
        return int(getattr(cfg, "projection_dim", None) or cfg.text_config.hidden_size)

    def embed_pixels(self, batch: np.ndarray) -> np.ndarray:
        """(N, 3, H, W) preprocessed float32 -> (N, dim) unit vectors."""
        self.load()
        if self._image_ort is not None:
            return self._embed_pixels_onnx(batch)
        import torch

        model = self._reference_model()
        with torch.inference_mode():
            pixels = torch.from_numpy(np.ascontiguousarray(batch)).to(self.device, self.dtype)
            vectors = self._normalise(_features(model.get_image_features(pixel_values=pixels)))
            if self._fp32_vision is not None:
                vectors = self._check_int8(pixels, vectors)
            return vectors

    def _embed_pixels_onnx(self, batch: np.ndarray) -> np.ndarray:
        tower = self._image_ort
        vectors = self._normalise(tower(pixel_values=np.asarray(batch, np.float32)))
        if not self._check_image:
            return vectors
        with self._lock:  # the first batch of the run: compare with fp32
            if not self._check_image:
                return vectors
            import torch

            model = self._reference_model()
            with torch.inference_mode():
                pixels = torch.from_numpy(np.ascontiguousarray(batch, np.float32))
                reference = self._normalise(_features(model.get_image_features(pixel_values=pixels)))
            self.int8_cosine = float(np.min(np.sum(reference * vectors, axis=1)))
            self._check_image = False
            return vectors if self._judge("image", self.int8_cosine) else reference

    def _check_int8(self, pixels, vectors: np.ndarray) -> np.ndarray:
        """Compare the first int8 batch with fp32: keep int8 only if every photo is within
        MIN_COSINE, else go back to fp32 for good (a model with outlier activations)."""
        with self._lock:
            fp32_vision, self._fp32_vision = self._fp32_vision, None
            if fp32_vision is None:  # another thread checked meanwhile
                return vectors
            int8_vision, self._model.vision_model = self._model.vision_model, fp32_vision
            reference = self._normalise(_features(self._model.get_image_features(pixel_values=pixels)))
            self.int8_cosine = float(np.min(np.sum(reference * vectors, axis=1)))
            if self.int8_cosine < MIN_COSINE:
                self.precision = "fp32"
                return reference
            self._model.vision_model = int8_vision
            return vectors

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        self.load()
        return self._encode_texts(list(texts))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Like embed_texts, for search: recent queries are remembered, so refining a search
        (or the GUI re-running it as photos arrive) does not encode the same text again."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._queries_lock:
            known = {t: self._queries[t] for t in texts if t in self._queries}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, self.embed_texts(missing)))
        with self._queries_lock:
            for text in texts:
                self._queries[text] = known[text]
                self._queries.move_to_end(text)
            while len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)
        return np.stack([known[t] for t in texts])

    def _encode_texts(self, texts: list[str]) -> np.ndarray:
        tower = self._text_ort
        if tower is not None:
            if self._tokenize is not None:  # the fast path
                return self._normalise(tower(**self._tokenize(texts)))
            tokens = self._tokenizer(texts, truncation=True, return_tensors="np", **self.text_padding)
            return self._normalise(tower(**{k: np.asarray(v, np.int64) for k, v in tokens.items()}))
        import torch

        tokens = self._tokenizer(texts, truncation=True, return_tensors="pt", **self.text_padding)
        wanted = self.text_inputs or tuple(tokens)
        tokens = {k: v.to(self.device) for k, v in tokens.items() if k in wanted}
        with torch.inference_mode():
            return self._normalise(_features(self._model.get_text_features(**tokens)))

    @property
    def logit_scale(self) -> float:
        """The model's learned temperature (exp of logit_scale), for calibrated softmaxes."""
        self.load()
        return self._settings.logit_scale if self._settings is not None else self._torch_logit_scale()

    def _torch_logit_scale(self) -> float:
        scale = getattr(self._model, "logit_scale", None)
        return float(scale.exp().item()) if scale is not None else 100.0

    @staticmethod
    def _normalise(feats) -> np.ndarray:
        arr = feats if isinstance(feats, np.ndarray) else feats.float().cpu().numpy()
        norms = np.linalg.norm(arr, axis=1, keepdims=True)
        return (arr / np.maximum(norms, 1e-12)).astype(np.float32)


def _fallback_note(dropped: dict[str, float]) -> str:
    """One line for ``photoapp status``: which towers run in fp32 and why."""
    what = " and ".join({"image": "photos", "text": "search texts"}[t] for t in dropped)
    return (
        f"{what} embed in fp32 on this CPU (slower): this model's int8 embeddings drifted from fp32 "
        f"(cosine {min(dropped.values()):.3f} < {MIN_COSINE})"
    )


def _quantize_int8(model):
    """Dynamic int8 (weights int8, activations quantised per batch) of the Linear layers,
    which hold nearly all of a ViT's work; fbgemm kernels on x86 CPUs. A copy: the float
    module stays intact for the first-batch check."""
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's "migrate to torchao" notice
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
