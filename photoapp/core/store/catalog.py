"""The catalog: one SQLite database (WAL) per library, the source of truth.

Photos, their metadata and their embeddings (per model) live here, so the vector
index can always be rebuilt from it. The schema changes only through the numbered
migrations below.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np

from photoapp.core.errors import PhotoappError

SCHEMA_VERSION = 12

MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE folders (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        added REAL NOT NULL
    );
    CREATE TABLE photos (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        folder_id INTEGER REFERENCES folders(id) ON DELETE CASCADE,
        size INTEGER NOT NULL,
        mtime REAL NOT NULL,
        hash TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        taken REAL,
        taken_from_exif INTEGER NOT NULL DEFAULT 0,
        camera TEXT,
        orientation INTEGER NOT NULL DEFAULT 1,
        format TEXT,
        added REAL NOT NULL
    );
    CREATE INDEX photos_hash ON photos(hash);
    CREATE INDEX photos_taken ON photos(taken);
    CREATE INDEX photos_folder ON photos(folder_id);
    CREATE TABLE embeddings (
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (photo_id, model)
    );
    CREATE INDEX embeddings_model ON embeddings(model);
    CREATE TABLE problems (
        path TEXT PRIMARY KEY,
        error TEXT NOT NULL,
        size INTEGER,
        mtime REAL,
        seen REAL NOT NULL
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    """,
    # Tagging (photoapp/core/tagging/rule.py). source: auto (zero-shot), probe (taught from
    # examples), manual (added by the user) or rejected (removed by the user: a tombstone
    # that keeps auto-tagging from bringing the tag back).
    2: """
    CREATE TABLE labels (
        position INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        grp TEXT NOT NULL DEFAULT '',
        prompts TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE label_vectors (
        model TEXT NOT NULL,
        prompts_key TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, prompts_key)
    );
    CREATE TABLE photo_tags (
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        source TEXT NOT NULL,
        confidence REAL,
        PRIMARY KEY (photo_id, tag)
    );
    CREATE INDEX photo_tags_tag ON photo_tags(tag, source);
    CREATE TABLE probes (
        name TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        weights BLOB NOT NULL,
        bias REAL NOT NULL,
        threshold REAL NOT NULL,
        trained REAL NOT NULL
    );
    CREATE TABLE probe_examples (
        probe TEXT NOT NULL,
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        positive INTEGER NOT NULL,
        PRIMARY KEY (probe, photo_id)
    );
    CREATE TABLE smart_albums (
        name TEXT PRIMARY KEY,
        query TEXT NOT NULL,
        created REAL NOT NULL
    );
    """,
    # Duplicates (core/duplicates.py): perceptual fingerprints, pairs the user said are not
    # duplicates (by content hash, so the answer survives moves and re-indexing), and the
    # undo list of photos sent to the system trash.
    3: """
    CREATE TABLE fingerprints (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
        phash INTEGER NOT NULL,
        dhash INTEGER NOT NULL,
        sharpness REAL
    );
    CREATE TABLE not_duplicates (
        hash_a TEXT NOT NULL,
        hash_b TEXT NOT NULL,
        added REAL NOT NULL,
        PRIMARY KEY (hash_a, hash_b)
    );
    CREATE TABLE trashed (
        id INTEGER PRIMARY KEY,
        batch INTEGER NOT NULL,
        path TEXT NOT NULL,
        trash_path TEXT,
        trash_info TEXT,
        keeper TEXT NOT NULL,
        record TEXT NOT NULL,
        trashed REAL NOT NULL,
        restored REAL
    );
    CREATE INDEX trashed_batch ON trashed(batch);
    """,
    # Camera RAW and videos: what a row is (photo, raw or video), a video's duration in
    # seconds, and for a RAW+JPEG pair (one row, at the JPEG's path) the RAW file's path.
    4: """
    ALTER TABLE photos ADD COLUMN kind TEXT NOT NULL DEFAULT 'photo';
    ALTER TABLE photos ADD COLUMN duration REAL;
    ALTER TABLE photos ADD COLUMN companion TEXT;
    CREATE INDEX photos_kind ON photos(kind);
    CREATE INDEX photos_companion ON photos(companion);
    """,
    # Folders are known by what they are, not by the name they were added under: the
    # resolved real path and (device, inode) of the root, so an alias (a symlink, a bind
    # mount, a second mount point) is recognised. And the hand-made data of photos removed
    # from the catalog (manual and rejected tags, taught-tag examples), kept by content hash
    # for a grace period so that a file that comes back gets it back (store/keepsakes.py).
    5: """
    ALTER TABLE folders ADD COLUMN real TEXT;
    ALTER TABLE folders ADD COLUMN dev INTEGER;
    ALTER TABLE folders ADD COLUMN ino INTEGER;
    CREATE TABLE keepsakes (
        hash TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT,
        removed REAL NOT NULL,
        PRIMARY KEY (hash, kind, name)
    );
    CREATE INDEX keepsakes_removed ON keepsakes(removed);
    """,
    # The trash journal (core/duplicates/service.py): a move to the trash is first recorded
    # as 'pending' with the file's size and content hash and the process doing it, then
    # 'done' once the file is in the trash ('lost' when it left its folder but could not be
    # found in the trash). A pending row whose process is gone is settled at the next start.
    6: """
    ALTER TABLE trashed ADD COLUMN state TEXT NOT NULL DEFAULT 'done';
    ALTER TABLE trashed ADD COLUMN size INTEGER;
    ALTER TABLE trashed ADD COLUMN hash TEXT;
    ALTER TABLE trashed ADD COLUMN pid INTEGER;
    CREATE INDEX trashed_state ON trashed(state);
    """,
    # XMP sidecars (core/tagging/sidecars.py): photos whose tags changed since their sidecars
    # were written. Marked in the same transaction as the tag change, cleared after the
    # write, so a crash in between is caught up later (index, check, XMP switched on).
    7: """
    CREATE TABLE sidecars_dirty (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE
    );
    """,
    # Where and when (core/media/capture.py, core/places): the wall clock where a photo was
    # taken with milliseconds (ISO 8601, what dates in words match), the zone (minutes east
    # of UTC; NULL: the camera did not say), where the time came from (exif, video, file),
    # the GPS position, and which version of the metadata reader read them (an older one
    # is read again, metadata only). ``taken`` keeps the POSIX time, now with sub-seconds.
    # Places: the town, region and country of a photo's position, by geocoder data version;
    # place_names: every name a held place is known by (Lisboa for Lisbon), for the search bar.
    8: """
    ALTER TABLE photos ADD COLUMN taken_local TEXT;
    ALTER TABLE photos ADD COLUMN taken_offset INTEGER;
    ALTER TABLE photos ADD COLUMN taken_source TEXT;
    ALTER TABLE photos ADD COLUMN lat REAL;
    ALTER TABLE photos ADD COLUMN lon REAL;
    ALTER TABLE photos ADD COLUMN meta_version INTEGER NOT NULL DEFAULT 0;
    UPDATE photos SET
        taken_local = strftime('%Y-%m-%dT%H:%M:%f', taken, 'unixepoch', 'localtime'),
        taken_source = CASE WHEN taken_from_exif THEN 'exif' ELSE 'file' END
        WHERE taken IS NOT NULL;
    CREATE INDEX photos_taken_local ON photos(taken_local);
    CREATE TABLE places (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
        city TEXT,
        region TEXT,
        country TEXT,
        country_code TEXT,
        data TEXT NOT NULL
    );
    CREATE INDEX places_city ON places(country_code, city);
    CREATE INDEX places_region ON places(country_code, region);
    CREATE TABLE place_names (
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        country_code TEXT NOT NULL,
        PRIMARY KEY (name, kind, value, country_code)
    );
    """,
    # People (core/faces): faces found on each photo (box and 5 landmarks as fractions of
    # the upright photo, the 128-number embedding, detector and model names), the people
    # they are grouped into, the person/face pairs a user rejected, and which photos the
    # face stage has looked at with which detector+model (face_scans: resumable runs).
    # source: 'auto' (grouping), 'user' (a person's decision: never changed automatically),
    # 'xmp' (a name read from a sidecar's MWG regions).
    9: """
    CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        name TEXT,
        hidden INTEGER NOT NULL DEFAULT 0,
        created REAL NOT NULL
    );
    CREATE TABLE faces (
        id INTEGER PRIMARY KEY,
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        x REAL NOT NULL,
        y REAL NOT NULL,
        w REAL NOT NULL,
        h REAL NOT NULL,
        px REAL NOT NULL,
        score REAL NOT NULL,
        landmarks BLOB NOT NULL,
        embedding BLOB NOT NULL,
        detector TEXT NOT NULL,
        model TEXT NOT NULL,
        person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
        source TEXT NOT NULL DEFAULT 'auto'
    );
    CREATE INDEX faces_photo ON faces(photo_id);
    CREATE INDEX faces_person ON faces(person_id);
    CREATE TABLE face_rejections (
        face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
        person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        PRIMARY KEY (face_id, person_id)
    );
    CREATE TABLE face_scans (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        scanned REAL NOT NULL
    );
    """,
    # Duplicates that never mistake two photos for one (core/duplicates, issue 28): hashes
    # of the photo turned into its canonical pose (mirrored and rotated copies), an 8x8
    # CIELAB colour grid and a tone share (colourways are not copies), an exposure score
    # (a burst's keeper), and the EXIF capture time with sub-seconds and camera model +
    # serial (bursts). Version 1 rows lack them; the duplicate finder recomputes them from
    # the file, without re-embedding.
    10: """
    ALTER TABLE fingerprints ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE fingerprints ADD COLUMN turn_phash INTEGER;
    ALTER TABLE fingerprints ADD COLUMN turn_dhash INTEGER;
    ALTER TABLE fingerprints ADD COLUMN turn INTEGER;
    ALTER TABLE fingerprints ADD COLUMN grid BLOB;
    ALTER TABLE fingerprints ADD COLUMN tone REAL;
    ALTER TABLE fingerprints ADD COLUMN exposure REAL;
    ALTER TABLE fingerprints ADD COLUMN shot_time REAL;
    ALTER TABLE fingerprints ADD COLUMN camera TEXT;
    """,
    # What a person marks on a photo (core/marks): 0-5 stars (0: not rated), a favourite
    # heart, and a rotation in degrees clockwise applied on display and export (the photo
    # file is never rewritten). One row only for a photo with a mark: most photos have none.
    11: """
    CREATE TABLE photo_marks (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
        rating INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
        favourite INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
        rotation INTEGER NOT NULL DEFAULT 0 CHECK (rotation IN (0, 90, 180, 270))
    );
    CREATE INDEX photo_marks_rating ON photo_marks(rating);
    CREATE INDEX photo_marks_favourite ON photo_marks(favourite);
    """,
    # Crops (core/duplicates/crops.py, issue 28): pHash + dHash of 16 parts of each photo
    # (its centre and corners at several scales), 256 bytes. Rows before it (fingerprint
    # version 2) lack them; the duplicate finder recomputes them from the file, without
    # re-embedding.
    12: """
    ALTER TABLE fingerprints ADD COLUMN windows BLOB;
    """,
}

