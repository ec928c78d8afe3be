"""The installer recipes, checked without building: the PyInstaller spec run for each
platform (with recording stand-ins for PyInstaller's build steps), the shipped data
loading the tiny model and the vocabulary from a bundle-like folder, the .desktop entry,
the Inno Setup script, the macOS recipe and the shell scripts' syntax.

The real Linux build and its smoke test take about 10 minutes:
installers/linux/build.sh && installers/linux/smoke_test.sh dist/photoapp-*-linux-*/
"""

from __future__ import annotations

import ast
import os
import plistlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import photoapp

ROOT = Path(__file__).resolve().parents[2]
INSTALLERS = ROOT / "installers"
sys.path.insert(0, str(INSTALLERS))
import bundle  # noqa: E402


class Recorder:
    """Stands in for one of PyInstaller's build steps: keeps what the spec passed."""

    made: list = []

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        Recorder.made.append(self)


class FakeAnalysis(Recorder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scripts, self.pure = ["entry"], ["pure"]
        # What a real analysis collects, a few of them for the spec's filters to sort out.
        self.binaries = [
            ("torch/lib/libtorch_cpu.so", "/x", "BINARY"),
            ("torch/lib/libtorchbind_test.so", "/x", "BINARY"),
            ("torch/bin/test_api", "/x", "BINARY"),
            ("torch/bin/torch_shm_manager", "/x", "BINARY"),
            ("PySide6/Qt/plugins/platforms/libqeglfs.so", "/x", "BINARY"),
            ("PySide6/Qt/lib/libQt6EglFsKmsSupport.so.6", "/x", "BINARY"),
            ("PySide6/Qt/plugins/platforms/libqoffscreen.so", "/x", "BINARY"),
            # A ctypes name (transformers, onnxruntime) found in the build machine's CUDA
            # toolkit, and a CUDA torch's own runtime (kept: that torch cannot load without it).
            ("libcudart.so", "/usr/local/cuda/lib/libcudart.so", "BINARY"),
            ("nvidia/cuda_runtime/lib/libcudart.so.12", "/x", "BINARY"),
        ]
        self.datas = [(dest, src, "DATA") for src, dest in kwargs["datas"]] + [
            ("torch/include/ATen/ATen.h", "/x", "DATA"),
            ("PySide6/Qt/translations/qtbase_de.qm", "/x", "DATA"),
            # What pyinstaller-hooks-contrib's face_recognition_models hook would collect.
            ("face_recognition_models/models/shape_predictor_68_face_landmarks.dat", "/x", "DATA"),
            ("face_recognition_models/models/shape_predictor_5_face_landmarks.dat", "/x", "DATA"),
        ]


def run_spec(platform: str, monkeypatch, tmp_path) -> dict[str, list]:
    """Execute installers/photoapp.spec as PyInstaller would on ``platform``."""
    monkeypatch.setattr(sys, "platform", platform)
    Recorder.made = []
    kinds = {"Analysis": FakeAnalysis}
    for name in ("PYZ", "EXE", "COLLECT", "BUNDLE"):
        kinds[name] = type(name, (Recorder,), {})
    spec = INSTALLERS / "photoapp.spec"
    namespace = dict(kinds, SPECPATH=str(INSTALLERS), workpath=str(tmp_path / "work"), __file__=str(spec))
    exec(compile(spec.read_text(), str(spec), "exec"), namespace)
    made: dict[str, list] = {}
    for step in Recorder.made:
        made.setdefault(type(step).__name__.replace("Fake", ""), []).append(step)
    return made


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_spec_builds_the_expected_app_on_each_platform(platform, monkeypatch, tmp_path):
    made = run_spec(platform, monkeypatch, tmp_path)
    analysis = made["Analysis"][0]
    assert Path(analysis.args[0][0]).is_file()  # the entry script
    datas = analysis.kwargs["datas"]
    assert all(Path(src).is_file() for src, _ in datas), [s for s, _ in datas if not Path(s).is_file()]
    shipped = {f"{dest}/{Path(src).name}" for src, dest in datas}
    assert {
        "resources/models/toy-clip/model.safetensors",
        "resources/labels/default.txt",
        "resources/icons/photoapp-256.png",
    } <= shipped
    assert {f"resources/labels/{p.name}" for p in (ROOT / "resources" / "labels").glob("*.txt")} <= shipped
    assert {"resources/captions/bank.txt", "resources/captions/toy.txt"} <= shipped
    assert {"resources/maps/countries-110m.json", "resources/maps/SOURCE.md"} <= shipped  # the world map, offline
    assert not any(s.endswith((".bin", ".pt", ".pth")) for s in shipped)  # no real weights, no pickles
    assert "transformers.models.clip.modeling_clip" in analysis.kwargs["hiddenimports"]
    assert {"rawpy", "av", "exifread"} <= set(analysis.kwargs["hiddenimports"])  # RAW files and videos
    assert {"tkinter", "PySide6.QtNetwork", "PySide6.QtQml"} <= set(analysis.kwargs["excludes"])
    # The filters dropped test libraries and headers, and kept what runs.
    assert [b[0] for b in analysis.binaries] == [
        "torch/lib/libtorch_cpu.so",
        "torch/bin/torch_shm_manager",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "nvidia/cuda_runtime/lib/libcudart.so.12",
    ]
    assert not any(d[0].startswith("torch/include") for d in analysis.datas)
    assert not any("shape_predictor_68" in d[0] for d in analysis.datas)  # iBUG 300-W: never shipped
    assert "face_recognition_models/models/shape_predictor_5_face_landmarks.dat" in {d[0] for d in analysis.datas}

    exes = {e.kwargs["name"]: e.kwargs for e in made["EXE"]}
    collect = made["COLLECT"][0]
    assert collect.kwargs["name"] == photoapp.APP_ID
    assert len(collect.args) == len(exes) + 2  # the executables, binaries, datas
    if platform == "linux":
        assert list(exes) == ["photoapp"] and exes["photoapp"]["console"] and exes["photoapp"]["icon"] is None
        assert "BUNDLE" not in made
    if platform == "win32":
        assert exes["photoapp"]["console"] is True and exes["photoappw"]["console"] is False
        assert exes["photoapp"]["icon"].endswith("photoapp.ico") and Path(exes["photoapp"]["icon"]).is_file()
        version_text = Path(exes["photoapp"]["version"]).read_text(encoding="utf-8")
        assert f"StringStruct('ProductVersion', '{photoapp.__version__}')" in version_text
        assert isinstance(ast.parse(version_text, mode="eval").body, ast.Call)  # PyInstaller eval()s it
        assert "BUNDLE" not in made
    if platform == "darwin":
        assert list(exes) == ["photoapp"] and exes["photoapp"]["console"] is False
        assert Path(exes["photoapp"]["entitlements_file"]).is_file()
        app = made["BUNDLE"][0].kwargs
        assert app["name"] == f"{photoapp.APP_NAME}.app" and app["bundle_identifier"] == photoapp.BUNDLE_ID
        assert app["icon"].endswith(".icns") and Path(app["icon"]).is_file()
        plist = app["info_plist"]
        assert plist["CFBundleShortVersionString"] == photoapp.__version__
        assert re.fullmatch(r"\d+\.\d+", plist["LSMinimumSystemVersion"])
        plistlib.dumps(plist)  # serialisable as an Info.plist


def test_version_info_evaluates_as_pyinstaller_reads_it():
    """PyInstaller eval()s the text with its versioninfo classes in scope; check the values."""
    calls = {}

    def record(kind):
        return lambda *a, **k: calls.setdefault(kind, []).append((a, k)) or kind

    names = [
        "VSVersionInfo",
        "FixedFileInfo",
        "StringFileInfo",
        "StringTable",
        "StringStruct",
        "VarFileInfo",
        "VarStruct",
    ]
    eval(bundle.windows_version_info(), {n: record(n) for n in names})  # noqa: S307 (our own text)
    major, minor, patch = (int(x) for x in photoapp.__version__.split(".")[:3])
    assert calls["FixedFileInfo"][0][1]["filevers"] == (major, minor, patch, 0)
    fields = dict(a for a, _ in calls["StringStruct"])
    assert fields["ProductName"] == photoapp.APP_NAME and fields["OriginalFilename"] == "photoapp.exe"


def test_shipped_data_is_enough_to_run(tmp_path, monkeypatch):
    """Only the files the bundle lists, laid out as in the bundle: the tiny model loads and
    ranks, and the default vocabulary loads."""
    for src, dest in bundle.data_files():
        (tmp_path / dest).mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, tmp_path / dest)
    monkeypatch.setenv("PHOTOAPP_RESOURCES", str(tmp_path / "resources"))
    from photoapp.core.embedding.clip import ClipEmbedder
    from photoapp.core.embedding.models import resolve
    from photoapp.core.tagging.labels import default_vocabulary

    source = resolve("toy", download=False)
    assert source.folder == tmp_path / "resources" / "models" / "toy-clip"
    vectors = ClipEmbedder(source, device="cpu").embed_texts(["red circle", "a red circle", "blue square"])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert len(default_vocabulary()) >= 50
    demo = subprocess.run(
        [
            sys.executable,
            "-m",
            "photoapp",
            "--library",
            str(tmp_path / "lib"),
            "--model",
            "toy",
            "demo",
            str(tmp_path / "photos"),
            "--no-gui",
            "--per-class",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, PHOTOAPP_RESOURCES=str(tmp_path / "resources")),
        stdin=subprocess.DEVNULL,
    )
    assert demo.returncode == 0 and "Indexed 36 demo photos" in demo.stdout, demo.stderr


