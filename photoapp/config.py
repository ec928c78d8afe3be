"""Where a library lives and what it remembers: one typed settings object per library.

A library is a folder holding the catalog (SQLite), vector indexes, caches and
``settings.json``. By default it is the platform's user data dir (platformdirs);
``--library DIR`` or ``PHOTOAPP_LIBRARY`` selects another one.
"""

from __future__ import annotations

import errno
import itertools
import json
import math
import os
import re
import stat
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from photoapp import APP_NAME  # noqa: F401 (re-exported: config.APP_NAME)

DEFAULT_MODEL = "openai/clip-vit-base-patch32"
TOY_MODEL = "toy"


def default_library_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "library"


def library_dir(explicit: str | os.PathLike | None = None) -> Path:
    """``--library`` beats ``PHOTOAPP_LIBRARY`` beats the platform default."""
    chosen = explicit or os.environ.get("PHOTOAPP_LIBRARY")
    return Path(chosen).expanduser().resolve() if chosen else default_library_dir()


def models_cache_dir() -> Path:
    """Downloaded model weights are shared by all libraries of a user."""
    override = os.environ.get("PHOTOAPP_MODELS_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME, appauthor=False)) / "models"


def resources_dir() -> Path:
    """The shipped resources: next to the package in a checkout, inside a frozen bundle."""
    override = os.environ.get("PHOTOAPP_RESOURCES")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


# Temp files of atomic writes are named ".photoapp-tmp-<pid>-<random>.tmp": recognisably
# Photoapp's (so cleaning never touches another program's files, which matters in photo
# folders, where XMP sidecars are written) and carrying the writer's process id, so a
# later writer can tell an orphan (its writer was killed) from a write in progress.
# Earlier versions named them ".<file>.<pid>.<8 random>.tmp" (tempfile.mkstemp's shape):
# still recognised, so what their killed writes left behind goes too.
TEMP_PREFIX = ".photoapp-tmp-"
_TEMP_NAME = re.compile(r"\.photoapp-tmp-(\d+)-[0-9a-f]+\.tmp|\..+\.(\d+)\.[a-z0-9_]{8}\.tmp")


def make_temp_file(path: Path, mode: int = 0o600) -> tuple[int, str]:
    """A temp file next to ``path`` for an atomic write, created with ``mode`` less the
    umask. Orphans in the folder are removed first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_orphan_temp_files(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    while True:  # as tempfile.mkstemp, which cannot take a mode (it always gives 0600)
        tmp = path.parent / f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(4).hex()}.tmp"
        try:
            return os.open(tmp, flags, mode), str(tmp)
        except FileExistsError:
            continue


def remove_orphan_temp_files(folder: Path) -> None:
    for tmp in folder.glob(".*.tmp"):
        remove_orphan_temp_file(tmp)


def remove_orphan_temp_file(tmp: Path) -> None:
    """Remove ``tmp`` if it is one of Photoapp's temp files and its writer is gone."""
    match = _TEMP_NAME.fullmatch(tmp.name)
    if match is None or process_alive(int(match.group(1) or match.group(2))):
        return
    try:
        tmp.unlink()
    except OSError:
        pass  # another process cleaned it, or the folder is read-only: harmless


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (on Windows: assumed so)."""
    if pid == os.getpid() or os.name == "nt":  # on Windows os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, belongs to someone else (or cannot tell): leave its file alone
    return True


def atomic_write_bytes(path: Path, data: bytes, like: os.stat_result | None = None, private: bool = True) -> None:
    """Write to a temp file in the same folder, fsync, then rename over the target.

    A ``private`` file (the library's) is 0600; otherwise (a file in the user's folders)
    it gets the mode a new file gets under the umask, or with ``like`` (the stat of the file
    it replaces) that file's mode and, where the process may (root), its owner."""
    fd, tmp = make_temp_file(path, 0o600 if private and like is None else 0o666)
    try:
        if like is not None:
            _copy_mode_and_owner(fd, like)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            written = os.fstat(fh.fileno()).st_size
        if written != len(data):
            raise OSError(errno.ENOSPC, f"written short, {written} of {len(data)} bytes", str(path))
        crash_point(f"before-rename {path.name}")
        os.replace(tmp, path)
        sync_folder(path.parent)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX: fsync the directory); best effort."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse to sync a directory: the rename itself is still atomic
    finally:
        os.close(fd)


