"""CLIP-family embedders (CLIPModel, SiglipModel, ...) through transformers.

Lazy: nothing heavy is imported or loaded until the first ``load()``. Weights come from
safetensors only. Device: CUDA, else Apple MPS, else CPU. Precision: fp16 on a GPU, fp32
on a CPU unless the library asks for another (benchmarks/index_throughput.py measures
the speed and the cosine to fp32 of each).
"""

from __future__ import annotations

import threading

import numpy as np

from photoapp.core.embedding.models import ModelSource, ModelUnavailable
from photoapp.core.embedding.preprocess import PreprocessSpec


def choose_device(preference: str = "auto") -> str:
    import torch

    if preference not in ("auto", "cpu", "cuda", "mps"):
        raise ValueError(f"unknown device {preference!r} (choose auto, cpu, cuda or mps)")
    if preference == "cpu":
        return "cpu"
    if preference in ("auto", "cuda") and torch.cuda.is_available():
        return "cuda"
    if preference in ("auto", "mps") and getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


PRECISIONS = ("auto", "fp32", "fp16", "bf16", "int8")


def default_precision(device: str) -> str:
    """What "auto" means: fp16 on a GPU. On a CPU fp32: bf16 is emulated (slow) without
    AVX-512 BF16/AMX, and dynamic int8 is left to the user (see the README's figures)."""
    return "fp16" if device in ("cuda", "mps") else "fp32"


def _features(out):
    """transformers 5 returns an output object from get_*_features, 4.x a tensor."""
    return out if hasattr(out, "norm") else out.pooler_output


class ClipEmbedder:
    """Maps images and texts into one normalised embedding space."""

    def __init__(self, source: ModelSource, device: str = "auto", precision: str = "auto"):
        if precision not in PRECISIONS:
            raise ValueError(f"unknown precision {precision!r} (choose {', '.join(PRECISIONS)})")
        self.source = source
        self.preference = device
        self.precision = precision
        self.spec = PreprocessSpec.from_folder(source.folder)
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()
        self.device = "cpu"
        self.dtype = None
        self.text_padding: dict = {"padding": True}

    @property
    def name(self) -> str:
        return self.source.name

    def load(self) -> ClipEmbedder:
        with self._lock:
            if self._model is None:
                self._load()
        return self

    def _load(self) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        self.device = choose_device(self.preference)
        if self.precision == "auto":
            self.precision = default_precision(self.device)
        if self.precision == "int8" and self.device != "cpu":
            raise ModelUnavailable("int8 precision runs on the CPU only; use fp16 on a GPU")
        self.dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(self.precision, torch.float32)
        try:
            model = AutoModel.from_pretrained(self.source.folder, use_safetensors=True, dtype=self.dtype)
            self._tokenizer = AutoTokenizer.from_pretrained(self.source.folder)
        except (OSError, ValueError) as exc:
            raise ModelUnavailable(f"cannot load model from {self.source.folder}: {str(exc).splitlines()[0]}") from None
        if not hasattr(model, "get_image_features") or not hasattr(model, "get_text_features"):
            raise ModelUnavailable(f"{self.source.name} is not a CLIP-family model (no image/text towers)")
        if getattr(model.config, "model_type", "") in ("siglip", "siglip2"):
            # SigLIP was trained on texts padded to 64 tokens; other padding degrades it.
            self.text_padding = {"padding": "max_length", "max_length": 64}
        model = model.to(self.device).eval()
        self._model = _quantize_int8(model) if self.precision == "int8" else model

    def unload(self) -> None:
        with self._lock:
            self._model = None
            self._tokenizer = None

    @property
    def dim(self) -> int:
        self.load()
        cfg = self._model.config
        return int(getattr(cfg, "projection_dim", None) or cfg.text_config.hidden_size)

    def embed_pixels(self, batch: np.ndarray) -> np.ndarray:
        """(N, 3, H, W) preprocessed float32 -> (N, dim) unit vectors."""
        import torch

        self.load()
        with torch.inference_mode():
            pixels = torch.from_numpy(np.ascontiguousarray(batch)).to(self.device, self.dtype)
            feats = _features(self._model.get_image_features(pixel_values=pixels))
            return self._normalise(feats)

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        import torch

        self.load()
        tokens = self._tokenizer(list(texts), truncation=True, return_tensors="pt", **self.text_padding)
        tokens = {k: v.to(self.device) for k, v in tokens.items()}
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
        arr = feats.float().cpu().numpy()
        norms = np.linalg.norm(arr, axis=1, keepdims=True)
        return (arr / np.maximum(norms, 1e-12)).astype(np.float32)


def _quantize_int8(model):
    """Dynamic int8 (weights int8, activations quantised per batch) of the Linear layers,
    which hold nearly all of a ViT's work; fbgemm kernels on x86 CPUs."""
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's "migrate to torchao" notice
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
