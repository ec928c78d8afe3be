"""People, wired by the Library: the face stage handed to indexing, grouping after each
run, naming and corrections, suggestions, and person names found in search text.

Receives the catalog and the ``faces`` settings section (and how to save the settings).
Corrections are kept on the faces themselves (``source`` 'user', rejections), so grouping
never undoes them, and they move to the faces found again on a photo (core/faces/stage.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from photoapp.config import FaceSettings
from photoapp.core.errors import PhotoappError
from photoapp.core.faces import grouping
from photoapp.core.store.catalog import Catalog
from photoapp.core.store.faces import FaceStore

# A face region drawn by hand or by another program matches a detected face this loosely.
REGION_IOU = 0.3


class PeopleError(PhotoappError):
    """A person or face that does not exist, a name that cannot be used."""


class People:
    def __init__(
        self,
        catalog: Catalog,
        settings: FaceSettings,
        save_settings: Callable[[], None] = lambda: None,
        warnings: list[str] | None = None,
        changed: Callable[[set[int]], object] = lambda photo_ids: None,
    ):
        self.catalog = catalog
        self.changed = changed  # photos whose named faces changed (their XMP sidecars follow)
        self.settings = settings
        self.save_settings = save_settings
        self.warnings = warnings if warnings is not None else []
        self.store = FaceStore(catalog)
        self._stage = None
        self._stage_key = None

    # -- the face stage ---------------------------------------------------------------------
    def stage(self):
        """The face stage for indexing, or None when faces are off or cannot run here
        (said once in the warnings)."""
        if not self.settings.enabled:
            return None
        key = (self.settings.detector,)
        if self._stage is None or self._stage_key != key:
            from photoapp.core.faces.detector import FaceAnalyzer, FacesUnavailable
            from photoapp.core.faces.stage import FaceStage

            try:
                self._stage = FaceStage(FaceAnalyzer(self.settings.detector).check())  # loads when first used
            except FacesUnavailable as exc:
                self.warnings.append(f"people: faces are not looked for: {exc}")
                self._stage = None
            self._stage_key = key
        return self._stage

    def before_run(self) -> None:
        """Faces switched off by hand in settings.json: their data goes too."""
        if not self.settings.enabled and self._has_face_data():
            with self.catalog.transaction():
                self.store.delete_all()

    def _has_face_data(self) -> bool:
        return self.store.has_face_data()

    def set_enabled(self, enabled: bool) -> None:
        """Turn the face stage on or off; off deletes every face, person and name."""
        self.settings.enabled = enabled
        self.save_settings()
        if not enabled:
            with self.catalog.transaction():
                self.store.delete_all()

    def set_detector(self, detector: str) -> None:
        from photoapp.core.faces.detector import DETECTORS

        if detector not in DETECTORS:
            raise PeopleError(f"unknown face detector {detector!r} (choose one of {', '.join(DETECTORS)})")
        self.settings.detector = detector
        self.save_settings()

    def status(self) -> dict:
        stage = self.stage() if self.settings.enabled else None
        people = [p for p in self.store.people() if p["faces"]]
        return {
            "enabled": self.settings.enabled,
            "detector": self.settings.detector,
            "stage": stage.name if stage else None,
            "photos_scanned": self.store.count_scanned(stage.name) if stage else 0,
            "photos": self.catalog.count_photos(),
            "faces": self.store.count_faces(),
            "people": len(people),
            "named": sum(1 for p in people if p["name"]),
        }

    # -- grouping -------------------------------------------------------------------------
    def thresholds(self) -> grouping.Thresholds:
        return grouping.Thresholds(min_faces=max(2, self.settings.min_faces))

    def _faces_for_grouping(self):
        stage = self.stage()
        model = stage.analyzer.model if stage else None
        if model is None:
            return [], None
        rows, vectors = self.store.embeddings(model)
        rejected = self.store.rejected_of(r.id for r in rows)
        faces = [
            grouping.Face(r.id, r.photo_id, r.px, r.person_id, r.source == "auto", frozenset(rejected.get(r.id, ())))
            for r in rows
        ]
        return faces, vectors

    def regroup(self) -> dict:
        """Unknown faces join people or start new ones (see core/faces/grouping.py)."""
        faces, vectors = self._faces_for_grouping()
        if not faces:
            return {"joined": 0, "new_people": 0}
        plan = grouping.plan(faces, vectors, self.thresholds())
        names = self.store.names()
        with self.catalog.transaction():
            by_person: dict[int, list[int]] = {}
            for face_id, person_id in plan.joins:
                by_person.setdefault(person_id, []).append(face_id)
            for person_id, face_ids in by_person.items():
                self.store.assign(face_ids, person_id, "auto")
            for face_ids in plan.new_people:
                self.store.assign(face_ids, self.store.add_person(), "auto")
            self.store.delete_empty_people()
        named = [f for f, p in plan.joins if p in names]
        if named:
            self.changed({f.photo_id for f in self.store.faces(named)})
        return {"joined": len(plan.joins), "new_people": len(plan.new_people)}

    # -- reading --------------------------------------------------------------------------
    def people(self, include_hidden: bool = False, include_photos: bool = True) -> list[dict]:
        """Every person with a face: id, name, hidden, faces, photo_count, photos (paths,
        newest first), cover (a face: photo path and box)."""
        out = []
        for p in self.store.people():
            if not p["faces"] or (p["hidden"] and not include_hidden):
                continue
            faces = self.store.faces(person_id=p["id"])
            photos = self.catalog.photos_by_ids({f.photo_id for f in faces})
            ordered = sorted(photos.values(), key=lambda ph: (-(ph.taken or 0), ph.path))
            cover = max(faces, key=lambda f: (f.px, f.score))
            entry = dict(p)
            if include_photos:
                entry["photos"] = [ph.path for ph in ordered]
            entry["cover"] = {"face": cover.id, "path": photos[cover.photo_id].path, "box": list(cover.box)}
            out.append(entry)
        out.sort(key=lambda e: (e["name"] is None, -e["photo_count"], (e["name"] or "").lower(), e["id"]))
        return out

    def person(self, ref: int | str) -> dict:
        """One person by id or name, with photos and faces."""
        pid = self.resolve(ref)
        info = self.store.person(pid)
        faces = self.store.faces(person_id=pid)
        photos = self.catalog.photos_by_ids({f.photo_id for f in faces})
        info["faces"] = [self._face_dict(f, photos.get(f.photo_id)) for f in faces]
        info["photos"] = [ph.path for ph in sorted(photos.values(), key=lambda ph: (-(ph.taken or 0), ph.path))]
        return info

    def faces_in_photo(self, path: str) -> list[dict]:
        photo = self.catalog.photo_by_path(os.path.abspath(path))
        if photo is None:
            raise PeopleError(f"not in the library: {path}")
        names = self.store.names()
        return [self._face_dict(f, photo, names) for f in self.store.faces_of(photo.id)]

    def _face_dict(self, f, photo, names: dict | None = None) -> dict:
        names = self.store.names() if names is None else names
        return {
            "id": f.id,
            "path": photo.path if photo else None,
            "box": [round(v, 5) for v in f.box],
            "px": round(f.px, 1),
            "person": f.person_id,
            "name": names.get(f.person_id),
            "source": f.source,
        }

    def resolve(self, ref: int | str) -> int:
        """A person's id from an id or a name (case-insensitive)."""
        text = str(ref).strip()
        if text.isdigit() and self.store.person(int(text)):
            return int(text)
        ids = self.store.people_named(text)
        if not ids:
            raise PeopleError(f"no such person: {ref}")
        return ids[0]

    def photo_ids(self, person_ids) -> set[int]:
        """Photos showing every one of these people."""
        sets = [self.store.photo_ids_of(p) for p in person_ids]
        return set.intersection(*sets) if sets else set()

    # -- corrections ----------------------------------------------------------------------
    def name(self, ref: int | str, name: str) -> dict:
        """Name a person. A name another person already has merges the two (one person, one name)."""
        pid = self.resolve(ref)
        name = " ".join(name.split())
        if not name:
            raise PeopleError("a name cannot be empty")
        with self.catalog.transaction():
            others = [p for p in self.store.people_named(name) if p != pid]
            for other in others:
                self.store.merge(pid, other)
            self.store.set_name(pid, name)
            self._user_owned(pid)
        self.changed(self.store.photo_ids_of(pid))
        return {"id": pid, "name": name, "merged": others}

    def _user_owned(self, pid: int) -> None:
        """A person a user acted on: their automatic faces count as confirmed from now on."""
        self.store.confirm_faces_of(pid)

    def merge(self, into: int | str, other: int | str) -> dict:
        a, b = self.resolve(into), self.resolve(other)
        if a == b:
            raise PeopleError("cannot merge a person with themselves")
        name_a, name_b = self.store.person(a)["name"], self.store.person(b)["name"]
        with self.catalog.transaction():
            self.store.merge(a, b)
            if not name_a and name_b:
                self.store.set_name(a, name_b)
            self._user_owned(a)
        self.changed(self.store.photo_ids_of(a))
        return {"id": a, "merged": [b]}

    def remove_face(self, face_id: int) -> dict:
        """Take a face off its person: it stays unknown, and never goes back to that person
        by itself (a rejection); the person keeps the rest."""
        face = self._face(face_id)
        with self.catalog.transaction():
            if face.person_id is not None:
                self.store.reject(face.id, face.person_id)
            self.store.assign([face.id], None, "user")
            self.store.delete_empty_people()
        self.changed({face.photo_id})
        return {"face": face.id, "removed_from": face.person_id}

    def hide(self, ref: int | str, hidden: bool = True) -> dict:
        pid = self.resolve(ref)
        with self.catalog.transaction():
            self.store.set_hidden(pid, hidden)
        return {"id": pid, "hidden": hidden}

    def _face(self, face_id: int):
        face = self.store.face(int(face_id))
        if face is None:
            raise PeopleError(f"no such face: {face_id}")
        return face

    def newly_scanned(self) -> list[tuple[int, str, int]]:
        """(photo id, path, orientation) of the photos whose faces were found since the last
        call and that have faces nobody decided about: face regions in their XMP (embedded
        or a sidecar) may tell who they are."""
        stage = self._stage
        ids = stage.take_saved() if stage is not None else set()
        photos = self.catalog.photos_by_ids(ids)
        return [
            (pid, photo.path, photo.orientation or 1)
            for pid, photo in sorted(photos.items())
            if any(f.source == "auto" for f in self.store.faces_of(pid))
        ]

    def apply_regions(self, photo_id: int, regions) -> int:
        """Names from a sidecar's face regions ``(name, upright box)``: each goes to the face it
        overlaps most (never one a user decided about); a name no person has yet becomes a
        person. Returns the faces named."""
        from photoapp.core.faces.stage import iou

        faces = [f for f in self.store.faces_of(photo_id) if f.source == "auto"]
        named = 0
        with self.catalog.transaction():
            for name, box in regions:
                name = " ".join(str(name).split())
                best = max(faces, key=lambda f: iou(f.box, box), default=None)
                if not name or best is None or iou(best.box, box) < REGION_IOU:
                    continue
                ids = self.store.people_named(name)
                pid = ids[0] if ids else self.store.add_person(name)
                if best.person_id == pid:
                    continue
                self.store.assign([best.id], pid, "xmp")
                faces.remove(best)
                named += 1
            if named:
                self.store.delete_empty_people()
        return named

    # -- suggestions ----------------------------------------------------------------------
    def suggestions(self, limit: int = 50) -> list[dict]:
        """ "Is this Ada?": unknown faces near a person, never one the user rejected."""
        faces, vectors = self._faces_for_grouping()
        if not faces:
            return []
        pairs = grouping.suggestions(faces, vectors, self.thresholds())[: max(0, limit)]
        rows = {f.id: f for f in self.store.faces(f for f, _, _ in pairs)}
        photos = self.catalog.photos_by_ids({r.photo_id for r in rows.values()})
        names = self.store.names()
        return [
            {
                "face": f,
                "path": photos[rows[f].photo_id].path,
                "box": [round(v, 5) for v in rows[f].box],
                "person": p,
                "name": names.get(p),
                "distance": round(d, 3),
            }
            for f, p, d in pairs
        ]

    def confirm(self, face_id: int, person: int | str) -> dict:
        face, pid = self._face(face_id), self.resolve(person)
        with self.catalog.transaction():
            self.store.assign([face.id], pid, "user")
            self.store.delete_empty_people()
        self.changed({face.photo_id})
        return {"face": face.id, "person": pid}

    def reject(self, face_id: int, person: int | str) -> dict:
        face, pid = self._face(face_id), self.resolve(person)
        with self.catalog.transaction():
            self.store.reject(face.id, pid)
            if face.person_id == pid:
                self.store.assign([face.id], None, "user")
                self.store.delete_empty_people()
        self.changed({face.photo_id})
        return {"face": face.id, "rejected": pid}

    # -- names in text --------------------------------------------------------------------
    def find_names(self, text: str) -> tuple[list[int], str]:
        """Known person names in free text: (their ids, the rest of the text). Longest names
        first, whole words, case-insensitive; "Ada and Ben" gives both ids and "" left over."""
        return find_names(text, self.store.names())


def find_names(text: str, names: dict[int, str]) -> tuple[list[int], str]:
    found: list[int] = []
    rest = text
    for pid, name in sorted(names.items(), key=lambda item: -len(item[1])):
        words = name.split()
        if not words:
            continue
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)
        if pattern.search(rest):
            rest = pattern.sub("\x00", rest)
            if pid not in found:
                found.append(pid)
    # The words that only joined two names go with them ("Ada and Ben", "Ada & Ben", "Ada, Ben").
    rest = re.sub(r"\x00(?:[\s,]*(?:&|\band\b|\bwith\b)?[\s,]*\x00)+", "\x00", rest, flags=re.IGNORECASE)
    return found, " ".join(rest.replace("\x00", " ").split())
