"""The window's style sheet: a neutral dark gallery so photos, not chrome, stand out."""

GALLERY_BACKGROUND = "#1e1f22"

STYLE_SHEET = f"""
GalleryView {{ background: {GALLERY_BACKGROUND}; border: none; }}
QLabel#header {{ color: palette(mid); padding: 4px 12px; }}
QLabel#sidebarTitle {{ font-weight: 600; padding: 2px 4px 6px 4px; }}
QFrame#banner {{ background: #fff4d6; border: 1px solid #e8c66a; border-radius: 6px; margin: 4px 10px; }}
QFrame#banner QLabel {{ color: #5c4400; }}
QFrame#viewerPanel {{ border-left: 1px solid palette(mid); }}
QLabel#caption {{ color: palette(mid); font-size: 11px; text-transform: uppercase; margin-top: 8px; }}
QLabel#hint {{ color: palette(mid); font-size: 11px; }}
QListWidget#folderList::item {{ padding: 4px 2px; }}
QLabel#scrubBubble {{ background: palette(highlight); color: palette(highlighted-text); padding: 4px 8px;
    border-radius: 4px; }}
"""
