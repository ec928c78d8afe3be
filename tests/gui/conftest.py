"""GUI test fixtures: headless Qt, a toy library indexed with a CLIP model, thread checks."""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import: no display needed

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def model_spec(tmp_path_factory) -> str:
    """The shipped tiny model, or (while it is not trained yet) a quick throwaway one.

    The throwaway model ranks poorly; tests that check meaning use ``shipped_model``.
    """
    from photoapp.core.embedding.models import toy_model_dir

    if (toy_model_dir() / "config.json").exists():
        return "toy"
    if os.environ.get("PHOTOAPP_TEST_MODEL"):  # a model folder trained earlier, to save time
        return os.environ["PHOTOAPP_TEST_MODEL"]
    out = tmp_path_factory.mktemp("toy-model")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "photoapp.toy.train",
            "--out",
            str(out),
            "--steps",
            "2",
            "--per-class",
            "2",
            "--batch",
            "36",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
        timeout=300,
    )
    return str(out)


@pytest.fixture
def shipped_model(model_spec) -> str:
    if model_spec != "toy":
        pytest.skip("needs the trained toy model in resources/models/toy-clip")
    return model_spec


@pytest.fixture(scope="session")
def toy_folder(tmp_path_factory) -> Path:
    """36 toy photos (one per class) with distinct file dates; shared, so never modified."""
    from photoapp.toy.domain import generate_library

    folder = tmp_path_factory.mktemp("toy") / "photos"
    truth = generate_library(folder, per_class=1, seed=5)
    for i, path in enumerate(sorted(truth)):
        os.utime(path, (1_600_000_000 + i * 3600, 1_600_000_000 + i * 3600))
    return folder


@pytest.fixture
def few_photos(tmp_path, toy_folder) -> Path:
    """12 of the toy photos in their own folder: for flows that index inside the test."""
    folder = tmp_path / "few"
    folder.mkdir()
    for path in sorted(toy_folder.iterdir())[::3]:
        shutil.copy2(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def _indexed_template(tmp_path_factory, toy_folder, model_spec) -> Path:
    from photoapp.core.library import Library

    path = tmp_path_factory.mktemp("template") / "library"
    with Library(path, model=model_spec) as lib:
        lib.index_folders([str(toy_folder)])
    return path


@pytest.fixture
def indexed_library(tmp_path, _indexed_template) -> Path:
    """A fresh copy of a library whose catalog holds the toy photos, embedded (indexing
    once per session keeps the GUI tests quick on a busy 2-core machine)."""
    path = tmp_path / "library"
    shutil.copytree(_indexed_template, path)
    return path


@pytest.fixture
def make_window(qtbot, model_spec):
    """Open a MainWindow on a library; closing it at teardown must stop every thread."""
    from photoapp.gui.main_window import MainWindow
    from photoapp.gui.services.library import LibraryService

    windows = []

    def make(library: Path, model: str | None = None):
        engine = LibraryService(library, model=model or model_spec)
        window = MainWindow(engine)
        window.resize(900, 600)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        pools = (window.engine.queries, window.engine.indexing.pool, window.thumbnails.pool)
        assert all(pool.activeThreadCount() == 0 for pool in pools), "closing the window left work running"


@pytest.fixture(autouse=True)
def no_threads_left():
    """Like napari's conftest: a test that leaves worker threads running fails."""
    from PySide6.QtCore import QThreadPool

    before = {t.ident for t in threading.enumerate()}
    yield
    deadline = time.monotonic() + 30  # a ceiling, not a timing check: ends as soon as they are gone
    extra = []
    while time.monotonic() < deadline:
        # Qt pool threads that ran Python stay listed as _DummyThread forever: the window
        # fixture checks the Qt pools themselves; here only real Python threads count.
        extra = [
            t
            for t in threading.enumerate()
            if t.ident not in before and t.is_alive() and not isinstance(t, threading._DummyThread)
        ]
        if not extra and QThreadPool.globalInstance().activeThreadCount() == 0:
            break
        time.sleep(0.05)
    assert not extra, f"threads left running: {[t.name for t in extra]}"


class Waits:
    """Waiting helpers bound to qtbot (fixtures rather than imports: tests/ is not a package)."""

    def __init__(self, qtbot):
        self.qtbot = qtbot

    def rows(self, window, predicate=None, timeout=20_000) -> None:
        predicate = predicate or (lambda w: w.model.rowCount() > 0)
        self.qtbot.waitUntil(lambda: predicate(window), timeout=timeout)

    def idle(self, window, timeout=60_000) -> None:
        """Until no indexing runs or is about to start by itself, and every query's answer
        has reached the GUI thread (not only left the worker: its callback has run)."""
        self.qtbot.waitUntil(lambda: not window.busy, timeout=timeout)

    @staticmethod
    def lockstep_progress(window) -> None:
        """From now on each index run's progress report holds its worker until the GUI thread
        has handled it (every slot connected to ``engine.indexing.progress`` before this call
        has run). What the GUI does at a count (a pause click) then lands before the next
        batch however loaded the machine is, not whenever the event loop gets to it."""
        from PySide6.QtCore import Qt

        engine, cond = window.engine, threading.Condition()
        counts = {"sent": 0, "handled": 0}

        def handled(*_args) -> None:  # GUI thread
            with cond:
                counts["handled"] += 1
                cond.notify_all()

        def hold(*_args) -> None:  # the indexing thread, as it reports
            with cond:
                counts["sent"] += 1
                mine, deadline = counts["sent"], time.monotonic() + 120
                while counts["handled"] < mine and not engine.closed and time.monotonic() < deadline:
                    cond.wait(0.05)

        def attach() -> None:  # index_started comes before the run starts: no report is missed
            with cond:
                counts["sent"] = counts["handled"] = 0
            engine.indexing.job.signals.progress.connect(hold, Qt.ConnectionType.DirectConnection)

        engine.indexing.progress.connect(handled)
        engine.indexing.started.connect(attach)


@pytest.fixture
def wait(qtbot) -> Waits:
    return Waits(qtbot)
