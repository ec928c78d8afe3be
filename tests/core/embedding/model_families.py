"""Model folders of the CLIP-family architectures Photoapp supports, built offline.

Each family carries the published configuration values of a real checkpoint: its image
processor's settings exactly as published (size, crop, filter, mean, std) and its
architecture (image size, patch size, widths, depths, vocabulary, context length). The
tests build them with random weights and a tokenizer of the family's own kind made here
(no download): a CLIP byte-level BPE (CLIPTokenizer), a SentencePiece unigram model for
SigLIP (SiglipTokenizer, spiece.model) and a byte-fallback BPE for SigLIP2
(GemmaTokenizer, tokenizer.json). ``scale="tiny"`` shrinks widths and depths for speed;
preprocessing, image size, patch size and text length stay as published.

Layouts: "older" writes ``preprocessor_config.json`` as published on the Hub; "current"
is what the installed transformers' ``Processor.save_pretrained`` writes (transformers 5:
the image processor inside ``processor_config.json``, no ``preprocessor_config.json``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]

# Words the test tokenizers know whole; anything else falls back to smaller pieces.
WORDS = (
    "a",
    "photo",
    "of",
    "the",
    "dog",
    "cat",
    "beach",
    "sunset",
    "sea",
    "snow",
    "mountain",
    "flower",
    "red",
    "green",
    "blue",
    "yellow",
    "insect",
    "dragonfly",
    "ladybird",
    "wine",
    "glass",
    "bridge",
    "storm",
    "sky",
    "tree",
    "forest",
    "garden",
    "people",
    "friends",
    "field",
    "meadow",
    "rain",
    "drops",
    "wood",
    "city",
    "night",
    "water",
    "sand",
    "dune",
    "pattern",
    "close",
    "up",
    "picture",
)


@dataclass(frozen=True)
class Family:
    name: str
    kind: str  # "clip" or "siglip"
    tokenizer: str  # "clip", "siglip" (SentencePiece) or "gemma" (SigLIP2)
    image_processor: dict  # as published (preprocessor_config.json)
    vision: dict  # published architecture values
    text: dict
    projection_dim: int | None = None
    tiny: dict = field(default_factory=dict)  # widths/depths for the fast tests

    @property
    def image_size(self) -> int:
        return self.vision["image_size"]


def _clip_processor(side: int) -> dict:
    # openai/clip-vit-*: int sizes, centre crop, bicubic, OpenAI mean/std.
    return {
        "crop_size": side,
        "do_center_crop": True,
        "do_normalize": True,
        "do_resize": True,
        "feature_extractor_type": "CLIPFeatureExtractor",
        "image_mean": CLIP_MEAN,
        "image_std": CLIP_STD,
        "resample": 3,
        "size": side,
    }


def _siglip_processor(side: int, resample: int) -> dict:
    # google/siglip-* (bicubic) and google/siglip2-* fixed resolution (bilinear): a square
    # resize without crop, mean/std 0.5.
    return {
        "do_normalize": True,
        "do_rescale": True,
        "do_resize": True,
        "image_mean": [0.5, 0.5, 0.5],
        "image_processor_type": "SiglipImageProcessor",
        "image_std": [0.5, 0.5, 0.5],
        "processor_class": "SiglipProcessor",
        "resample": resample,
        "rescale_factor": 1 / 255,
        "size": {"height": side, "width": side},
    }


_BASE_TEXT_CLIP = {
    "hidden_size": 512,
    "intermediate_size": 2048,
    "num_hidden_layers": 12,
    "num_attention_heads": 8,
    "max_position_embeddings": 77,
}
_BASE_VISION = {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12, "num_attention_heads": 12}
_SIGLIP_TEXT = {
    "hidden_size": 768,
    "intermediate_size": 3072,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "max_position_embeddings": 64,
}
_TINY = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2}

FAMILIES = {
    f.name: f
    for f in [
        Family(
            "clip-vit-b32",
            "clip",
            "clip",
            _clip_processor(224),
            _BASE_VISION | {"image_size": 224, "patch_size": 32},
            _BASE_TEXT_CLIP,
            512,
            {"projection_dim": 24},
        ),
        Family(
            "clip-vit-b16",
            "clip",
            "clip",
            _clip_processor(224),
            _BASE_VISION | {"image_size": 224, "patch_size": 16},
            _BASE_TEXT_CLIP,
            512,
            {"projection_dim": 40},
        ),
        Family(
            "clip-vit-l14-336",
            "clip",
            "clip",
            _clip_processor(336),
            {
                "hidden_size": 1024,
                "intermediate_size": 4096,
                "num_hidden_layers": 24,
                "num_attention_heads": 16,
                "image_size": 336,
                "patch_size": 14,
            },
            _BASE_TEXT_CLIP | {"hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12},
            768,
            {"projection_dim": 48},
        ),
        Family(
            "siglip-b16-224",
            "siglip",
            "siglip",
            _siglip_processor(224, 3),
            _BASE_VISION | {"image_size": 224, "patch_size": 16},
            _SIGLIP_TEXT | {"vocab_size": 32000},
            tiny={"hidden_size": 56},
        ),
        Family(
            "siglip-b16-256",
            "siglip",
            "siglip",
            _siglip_processor(256, 3),
            _BASE_VISION | {"image_size": 256, "patch_size": 16},
            _SIGLIP_TEXT | {"vocab_size": 32000},
            tiny={"hidden_size": 64},
        ),
        Family(
            "siglip2-b16-224",
            "siglip",
            "gemma",
            _siglip_processor(224, 2),
            _BASE_VISION | {"image_size": 224, "patch_size": 16},
            _SIGLIP_TEXT | {"vocab_size": 256000},
            tiny={"hidden_size": 72},
        ),
    ]
}


# -- tokenizers ----------------------------------------------------------------------------
def clip_tokenizer(folder: Path):
    """A CLIP byte-level BPE (CLIPTokenizer): the toy model's builder, with WORDS."""
    from photoapp.toy.tokenizer import save_tokenizer

    return save_tokenizer(list(WORDS), folder, max_length=77)


