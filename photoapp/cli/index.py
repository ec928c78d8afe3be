"""photoapp index: add folders to the library and index new or changed photos."""

from __future__ import annotations

import os
import signal
import sys
import threading

from photoapp.cli.common import CliError, open_library
from photoapp.cli.output import add_json_flag, emit, note, progress_bar


def add_parsers(sub) -> None:
    p = sub.add_parser("index", help="add folders to the library and index new or changed photos")
    p.add_argument("folders", nargs="*", metavar="DIR", help="folders to add (default: all registered folders)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    add_json_flag(p)


def cmd_index(args) -> int:
    cancel = threading.Event()
    received: list[int] = []

    def stop(signum, _frame) -> None:
        # The run ends at the next batch boundary (the batch being embedded is saved);
        # a second signal ends the process at once (the catalog is crash-safe).
        received.append(signum)
        cancel.set()
        signal.signal(signum, signal.SIG_DFL)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    from photoapp.core.errors import Cancelled

    with open_library(args) as lib:
        if not args.folders and not lib.folders():
            raise CliError("no folders to index: give one or more folders, e.g. photoapp index ~/Pictures")
        bar, progress = progress_bar(args)
        try:
            report = lib.index_folders(args.folders or None, progress=progress, cancel=cancel)
        except Cancelled:
            signum = received[0] if received else signal.SIGINT
            note(
                f"indexing stopped by {signal.Signals(signum).name}; what was embedded is saved, run again to continue"
            )
            status = 128 + signum  # as a shell reports it: 130 for Ctrl+C, 143 for SIGTERM
        else:
            status = 0
        finally:
            if bar is not None:
                bar.close()
        if not status:
            data = report.as_dict()
            emit(
                args,
                data,
                lambda d: print(
                    f"{d['scanned']} photos found: {d['embedded']} embedded, {d['skipped']} unchanged, "
                    f"{d['failed']} failed, {d['moved']} moved, {d['removed']} removed in {d['seconds']:.1f}s"
                    + (f"; offline folders: {', '.join(d['offline_folders'])}" if d["offline_folders"] else "")
                ),
            )
    return _leave(status)  # after the library is closed and its warnings said


def _leave(status: int) -> int:
    """``status``, or the process ends now: a file the run gave up on (a read stuck on a
    stalled drive, a native decoder that does not return) may still hold a worker thread,
    and Python would wait for it at exit, for ever. Everything is saved by this point."""
    if any(t.is_alive() and t.name.startswith(("decode_", "hash_")) for t in threading.enumerate()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status


COMMANDS = {"index": cmd_index}
