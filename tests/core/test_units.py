"""One size format on every screen (issue 20: the viewer used 1,024, the others 1,000)."""

from photoapp.core.units import human_size


def test_sizes_read_in_decimal_units():
    assert [human_size(n) for n in (0, 999, 1000, 340_499, 2_449_999, 1_234_567_890)] == [
        "0 bytes",
        "999 bytes",
        "1 KB",
        "340 KB",
        "2.4 MB",
        "1.23 GB",
    ]


def test_every_screen_uses_the_one_function():
    from photoapp.core.duplicates import keeper
    from photoapp.gui.views import duplicates_view, info_panel

    assert keeper.human_size is info_panel.human_size is duplicates_view.human_size is human_size
