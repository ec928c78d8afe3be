"""Command-line interface: every capability, JSON on stdout with --json.

Progress goes to stderr; errors are one line on stderr and a non-zero exit status.
Heavy modules (torch, transformers, hnswlib) load only when a command needs them.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import signal
import sqlite3
import sys
import threading
from pathlib import Path

from photoapp import __version__

EXIT_ERROR = 1
EXIT_USAGE = 2

SEARCH_HELP = """\
Find the photos that match a query. The list ends where the relevant photos end: an
adaptive cut-off reads this query's scores over the whole library (see the README,
"How search decides where results end"); -k N caps the list, --all ranks everything.

query forms:
  words                     photoapp search "beach sunset with dog"
  an image file             photoapp search ~/Pictures/cat.jpg
  words and images, signed  photoapp search "beach +dog -people"  (like a beach and a dog,
                            unlike people); photoapp search "~/Pictures/cat.jpg +snow"
  Terms starting with + or - after a space are added or subtracted; a term naming an
  existing image file is that image.

examples:
  photoapp search "red circle"
  photoapp search "beach" --sort date            # just the beach photos, newest first
  photoapp search "beach sunset" -k 50 --after 2023-06 --before 2023-09
  photoapp search "dog" --folder ~/Pictures/2024 --json
  photoapp search "birthday cake" --type video   # only videos (also: photo, raw)
