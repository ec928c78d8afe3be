"""Run one photoapp command with its library on a full disk: a real ENOSPC, not a mock.

    unshare -rm python -m tests.cli.full_disk LIBRARY MOUNTPOINT -- photoapp args...

Inside a private mount namespace (``unshare -rm``: no root needed where user namespaces
are allowed) the library is copied onto a small tmpfs at MOUNTPOINT, the catalog is
opened by a reader (so its ``-wal`` and ``-shm`` files exist and opening the library needs
no space), the tmpfs is filled to the last byte, and the command runs on it. Afterwards
the filler is removed and the library copied back over LIBRARY, so the test can inspect
what the command left. Prints ``{"rc", "stdout", "stderr"}`` as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys


def fill(folder: str) -> None:
    """Write zeros into ``folder`` until its file system has no byte left."""
    fd = os.open(os.path.join(folder, "filler"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass  # ENOSPC: full
    finally:
        os.close(fd)


def main(argv: list[str]) -> int:
    library, mount, _, *command = argv
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount], check=True)
    shutil.copytree(library, mount, dirs_exist_ok=True)
    reader = sqlite3.connect(os.path.join(mount, "catalog.sqlite3"))
    reader.execute("SELECT COUNT(*) FROM photos").fetchall()
    fill(mount)
    proc = subprocess.run(
        [sys.executable, "-m", "photoapp", "--library", mount, *command],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    os.unlink(os.path.join(mount, "filler"))
    reader.close()
    shutil.copytree(mount, library, dirs_exist_ok=True)
    print(json.dumps({"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
