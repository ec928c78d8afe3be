"""photoapp places: the countries and cities the library's photos were taken in."""

from __future__ import annotations

from photoapp.cli.common import open_library
from photoapp.cli.output import add_json_flag, emit


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "places",
        help="countries and cities of the GPS-tagged photos, with counts",
        description="The countries and cities the library's photos were taken in (from their GPS "
        "positions, named offline from GeoNames data), most photos first. Search them with "
        '"photoapp search Lisbon", "beach in Portugal" or --place.',
    )
    add_json_flag(p)


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


COMMANDS = {"places": cmd_places}
