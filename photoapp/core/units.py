"""How sizes read on every screen: one function, one unit system."""

from __future__ import annotations


def human_size(n: int | float) -> str:
    """Bytes in decimal units (1 KB = 1,000 bytes), as the file managers of Linux and macOS
    show them: "512 bytes", "340 KB", "2.4 MB", "1.23 GB". The CLI, the duplicates view,
    the viewer and the keeper's reasons all use this, so one file reads the same everywhere."""
    if n < 1000:
        return f"{int(n):,} bytes"
    if n < 1e6:
        return f"{n / 1e3:.0f} KB"
    if n < 1e9:
        return f"{n / 1e6:.1f} MB"
    return f"{n / 1e9:.2f} GB"
