"""The window's style sheet, built from the palette in use (light or dark): secondary text
uses the placeholder colour, which meets WCAG AA on the window and the gallery."""

from __future__ import annotations

from photoapp.gui.palette import BANNER, DARK, LIGHT, Role


def style_sheet(dark: bool = False) -> str:
    colours = DARK if dark else LIGHT
    hint = colours[Role.PlaceholderText]
    banner_text, banner_back = BANNER["dark" if dark else "light"]
    return f"""
QLabel#header {{ color: {hint}; padding: 4px 12px; }}
QLabel#sidebarTitle {{ font-weight: 600; padding: 2px 4px 6px 4px; }}
QFrame#banner {{ background: {banner_back}; border: 1px solid #e8c66a; border-radius: 6px; margin: 4px 10px; }}
QFrame#banner QLabel {{ color: {banner_text}; }}
QFrame#memories {{ background: palette(alternate-base); border: 1px solid palette(midlight); border-radius: 6px;
    margin: 4px 10px; }}
QFrame#viewerPanel {{ border-left: 1px solid palette(mid); }}
QLabel#caption {{ color: {hint}; font-size: 11px; text-transform: uppercase; margin-top: 8px; }}
QLabel#hint {{ color: {hint}; font-size: 11px; }}
QListWidget#folderList::item {{ padding: 4px 2px; }}
QLabel#scrubBubble {{ background: palette(highlight); color: palette(highlighted-text); padding: 4px 8px;
    border-radius: 4px; }}
QToolButton#chip {{ background: palette(highlight); color: palette(highlighted-text); border-radius: 10px;
    padding: 2px 10px; }}
QFrame#filtersPopup {{ background: palette(window); }}
"""


STYLE_SHEET = style_sheet(False)  # for widgets shown outside the main window