def test_every_model_file_the_loader_reads_is_shipped():
    folder = ROOT / "resources" / "models" / "toy-clip"
    listed = set(bundle.DATA_DIRS["resources/models/toy-clip"])
    on_disk = {p.name for p in folder.iterdir()} - {"training.json"}  # training log, not read at run time
    assert on_disk == listed


def test_hidden_imports_exist_on_disk():
    root = Path(__import__("importlib.util").util.find_spec("transformers").origin).parent.parent
    for name in bundle.hidden_imports():
        base = root / Path(*name.split("."))
        assert base.with_suffix(".py").is_file() or (base / "__init__.py").is_file(), name


def test_desktop_entry_matches_the_app():
    text = (INSTALLERS / "linux" / "photoapp.desktop").read_text()
    entry = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    assert entry["Name"] == photoapp.APP_NAME
    assert entry["Exec"] == f"{photoapp.APP_ID} %F"  # the files a file manager opens with it (issue 24)
    assert entry["TryExec"] == entry["Icon"] == photoapp.APP_ID  # install.sh rewrites Exec
    assert entry["Type"] == "Application" and "Photography" in entry["Categories"].split(";")
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        pytest.skip("desktop-file-validate not installed (Debian: desktop-file-utils)")
    proc = subprocess.run([validate, str(INSTALLERS / "linux" / "photoapp.desktop")], capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_inno_script_is_consistent():
    iss = (INSTALLERS / "windows" / "photoapp.iss").read_text()
    here = INSTALLERS / "windows"
    assert (here / re.search(r"^SetupIconFile=(.+)$", iss, re.M).group(1).replace("\\", "/")).resolve().is_file()
    assert re.search(r"^AppId=\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}$", iss, re.M)
    # The shortcuts start the console-less executable the spec makes on Windows.
    assert re.search(r'^Name: "\{autoprograms\}\\\{#AppName\}"; Filename: "\{app\}\\photoappw\.exe"', iss, re.M)
    code = iss.split("[Code]", 1)[1]
    code = re.sub(r"//.*|'[^']*'", "", code)  # comments and strings
    words = re.findall(r"\b(begin|end)\b", code, re.I)
    assert words.count("begin") == words.count("end"), "unbalanced begin/end in [Code]"
    ps1 = (here / "build.ps1").read_text()
    for define in ("AppName", "AppVersion", "SourceDir", "OutputDir"):
        assert f'"/D{define}=' in ps1 and f"#ifndef {define}" in iss
    assert "photoapp.iss" in ps1 and "installers\\photoapp.spec" in ps1


def test_macos_recipe_is_consistent():
    script = (INSTALLERS / "macos" / "build.sh").read_text()
    assert "installers/photoapp.spec" in script and "hdiutil create" in script and "/Applications" in script
    plist = plistlib.loads((INSTALLERS / "macos" / "entitlements.plist").read_bytes())
    assert plist["com.apple.security.cs.disable-library-validation"] is True


@pytest.mark.parametrize("script", ["linux/build.sh", "linux/smoke_test.sh", "linux/install.sh", "macos/build.sh"])
def test_shell_scripts_parse(script):
    path = INSTALLERS / script
    shell = "sh" if path.read_text().startswith("#!/bin/sh") else "bash"
    proc = subprocess.run([shell, "-n", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert path.stat().st_mode & 0o111, f"{script} is not executable"


IMPORTS_IN_USE = """
import json, sys
import photoapp.cli.app, photoapp.cli.dupes, photoapp.cli.index
import photoapp.cli.search, photoapp.cli.tags, photoapp.cli.watch
from photoapp.core import library
from photoapp.core.duplicates import finder as duplicates, trash
from photoapp.core.tagging import rule as tagging
from photoapp.core.watching import watcher
from photoapp.core.embedding.clip import ClipEmbedder
from photoapp.core.embedding.models import resolve
from photoapp.gui import app, main_window
ClipEmbedder(resolve("toy", download=False), device="cpu").embed_texts(["red circle"])
import huggingface_hub, hf_xet, send2trash, platformdirs, pillow_heif, imagehash  # download, trash, HEIC, hashes
import rawpy, av, exifread  # camera RAW, videos, RAW metadata
from photoapp.core.places import geocoder, service as places  # places (issue 26)
from scipy.spatial import cKDTree
from photoapp.core.faces import detector, grouping, neighbours, service as faces, stage  # people (issue 27)
import dlib
json.dump(sorted(sys.modules), sys.stdout)
"""


def test_nothing_the_app_imports_is_excluded():
    """A module left out of the bundle but imported in use would only fail in the frozen app."""
    import json
    import os

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", IMPORTS_IN_USE], capture_output=True, text=True, env=env, timeout=300, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    imported = json.loads(proc.stdout)
    excluded = bundle.excluded_modules()
    assert "transformers.models.bert" in excluded  # the filter is live
    clashes = [m for m in imported for x in excluded if m == x or m.startswith(x + ".")]
    assert not clashes, f"excluded from the bundle but imported: {clashes[:10]}"


def test_no_hidden_import_is_excluded():
    """PyInstaller drops an excluded module even when it is named as a hidden import (it only
    logs "Hidden import ... not found"): SigLIP2's Gemma tokenizer was lost that way."""
    excluded = bundle.excluded_modules()
    assert "transformers.models.gemma2" in excluded  # the filter is live next to the kept gemma
    clashes = [h for h in bundle.hidden_imports() for x in excluded if h == x or h.startswith(x + ".")]
    assert not clashes, f"hidden imports that the bundle excludes: {clashes}"
