"""The ``photoapp`` command: the global options, the subcommands of every command module,
and the one place that turns what a command raised into a message and an exit status.

Errors: a ``PhotoappError`` (every engine error, and the CLI's own ``CliError``) is the
user's to fix and prints as one line, exit status 1; a failed read or write of the library
(``OSError``, ``sqlite3.Error``) prints what to do about it, also 1; anything else is a bug
and prints its traceback and says so, exit status 70.
Heavy modules (torch, transformers, hnswlib, Qt) load only when a command needs them.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys

from photoapp import __version__
from photoapp.cli import actions, dupes, index, library, people, places, search, settings, tags, watch
from photoapp.cli.common import gui_available
from photoapp.cli.output import EXIT_ERROR, EXIT_INTERNAL, EXIT_INTERRUPTED, error, internal_error, storage_message
from photoapp.core.errors import PhotoappError

# One module per capability, in the order `photoapp --help` lists their commands.
COMMAND_MODULES = (index, search, library, places, people, watch, tags, actions, dupes, settings)
COMMANDS = {name: run for module in COMMAND_MODULES for name, run in module.COMMANDS.items()}


EXIT_HELP = """\
Every command takes --json (JSON on stdout; progress and messages go to stderr).

exit status:
  0    done
  1    a problem that is yours to fix, said in one line: photoapp: error: ... (check: problems remain)
  2    a malformed command line
  70   a bug in Photoapp (its traceback is printed)
  130  interrupted by Ctrl+C; 143 stopped by SIGTERM (index saves what it embedded first)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="photoapp",
        description="Organise and search your photos with on-device AI. Without a command: the window; "
        "`photoapp PHOTO...` opens it on those photos (in the library or not), as a file manager's “Open with” does.",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"photoapp {__version__}")
    parser.add_argument(
        "--library", metavar="DIR", help="library folder (default: your user data dir; env PHOTOAPP_LIBRARY)"
    )
    parser.add_argument(
        "--model", metavar="ID|PATH|toy", help="CLIP-family model: Hugging Face id, local folder, or 'toy'"
    )
    parser.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], help="where the model runs (default auto)")
    parser.add_argument(
        "--quit-after",
        type=float,
        metavar="S",
        help="close the window after S seconds (checks that the GUI starts, e.g. in an installer)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Print non-UTF-8 file names as their original bytes, as ls does, instead of failing.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="surrogateescape")
    parser = build_parser()
    photos = _photo_arguments(argv if argv is not None else sys.argv[1:])
    if photos is not None:
        return _open_photos(photos)
    args = parser.parse_args(argv)
    if args.command is None:
        return _no_command(parser, args)
    try:
        return COMMANDS[args.command](args)
    except PhotoappError as exc:
        error(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("photoapp: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except (OSError, sqlite3.Error) as exc:  # disk full, read-only library, a lock held too long
        error(storage_message(exc))
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - a bug: shown as one, never as the user's mistake
        internal_error(exc)
        return EXIT_INTERNAL


def _photo_arguments(argv: list[str]):
    """``photoapp [options] PHOTO...`` (a file manager's "Open with"): (global options, the
    files) when the first argument that is not an option is an existing file, not a command."""
    import os

    opener = argparse.ArgumentParser(add_help=False)
    for flag in ("--library", "--model", "--device", "--quit-after"):
        opener.add_argument(flag)
    opener.add_argument("photos", nargs="*")
    try:
        known, rest = opener.parse_known_args(argv)
    except SystemExit:
        return None
    if rest or not known.photos or known.photos[0] in COMMANDS or not os.path.isfile(known.photos[0]):
        return None
    return known


def _open_photos(known) -> int:
    if not gui_available():
        error("opening photos needs the window, but there is no display (set DISPLAY)")
        return EXIT_ERROR
    from photoapp.gui.app import run

    quit_after = float(known.quit_after) if known.quit_after is not None else None
    return run(known.library, model=known.model, device=known.device, quit_after=quit_after, photos=known.photos)


def _no_command(parser: argparse.ArgumentParser, args) -> int:
    """No command: the window, or the help text where there is no display."""
    if gui_available():
        from photoapp.gui.app import run

        return run(args.library, model=args.model, device=args.device, quit_after=args.quit_after)
    if args.quit_after is not None:  # asked for the window: a help text would hide the failure
        error("--quit-after needs the window, but there is no display (set DISPLAY, or QT_QPA_PLATFORM=offscreen)")
        return EXIT_ERROR
    parser.print_help()
    return 0
