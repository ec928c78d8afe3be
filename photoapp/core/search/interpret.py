"""One search box: the date and place words of a query become filters, the rest goes to CLIP.

"red circle in Paris 2019" -> CLIP "red circle", place Paris, year 2019. The words are
matched by *resolvers*, each a function (words, i, context) -> (Chip, words taken) or None,
tried in order at each position: dates (core/search/dates.py) and the places the library
holds (built from its place names: English, local and alternate, multi-word). Another
kind of name (people, issue 27) joins by adding a resolver: ``interpret`` knows no kind.

Words that are also ordinary words stay words: "nice sunset" and "orange square" go to
CLIP even when the library holds Nice or Orange; "sunset in Nice" (after in/at/from/near),
"sunset Nice" (capitalised mid-query) and "Nice" alone are the place. A quoted word or
phrase always goes to CLIP; a word after + or - (rclip-style terms) too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from photoapp.core.search.dates import DateSpan, match_date

PLACE_PREPOSITIONS = ("in", "at", "from", "near", "around")
DATE_PREPOSITIONS = ("in", "from", "during", "on", "of")
# Words that only say "photos" around a filter: "photos from Lisbon" is Lisbon.
FILLER = {"photo", "photos", "picture", "pictures", "pic", "pics", "image", "images", "shots", "taken", "all", "my"}
FILLER |= {"and", "or", "the", "of", "in", "at", "from", "on", "during", "me", "us", "our", "show", "find"}
_TOKEN = re.compile(r'"[^"]*"?|\S+')
_EDGE = re.compile(r"^[^\w'’]+|[^\w'’]+$", re.UNICODE)
MAX_NAME_WORDS = 5


@dataclass(frozen=True)
class Chip:
    """One understood part of a query: ``kind`` (date, place, ...), how it is shown
    (``label``), the words of the query it took (``words``) and its value."""

    kind: str
    label: str
    words: str = ""
    value: object = None

    def as_dict(self) -> dict:
        value = self.value.as_dict() if hasattr(self.value, "as_dict") else self.value
        return {"kind": self.kind, "label": self.label, "words": self.words, "value": value}


@dataclass(frozen=True)
class PlaceRef:
    """A held place: ``kind`` city, region or country; ``name`` as held (a country: its code)."""

    kind: str
    name: str
    country_code: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "country_code": self.country_code}


@dataclass(frozen=True)
class Context:
    today: date
    tokens: tuple[str, ...]  # the query's tokens as typed (for capitals)
    only_filters_possible: bool = False  # the query has no word a resolver could leave for CLIP


@dataclass
class Interpretation:
    query: str
    text: str  # what goes to CLIP; "" when the query is only filters
    chips: list[Chip] = field(default_factory=list)

    @property
    def dates(self) -> list[DateSpan]:
        return [c.value for c in self.chips if c.kind == "date"]

    @property
    def places(self) -> list[PlaceRef]:
        return [c.value for c in self.chips if c.kind == "place"]

    @property
    def people(self) -> list[int]:
        return [c.value for c in self.chips if c.kind == "person"]

    def explain(self) -> str:
        """One line: 'red circle' + place: Paris + date: 2019."""
        parts = [f"text: {self.text!r}"] if self.text else ["every photo"]
        parts += [f"{c.kind}: {c.label}" for c in self.chips]
        return "; ".join(parts)

    def as_dict(self) -> dict:
        return {"query": self.query, "text": self.text, "chips": [c.as_dict() for c in self.chips]}


def without(query: str, chip: Chip) -> str:
    """The query with a chip undone: its words quoted, so that they go to CLIP as text."""
    if not chip.words:
        return query
    return re.sub(rf"(?<![\w\"]){re.escape(chip.words)}(?![\w\"])", f'"{chip.words}"', query, count=1)


Resolver = Callable[[list[str], int, Context], "tuple[Chip, int] | None"]


def interpret(query: str, today: date, resolvers: Sequence[Resolver] = ()) -> Interpretation:
    """Split ``query`` into filters (chips) and CLIP text. ``resolvers`` are tried in order
    at each word (dates first is the usual order: date_resolver, then places, people...)."""
    tokens = [m.group() for m in _TOKEN.finditer(query)]
    words = [_word(t) for t in tokens]
    context = Context(today, tuple(tokens))
    taken = [False] * len(tokens)
    chips: list[Chip] = []
    i = 0
    while i < len(tokens):
        if not words[i] or (tokens[i][0] in "+-" and len(tokens[i]) > 1):  # quoted, or an rclip term
            i += 1
            continue
        found = None
        for resolve in resolvers:
            found = resolve(words, i, context)
            if found is not None:
                break
        if found is None:
            i += 1
            continue
        chip, n = found
        chip = Chip(chip.kind, chip.label, " ".join(tokens[i : i + n]), chip.value)
        start = i - 1 if i > 0 and words[i - 1] in _prepositions(chip.kind) and not taken[i - 1] else i
        for j in range(start, i + n):
            taken[j] = True
        chips.append(chip)
        i += n
    rest = [t for t, done in zip(tokens, taken) if not done]
    if chips and all(_word(t) in FILLER for t in rest):
        rest = []
    text = " ".join(t.replace('"', "") for t in rest).strip()
    return Interpretation(query, text, chips)


def _prepositions(kind: str) -> tuple[str, ...]:
    if kind == "person":
        return ("with", "and", "&")  # "Ada and Ben", "beach with Ada": the joining word goes too
    return PLACE_PREPOSITIONS if kind == "place" else DATE_PREPOSITIONS if kind == "date" else PLACE_PREPOSITIONS


def _word(token: str) -> str:
    if token.startswith('"'):
        return ""  # quoted: text for CLIP, never a filter
    return _EDGE.sub("", token).lower().replace("’", "'")


# -- resolvers ------------------------------------------------------------------------------
def date_resolver(words: list[str], i: int, context: Context) -> tuple[Chip, int] | None:
    """Years, months, seasons with a year, ranges, decades, yesterday, last summer..."""
    n = _clean_span(words, i)
    found = match_date(words[i : i + n], 0, context.today) if n else None
    if found is None:
        return None
    span, taken = found
    if words[i] in _AMBIGUOUS_ALONE and taken == 1 and not (i > 0 and words[i - 1] in ("in", "during")):
        return None
    return Chip("date", span.label, value=span), taken


# "may", "march" alone are words unless after "in" (dates.match_date judges that on its own
# words; here the preceding word is outside the slice it sees)
_AMBIGUOUS_ALONE = {"may", "march", "mar", "jan", "dec", "sep", "oct", "jun", "jul", "aug", "apr", "nov", "feb"}


def _clean_span(words: list[str], i: int) -> int:
    """How many words from ``i`` are plain words (not quoted, not empty)."""
    n = 0
    while i + n < len(words) and words[i + n]:
        n += 1
    return n


class PlaceResolver:
    """The places a library holds, by every name they are known by (folded: case and
    accents do not matter). ``names``: (folded name, kind, held name, country code) rows;
    ``labels``: how a place is shown ((kind, name, cc) -> "Lisbon, Portugal")."""

    def __init__(
        self,
        names: Iterable[tuple[str, str, str, str]],
        labels: Callable[[PlaceRef], str] | None = None,
        ordinary: frozenset[str] | None = None,
    ):
        self.by_name: dict[str, list[PlaceRef]] = {}
        for name, kind, value, cc in names:
            self.by_name.setdefault(name, []).append(PlaceRef(kind, value, cc))
        self.longest = min(MAX_NAME_WORDS, max((len(n.split()) for n in self.by_name), default=0))
        self.labels = labels or (lambda ref: ref.name)
        self.ordinary = ordinary_words() if ordinary is None else ordinary

    def __call__(self, words: list[str], i: int, context: Context) -> tuple[Chip, int] | None:
        from photoapp.core.places.names import fold

        for n in range(min(self.longest, _clean_span(words, i)), 0, -1):
            phrase = fold(" ".join(words[i : i + n]))
            refs = self.by_name.get(phrase)
            if not refs or not self._trusted(phrase, words, i, n, context):
                continue
            ref = _preferred(refs)
            if ref.kind == "elsewhere" and not self._elsewhere_meant(phrase, words, i, n):
                continue
            label = self.labels(ref) + (" (no photos there)" if ref.kind == "elsewhere" else "")
            return Chip("place", label, value=ref), n
        return None

    def _trusted(self, phrase: str, words: list[str], i: int, n: int, context: Context) -> bool:
        """A name that is also an ordinary word ("nice", "orange") is a place only after a
        preposition, written with a capital inside the query, or as the whole query."""
        if not all(w in self.ordinary for w in phrase.split()):
            return True
        if i > 0 and words[i - 1] in PLACE_PREPOSITIONS:
            return True
        if i > 0 and context.tokens[i][:1].isupper():
            return True
        return all(not w or w in FILLER or j in range(i, i + n) for j, w in enumerate(words))

    def _elsewhere_meant(self, phrase: str, words: list[str], i: int, n: int) -> bool:
        """A place the library holds nothing from filters (to nothing) only when clearly a
        place: after in/at/from/near, or as the whole query; never an ordinary word."""
        if any(w in self.ordinary for w in phrase.split()):
            return False
        if i > 0 and words[i - 1] in PLACE_PREPOSITIONS:
            return True
        return all(not w or w in FILLER or j in range(i, i + n) for j, w in enumerate(words))


def _preferred(refs: list[PlaceRef]) -> PlaceRef:
    """A name held by several places: the city before the region before the country."""
    order = {"city": 0, "region": 1, "country": 2, "elsewhere": 3}
    return min(refs, key=lambda r: (order.get(r.kind, 3), r.country_code, r.name))


# Ordinary words: the words of the everyday captions and the label vocabulary shipped in
# resources/ (what people search photos for), and common words that are also town names.
_COMMON = """
nice orange reading bath mobile split phoenix buffalo eagle hope paradise normal sandy sunset
sunrise beach bay lake river valley mountain hill hills snow winter summer spring autumn fall
fair grove park harbor harbour port bridge church castle tower garden gardens forest wood woods
rock rocks stone view vista pleasant happy golden rose lily daisy ivy holly joy rich deal mark
march may june july august victoria grace aurora eden lucky liberty union independence
friendship concord harmony unity champagne cheddar bologna jersey denim cashmere turkey china
jordan guinea canary java bermuda panama mocha cayenne santa angel angels
""".split()  # noqa: SIM905 - a word list reads better as words


@lru_cache(maxsize=1)
def ordinary_words() -> frozenset[str]:
    from photoapp.config import resources_dir

    words = set(_COMMON)
    for name in ("captions/bank.txt", "captions/toy.txt", "labels/default.txt", "labels/toy.txt"):
        try:
            text = (resources_dir() / name).read_text(encoding="utf-8")
        except OSError:
            continue
        for line in text.splitlines():
            if not line.startswith(("#", "[")):
                words.update(re.findall(r"[a-z]+", line.split("|")[0].lower()))
    return frozenset(words)
