"""The command line: every capability, JSON on stdout with --json.

``main`` is the ``photoapp`` entry point (pyproject.toml, ``python -m photoapp``, the
frozen app). The package:

  app.py      the global options, the parser of every command, dispatch and error handling
  output.py   JSON or human output, progress bars, messages on stderr, exit statuses
  common.py   the CLI's own user error (CliError), opening the library, the GUI check
  index.py    index                       search.py   search, similar
  library.py  show, status, check, folders, demo
  watch.py    watch                       tags.py     labels, tags, tag, album, smart-album
  dupes.py    dupes

A command module imports only output.py and common.py of the CLI, never another command
module. Progress goes to stderr; errors are one line on stderr and a non-zero exit status.
"""

from photoapp.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
