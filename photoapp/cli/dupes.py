"""photoapp dupes: list duplicate groups, resolve them to the trash, undo, history, dismiss."""

from __future__ import annotations

import argparse
import os
import sys

from photoapp.cli.common import CliError, open_library
from photoapp.cli.output import add_json_flag, emit
from photoapp.core.units import human_size

DUPES_HELP = """\
Duplicates in tiers: exact (same bytes), near (the same picture resized, recompressed,
converted, cropped, recoloured, grayscale, mirrored or rotated), similar (other
shots of the same moment: bursts; never suggested for the trash).

  photoapp dupes [--tier exact|near|similar|all]       list groups; --tier near shows exact + near
  photoapp dupes resolve PHOTO [--keep PATH]           keep one photo of PHOTO's group (default: the
                                                       suggested keeper), move the others to the trash;
                                                       copies only (exact, near) unless --tier similar/all
  photoapp dupes resolve --all --tier exact            resolve every group of a tier (--tier required;
                                                       similar groups only with --tier similar)
  photoapp dupes undo [--batch N]                      put the last resolve (or batch N) back
  photoapp dupes history                               resolve batches and what is still in the trash
  photoapp dupes dismiss PHOTO                         "not duplicates": never propose PHOTO's group again

Nothing is ever deleted: files go to the system trash, each move journalled in the catalog
first. Tags given by hand to a trashed copy are merged into the keeper (--no-merge-tags to
skip); undo takes them back, and restores only the very file that was trashed.
"""


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "dupes",
        help="find duplicate photos, resolve them to the trash, undo",
        description=DUPES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", choices=["list", "resolve", "undo", "history", "dismiss"], nargs="?", default="list")
    p.add_argument("photos", nargs="*", metavar="PHOTO", help="for resolve/dismiss: a photo of the group")
    p.add_argument("--tier", choices=["exact", "near", "similar", "all"], help="which tiers (default all)")
    p.add_argument("--keep", metavar="PATH", help="for resolve: the photo to keep instead of the suggestion")
    p.add_argument("--all", action="store_true", help="for resolve: every group of --tier")
    p.add_argument("--batch", type=int, metavar="N", help="for undo: which resolve batch")
    p.add_argument("--no-merge-tags", action="store_true", help="for resolve: leave the keeper's tags alone")
    p.add_argument("--dry-run", action="store_true", help="for resolve: say what would happen, change nothing")
    add_json_flag(p)


def cmd_dupes(args) -> int:
    with open_library(args) as lib:
        action = {"list": _list, "resolve": _resolve, "undo": _undo, "history": _history, "dismiss": _dismiss}
        data, human = action[args.action](lib.duplicates, args)
    emit(args, data, human)
    return 0


def _list(dupes, args):
    groups = [g.as_dict() for g in dupes.find(args.tier or "all")]
    return groups, _print_groups


def _groups_of(dupes, args) -> list[dict]:
    """The groups to act on: those holding the given photos, or every group with --all."""
    if args.all and not args.tier:
        raise CliError("--all needs --tier (exact, near, similar or all), so nothing is trashed by surprise")
    if not args.all and not args.photos:
        raise CliError("name a photo of the group (photoapp dupes resolve PHOTO), or --all --tier TIER")
    # For named photos with no --tier, copies only: a merely similar shot (another photo of
    # the moment) is acted on only when the similar tier is asked for, as in the window,
    # whose default view shows copies only.
    groups = [g.as_dict() for g in dupes.find(args.tier or ("all" if args.all else "near"))]
    if args.all:  # other shots of a moment suggest nothing for the trash: only when asked by name
        return [g for g in groups if g["suggest_trash"] or args.tier == "similar"]
    # Any file of a RAW+JPEG pair names the pair (the groups list its JPEG).
    wanted = {dupes.catalog_path(p): os.path.abspath(p) for p in args.photos}
    chosen = [g for g in groups if wanted.keys() & set(g["paths"])]
    missing = wanted.keys() - {p for g in chosen for p in g["paths"]}
    if missing:
        hint = "" if args.tier else " of copies (add --tier similar for similar shots)"
        raise CliError(f"not in any duplicate group{hint}: {', '.join(sorted(wanted[p] for p in missing))}")
    return chosen


def _resolve(dupes, args):
    groups = _groups_of(dupes, args)
    if args.keep and len(groups) != 1:
        raise CliError("--keep applies to one group; name one photo of it")
    keep = dupes.catalog_path(args.keep) if args.keep else None  # a pair's RAW names the pair
    plan = [(g["paths"], keep or g["keep"]) for g in groups]
    if args.dry_run:
        data = {
            "dry_run": True,
            "kept": [k for _, k in plan],
            "would_trash": [p for paths, k in plan for p in paths if p != k],
        }
        return data, lambda d: [print(f"would trash {p}") for p in d["would_trash"]]
    report = dupes.resolve(plan, merge_tags=not args.no_merge_tags)
    return report, _print_resolve


def _undo(dupes, args):
    report = dupes.undo(args.batch)

    def human(d):
        for path in d["restored"]:
            print(
                f"restored {path}"
                + (" (it was back in place already; catalogued again)" if path in d["back_by_hand"] else "")
            )
        for item in d["failed"]:
            print(f"not restored {item['path']}: {item['reason']}", file=sys.stderr)

    return report, human


def _history(dupes, args):
    def human(batches):
        for b in batches:
            places = (
                f"{b['restored']} restored",
                f"{b['back_in_place']} back in place by hand",
                f"{b['in_trash']} still in the trash",
                f"{b['gone']} gone from the trash",
            )
            print(f"batch {b['batch']}: {b['photos']} photo(s): " + ", ".join(p for p in places if p[0] != "0"))

    return dupes.history(), human


def _dismiss(dupes, args):
    groups = _groups_of(dupes, args)
    pairs = sum(dupes.dismiss(g["paths"]) for g in groups)
    data = {"dismissed_groups": len(groups), "pairs": pairs}
    return data, lambda d: print(f"{d['dismissed_groups']} group(s) marked as not duplicates")


def _print_groups(groups) -> None:
    if not groups:
        print("no duplicates found")
    for n, g in enumerate(groups, 1):
        if g["suggest_trash"]:
            print(f"[{n}] {g['tier']}: {len(g['paths'])} photos, {human_size(g['reclaim_bytes'])} to reclaim")
        else:
            print(f"[{n}] {g['tier']}: {len(g['paths'])} photos (other shots: none suggested for the trash)")
        why = _why_each(g)
        for path in g["paths"]:
            raw = f"  (+ {os.path.basename(g['raw'][path])})" if path in g.get("raw", {}) else ""
            print(f"  {'keep' if path == g['keep'] else '    '}  {path}{raw}")
            if path in why:
                print(f"          {why[path]}")
        print(f"        keep: {g['reason']}")


def _why_each(group: dict) -> dict[str, str]:
    """For each photo, the closest link to the group: "same picture, mirrored (...)"."""
    why: dict[str, str] = {}
    for pair in group["pairs"]:
        for path in (pair["b"], pair["a"]):
            if path != group["keep"]:
                why.setdefault(path, pair["reason"])
    return why


def _print_resolve(report) -> None:
    for path in report["trashed"]:
        print(f"trashed {path}")
    for item in report["skipped"]:
        print(f"skipped {item['path']}: {item['reason']}", file=sys.stderr)
    if report["trashed"]:
        print(f"undo with: photoapp dupes undo --batch {report['batch']}")


COMMANDS = {"dupes": cmd_dupes}
