"""photoapp people: the people found on photos, naming and correcting them, suggestions."""

from __future__ import annotations

import argparse

from photoapp.cli.common import CliError, open_library
from photoapp.cli.output import add_json_flag, emit

PEOPLE_HELP = """\
People: faces found while indexing, grouped into people (see docs/people.md).

  photoapp people [--all]               every person: id, name, photo count (--all: hidden ones too)
  photoapp people show PERSON           a person's photos and faces (PERSON: an id or a name)
  photoapp people name PERSON NAME      name a person (a name someone else has merges the two)
  photoapp people merge PERSON OTHER    OTHER's faces become PERSON's
  photoapp people remove-face FACE      take a wrong face off its person (never put back by itself)
  photoapp people hide PERSON           leave a person out of the list (unhide: back)
  photoapp people faces PHOTO           the faces found on one photo, with their ids
  photoapp people suggestions           unknown faces that may be someone: FACE, PERSON, distance
  photoapp people confirm FACE PERSON   yes, this face is that person
  photoapp people reject FACE PERSON    no: never suggested or assigned to that person again
  photoapp people settings [--faces on|off] [--detector hog|cnn] [--min-faces N]
                                        --faces off deletes every face, person and name
"""

ACTIONS = {
    # action: (arguments it needs, their names for a message)
    "list": (0, ""),
    "show": (1, "PERSON"),
    "name": (2, "PERSON NAME"),
    "merge": (2, "PERSON OTHER"),
    "remove-face": (1, "FACE"),
    "hide": (1, "PERSON"),
    "unhide": (1, "PERSON"),
    "faces": (1, "PHOTO"),
    "suggestions": (0, ""),
    "confirm": (2, "FACE PERSON"),
    "reject": (2, "FACE PERSON"),
    "settings": (0, ""),
}


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "people",
        help="people found on photos: list, name, merge, correct",
        description=PEOPLE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", choices=list(ACTIONS), nargs="?", default="list")
    p.add_argument("values", nargs="*", metavar="ARG", help="what the action needs (see above)")
    p.add_argument("--all", action="store_true", help="list hidden people too")
    p.add_argument("--limit", type=int, default=50, help="suggestions: at most this many (default 50)")
    p.add_argument("--faces", choices=["on", "off"], help="settings: look for faces while indexing (default on)")
    p.add_argument("--detector", choices=["hog", "cnn"], help="settings: face detector (default hog)")
    p.add_argument("--min-faces", type=int, help="settings: faces that start a person (default 3, at least 2)")
    add_json_flag(p)


def _face_id(text: str) -> int:
    if not text.isdigit():
        raise CliError(f"not a face id: {text!r} (photoapp people faces PHOTO lists them)")
    return int(text)


def cmd_people(args) -> int:
    needed, names = ACTIONS[args.action]
    values = args.values
    if len(values) < needed:
        raise CliError(f"people {args.action} needs {names}")
    if needed == 2 and args.action == "name":
        values = [values[0], " ".join(values[1:])]  # a name of several words without quotes
    elif len(values) > needed:
        raise CliError(f"people {args.action}: unexpected {' '.join(values[needed:])!r}")
    with open_library(args) as lib:
        people = lib.people
        action = args.action
        if action == "list":
            data = people.people(include_hidden=args.all)
            return _print(args, data, _human_list)
        if action == "show":
            return _print(args, people.person(values[0]), _human_person)
        if action == "faces":
            return _print(args, people.faces_in_photo(values[0]), _human_faces)
        if action == "suggestions":
            return _print(args, people.suggestions(args.limit), _human_suggestions)
        if action == "settings":
            return _print(args, _settings(lib, args), lambda d: [print(f"{k}: {v}") for k, v in d.items()])
        data = {
            "name": lambda: people.name(values[0], values[1]),
            "merge": lambda: people.merge(values[0], values[1]),
            "remove-face": lambda: people.remove_face(_face_id(values[0])),
            "hide": lambda: people.hide(values[0], True),
            "unhide": lambda: people.hide(values[0], False),
            "confirm": lambda: people.confirm(_face_id(values[0]), values[1]),
            "reject": lambda: people.reject(_face_id(values[0]), values[1]),
        }[action]()
    return _print(args, data, lambda d: print(", ".join(f"{k}: {v}" for k, v in d.items())))


def _settings(lib, args) -> dict:
    people = lib.people
    if args.min_faces is not None:
        if args.min_faces < 2:
            raise CliError("--min-faces must be at least 2")
        people.settings.min_faces = args.min_faces
        people.save_settings()
    if args.detector:
        people.set_detector(args.detector)
    if args.faces:
        people.set_enabled(args.faces == "on")
    return people.status() | {"min_faces": people.settings.min_faces}


def _print(args, data, human) -> int:
    emit(args, data, human)
    return 0


def _human_list(data: list[dict]) -> None:
    if not data:
        print("no people yet (faces are grouped into people while indexing)")
    for p in data:
        hidden = "  (hidden)" if p["hidden"] else ""
        print(f"{p['id']:5d}  {p['name'] or '(unnamed)'}  {p['photo_count']} photos{hidden}")


def _human_person(d: dict) -> None:
    print(f"{d['id']}: {d['name'] or '(unnamed)'}" + ("  (hidden)" if d["hidden"] else ""))
    for f in d["faces"]:
        print(f"  face {f['id']:6d}  {f['path']}")


def _human_faces(data: list[dict]) -> None:
    if not data:
        print("no faces found on this photo")
    for f in data:
        who = f["name"] or (f"person {f['person']}" if f["person"] else "unknown")
        print(f"face {f['id']:6d}  {who}  box {', '.join(f'{v:.3f}' for v in f['box'])}")


def _human_suggestions(data: list[dict]) -> None:
    if not data:
        print("no suggestions")
    for s in data:
        who = s["name"] or f"person {s['person']}"
        print(f"face {s['face']:6d}  {who}?  ({s['distance']:.3f})  {s['path']}")


COMMANDS = {"people": cmd_people}
