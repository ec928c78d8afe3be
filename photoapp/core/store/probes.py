"""Taught tags' rows of the catalog: the example photos of each taught tag and its trained
probe (photoapp/core/tagging/probe.py trains them)."""

from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np

from photoapp.core.store.table import TableStore


class ProbeStore(TableStore):
    """Probe tables over the catalog's connection."""

    def names(self) -> list[str]:
        """Every taught tag (one with examples), by name."""
        return [n for (n,) in self.db.execute("SELECT DISTINCT probe FROM probe_examples ORDER BY probe")]

    def examples(self, name: str) -> list[tuple[int, bool]]:
        """(photo id, is a positive example) of a taught tag."""
        rows = self.db.execute("SELECT photo_id, positive FROM probe_examples WHERE probe=?", (name,)).fetchall()
        return [(p, bool(pos)) for p, pos in rows]

    def add_examples(self, name: str, ids: Iterable[int], positive: bool) -> None:
        with self.catalog.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO probe_examples(probe, photo_id, positive) VALUES (?, ?, ?)",
                [(name, int(i), int(positive)) for i in ids],
            )

    def forget_examples(self, name: str) -> None:
        self.db.execute("DELETE FROM probe_examples WHERE probe=?", (name,))

    def rename(self, old: str, new: str) -> None:
        """Move a taught tag's examples, its trained probe and the examples kept for photos
        that left the catalog (store/keepsakes.py) to ``new`` (joins the caller's transaction)."""
        self.db.execute("UPDATE probe_examples SET probe=? WHERE probe=?", (new, old))
        self.db.execute("UPDATE OR REPLACE probes SET name=? WHERE name=?", (new, old))
        self.db.execute("UPDATE OR REPLACE keepsakes SET name=? WHERE kind='example' AND name=?", (new, old))

    def forget(self, name: str) -> None:
        """Drop a taught tag's examples, its probe and its kept examples, so that neither
        indexing nor a returning file brings it back (joins the caller's transaction)."""
        self.forget_examples(name)
        self.db.execute("DELETE FROM probes WHERE name=?", (name,))
        self.db.execute("DELETE FROM keepsakes WHERE kind='example' AND name=?", (name,))

    def save(self, name: str, model: str, weights: np.ndarray, bias: float, threshold: float) -> None:
        with self.catalog.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO probes(name, model, weights, bias, threshold, trained) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (name, model, np.asarray(weights, np.float32).tobytes(), bias, threshold, time.time()),
            )

    def model_of(self, name: str) -> str | None:
        """The model a probe was last trained on (None: never trained)."""
        row = self.db.execute("SELECT model FROM probes WHERE name=?", (name,)).fetchone()
        return row[0] if row else None

    def trained(self, name: str, model: str) -> float | None:
        """When the probe of ``model`` was trained (its version), or None."""
        row = self.db.execute("SELECT trained FROM probes WHERE name=? AND model=?", (name, model)).fetchone()
        return row[0] if row else None

    def load(self, name: str, model: str) -> tuple[np.ndarray, float, float] | None:
        """(weights, bias, threshold) of the probe of ``model``, or None."""
        row = self.db.execute(
            "SELECT weights, bias, threshold FROM probes WHERE name=? AND model=?", (name, model)
        ).fetchone()
        if row is None:
            return None
        return np.frombuffer(row[0], np.float32).copy(), row[1], row[2]
