"""A tiny CLIP-format byte-level BPE tokenizer for the toy model.

Vocabulary: the 512 byte tokens CLIP starts from (each byte, with and without the
end-of-word marker), one merge chain per known word, and the two special tokens.
Unknown words fall back to byte pieces, so every query still tokenizes.
"""

from __future__ import annotations

import json
from pathlib import Path

BOS, EOS = "<|startoftext|>", "<|endoftext|>"


def bytes_to_unicode() -> dict[int, str]:
    """CLIP/GPT-2's reversible map from bytes to printable unicode characters."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    printable += list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, chars)))


def build_vocab(words: list[str]) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Return (vocab, merges) with a left-to-right merge chain for every word."""
    byte_chars = list(bytes_to_unicode().values())
    tokens = byte_chars + [c + "</w>" for c in byte_chars]
    merges: list[tuple[str, str]] = []
    seen = set(tokens)
    to_unicode = bytes_to_unicode()
    for word in sorted({w.lower() for w in words}):
        pieces = [to_unicode[b] for b in word.encode("utf-8")]
        pieces[-1] += "</w>"
        current = pieces[0]
        for nxt in pieces[1:]:
            merged = current + nxt
            if merged not in seen:
                merges.append((current, nxt))
                tokens.append(merged)
                seen.add(merged)
            current = merged
    tokens += [BOS, EOS]
    return {tok: i for i, tok in enumerate(tokens)}, merges


def save_tokenizer(words: list[str], folder: Path, max_length: int = 77):
    """Write the tokenizer in every format transformers 4.x and 5.x read; return it."""
    from transformers import CLIPTokenizer

    vocab, merges = build_vocab(words)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    merge_lines = ["#version: 0.2"] + [f"{a} {b}" for a, b in merges]
    (folder / "merges.txt").write_text("\n".join(merge_lines) + "\n", encoding="utf-8")
    tokenizer = CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=max_length)
    tokenizer.save_pretrained(folder)
    return tokenizer
