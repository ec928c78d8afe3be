"""How fast the CLI answers: `photoapp --help` and `photoapp status` (target: under 0.5 s).

    python benchmarks/cli_start.py [--runs 7]

Runs each command as a fresh process (the installed entry point of this interpreter's
environment) on an empty library and on one with 360 indexed toy photos. Reports wall
time p50/max and the process CPU time (user + system, far less sensitive than wall time
to other programs on a shared machine), and lists which heavy modules (torch,
transformers, PIL, hnswlib, PySide6) each command imported: none may be torch.
Prints a table and writes benchmarks/results/cli_start.json.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import table, write_results  # noqa: E402

HEAVY = ("torch", "transformers", "PIL", "hnswlib", "PySide6", "numpy", "scipy")
TARGET_S = 0.5


def run_once(argv: list[str], env: dict) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def imported(args: list[str], env: dict) -> list[str]:
    """Heavy top-level packages a command imports (python -X importtime)."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "photoapp", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    ).stderr
    names = {line.split("|")[-1].strip().split(".")[0] for line in out.splitlines() if "|" in line}
    return [h for h in HEAVY if h in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    entry = Path(sys.executable).with_name("photoapp")
    if not entry.exists():
        raise SystemExit(f"{entry} is missing: install Photoapp into this environment (./setup.sh)")
    rows, results = [], []
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {"PHOTOAPP_LIBRARY": str(Path(tmp) / "empty")}
        full = Path(tmp) / "toy-lib"
        from photoapp.toy.domain import generate_library

        generate_library(Path(tmp) / "photos", per_class=10, seed=5)
        subprocess.run(
            [str(entry), "--library", str(full), "--model", "toy", "index", "-q", str(Path(tmp) / "photos")],
            env=env,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        cases = [
            ("photoapp --help", ["--help"]),
            ("photoapp status (empty library)", ["status"]),
            ("photoapp status (360 photos)", ["--library", str(full), "status"]),
        ]
        for label, argv in cases:
            run_once([str(entry), *argv], env)  # warm the page cache
            times = [run_once([str(entry), *argv], env) for _ in range(args.runs)]
            wall, cpu = np.array([t[0] for t in times]), np.array([t[1] for t in times])
            heavy = imported(argv, env)
            result = {
                "command": label,
                "wall_p50_s": round(float(np.median(wall)), 3),
                "wall_max_s": round(float(wall.max()), 3),
                "cpu_p50_s": round(float(np.median(cpu)), 3),
                "imports": heavy,
                "torch_imported": "torch" in heavy,
            }
            results.append(result)
            rows.append(
                [label, result["wall_p50_s"], result["wall_max_s"], result["cpu_p50_s"], ",".join(heavy) or "-"]
            )
    load = os.getloadavg()[0]
    print(
        table(
            ["command", "wall p50 s", "wall max s", "CPU p50 s", "heavy imports"],
            rows,
            title=f"CLI start, {args.runs} runs each, target {TARGET_S} s (load average {load:.1f} on "
            f"{os.cpu_count()} CPUs)",
        )
    )
    print(
        "wrote", write_results("cli_start", {"target_s": TARGET_S, "runs": args.runs, "commands": results}, args.json)
    )


if __name__ == "__main__":
    main()
