"""The label vocabulary of zero-shot tagging and its prompt-ensemble text embeddings.

A vocabulary file has one label per line; ``[Group]`` lines start a group, ``#`` lines are
comments, and a label may carry its own prompts after `` | `` (``{}`` in a prompt stands for the label). A label
without prompts is scored with ``TEMPLATES``, the photo-appropriate subset of the CLIP
paper's ImageNet templates: its embedding is the normalised mean over the filled-in
templates, which is steadier than any single prompt (CLIP paper, section 3.1.4).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from photoapp.config import TOY_MODEL, resources_dir
from photoapp.core.errors import InvalidInput

TEMPLATES: tuple[str, ...] = (
    "a photo of a {}.",
    "a photo of the {}.",
    "a close-up photo of the {}.",
    "a bright photo of a {}.",
    "a dark photo of the {}.",
    "a good photo of a {}.",
    "a cropped photo of the {}.",
    "a photo of a small {}.",
    "a photo of a large {}.",
)
PROMPT_SEP = " | "


@dataclass(frozen=True)
class Label:
    name: str
    group: str = ""
    prompts: tuple[str, ...] = field(default=())

    def texts(self) -> list[str]:
        """The prompts whose mean embedding stands for this label."""
        chosen = self.prompts or TEMPLATES
        return [p.replace("{}", self.name) if "{}" in p else p for p in chosen]

    def as_dict(self) -> dict:
        return {"name": self.name, "group": self.group, "prompts": list(self.prompts)}


def parse_vocabulary(text: str) -> list[Label]:
    """Labels from a vocabulary file's text; duplicates keep their first occurrence."""
    labels: dict[str, Label] = {}
    group = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1].strip()
            continue
        name, *prompts = [part.strip() for part in line.split(PROMPT_SEP.strip())]
        name = " ".join(name.split())
        if name and name.lower() not in labels:
            labels[name.lower()] = Label(name, group, tuple(p for p in prompts if p))
    return list(labels.values())


def format_vocabulary(labels: list[Label]) -> str:
    """The inverse of ``parse_vocabulary`` (for `photoapp labels list` and round trips)."""
    lines, group = [], None
    for label in labels:
        if label.group != group and label.group:
            lines.append(f"[{label.group}]")
        group = label.group
        lines.append(PROMPT_SEP.join((label.name, *label.prompts)))
    return "\n".join(lines) + "\n"


def default_vocabulary(model: str | None = None) -> list[Label]:
    """The shipped vocabulary: everyday photo concepts, or for the tiny demo model (which
    knows only coloured shapes) the toy domain's colours, shapes and backgrounds."""
    name = "toy.txt" if model == TOY_MODEL else "default.txt"
    return parse_vocabulary((resources_dir() / "labels" / name).read_text(encoding="utf-8"))


def read_vocabulary_file(path: str | Path) -> list[Label]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read label file {path}: {exc.strerror or exc}") from None
    return parse_vocabulary(text)


def fingerprint(labels: list[Label]) -> str:
    """Changes whenever a label or any of its prompts changes."""
    payload = json.dumps([[lb.name, *lb.texts()] for lb in labels], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def ensemble_embeddings(embedder, prompt_sets: list[list[str]], batch: int = 256) -> np.ndarray:
    """One unit vector per prompt set: the normalised mean of its prompts' embeddings."""
    flat = [t for texts in prompt_sets for t in texts]
    if not flat:
        return np.zeros((0, 0), np.float32)
    vectors = np.concatenate([embedder.embed_texts(flat[i : i + batch]) for i in range(0, len(flat), batch)])
    out, start = [], 0
    for texts in prompt_sets:
        mean = vectors[start : start + len(texts)].mean(axis=0)
        out.append(mean / max(float(np.linalg.norm(mean)), 1e-12))
        start += len(texts)
    return np.stack(out).astype(np.float32)
