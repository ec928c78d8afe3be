"""Light and dark palettes whose every text colour meets WCAG AA (4.5:1) on the background
it is drawn on, and the choice between them that follows the system's setting.

``TEXT_PAIRS`` lists which text role sits on which background; tests/gui check each
pair's contrast in both palettes, so a colour changed here cannot make text unreadable.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

Role = QPalette.ColorRole

LIGHT = {
    Role.Window: "#f3f3f3",
    Role.WindowText: "#1d1d1f",
    Role.Base: "#ffffff",
    Role.AlternateBase: "#f0f0f2",
    Role.Text: "#1d1d1f",
    Role.PlaceholderText: "#5f6368",  # hints: 6.3:1 on white, not the 1.7:1 grey of before
    Role.Button: "#e9e9ec",
    Role.ButtonText: "#1d1d1f",
    Role.Highlight: "#1a5fb4",
    Role.HighlightedText: "#ffffff",
    Role.ToolTipBase: "#ffffe8",
    Role.ToolTipText: "#1d1d1f",
    Role.Link: "#1a5fb4",
    Role.LinkVisited: "#6b3fa0",
    Role.BrightText: "#ffffff",
    Role.Light: "#ffffff",
    Role.Midlight: "#e0e0e0",
    Role.Mid: "#b8b8b8",  # lines and frames only: never text
    Role.Dark: "#8a8a8a",
    Role.Shadow: "#4a4a4a",
}
DARK = {
    Role.Window: "#232427",
    Role.WindowText: "#e8e8ea",
    Role.Base: "#1b1c1f",
    Role.AlternateBase: "#26272b",
    Role.Text: "#e8e8ea",
    Role.PlaceholderText: "#a3a6ad",
    Role.Button: "#303136",
    Role.ButtonText: "#e8e8ea",
    Role.Highlight: "#3372c9",
    Role.HighlightedText: "#ffffff",
    Role.ToolTipBase: "#303136",
    Role.ToolTipText: "#e8e8ea",
    Role.Link: "#8ab4f8",
    Role.LinkVisited: "#c58af9",
    Role.BrightText: "#ffffff",
    Role.Light: "#45464c",
    Role.Midlight: "#3a3b40",
    Role.Mid: "#55575d",
    Role.Dark: "#151518",
    Role.Shadow: "#000000",
}
# (text role, the background it is drawn on)
TEXT_PAIRS = (
    (Role.WindowText, Role.Window),
    (Role.Text, Role.Base),
    (Role.Text, Role.AlternateBase),
    (Role.Text, Role.Window),
    (Role.PlaceholderText, Role.Base),
    (Role.PlaceholderText, Role.Window),
    (Role.ButtonText, Role.Button),
    (Role.HighlightedText, Role.Highlight),
    (Role.ToolTipText, Role.ToolTipBase),
    (Role.Link, Role.Base),
    (Role.Link, Role.Window),
)
# Colours the style sheet uses as text on a background of its own (the banner).
BANNER = {"light": ("#5c4400", "#fff4d6"), "dark": ("#ffe2a0", "#3b3320")}


def palette(dark: bool) -> QPalette:
    result = QPalette()
    for role, colour in (DARK if dark else LIGHT).items():
        result.setColor(QPalette.ColorGroup.All, role, QColor(colour))
    disabled = QColor(DARK[Role.PlaceholderText] if dark else "#616166")  # still legible
    for role in (Role.WindowText, Role.Text, Role.ButtonText):
        result.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return result


def system_is_dark(app) -> bool:
    """The desktop's light/dark setting (Qt 6.5+); light where it is not known."""
    from PySide6.QtCore import Qt

    try:
        return app.styleHints().colorScheme() == Qt.ColorScheme.Dark
    except AttributeError:
        return False


def follow_system(app) -> None:
    """Use the palette that matches the system's setting, now and whenever it changes
    (once per application: later calls do nothing)."""
    if app.property("photoapp_dark") is not None:
        return

    def apply(*_args) -> None:
        dark = system_is_dark(app)
        app.setPalette(palette(dark))
        app.setProperty("photoapp_dark", dark)  # the main window rebuilds its style sheet on the change

    apply()
    try:
        app.styleHints().colorSchemeChanged.connect(apply)
    except AttributeError:
        pass


def luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: QColor | str, b: QColor | str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((luminance(QColor(a)), luminance(QColor(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def is_dark(app) -> bool:
    return bool(app.property("photoapp_dark"))
