"""What several command modules share besides printing: the CLI's own user error, opening
the library the global options name, and whether the window can open.

Light at import (no engine, no torch): ``photoapp --help`` loads this module.
"""

from __future__ import annotations

from photoapp.core.errors import PhotoappError


class CliError(PhotoappError):
    """A mistake the CLI itself finds (an argument argparse cannot check, such as a missing
    NAME or -k 0) or reports (a watch that stopped): printed as one line, exit status 1."""


def need(value, what: str):
    """``value``, or a CliError naming the missing argument."""
    if not value:
        raise CliError(f"missing {what}")
    return value


def open_library(args):
    """The library of the global options --library, --model and --device."""
    from photoapp.cli.output import warn
    from photoapp.core.library import Library

    lib = Library(args.library, model=args.model, device=args.device)
    for problem in lib.settings_problems:
        warn(problem)
    return lib


def gui_available() -> bool:
    """The window opens only with PySide6 installed and a display to show it on."""
    import importlib.util

    if importlib.util.find_spec("PySide6") is None:  # a headless install still has the whole CLI
        return False
    from photoapp.gui.app import display_available

    return display_available()
