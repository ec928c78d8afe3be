"""Run the real ``photoapp`` CLI in a subprocess with a race or a pause staged at an exact
point of an index run, which no outside process could time:

    python -m tests.cli.staged_index swap-after-scan PATH -- photoapp arguments...
    python -m tests.cli.staged_index swap-after-hash PATH -- ...
    python -m tests.cli.staged_index block-in-batch N -- ...
    python -m tests.cli.staged_index stall-decode PATH -- ...

- ``swap-after-scan``: once the folder scan has listed PATH as a regular file, PATH is
  replaced by a FIFO (before it is hashed or decoded).
- ``swap-after-hash``: PATH is replaced by a FIFO right after its content was hashed,
  before it is decoded.
- ``block-in-batch``: batch N (from 1) prints ``STAGED: in batch N`` on stderr, then waits
  inside the batch until the run is cancelled (the CLI's SIGINT/SIGTERM handler), as a
  long batch would; the batch then finishes.
- ``stall-decode``: decoding PATH never returns (a read stuck on a stalled drive, where no
  time check can run), and the per-file time limit is 1 s instead of 60.

Everything else is the production code path: the CLI's signal handlers, the indexer, the
decoders and the catalog.
"""

from __future__ import annotations

import os
import sys


def _replace_with_fifo(path: str) -> None:
    os.unlink(path)
    os.mkfifo(path)


def _stage(action: str, arg: str) -> None:
    from photoapp.core.indexing import indexer

    if action == "swap-after-scan":
        real_walk = indexer.walk_photos

        def walk(root, *fence_and_seen):
            found = list(real_walk(root, *fence_and_seen))  # the whole scan, stat included
            _replace_with_fifo(arg)
            yield from found

        indexer.walk_photos = walk
    elif action == "swap-after-hash":
        real_hash = indexer.file_hash

        def file_hash(path):
            digest = real_hash(path)
            if os.fspath(path) == arg:
                _replace_with_fifo(arg)
            return digest

        indexer.file_hash = file_hash
    elif action == "block-in-batch":
        real_embed = indexer.Indexer._embed_batch
        calls = [0]

        def embed_batch(self, arrays):
            calls[0] += 1
            if calls[0] == int(arg):
                print(f"STAGED: in batch {arg}", file=sys.stderr, flush=True)
                while not self.cancel.wait(0.05):  # a long batch, until a signal cancels the run
                    pass
            return real_embed(self, arrays)

        indexer.Indexer._embed_batch = embed_batch
    elif action == "stall-decode":
        import threading

        real_load = indexer.load_for_model
        never = threading.Event()

        def load_for_model(path, *args, **kwargs):
            if os.fspath(path) == arg:
                never.wait()
            return real_load(path, *args, **kwargs)

        indexer.load_for_model = load_for_model
        indexer.FILE_TIMEOUT = 1.0
    else:
        raise SystemExit(f"unknown stage {action!r}")


def main(argv: list[str]) -> int:
    action, arg, sep, *cli_args = argv
    assert sep == "--", "usage: staged_index ACTION ARG -- photoapp arguments"
    _stage(action, arg)
    from photoapp.cli.app import main as photoapp_main

    return photoapp_main(cli_args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
