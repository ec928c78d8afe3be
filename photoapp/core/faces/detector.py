"""Face detection, landmarks and embeddings with dlib and the CC0 model files of the
``face-recognition-models`` package.

Three files of that package are used: ``shape_predictor_5_face_landmarks.dat`` (5-point
landmarks, for alignment), ``mmod_human_face_detector.dat`` (the CNN detector, opt-in) and
``dlib_face_recognition_resnet_model_v1.dat`` (a ResNet mapping an aligned face to 128
numbers). The package also holds a 68-point landmark model trained on iBUG 300-W whose
licence excludes commercial use: it is never opened here (``MODEL_FILES`` names the only
files read) and the installers leave it out.

dlib's objects are not safe to share between threads: one analyser runs one photo at a time.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from dataclasses import dataclass

import numpy as np

from photoapp.core.errors import PhotoappError

# The only files of face-recognition-models that are ever read (all three CC0).
MODEL_FILES = {
    "landmarks": "shape_predictor_5_face_landmarks.dat",
    "cnn": "mmod_human_face_detector.dat",
    "embedding": "dlib_face_recognition_resnet_model_v1.dat",
}
EMBEDDING_MODEL = "dlib-resnet-v1"
DETECTORS = ("hog", "cnn")

# Faces are looked for on the preview the indexer decodes, scaled so that its long side is
# at most this (HOG finds faces from ~80 px of this image: ~8 % of the photo's long side).
ANALYSIS_SIDE = 1024
# What the indexer must at least decode for it (both sides; a JPEG's draft mode may go down to it).
DECODE_SIDE = 768
# HOG's own default cut-off: windows scoring below are not faces (people-free photos score < 0).
MIN_SCORE = 0.0


class FacesUnavailable(PhotoappError):
    """dlib or the model files are not installed."""


@dataclass
class Found:
    box: tuple[float, float, float, float]  # x, y, w, h: fractions of the image
    px: float  # face width in pixels of the analysed image
    score: float
    landmarks: np.ndarray  # (5, 2) fractions of the image
    embedding: np.ndarray  # (128,) float32


def models_dir() -> str:
    """Where the model files are: resources/face-models in a bundle (installers/bundle.py
    ships the three CC0 files there), else where face-recognition-models keeps them (found
    without importing it: its __init__ needs pkg_resources, which setuptools no longer has)."""
    from photoapp.config import resources_dir

    shipped = resources_dir() / "face-models"
    if all((shipped / name).is_file() for name in MODEL_FILES.values()):
        return str(shipped)
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FacesUnavailable("face recognition needs the face-recognition-models package (pip install it)")
    return os.path.join(list(spec.submodule_search_locations)[0], "models")


def _model_path(key: str) -> str:
    path = os.path.join(models_dir(), MODEL_FILES[key])
    if not os.path.isfile(path):
        raise FacesUnavailable(f"face model file missing: {path}")
    return path


class FaceAnalyzer:
    """Finds faces on an upright RGB picture: boxes, 5 landmarks, 128-number embeddings."""

    def __init__(self, detector: str = "hog", upsample: int = 0):
        if detector not in DETECTORS:
            raise FacesUnavailable(f"unknown face detector {detector!r} (choose one of {', '.join(DETECTORS)})")
        self.detector = detector
        self.upsample = max(0, int(upsample))
        self.model = EMBEDDING_MODEL
        self._lock = threading.Lock()
        self._loaded = None

    @property
    def detector_name(self) -> str:
        return f"dlib-{self.detector}" + (f"-up{self.upsample}" if self.upsample else "")

    def check(self) -> FaceAnalyzer:
        """FacesUnavailable now, where dlib or a model file is missing (``load`` takes seconds)."""
        if importlib.util.find_spec("dlib") is None:
            raise FacesUnavailable("face recognition needs dlib (pip install dlib-bin)")
        for key in ("landmarks", "embedding", *(("cnn",) if self.detector == "cnn" else ())):
            _model_path(key)
        return self

    def load(self) -> FaceAnalyzer:
        with self._lock:
            self._load_locked()
        return self

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    def _load_locked(self):
        if self._loaded is None:
            try:
                import dlib
            except ImportError:
                raise FacesUnavailable("face recognition needs dlib (pip install dlib-bin)") from None
            if self.detector == "cnn":
                detect = dlib.cnn_face_detection_model_v1(_model_path("cnn"))
            else:
                detect = dlib.get_frontal_face_detector()
            self._loaded = (
                dlib,
                detect,
                dlib.shape_predictor(_model_path("landmarks")),
                dlib.face_recognition_model_v1(_model_path("embedding")),
            )
        return self._loaded

    def analyze(self, image) -> list[Found]:
        """Faces on a PIL image (upright RGB), scaled down to ``ANALYSIS_SIDE`` first."""
        pixels = _analysis_pixels(image)
        height, width = pixels.shape[:2]
        with self._lock:
            dlib, detect, landmarks, embed = self._load_locked()
            rects = self._detect(detect, pixels)
            if not rects:
                return []
            shapes = dlib.full_object_detections()
            for rect, _ in rects:
                shapes.append(landmarks(pixels, rect))
            vectors = embed.compute_face_descriptor(pixels, shapes, 0)
        found = []
        for (rect, score), shape, vector in zip(rects, shapes, vectors):
            left, top = max(0, rect.left()), max(0, rect.top())
            right, bottom = min(width, rect.right() + 1), min(height, rect.bottom() + 1)
            if right <= left or bottom <= top:
                continue
            points = np.array([[p.x / width, p.y / height] for p in shape.parts()], np.float32)
            found.append(
                Found(
                    box=(left / width, top / height, (right - left) / width, (bottom - top) / height),
                    px=float(rect.width()),
                    score=float(score),
                    landmarks=points,
                    embedding=np.asarray(vector, np.float32),
                )
            )
        return found

    def _detect(self, detect, pixels: np.ndarray) -> list:
        if self.detector == "cnn":
            return [(d.rect, d.confidence) for d in detect(pixels, self.upsample) if d.confidence >= MIN_SCORE]
        rects, scores, _ = detect.run(pixels, self.upsample, MIN_SCORE)
        return list(zip(rects, scores))


def _analysis_pixels(image) -> np.ndarray:
    from PIL import Image

    if image.mode != "RGB":
        image = image.convert("RGB")
    scale = ANALYSIS_SIDE / max(image.size)
    if scale < 1:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8))
