"""CLIP-family embedders (CLIPModel, SiglipModel, ...) through transformers.

Lazy: nothing heavy is imported or loaded until the first ``load()``. Weights come from
safetensors only. Device: CUDA, else Apple MPS, else CPU. Precision ("auto"): fp16 on a
GPU; on a CPU a full-size model's image and text towers run in int8 on ONNX Runtime
(onnxrt.py: exported and quantised once per model, 2-3x faster than torch fp32,
benchmarks/index_throughput.py), or torch's dynamic int8 where ONNX Runtime is missing or
the export fails. int8 is kept only while it reproduces fp32: the first batch of photos of
every run, and TEXT_PROBES at load, within cosine 0.99; a tower that drifts goes back to
fp32 for good (remembered in the export cache, with a note ``photoapp status`` shows).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from photoapp.core.embedding.models import ModelSource, ModelUnavailable, unsupported
from photoapp.core.embedding.preprocess import PreprocessSpec, UnsupportedPreprocessing, load_image_processor
from photoapp.core.errors import InvalidInput


def choose_device(preference: str = "auto") -> str:
    import torch

    if preference not in ("auto", "cpu", "cuda", "mps"):
        raise InvalidInput(f"unknown device {preference!r} (choose auto, cpu, cuda or mps)")
    if preference == "cpu":
        return "cpu"
    if preference in ("auto", "cuda") and torch.cuda.is_available():
        return "cuda"
    if preference in ("auto", "mps") and getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


PRECISIONS = ("auto", "fp32", "fp16", "bf16", "int8")


# int8 only pays off for wide layers; a tiny model (the 128-wide toy) stays in fp32.
INT8_MIN_WIDTH = 384
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


def default_precision(device: str, vision_width: int | None = None) -> str:
    """What "auto" means: fp16 on a GPU; int8 image tower on a CPU for full-size models.
    bf16 is never chosen: without AVX-512 BF16/AMX a CPU emulates it (10x slower)."""
    if device in ("cuda", "mps"):
        return "fp16"
    return "int8" if vision_width is None or vision_width >= INT8_MIN_WIDTH else "fp32"


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
            if self._model is None:
                self._load()
        return self

    @property
    def spec(self) -> PreprocessSpec:
        """How photos are prepared for this model, from its own image processor."""
        if self._spec is None:
            with self._lock:
                if self._spec is None:
                    self._spec = self._read_spec()
        return self._spec

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

    def _load(self) -> None:
        import torch
        from safetensors import SafetensorError
        from transformers import AutoModel, AutoTokenizer

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
        try:
            model = AutoModel.from_pretrained(self.source.folder, use_safetensors=True, dtype=self.dtype)
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelUnavailable(f"cannot load model from {self.source.folder}: {_first_line(exc)}") from None
        except SafetensorError as exc:  # a truncated copy or download, or not safetensors at all
            raise ModelUnavailable(
                f"the model weights in {self.source.folder} are damaged ({_first_line(exc)}); "
                "copy or download the model again"
            ) from None
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
        key = onnxrt.model_key(self.source.folder, inputs, length)
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
                self._check_image = True
            if "text" in files:
                self._text_ort = onnxrt.Tower(files["text"])
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
            self._model = None
            self._tokenizer = None
            self._fp32_vision = None
            self._image_ort = self._text_ort = None
            self._queries.clear()

    @property
    def dim(self) -> int:
        self.load()
        cfg = self._model.config
        return int(getattr(cfg, "projection_dim", None) or cfg.text_config.hidden_size)

    def embed_pixels(self, batch: np.ndarray) -> np.ndarray:
        """(N, 3, H, W) preprocessed float32 -> (N, dim) unit vectors."""
        import torch

        self.load()
        if self._image_ort is not None:
            return self._embed_pixels_onnx(batch)
        with torch.inference_mode():
            pixels = torch.from_numpy(np.ascontiguousarray(batch)).to(self.device, self.dtype)
            vectors = self._normalise(_features(self._model.get_image_features(pixel_values=pixels)))
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

            with torch.inference_mode():
                pixels = torch.from_numpy(np.ascontiguousarray(batch, np.float32))
                reference = self._normalise(_features(self._model.get_image_features(pixel_values=pixels)))
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
        import torch

        tower = self._text_ort
        if tower is not None:
            tokens = self._tokenizer(texts, truncation=True, return_tensors="np", **self.text_padding)
            return self._normalise(tower(**{k: np.asarray(v, np.int64) for k, v in tokens.items()}))

        tokens = self._tokenizer(texts, truncation=True, return_tensors="pt", **self.text_padding)
        wanted = self.text_inputs or tuple(tokens)
        tokens = {k: v.to(self.device) for k, v in tokens.items() if k in wanted}
        with torch.inference_mode():
            return self._normalise(_features(self._model.get_text_features(**tokens)))

    @property
    def logit_scale(self) -> float:
        """The model's learned temperature (exp of logit_scale), for calibrated softmaxes."""
        self.load()
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


