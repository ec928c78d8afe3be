"""Issue 28: the near tier finds mirrored and rotated copies and keeps grayscale, sepia and
mild colour edits, but never offers a colourway (hues turned) or a toy shape of another
colour and place; bursts need one camera within seconds; a similar group suggests nothing
for the trash; fingerprints of older libraries are brought up to date without re-embedding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photoapp.config import DupeSettings
from photoapp.core.duplicates import colour, keeper
from photoapp.core.duplicates import finder as duplicates
from photoapp.core.duplicates.finder import Pair, Shots, Tier
from photoapp.core.media import fingerprint
from photoapp.core.media.exif import read_shot
from photoapp.core.store.catalog import Photo
from tests.core.duplicates.dupe_variants import make_family, make_traps, near_groups, toy_traps

# Colourful photos of the odd half of shared/photos (the thresholds were chosen on the even half).
COLOURFUL = ("Dune.jpg", "LadyBird.jpg", "Picture_1A_by_freespace.jpg", "umang_by_Abhishek_Mudgal.jpg")
EDITS = ("half", "mirror", "rot90", "rot180", "rot270", "mirror_q60", "grey", "sepia", "colour", "desat", "warm")


def _groups(rows: list[tuple[str, str]]):
    return near_groups(rows)


@pytest.fixture(scope="module")
def families(shared_photos, tmp_path_factory):
    folder = tmp_path_factory.mktemp("families")
    rows = []
    for name in COLOURFUL:
        rows += [(str(p), k) for p, k in make_family(shared_photos / name, folder, EDITS)]
        rows += [(str(p), k) for p, k in make_traps(shared_photos / name, folder)]
    return rows, _groups(rows)


def test_turned_and_recoloured_copies_join_their_original_with_the_reason(families):
    rows, groups = families
    group_of = {path: g for g in groups for path in g.paths}
    for path, kind in rows:
        if kind in EDITS:
            original = str(Path(path).parent / (Path(path).name.split(f"_{kind}.")[0] + ".jpg"))
            assert group_of.get(path) is group_of.get(original) is not None, (path, kind)
    reasons = " ".join(p.reason for g in groups for p in g.pairs)
    for words in ("mirrored", "rotated 180°", "rotated 90°", "grayscale version"):
        assert words in reasons


def test_colourways_are_never_offered(families):
    rows, groups = families
    group_of = {path: g for g in groups for path in g.paths}
    traps = [path for path, kind in rows if kind.startswith("hue")]
    assert len(traps) == 3 * len(COLOURFUL)
    assert [t for t in traps if t in group_of] == []


def test_toy_shapes_of_other_colours_and_places_are_never_offered(tmp_path):
    rows = [(str(p), k) for seed in (0, 1, 2) for p, k in toy_traps(tmp_path, seed)]
    assert _groups(rows) == []


def test_red_and_orange_triangles_with_colliding_grey_hashes_are_told_apart():
    """The demo library's case: the grey hashes collide, the colours do not."""
    grid_red, grid_orange = (np.zeros((8, 8, 3)) for _ in range(2))
    grid_red[..., 0] = grid_orange[..., 0] = 95
    grid_red[2:6, 2:6] = (48, 70, 55)  # CIELAB red
    grid_orange[3:7, 3:7] = (64, 40, 70)  # orange, elsewhere
    assert not colour.agree(grid_red, 0.002, grid_orange, 0.002)[0]
    assert colour.agree(grid_red, 0.002, grid_red * [1, 1.2, 1.2], 0.002)[0]  # more saturated: a copy


def test_poses_compose_and_are_named():
    img = Image.open(Path(__file__).resolve().parents[3].parent / "shared" / "photos" / "Garden.jpg").convert("RGB")
    img.draft("RGB", (400, 400))
    base = fingerprint.compute(img)
    for op, words in (
        (Image.Transpose.FLIP_LEFT_RIGHT, "mirrored"),
        (Image.Transpose.ROTATE_180, "rotated 180°"),
        (Image.Transpose.ROTATE_270, "rotated 90°"),
        (Image.Transpose.ROTATE_90, "rotated 90°"),
        (Image.Transpose.TRANSPOSE, "mirrored and rotated 90°"),
    ):
        turned = fingerprint.compute(img.transpose(op))
        assert fingerprint.hamming(base.turn_phash, turned.turn_phash) <= 2
        assert fingerprint.describe_pose(fingerprint.relative_pose(base.turn, turned.turn)) == words


