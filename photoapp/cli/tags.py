"""The tagging commands: photoapp labels, tags, tag, album, smart-album."""

from __future__ import annotations

import argparse

from photoapp.cli.common import CliError, need, open_library
from photoapp.cli.output import add_json_flag, emit, print_hits

LABELS_HELP = """\
The label vocabulary of zero-shot auto-tagging.

  photoapp labels list                 the current labels, grouped ([Group] lines)
  photoapp labels set FILE             replace them (one label per line) and re-tag the library
  photoapp labels reset                back to the shipped default vocabulary

A line may give the label its own prompts: "screenshot | a screenshot of a phone screen".
"""

TAGS_HELP = """\
Tags and how they are assigned.

  photoapp tags                        every tag (each is an album) with its photo count
  photoapp tags train NAME --positive P1 P2 P3 [--negative N1 ...]
                                       teach a tag from at least 3 example photos
  photoapp tags rename OLD NEW         rename a tag (its photos join a tag already called NEW);
                                       a taught tag moves whole, with its examples
  photoapp tags forget NAME            forget a taught tag: its examples go and so does the tag
                                       on the photos it tagged (tags you gave by hand stay)
  photoapp tags settings [--sensitivity 0..1] [--max-tags N] [--xmp on|off] [--auto on|off]
"""


def add_parsers(sub) -> None:
    raw = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser(
        "labels", help="list or replace the auto-tagging vocabulary", description=LABELS_HELP, formatter_class=raw
    )
    p.add_argument("action", choices=["list", "set", "reset"], nargs="?", default="list")
    p.add_argument("file", nargs="?", metavar="FILE", help="for set: a text file, one label per line")
    add_json_flag(p)

    p = sub.add_parser(
        "tags",
        help="tag counts, teach a tag from examples, tagging settings",
        description=TAGS_HELP,
        formatter_class=raw,
    )
    p.add_argument("action", choices=["list", "train", "rename", "forget", "settings"], nargs="?", default="list")
    p.add_argument("name", nargs="?", metavar="NAME", help="for train: the tag to teach; rename, forget: the tag")
    p.add_argument("new", nargs="?", metavar="NEW", help="for rename: its new name")
    p.add_argument("--positive", nargs="+", default=[], metavar="PATH", help="example photos (at least 3)")
    p.add_argument("--negative", nargs="+", default=[], metavar="PATH", help="counter-example photos")
    p.add_argument("--sensitivity", type=float, help="0 (fewest tags) .. 1 (most tags); default 0.5")
    p.add_argument("--max-tags", type=int, help="at most this many auto-tags per photo (default 4)")
    p.add_argument("--xmp", choices=["on", "off"], help="write tags to <photo>.xmp sidecars (default off)")
    p.add_argument("--auto", choices=["on", "off"], help="zero-shot auto-tagging (default on)")
    add_json_flag(p)

    p = sub.add_parser("tag", help="add or remove a tag on photos by hand (auto-tagging never undoes it)")
    p.add_argument("action", choices=["add", "remove"])
    p.add_argument("tag", metavar="TAG")
    p.add_argument("paths", nargs="+", metavar="PATH")
    add_json_flag(p)

    p = sub.add_parser("album", help="the photos of a tag (every tag is an album) or of a smart album")
    p.add_argument("name", metavar="TAG")
    p.add_argument("--place", metavar="NAME", help="only photos taken in this city, region or country")
    add_json_flag(p)

    p = sub.add_parser("smart-album", help="saved text queries that stay up to date as photos arrive")
    p.add_argument("action", choices=["add", "remove", "list", "show"], nargs="?", default="list")
    p.add_argument("name", nargs="?", metavar="NAME")
    p.add_argument("query", nargs="?", metavar="QUERY", help="for add: what the album shows, in words")
    add_json_flag(p)


def _onoff(value: str | None) -> bool | None:
    return None if value is None else value == "on"


