"""The frozen app's entry point: the same ``photoapp`` command as ``pip install`` gives.

With no command it opens the window; with one it is the CLI (see ``photoapp --help``).
"""

import multiprocessing
import sys

from photoapp.cli import main

if __name__ == "__main__":
    # A frozen app re-executes itself for multiprocessing children (spawn on Windows and
    # macOS); this turns such a child into a worker instead of a second Photoapp.
    multiprocessing.freeze_support()
    sys.exit(main())
