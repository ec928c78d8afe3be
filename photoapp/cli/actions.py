"""What a person does to photos: photoapp rate, favourite, rotate, trash, untrash, export, and the
``photos`` listing with the mark filters (--min-rating, --favourites)."""

from __future__ import annotations

from photoapp.cli.common import CliError, open_library
from photoapp.cli.output import EXIT_ERROR, add_json_flag, emit


def add_parsers(sub) -> None:
    p = sub.add_parser("rate", help="give photos 1-5 stars (0 clears; xmp:Rating in sidecars when they are on)")
    p.add_argument("stars", type=int, choices=range(6), metavar="STARS", help="0 to 5")
    p.add_argument("paths", nargs="+", metavar="PATH")
    add_json_flag(p)

    p = sub.add_parser("favourite", help="mark photos as favourites (--off: no longer)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--off", action="store_true", help="remove the favourite mark")
    add_json_flag(p)

    p = sub.add_parser("rotate", help="turn photos (stored in the catalog and sidecars; the file is never rewritten)")
    p.add_argument("direction", choices=["left", "right", "180", "reset"], help="left/right: 90° anti-/clockwise")
    p.add_argument("paths", nargs="+", metavar="PATH")
    add_json_flag(p)

    p = sub.add_parser("trash", help="move photos to the system trash (undo: photoapp untrash)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    add_json_flag(p)

    p = sub.add_parser("untrash", help="put photos back from the trash: these paths, or the latest trash action")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--batch", type=int, metavar="N", help="a trash action's number (as `trash --json` gives it)")
    add_json_flag(p)

    p = sub.add_parser("export", help="copy photos to a folder: JPEG with their rotation applied, or the originals")
    p.add_argument("folder", metavar="DIR")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", choices=["jpeg", "original"], default="jpeg", help="default jpeg")
    add_json_flag(p)

    p = sub.add_parser("photos", help="list the library's photos, newest first, with the filters")
    p.add_argument("--min-rating", type=int, choices=range(1, 6), metavar="N", help="at least N stars")
    p.add_argument("--favourites", action="store_true", help="only favourites")
    p.add_argument("--folder", metavar="DIR", help="only photos under this folder")
    add_json_flag(p)


def _print_change(d: dict) -> None:
    print(f"{d['kind']}: {d['changed']} of {d['photos']} photos changed")
    for path, marks in d["marks"].items():
        print(f"  {_marks_text(marks)}  {path}")


def _marks_text(m: dict) -> str:
    stars = "★" * m["rating"] + "☆" * (5 - m["rating"])
    return f"{stars} {'♥' if m['favourite'] else ' '} {m['rotation']:3d}°"


def cmd_rate(args) -> int:
    with open_library(args) as lib:
        data = lib.marks.rate(args.paths, args.stars).as_dict()
    emit(args, data, _print_change)
    return 0


def cmd_favourite(args) -> int:
    with open_library(args) as lib:
        data = lib.marks.favourite(args.paths, not args.off).as_dict()
    emit(args, data, _print_change)
    return 0


def cmd_rotate(args) -> int:
    with open_library(args) as lib:
        if args.direction == "reset":  # back upright, whatever each was turned by
            data = lib.marks.rotate(args.paths, 0, absolute=True).as_dict()
        else:
            data = lib.marks.rotate(args.paths, {"left": -90, "right": 90, "180": 180}[args.direction]).as_dict()
    emit(args, data, _print_change)
    return 0


def _print_report(done: list[str], verb: str, bad: list[dict]) -> None:
    for path in done:
        print(f"{verb:8} {path}")
    for item in bad:
        print(f"{'skipped' if verb == 'trashed' else 'failed':8} {item['path']}: {item['reason']}")


def cmd_trash(args) -> int:
    with open_library(args) as lib:
        data = lib.trash(args.paths)

    def human(d):
        _print_report(d["trashed"], "trashed", d["skipped"])
        if d["trashed"]:
            print(f"undo: photoapp untrash --batch {d['batch']}")

    emit(args, data, human)
    return 0 if data["trashed"] or not data["skipped"] else EXIT_ERROR


def cmd_untrash(args) -> int:
    if args.paths and args.batch is not None:
        raise CliError("give PATHs or --batch, not both")
    with open_library(args) as lib:
        data = lib.untrash(args.paths or None, args.batch)

    def human(d):
        _print_report(d["restored"], "restored", d["failed"])

    emit(args, data, human)
    return 0 if not data["failed"] else EXIT_ERROR


def cmd_export(args) -> int:
    with open_library(args) as lib:
        data = lib.export(args.paths, args.folder, args.format)

    def human(d):
        for item in d["exported"]:
            print(f"{item['path']} -> {item['to']}")
        for item in d["failed"]:
            print(f"failed   {item['path']}: {item['reason']}")

    emit(args, data, human)
    return 0 if not data["failed"] else EXIT_ERROR


def cmd_photos(args) -> int:
    import os

    from photoapp.core.search.ranking import Filters
    from photoapp.core.store.marks import NO_MARKS

    folder = os.path.abspath(os.path.expanduser(args.folder)) if args.folder else None
    with open_library(args) as lib:
        rows = lib.browse(Filters(folder=folder, min_rating=args.min_rating, favourites=args.favourites))
        marks = lib.marks.marked()
    data = [{"path": r[1], **marks.get(r[0], NO_MARKS).as_dict()} for r in rows]
    emit(args, data, lambda d: [print(f"{_marks_text(x)}  {x['path']}") for x in d] or d or print("no photos"))
    return 0


COMMANDS = {
    "rate": cmd_rate,
    "favourite": cmd_favourite,
    "rotate": cmd_rotate,
    "trash": cmd_trash,
    "untrash": cmd_untrash,
    "export": cmd_export,
    "photos": cmd_photos,
}