def crash_point(name: str) -> None:
    """For crash tests: a process run with PHOTOAPP_CRASH_AT matching ``name`` (a glob,
    e.g. "before-rename *.xmp") kills itself here, as kill -9 would: no cleanup at all."""
    pattern = os.environ.get("PHOTOAPP_CRASH_AT")
    if pattern:
        from fnmatch import fnmatchcase

        if fnmatchcase(name, pattern):
            import signal

            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def _copy_mode_and_owner(fd: int, like: os.stat_result) -> None:
    if not hasattr(os, "fchown"):  # Windows: no POSIX modes or owners to keep
        return
    if os.geteuid() == 0:
        os.fchown(fd, like.st_uid, like.st_gid)
    elif like.st_gid != os.getegid():
        try:
            os.fchown(fd, -1, like.st_gid)  # allowed for a group the user is in
        except PermissionError:
            pass
    os.fchmod(fd, stat.S_IMODE(like.st_mode))  # after chown, which may clear setgid


def threshold_for(sensitivity: float) -> float:
    """Tagging sensitivity 0..1 -> threshold in the model's units, linear from 0.6 down to
    0.12 (0.5 -> 0.36): higher sensitivity, more tags (photoapp/core/tagging/rule.py)."""
    s = min(max(float(sensitivity), 0.0), 1.0)
    return float(0.6 - 0.48 * s)


# -- settings sections: one typed dataclass per capability --------------------------------
@dataclass
class TagSettings:
    """Auto-tagging (photoapp/core/tagging)."""

    sensitivity: float = 0.5
    max_tags: int = 4  # with all 1,203 LVIS labels real photos get 3.6 tags (4.4 with at most 5)
    auto_tagging: bool = True
    xmp_sidecars: bool = False

    @property
    def threshold(self) -> float:
        return threshold_for(self.sensitivity)


@dataclass
class DupeSettings:
    """Duplicate finding (photoapp/core/duplicates)."""

    near_max_bits: int = 22  # pHash + dHash Hamming distance, of 128 bits
    # Without burst evidence: distinct real photos of one kind of scene reach 0.944 with CLIP
    # ViT-B/32 (shared/real-clip), re-encoded copies score > 0.97 (docs/duplicates.md).
    similar_min_cosine: float = 0.96
    # ... and layouts alike: pHash + dHash within this many bits of 128 (distinct real photos
    # are >= 32 apart, 99 % >= 42; toy shapes of one kind elsewhere in the frame rarely < 40).
    similar_max_bits: int = 40
    similar_neighbours: int = 5  # k of the k-NN query per photo (bursts chain through them)
    similar_max_gap_s: float = 6 * 3600.0  # only when both photos have an EXIF time
    burst_max_gap_s: float = 10.0  # one camera (model + serial), EXIF times with sub-seconds
    burst_min_cosine: float = 0.85  # a burst's frames: one scene, framing moved
    group_cap: int = 24  # largest near/similar group; exact groups are never capped
    knn_ef: int = 12  # HNSW search breadth: 12 keeps 99 % of the pairs of 24 at 40 % of the time
    # In a graph past NEAR_EXACT_LIMIT photos the walk needs more breadth: at 1M, ef 12 finds
    # a copy's original from the copy 66 % of the time, 24: 83 % (either side: ~97 %).
    knn_ef_large: int = 24


@dataclass
class WatchSettings:
    """Folder watching (photoapp/core/watching)."""

    polling: bool = False  # poll every folder even where native events exist
    poll_interval: float = 5.0  # seconds between two polls of a polled folder
    settle: float = 1.0  # a file must keep its size and mtime this long before it is read
    video_settle: float = 3.0  # videos are copied slowly (a phone pauses between chunks)
    max_batch: int = 256  # files to embed per batch; the index is saved after each batch