def cmd_labels(args) -> int:
    from photoapp.core.tagging.labels import default_vocabulary, format_vocabulary, read_vocabulary_file

    with open_library(args) as lib:
        if args.action in ("set", "reset"):
            labels = (
                read_vocabulary_file(need(args.file, "FILE"))
                if args.action == "set"
                else default_vocabulary(lib.model_name)
            )
            if not labels:
                raise CliError(f"no labels in {args.file}")
            lib.tags.set_labels(labels)
        labels = lib.tags.labels()
    emit(args, [lb.as_dict() for lb in labels], lambda d: print(format_vocabulary(labels), end=""))
    return 0


def cmd_tags(args) -> int:
    from dataclasses import asdict

    with open_library(args) as lib:
        if args.action == "train":
            data = lib.tags.train(need(args.name, "NAME"), need(args.positive, "--positive PATH..."), args.negative)
            emit(
                args,
                data,
                lambda d: print(
                    f"taught {d['tag']!r} from {d['examples']} examples: "
                    f"{d['photos']} photos carry it ({d['seconds']:.3f}s)"
                ),
            )
        elif args.action == "rename":
            data = lib.tags.rename(need(args.name, "OLD"), need(args.new, "NEW"))
            emit(args, data, _print_renamed)
        elif args.action == "forget":
            data = lib.tags.forget_taught(need(args.name, "NAME"))
            emit(args, data, _print_forgotten)
        elif args.action == "settings":
            s = lib.tags.configure(args.sensitivity, args.max_tags, _onoff(args.xmp), _onoff(args.auto))
            data = asdict(s) | {"threshold": round(s.threshold, 4)}
            emit(args, data, lambda d: [print(f"{k}: {v}") for k, v in d.items()])
        else:
            data = lib.tags.counts()
            emit(
                args,
                data,
                lambda d: [print(f"{n:6d}  {t}") for t, n in d.items()] or (None if d else print("no tags yet")),
            )
    return 0


def _print_renamed(d: dict) -> None:
    merged = f" (merged with the tag {d['tag']!r} already there)" if d["merged"] else ""
    print(f"renamed {d['was']!r} to {d['tag']!r}{merged}: {d['photos']} photos carry it")


def _print_forgotten(d: dict) -> None:
    kept = f"; {d['kept']} photos keep it, given by hand" if d["kept"] else ""
    print(f"forgot the taught tag {d['tag']!r}: taken off {d['untagged']} photos{kept}")


def cmd_tag(args) -> int:
    with open_library(args) as lib:
        edit = lib.tags.add if args.action == "add" else lib.tags.remove
        changed = edit(args.tag, args.paths)  # sidecars not written: open_library warns
    data = {"tag": args.tag, "action": args.action, "photos": len(args.paths), "changed": changed}
    emit(args, data, lambda d: print(f"{d['action']} {d['tag']!r}: {d['changed']} of {d['photos']} photos changed"))
    return 0


def cmd_album(args) -> int:
    with open_library(args) as lib:
        paths = lib.tags.album(args.name)
        if args.place:
            paths = lib.paths_in_places(lib.place_refs(args.place), paths)
        data = [{"path": p} for p in paths]
    emit(args, data, lambda d: [print(x["path"]) for x in d] or (None if d else print("no photos")))
    return 0


def cmd_smart_album(args) -> int:
    with open_library(args) as lib:
        if args.action == "add":
            lib.tags.add_smart_album(need(args.name, "NAME"), need(args.query, "QUERY"))
        elif args.action == "remove" and not lib.tags.remove_smart_album(need(args.name, "NAME")):
            raise CliError(f"no smart album named {args.name!r}")
        if args.action == "show":
            data = [h.as_dict() for h in lib.tags.smart_album(need(args.name, "NAME"))]
            emit(args, data, print_hits)
            return 0
        data = lib.tags.smart_albums()
    emit(
        args,
        data,
        lambda d: [print(f"{a['name']}: {a['query']}") for a in d] or (None if d else print("no smart albums")),
    )
    return 0


COMMANDS = {"labels": cmd_labels, "tags": cmd_tags, "tag": cmd_tag, "album": cmd_album, "smart-album": cmd_smart_album}
