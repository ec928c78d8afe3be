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


def cmd_places(args) -> int:
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
