"""The tagging side of the Library facade (``Library.tags``): what the CLI and the GUI call.

Vocabulary, tagging settings, albums (every tag is one) and smart albums (saved queries),
manual tag edits, tags taught from examples, and XMP sidecars. Paths in, plain data out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from photoapp.config import TagSettings
from photoapp.core.embedding.base import Embedder
from photoapp.core.errors import InvalidInput
from photoapp.core.store.catalog import Catalog
from photoapp.core.store.lookup import photos_at
from photoapp.core.store.marks import MarkStore
from photoapp.core.store.probes import ProbeStore
from photoapp.core.store.tags import TagStore
from photoapp.core.tagging.labels import Label
from photoapp.core.tagging.probe import Probes
from photoapp.core.tagging.rule import PROBE, Tagger
from photoapp.core.tagging.sidecars import Sidecars

# A smart album holds what its query's search finds relevant (the search's own adaptive
# cut-off decides, see ``smart_album_members``); this caps only how many are listed.
SMART_ALBUM_MAX = 5000


def smart_album_members(search: Callable, query: str, filters=None):
    """The one place that decides smart-album membership: the photos the search itself
    deems relevant (``search`` is Library.search: its relevance cut-off), best match first;
    ``filters`` (folder, dates) narrow the album without moving the cut-off."""
    return search(query, k=SMART_ALBUM_MAX, filters=filters)


class Tags:
    """Tagging, wired by the Library: the catalog and its tag and probe rows, the searching
    model (name and embedder provider), the tagging settings section and how to save it,
    the search (smart albums) and the list of warnings the CLI shows after indexing."""

    def __init__(
        self,
        catalog: Catalog,
        model: Callable[[], str],
        embedder: Callable[[], Embedder],
        settings: TagSettings,
        save_settings: Callable[[], None],
        search: Callable,
        warnings: list[str],
        cache_dir: Path | None = None,
    ):
        self.catalog, self.model = catalog, model
        self._save_settings, self._search = save_settings, search
        self.store = TagStore(catalog)
        self.tagger = Tagger(catalog, self.store, model, embedder, settings, cache_dir)
        self.probes = Probes(catalog, ProbeStore(catalog), model, self.tagger)
        self.sidecars = Sidecars(catalog, self.store, settings, self.tagger.tags_of)
        self.warnings = warnings  # shown by the CLI after indexing

    # -- hooks from the Library ---------------------------------------------------------
    def on_embedded(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """New photos of the searching model: zero-shot tags, taught tags, sidecars."""
        changed = self.tagger.tag_vectors(ids, vectors) | self.probes.apply_to(ids, vectors)
        self._sidecars(changed)

    def refresh(self) -> int:
        """Re-tag if the model, vocabulary or threshold changed since the last tagging, and
        write the sidecars a crash left out of step; returns how many photos' tags changed."""
        changed: set[int] = set()
        if self.catalog.count_embedded(self.model()) > 0:
            if not self.tagger.is_current():
                changed |= self.tagger.retag_all()
            changed |= self.probes.retrain_stale()
        self.reconcile_sidecars(changed)
        return len(changed)

    def reconcile_sidecars(self, also: set[int] = frozenset()) -> tuple[int, list[str]]:
        """Write the sidecars still marked out of step (and ``also`` these) if sidecars are
        on; returns how many photos were looked at, and "sidecar: reason" of those not written."""
        looked_at, errors = self.sidecars.reconcile(also)
        self._warn(errors)
        return looked_at, errors

    def _sidecars(self, ids: set[int]) -> None:
        self._warn(self.sidecars.write(ids))

    def _warn(self, errors: list[str]) -> None:
        if errors:
            self.warnings.append(f"{len(errors)} XMP sidecar(s) not written (see problems), e.g. {errors[0]}")

    # -- vocabulary and settings --------------------------------------------------------
    def labels(self) -> list[Label]:
        return self.tagger.vocabulary()

    def set_labels(self, labels: list[Label]) -> int:
        """Replace the vocabulary and re-tag; returns how many photos' tags changed."""
        self.tagger.set_vocabulary(labels)
        return self.refresh()

    def settings(self) -> TagSettings:
        return self.tagger.settings

    def configure(
        self,
        sensitivity: float | None = None,
        max_tags: int | None = None,
        xmp_sidecars: bool | None = None,
        auto_tagging: bool | None = None,
    ) -> TagSettings:
        """Change tagging settings; re-tags when that changes which tags hold, and writes
        every sidecar when sidecars are switched on."""
        section = self.tagger.settings
        s = replace(section)  # checked whole before it changes the library's settings
        was_xmp = s.xmp_sidecars
        if sensitivity is not None:
            if not 0.0 <= sensitivity <= 1.0:
                raise InvalidInput("sensitivity must be between 0 and 1")
            s.sensitivity = sensitivity
        if max_tags is not None:
            if max_tags < 1:
                raise InvalidInput("max tags must be at least 1")
            s.max_tags = max_tags
        s.xmp_sidecars = s.xmp_sidecars if xmp_sidecars is None else xmp_sidecars
        s.auto_tagging = s.auto_tagging if auto_tagging is None else auto_tagging
        vars(section).update(vars(s))
        self._save_settings()
        self.refresh()
        if s.xmp_sidecars and not was_xmp:  # every tagged photo, and any left out of step
            self.reconcile_sidecars(set(self.store.tagged_ids()) | set(MarkStore(self.catalog).marked()))
        return section

    # -- albums -------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        return self.tagger.counts()

    def album(self, tag: str) -> list[str]:
        """Paths of the photos carrying ``tag``, most confident first (or of the smart
        album of that name, best match first, when no photo carries such a tag)."""
        ids = self.tagger.album(tag)
        if not ids and any(a["name"] == tag for a in self.smart_albums()):
            return [hit.path for hit in self.smart_album(tag)]
        photos = self.catalog.photos_by_ids(ids)
        return [photos[i].path for i in ids if i in photos]

    def of_photo(self, photo_id: int) -> list[dict]:
        return self.tagger.tags_of(photo_id)

    def albums(self, smart_counts: bool = False) -> list[dict]:
        """The sidebar: every tag with its count and ``group`` ("taught": a tag taught from
        examples; "yours": one set by hand on some photo; "auto": the vocabulary's), then the
        smart albums; with ``smart_counts`` (each smart album runs its search) every album
        also gets a ``count`` and a ``cover`` ((path, mtime) of its first photo, or None)."""
        from photoapp.core.errors import PhotoappError
        from photoapp.core.tagging.rule import MANUAL

        taught, yours = set(self.probes.names()), self.store.tags_from(MANUAL)
        tags = [
            {"name": t, "kind": "tag", "count": n, "group": _group(t, taught, yours)} for t, n in self.counts().items()
        ]
        smart = [{"name": a["name"], "kind": "smart", "query": a["query"]} for a in self.smart_albums()]
        if not smart_counts:
            return tags + smart
        firsts = {a["name"]: (self.tagger.album(a["name"]) or [None])[0] for a in tags}
        for album in smart:
            try:
                hits = self.smart_album(album["name"])
                album["count"], firsts[album["name"]] = len(hits), hits[0].photo_id if hits else None
            except PhotoappError:  # nothing indexed yet, no model: the album is listed without a count
                album["count"] = None
        photos = self.catalog.photos_by_ids([i for i in firsts.values() if i is not None])
        for album in tags + smart:  # the cover: the surest photo (path, mtime), for a thumbnail
            first = photos.get(firsts.get(album["name"]))
            album["cover"] = (first.path, first.mtime) if first else None
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
        return [photo.id for photo in photos_at(self.catalog, paths)]

    # -- taught tags --------------------------------------------------------------------
    def train(self, name: str, positive: list[str], negative: list[str] = ()) -> dict:
        """Teach ``name`` from example photos (and counter-examples) and tag the library."""
        name = " ".join(name.split())
        if not name:
            raise InvalidInput("empty tag name")
        pos, neg = self._ids(positive), self._ids(list(negative))
        if set(pos) & set(neg):
            raise InvalidInput("a photo cannot be both an example and a counter-example")
        start = time.perf_counter()
        is_new = name not in self.probes.names()
        self.probes.add_examples(name, pos, True)
        self.probes.add_examples(name, neg, False)
        try:
            tagged, changed = self.probes.teach(name)
        except ValueError:
            if is_new:  # a failed first lesson leaves no half-made tag behind
                self.probes.drop_examples(name)
            raise
        self._sidecars(changed)
        positives, negatives = self.probes.examples(name)
        return {
            "tag": name,
            "photos": tagged,
            "examples": len(positives),
            "counter_examples": len(negatives),
            "seconds": round(time.perf_counter() - start, 4),
            "source": PROBE,
        }

    def rename_taught(self, old: str, new: str) -> dict:
        """Rename taught tag ``old``: its examples, probe and tags move to ``new`` in one
        transaction (nothing is retrained). A ``new`` that is a hand or auto tag is merged
        with it (where a photo has both, a hand-given tag holds); a taught one is refused."""
        old, new = self._new_name(old, new)
        taught = self.probes.names()
        if old not in taught:
            raise InvalidInput(f"no taught tag named {old!r}")
        if new in taught:
            raise InvalidInput(f"{new!r} is already a taught tag: choose another name")
        merged = new in self.counts()
        moved = self.probes.rename(old, new)
        self._sidecars(moved)
        return {"tag": new, "was": old, "photos": len(self.tagger.album(new)), "moved": len(moved), "merged": merged}

    def forget_taught(self, name: str) -> dict:
        """Forget taught tag ``name``: its examples and probe go, and so does the tag on the
        photos it gave it to; tags given by hand under that name stay (``kept``)."""
        name = " ".join(name.split())
        if name not in self.probes.names():
            raise InvalidInput(f"no taught tag named {name!r}")
        untagged = self.probes.forget(name)
        self._sidecars(untagged)
        return {"tag": name, "untagged": len(untagged), "kept": len(self.tagger.album(name))}

    def rename(self, old: str, new: str) -> dict:
        """Rename any tag: a taught one with ``rename_taught``; any other by hand (its photos
        get ``new`` as a hand tag and lose ``old``, so auto-tagging does not put it back)."""
        old, new = self._new_name(old, new)
        if old in self.probes.names():
            return self.rename_taught(old, new)
        paths = self.album(old) if old in self.counts() else []
        if not paths:
            raise InvalidInput(f"no tag named {old!r}")
        merged = new in self.counts()
        self.add(new, paths)
        self.remove(old, paths)
        return {"tag": new, "was": old, "photos": len(self.tagger.album(new)), "moved": len(paths), "merged": merged}

    @staticmethod
    def _new_name(old: str, new: str) -> tuple[str, str]:
        old, new = " ".join(old.split()), " ".join(new.split())
        if not new:
            raise InvalidInput("empty tag name")
        if new == old:
            raise InvalidInput(f"the tag is already named {new!r}")
        return old, new

    # -- smart albums -------------------------------------------------------------------
    def add_smart_album(self, name: str, query: str) -> None:
        if not name.strip() or not query.strip():
            raise InvalidInput("a smart album needs a name and a query")
        self.store.put_smart_album(name.strip(), query.strip())

    def remove_smart_album(self, name: str) -> bool:
        return self.store.remove_smart_album(name)

    def smart_albums(self) -> list[dict]:
        return [{"name": n, "query": q} for n, q in self.store.smart_albums()]

    def smart_album(self, name: str, filters=None):
        """The album's photos now (live: a saved query, run against the library as it is)."""
        query = self.store.smart_album_query(name)
        if query is None:
            raise InvalidInput(f"no smart album named {name!r}")
        return smart_album_members(self._search, query, filters)


def _group(tag: str, taught: set[str], yours: set[str]) -> str:
    return "taught" if tag in taught else "yours" if tag in yours else "auto"
