"""Query forms: text, an image file, and rclip-style combinations ("beach +dog -cat").

A query is a list of weighted terms; each term is text or an image path. Their
embeddings are summed with their signs and normalised into one query vector, so
"beach +dog -cat" means: like a beach, like a dog, unlike a cat.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import numpy as np

from photoapp.core.errors import InvalidInput
from photoapp.core.media.formats import PHOTO_EXTENSIONS

_SPLIT = re.compile(r"\s+(?=[+-]\S)")
NEGATIVE_WEIGHT = 1.0


@dataclass(frozen=True)
class Term:
    text: str
    sign: int  # +1 or -1
    is_image: bool


def parse(query: str) -> list[Term]:
    """Split a query into signed terms. A term naming an existing file is an image."""
    terms = []
    for part in _SPLIT.split(query.strip()):
        sign = -1 if part.startswith("-") else 1
        body = part[1:] if part[:1] in "+-" and len(part) > 1 else part
        body = body.strip().strip('"').strip("'")
        if not body:
            continue
        image = _image_path(body)
        terms.append(Term(image or body, sign, image is not None))
    if not terms:
        raise InvalidInput("empty query")
    if all(t.sign < 0 for t in terms):
        raise InvalidInput('a query needs at least one positive term ("-cat" alone says only what to avoid)')
    return terms


def _image_path(body: str) -> str | None:
    """``body`` as an absolute path if it names an existing file that looks like one (an
    extension the library reads, or a directory part), so a word never turns into a file."""
    path = os.path.expanduser(body)
    looks_like_path = os.sep in path or os.path.splitext(path)[1].lower() in PHOTO_EXTENSIONS
    return os.path.abspath(path) if looks_like_path and os.path.isfile(path) else None


def combine(terms: list[Term], text_vectors: dict[str, np.ndarray], image_vectors: dict[str, np.ndarray]) -> np.ndarray:
    """Signed sum of the terms' unit vectors, normalised."""
    total = None
    for term in terms:
        vec = (image_vectors if term.is_image else text_vectors)[term.text]
        weighted = vec * (1.0 if term.sign > 0 else -NEGATIVE_WEIGHT)
        total = weighted if total is None else total + weighted
    norm = float(np.linalg.norm(total))
    if norm < 1e-6:
        raise InvalidInput("the query's terms cancel each other out")
    return (total / norm).astype(np.float32)
