"""What several command modules share besides printing: the CLI's own user error, opening
the library the global options name, and whether the window can open.

Light at import (no engine, no torch): ``photoapp --help`` loads this module.
"""

from __future__ import annotations

from contextlib import contextmanager

from photoapp.cli.output import warn
from photoapp.core.errors import PhotoappError


class CliError(PhotoappError):
    """A mistake the CLI itself finds (an argument argparse cannot check, such as a missing
    NAME or -k 0) or reports (a watch that stopped): printed as one line, exit status 1."""


def need(value, what: str):
    """``value``, or a CliError naming the missing argument."""
    if not value:
        raise CliError(f"missing {what}")
    return value


SETTLED = {
    "kept": "a resolve was interrupted before {path} moved: it stays where it is, in the catalog",
    "trashed": "a resolve was interrupted after {path} moved to the trash: recorded ('photoapp dupes undo' "
    "brings it back)",
    "lost": "a resolve was interrupted after {path} left its folder, and it is not in the trash: recorded as "
    "trashed, place unknown",
}


@contextmanager
def open_library(args):
    """The library of the global options --library, --model and --device. What opening it
    settled of an interrupted resolve is said on stderr at once; what it warned about (a
    damaged index rebuilt, sidecars not written) at the end."""
    from photoapp.core.library import Library

    with Library(args.library, model=args.model, device=args.device) as lib:
        for problem in lib.settings_problems:
            warn(problem)
        for item in lib.trash_settled:
            warn(SETTLED[item["outcome"]].format(path=item["path"]))
        try:
            yield lib
        finally:
            for warning in lib.warnings:
                warn(warning)


def gui_available() -> bool:
    """The window opens only with PySide6 installed and a display to show it on."""
    import importlib.util

    if importlib.util.find_spec("PySide6") is None:  # a headless install still has the whole CLI
        return False
    from photoapp.gui.app import display_available

    return display_available()
