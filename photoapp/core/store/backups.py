"""Automatic backups of the catalog, and its restoration when SQLite finds it damaged.

After an index run, at most once a day, a sound catalog (``PRAGMA quick_check``) is copied
with SQLite's online backup API into ``backups/catalog-<UTC time>.sqlite3`` in the library;
the newest three are kept. A damaged catalog is never backed up, so it cannot push the
sound copies out. ``restore`` sets the damaged file aside (with its WAL) as
``catalog.sqlite3.damaged-<time>`` and puts the newest backup that passes SQLite's
integrity check in its place, or, with no sound backup, copies every row SQLite can still
read into a new catalog.
"""

from __future__ import annotations

import calendar
import os
import shutil
import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from photoapp.config import make_temp_file, sync_folder
from photoapp.core.store.catalog import Catalog, verify_connection

KEEP = 3
EVERY = 24 * 3600.0  # seconds between two automatic backups
STAMP = "%Y%m%d-%H%M%S"


@dataclass
class Restored:
    backup: str | None  # the backup put in place (None: rows salvaged from the damaged file)
    backup_time: str | None  # when it was taken (UTC, ISO 8601)
    damaged: str  # where the damaged catalog was set aside
    salvaged: dict[str, int] | None = None  # rows copied per table, without a backup

    def as_dict(self) -> dict:
        return asdict(self)


def folder(catalog_path: Path) -> Path:
    return Path(catalog_path).parent / "backups"


def backups(catalog_path: Path) -> list[Path]:
    """The catalog's backups, newest first (their names sort by time)."""
    return sorted(folder(catalog_path).glob("catalog-*.sqlite3"), reverse=True)


def taken(backup: Path) -> float:
    """When a backup was taken, from its name (UTC)."""
    stamp = backup.name.removeprefix("catalog-").removesuffix(".sqlite3")
    try:
        return float(calendar.timegm(time.strptime(stamp, STAMP)))
    except ValueError:
        return backup.stat().st_mtime


def verify(path: Path) -> list[str]:
    """SQLite's integrity check of a catalog file, read-only: [] when sound, else what is
    wrong (a file that is not a database at all included)."""
    try:
        db = sqlite3.connect(_read_only(path), uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        return verify_connection(db)
    finally:
        db.close()


def backup(catalog: Catalog, keep: int = KEEP, every: float = EVERY, now: float | None = None) -> Path | None:
    """A new backup when the newest is older than ``every`` seconds and the catalog is
    sound; the oldest beyond ``keep`` are removed. Returns the new backup, if one was made."""
    now = time.time() if now is None else now
    existing = backups(catalog.path)
    if existing and now - taken(existing[0]) < every:
        return None
    if catalog.quick_check():
        return None  # damage is never copied over a sound backup
    target = folder(catalog.path) / f"catalog-{time.strftime(STAMP, time.gmtime(now))}.sqlite3"
    fd, tmp = make_temp_file(target)
    os.close(fd)
    try:
        try:
            catalog.backup_to(Path(tmp))
        except sqlite3.Error as exc:  # a full disk while copying: the caller's OSError
            raise OSError(f"the catalog backup failed: {exc}") from None
        problems = verify(Path(tmp))
        if problems:  # a copy that does not read back (a failing disk) replaces nothing
            raise OSError(f"the catalog backup did not read back: {problems[0]}")
        _sync(Path(tmp))
        os.replace(tmp, target)
        sync_folder(target.parent)
    finally:
        for leftover in (tmp, f"{tmp}-journal", f"{tmp}-wal", f"{tmp}-shm"):  # SQLite's, after a failed copy
            if os.path.exists(leftover):
                os.unlink(leftover)
    for old in backups(catalog.path)[keep:]:
        old.unlink(missing_ok=True)
    return target


def restore(catalog_path: Path) -> Restored:
    """Set the damaged catalog aside and put the newest sound backup in its place, or the
    rows that can still be read when no backup is sound."""
    catalog_path = Path(catalog_path)
    good = next((b for b in backups(catalog_path) if not verify(b)), None)
    aside = _set_aside(catalog_path)
    if good is None:
        return Restored(None, None, str(aside), _salvage(aside, catalog_path))
    fd, tmp = make_temp_file(catalog_path)
    os.close(fd)
    try:
        shutil.copyfile(good, tmp)
        _sync(Path(tmp))
        os.replace(tmp, catalog_path)
        sync_folder(catalog_path.parent)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(taken(good)))
    return Restored(str(good), when, str(aside))


def _set_aside(catalog_path: Path) -> Path:
    """Rename the catalog and its WAL and shared-memory files to ``.damaged-<time>``:
    SQLite would replay a damaged catalog's WAL into whatever file took its name."""
    aside = catalog_path.with_name(f"{catalog_path.name}.damaged-{time.strftime(STAMP)}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{catalog_path}{suffix}")
        if source.exists():
            os.replace(source, f"{aside}{suffix}")
    return aside


def _salvage(damaged: Path, target: Path) -> dict[str, int]:
    """Copy every row SQLite can read from ``damaged`` into a new catalog at ``target``:
    each table up to its first unreadable page."""
    fresh = Catalog(target)
    counts: dict[str, int] = {}
    try:
        source = sqlite3.connect(_read_only(damaged), uri=True)
    except sqlite3.Error:
        fresh.close()
        return counts
    try:
        fresh.db.execute("PRAGMA foreign_keys=OFF")  # rows arrive table by table
        with fresh.transaction():
            for table, columns in fresh.table_columns().items():
                counts[table] = _copy_rows(source, fresh, table, columns)
    finally:
        source.close()
        fresh.close()
    return counts


def _copy_rows(source: sqlite3.Connection, fresh: Catalog, table: str, columns: list[str]) -> int:
    copied = 0
    try:
        present = {row[1] for row in source.execute(f"PRAGMA table_info({table})")}
        shared = [c for c in columns if c in present]
        if not shared:
            return 0
        marks = ", ".join("?" * len(shared))
        insert = f"INSERT OR IGNORE INTO {table}({', '.join(shared)}) VALUES ({marks})"
        for row in source.execute(f"SELECT {', '.join(shared)} FROM {table}"):
            fresh.db.execute(insert, row)
            copied += 1
    except sqlite3.DatabaseError:
        pass  # the first damaged page of this table: what came before it is kept
    return copied


def _read_only(path: Path) -> str:
    """A read-only SQLite URI for ``path`` (percent-encoded: '#', '?' or '%' in a folder name)."""
    return f"{Path(path).absolute().as_uri()}?mode=ro"


def _sync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())
