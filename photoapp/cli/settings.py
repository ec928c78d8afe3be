"""photoapp settings: every key of the library's settings.json, its value and default; set one."""

from __future__ import annotations

import argparse
import json

from photoapp.cli.common import CliError
from photoapp.cli.output import add_json_flag, emit, warn

SETTINGS_HELP = """\
The library's settings (settings.json in the library folder), by key.

  photoapp settings                    every key: its value, and its default where different
  photoapp settings KEY                one value
  photoapp settings KEY VALUE          set it (checked as settings.json is read; JSON values:
                                       0.5, true, null; text as it is)

examples:
  photoapp settings precision int8
  photoapp settings strictness 0.3                 # search cut-off: -1 loose .. +1 strict
  photoapp settings duplicates.near_max_bits 18
  photoapp settings watch.polling true

A change takes effect the next time the library is opened (close the window first: it keeps
its settings and would write them back). The model is changed with --model, not here.
"""


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "settings",
        help="show or change the library's settings (settings.json) by key",
        description=SETTINGS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("key", nargs="?", metavar="KEY", help="a key, e.g. strictness or duplicates.near_max_bits")
    p.add_argument("value", nargs="?", metavar="VALUE", help="the new value")
    add_json_flag(p)


def cmd_settings(args) -> int:
    from photoapp.config import Settings, get_setting, library_dir, set_setting, setting_defaults

    folder = library_dir(args.library)
    problems: list[str] = []
    settings = Settings.load(folder, problems)
    for line in problems:
        warn(line)
    defaults = setting_defaults()
    if args.key is None:
        data = {key: get_setting(settings, key) for key in defaults}
        data = {"file": str(folder / "settings.json"), "settings": data, "defaults": defaults}
        emit(args, data, _print_all)
        return 0
    if args.key not in defaults:
        raise CliError(f"no setting {args.key!r}; `photoapp settings` lists them")
    if args.value is not None:
        try:
            set_setting(settings, args.key, args.value)
        except ValueError as exc:
            raise CliError(str(exc)) from exc
        settings.save(folder)
    value = get_setting(settings, args.key)
    emit(args, {args.key: value}, lambda d: print(f"{args.key} = {json.dumps(value)}"))
    return 0


def _print_all(d: dict) -> None:
    print(f"# {d['file']}")
    for key, value in d["settings"].items():
        default = d["defaults"][key]
        same = value == default
        print(f"{key} = {json.dumps(value)}" + ("" if same else f"   (default {json.dumps(default)})"))


COMMANDS = {"settings": cmd_settings}
