"""How the CLI tells the user's mistakes from its own bugs (photoapp/cli/app.py), and the
package's shape: command modules share only output.py and common.py."""

from __future__ import annotations

import ast
import errno
from pathlib import Path

import pytest

from photoapp.cli import main
from photoapp.cli.output import EXIT_ERROR, EXIT_INTERNAL

CLI = Path(__file__).resolve().parents[2] / "photoapp" / "cli"
COMMAND_MODULES = {"index", "search", "library", "places", "people", "watch", "tags", "actions", "dupes", "settings"}


def run_main(capsys, *args) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(map(str, args)))
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [
        (["search", "x", "-k", "0"], "-k must be at least 1"),  # the CLI's own check
        (["search", "x", "--before", "soon"], "not a date: 'soon'"),  # parse_date's ValueError, at the CLI
        (["index"], "no folders to index"),
        (["show", "/nope.jpg"], "not in the library"),  # LibraryError from the engine
        (["tag", "add", "x", "/nowhere.jpg"], "not in the library: /nowhere.jpg"),  # the tagging service's own
        (["tags", "settings", "--sensitivity", "2"], "sensitivity must be between 0 and 1"),
        (["tags", "train"], "missing NAME"),
        (["labels", "set", "/no/labels.txt"], "cannot read label file /no/labels.txt"),
        (["smart-album", "remove", "nothing"], "no smart album named 'nothing'"),
        (["dupes", "resolve", "--all"], "--all needs --tier"),
    ],
)
def test_a_user_mistake_is_one_line_and_exit_1(tmp_path, capsys, args, message):
    code, err = run_main(capsys, "--library", tmp_path / "lib", "--model", "toy", *args)
    assert code == EXIT_ERROR
    assert err.splitlines() == [f"photoapp: error: {err.split('photoapp: error: ', 1)[-1].strip()}"]
    assert message in err and "Traceback" not in err


def _bug(*_args, **_kw):
    raise ValueError("operands could not be broadcast together with shapes (3,) (4,)")


def assert_reported_as_bug(code: int, err: str) -> None:
    assert code == EXIT_INTERNAL
    assert "Traceback" in err and "operands could not be broadcast" in err
    assert "photoapp: internal error" in err.splitlines()[-1]
    assert not any(line.startswith("photoapp: error:") for line in err.splitlines())


def test_a_value_error_deep_in_the_engine_is_a_bug(tmp_path, capsys, monkeypatch):
    from photoapp.core.store.catalog import Catalog

    monkeypatch.setattr(Catalog, "count_photos", _bug)
    assert_reported_as_bug(*run_main(capsys, "--library", tmp_path / "lib", "status"))


def test_a_value_error_below_the_tagging_service_is_a_bug(tmp_path, capsys, monkeypatch):
    """The tagging commands take the tagging service's own ValueErrors as the user's
    mistakes; one from the store beneath it (here photo_at) is not."""
    from photoapp.core.store.catalog import Catalog

    monkeypatch.setattr(Catalog, "photo_at", _bug)
    code, err = run_main(capsys, "--library", tmp_path / "lib", "--model", "toy", "tag", "add", "x", "/a.jpg")
    assert_reported_as_bug(code, err)


def test_a_failed_watch_says_why_or_surfaces_the_bug():
    from photoapp.cli.common import CliError
    from photoapp.cli.watch import _raise_stop_reason
    from photoapp.core.errors import LibraryError

    _raise_stop_reason(None)
    with pytest.raises(CliError, match="^watching stopped: not a folder: /x$"):
        _raise_stop_reason(LibraryError("not a folder: /x"))
    with pytest.raises(CliError, match="^watching stopped: cannot write to the library .No space left"):
        _raise_stop_reason(OSError(errno.ENOSPC, "No space left on device"))
    bug = KeyError("photo_id")
    with pytest.raises(KeyError) as raised:
        _raise_stop_reason(bug)
    assert raised.value is bug


def _cli_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for each ``from photoapp.cli[.module] import name`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("photoapp.cli"):
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names if alias.name.startswith("photoapp.cli")]
    return found


def test_command_modules_share_only_output_and_common():
    modules = {p.stem for p in CLI.glob("*.py")} - {"__init__", "app", "output", "common"}
    assert modules == COMMAND_MODULES  # a new command module is added to this test on purpose
    for name in sorted(modules | {"output", "common"}):
        for module, imported in _cli_imports(CLI / f"{name}.py"):
            assert module in ("photoapp.cli.output", "photoapp.cli.common"), f"{name}.py imports {module}"
            assert not imported.startswith("_"), f"{name}.py imports the private {module}.{imported}"
    assert _cli_imports(CLI / "output.py") == []  # the bottom layer: common may use it, not the reverse
