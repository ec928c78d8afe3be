"""Tag rows of the catalog: the vocabulary, cached label vectors, every photo's tags and
the smart albums (saved queries). What the rows mean is decided in photoapp/core/tagging."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence

import numpy as np

from photoapp.core.store.table import TableStore
from photoapp.core.store.table import placeholders as _marks

# How strong a row's source is where two meet (core/tagging/rule.py names the sources).
_RANK = "(CASE {} WHEN 'manual' THEN 3 WHEN 'rejected' THEN 2 WHEN 'probe' THEN 1 ELSE 0 END)"


class TagStore(TableStore):
    """Tag tables over the catalog's connection; writes join the caller's transaction."""

    # -- vocabulary ---------------------------------------------------------------------
    def labels(self) -> list[tuple[str, str, list[str]]]:
        """(name, group, prompts) of the library's own vocabulary, in order."""
        rows = self.db.execute("SELECT name, grp, prompts FROM labels ORDER BY position")
        return [(n, g, json.loads(p)) for n, g, p in rows]

    def set_labels(self, labels: Iterable[tuple[str, str, Sequence[str]]]) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM labels")
            self.db.executemany(
                "INSERT INTO labels(position, name, grp, prompts) VALUES (?, ?, ?, ?)",
                [(i, n, g, json.dumps(list(p))) for i, (n, g, p) in enumerate(labels)],
            )

    def label_vectors(self, model: str) -> dict[str, np.ndarray]:
        """prompts key -> cached ensemble vector of ``model``."""
        return {
            k: np.frombuffer(v, np.float32)
            for k, v in self.db.execute("SELECT prompts_key, vector FROM label_vectors WHERE model=?", (model,))
        }

    def put_label_vectors(self, model: str, items: Iterable[tuple[str, np.ndarray]]) -> None:
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO label_vectors(model, prompts_key, vector) VALUES (?, ?, ?)",
                [(model, key, np.asarray(v, np.float32).tobytes()) for key, v in items],
            )

    # -- photo tags ---------------------------------------------------------------------
    def rows(self, ids: list[int], only_tag: str | None = None) -> dict[tuple[int, str], str]:
        """(photo id, tag) -> source of these photos' rows (of ``only_tag`` only, if given)."""
        sql = f"SELECT photo_id, tag, source FROM photo_tags WHERE photo_id IN ({_marks(ids)})"
        args = list(ids)
        if only_tag is not None:
            sql += " AND tag=?"
            args.append(only_tag)
        return {(p, t): s for p, t, s in self.db.execute(sql, args)}

    def put(self, rows: Iterable[tuple[int, str, str, float | None]]) -> None:
        """Insert or replace (photo id, tag, source, confidence) rows."""
        self.db.executemany(
            "INSERT OR REPLACE INTO photo_tags(photo_id, tag, source, confidence) VALUES (?, ?, ?, ?)", list(rows)
        )

    def delete(self, pairs: Iterable[tuple[int, str]]) -> None:
        """Delete the (photo id, tag) rows."""
        self.db.executemany("DELETE FROM photo_tags WHERE photo_id=? AND tag=?", list(pairs))

    def restore(self, photo_id: int, tag: str, source: str, confidence: float | None) -> None:
        """Put back a row's source and confidence (an undone tag merge)."""
        self.db.execute(
            "UPDATE photo_tags SET source=?, confidence=? WHERE photo_id=? AND tag=?",
            (source, confidence, photo_id, tag),
        )

    def of_photo(self, photo_id: int, sources: Sequence[str] | None = None) -> list[tuple[str, str, float | None]]:
        """(tag, source, confidence) of a photo's rows (of ``sources`` only, if given):
        manual ones first, then by confidence."""
        if sources is None:
            return [
                tuple(r)
                for r in self.db.execute("SELECT tag, source, confidence FROM photo_tags WHERE photo_id=?", (photo_id,))
            ]
        return self.db.execute(
            f"SELECT tag, source, confidence FROM photo_tags WHERE photo_id=? AND source IN ({_marks(sources)}) "
            "ORDER BY source = 'manual' DESC, confidence DESC, tag",
            (photo_id, *sources),
        ).fetchall()

    def source_of(self, photo_id: int, tag: str) -> tuple[str, float | None] | None:
        """(source, confidence) of one row, or None."""
        row = self.db.execute(
            "SELECT source, confidence FROM photo_tags WHERE photo_id=? AND tag=?", (photo_id, tag)
        ).fetchone()
        return tuple(row) if row else None

    def with_source(self, photo_id: int, source: str) -> list[tuple[str, float | None]]:
        """(tag, confidence) of a photo's rows from ``source``."""
        return self.db.execute(
            "SELECT tag, confidence FROM photo_tags WHERE photo_id=? AND source=?", (photo_id, source)
        ).fetchall()

    def counts(self, sources: Sequence[str]) -> dict[str, int]:
        """Tag -> photo count over ``sources``, largest first."""
        rows = self.db.execute(
            f"SELECT tag, COUNT(*) AS n FROM photo_tags WHERE source IN ({_marks(sources)}) "
            "GROUP BY tag ORDER BY n DESC, tag",
            tuple(sources),
        )
        return dict(rows.fetchall())

    def tags_from(self, source: str) -> set[str]:
        """Tags that at least one photo carries from ``source`` (e.g. the ones set by hand)."""
        return {t for (t,) in self.db.execute("SELECT DISTINCT tag FROM photo_tags WHERE source=?", (source,))}

    def album(self, tag: str, sources: Sequence[str]) -> list[int]:
        """Photo ids carrying ``tag`` from ``sources``: manual ones first, then by confidence."""
        rows = self.db.execute(
            f"SELECT photo_id FROM photo_tags WHERE tag=? AND source IN ({_marks(sources)}) "
            "ORDER BY source = 'manual' DESC, confidence DESC, photo_id",
            (tag, *sources),
        )
        return [pid for (pid,) in rows]

    def rename_tag(self, old: str, new: str, sources: Sequence[str]) -> set[int]:
        """Move the ``old`` rows from ``sources`` to ``new`` (joins the caller's transaction).
        Where a photo has both, the stronger row stays (manual > rejected > taught > auto):
        a tag given by hand under either name holds. Returns the ids of the photos moved."""
        marks, args = _marks(sources), (old, *sources)
        moved = {
            p for (p,) in self.db.execute(f"SELECT photo_id FROM photo_tags WHERE tag=? AND source IN ({marks})", args)
        }
        self.db.execute(
            "DELETE FROM photo_tags WHERE tag=? AND EXISTS (SELECT 1 FROM photo_tags x WHERE "
            f"x.photo_id = photo_tags.photo_id AND x.tag=? AND x.source IN ({marks}) "
            f"AND {_RANK.format('x.source')} > {_RANK.format('photo_tags.source')})",
            (new, *args),
        )
        self.db.execute(f"UPDATE OR IGNORE photo_tags SET tag=? WHERE tag=? AND source IN ({marks})", (new, *args))
        self.db.execute(f"DELETE FROM photo_tags WHERE tag=? AND source IN ({marks})", args)  # the weaker of a pair
        return moved

    def delete_tag(self, tag: str, source: str) -> set[int]:
        """Delete every ``tag`` row from ``source``; returns the ids of the photos that had one."""
        ids = {p for (p,) in self.db.execute("SELECT photo_id FROM photo_tags WHERE tag=? AND source=?", (tag, source))}
        self.db.execute("DELETE FROM photo_tags WHERE tag=? AND source=?", (tag, source))
        return ids

    def tagged_ids(self, source: str | None = None) -> list[int]:
        """Ids of photos with any tag row (from ``source`` only, if given)."""
        if source is None:
            return [pid for (pid,) in self.db.execute("SELECT DISTINCT photo_id FROM photo_tags")]
        return [pid for (pid,) in self.db.execute("SELECT DISTINCT photo_id FROM photo_tags WHERE source=?", (source,))]

    # -- sidecars -----------------------------------------------------------------------
    def mark_sidecars_dirty(self, ids: Iterable[int]) -> None:
        """These photos' sidecars no longer match their tags (join the tag change's transaction)."""
        self.db.executemany("INSERT OR IGNORE INTO sidecars_dirty(photo_id) VALUES (?)", [(int(i),) for i in ids])

    def clear_sidecars_dirty(self, ids: Iterable[int]) -> None:
        self.db.executemany("DELETE FROM sidecars_dirty WHERE photo_id=?", [(int(i),) for i in ids])

    def dirty_sidecars(self) -> list[int]:
        return [pid for (pid,) in self.db.execute("SELECT photo_id FROM sidecars_dirty ORDER BY photo_id")]

    # -- smart albums -------------------------------------------------------------------
    def put_smart_album(self, name: str, query: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO smart_albums(name, query, created) VALUES (?, ?, ?)", (name, query, time.time())
        )

    def remove_smart_album(self, name: str) -> bool:
        return self.db.execute("DELETE FROM smart_albums WHERE name=?", (name,)).rowcount > 0

    def smart_albums(self) -> list[tuple[str, str]]:
        """(name, query) of every smart album, by name."""
        return self.db.execute("SELECT name, query FROM smart_albums ORDER BY name").fetchall()

    def smart_album_query(self, name: str) -> str | None:
        row = self.db.execute("SELECT query FROM smart_albums WHERE name=?", (name,)).fetchone()
        return row[0] if row else None
