"""The library: the one facade the CLI and the GUI call.

It opens the catalog and the settings and wires the capability services over them:
indexing (photoapp/core/indexing/service.py), search (core/search/service.py), tags
(core/tagging/service.py) and duplicates (core/duplicates/service.py). Each service gets
what it needs (the catalog, the vector index registry, the searching model and an
embedder provider, its settings section), never the Library; the facade delegates.
"""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from photoapp.config import Settings, library_dir
from photoapp.core.embedding import models as model_registry
from photoapp.core.embedding.base import Embedder
from photoapp.core.embedding.provider import Embedders, ModelChoice
from photoapp.core.errors import LibraryError
from photoapp.core.faces.service import People
from photoapp.core.indexing.folders import FolderRegistry
from photoapp.core.indexing.service import Indexing
from photoapp.core.media.folders import known_gone
from photoapp.core.search import relevance
from photoapp.core.search.dates import DateSpan, same_day
from photoapp.core.search.people_names import person_resolver
from photoapp.core.search.ranking import Filters, Results
from photoapp.core.search.service import Search
from photoapp.core.store import backups as catalog_backups
from photoapp.core.store.catalog import Catalog
from photoapp.core.store.hnsw_file import IndexFileDamaged
from photoapp.core.store.indexes import IndexRegistry
from photoapp.core.store.places import PLACE_FIELDS, PlaceStore
from photoapp.core.store.vector_index import VectorIndex

CATALOG_FILE = "catalog.sqlite3"

# Raised by the model loading under this facade; re-exported so callers (the GUI) can tell
# it apart by type without reaching into the embedding package.
ModelUnavailable = model_registry.ModelUnavailable

if TYPE_CHECKING:  # the indexer pulls in Pillow and the decoders: `photoapp status` needs neither
    from photoapp.core.duplicates.service import Duplicates
    from photoapp.core.indexing.indexer import IndexReport, ProgressFn
    from photoapp.core.marks.service import PhotoMarks
    from photoapp.core.places.service import Places
    from photoapp.core.tagging.service import Tags