def siglip_tokenizer(folder: Path):
    """SigLIP's kind: a SentencePiece unigram model (spiece.model) read by SiglipTokenizer,
    with the published special tokens (pad = eos = "</s>", unk = "<unk>") and 64 tokens."""
    import io

    import sentencepiece as spm
    from transformers import SiglipTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    corpus = [" ".join(WORDS[i : i + 7]) for i in range(len(WORDS))] * 4
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus),
        model_writer=model,
        vocab_size=60,
        hard_vocab_limit=False,
        model_type="unigram",
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        pad_piece="<pad>",
        eos_piece="</s>",
        unk_piece="<unk>",
        character_coverage=1.0,
        byte_fallback=False,
        minloglevel=2,
    )
    (folder / "spiece.model").write_bytes(model.getvalue())
    return SiglipTokenizer(vocab_file=str(folder / "spiece.model"), model_max_length=64)


def gemma_tokenizer(folder: Path):
    """SigLIP2's kind: Gemma's byte-fallback BPE (GemmaTokenizer, tokenizer.json), with
    Gemma's special tokens (<pad> 0, <eos> 1, <bos> 2, <unk> 3) and 64 tokens."""
    from transformers import GemmaTokenizer

    vocab = {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3, "<mask>": 4}
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = len(vocab)
    merges = []
    for word in sorted(set(WORDS)):
        pieces = ["▁"] + list(word)
        for piece in pieces:
            vocab.setdefault(piece, len(vocab))
        current = pieces[0]
        for nxt in pieces[1:]:
            merged = current + nxt
            if merged not in vocab:
                merges.append((current, nxt))
                vocab[merged] = len(vocab)
            current = merged
    return GemmaTokenizer(vocab=vocab, merges=merges, model_max_length=64)


TOKENIZERS = {"clip": clip_tokenizer, "siglip": siglip_tokenizer, "gemma": gemma_tokenizer}


# -- model folders -------------------------------------------------------------------------
def model_config(family: Family, vocab_size: int, special: dict, scale: str = "tiny"):
    from transformers import CLIPConfig, SiglipConfig

    shrink = {**_TINY, **{k: v for k, v in family.tiny.items() if k != "projection_dim"}} if scale == "tiny" else {}
    vision = family.vision | shrink
    text = family.text | shrink | {"vocab_size": vocab_size} | special
    if family.kind == "clip":
        projection = family.tiny.get("projection_dim", 24) if scale == "tiny" else family.projection_dim
        return CLIPConfig(text_config=text, vision_config=vision, projection_dim=projection)
    return SiglipConfig(text_config=text, vision_config=vision)


def image_processor(family: Family):
    """The family's image processor as transformers builds it from the published settings."""
    import tempfile

    from photoapp.core.embedding.preprocess import load_image_processor

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "preprocessor_config.json").write_text(json.dumps(family.image_processor))
        return load_image_processor(Path(tmp))


def build(family: Family | str, folder: Path, layout: str = "current", scale: str = "tiny", seed: int = 0) -> Path:
    """A complete model folder: config, random safetensors weights, tokenizer, processor."""
    import torch
    from transformers import CLIPModel, CLIPProcessor, SiglipModel, SiglipProcessor

    family = FAMILIES[family] if isinstance(family, str) else family
    if layout not in ("older", "current"):
        raise ValueError(layout)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = TOKENIZERS[family.tokenizer](folder / "_tokenizer")
    if family.kind == "clip":
        special = {
            "bos_token_id": tokenizer.bos_token_id,
            "eos_token_id": tokenizer.eos_token_id,
            "pad_token_id": tokenizer.pad_token_id,
        }
    else:
        special = {"pad_token_id": tokenizer.pad_token_id, "eos_token_id": tokenizer.eos_token_id}
    torch.manual_seed(seed)
    config = model_config(family, len(tokenizer), special, scale)
    model = (CLIPModel if family.kind == "clip" else SiglipModel)(config)
    model.save_pretrained(folder, safe_serialization=True)
    if layout == "older":
        tokenizer.save_pretrained(folder)
        (folder / "preprocessor_config.json").write_text(json.dumps(family.image_processor, indent=2))
    else:
        processor_cls = CLIPProcessor if family.kind == "clip" else SiglipProcessor
        processor_cls(image_processor=image_processor(family), tokenizer=tokenizer).save_pretrained(folder)
    import shutil

    shutil.rmtree(folder / "_tokenizer", ignore_errors=True)
    return folder
