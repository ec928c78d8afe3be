"""The justified layout's maths (pure): rows fill the width with even gaps, keep each
photo's shape, never stretch a group's last row; square crops; groups under headers."""

from __future__ import annotations

import random

import pytest

from photoapp.gui.layout.justified import GAP, HEADER_HEIGHT, Group, justify

SHAPES = (1.5, 2 / 3, 4 / 3, 3 / 4, 1.0, 16 / 9, 3.2)


def photos(n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.choice(SHAPES) for _ in range(n)]


def lines(layout):
    return [layout.items_of_line(k) for k in range(len(layout.line_top))]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("width", [640, 997, 1600])
def test_full_rows_fill_the_width_with_even_gaps_and_keep_shapes(seed, width):
    aspects = photos(500, seed)
    layout = justify(aspects, width, 180)
    assert len(layout) == 500
    for k, items in enumerate(lines(layout)[:-1]):  # every line but the last is full
        h = layout.line_height[k]
        assert layout.x[items.start] == 0
        assert layout.x[items[-1]] + layout.w[items[-1]] == width  # no strip left on the right
        for a, b in zip(items, items[1:]):
            assert 2 <= layout.x[b] - (layout.x[a] + layout.w[a]) <= 4
        for i in items:
            assert abs(layout.w[i] - aspects[i] * h) <= 1 + aspects[i] / 2  # the shape is kept (to rounding)
        assert 180 * 0.6 <= h <= 180 * 1.6  # near the height asked for
    tops = list(layout.line_top)
    heights = list(layout.line_height)
    for k in range(1, len(tops)):
        assert tops[k] - (tops[k - 1] + heights[k - 1]) == GAP  # rows are GAP apart too


def test_the_last_row_is_never_stretched():
    layout = justify([1.5, 1.5], 1200, 200)  # two photos cannot fill 1200 px at 200 px high
    assert list(layout.line_height) == [200]
    assert list(layout.w) == [300, 300] and list(layout.x) == [0, 303]


def test_row_height_follows_the_size_asked_for():
    aspects = photos(400, 7)
    small, large = justify(aspects, 1200, 100), justify(aspects, 1200, 300)
    assert len(large.line_top) > 2 * len(small.line_top)  # larger photos: fewer per row
    assert sum(small.line_height) / len(small.line_top) < sum(large.line_height) / len(large.line_top)


def test_square_crops_are_squares_in_full_width_rows():
    layout = justify(photos(50, 4), 1000, 180, square=True)
    for k, items in enumerate(lines(layout)):
        for i in items:
            assert abs(layout.w[i] - layout.line_height[k]) <= 1
    assert len({len(r) for r in lines(layout)[:-1]}) == 1  # the same number per full row


def test_groups_start_under_their_header_and_never_share_a_row():
    aspects = photos(30, 5)
    groups = [Group(0, 7, "June 2008"), Group(7, 30, "May 2008")]
    layout = justify(aspects, 900, 150, groups=groups)
    assert [(h.title, h.first) for h in layout.headers] == [("June 2008", 0), ("May 2008", 7)]
    assert layout.rect(0)[1] == HEADER_HEIGHT
    starts = list(layout.line_first)
    assert 7 in starts  # the second group starts a line of its own
    second = layout.headers[1]
    line_before = layout.line_of(6)
    assert second.top == layout.line_top[line_before] + layout.line_height[line_before] + GAP
    assert layout.rect(7)[1] == second.top + HEADER_HEIGHT
    assert layout.headers_between(second.top + 1, second.top + 2) == [second]


def test_hit_testing_and_visible_ranges_by_bisection():
    layout = justify(photos(2000, 6), 1200, 160)
    for i in (0, 1, 777, 1999):
        x, y, w, h = layout.rect(i)
        assert layout.item_at(x + w // 2, y + h // 2) == i
        assert layout.item_at(x + w + 1, y + 1) in (None, i + 1)  # a gap, or the next photo
    x, y, w, h = layout.rect(1000)
    visible = layout.items_between(y, y + 600)
    assert visible.start <= 1000 < visible.stop
    assert all(layout.rect(i)[1] < y + 600 for i in visible)
    assert layout.item_at(5, layout.height + 50) is None


def test_unknown_and_absurd_shapes_lay_out():
    layout = justify([None, 0.0, float("nan"), 1e9, 1e-9, 1.5], 800, 120)
    assert len(layout) == 6 and all(w >= 1 for w in layout.w)
    assert max(layout.w) <= 5 * max(layout.line_height) + 1  # a 1e9:1 strip is clamped


def test_nothing_to_lay_out():
    layout = justify([], 800, 120)
    assert len(layout) == 0 and layout.height == 0 and layout.item_at(1, 1) is None
    assert not layout.items_between(0, 1000)