def _quiet_transformers() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


# Model types that have an image and a text tower but that Photoapp cannot embed with, and why.
NOT_SUPPORTED = {
    "siglip2": "a SigLIP2 NaFlex model (variable resolution, patches instead of a fixed-size image); "
    "use a fixed-resolution SigLIP2 such as google/siglip2-base-patch16-224"
}


def check_architecture(source: ModelSource):
    """The folder's config, read by transformers' AutoConfig, if it is a model Photoapp can
    use (an image and a text tower that embed into one space); else ModelUnavailable naming
    what is supported. Nothing heavy is loaded."""
    from transformers import AutoConfig

    try:
        config = AutoConfig.from_pretrained(source.folder)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise unsupported(f"{source.name} is not a model transformers knows ({_first_line(exc)})") from None
    model_type = getattr(config, "model_type", "") or "unknown"
    if model_type in NOT_SUPPORTED:
        raise unsupported(f"{source.name} is {NOT_SUPPORTED[model_type]}")
    model_class = _model_class(config)
    towers = (
        model_class is not None
        and hasattr(model_class, "get_image_features")
        and hasattr(model_class, "get_text_features")
    )
    if not towers or getattr(config, "vision_config", None) is None or getattr(config, "text_config", None) is None:
        raise unsupported(
            f"{source.name} is a {model_type} model, not an image-text model with an image and a text tower"
        )
    return config


def _model_class(config):
    from transformers.models.auto.modeling_auto import MODEL_MAPPING

    try:
        return MODEL_MAPPING[type(config)]
    except (KeyError, ValueError, ImportError, AttributeError):
        return None


def text_inputs(config, tokenizer) -> tuple[dict, tuple[str, ...] | None]:
    """How texts are tokenized for this model, and which tokenizer outputs its text tower
    gets. CLIP: padded to the longest text in the batch, with the attention mask (its causal
    text tower pools the end-of-text token). SigLIP and SigLIP2 pool the last position and
    were trained on texts padded on the right to 64 tokens without an attention mask, so that
    is what they get (transformers' own pipeline pads them to 64 too; Gemma's tokenizer,
    SigLIP2's, would pad on the left)."""
    if getattr(config, "model_type", "") not in ("siglip", "siglip2"):
        return {"padding": True}, None
    tokenizer.padding_side = "right"
    length = getattr(config.text_config, "max_position_embeddings", None) or 64
    return {"padding": "max_length", "max_length": int(length)}, ("input_ids",)


def _quantize_int8(model):
    """Dynamic int8 (weights int8, activations quantised per batch) of the Linear layers,
    which hold nearly all of a ViT's work; fbgemm kernels on x86 CPUs. A copy: the float
    module stays intact for the first-batch check."""
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's "migrate to torchao" notice
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