def faces_default() -> bool:
    """Whether a library whose settings.json does not say starts with faces on: yes, unless
    ``PHOTOAPP_FACES`` is 0/off/no/false (scripted runs and the test suite, where the face
    stage would cost seconds an index run). A library's saved setting always wins."""
    return os.environ.get("PHOTOAPP_FACES", "").strip().lower() not in ("0", "off", "no", "false")


@dataclass
class FaceSettings:
    """People (photoapp/core/faces): faces found while indexing, grouped into people."""

    # off: no face stage, and every face, person and name is deleted
    enabled: bool = field(default_factory=faces_default)
    detector: str = "hog"  # hog (fast, frontal faces) | cnn (dlib's mmod: 3-14 s a photo on a CPU)
    min_faces: int = 3  # faces that must be mutually close before a new person starts


@dataclass
class GuiState:
    """The window as the user left it (photoapp/gui)."""

    geometry: str | None = None  # Qt's saveGeometry(), base64
    thumb_size: int = 160
    folder: str = ""  # the sidebar's folder ("": all photos)
    sort: str = "relevance"  # how search results are ordered
    browse_sort: str = "newest"  # how the timeline is ordered: newest | oldest | name
    square: bool = False  # square crops instead of justified rows


SECTIONS = {
    "tags": TagSettings,
    "duplicates": DupeSettings,
    "watch": WatchSettings,
    "gui": GuiState,
    "faces": FaceSettings,
}

# Before the typed sections (settings.json's "extra" dict): old key -> (section, field).
_OLD_EXTRA = {
    "tag_sensitivity": ("tags", "sensitivity"),
    "tag_max": ("tags", "max_tags"),
    "auto_tagging": ("tags", "auto_tagging"),
    "xmp_sidecars": ("tags", "xmp_sidecars"),
    "watch_polling": ("watch", "polling"),
    "watch_poll_interval": ("watch", "poll_interval"),
    "watch_settle": ("watch", "settle"),
    "watch_video_settle": ("watch", "video_settle"),
    "watch_max_batch": ("watch", "max_batch"),
}


# Numbers outside these bounds (inclusive; None: open) keep their default. Every other
# number must be finite and at least 0 (counts, sizes, seconds).
_BOUNDS = {
    "batch_size": (1, None),
    "hnsw_m": (2, None),
    "hnsw_ef_construction": (1, None),
    "hnsw_ef": (1, None),
    "strictness": (-1.0, 1.0),
    "tags.sensitivity": (0.0, 1.0),
    "duplicates.near_max_bits": (0, 128),
    "duplicates.similar_min_cosine": (-1.0, 1.0),
    "duplicates.similar_max_bits": (0, 128),
    "duplicates.burst_min_cosine": (-1.0, 1.0),
    "duplicates.similar_neighbours": (1, None),
    "duplicates.group_cap": (2, None),
    "duplicates.knn_ef": (1, None),
    "duplicates.knn_ef_large": (1, None),
    "watch.poll_interval": (0.1, None),
    "watch.max_batch": (1, None),
    "gui.thumb_size": (16, None),
    "faces.min_faces": (2, None),
}


# Text settings with a fixed set of values; another value keeps the default.
_CHOICES = {
    "device": ("auto", "cpu", "cuda", "mps"),
    "precision": ("auto", "fp32", "fp16", "bf16", "int8"),
}


def _checked(key: str, default, value, report: Callable[[str], None]):
    """``value`` if it suits the setting whose default is ``default``, else the default and
    one line for ``report`` naming the key (a hand-edited file must not stop the app)."""
    if isinstance(default, bool):
        ok, wanted = isinstance(value, bool), "true or false"
    elif isinstance(default, (int, float)):
        low, high = _BOUNDS.get(key, (0, None))
        whole = isinstance(default, int)
        number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if whole and number and float(value).is_integer():
            value = int(value)
        ok = number and (not whole or isinstance(value, int))
        ok = ok and value >= low and (high is None or value <= high)
        kind = "a whole number" if whole else "a number"
        wanted = f"{kind} from {low} to {high}" if high is not None else f"{kind} of at least {low}"
    elif key in _CHOICES:
        ok, wanted = value in _CHOICES[key], "one of " + ", ".join(_CHOICES[key])
    else:  # text, or text that may be unset (null)
        ok, wanted = isinstance(value, str) or (default is None and value is None), "text"
    if ok:
        return value
    report(f"settings.json: {key} must be {wanted}, not {json.dumps(value)}; using the default ({json.dumps(default)})")
    return default