"""


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON on stdout")


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("-k", type=int, metavar="N", help="at most N results (default: every relevant photo)")
    p.add_argument("--all", action="store_true",
                   help="no relevance cut-off: rank the whole library (the top 20, or -k N)")
    p.add_argument("--sort", choices=["relevance", "date", "name"], default="relevance",
                   help="order of the results: best first (default), newest first, or file name")
    p.add_argument("--folder", metavar="DIR", help="only photos under this folder")
    p.add_argument("--after", metavar="DATE", help="only photos taken on or after DATE (YYYY[-MM[-DD]])")
    p.add_argument("--before", metavar="DATE", help="only photos taken before DATE (YYYY[-MM[-DD]])")
    p.add_argument("--type", choices=["photo", "video", "raw"], dest="kind",
                   help="only photos (JPEG, PNG, HEIC...), videos, or camera RAW files (alone or with their JPEG)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="photoapp", description="Organise and search your photos with on-device AI.")
    parser.add_argument("--version", action="version", version=f"photoapp {__version__}")
    parser.add_argument("--library", metavar="DIR", help="library folder (default: your user data dir; env PHOTOAPP_LIBRARY)")
    parser.add_argument("--model", metavar="ID|PATH|toy", help="CLIP-family model: Hugging Face id, local folder, or 'toy'")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], help="where the model runs (default auto)")
    parser.add_argument("--quit-after", type=float, metavar="S",
                        help="close the window after S seconds (checks that the GUI starts, e.g. in an installer)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("index", help="add folders to the library and index new or changed photos")
    p.add_argument("folders", nargs="*", metavar="DIR", help="folders to add (default: all registered folders)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _add_common(p)

    p = sub.add_parser("search", help="search photos by text, image, or both", description=SEARCH_HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("query", help="what to look for: words, an image path, or \"words +more -less\"")
    _add_filters(p)
    _add_common(p)

    p = sub.add_parser("similar", help="photos that look like a given photo",
                       description="Photos that look like PATH: without -k, the ones that stand out as "
                                   "look-alikes (the search's relevance cut-off); with -k N, the N most similar.")
    p.add_argument("photo", metavar="PATH", help="a photo in the library, or any image file")
    _add_filters(p)
    _add_common(p)

    p = sub.add_parser("show", help="what the library knows about one photo")
    p.add_argument("photo", metavar="PATH")
    _add_common(p)

    p = sub.add_parser("status", help="library summary: photos, model, folders, problems")
    _add_common(p)

    p = sub.add_parser("check", help="verify the catalog and the vector index, repairing what can be repaired")
    p.add_argument("--no-repair", action="store_true", help="only report")
    _add_common(p)

    p = sub.add_parser("folders", help="list, add or remove library folders")
    p.add_argument("action", choices=["list", "add", "remove"], nargs="?", default="list")
    p.add_argument("paths", nargs="*", metavar="DIR")
    _add_common(p)

    p = sub.add_parser("demo", help="generate a toy photo folder, index it with the tiny model and search it")
    p.add_argument("folder", nargs="?", metavar="DIR", help="where to write the demo photos")
    p.add_argument("--per-class", type=int, default=5, help="images per colour/shape/background class")
    p.add_argument("--no-gui", action="store_true", help="print example searches instead of opening the window")
    _add_common(p)

    p = sub.add_parser("watch", help="keep the index in step with the folders until Ctrl+C (headless)")
    p.add_argument("folders", nargs="*", metavar="DIR", help="folders to add first (default: all registered folders)")
    p.add_argument("--polling", action="store_true", help="poll instead of native events (network or slow mounts)")
    p.add_argument("--poll-interval", type=float, metavar="S", help="seconds between polls (default 5)")
    p.add_argument("--settle", type=float, metavar="S", help="a file is read once unchanged this long (default 1)")

    from photoapp import cli_tags  # labels, tags, tag, album, smart-album

    cli_tags.add_parsers(sub, _add_common)
    from photoapp import cli_dupes  # dupes: list, resolve, undo, history, dismiss

    cli_dupes.add_parsers(sub, _add_common)
    return parser


# -- output helpers ---------------------------------------------------------------------
def _emit(args, data, human) -> None:
    if args.json:
        indent = None if isinstance(data, list) else 2
        text = json.dumps(data, indent=indent, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a non-UTF-8 file name: \udcXX escapes keep the JSON valid
            text = json.dumps(data, indent=indent)
        sys.stdout.write(text + "\n")
    else:
        human(data)


def _print_hits(hits) -> None:
    if not hits:
        print("no matching photos")
    for hit in hits:
        kind = "" if hit.get("kind", "photo") == "photo" else f"  [{hit['kind']}]"
        print(f"{hit['score']:.3f}  {(hit.get('taken') or '')[:10]:10}  {hit['path']}{kind}")


def _print_results(hits, results) -> None:
    _print_hits(hits)
    if results.cutoff is not None and hits:
        more = "+" if results.truncated else ""
        shown = f", showing {len(hits)}" if len(hits) < results.total else ""
        print(f"{results.total}{more} relevant photo{'s' if results.total != 1 else ''}{shown}")


def _progress_bar(args):
    """A tqdm bar on stderr for interactive use; silent when stderr is not a terminal."""
    if getattr(args, "quiet", False) or not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=0, unit="photo", file=sys.stderr, dynamic_ncols=True)

    def progress(phase: str, done: int, total: int) -> None:
        bar.set_description({"scan": "scanning", "prepare": "preparing the model for this CPU (once)"}.get(
            phase, "embedding"))
        bar.total = total or None
        bar.n = done
        bar.refresh()

    return bar, progress


# -- commands ---------------------------------------------------------------------------
def _open_library(args):
    from photoapp.core.library import Library

    return Library(args.library, model=args.model, device=args.device)


def _filters(args):
    from photoapp.core.search.ranking import Filters, parse_date

    if args.k is not None and args.k < 1:
        raise ValueError("-k must be at least 1")
    folder = os.path.abspath(os.path.expanduser(args.folder)) if args.folder else None
    after = parse_date(args.after) if args.after else None
    before = parse_date(args.before, end_of_day=True) if args.before else None
    return Filters(folder, after, before, args.kind)


def cmd_index(args) -> int:
    cancel = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: cancel.set())
    signal.signal(signal.SIGTERM, lambda *_: cancel.set())
    from photoapp.core.errors import Cancelled

    with _open_library(args) as lib:
        if not args.folders and not lib.folders():
            raise ValueError("no folders to index: give one or more folders, e.g. photoapp index ~/Pictures")
        bar, progress = _progress_bar(args)
        try:
            report = lib.index_folders(args.folders or None, progress=progress, cancel=cancel)
        except Cancelled:
            print("photoapp: indexing interrupted; what was embedded is saved, run again to continue",
                  file=sys.stderr)
            return 130
        finally:
            if bar is not None:
                bar.close()
        for warning in lib.warnings:
            print(f"photoapp: warning: {warning}", file=sys.stderr)
        data = report.as_dict()
        _emit(args, data, lambda d: print(
            f"{d['scanned']} photos found: {d['embedded']} embedded, {d['skipped']} unchanged, "
            f"{d['failed']} failed, {d['moved']} moved, {d['removed']} removed in {d['seconds']:.1f}s"
            + (f"; offline folders: {', '.join(d['offline_folders'])}" if d["offline_folders"] else "")))
    return 0


def cmd_search(args) -> int:
    filters = _filters(args)
    with _open_library(args) as lib:
        results = lib.search(args.query, args.k, filters, args.sort, cutoff=not args.all)
    _emit(args, [h.as_dict() for h in results], lambda hits: _print_results(hits, results))
    return 0


def cmd_similar(args) -> int:
    filters = _filters(args)
    with _open_library(args) as lib:
        # "The N most similar" is what -k asks of find-similar; without it, the look-alikes.
        results = lib.similar(args.photo, args.k, filters, args.sort, cutoff=not args.all and args.k is None)
    _emit(args, [h.as_dict() for h in results], lambda hits: _print_results(hits, results))
    return 0


def cmd_show(args) -> int:
    with _open_library(args) as lib:
        info = lib.photo(args.photo)
    _emit(args, info, lambda d: [print(f"{k:>16}: {v}") for k, v in d.items()])
    return 0


def cmd_status(args) -> int:
    with _open_library(args) as lib:
        data = lib.status()

    def human(d):
        print(f"library: {d['library']}\nmodel:   {d['model']}\nphotos:  {d['photos']} ({d['indexed']} indexed)")
        for folder in d["folders"]:
            print(f"folder:  {folder}")
        for prob in d["problems"]:
            print(f"problem: {prob['path']}: {prob['error']}")
        for note in d.get("notes", ()):
            print(f"note:    {note}")

    _emit(args, data, human)
    return 0


def cmd_check(args) -> int:
    with _open_library(args) as lib:
        data = lib.check(repair=not args.no_repair)
    _emit(args, data, lambda d: print(json.dumps(d, indent=2)))
    return 0 if data["ok"] else EXIT_ERROR


def cmd_folders(args) -> int:
    with _open_library(args) as lib:
        if args.action == "add":
            lib.add_folders(args.paths)
        elif args.action == "remove":
            for path in args.paths:
                lib.remove_folder(path)
        folders = lib.folders()
    _emit(args, folders, lambda d: [print(f) for f in d])
    return 0


def _gui_available() -> bool:
    """The window opens only with PySide6 installed and a display to show it on."""
    import importlib.util

    if importlib.util.find_spec("PySide6") is None:  # a headless install still has the whole CLI
        return False
    from photoapp.gui.app import display_available

    return display_available()


def cmd_demo(args) -> int:
    from photoapp.config import TOY_MODEL, library_dir
    from photoapp.core.library import Library
    from photoapp.toy.domain import generate_library

    base = Path(args.library) if args.library else library_dir().parent / "demo-library"
    folder = Path(args.folder).expanduser().resolve() if args.folder else base.parent / "demo-photos"
    if not folder.exists() or not any(folder.iterdir()):
        print(f"photoapp: writing demo photos to {folder}", file=sys.stderr)
        generate_library(folder, per_class=args.per_class, seed=7)
    if not args.no_gui and not args.json and _gui_available():
        with Library(base, model=TOY_MODEL, device=args.device) as lib:
            lib.add_folders([str(folder)])  # the window indexes it, showing progress
        from photoapp.gui.app import run

        return run(base, model=TOY_MODEL, device=args.device, quit_after=args.quit_after)
    with Library(base, model=TOY_MODEL, device=args.device) as lib:
        report = lib.index_folders([str(folder)])
        queries = ["red circle", "blue square", "yellow triangle", "green"]
        results = {q: [h.as_dict() for h in lib.search(q, k=5)] for q in queries}
    data = {"library": str(base), "folder": str(folder), "index": report.as_dict(), "searches": results}

    def human(d):
        print(f"Indexed {d['index']['scanned']} demo photos in {d['folder']} ({d['index']['embedded']} embedded).")
        for q, hits in d["searches"].items():
            print(f"\nsearch {q!r}:")
            _print_hits(hits)
        print(f"\nTry: photoapp --library {d['library']} search \"purple square\"")

    _emit(args, data, human)
    return 0


def cmd_watch(args) -> int:
    from photoapp.core.watching.watcher import FolderWatcher, WatchOptions

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with _open_library(args) as lib:
        if args.folders:
            lib.add_folders(args.folders)
        if not lib.folders():
            raise ValueError("no folders to watch: give one or more folders, e.g. photoapp watch ~/Pictures")
        options = WatchOptions.from_settings(lib.settings)
        options.polling = options.polling or args.polling
        options.poll_interval = args.poll_interval or options.poll_interval
        options.settle = options.settle if args.settle is None else args.settle
        watcher = FolderWatcher(lib, options, on_batch=_print_watch_batch, on_status=_watch_status_printer())
        watcher.start()
        while not stop.is_set() and watcher.running:
            stop.wait(0.5)
        stopped = watcher.stop(timeout=4.0)  # the index is saved before it returns
    if watcher.error is not None:
        raise ValueError(f"watching stopped: {watcher.error}")
    # All is saved and closed. Skip the interpreter's teardown of torch and its thread
    # pools: it takes seconds (and has aborted), and a stop must end within 5 s.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if stopped else EXIT_ERROR)


def _print_watch_batch(report, paths) -> None:
    d = report.as_dict()
    print(f"photoapp: {len(paths)} changed paths: {d['embedded']} embedded, {d['moved']} moved, "
          f"{d['removed']} removed, {d['failed']} failed", file=sys.stderr, flush=True)


def _watch_status_printer():
    """Print a line when the state or message changes, not for every batch."""
    last = {}

    def show(status) -> None:
        key = (status.state if status.state != "indexing" else "watching", status.message)
        if key == last.get("key"):
            return
        last["key"] = key
        line = status.message or (f"{status.state} {len(status.folders)} folder(s) ({status.mode}): "
                                  f"{status.photos} photos, {status.indexed} indexed")
        print(f"photoapp: {line}", file=sys.stderr, flush=True)

    return show


COMMANDS = {"index": cmd_index, "search": cmd_search, "similar": cmd_similar, "show": cmd_show,
            "status": cmd_status, "check": cmd_check, "folders": cmd_folders, "demo": cmd_demo}
COMMANDS["watch"] = cmd_watch

from photoapp.cli_tags import COMMANDS as _TAG_COMMANDS  # noqa: E402 (after the helpers it imports)

COMMANDS.update(_TAG_COMMANDS)
from photoapp.cli_dupes import COMMANDS as _DUPES_COMMANDS  # noqa: E402

COMMANDS.update(_DUPES_COMMANDS)


def main(argv: list[str] | None = None) -> int:
    # Print non-UTF-8 file names as their original bytes, as ls does, instead of failing.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="surrogateescape")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if _gui_available():
            from photoapp.gui.app import run

            return run(args.library, model=args.model, device=args.device, quit_after=args.quit_after)
        if args.quit_after is not None:  # asked for the window: a help text would hide the failure
            print("photoapp: error: --quit-after needs the window, but there is no display "
                  "(set DISPLAY, or QT_QPA_PLATFORM=offscreen)", file=sys.stderr)
            return EXIT_ERROR
        parser.print_help()
        return 0
    from photoapp.core.store.catalog import CatalogError
    from photoapp.core.embedding.models import ModelUnavailable
    from photoapp.core.library import LibraryError

    try:
        return COMMANDS[args.command](args)
    except (LibraryError, ModelUnavailable, CatalogError, ValueError) as exc:
        print(f"photoapp: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("photoapp: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except (OSError, sqlite3.Error) as exc:  # disk full, read-only library, a lock held too long
        print(f"photoapp: error: {_storage_message(exc)}", file=sys.stderr)
        return EXIT_ERROR


_STORAGE_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT}
_STORAGE_HINT = ("free some disk space or check the library folder's permissions, then run again; "
                 "what was saved before is intact")


def _storage_message(exc: Exception) -> str:
    """A failed read or write of the library, in words; SQLite and atomic writes leave the
    previous state in place, so the message can say so."""
    if isinstance(exc, sqlite3.Error):
        text = str(exc)
        if "locked" in text or "busy" in text:
            return "the library is busy: another Photoapp process held it too long; try again in a moment"
        return f"cannot write to the library ({text}); {_STORAGE_HINT}"
    where = f": {exc.filename}" if exc.filename else ""
    if exc.errno in _STORAGE_ERRNOS:
        return f"cannot write to the library ({exc.strerror}{where}); {_STORAGE_HINT}"
    return f"{exc.strerror or exc}{where}"


if __name__ == "__main__":
    sys.exit(main())
