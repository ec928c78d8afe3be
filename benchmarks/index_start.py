"""How soon ``photoapp index`` of 8 new photos reaches the model: an older commit against
this tree, side by side in one run (issue 30: target 1.5 s).

    python benchmarks/index_start.py [--base REV] [--runs 5] [--cache /tmp/photoapp-bench]

The ViT-B/32 folder with random weights of benchmarks/cli_search.py (its int8 towers in the
export cache under --cache) embeds; faces on as users have them. ``--base`` (default: the
merge base with main) is checked out with ``git archive`` into a temporary folder; each tree
indexes into a library of its own (a newer schema locks older code out). Each run indexes 8
new 2 MP photos once with the old code and once with this tree, interleaved, so both see
the same load (os.getloadavg() is recorded before each pair). Both run with byte-code cached
(PYTHONPYCACHEPREFIX), as an installed copy does; one warm-up run each is left out.
Prints a table and writes benchmarks/results/index_start.json.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli_search import PROBE, TARGET_INDEX_START_S, heavy, new_photos  # noqa: E402
from fixtures import ROOT, make_vit_b32, table, write_results  # noqa: E402


def checkout(rev: str, into: Path) -> Path:
    """``rev``'s tracked files (no .venv: the running interpreter's packages serve both)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    into.mkdir(parents=True)
    tar = into / "tree.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as fh:
        fh.extractall(into, filter="data")
    tar.unlink()
    return into


def index_once(tree: Path, argv: list[str], env: dict, out: Path) -> dict:
    """``photoapp index`` through cli_probe.py with ``tree``'s code: first batch, wall, CPU."""
    env = env | {"PYTHONPATH": str(tree), "PHOTOAPP_PROBE_OUT": str(out)}
    started, t0 = time.time(), time.perf_counter()
    proc = subprocess.run([sys.executable, str(PROBE), *argv], env=env, capture_output=True, cwd=tree)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"{tree}: {' '.join(argv)} failed: {proc.stderr.decode()[-2000:]}")
    import json

    probe = json.loads(out.read_text())
    first = probe["first_embed"] - started if probe["first_embed"] else None
    return {"first": first, "first_cpu": probe["first_embed_cpu_s"], "wall": wall, "imports": heavy(probe["modules"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=None, help="the older commit (default: merge base with main)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "photoapp-bench")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    git = ["git", "-C", str(ROOT)]
    base = args.base or subprocess.check_output([*git, "merge-base", "HEAD", "main"], text=True).strip()
    model = make_vit_b32(args.cache / "vit-b32-random-processor")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        trees = {"old": checkout(base, tmp / "old"), "new": ROOT}
        # One library per tree: a newer tree migrates its catalog to a schema the older
        # code refuses to open.
        libs = {name: tmp / f"lib-{name}" for name in trees}
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PHOTOAPP_FACES")}
        env |= {"PHOTOAPP_ONNX_DIR": str(args.cache / "onnx-cli")}
        env |= {"PYTHONPYCACHEPREFIX": str(tmp / "pyc")}
        runs: dict[str, list[dict]] = {"old": [], "new": []}
        loads = []
        for i in range(args.runs + 1):  # run 0: the warm-up (byte-code, page cache, the export cache)
            loads.append(os.getloadavg()[0])
            for name, tree in trees.items():
                folder = tmp / f"new-{name}-{i}"
                new_photos(folder, 8, seed=100 + 2 * i + (name == "new"))
                argv = ["--library", str(libs[name]), "--model", str(model), "index", "-q", str(folder)]
                result = index_once(tree, argv, env, tmp / f"{name}{i}.json")
                if i:
                    runs[name].append(result)
                print(f"run {i} {name}: first batch {result['first']:.2f} s, wall {result['wall']:.2f} s", flush=True)
    summary = {}
    for name, rs in runs.items():
        summary[name] = {
            "first_batch_p50_s": round(float(np.median([r["first"] for r in rs])), 3),
            "first_batch_max_s": round(max(r["first"] for r in rs), 3),
            "first_batch_cpu_p50_s": round(float(np.median([r["first_cpu"] for r in rs])), 3),
            "wall_p50_s": round(float(np.median([r["wall"] for r in rs])), 3),
            "imports": rs[-1]["imports"],
        }
    rows = [
        [f"{name} ({base[:10] if name == 'old' else 'this tree'})", s["first_batch_p50_s"], s["first_batch_max_s"]]
        + [s["first_batch_cpu_p50_s"], s["wall_p50_s"]]
        for name, s in summary.items()
    ]
    heads = ["photoapp index (8 new 2 MP photos)", "first batch p50 s", "max s", "CPU to it p50 s", "wall p50 s"]
    print(table(heads, rows, title=f"load average before each pair: {', '.join(f'{x:.1f}' for x in loads[1:])}"))
    data = {"base": base, "runs": args.runs, "load_avg_per_pair": [round(x, 2) for x in loads[1:]]}
    data |= {"target_first_batch_s": TARGET_INDEX_START_S} | summary
    print(write_results("index_start", data, args.json))


if __name__ == "__main__":
    main()