def _section(cls, raw, name: str, report: Callable[[str], None]) -> object:
    """A section from its stored dict: unknown keys dropped, unsuitable values (a
    hand-edited file) replaced by the default and reported."""
    section = cls()
    if raw is None:
        return section
    if not isinstance(raw, dict):
        report(f"settings.json: {name} must be an object of settings, not {json.dumps(raw)}; using the defaults")
        return section
    for f in fields(cls):
        if f.name in raw:
            default = getattr(section, f.name)
            setattr(section, f.name, _checked(f"{name}.{f.name}", default, raw[f.name], report))
    return section


def _set_aside(path: Path, why: str) -> str:
    """Move a settings file that cannot be read out of the way (never over an earlier one:
    settings.json.bad, .bad.1, .bad.2 ...) and say so in one line."""
    for n in itertools.count():
        aside = path.with_name(f"{path.name}.bad" + (f".{n}" if n else ""))
        if not os.path.lexists(aside):
            break
    try:
        os.rename(path, aside)
    except FileNotFoundError:  # another process moved it first
        return f"settings.json could not be read ({why}); using the default settings"
    except OSError as exc:
        return f"settings.json could not be read ({why}) nor moved aside ({exc.strerror}); using the default settings"
    return f"settings.json could not be read ({why}); it was moved to {aside.name} and the default settings are used"


def _migrate_extra(raw: dict) -> None:
    """Move an old settings.json's ``extra`` values into the typed sections."""
    extra = raw.pop("extra", None)
    if not isinstance(extra, dict):
        return
    if extra.get("pending_model") and "pending_model" not in raw:
        raw["pending_model"] = extra["pending_model"]
    for old, (section, name) in _OLD_EXTRA.items():
        if old in extra:
            raw.setdefault(section, {}).setdefault(name, extra[old])
    for section in ("duplicates", "gui"):
        if isinstance(extra.get(section), dict):
            raw[section] = extra[section] | (raw.get(section) or {})


# Search ef before real-CLIP queries were measured (recall@10 0.969 there); libraries that
# stored it move to the current default (ef is a search-time setting: no rebuild).
OLD_DEFAULT_EF = 256


