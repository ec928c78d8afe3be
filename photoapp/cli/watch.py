"""photoapp watch: keep the index in step with the folders until Ctrl+C (headless).

Without --json each event is a line on stderr; with --json it is one JSON object per line on
stdout (``{"event": "status", ...}`` when the state changes, ``{"event": "batch", ...}`` per
indexed batch), flushed at once so another program can follow it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import sys
import threading
from dataclasses import asdict

from photoapp.cli.common import CliError, open_library
from photoapp.cli.output import EXIT_ERROR, add_json_flag, note, storage_message
from photoapp.core.errors import PhotoappError


def add_parsers(sub) -> None:
    p = sub.add_parser("watch", help="keep the index in step with the folders until Ctrl+C (headless)")
    p.add_argument("folders", nargs="*", metavar="DIR", help="folders to add first (default: all registered folders)")
    p.add_argument("--polling", action="store_true", help="poll instead of native events (network or slow mounts)")
    p.add_argument("--poll-interval", type=float, metavar="S", help="seconds between polls (default 5)")
    p.add_argument("--settle", type=float, metavar="S", help="a file is read once unchanged this long (default 1)")
    add_json_flag(p, "one JSON object per event on stdout (status changes and indexed batches)")


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
        if args.json:
            watcher = FolderWatcher(lib, options, on_batch=_json_batch, on_status=_status_printer(_json_status))
        else:
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


def _json_line(data: dict) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _json_batch(report, paths) -> None:
    _json_line({"event": "batch", "paths": list(paths), **report.as_dict()})


def _json_status(status) -> None:
    _json_line({"event": "status", **asdict(status)})


def _print_status(status) -> None:
    note(
        status.message
        or f"{status.state} {len(status.folders)} folder(s) ({status.mode}): "
        f"{status.photos} photos, {status.indexed} indexed"
    )


def _status_printer(show=_print_status):
    """Pass a status on when the state or message changes, not for every batch."""
    last = {}

    def changed(status) -> None:
        key = (status.state if status.state != "indexing" else "watching", status.message)
        if key == last.get("key"):
            return
        last["key"] = key
        show(status)

    return changed


COMMANDS = {"watch": cmd_watch}
