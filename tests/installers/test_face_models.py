"""The bundle carries the three CC0 face model files and never the 68-point iBUG model
(its licence excludes commercial use); the app finds the shipped files."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "installers"))

import bundle  # noqa: E402


def test_only_the_cc0_face_models_are_shipped_and_found(tmp_path, monkeypatch):
    pytest.importorskip("dlib")
    shipped = [(src, dest) for src, dest in bundle.data_files() if dest == bundle.FACE_MODELS_DIR]
    assert sorted(Path(src).name for src, _ in shipped) == [
        "dlib_face_recognition_resnet_model_v1.dat",
        "mmod_human_face_detector.dat",
        "shape_predictor_5_face_landmarks.dat",
    ]
    assert not bundle.keep_data("face_recognition_models/models/shape_predictor_68_face_landmarks.dat")
    for src, dest in shipped:
        (tmp_path / dest).mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, tmp_path / dest)
    monkeypatch.setenv("PHOTOAPP_RESOURCES", str(tmp_path / "resources"))
    from photoapp.core.faces.detector import FaceAnalyzer, models_dir

    assert Path(models_dir()) == tmp_path / "resources" / "face-models"
    from PIL import Image

    assert FaceAnalyzer().load().analyze(Image.new("RGB", (320, 240), "gray")) == []
