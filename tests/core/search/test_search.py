"""Search quality and filters on a held-out 360-image toy library (the issue's acceptance)."""

from __future__ import annotations

import os
import time

import pytest

from photoapp.core.search.ranking import Filters, parse_date
from photoapp.toy.domain import COLOURS, SHAPES
from photoapp.toy.evaluate import evaluate_library


def test_held_out_quality(held_out_library):
    lib, truth, report = held_out_library
    assert report.embedded == 360
    figures = evaluate_library(lib, truth)
    assert figures["text_p_at_10"] >= 0.9, figures
    assert figures["similar_p_at_10"] >= 0.9, figures
    assert figures["zero_shot_colour_accuracy"] >= 0.9 and figures["zero_shot_shape_accuracy"] >= 0.9, figures


def test_reindexing_embeds_nothing(held_out_library):
    lib, _, _ = held_out_library
    assert lib.index_folders().embedded == 0


def test_scores_are_sorted_and_k_larger_than_library_returns_all(held_out_library):
    lib, truth, _ = held_out_library
    hits = lib.search("purple triangle", k=10_000, cutoff=False)
    assert len(hits) == len(truth)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_folder_filter(held_out_library, tmp_path):
    lib, truth, _ = held_out_library
    folder = os.path.dirname(next(iter(truth)))
    assert len(lib.search("red", k=5, filters=Filters(folder=folder))) == 5
    assert lib.search("red", k=5, filters=Filters(folder=str(tmp_path))) == []


def test_date_filter(held_out_library):
    lib, truth, _ = held_out_library
    paths = sorted(truth)[:3]
    old = time.mktime((2019, 5, 17, 12, 0, 0, 0, 0, -1))
    ids = [lib.photo(p)["id"] for p in paths]
    with lib.catalog.transaction():
        lib.catalog.db.executemany("UPDATE photos SET taken=? WHERE id=?", [(old, i) for i in ids])
    try:
        hits = lib.search(
            "green square",
            k=50,
            cutoff=False,
            filters=Filters(after=parse_date("2019-05"), before=parse_date("2019-05-17", end_of_day=True)),
        )
        assert sorted(h.path for h in hits) == sorted(map(str, paths))
        assert len(lib.search("x", k=400, filters=Filters(before=parse_date("2019")))) == 0
    finally:
        with lib.catalog.transaction():
            lib.catalog.db.execute("UPDATE photos SET taken=mtime")


@pytest.mark.parametrize("word,attr", [(c, "colour") for c in COLOURS] + [(s, "shape") for s in SHAPES])
def test_single_word_queries(held_out_library, word, attr):
    lib, truth, _ = held_out_library
    per_class = len(truth) // 36
    n = per_class * (6 if attr == "colour" else 12)
    by_path = {str(p): c for p, c in truth.items()}
    hits = lib.search(word, k=n, cutoff=False)
    precision = sum(getattr(by_path[h.path], attr) == word for h in hits) / n
    assert precision >= 0.85


def test_parse_date_forms():
    assert parse_date("2024") < parse_date("2024-05") < parse_date("2024-05-17") < parse_date("2024-05-17T10:00")
    assert parse_date("2024", end_of_day=True) == parse_date("2025")
    with pytest.raises(ValueError, match="not a date"):
        parse_date("yesterday")


def test_an_image_query_has_the_decoders_size_and_time_limits(held_out_library, tmp_path, monkeypatch):
    """``search FILE`` had no time limit (issue 29, finding 7): a query image is opened and
    read like a photo being indexed, so an oversized or endless one is one clear error."""
    from PIL import Image

    from photoapp.core.errors import LibraryError
    from photoapp.core.media import image

    lib, _, _ = held_out_library
    header = tmp_path / "header.jpg"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(header, "JPEG")

    def sparse(name: str, size: int) -> str:
        path = tmp_path / name
        with open(path, "wb") as fh:
            fh.write(header.read_bytes()[:20])  # a JPEG's start, then zeros
            fh.truncate(size)
        return str(path)

    with pytest.raises(LibraryError, match=r"cannot read .*huge.jpg: file too large for its kind"):
        lib.search(sparse("huge.jpg", 6 << 30))
    monkeypatch.setattr(image, "READ_TIMEOUT", 1.0)  # the parser needs ~20 s for 200 MB of zeros
    with pytest.raises(LibraryError, match=r"cannot read .*slow.jpg: reading took longer than 1 s"):
        lib.search(sparse("slow.jpg", 200_000_000))
