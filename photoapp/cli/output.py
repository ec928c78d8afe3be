"""What the CLI prints, in one place: JSON or human text on stdout, progress bars and
one-line messages on stderr, and the exit statuses.

Every command module prints through here, so ``--json`` means the same everywhere and an
error looks the same whichever command failed.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import sys

EXIT_OK = 0
EXIT_ERROR = 1  # a user error (PhotoappError) or a failed check: the message says what to do
EXIT_USAGE = 2  # argparse's status for a malformed command line
EXIT_INTERNAL = 70  # a bug (sysexits' EX_SOFTWARE): never the same status as a user error
EXIT_INTERRUPTED = 130  # Ctrl+C, as a shell reports SIGINT


def add_json_flag(parser, help: str = "print JSON on stdout") -> None:  # noqa: A002 - argparse's own name
    parser.add_argument("--json", action="store_true", help=help)


def emit(args, data, human) -> None:
    """``data`` as JSON on stdout with --json (one line for a list, indented otherwise),
    else ``human(data)`` prints it for a person."""
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


def print_hits(hits, empty: str = "no matching photos") -> None:
    """Search hits (dicts), one line each: score, date taken, path and the kind if not a
    photo (a RAW+JPEG pair names its RAW file too); ``empty`` when there are none."""
    if not hits:
        print(empty)
    for hit in hits:
        kind = "" if hit.get("kind", "photo") == "photo" else f"  [{hit['kind']}]"
        raw = f" (+ {os.path.basename(hit['raw'])})" if hit.get("raw") else ""
        print(f"{hit['score']:.3f}  {(hit.get('taken') or '')[:10]:10}  {hit['path']}{raw}{kind}")


def empty_reason(results, filtered: bool = False) -> str:
    """Why a search listed nothing, and what to do about it (``results.cutoff.method`` is the
    relevance decision's verdict, photoapp/core/search/relevance.py)."""
    method = results.cutoff.method if results.cutoff is not None else None
    within = " within the filters (--folder, --after, --before, --type, --place)" if filtered else ""
    if method == "none" or (method is None and not filtered):
        return "no matching photos: the library has no indexed photos yet (photoapp index DIR adds a folder)"
    if method is None:
        return f"no photos{within}"
    if method == "flat":
        why = (
            "this query scores about the same on every photo, so none stands out (it fits everything, "
            'like "a photo", or nothing these photos show)'
        )
    else:
        why = f"no photo{within} scores clearly above what ordinary photo captions score on this library"
        within = ""
    return f"no matching photos{within}: {why}; add --all to list the closest photos anyway"


def print_results(hits, results, filtered: bool = False) -> None:
    """The hits, then how many photos were relevant when the cut-off decided the length, or
    why there are none."""
    print_hits(hits, empty=empty_reason(results, filtered))
    if results.cutoff is not None and hits:
        more = "+" if results.truncated else ""
        shown = f", showing {len(hits)}" if len(hits) < results.total else ""
        print(f"{results.total}{more} relevant photo{'s' if results.total != 1 else ''}{shown}")


PHASES = {"scan": "scanning", "prepare": "preparing the model for this CPU (once)", "faces": "looking for faces"}


def progress_bar(args):
    """A tqdm bar on stderr for interactive use and its progress callback; (None, None)
    with --quiet or when stderr is not a terminal."""
    if getattr(args, "quiet", False) or not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=0, unit="photo", file=sys.stderr, dynamic_ncols=True)

    def progress(phase: str, done: int, total: int) -> None:
        bar.set_description(PHASES.get(phase, "embedding"))
        bar.total = total or None
        bar.n = done
        bar.refresh()

    return bar, progress


# -- messages on stderr -----------------------------------------------------------------
def note(message: str) -> None:
    print(f"photoapp: {message}", file=sys.stderr, flush=True)


def warn(message: str) -> None:
    print(f"photoapp: warning: {message}", file=sys.stderr)


def error(message: str) -> None:
    print(f"photoapp: error: {message}", file=sys.stderr)


def internal_error(exc: BaseException) -> None:
    """A bug: the traceback, then a line that says it is one (not a mistake of the user's)."""
    import traceback

    traceback.print_exception(exc, file=sys.stderr)
    print(
        f"photoapp: internal error (a bug in Photoapp, please report it with the traceback above): "
        f"{type(exc).__name__}: {exc}",
        file=sys.stderr,
    )


_STORAGE_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT}
_STORAGE_HINT = (
    "free some disk space or check the library folder's permissions, then run again; what was saved before is intact"
)


def storage_message(exc: OSError | sqlite3.Error) -> str:
    """A failed read or write of the library, in words; SQLite and atomic writes leave the
    previous state in place, so the message can say so."""
    if isinstance(exc, sqlite3.Error):
        text = str(exc)
        if "locked" in text or "busy" in text:
            return "the library is busy: another Photoapp process held it too long; try again in a moment"
        if "malformed" in text or "not a database" in text:  # damage, not a full disk
            return f"the catalog is damaged ({text}); run `photoapp check` to restore it from its latest backup"
        return f"cannot write to the library ({text}); {_STORAGE_HINT}"
    where = f": {exc.filename}" if exc.filename else ""
    if exc.errno in _STORAGE_ERRNOS:
        return f"cannot write to the library ({exc.strerror}{where}); {_STORAGE_HINT}"
    return f"{exc.strerror or exc}{where}"