@dataclass
class Settings:
    """Per-library settings, stored as ``settings.json`` in the library folder."""

    model: str | None = None  # remembered after the first index
    device: str = "auto"  # auto | cpu | cuda | mps
    batch_size: int = 32
    decode_workers: int = 0  # 0 = choose from the CPU count
    # auto (fp16 on a GPU; on a CPU int8 on ONNX Runtime for full-size models, else fp32) | fp32 |
    # fp16 | bf16 | int8 (CPU). Embeddings are kept per model, not per precision: switching
    # re-embeds nothing (reduced precision is only used within cosine 0.99 of fp32).
    precision: str = "auto"
    # HNSW graph of the vector index (benchmarks/search_scale.py chose these): links per
    # node, candidate list while building, candidate list while searching.
    hnsw_m: int = 16
    hnsw_ef_construction: int = 200
    hnsw_ef: int = 512
    strictness: float = 0.0  # search cut-off: -1 loose .. +1 strict (photoapp.core.search.relevance)
    pending_model: str | None = None  # a model being switched to (see core/indexing/service.py)
    tags: TagSettings = field(default_factory=TagSettings)
    duplicates: DupeSettings = field(default_factory=DupeSettings)
    watch: WatchSettings = field(default_factory=WatchSettings)
    gui: GuiState = field(default_factory=GuiState)
    faces: FaceSettings = field(default_factory=FaceSettings)

    @classmethod
    def load(cls, library: Path, problems: list[str] | None = None) -> Settings:
        """The library's settings. A damaged file must not lock the user out, nor be lost:
        a value that does not suit its key keeps the default (other keys keep theirs); a
        file that is not readable JSON is moved aside (``_set_aside``) and the defaults are
        used. Each such problem is one line appended to ``problems``."""
        report = problems.append if problems is not None else (lambda line: None)
        path = library / "settings.json"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except OSError as exc:
            report(_set_aside(path, exc.strerror or str(exc)))
            return cls()
        except ValueError as exc:  # truncated, not JSON, not UTF-8
            report(_set_aside(path, f"not valid JSON: {exc}"))
            return cls()
        if not isinstance(raw, dict):
            report(_set_aside(path, "not a JSON object"))
            return cls()
        _migrate_extra(raw)
        if raw.get("hnsw_ef") == OLD_DEFAULT_EF:  # never offered as a choice: the old default
            raw["hnsw_ef"] = cls.hnsw_ef
        defaults = cls()
        values = {
            f.name: _checked(f.name, getattr(defaults, f.name), raw[f.name], report)
            for f in fields(cls)
            if f.name in raw and f.name not in SECTIONS
        }
        sections = {name: _section(section, raw.get(name), name, report) for name, section in SECTIONS.items()}
        return cls(**values, **sections)

    def update_from(self, other: Settings, keep: tuple[str, ...] = ()) -> None:
        """Take ``other``'s values in place (section objects stay the same objects, so
        services holding one see the change), except the fields named in ``keep``."""
        for f in fields(self):
            if f.name in keep:
                continue
            value = getattr(other, f.name)
            if f.name in SECTIONS:
                vars(getattr(self, f.name)).update(vars(value))
            else:
                setattr(self, f.name, value)

    def save(self, library: Path) -> None:
        data = json.dumps(asdict(self), indent=2, sort_keys=True).encode("utf-8")
        atomic_write_bytes(library / "settings.json", data)


# -- one setting by its settings.json key ("hnsw_ef", "duplicates.near_max_bits") -----------
# Not set by key: the model is switched with --model (it re-embeds the library, with a
# warning), a pending switch is the indexer's, the window's geometry is the window's.
NOT_BY_KEY = ("model", "pending_model", "gui.geometry")


def setting_defaults() -> dict[str, object]:
    """Every settings.json key (sections as "section.key") with its default, in file order."""
    flat: dict[str, object] = {}
    for f in fields(Settings):
        if f.name in SECTIONS:
            flat.update({f"{f.name}.{k}": v for k, v in asdict(SECTIONS[f.name]()).items()})
        else:
            flat[f.name] = getattr(Settings, f.name)
    return flat


def get_setting(settings: Settings, key: str):
    section, _, name = key.rpartition(".")
    if key not in setting_defaults():
        raise KeyError(key)
    return getattr(getattr(settings, section) if section else settings, name)


def set_setting(settings: Settings, key: str, text: str):
    """Set ``key`` from its text on a command line (JSON: 0.5, true, null; else the text
    itself), checked as a loaded settings.json is. ValueError with one line if refused."""
    defaults = setting_defaults()
    if key not in defaults:
        raise ValueError(f"no setting {key!r}; `photoapp settings` lists them")
    if key in NOT_BY_KEY:
        raise ValueError(f"{key} is not set by key" + (": use --model ID|PATH|toy" if key == "model" else ""))
    try:
        value = json.loads(text)
    except ValueError:
        value = text
    if isinstance(defaults[key], str) or defaults[key] is None:
        value = value if value is None or isinstance(value, str) else text
    refused: list[str] = []
    value = _checked(key, defaults[key], value, refused.append)
    if refused:
        raise ValueError(refused[0].removeprefix("settings.json: ").split("; using")[0])
    section, _, name = key.rpartition(".")
    setattr(getattr(settings, section) if section else settings, name, value)
    return value
