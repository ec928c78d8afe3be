"""The face stage of indexing: what the indexer calls on each photo it decodes.

The indexer decodes a photo once; when the face stage is on, it asks for a preview large
enough for faces too (``min_side``), runs ``analyze`` on it in its decode worker and
``save``s the result in the same transaction as the photo's row. Faces found again on a
photo (the photo changed, another detector, another model) take over what a person decided
about the earlier faces they overlap: name, removal, rejections (``carry``).
"""

from __future__ import annotations

import threading

from photoapp.core.faces.detector import DECODE_SIDE, FaceAnalyzer, Found
from photoapp.core.store.faces import FaceRow, FaceStore, NewFace

# An earlier face and a new one are the same face when their boxes overlap this much
# (intersection over union).
SAME_FACE_IOU = 0.5


class FaceStage:
    """``name`` identifies detector + model: a photo looked at by another name is looked at again."""

    min_side = DECODE_SIDE

    def __init__(self, analyzer: FaceAnalyzer):
        self.analyzer = analyzer
        self.name = f"{analyzer.detector_name}+{analyzer.model}"
        self.saved: set[int] = set()  # photos whose faces were found since ``take_saved``
        self._loading: threading.Thread | None = None

    def load(self) -> FaceStage:
        self.analyzer.load()
        return self

    def load_in_background(self) -> FaceStage:
        """dlib's models take seconds to load (issue 30): an index run embeds its first batch
        first; photos decoded before they are ``ready`` are left to the run's face pass."""
        if not self.ready and self._loading is None:
            self._loading = threading.Thread(target=self._load_quietly, name="face-models", daemon=True)
            self._loading.start()
        return self

    def _load_quietly(self) -> None:
        try:
            self.analyzer.load()
        except Exception:  # noqa: BLE001 - the face pass's analyze loads again and reports it per photo
            pass

    @property
    def ready(self) -> bool:
        return self.analyzer.loaded

    def analyze(self, image) -> list[Found]:
        return self.analyzer.analyze(image)

    def save(self, catalog, photo_id: int, found: list[Found]) -> list[int]:
        """Store ``found`` as the photo's faces (inside the caller's transaction)."""
        store = FaceStore(catalog)
        new = [
            NewFace(f.box, f.px, f.score, f.landmarks, f.embedding, self.analyzer.detector_name, self.analyzer.model)
            for f in found
        ]
        carry(store, store.faces_of(photo_id), new)
        self.saved.add(photo_id)
        return store.replace(photo_id, self.name, new)

    def take_saved(self) -> set[int]:
        saved, self.saved = self.saved, set()
        return saved


def iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    iw = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def carry(store: FaceStore, old: list[FaceRow], new: list[NewFace]) -> None:
    """Each new face overlapping an earlier one (best pairs first) takes its person, how
    it got it, and the people it was rejected from."""
    if not old or not new:
        return
    rejected = store.rejected_of(f.id for f in old)
    pairs = sorted(
        ((iou(o.box, n.box), i, j) for i, o in enumerate(old) for j, n in enumerate(new)),
        reverse=True,
    )
    used_old, used_new = set(), set()
    for overlap, i, j in pairs:
        if overlap < SAME_FACE_IOU:
            break
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        new[j].person_id, new[j].source = old[i].person_id, old[i].source
        new[j].rejected = tuple(sorted(rejected.get(old[i].id, ())))