class Library:
    def __init__(self, path: str | os.PathLike | None = None, model: str | None = None, device: str | None = None):
        self.path = library_dir(path)
        self.catalog = Catalog(self.path / CATALOG_FILE)
        # Damaged settings.json: one line per problem, for the CLI and the window to show.
        self.settings_problems: list[str] = []
        self.settings = Settings.load(self.path, self.settings_problems)
        if device:
            self.settings.device = device
        self.warnings: list[str] = []
        self.models = ModelChoice(self.settings, model)
        self.embedders = Embedders(self.settings)
        self.indexes = IndexRegistry(
            self.catalog,
            self.path / "index",
            self.settings,
            dim_of=lambda m: self.embedders.get(m).dim,
            warn=self.warnings.append,
        )
        self.searching = Search(
            self.catalog,
            self.indexes,
            lambda: self.model_name,
            lambda: self.embedder,
            self.settings,
            bank=lambda: self.tags.tagger.bank(),
        )
        self.people = People(
            self.catalog, self.settings.faces, self._save_settings, self.warnings, changed=self._faces_renamed
        )
        # Person names in the search bar, after dates and places (core/search/people_names.py).
        self.searching.resolvers.append(person_resolver(self.people.store.names))
        self.indexing = Indexing(
            self.catalog,
            self.indexes,
            self.settings,
            self.path,
            self.models,
            self.embedders,
            add_folders=self.add_folders,
            on_embedded=lambda i, v: self.tags.on_embedded(i, v),
            after_run=self._after_index,
            warnings=self.warnings,
            faces=self._face_stage,
        )
        self.folder_registry = FolderRegistry(self.catalog, self.indexing.private_folders, self.warnings)
        self._tags = None
        self._duplicates = None
        self._places = None
        self._marks = None
        # Before anything else reads the catalog: moves to the trash a killed resolve left
        # half done are settled, so every photo is in place or recorded in the trash.
        self.trash_settled = self._settle_trash()

    def close(self) -> None:
        self.catalog.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _save_settings(self) -> None:
        self.settings.save(self.path)

    # -- people ---------------------------------------------------------------------------
    def _face_stage(self):
        """The face stage of an index run (None: faces off); face data of a library whose
        faces were switched off in settings.json goes first."""
        self.people.before_run()
        return self.people.stage()

    def _after_index(self) -> None:
        self.tags.refresh()
        if self.settings.faces.enabled:
            self._names_from_xmp()
            self.people.regroup()

    def _faces_renamed(self, photo_ids: set[int]) -> None:
        """Named faces changed on these photos: their sidecars' face regions follow (XMP on)."""
        if self.settings.tags.xmp_sidecars and photo_ids:
            self.warnings.extend(self.tags.sidecars.mark(photo_ids))

    def _names_from_xmp(self) -> None:
        """Face regions other programs (or an earlier catalog) wrote into a photo's XMP, its
        sidecar's or the file's own, name the faces just found on it."""
        from photoapp.core.tagging.regions import regions_of_photo, upright_box

        for photo_id, path, orientation in self.people.newly_scanned():
            regions = [(name, upright_box(box, orientation)) for name, box in regions_of_photo(path)]
            if regions:
                self.people.apply_regions(photo_id, regions)

    # -- model --------------------------------------------------------------------------
    @property
    def requested_model(self) -> str | None:
        """``--model``, until a switch to it completes."""
        return self.models.requested

    @property
    def model_name(self) -> str:
        """The model whose embeddings answer searches: --model, else the library's active one."""
        return self.models.searching

    @property
    def pending_model(self) -> str | None:
        """A model being switched to: it embeds in the background while the old one answers."""
        return self.models.pending

    @property
    def embedder(self) -> Embedder:
        return self.embedders.get(self.model_name)

    def embedder_for(self, model: str) -> Embedder:
        return self.embedders.get(model)

    def share_models(self, other: Library) -> None:
        """Use ``other``'s loaded models (a watcher's Library beside the GUI's): one copy in memory."""
        self.embedders.share(other.embedders)

    # -- folders ------------------------------------------------------------------------
    def folders(self) -> list[str]:
        return [p for _, p in self.catalog.folders()]

    def add_folders(self, paths: list[str | os.PathLike]) -> list[tuple[int, str]]:
        """Register folders; returns their (id, path). See FolderRegistry.add."""
        return self.folder_registry.add(paths)

    def offline_folders(self) -> list[dict]:
        """Library folders whose photos cannot be checked now (a missing, unreadable or
        suddenly empty root: an unplugged or unmounted drive): ``[{"path", "reason"}]``.
        Their photos stay in the catalog until the folder is back."""
        return self.folder_registry.offline()

    def remove_folder(self, path: str | os.PathLike) -> int:
        path = os.path.abspath(os.fspath(path))
        if path not in self.folders():
            raise LibraryError(f"not a library folder: {path}")
        before = self.catalog.embedded_ids(self.model_name)
        removed = self.catalog.remove_folder(path)
        gone = before - self.catalog.embedded_ids(self.model_name)
        self.indexes.remove(gone)
        self.indexes.save()
        return removed

    # -- indexing -----------------------------------------------------------------------
    def index_folders(
        self, paths: list[str] | None = None, progress: ProgressFn | None = None, cancel: threading.Event | None = None
    ) -> IndexReport:
        """Register ``paths`` (if given) and index them, else every registered folder."""
        self.folder_registry.fold_aliases()
        report = self.indexing.index_folders(paths, progress, cancel)
        self.update_places(cancel)
        self._backup_catalog()
        return report

    def index_paths(
        self, paths: list[str], progress: ProgressFn | None = None, cancel: threading.Event | None = None
    ) -> IndexReport:
        """Reconcile just these files or folders (new, changed, moved or gone) of registered
        folders, then save the index; what a folder watcher calls for each batch of changes."""
        report = self.indexing.index_paths(paths, progress, cancel)
        self.update_places(cancel)
        self._backup_catalog()
        return report

    def _backup_catalog(self) -> None:
        """After a run that completed: the daily backup of the catalog, if it is due
        (store/backups.py). A backup that cannot be written is a warning, not a failed run."""
        try:
            catalog_backups.backup(self.catalog)
        except OSError as exc:
            self.warnings.append(f"could not back up the catalog: {exc}")

    # -- places ---------------------------------------------------------------------------
    @property
    def places(self) -> Places:
        """Where photos were taken (photoapp/core/places/service.py); the geocoder loads only
        when there are photos to place."""
        if self._places is None:
            from photoapp.core.places.service import Places

            self._places = Places(self.catalog)
        return self._places

    def update_places(self, cancel: threading.Event | None = None) -> int:
        """Place the photos whose position has no place from the current geocoder data (after
        an index run; again for every photo when the data changes). Returns how many; a
        geocoder that cannot load is a warning, never a failed index run."""
        try:
            return self.places.update(cancel=cancel)
        except (ImportError, OSError, ValueError) as exc:
            self.warnings.append(f"could not name the places of GPS-tagged photos: {exc}")
            return 0

    def place_refs(self, name: str) -> tuple:
        """The held places called ``name`` (any of their names, case and accents aside) as
        filter values (``Filters(places=...)``); a name of no held place filters to nothing."""
        from photoapp.core.places.names import fold
        from photoapp.core.search.interpret import PlaceRef

        refs = [r for r in self.searching.place_resolver().by_name.get(fold(name), ()) if r.kind != "elsewhere"]
        return tuple(refs) or (PlaceRef("elsewhere", name, ""),)

    @staticmethod
    def place_ref(kind: str, name: str, country_code: str):
        """A filter value (``Filters(places=(...,))``) for one held city, region or country
        (a country's name is its code), as the sidebar's Places chooses them."""
        from photoapp.core.search.interpret import PlaceRef

        return PlaceRef(kind, name, country_code)

    def paths_in_places(self, refs: tuple, paths: list[str]) -> list[str]:
        """``paths`` (in their order) of the photos taken in any of the places ``refs``."""
        from photoapp.core.search.ranking import allowed_ids

        allowed = allowed_ids(self.catalog, Filters(places=refs)) or set()
        keep = {p for i, p, _ in self.catalog.photo_locations() if i in allowed}
        return [p for p in paths if p in keep]

    def place_counts(self) -> list[dict]:
        """Countries and their cities with photo counts, most photos first (``photoapp places``)."""
        return self.places.counts()

    def place_tree(self) -> list[dict]:
        """Countries by name with their cities, photo counts and covers (the sidebar's Places)."""
        return self.places.tree()

    def positions(self) -> list[tuple[int, float, float]]:
        """(id, lat, lon) of every GPS-tagged photo (the world map's markers)."""
        return PlaceStore(self.catalog).positions()

    @staticmethod
    def world_outlines() -> list:
        """Every country's outline rings as (n, 2) arrays of lon, lat (Natural Earth, offline)."""
        from photoapp.core.places.world import countries

        return [ring for country in countries() for ring in country.rings]

    @staticmethod
    def cluster_positions(lat, lon, cell: float, view=None) -> list:
        """The map's markers: Cluster(lat, lon, count, box) per grid cell of ``cell`` degrees
        (photoapp/core/places/clusters.py); ``Filters(area=cluster.box)`` lists its photos."""
        from photoapp.core.places.clusters import cluster

        return cluster(lat, lon, cell, view)

    # -- on this day ----------------------------------------------------------------------
    def on_this_day_filter(self, day: date | None = None) -> Filters:
        """Photos taken on ``day``'s month and day (default today) in earlier years."""
        day = day or date.today()
        first = PlaceStore(self.catalog).first_year()
        spans = same_day(day, first) if first is not None else ()
        return Filters(dates=spans or (DateSpan(day, day),))  # an empty span: no photo

    def on_this_day_count(self, day: date | None = None) -> tuple[int, tuple | None]:
        """How many photos "On this day" holds and its cover ((path, mtime) of the newest),
        cheaply (no listing of the library: the sidebar asks after every index run)."""
        from photoapp.core.search.ranking import allowed_ids

        ids = allowed_ids(self.catalog, self.on_this_day_filter(day)) or set()
        photos = self.catalog.photos_by_ids(ids).values()
        newest = max(photos, key=lambda p: (p.taken or 0, p.id), default=None)
        return len(ids), (newest.path, newest.mtime) if newest else None

    def on_this_day(self, day: date | None = None) -> dict:
        """``{"date", "photos", "years": [{"year", "years_ago", "photos": [{"path", "taken"}]}]}``,
        newest year first, each year's photos in the order they were taken."""
        day = day or date.today()
        rows = self.browse(self.on_this_day_filter(day))
        local = {c.photo_id: c.local for c in self.captures([r[0] for r in rows]).values()}
        years: dict[int, list] = {}
        for photo_id, path, *_ in sorted(rows, key=lambda r: local.get(r[0]) or ""):
            taken = local.get(photo_id) or ""
            years.setdefault(int(taken[:4]), []).append({"path": path, "taken": taken})
        return {
            "date": day.isoformat(),
            "photos": len(rows),
            "years": [{"year": y, "years_ago": day.year - y, "photos": years[y]} for y in sorted(years, reverse=True)],
        }

    # -- tags -----------------------------------------------------------------------------
    @property
    def tags(self) -> Tags:
        """Auto-tags, albums, smart albums, taught tags, sidecars (photoapp/core/tagging/service.py)."""
        if self._tags is None:
            from photoapp.core.embedding.bank import library_cache_dir
            from photoapp.core.tagging.service import Tags

            self._tags = Tags(
                self.catalog,
                lambda: self.model_name,
                lambda: self.embedder,
                self.settings.tags,
                self._save_settings,
                self.searching.search,
                self.warnings,
                library_cache_dir(self),
            )
        return self._tags

    # -- duplicates -----------------------------------------------------------------------
    @property
    def duplicates(self) -> Duplicates:
        """Exact / near / similar duplicates, resolve to the trash, undo (photoapp/core/duplicates/service.py)."""
        if self._duplicates is None:
            from photoapp.core.duplicates.service import Duplicates

            self._duplicates = Duplicates(
                self.catalog, self.indexes, lambda: self.model_name, self.settings.duplicates, self._save_settings
            )
        return self._duplicates

    # -- marks and the trash --------------------------------------------------------------
    @property
    def marks(self) -> PhotoMarks:
        """Stars, favourites and rotation (photoapp/core/marks/service.py)."""
        if self._marks is None:
            from photoapp.core.marks.service import PhotoMarks

            self._marks = PhotoMarks(self.catalog, lambda ids: self.tags.reconcile_sidecars(set(ids)))
        return self._marks

    def trash(self, paths: list[str]) -> dict:
        """Move photos to the system trash, journalled and undoable (``Duplicates.trash``)."""
        return self.duplicates.trash(paths)

    def untrash(self, paths: list[str] | None = None, batch: int | None = None) -> dict:
        """Put photos back from the trash: these paths, else a batch (default: the latest)."""
        return self.duplicates.untrash(paths) if paths else self.duplicates.undo(batch)

    def export(self, paths: list[str], folder: str, fmt: str = "jpeg") -> dict:
        """Copies of photos in ``folder``: JPEG with their rotation applied, or the original
        files as they are ("original"); see core/marks/export.py."""
        from photoapp.core.marks.export import export

        marks = self.marks.of(paths)
        return export([(p, m.rotation) for p, m in marks.items()], folder, fmt)

    def _settle_trash(self) -> list[dict]:
        """``Duplicates.reconcile`` when the trash journal has a pending move (one query otherwise)."""
        from photoapp.core.store.duplicates import DuplicateStore

        return self.duplicates.reconcile() if DuplicateStore(self.catalog).pending() else []

    # -- vector index -------------------------------------------------------------------
    def _index_file(self, model: str | None = None) -> Path:
        return self.indexes.file(model or self.model_name)

    def vector_index(self, model: str | None = None, dim: int | None = None) -> VectorIndex:
        """A model's index (default: the searching one), loaded, or rebuilt from the catalog."""
        return self.indexes.get(model or self.model_name, dim)

    def save_index(self) -> None:
        """Persist every loaded index atomically (other processes pick them up)."""
        self.indexes.save()

    def refresh_indexes(self, paths: list[str] = ()) -> None:
        """Bring the loaded vector indexes in step with the catalog after another writer
        (a folder watcher's own Library, another process) changed it; ``paths`` were
        changed in place, so their vectors are re-read. Only the difference is loaded."""
        self.indexes.refresh(paths)

    # -- search -------------------------------------------------------------------------
    def prepare_search(self) -> None:
        """Load what a first search needs (the model, its text tower, the library's score
        scale) so it answers at once: the window calls this in the background after it shows."""
        self.searching.warm()

    def search(
        self,
        text: str,
        k: int | None = None,
        filters: Filters | None = None,
        sort: str = "relevance",
        cutoff: bool = True,
        understand: bool = True,
    ) -> Results:
        """Photos matching a query: text, an image path, or rclip-style combinations
        ("beach +dog -cat", "photo.jpg +sunset"); see photoapp.core.search.query. With ``cutoff``
        only the relevant photos (adaptive cut-off, capped at ``k`` if given), else the
        top ``k`` (default 20). With ``understand`` the query's date and place words are
        filters (core/search/interpret.py; ``results.interpretation`` says how it was read)
        and a query of only those lists every matching photo, newest first."""
        return self.searching.search(text, k, filters, sort, cutoff, understand)

    def interpret(self, text: str):
        """How the search bar reads ``text`` (an Interpretation: CLIP text and chips)."""
        return self.searching.interpret(text)

    @staticmethod
    def without(query: str, chip) -> str:
        """``query`` with one of its readings undone: the chip's words quoted, so they go
        to the model as text (the GUI's chip removal)."""
        from photoapp.core.search.interpret import without

        return without(query, chip)

    def similar(
        self,
        path: str | os.PathLike,
        k: int | None = None,
        filters: Filters | None = None,
        sort: str = "relevance",
        cutoff: bool = True,
    ) -> Results:
        """Photos most like ``path`` (a catalogued photo or any image file), itself excluded."""
        return self.searching.similar(path, k, filters, sort, cutoff)

    def decision(self, kind: str = "text"):
        """The relevance decision of this library's model for ``kind`` ("text" or "image"):
        (scores, weights) -> Cutoff, calibrated on this library (photoapp.core.search.relevance)."""
        return self.searching.decision(kind)

    def calibration(self, with_bank: bool = True) -> relevance.Calibration:
        """The model's score scale on this library (see Search.calibration)."""
        return self.searching.calibration(with_bank)

    # -- inspection ---------------------------------------------------------------------
    def photo(self, path: str | os.PathLike) -> dict:
        """What the catalog knows about a photo, with its tags and the camera facts of its
        EXIF (``exif``: read_exif's numbers; ``describe_exif`` puts them in words)."""
        from photoapp.core.media.exif import read_exif

        path = os.path.abspath(os.fspath(path))
        photo = self.catalog.photo_at(path)  # a pair's RAW file answers for the pair
        if photo is None:
            raise LibraryError(f"not in the library: {path}")
        info = photo.as_dict()
        info["embedded_models"] = self.catalog.embedded_models(photo.id)
        info["exists"] = os.path.exists(photo.path)
        if photo.companion:
            info["files"] = [photo.path, photo.companion]  # a RAW+JPEG pair: both, JPEG first
        info["tags"] = [t["tag"] for t in self.tags.of_photo(photo.id)]
        info["tag_details"] = self.tags.of_photo(photo.id)
        info.update(self.marks.of([photo.path])[photo.path].as_dict())
        info["exif"] = read_exif(photo.path) if info["exists"] else {}
        info["gps"] = [photo.lat, photo.lon] if photo.lat is not None else None
        place = PlaceStore(self.catalog).place_of(photo.id) or {}
        info["place"] = {f: place.get(f) for f in PLACE_FIELDS}
        info["faces"] = self.people.faces_in_photo(photo.path)  # boxes, ids and names
        return info

    def captures(self, ids=None) -> dict:
        """photo id -> Capture (timestamp with sub-seconds, wall clock with milliseconds, zone
        offset in minutes or None, source exif|video|file) of ``ids``, or of every photo."""
        return PlaceStore(self.catalog).captures(ids)

    def status(self) -> dict:
        from photoapp.core.embedding.onnxrt import precision_note

        return {
            "library": str(self.path),
            "photos": self.catalog.count_photos(),
            "indexed": self.catalog.count_embedded(self.model_name),
            "model": self.model_name,
            "switching_to": self.pending_model,
            "switch_progress": self.catalog.count_embedded(self.pending_model) if self.pending_model else None,
            "folders": self.folders(),
            "offline": self.offline_folders(),
            "problems": self.catalog.problems(),
            "notes": [note for note in (precision_note(m) for m in (self.model_name, self.pending_model) if m) if note],
        }

    @staticmethod
    def check_catalog(path: str | os.PathLike | None = None, repair: bool = True) -> dict:
        """SQLite's integrity check of a library's catalog, run without opening the library
        (a damaged catalog cannot be opened); with ``repair`` a damaged one is set aside and
        replaced by its newest sound backup (or what can still be read of it)."""
        catalog_path = library_dir(path) / CATALOG_FILE
        problems = catalog_backups.verify(catalog_path) if catalog_path.exists() else []
        restored = catalog_backups.restore(catalog_path).as_dict() if problems and repair else None
        return {"integrity": problems[:20] or "ok", "catalog_restored": restored}

    def check(self, repair: bool = True, integrity: bool = True) -> dict:
        """Catalog integrity (unless ``integrity`` is False: ``check_catalog`` ran it) and
        catalog<->index agreement; repairs the index if asked."""
        errors = self.catalog.integrity_check() if integrity else []
        ids, _ = self.catalog.embeddings(self.model_name)
        expected = set(ids.tolist())
        damage = None
        try:
            dim = self.catalog.embedding_dim(self.model_name) or 0
            loaded = self.indexes.stored(self.model_name, dim) if expected else None
        except IndexFileDamaged as exc:
            loaded, damage = None, str(exc)
        in_index = loaded.ids() if loaded is not None else set()
        missing, extra = expected - in_index, in_index - expected
        agreed = not missing and not extra and damage is None
        repaired = False
        if not agreed and repair and not errors:
            self.indexes.drop(self.model_name)
            self.indexes.get(self.model_name)
            repaired = True
        self.trash_settled += self._settle_trash()  # before vanished files: a trashed photo is not "vanished"
        vanished = self._vanished_photos()
        if vanished and repair and not errors:
            self._forget(list(vanished))
        sidecars, unwritten = self.tags.reconcile_sidecars() if repair and not errors else (0, [])  # after a crash
        return {
            "ok": not errors and (agreed or repaired),
            "integrity": errors[:20] or "ok",
            "index_agrees": agreed,
            "index_damaged": damage,
            "index_missing": len(missing),
            "index_extra": len(extra),
            "index_rebuilt": repaired,
            "photos": len(expected),
            "vanished_files": sorted(vanished.values())[:100],
            "vanished_count": len(vanished),
            "vanished_removed": bool(vanished and repair and not errors),
            "trash_settled": self.trash_settled,
            "sidecars_reconciled": sidecars,
            "sidecars_not_written": unwritten[:100],
        }

    def _vanished_photos(self) -> dict[int, str]:
        """Catalogued photos whose file is known to be gone, in folders that are online."""
        offline = {f["path"] for f in self.offline_folders()}
        online = {fid for fid, root in self.catalog.folders() if root not in offline}
        rows = self.catalog.photo_locations()
        return {pid: path for pid, path, fid in rows if fid in online and known_gone(path) and not os.path.exists(path)}

    def _forget(self, ids: list[int]) -> None:
        from photoapp.core.store.keepsakes import Keepsakes

        with self.catalog.transaction():
            Keepsakes(self.catalog).keep(ids)  # hand-made tags come back if the file does
            self.catalog.delete_photos(ids)
        self.indexes.remove(ids)
        self.indexes.save()

    # -- for the GUI: rows, albums, watching, media helpers --------------------------------
    def browse(self, filters: Filters | None = None, limit: int | None = None) -> list[tuple]:
        """Every photo passing ``filters`` (the newest ``limit`` of them: a first screenful),
        newest first: ``(id, path, mtime, taken, kind, duration, companion, aspect)`` tuples,
        the cheap listing a gallery of 100,000 needs (``aspect``: width / height as
        displayed, None when unknown)."""
        from photoapp.core.search.ranking import allowed_ids
        from photoapp.core.store.catalog import PhotoOrder

        allowed = allowed_ids(self.catalog, filters or Filters())
        rows = self.catalog.browse_rows(order=PhotoOrder.NEWEST, limit=limit if allowed is None else None)
        media = self.catalog.media_of()  # videos and RAW files only: small
        plain = ("photo", None, None)
        return [
            (i, path, mtime, taken, *media.get(i, plain), w / h if w and h else None)
            for i, path, mtime, taken, w, h in rows
            if allowed is None or i in allowed
        ][:limit]

    def album_photos(self, name: str, filters: Filters | None = None, smart: bool = False) -> list[tuple]:
        """``(Photo, score or None)`` of a tag's album (most confident first) or, with
        ``smart``, of a smart album (best match first, with its scores), within ``filters``."""
        from photoapp.core.search.ranking import allowed_ids

        if smart:
            hits = self.tags.smart_album(name, filters)
            scores, ids, allowed = {h.photo_id: h.score for h in hits}, [h.photo_id for h in hits], None
        else:
            ids, scores, allowed = self.tags.tagger.album(name), {}, allowed_ids(self.catalog, filters or Filters())
        photos = self.catalog.photos_by_ids(ids)
        return [(photos[i], scores.get(i)) for i in ids if i in photos and (allowed is None or i in allowed)]

    def problems(self) -> list[dict]:
        """The files that could not be read: ``[{"path", "error"}]``."""
        return self.catalog.problems()

    def taught_tags(self) -> list[str]:
        """The names of the tags taught from example photos."""
        return self.tags.probes.names()

    @staticmethod
    def teach_min_examples() -> int:
        """How many example photos teaching a tag needs at least."""
        from photoapp.core.tagging.probe import MIN_POSITIVES

        return MIN_POSITIVES

    def folder_watcher(self, on_batch=None, on_status=None):
        """A FolderWatcher (photoapp/core/watching/watcher.py) over this Library, not started."""
        from photoapp.core.watching.watcher import FolderWatcher

        return FolderWatcher(self, on_batch=on_batch, on_status=on_status)

    @staticmethod
    def canonical_model_name(spec: str) -> str:
        """The name a library records for a model ``spec`` (folders become absolute paths)."""
        return model_registry.canonical_name(spec)

    @staticmethod
    def download_progress(listener):
        """Context manager: the bytes of a model download this thread starts go to ``listener``."""
        return model_registry.download_progress(listener)

    @staticmethod
    def is_photo_file(path: str) -> bool:
        """An existing file whose name is one of the formats Photoapp reads."""
        from photoapp.core.media.decoding import is_photo_name

        return os.path.isfile(path) and is_photo_name(os.path.basename(path))

    @staticmethod
    def media_kind(path: str) -> str:
        """photo, raw or video, from the file name (for files outside the library too)."""
        from photoapp.core.media.formats import media_kind

        return media_kind(path)

    @staticmethod
    def describe_exif(facts: dict) -> dict[str, str]:
        """``photo()["exif"]`` as a person reads it: {"Aperture": "f/5.6", "Shutter": "1/80 s", ...}."""
        from photoapp.core.media.exif import describe_exif

        return describe_exif(facts)

    @staticmethod
    def read_image(path: str, min_side: int | None = None):
        """The photo decoded upright as 8-bit RGB (a Pillow image), JPEGs at reduced scale when
        ``min_side`` allows; DecodeError (a PhotoappError) says why one cannot be read."""
        from photoapp.core.media.decoding import load_rgb

        return load_rgb(path, min_side=min_side)[0]

    @staticmethod
    def thumbnail_bucket(size: int) -> int:
        """The cached thumbnail size that serves a display ``size``."""
        from photoapp.core.media.thumbnails import bucket_for

        return bucket_for(size)

    @staticmethod
    def thumbnail(library_path: str | os.PathLike, photo_path: str, mtime: float, bucket: int):
        """A photo's thumbnail (Pillow image) from the library's cache, rendered on a miss;
        uses no catalog, so any thread may call it."""
        from photoapp.core.media.thumbnails import load_or_render

        return load_or_render(Path(library_path), photo_path, mtime, bucket)
