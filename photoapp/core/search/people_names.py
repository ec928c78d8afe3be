"""Person names in the search bar: "Ada beach", "Ada and Ben", "Ada 2019".

A resolver for interpret.py: at a word of the query, the longest named
person whose name starts there. Names that are also ordinary words ("Rose", "Bill", "Grace") are
taken only when typed with a capital or when the query is the name alone, as place
names are; other names whatever the case ("ada beach"); "with rose" is Rose.
"""

from __future__ import annotations

from collections.abc import Callable

from photoapp.core.search.interpret import Chip, Context, ordinary_words

PERSON_PREPOSITIONS = ("with",)


class PersonResolver:
    """``names``: person id -> name (core/faces: People), read when the resolver is made."""

    def __init__(self, names: dict[int, str]):
        self.by_words: dict[tuple[str, ...], tuple[int, str]] = {}
        for pid, name in names.items():
            words = tuple(w.lower() for w in name.split())
            if words and words not in self.by_words:
                self.by_words[words] = (pid, name)
        self.longest = max((len(w) for w in self.by_words), default=0)

    def __call__(self, words: list[str], i: int, context: Context) -> tuple[Chip, int] | None:
        for n in range(min(self.longest, len(words) - i), 0, -1):
            key = tuple(words[i : i + n])
            if not all(key) or key not in self.by_words:
                continue
            typed = context.tokens[i : i + n]
            capital = all(t[:1].isupper() for t in typed)
            alone = len(context.tokens) == n
            after_with = i > 0 and words[i - 1] in PERSON_PREPOSITIONS
            plain = not any(w in _ordinary() for w in key)
            if plain or capital or alone or after_with:
                pid, name = self.by_words[key]
                return Chip("person", name, value=pid), n
        return None


_ORDINARY: list[frozenset[str]] = []


def _ordinary() -> frozenset[str]:
    if not _ORDINARY:
        _ORDINARY.append(ordinary_words())
    return _ORDINARY[0]


def person_resolver(names: Callable[[], dict[int, str]]):
    """A resolver reading the names each time it is asked for (names change rarely and
    the read is one small query)."""

    def resolve(words: list[str], i: int, context: Context) -> tuple[Chip, int] | None:
        return PersonResolver(names())(words, i, context)

    return resolve
