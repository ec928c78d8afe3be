"""What every table store shares: the catalog's connection, whose transaction its writes
join (core/store/catalog.py), and SQL placeholders for a list of values."""

from __future__ import annotations

from collections.abc import Sized


def placeholders(values: Sized) -> str:
    """ "?,?,?" for three values: the IN (...) of a query."""
    return ",".join("?" * len(values))


class TableStore:
    """Tables over the catalog's connection; writes join the caller's transaction."""

    def __init__(self, catalog):
        self.catalog = catalog

    @property
    def db(self):
        return self.catalog.db

    def transaction(self):
        return self.catalog.transaction()
