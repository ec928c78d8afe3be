"""Face and people rows of the catalog: faces found on photos, the people they belong to,
the person/face pairs a user rejected, and which photos the face stage has looked at.
What the rows mean (grouping, corrections) is decided in photoapp/core/faces."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from photoapp.core.store.table import TableStore
from photoapp.core.store.table import placeholders as _marks

EMBEDDING_DIM = 128

_FACE_COLUMNS = "id, photo_id, x, y, w, h, px, score, detector, model, person_id, source"


@dataclass
class FaceRow:
    id: int
    photo_id: int
    x: float  # box: fractions of the upright photo's width and height
    y: float
    w: float
    h: float
    px: float  # face width in pixels of the analysed preview
    score: float
    detector: str
    model: str
    person_id: int | None
    source: str  # auto | user | xmp

    @property
    def box(self) -> tuple[float, float, float, float]:
        return self.x, self.y, self.w, self.h


@dataclass
class NewFace:
    """A face as the face stage found it, before it has a row."""

    box: tuple[float, float, float, float]
    px: float
    score: float
    landmarks: np.ndarray  # (5, 2) fractions of the photo
    embedding: np.ndarray  # (128,) float32
    detector: str
    model: str
    person_id: int | None = None  # carried over from an earlier detection of the same face
    source: str = "auto"
    rejected: tuple[int, ...] = ()  # people this face was rejected from, carried over


class FaceStore(TableStore):
    """Face tables over the catalog's connection; writes join the caller's transaction."""

    def has_face_data(self) -> bool:
        return bool(
            self.db.execute("SELECT EXISTS(SELECT 1 FROM face_scans) OR EXISTS(SELECT 1 FROM people)").fetchone()[0]
        )

    def count_faces(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM faces").fetchone()[0]

    def confirm_faces_of(self, person_id: int) -> None:
        """A person a user acted on: their automatic faces count as the user's from now on."""
        self.db.execute("UPDATE faces SET source='user' WHERE person_id=? AND source='auto'", (person_id,))

    # -- scans ----------------------------------------------------------------------------
    def unscanned_photos(self, stage: str, folder_ids: Iterable[int] | None = None) -> list:
        """Photos the face stage ``stage`` has not looked at (in these folders, if given)."""
        where = "WHERE id NOT IN (SELECT photo_id FROM face_scans WHERE stage=?)"
        args: list = [stage]
        if folder_ids is not None:
            folders = list(folder_ids)
            if not folders:
                return []
            where += f" AND folder_id IN ({_marks(folders)})"
            args += folders
        return self.catalog._photos(where, args)

    def count_scanned(self, stage: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM face_scans WHERE stage=?", (stage,)).fetchone()[0]

    # -- faces ----------------------------------------------------------------------------
    def faces_of(self, photo_id: int) -> list[FaceRow]:
        rows = self.db.execute(f"SELECT {_FACE_COLUMNS} FROM faces WHERE photo_id=? ORDER BY id", (photo_id,))
        return [FaceRow(*r) for r in rows]

    def face(self, face_id: int) -> FaceRow | None:
        row = self.db.execute(f"SELECT {_FACE_COLUMNS} FROM faces WHERE id=?", (face_id,)).fetchone()
        return FaceRow(*row) if row else None

    def faces(self, ids: Iterable[int] | None = None, person_id: int | None = None) -> list[FaceRow]:
        if person_id is not None:
            rows = self.db.execute(f"SELECT {_FACE_COLUMNS} FROM faces WHERE person_id=? ORDER BY id", (person_id,))
            return [FaceRow(*r) for r in rows]
        if ids is None:
            return [FaceRow(*r) for r in self.db.execute(f"SELECT {_FACE_COLUMNS} FROM faces ORDER BY id")]
        wanted = list(ids)
        out = []
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            rows = self.db.execute(f"SELECT {_FACE_COLUMNS} FROM faces WHERE id IN ({_marks(chunk)})", chunk)
            out += [FaceRow(*r) for r in rows]
        return out

    def rejected_of(self, face_ids: Iterable[int]) -> dict[int, set[int]]:
        out: dict[int, set[int]] = {}
        wanted = list(face_ids)
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            for face_id, person_id in self.db.execute(
                f"SELECT face_id, person_id FROM face_rejections WHERE face_id IN ({_marks(chunk)})", chunk
            ):
                out.setdefault(face_id, set()).add(person_id)
        return out

    def embeddings(self, model: str) -> tuple[list[FaceRow], np.ndarray]:
        """Every face of ``model`` and their embeddings as one (n, 128) float32 array."""
        rows = self.db.execute(f"SELECT {_FACE_COLUMNS}, embedding FROM faces WHERE model=? ORDER BY id", (model,))
        faces, vectors = [], []
        for r in rows:
            faces.append(FaceRow(*r[:-1]))
            vectors.append(np.frombuffer(r[-1], np.float32))
        matrix = np.stack(vectors) if vectors else np.zeros((0, EMBEDDING_DIM), np.float32)
        return faces, matrix

    def landmarks(self, face_id: int) -> np.ndarray | None:
        row = self.db.execute("SELECT landmarks FROM faces WHERE id=?", (face_id,)).fetchone()
        return np.frombuffer(row[0], np.float32).reshape(-1, 2) if row else None

    def replace(self, photo_id: int, stage: str, faces: Iterable[NewFace], now: float | None = None) -> list[int]:
        """The photo's faces become ``faces`` (its earlier ones and their rejections go);
        the photo is marked looked at by ``stage``. Returns the new faces' ids."""
        self.db.execute("DELETE FROM faces WHERE photo_id=?", (photo_id,))
        ids = []
        for f in faces:
            cur = self.db.execute(
                "INSERT INTO faces(photo_id, x, y, w, h, px, score, landmarks, embedding, detector, model, "
                "person_id, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    photo_id,
                    *(float(v) for v in f.box),
                    float(f.px),
                    float(f.score),
                    np.asarray(f.landmarks, np.float32).tobytes(),
                    np.asarray(f.embedding, np.float32).tobytes(),
                    f.detector,
                    f.model,
                    f.person_id if self._person_exists(f.person_id) else None,
                    f.source,
                ),
            )
            ids.append(cur.lastrowid)
            self.db.executemany(
                "INSERT OR IGNORE INTO face_rejections(face_id, person_id) SELECT ?, id FROM people WHERE id=?",
                [(cur.lastrowid, p) for p in f.rejected],
            )
        self.db.execute(
            "INSERT OR REPLACE INTO face_scans(photo_id, stage, scanned) VALUES (?, ?, ?)",
            (photo_id, stage, time.time() if now is None else now),
        )
        return ids

    def _person_exists(self, person_id: int | None) -> bool:
        if person_id is None:
            return False
        return self.db.execute("SELECT 1 FROM people WHERE id=?", (person_id,)).fetchone() is not None

    def assign(self, face_ids: Iterable[int], person_id: int | None, source: str) -> None:
        self.db.executemany(
            "UPDATE faces SET person_id=?, source=? WHERE id=?", [(person_id, source, f) for f in face_ids]
        )

    def reject(self, face_id: int, person_id: int) -> None:
        self.db.execute("INSERT OR IGNORE INTO face_rejections(face_id, person_id) VALUES (?, ?)", (face_id, person_id))

    def delete_all(self) -> None:
        """Every face, person, rejection and scan (the face stage switched off)."""
        for table in ("face_rejections", "faces", "face_scans", "people"):
            self.db.execute(f"DELETE FROM {table}")

    # -- people ---------------------------------------------------------------------------
    def add_person(self, name: str | None = None) -> int:
        cur = self.db.execute("INSERT INTO people(name, hidden, created) VALUES (?, 0, ?)", (name, time.time()))
        return cur.lastrowid

    def people(self) -> list[dict]:
        """Every person: id, name, hidden, faces and photos counts."""
        rows = self.db.execute(
            "SELECT p.id, p.name, p.hidden, COUNT(f.id), COUNT(DISTINCT f.photo_id) FROM people p "
            "LEFT JOIN faces f ON f.person_id = p.id GROUP BY p.id ORDER BY p.id"
        )
        return [{"id": i, "name": n, "hidden": bool(h), "faces": nf, "photo_count": np_} for i, n, h, nf, np_ in rows]

    def person(self, person_id: int) -> dict | None:
        row = self.db.execute("SELECT id, name, hidden FROM people WHERE id=?", (person_id,)).fetchone()
        return {"id": row[0], "name": row[1], "hidden": bool(row[2])} if row else None

    def people_named(self, name: str) -> list[int]:
        rows = self.db.execute("SELECT id FROM people WHERE name = ? COLLATE NOCASE ORDER BY id", (name,))
        return [r[0] for r in rows]

    def names(self) -> dict[int, str]:
        return dict(self.db.execute("SELECT id, name FROM people WHERE name IS NOT NULL"))

    def set_name(self, person_id: int, name: str | None) -> None:
        self.db.execute("UPDATE people SET name=? WHERE id=?", (name, person_id))

    def set_hidden(self, person_id: int, hidden: bool) -> None:
        self.db.execute("UPDATE people SET hidden=? WHERE id=?", (int(hidden), person_id))

    def merge(self, into: int, other: int) -> None:
        """``other``'s faces and rejections become ``into``'s; ``other`` goes."""
        self.db.execute("UPDATE faces SET person_id=? WHERE person_id=?", (into, other))
        self.db.execute(
            "INSERT OR IGNORE INTO face_rejections(face_id, person_id) SELECT face_id, ? FROM face_rejections "
            "WHERE person_id=?",
            (into, other),
        )
        self.db.execute("DELETE FROM people WHERE id=?", (other,))

    def delete_empty_people(self) -> int:
        """Unnamed people left without a face."""
        cur = self.db.execute(
            "DELETE FROM people WHERE name IS NULL "
            "AND id NOT IN (SELECT person_id FROM faces WHERE person_id IS NOT NULL)"
        )
        return cur.rowcount

    def photo_ids_of(self, person_id: int) -> set[int]:
        return {r[0] for r in self.db.execute("SELECT DISTINCT photo_id FROM faces WHERE person_id=?", (person_id,))}

    def people_in_photo(self, photo_id: int) -> list[tuple[int, str | None]]:
        rows = self.db.execute(
            "SELECT DISTINCT p.id, p.name FROM faces f JOIN people p ON p.id = f.person_id WHERE f.photo_id=?",
            (photo_id,),
        )
        return list(rows)

    def named_faces_of_photos(self, photo_ids: Iterable[int]) -> dict[int, list[tuple[FaceRow, str]]]:
        """For each photo, its faces whose person has a name (sidecars write them)."""
        out: dict[int, list[tuple[FaceRow, str]]] = {}
        wanted = list(photo_ids)
        cols = ", ".join("f." + c.strip() for c in _FACE_COLUMNS.split(","))
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            rows = self.db.execute(
                f"SELECT {cols}, p.name FROM faces f JOIN people p ON p.id = f.person_id "
                f"WHERE p.name IS NOT NULL AND f.photo_id IN ({_marks(chunk)}) ORDER BY f.id",
                chunk,
            )
            for r in rows:
                face = FaceRow(*r[:-1])
                out.setdefault(face.photo_id, []).append((face, r[-1]))
        return out

    # -- photos that leave the catalog and come back -----------------------------------------
    def snapshot(self, photo_id: int) -> list[dict]:
        """The photo's faces whole, as JSON-able dicts (what ``put_back`` takes): box, embedding,
        landmarks, detector and model, the stage that found them, their person (id, when it was
        created, name), how they got it, and the people they were rejected from."""
        rows = self.db.execute(
            "SELECT f.id, f.x, f.y, f.w, f.h, f.px, f.score, f.landmarks, f.embedding, f.detector, f.model, "
            "f.person_id, f.source, pe.created, pe.name, s.stage FROM faces f "
            "LEFT JOIN people pe ON pe.id = f.person_id LEFT JOIN face_scans s ON s.photo_id = f.photo_id "
            "WHERE f.photo_id=? ORDER BY f.id",
            (photo_id,),
        ).fetchall()
        rejected = self.db.execute(
            "SELECT r.face_id, pe.id, pe.created, pe.name FROM face_rejections r JOIN people pe ON pe.id = r.person_id "
            f"WHERE r.face_id IN ({_marks(rows)})",
            [r[0] for r in rows],
        ).fetchall()
        out = []
        for fid, x, y, w, h, px, score, lm, emb, detector, model, pid, source, created, name, stage in rows:
            out.append(
                {
                    "box": [x, y, w, h],
                    "px": px,
                    "score": score,
                    "landmarks": base64.b64encode(lm).decode(),
                    "embedding": base64.b64encode(emb).decode(),
                    "detector": detector,
                    "model": model,
                    "stage": stage,
                    "person": [pid, created, name] if pid is not None else None,
                    "source": source,
                    "rejected": [[p, c, n] for f, p, c, n in rejected if f == fid],
                }
            )
        return out

    def put_back(self, photo_id: int, faces: list[dict]) -> int:
        """Faces ``snapshot`` took, on the photo they belong to again (a photo that came back
        under another id): each goes to its person when that person is still there (same id
        and creation time), else to the person of its name (a new one when nobody has it);
        an unnamed person that is gone leaves the face unknown for grouping. Only a photo
        without faces yet gets them. Returns the faces put back."""
        if not faces or self.db.execute("SELECT 1 FROM faces WHERE photo_id=? LIMIT 1", (photo_id,)).fetchone():
            return 0
        new = []
        for f in faces:
            person = self._kept_person(f["person"])
            face = NewFace(
                tuple(f["box"]),
                f["px"],
                f["score"],
                np.frombuffer(base64.b64decode(f["landmarks"]), np.float32).reshape(-1, 2),
                np.frombuffer(base64.b64decode(f["embedding"]), np.float32),
                f["detector"],
                f["model"],
                person,
                "auto" if f["person"] and person is None else f["source"],  # an unnamed person gone: unknown
                tuple(p for p in (self._kept_person(r) for r in f["rejected"]) if p is not None),
            )
            new.append(face)
        self.replace(photo_id, faces[0]["stage"] or "", new)
        return len(new)

    def _kept_person(self, kept: list | None) -> int | None:
        if not kept:
            return None
        pid, created, name = kept
        row = self.db.execute("SELECT created FROM people WHERE id=?", (pid,)).fetchone()
        if row is not None and row[0] == created:
            return pid
        if not name:
            return None
        ids = self.people_named(name)
        return ids[0] if ids else self.add_person(name)
