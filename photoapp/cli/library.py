"""The library as a whole: photoapp show, status, check, folders, and the demo."""

from __future__ import annotations

import argparse
from pathlib import Path

from photoapp.cli.common import gui_available, open_library
from photoapp.cli.output import EXIT_ERROR, add_json_flag, emit, note, print_hits, warn

CHECK_HELP = """\
Verify the library and repair what can be repaired: the catalog (SQLite integrity; a damaged
one is restored from its latest daily backup), the vector index (rebuilt from the catalog
when it is damaged or disagrees), photos gone from online folders (removed from the catalog),
an interrupted duplicate resolve and XMP sidecars left unwritten by a crash. Prints what it
found as text, or as one JSON object with --json.

exit status:
  0    all is well (after any repair)
  1    the catalog or the index is damaged and was not repaired (--no-repair only reports),
       or the library could not be read (photos gone from their folders alone do not count)
  2    a malformed command line
  130  interrupted (Ctrl+C)
"""

DEMO_HELP = """\
Generate a folder of toy photos (coloured shapes), index it with the tiny built-in model and
open the window on it (or, with --no-gui or without a display, print a few searches).

Where it writes (said on stderr every time): with --out DIR, DIR/photos and DIR/library;
else demo-photos and demo-library beside your library, in your user data folder
(e.g. ~/.local/share/Photoapp/ on Linux). --library DIR and a DIR argument for the photos
override either. An existing, non-empty photo folder is reused as it is.
"""


