"""photoapp watch: keep the index in step with the folders until Ctrl+C (headless)."""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
import threading

from photoapp.cli.common import CliError, open_library
from photoapp.cli.output import EXIT_ERROR, note, storage_message
from photoapp.core.errors import PhotoappError


def add_parsers(sub) -> None:
    p = sub.add_parser("watch", help="keep the index in step with the folders until Ctrl+C (headless)")
    p.add_argument("folders", nargs="*", metavar="DIR", help="folders to add first (default: all registered folders)")
    p.add_argument("--polling", action="store_true", help="poll instead of native events (network or slow mounts)")
    p.add_argument("--poll-interval", type=float, metavar="S", help="seconds between polls (default 5)")
    p.add_argument("--settle", type=float, metavar="S", help="a file is read once unchanged this long (default 1)")


def cmd_watch(args) -> int:
    from photoapp.core.watching.watcher import FolderWatcher, WatchOptions

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with open_library(args) as lib:
        if args.folders:
            lib.add_folders(args.folders)
        if not lib.folders():
            raise CliError("no folders to watch: give one or more folders, e.g. photoapp watch ~/Pictures")
        options = WatchOptions.from_settings(lib.settings)
        options.polling = options.polling or args.polling
        options.poll_interval = args.poll_interval or options.poll_interval
        options.settle = options.settle if args.settle is None else args.settle
        watcher = FolderWatcher(lib, options, on_batch=_print_batch, on_status=_status_printer())
        watcher.start()
        while not stop.is_set() and watcher.running:
            stop.wait(0.5)
        stopped = watcher.stop(timeout=4.0)  # the index is saved before it returns
    _raise_stop_reason(watcher.error)
    # All is saved and closed. Skip the interpreter's teardown of torch and its thread
    # pools: it takes seconds (and has aborted), and a stop must end within 5 s.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if stopped else EXIT_ERROR)


def _raise_stop_reason(error: BaseException | None) -> None:
    """Why the watcher stopped, in one line when it is the user's to fix (an engine error,
    a full disk); anything else the watcher caught is a bug, raised as itself."""
    if isinstance(error, PhotoappError):
        raise CliError(f"watching stopped: {error}") from error
    if isinstance(error, (OSError, sqlite3.Error)):
        raise CliError(f"watching stopped: {storage_message(error)}") from error
    if error is not None:
        raise error


def _print_batch(report, paths) -> None:
    d = report.as_dict()
    note(
        f"{len(paths)} changed paths: {d['embedded']} embedded, {d['moved']} moved, "
        f"{d['removed']} removed, {d['failed']} failed"
    )


def _status_printer():
    """Print a line when the state or message changes, not for every batch."""
    last = {}

    def show(status) -> None:
        key = (status.state if status.state != "indexing" else "watching", status.message)
        if key == last.get("key"):
            return
        last["key"] = key
        line = status.message or (
            f"{status.state} {len(status.folders)} folder(s) ({status.mode}): "
            f"{status.photos} photos, {status.indexed} indexed"
        )
        note(line)

    return show


COMMANDS = {"watch": cmd_watch}
