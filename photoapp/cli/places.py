"""photoapp places: the countries and cities the library's photos were taken in."""

from __future__ import annotations

from datetime import date

from photoapp.cli.common import open_library
from photoapp.cli.output import add_json_flag, emit
from photoapp.core.errors import InvalidInput


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "places",
        help="countries and cities of the GPS-tagged photos, with counts",
        description="The countries and cities the library's photos were taken in (from their GPS "
        "positions, named offline from GeoNames data), most photos first. Search them with "
        '"photoapp search Lisbon", "beach in Portugal" or --place.',
    )
    p.add_argument(
        "--area",
        metavar="S,W,N,E",
        help="instead, the photos whose GPS position lies in this box (degrees: south, west, north, east; "
        "west > east crosses the date line), newest first: what the world map's box or marker shows",
    )
    add_json_flag(p)
    p = sub.add_parser(
        "onthisday",
        help="photos taken on this day in earlier years",
        description="The photos taken on today's month and day (or --date's) in earlier years, "
        "newest year first (capture dates as the wall clock where each photo was taken).",
    )
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the day to look back from (default: today)")
    add_json_flag(p)


def cmd_onthisday(args) -> int:
    try:
        day = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        raise InvalidInput(f"--date must be a date as YYYY-MM-DD, not {args.date!r}") from None
    with open_library(args) as lib:
        data = lib.on_this_day(day)

    def human(answer):
        if not answer["photos"]:
            print(f"no photos taken on {answer['date'][5:]} in earlier years")
        for year in answer["years"]:
            ago = year["years_ago"]
            print(f"{year['year']} ({ago} year{'s' if ago != 1 else ''} ago)")
            for photo in year["photos"]:
                print(f"  {photo['path']}")

    emit(args, data, human)
    return 0


def parse_area(text: str) -> tuple[float, float, float, float]:
    """ "S,W,N,E" in degrees; a wrong box is an InvalidInput (one line, no traceback)."""
    try:
        south, west, north, east = (float(v) for v in text.split(","))
    except ValueError:
        raise InvalidInput(f"--area must be four numbers S,W,N,E (degrees), not {text!r}") from None
    if not (-90 <= south <= north <= 90 and -180 <= west <= 180 and -180 <= east <= 180):
        raise InvalidInput(f"--area {text!r} is not a box: -90 <= S <= N <= 90 and W, E within -180..180")
    return south, west, north, east


def cmd_area(args) -> int:
    from photoapp.core.search.ranking import Filters

    area = parse_area(args.area)
    with open_library(args) as lib:
        rows = lib.browse(Filters(area=area))
        gps = {r[0]: r[1:] for r in lib.positions()}
    data = [{"path": r[1], "taken": r[3], "gps": list(gps.get(r[0], ()))} for r in rows]
    emit(args, data, lambda photos: print("\n".join(p["path"] for p in photos) or "no photos taken in that area"))
    return 0


def cmd_places(args) -> int:
    if args.area:
        return cmd_area(args)
    with open_library(args) as lib:
        lib.update_places()  # photos indexed before places existed, or new geocoder data
        data = lib.place_counts()

    def human(countries):
        if not countries:
            print("no photos with a known place (none carries a GPS position)")
        for country in countries:
            print(f"{country['photos']:6}  {country['country']} ({country['country_code']})")
            for city in country["cities"]:
                print(f"{city['photos']:6}    {city['city'] or '(no town)'}")

    emit(args, data, human)
    return 0


COMMANDS = {"places": cmd_places, "onthisday": cmd_onthisday}
