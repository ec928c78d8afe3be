"""The tagging side of the Library facade (``Library.tags``): what the CLI and the GUI call.

Vocabulary, tagging settings, albums (every tag is one) and smart albums (saved queries),
manual tag edits, tags taught from examples, and XMP sidecars. Paths in, plain data out.
"""

from __future__ import annotations

import os
import time

import numpy as np

from photoapp.core.tagging.labels import Label
from photoapp.core.tagging.probe import Probes
from photoapp.core.tagging.rule import PROBE, TagSettings, Tagger

# A smart album holds what its query's search finds relevant (the search's own adaptive
# cut-off decides, see ``smart_album_members``); this caps only how many are listed.
SMART_ALBUM_MAX = 5000


def smart_album_members(lib, query: str, filters=None):
    """The one place that decides smart-album membership: the photos the search itself
    deems relevant (Library.search's relevance cut-off), best match first; ``filters``
    (folder, dates) narrow the album without moving the cut-off."""
    return lib.search(query, k=SMART_ALBUM_MAX, filters=filters)


class Tags:
    def __init__(self, lib):
        self.lib = lib
        self.tagger = Tagger(lib)
        self.probes = Probes(lib)
        self.warnings: list[str] = lib.warnings  # shown by the CLI after indexing

    # -- hooks from the Library ---------------------------------------------------------
    def on_embedded(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """New photos of the searching model: zero-shot tags, taught tags, sidecars."""
        changed = self.tagger.tag_vectors(ids, vectors) | self.probes.apply_to(ids, vectors)
        self._sidecars(changed)

    def refresh(self) -> int:
        """Re-tag if the model, vocabulary or threshold changed since the last tagging;
        returns how many photos' tags changed."""
        if self.lib.catalog.count_embedded(self.lib.model_name) == 0:
            return 0
        changed: set[int] = set()
        if not self.tagger.is_current():
            changed |= self.tagger.retag_all()
        changed |= self.probes.retrain_stale()
        self._sidecars(changed)
        return len(changed)

    def _sidecars(self, ids: set[int], force: bool = False) -> None:
        _, errors = self.tagger.sync_sidecars(ids, force)
        if errors:
            self.warnings.append(f"could not write {len(errors)} XMP sidecar(s), e.g. {errors[0]}")

    # -- vocabulary and settings --------------------------------------------------------
    def labels(self) -> list[Label]:
        return self.tagger.vocabulary()

    def set_labels(self, labels: list[Label]) -> int:
        """Replace the vocabulary and re-tag; returns how many photos' tags changed."""
        self.tagger.set_vocabulary(labels)
        return self.refresh()

    def settings(self) -> TagSettings:
        return self.tagger.settings

    def configure(self, sensitivity: float | None = None, max_tags: int | None = None,
                  xmp_sidecars: bool | None = None, auto_tagging: bool | None = None) -> TagSettings:
        """Change tagging settings; re-tags when that changes which tags hold, and writes
        every sidecar when sidecars are switched on."""
        s = self.tagger.settings
        was_xmp = s.xmp_sidecars
        if sensitivity is not None:
            if not 0.0 <= sensitivity <= 1.0:
                raise ValueError("sensitivity must be between 0 and 1")
            s.sensitivity = sensitivity
        if max_tags is not None:
            if max_tags < 1:
                raise ValueError("max tags must be at least 1")
            s.max_tags = max_tags
        s.xmp_sidecars = s.xmp_sidecars if xmp_sidecars is None else xmp_sidecars
        s.auto_tagging = s.auto_tagging if auto_tagging is None else auto_tagging
        s.to_extra(self.lib.settings.extra)
        self.lib.settings.save(self.lib.path)
        self.refresh()
        if s.xmp_sidecars and not was_xmp:
            tagged = [pid for (pid,) in self.lib.catalog.db.execute("SELECT DISTINCT photo_id FROM photo_tags")]
            self._sidecars(set(tagged))
        return s

    # -- albums -------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        return self.tagger.counts()

    def album(self, tag: str) -> list[str]:
        """Paths of the photos carrying ``tag``, most confident first (or of the smart
        album of that name, best match first, when no photo carries such a tag)."""
        ids = self.tagger.album(tag)
        if not ids and any(a["name"] == tag for a in self.smart_albums()):
            return [hit.path for hit in self.smart_album(tag)]
        photos = self.lib.catalog.photos_by_ids(ids)
        return [photos[i].path for i in ids if i in photos]

    def of_photo(self, photo_id: int) -> list[dict]:
        return self.tagger.tags_of(photo_id)

    def albums(self) -> list[dict]:
        """The sidebar: every tag with its count, then the smart albums."""
        tags = [{"name": t, "kind": "tag", "count": n} for t, n in self.counts().items()]
        smart = [{"name": a["name"], "kind": "smart", "query": a["query"]} for a in self.smart_albums()]
        return tags + smart

    # -- manual edits -------------------------------------------------------------------
    def add(self, tag: str, paths: list[str]) -> int:
        """The user tags photos; for a taught tag they also become examples (it retrains)."""
        return self._edit(tag, paths, True)

    def remove(self, tag: str, paths: list[str]) -> int:
        """The user untags photos; for a taught tag they become counter-examples."""
        return self._edit(tag, paths, False)

    def _edit(self, tag: str, paths: list[str], present: bool) -> int:
        ids = self._ids(paths)
        changed = self.tagger.set_manual(ids, tag, present)
        if tag in self.probes.names():
            self.probes.add_examples(tag, ids, present)
            changed |= self.probes.teach(tag)[1]
        self._sidecars(changed)
        return len(changed)

    def _ids(self, paths: list[str]) -> list[int]:
        ids = []
        for raw in paths:
            path = os.path.abspath(os.path.expanduser(os.fspath(raw)))
            photo = self.lib.catalog.photo_at(path)
            if photo is None:
                raise ValueError(f"not in the library: {path}")
            ids.append(photo.id)
        return ids

    # -- taught tags --------------------------------------------------------------------
    def train(self, name: str, positive: list[str], negative: list[str] = ()) -> dict:
        """Teach ``name`` from example photos (and counter-examples) and tag the library."""
        name = " ".join(name.split())
        if not name:
            raise ValueError("empty tag name")
        pos, neg = self._ids(positive), self._ids(list(negative))
        if set(pos) & set(neg):
            raise ValueError("a photo cannot be both an example and a counter-example")
        start = time.perf_counter()
        is_new = name not in self.probes.names()
        self.probes.add_examples(name, pos, True)
        self.probes.add_examples(name, neg, False)
        try:
            tagged, changed = self.probes.teach(name)
        except ValueError:
            if is_new:  # a failed first lesson leaves no half-made tag behind
                self.lib.catalog.db.execute("DELETE FROM probe_examples WHERE probe=?", (name,))
            raise
        self._sidecars(changed)
        positives, negatives = self.probes.examples(name)
        return {"tag": name, "photos": tagged, "examples": len(positives), "counter_examples": len(negatives),
                "seconds": round(time.perf_counter() - start, 4), "source": PROBE}

    # -- smart albums -------------------------------------------------------------------
    def add_smart_album(self, name: str, query: str) -> None:
        if not name.strip() or not query.strip():
            raise ValueError("a smart album needs a name and a query")
        self.lib.catalog.db.execute("INSERT OR REPLACE INTO smart_albums(name, query, created) VALUES (?, ?, ?)",
                                    (name.strip(), query.strip(), time.time()))

    def remove_smart_album(self, name: str) -> bool:
        return self.lib.catalog.db.execute("DELETE FROM smart_albums WHERE name=?", (name,)).rowcount > 0

    def smart_albums(self) -> list[dict]:
        rows = self.lib.catalog.db.execute("SELECT name, query FROM smart_albums ORDER BY name")
        return [{"name": n, "query": q} for n, q in rows]

    def smart_album(self, name: str, filters=None):
        """The album's photos now (live: a saved query, run against the library as it is)."""
        row = self.lib.catalog.db.execute("SELECT query FROM smart_albums WHERE name=?", (name,)).fetchone()
        if row is None:
            raise ValueError(f"no smart album named {name!r}")
        return smart_album_members(self.lib, row[0], filters)
