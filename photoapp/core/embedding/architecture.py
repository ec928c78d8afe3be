"""What a model folder is, read through transformers: its architecture (can Photoapp embed
with it?) and how its texts are tokenised. Used when the torch model loads or the towers
are exported; the ONNX Runtime query path reads the export cache instead (clip.py)."""

from __future__ import annotations

from photoapp.core.embedding.models import ModelSource, unsupported

# Model types that have an image and a text tower but that Photoapp cannot embed with, and why.
NOT_SUPPORTED = {
    "siglip2": "a SigLIP2 NaFlex model (variable resolution, patches instead of a fixed-size image); "
    "use a fixed-resolution SigLIP2 such as google/siglip2-base-patch16-224"
}


def quiet_transformers() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


def check_architecture(source: ModelSource):
    """The folder's config, read by transformers' AutoConfig, if it is a model Photoapp can
    use (an image and a text tower that embed into one space); else ModelUnavailable naming
    what is supported. Nothing heavy is loaded."""
    from transformers import AutoConfig

    try:
        config = AutoConfig.from_pretrained(source.folder)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise unsupported(f"{source.name} is not a model transformers knows ({first_line(exc)})") from None
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
