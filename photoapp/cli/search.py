"""photoapp search and photoapp similar: ranked photos for a query or a photo, with the
same filters (-k, --all, --sort, --folder, --after, --before, --type, --min-rating, --favourites)."""

from __future__ import annotations

import argparse
import os

from photoapp.cli.common import CliError, open_library
from photoapp.cli.output import add_json_flag, emit, note, print_results

SEARCH_HELP = """\
Find the photos that match a query. The list ends where the relevant photos end: an
adaptive cut-off reads this query's scores over the whole library (see docs/architecture.md,
"How search decides where results end"); -k N caps the list, --all ranks everything.

query forms:
  words                     photoapp search "beach sunset with dog"
  words, places and dates   photoapp search "beach in Lisbon summer 2019" (dates and the places
                            of the library's photos become filters; "Rome", "2021" alone list
                            every photo from there/then, newest first; --explain shows how a
                            query is read; quote a word to keep it a word: "nice" sunset)
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
  photoapp search beach --person Ada             # Ada's beach photos (photoapp people names them)
  photoapp search --person Ada --person Ben      # every photo showing both
"""


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "search",
        help="search photos by text, image, or both",
        description=SEARCH_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "query", nargs="?", default="", help='what to look for: words, an image path, or "words +more -less"'
    )
    _add_filters(p)
    p.add_argument(
        "--explain",
        action="store_true",
        help="only show how the query is read (the date and place filters, the words for the model)",
    )
    p.add_argument(
        "--literal",
        action="store_true",
        help='every word goes to the model as text: no dates or places (or quote one: "nice" sunset)',
    )
    p.add_argument(
        "--person",
        action="append",
        default=[],
        metavar="NAME",
        help="only photos showing this person (a name or id from photoapp people; repeat for several)",
    )
    p.set_defaults(usage_error=p.error)  # no QUERY and no --person: a usage error, as before
    add_json_flag(p)

    p = sub.add_parser(
        "similar",
        help="photos that look like a given photo",
        description="Photos that look like PATH: without -k, the ones that stand out as "
        "look-alikes (the search's relevance cut-off); with -k N, the N most similar.",
    )
    p.add_argument("photo", metavar="PATH", help="a photo in the library, or any image file")
    _add_filters(p)
    add_json_flag(p)


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("-k", type=int, metavar="N", help="at most N results (default: every relevant photo)")
    p.add_argument(
        "--all", action="store_true", help="no relevance cut-off: rank the whole library (the top 20, or -k N)"
    )
    p.add_argument(
        "--sort",
        choices=["relevance", "date", "name"],
        default="relevance",
        help="order of the results: best first (default), newest first, or file name",
    )
    p.add_argument("--folder", metavar="DIR", help="only photos under this folder")
    p.add_argument("--after", metavar="DATE", help="only photos taken on or after DATE (YYYY[-MM[-DD]])")
    p.add_argument("--before", metavar="DATE", help="only photos taken before DATE (YYYY[-MM[-DD]])")
    p.add_argument("--place", metavar="NAME", help="only photos taken in this city, region or country")
    p.add_argument(
        "--type",
        choices=["photo", "video", "raw"],
        dest="kind",
        help="only photos (JPEG, PNG, HEIC...), videos, or camera RAW files (alone or with their JPEG)",
    )
    p.add_argument("--min-rating", type=int, choices=range(1, 6), metavar="N", help="only photos with at least N stars")
    p.add_argument("--favourites", action="store_true", help="only photos marked as favourites")


def _filters(args):
    from photoapp.core.search.ranking import Filters

    if args.k is not None and args.k < 1:
        raise CliError("-k must be at least 1")
    folder = os.path.abspath(os.path.expanduser(args.folder)) if args.folder else None
    after = _date(args.after, end_of_day=False)
    before = _date(args.before, end_of_day=True)
    return Filters(folder, after, before, args.kind, min_rating=args.min_rating, favourites=args.favourites)


def _date(text: str | None, end_of_day: bool) -> float | None:
    """--after/--before as a POSIX time; "not a date" is an InvalidInput (a user error)."""
    from photoapp.core.search.ranking import parse_date

    return parse_date(text, end_of_day=end_of_day) if text else None


def cmd_search(args) -> int:
    import dataclasses

    filters = _filters(args)
    if not args.query.strip() and not args.person:
        args.usage_error("missing QUERY: give words, an image path, or --person NAME")
    with open_library(args) as lib:
        if args.explain:
            meaning = lib.interpret(args.query)
            emit(args, meaning.as_dict(), lambda d: print(meaning.explain()))
            return 0
        if args.place:
            filters.places = lib.place_refs(args.place)
        if args.person:
            filters = dataclasses.replace(filters, people=tuple(lib.people.resolve(p) for p in args.person))
        results = lib.search(args.query, args.k, filters, args.sort, cutoff=not args.all, understand=not args.literal)
    if results.interpretation is not None and results.interpretation.chips:
        note(f"understood: {results.interpretation.explain()}")
    emit(args, [h.as_dict() for h in results], lambda hits: print_results(hits, results, filters.active))
    return 0


def cmd_similar(args) -> int:
    filters = _filters(args)
    with open_library(args) as lib:
        if args.place:
            filters.places = lib.place_refs(args.place)
        # "The N most similar" is what -k asks of find-similar; without it, the look-alikes.
        results = lib.similar(args.photo, args.k, filters, args.sort, cutoff=not args.all and args.k is None)
    emit(args, [h.as_dict() for h in results], lambda hits: print_results(hits, results, filters.active))
    return 0


COMMANDS = {"search": cmd_search, "similar": cmd_similar}