def add_parsers(sub) -> None:
    p = sub.add_parser("show", help="what the library knows about one photo")
    p.add_argument("photo", metavar="PATH")
    add_json_flag(p)

    p = sub.add_parser("status", help="library summary: photos, model, folders, problems")
    add_json_flag(p)

    p = sub.add_parser(
        "check",
        help="verify the catalog and the vector index, repairing what can be repaired",
        description=CHECK_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--no-repair", action="store_true", help="only report")
    add_json_flag(p)

    p = sub.add_parser("folders", help="list, add or remove library folders")
    p.add_argument("action", choices=["list", "add", "remove"], nargs="?", default="list")
    p.add_argument("paths", nargs="*", metavar="DIR")
    add_json_flag(p)

    p = sub.add_parser(
        "demo",
        help="generate a toy photo folder, index it with the tiny model and search it",
        description=DEMO_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("folder", nargs="?", metavar="DIR", help="where to write the demo photos")
    p.add_argument("--out", metavar="DIR", help="write the demo's photos and library under DIR")
    p.add_argument("--per-class", type=int, default=5, help="images per colour/shape/background class")
    p.add_argument("--no-gui", action="store_true", help="print example searches instead of opening the window")
    add_json_flag(p)


def cmd_show(args) -> int:
    with open_library(args) as lib:
        info = lib.photo(args.photo)

    def human(d):
        for key, value in d.items():
            if key == "place":
                named = [v for v in (value["city"], value["region"], value["country"]) if v]
                value = ", ".join(n for i, n in enumerate(named) if n not in named[:i]) or None
            if key != "exif":
                print(f"{key:>16}: {value}")
        for name, words in lib.describe_exif(d["exif"]).items():  # "Aperture: f/5.6"; none when absent
            if d.get(name.lower()) != words:  # the catalog's "camera" line already says it
                print(f"{name:>16}: {words}")

    emit(args, info, human)
    return 0


def cmd_status(args) -> int:
    with open_library(args) as lib:
        data = lib.status()

    def human(d):
        print(f"library: {d['library']}\nmodel:   {d['model']}\nphotos:  {d['photos']} ({d['indexed']} indexed)")
        offline = {f["path"]: f["reason"] for f in d.get("offline", ())}
        for folder in d["folders"]:
            state = f"  (offline: {offline[folder]}; its photos are kept)" if folder in offline else ""
            print(f"folder:  {folder}{state}")
        for prob in d["problems"]:
            print(f"problem: {prob['path']}: {prob['error']}")
        for line in d.get("notes", ()):
            print(f"note:    {line}")

    emit(args, data, human)
    return 0


def cmd_check(args) -> int:
    from photoapp.core.library import Library

    repair = not args.no_repair
    # The catalog first, without opening the library: a damaged one cannot be opened.
    catalog = Library.check_catalog(args.library, repair=repair)
    if catalog["integrity"] != "ok" and catalog["catalog_restored"] is None:
        data = {"ok": False, **catalog}
    else:
        with open_library(args) as lib:
            data = lib.check(repair=repair, integrity=False) | catalog
    emit(args, data, _print_check)
    return 0 if data["ok"] else EXIT_ERROR


def _print_check(d: dict) -> None:
    """The check's findings for a person: one line per part, what was done about it."""
    restored = d["catalog_restored"]
    if d["integrity"] == "ok":
        print("catalog: ok")
    else:
        print(f"catalog: damaged ({d['integrity'][0]})")
    if restored and restored["backup"]:
        print(f"         restored from the backup of {restored['backup_time']} ({restored['backup']});")
        print("         photos indexed since then are catalogued again by `photoapp index`; tags, ratings")
        print("         and dismissals given since then are lost")
    elif restored:
        rows = sum(restored["salvaged"].values())
        print(f"         no sound backup: {rows} readable rows copied into a new catalog; run `photoapp index`")
    if restored:
        print(f"         the damaged file is kept as {restored['damaged']}")
    elif d["integrity"] != "ok":
        print("         not repaired: run `photoapp check` without --no-repair to restore its latest backup")
        return
    print(f"index:   {_index_line(d)}")
    if d["vanished_count"]:
        done = "removed from the catalog" if d["vanished_removed"] else "run `photoapp check` to remove them"
        print(f"files:   {d['vanished_count']} catalogued photos are gone from their online folders; {done}")
        for path in d["vanished_files"][:10]:
            print(f"         {path}")
    print("result:  ok" if d["ok"] else "result:  problems remain")


def _index_line(d: dict) -> str:
    if d["index_agrees"]:
        return f"in step with the catalog ({d['photos']} photos)"
    if d["index_damaged"]:
        found = f"damaged ({d['index_damaged']})"
    else:
        found = f"{d['index_missing']} photos missing, {d['index_extra']} extra"
    return f"{found}; " + ("rebuilt from the catalog" if d["index_rebuilt"] else "run `photoapp check` to rebuild it")


def cmd_folders(args) -> int:
    with open_library(args) as lib:
        if args.action == "add":
            lib.add_folders(args.paths)
            for warning in lib.warnings:
                warn(warning)
        elif args.action == "remove":
            for path in args.paths:
                lib.remove_folder(path)
        folders = lib.folders()
    emit(args, folders, lambda d: [print(f) for f in d])
    return 0


def cmd_demo(args) -> int:
    from photoapp.config import TOY_MODEL, library_dir
    from photoapp.core.library import Library
    from photoapp.toy.domain import generate_library

    out = Path(args.out).expanduser().resolve() if args.out else None
    if args.library:
        base = Path(args.library).expanduser().resolve()
    else:
        base = out / "library" if out else library_dir().parent / "demo-library"
    if args.folder:
        folder = Path(args.folder).expanduser().resolve()
    else:
        folder = out / "photos" if out else base.parent / "demo-photos"
    if not folder.exists() or not any(folder.iterdir()):
        note(f"writing demo photos to {folder}")
        generate_library(folder, per_class=args.per_class, seed=7)
    else:
        note(f"demo photos: {folder} (already there, reused)")
    note(f"demo library: {base}" + ("" if out or args.library else " (--out DIR puts the demo elsewhere)"))
    if not args.no_gui and not args.json and gui_available():
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
            print_hits(hits)
        print(f'\nTry: photoapp --library {d["library"]} search "purple square"')

    emit(args, data, human)
    return 0


COMMANDS = {"show": cmd_show, "status": cmd_status, "check": cmd_check, "folders": cmd_folders, "demo": cmd_demo}