# -- bursts --------------------------------------------------------------------------------
def _edges(*pairs):
    a, b, c = zip(*pairs)
    return np.array(a), np.array(b), np.array(c, dtype=np.float32)


def test_a_burst_needs_one_camera_within_seconds_else_a_much_higher_similarity():
    s = DupeSettings()
    shots = Shots(
        time={1: 100.10, 2: 100.55, 3: 101.0, 4: 100.2, 5: 500.0},
        camera={1: "Canon EOS 350D#A1", 2: "Canon EOS 350D#A1", 3: "Canon EOS 350D#B2", 4: "Canon EOS 350D#A1"},
    )
    found = duplicates.similar_pairs(_edges((1, 2, 0.90), (1, 3, 0.90), (2, 5, 0.90), (4, 5, 0.95)), shots, s)
    assert [(p.a, p.b) for p in found] == [(1, 2)]  # another body, or minutes apart: not a burst
    assert found[0].reason.startswith("burst: one camera, 0.5 s apart")
    close = duplicates.similar_pairs(_edges((6, 7, 0.97)), Shots(), s)
    assert [(p.a, p.b) for p in close] == [(6, 7)] and "similar shot" in close[0].reason
    assert duplicates.similar_pairs(_edges((6, 7, 0.944)), Shots(), s) == []  # distinct real photos reach this


def _photo(pid, path, w=100, h=100, size=1000):
    return Photo(pid, path, None, size, 0.0, f"h{pid}", w, h, None, 0, None, 1, "JPEG", 0.0)


def test_a_similar_group_suggests_nothing_for_the_trash_and_keeps_the_sharpest_frame():
    photos = {i: _photo(i, f"/p/{i}.jpg", w=400 if i == 1 else 200) for i in (1, 2, 3)}
    pairs = [Pair(1, 2, Tier.SIMILAR, 0.9, "burst"), Pair(2, 3, Tier.SIMILAR, 0.9, "burst")]
    quality = keeper.Quality({1: 100.0, 2: 300.0, 3: 120.0}, {1: 0.9, 2: 0.9, 3: 0.9})
    [group] = duplicates.build_groups(duplicates.link(pairs, 24), photos, quality)
    assert group.keep.id == 2 and group.reason.startswith("sharpest")  # not the biggest: the sharpest
    assert not group.suggest_trash and group.as_dict()["suggest_trash"] is False
    same = keeper.Quality({1: 100.0, 2: 100.0}, {1: 0.5, 2: 0.9})
    assert keeper.choose_burst([photos[1], photos[2]], same)[0].id == 2  # then the better exposed


def test_exif_time_subseconds_camera_and_serial_are_read(tmp_path):
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "Canon EOS 350D"
    sub = exif.get_ifd(0x8769)
    sub[0x9003], sub[0x9291], sub[0xA431] = "2024:05:01 10:00:01", "45", "0123456"
    Image.new("RGB", (32, 32)).save(tmp_path / "a.jpg", exif=exif)
    when, camera = read_shot(tmp_path / "a.jpg")
    assert camera == "Canon EOS 350D#0123456"
    assert when is not None and abs(when % 60 - 1.45) < 1e-6
    Image.new("RGB", (32, 32)).save(tmp_path / "bare.jpg")
    assert read_shot(tmp_path / "bare.jpg") == (None, None)
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    assert read_shot(tmp_path / "broken.jpg") == (None, None)


def test_without_burst_evidence_a_similar_shot_also_needs_a_similar_layout():
    from photoapp.core.store.fingerprints import Prints

    codes = np.array([0, 0b111, (1 << 64) - 1], dtype=np.uint64)  # photo 3: every bit flipped
    nan = np.full(3, np.nan)
    prints = Prints(np.array([1, 2, 3]), codes, codes.copy(), nan, codes, codes, np.zeros(3, int), nan, nan, [None] * 3)
    found = duplicates.similar_pairs(_edges((1, 2, 0.97), (1, 3, 0.97)), Shots(), DupeSettings(), prints)
    assert [(p.a, p.b) for p in found] == [(1, 2)] and "layouts 6 of 128 bits apart" in found[0].reason