PHOTO_COLUMNS = (
    "id",
    "path",
    "folder_id",
    "size",
    "mtime",
    "hash",
    "width",
    "height",
    "taken",
    "taken_from_exif",
    "camera",
    "orientation",
    "format",
    "added",
    "kind",
    "duration",
    "companion",
    "taken_local",
    "taken_offset",
    "taken_source",
    "lat",
    "lon",
    "meta_version",
)
KINDS = ("photo", "raw", "video")
# File names need not be valid UTF-8 (Latin-1 names copied from old drives): Python holds
# their undecodable bytes as lone surrogates, which SQLite text cannot store. Every str
# bound to SQLite therefore passes through this adapter (process-wide: the alternative is
# an exception), which writes such a character as NUL + 4 hex digits (no path contains
# NUL); the catalog's connections turn it back on read (``_text_from_db``).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED = re.compile("\x00([0-9a-f]{4})")


def _text_to_db(text: str) -> str:
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub(lambda m: f"\x00{ord(m.group()):04x}", text)


def _text_from_db(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "\x00" in text else text


sqlite3.register_adapter(str, _text_to_db)


class CatalogError(PhotoappError):
    """The catalog cannot be opened or written; the message says why."""


class CatalogDamaged(CatalogError):
    """SQLite found the catalog file damaged (malformed pages, not a database at all).
    ``photoapp check`` restores it from its newest sound backup (store/backups.py)."""

    def __init__(self, path: Path, reason: str):
        self.path, self.reason = Path(path), reason
        super().__init__(
            f"the catalog {path} is damaged ({reason}); run `photoapp check` to restore it from its latest backup"
        )


# SQLite's words for a damaged file, as opposed to a full disk or a lock.
_DAMAGE = ("malformed", "not a database", "file is encrypted", "database corrupt")
# Up to this size the catalog is verified (PRAGMA quick_check, ~1 GB/s) every time it is
# opened, so a damaged one never serves partial results; beyond it, `photoapp check` does
# it and a query that meets a damaged page raises CatalogDamaged.
QUICK_CHECK_AT_OPEN = 128 * 1024 * 1024
_VERIFIED: dict[str, tuple[int, ...]] = {}  # catalog path -> _file_stamp when this process found it sound


def _file_stamp(path: Path) -> tuple[int, ...]:
    """The catalog's size, change time and inode, and its write-ahead log's size and change
    time while it holds anything (an empty log is made and removed by each open and close):
    any write changes it."""
    st = path.stat()
    try:
        wal = path.with_name(path.name + "-wal").stat()
        log = (wal.st_size, wal.st_mtime_ns) if wal.st_size else (0, 0)
    except FileNotFoundError:
        log = (0, 0)
    return (st.st_size, st.st_mtime_ns, st.st_ino, *log)


def is_damage(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.DatabaseError) and any(word in str(exc) for word in _DAMAGE)


def _reporting_damage(method):
    """``method`` of a cursor, with SQLite's damage errors raised as CatalogDamaged."""

    def wrapper(self, *args):
        try:
            return method(self, *args)
        except sqlite3.DatabaseError as exc:
            raise (CatalogDamaged(self.connection.path, str(exc)) if is_damage(exc) else exc) from None

    return wrapper


class _Cursor(sqlite3.Cursor):
    """A cursor that reports damage wherever a query or a fetch meets a damaged page
    (sqlite3 reads rows lazily, so fetching a row can fail as well as running a query)."""

    execute = _reporting_damage(sqlite3.Cursor.execute)
    executemany = _reporting_damage(sqlite3.Cursor.executemany)
    __next__ = _reporting_damage(sqlite3.Cursor.__next__)
    fetchone = _reporting_damage(sqlite3.Cursor.fetchone)
    fetchall = _reporting_damage(sqlite3.Cursor.fetchall)


class _Connection(sqlite3.Connection):
    """The catalog's connection: every statement runs on a damage-reporting cursor."""

    path: Path

    def execute(self, *args):
        return self.cursor(_Cursor).execute(*args)

    def executemany(self, *args):
        return self.cursor(_Cursor).executemany(*args)


@dataclass
class Photo:
    id: int
    path: str
    folder_id: int | None
    size: int
    mtime: float
    hash: str
    width: int | None
    height: int | None
    taken: float | None
    taken_from_exif: int
    camera: str | None
    orientation: int
    format: str | None
    added: float
    kind: str = "photo"  # photo | raw (a RAW file, alone or with its JPEG) | video
    duration: float | None = None  # videos: seconds
    companion: str | None = None  # a RAW+JPEG pair's RAW file (the row is the JPEG's)
    taken_local: str | None = None  # wall clock where taken, ISO 8601 with milliseconds
    taken_offset: int | None = None  # its zone, minutes east of UTC (None: not recorded)
    taken_source: str | None = None  # exif | video | file (core/media/capture.py Source)
    lat: float | None = None  # GPS position (a valid one only)
    lon: float | None = None
    meta_version: int = 0  # core/media/metadata.py VERSION that read the above

    def as_dict(self) -> dict:
        return {c: getattr(self, c) for c in PHOTO_COLUMNS}


class PhotoOrder(StrEnum):
    """How a listing of photos is ordered; callers name a choice, the SQL stays here."""

    TAKEN = "taken"  # newest first (undated photos last), then by path
    NEWEST = "newest"  # newest first, then the latest added: walks the taken index, as a gallery does
    ID = "id"  # catalog order


_ORDER_BY = {PhotoOrder.TAKEN: "taken DESC, path", PhotoOrder.NEWEST: "taken DESC, id DESC", PhotoOrder.ID: "id"}


def _order_by(order: PhotoOrder | str) -> str:
    """The ORDER BY clause of a choice; anything else is refused (ValueError), never pasted."""
    try:
        return _ORDER_BY[PhotoOrder(order)]
    except ValueError:
        raise ValueError(f"unknown photo order {order!r}; one of {', '.join(o.value for o in PhotoOrder)}") from None


def _sql_statements(script: str) -> list[str]:
    """Split a migration script into statements (``executescript`` would commit the
    surrounding transaction, so each statement runs on its own inside it)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


class Catalog:
    """Thin, typed access to the library's SQLite database."""

    def __init__(self, path: Path, timeout: float = 30.0):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(
                str(self.path), timeout=timeout, isolation_level=None, check_same_thread=False, factory=_Connection
            )
            self.db.path = self.path
            self.db.text_factory = _text_from_db
            self._enable_wal(timeout)
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            self._migrate()
            self._check_at_open()
        except CatalogError:
            self._close_quietly()
            raise
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            if is_damage(exc):
                raise CatalogDamaged(self.path, str(exc)) from None
            reason = str(exc)
            if "readonly" in reason or "unable to open" in reason:
                reason += " (Photoapp needs to write to the library folder; is it read-only?)"
            elif "disk" in reason:
                reason += " (is the disk full? Free some space and run again)"
            raise CatalogError(f"cannot open catalog {self.path}: {reason}") from None
        except OSError as exc:
            raise CatalogError(f"cannot create library folder {self.path.parent}: {exc.strerror}") from None

    def _check_at_open(self) -> None:
        """quick_check a catalog up to QUICK_CHECK_AT_OPEN, once per process while the file
        is unchanged: the window opens two connections at start (services/library.py), and
        the second check (~0.1 s at 100,000 photos) would only repeat the first."""
        stamp = _file_stamp(self.path)
        if stamp[0] > QUICK_CHECK_AT_OPEN or _VERIFIED.get(str(self.path)) == stamp:
            return
        if problems := self.quick_check():
            raise CatalogDamaged(self.path, problems[0])
        _VERIFIED[str(self.path)] = stamp

    # -- schema -------------------------------------------------------------------------
    def _migrate(self) -> None:
        # Several processes may open a new library at once (GUI, watcher, CLI): each step
        # re-reads the version under the write lock, so only one of them applies it.
        while True:
            version = self._schema_version()
            if version > SCHEMA_VERSION:
                raise CatalogError(
                    f"catalog schema {version} is newer than this Photoapp ({SCHEMA_VERSION}); please upgrade"
                )
            if version == SCHEMA_VERSION:
                return
            with self.transaction():
                version = self._schema_version()
                if version < SCHEMA_VERSION:
                    # A number may be unused on a branch (each capability is given its own
                    # number; they are renumbered consecutively when merged): nothing to do.
                    for statement in _sql_statements(MIGRATIONS.get(version + 1, "")):
                        self.db.execute(statement)
                    self.db.execute(f"PRAGMA user_version={version + 1}")

    def _enable_wal(self, timeout: float) -> None:
        # Switching a new database to WAL takes an exclusive lock and SQLite reports "locked"
        # at once instead of waiting on busy_timeout, so wait here for the other opener.
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        self.db.close()

    def _close_quietly(self) -> None:
        db = getattr(self, "db", None)
        if db is not None:
            db.close()

    def transaction(self):
        return _Transaction(self.db)

    # -- meta ---------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # -- folders ------------------------------------------------------------------------
    def add_folder(self, path: str, identity: tuple[str, int, int] | None = None) -> int:
        """Register ``path`` (the name it was added under) with its ``(real path, device,
        inode)``; returns its id. The caller decides whether it is new (Library.add_folders)."""
        self.db.execute("INSERT OR IGNORE INTO folders(path, added) VALUES (?, ?)", (path, time.time()))
        folder_id = self.db.execute("SELECT id FROM folders WHERE path=?", (path,)).fetchone()[0]
        if identity is not None:
            self.set_folder_identity(folder_id, identity)
        return folder_id

    def set_folder_identity(self, folder_id: int, identity: tuple[str, int, int]) -> None:
        self.db.execute("UPDATE folders SET real=?, dev=?, ino=? WHERE id=?", (*identity, folder_id))

    def folder_identities(self) -> list[tuple[int, str, tuple[str, int, int] | None]]:
        """(id, path, (real path, device, inode) or None when not recorded yet) of every folder."""
        rows = self.db.execute("SELECT id, path, real, dev, ino FROM folders ORDER BY path")
        return [(i, p, (r, d, n) if r is not None else None) for i, p, r, d, n in rows]

    def merge_folders(self, into: int, merged: Iterable[int]) -> None:
        """Fold folders into the folder ``into`` (a parent added over them): their photos keep
        their rows (ids, tags, embeddings) and belong to ``into`` from now on."""
        for folder_id in merged:
            self.db.execute("UPDATE photos SET folder_id=? WHERE folder_id=?", (into, folder_id))
            self.db.execute("DELETE FROM folders WHERE id=?", (folder_id,))

    def remove_folder(self, path: str) -> int:
        """Forget a folder and its photos (the files on disk are untouched)."""
        with self.transaction():
            row = self.db.execute("SELECT id FROM folders WHERE path=?", (path,)).fetchone()
            if not row:
                return 0
            n = self.db.execute("DELETE FROM photos WHERE folder_id=?", (row[0],)).rowcount
            self.db.execute("DELETE FROM folders WHERE id=?", (row[0],))
            prefix = path.rstrip("/\\") + "/"
            self.db.execute("DELETE FROM problems WHERE substr(path, 1, ?) = ?", (len(prefix), prefix))
        return n

    def folders(self) -> list[tuple[int, str]]:
        return list(self.db.execute("SELECT id, path FROM folders ORDER BY path"))

    def folder_photo_counts(self) -> dict[int, int]:
        """folder id -> how many photos the catalog holds in it."""
        return dict(self.db.execute("SELECT folder_id, COUNT(*) FROM photos GROUP BY folder_id"))

    # -- photos -------------------------------------------------------------------------
    def _photos(self, where: str = "", args: Iterable = ()) -> list[Photo]:
        sql = f"SELECT {', '.join(PHOTO_COLUMNS)} FROM photos {where}"
        # fetchall: one call for all rows (row-by-row iteration pays the damage check per row)
        return [Photo(*row) for row in self.db.execute(sql, tuple(args)).fetchall()]

    def photo_by_path(self, path: str) -> Photo | None:
        found = self._photos("WHERE path=?", (path,))
        return found[0] if found else None

    def photo_by_companion(self, path: str) -> Photo | None:
        """The RAW+JPEG pair whose RAW file is ``path``."""
        found = self._photos("WHERE companion=?", (path,))
        return found[0] if found else None

    def photo_at(self, path: str) -> Photo | None:
        """The photo at ``path``, or the pair one of whose files it is."""
        return self.photo_by_path(path) or self.photo_by_companion(path)

    def set_companion(self, photo_id: int, companion: str | None, kind: str) -> None:
        self.db.execute("UPDATE photos SET companion=?, kind=? WHERE id=?", (companion, kind, photo_id))

    def photos_by_ids(self, ids: Iterable[int]) -> dict[int, Photo]:
        ids = list(ids)
        result: dict[int, Photo] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            result.update({p.id: p for p in self._photos(f"WHERE id IN ({marks})", chunk)})
        return result

    def photos_in_folder(self, folder_id: int) -> list[Photo]:
        return self._photos("WHERE folder_id=?", (folder_id,))

    def photos_with_hash(self, digest: str) -> list[Photo]:
        return self._photos("WHERE hash=?", (digest,))

    def all_photos(self, order: PhotoOrder | str = "taken") -> list[Photo]:
        return self._photos(f"ORDER BY {_order_by(order)}")

    def browse_rows(self, order: PhotoOrder | str = "taken", limit: int | None = None) -> list[tuple]:
        """(id, path, mtime, taken, width, height) of every photo (the first ``limit``): the
        cheap listing a gallery of 100k needs (the size as displayed, for justified rows)."""
        sql = f"SELECT id, path, mtime, taken, width, height FROM photos ORDER BY {_order_by(order)}"
        if limit is not None:
            return self.db.execute(sql + " LIMIT ?", (max(0, int(limit)),)).fetchall()
        return self.db.execute(sql).fetchall()

    def media_of(self) -> dict[int, tuple[str, float | None, str | None]]:
        """id -> (kind, duration, companion) of every photo that is not a plain photo
        (videos, RAW files, pairs): what the gallery draws badges for."""
        return {
            i: (k, d, c)
            for i, k, d, c in self.db.execute("SELECT id, kind, duration, companion FROM photos WHERE kind != 'photo'")
        }

    def count_photos(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM photos").fetchone()[0]

    def upsert_photo(self, values: dict) -> int:
        """Insert or update the row for ``values['path']``; returns its id (kept on update)."""
        cols = [c for c in PHOTO_COLUMNS if c != "id" and c in values]
        existing = self.db.execute("SELECT id FROM photos WHERE path=?", (values["path"],)).fetchone()
        if existing:
            sets = ", ".join(f"{c}=?" for c in cols if c not in ("path", "added"))
            args = [values[c] for c in cols if c not in ("path", "added")]
            self.db.execute(f"UPDATE photos SET {sets} WHERE id=?", (*args, existing[0]))
            return existing[0]
        cur = self.db.execute(
            f"INSERT INTO photos({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", [values[c] for c in cols]
        )
        return cur.lastrowid

    def move_photo(self, photo_id: int, new_path: str, folder_id: int, mtime: float) -> None:
        self.db.execute(
            "UPDATE photos SET path=?, folder_id=?, mtime=? WHERE id=?", (new_path, folder_id, mtime, photo_id)
        )

    def touch_photo(self, photo_id: int, size: int, mtime: float) -> None:
        self.db.execute("UPDATE photos SET size=?, mtime=? WHERE id=?", (size, mtime, photo_id))

    def delete_photos(self, ids: Iterable[int]) -> None:
        self.db.executemany("DELETE FROM photos WHERE id=?", ((i,) for i in ids))

    def insert_photo(self, values: dict) -> int:
        """Insert a row as given (its ``id`` too, if any: a restored photo); returns its id."""
        cols = [c for c in PHOTO_COLUMNS if c in values]
        return self.db.execute(
            f"INSERT INTO photos({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", [values[c] for c in cols]
        ).lastrowid

    def has_photo(self, photo_id: int) -> bool:
        return self.db.execute("SELECT 1 FROM photos WHERE id=?", (photo_id,)).fetchone() is not None

    def has_folder(self, folder_id: int) -> bool:
        return self.db.execute("SELECT 1 FROM folders WHERE id=?", (folder_id,)).fetchone() is not None

    def photo_locations(self) -> list[tuple[int, str, int | None]]:
        """(id, path, folder id) of every photo."""
        return self.db.execute("SELECT id, path, folder_id FROM photos").fetchall()

    def filtered_ids(
        self,
        folder: str | None = None,
        after: float | None = None,
        before: float | None = None,
        kind: str | None = None,
    ) -> set[int]:
        """Ids of photos under the ``folder`` prefix (ending in a separator), taken at or
        after ``after`` and before ``before``, of ``kind``; a None criterion is not applied."""
        where, args = ["1"], []
        if folder:
            where.append("substr(path, 1, ?) = ?")
            args += [len(folder), folder]
        if after is not None:
            where.append("taken >= ?")
            args.append(after)
        if before is not None:
            where.append("taken < ?")
            args.append(before)
        if kind is not None:
            where.append("kind = ?")
            args.append(kind)
        return {row[0] for row in self.db.execute("SELECT id FROM photos WHERE " + " AND ".join(where), args)}

    # -- embeddings ---------------------------------------------------------------------
    def put_embeddings(self, model: str, items: Iterable[tuple[int, np.ndarray]]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO embeddings(photo_id, model, vector) VALUES (?, ?, ?)",
            ((pid, model, np.asarray(vec, dtype=np.float32).tobytes()) for pid, vec in items),
        )

    def embedding(self, photo_id: int, model: str) -> np.ndarray | None:
        row = self.db.execute(
            "SELECT vector FROM embeddings WHERE photo_id=? AND model=?", (photo_id, model)
        ).fetchone()
        return np.frombuffer(row[0], dtype=np.float32).copy() if row else None

    def embeddings(self, model: str, ids: Iterable[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of every photo embedded with ``model`` (or of ``ids`` only)."""
        if ids is None:
            rows = self.db.execute(
                "SELECT photo_id, vector FROM embeddings WHERE model=? ORDER BY photo_id", (model,)
            ).fetchall()
        else:
            rows, ids = [], list(ids)
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                marks = ",".join("?" * len(chunk))
                rows += self.db.execute(
                    f"SELECT photo_id, vector FROM embeddings WHERE model=? AND photo_id IN ({marks})", (model, *chunk)
                ).fetchall()
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        out_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        return out_ids, vectors

    def embedded_ids(self, model: str) -> set[int]:
        return {r[0] for r in self.db.execute("SELECT photo_id FROM embeddings WHERE model=?", (model,))}

    def embeddings_version(self, model: str) -> tuple[int, int | None]:
        """(count, last rowid) of ``model``'s embeddings: changes whenever they do."""
        return tuple(self.db.execute("SELECT COUNT(*), MAX(rowid) FROM embeddings WHERE model=?", (model,)).fetchone())

    def embedded_models(self, photo_id: int) -> list[str]:
        """The models a photo has an embedding of, by name."""
        return [
            m for (m,) in self.db.execute("SELECT model FROM embeddings WHERE photo_id=? ORDER BY model", (photo_id,))
        ]

    def photo_embeddings(self, photo_id: int) -> dict[str, bytes]:
        """model -> stored vector bytes of every embedding of a photo."""
        return dict(self.db.execute("SELECT model, vector FROM embeddings WHERE photo_id=?", (photo_id,)).fetchall())

    def embedding_dim(self, model: str) -> int | None:
        """The dimension of ``model``'s stored embeddings (None: none stored)."""
        row = self.db.execute("SELECT length(vector) FROM embeddings WHERE model=? LIMIT 1", (model,)).fetchone()
        return row[0] // 4 if row else None

    def count_embedded(self, model: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM embeddings WHERE model=?", (model,)).fetchone()[0]

    def embedding_for_hash(self, digest: str, model: str) -> np.ndarray | None:
        row = self.db.execute(
            "SELECT e.vector FROM embeddings e JOIN photos p ON p.id = e.photo_id WHERE p.hash=? AND e.model=? LIMIT 1",
            (digest, model),
        ).fetchone()
        return np.frombuffer(row[0], dtype=np.float32).copy() if row else None

    # -- problems -----------------------------------------------------------------------
    def set_problem(self, path: str, error: str, size: int | None, mtime: float | None) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO problems(path, error, size, mtime, seen) VALUES (?, ?, ?, ?, ?)",
            (path, error, size, mtime, time.time()),
        )

    def clear_problem(self, path: str) -> None:
        self.db.execute("DELETE FROM problems WHERE path=?", (path,))

    def problems(self) -> list[dict]:
        return [{"path": p, "error": e} for p, e in self.db.execute("SELECT path, error FROM problems ORDER BY path")]

    def problem_stats(self) -> dict[str, tuple[int | None, float | None]]:
        return {p: (s, m) for p, s, m in self.db.execute("SELECT path, size, mtime FROM problems")}

    def integrity_check(self) -> list[str]:
        return verify_connection(self.db, "integrity_check")

    def quick_check(self) -> list[str]:
        """SQLite's quick_check: integrity_check without comparing indexes with their
        tables (O(N) instead of O(N log N)); [] when sound."""
        return verify_connection(self.db, "quick_check")

    def table_columns(self) -> dict[str, list[str]]:
        """Every table's columns, tables in the order they were created."""
        tables = [
            name
            for (name,) in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            )
        ]
        return {t: [row[1] for row in self.db.execute(f"PRAGMA table_info({t})")] for t in tables}

    def backup_to(self, target: Path) -> None:
        """A consistent copy of the catalog at ``target`` (SQLite's online backup API:
        other processes may go on reading and writing meanwhile)."""
        dest = sqlite3.connect(str(target))
        try:
            self.db.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            dest.close()

    def iter_paths(self) -> Iterator[tuple[int, str]]:
        yield from self.db.execute("SELECT id, path FROM photos")


def verify_connection(db: sqlite3.Connection, pragma: str = "integrity_check") -> list[str]:
    """SQLite's own check of a database (``integrity_check`` or ``quick_check``): the
    problems it lists, or the damage error it raises, as text; [] when sound."""
    try:
        rows = [r[0] for r in db.execute(f"PRAGMA {pragma}")]
    except CatalogDamaged as exc:
        return [exc.reason]
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise
        return [str(exc)]
    return [] if rows == ["ok"] else rows


class _Transaction:
    """``with catalog.transaction():`` - BEGIN IMMEDIATE so writers queue instead of failing."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.nested = False

    def __enter__(self):
        self.nested = self.db.in_transaction
        if not self.nested:
            self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        if self.nested:
            return False
        if exc_type is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")
        return False
