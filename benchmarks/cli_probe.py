"""Runs ``photoapp ARGS`` as its entry point does, then writes to $PHOTOAPP_PROBE_OUT (JSON)
when the first batch of photos reached the model (time.time(), None if none did), the peak
memory and which modules the command imported (``python cli_probe.py --import torch``: the
same for a bare ``import torch``). benchmarks/cli_search.py runs commands through it."""

from __future__ import annotations

import atexit
import json
import os
import sys
import time

_first_embed: list[float] = []  # when the first batch reached the model, and when it came back


def peak_mb() -> int | None:
    """This process's peak resident memory (Linux VmHWM; a parent's rusage would count the
    memory the benchmark itself had when it forked)."""
    try:
        with open("/proc/self/status") as fh:
            line = next(x for x in fh if x.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return None
    return round(int(line.split()[1]) / 1024)


def _write() -> None:
    with open(os.environ["PHOTOAPP_PROBE_OUT"], "w") as fh:
        first = (_first_embed + [None, None, None])[:3]
        times = os.times()
        result = {"first_embed": first[0], "first_embedded": first[1], "first_embed_cpu_s": first[2]}
        result |= {"cpu_s": round(times.user + times.system, 3), "peak_mb": peak_mb()}
        json.dump(result | {"modules": sorted(sys.modules)}, fh)


def main() -> int:
    atexit.register(_write)
    if sys.argv[1:] == ["--import", "torch"]:
        import torch  # noqa: F401

        return 0
    from photoapp.core.embedding import clip

    real = clip.ClipEmbedder.embed_pixels

    def embed_pixels(self, batch):
        if not _first_embed:
            _first_embed.append(time.time())
            cpu = time.process_time()  # this process's CPU time so far (every thread)
        vectors = real(self, batch)
        if len(_first_embed) == 1:
            _first_embed.extend([time.time(), round(cpu, 3)])
        return vectors

    clip.ClipEmbedder.embed_pixels = embed_pixels
    from photoapp.cli.app import main as photoapp

    return photoapp(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
