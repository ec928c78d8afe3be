"""Where and when: the geocoder's load time, lookup rate and memory, and the search bar's
parsing time (targets: load <= 1 s, >= 10,000 lookups/s, <= 200 MB, parsing <= 2 ms).

    python benchmarks/places_bench.py [--lookups 20000] [--queries 2000]

Each figure is measured in a fresh process (load and memory need one): the first load
(compiling the package's data into the compact cache), a cached load, lookups in batches
(as a library is placed) and one at a time, resident memory added by the loaded geocoder,
and interpret() over mixed queries on a library of 40 places. Writes
benchmarks/results/places.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import table, write_results  # noqa: E402

TARGETS = {"load_s": 1.0, "lookups_per_s": 10_000, "memory_mb": 200, "parse_ms": 2.0}

GEOCODER = r"""
import json, resource, sys, time
import numpy as np
t0 = time.perf_counter()
c0 = time.process_time()
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from photoapp.core.places.geocoder import Geocoder
from pathlib import Path
g = Geocoder.load(Path(sys.argv[1]))
load = time.perf_counter() - t0
load_cpu = time.process_time() - c0
rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
n = int(sys.argv[2])
rng = np.random.default_rng(0)
idx = rng.integers(0, len(g.lat), n)  # near real places (photos are taken where people are)
pts = np.stack([g.lat[idx] + rng.normal(0, 0.05, n), g.lon[idx] + rng.normal(0, 0.05, n)], 1)
t = time.perf_counter(); g.lookup_many(pts); batch = n / (time.perf_counter() - t)
m = min(n, 3000)
t = time.perf_counter()
for lat, lon in pts[:m]:
    g.lookup(lat, lon)
single = m / (time.perf_counter() - t)
rss_after = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
figures = {"load_s": load, "load_cpu_s": load_cpu, "batch_per_s": batch, "single_per_s": single}
print(json.dumps(figures | {"rss_mb": rss, "rss_after_mb": rss_after}))
"""

PARSER = r"""
import json, sys, time
from datetime import date
from photoapp.core.search.interpret import PlaceResolver, date_resolver, interpret, ordinary_words
cities = ["Paris", "Lisbon", "Munich", "New York", "Rome", "Nice", "Orange", "Porto", "Rio de Janeiro", "Sevilla"]
names = [(c.lower(), "city", c, "XX") for c in cities]
names += [("lisboa", "city", "Lisbon", "PT"), ("munchen", "city", "Munich", "DE")]
names += [(f"town{i}", "city", f"Town{i}", "XX") for i in range(30)]
resolvers = [date_resolver, PlaceResolver(names)]
ordinary_words()
queries = ["red circle in Paris 2019", "beach sunset", "nice sunset", "orange square in Orange", "photos from Lisboa",
           "snow last December", "dog on the beach summer 2020", "the 90s", "New York at night 2019-2021",
           "yesterday", "family dinner in Rio de Janeiro June 2008", "cat +sofa -dog"]
n = int(sys.argv[1])
today = date(2026, 6, 1)
t = time.perf_counter()
for i in range(n):
    interpret(queries[i % len(queries)], today, resolvers)
print(json.dumps({"parse_ms": (time.perf_counter() - t) / n * 1000}))
"""


def run(code: str, *args) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lookups", type=int, default=20_000)
    ap.add_argument("--queries", type=int, default=2_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        first = run(GEOCODER, cache, args.lookups)
        cached = run(GEOCODER, cache, args.lookups)
    parse = run(PARSER, args.queries)
    rows = [
        ["first load (compiles the cache), s", f"{first['load_s']:.2f}", "-"],
        ["cached load, s (wall)", f"{cached['load_s']:.2f}", f"<= {TARGETS['load_s']}"],
        ["cached load, s (process CPU time)", f"{cached['load_cpu_s']:.2f}", f"<= {TARGETS['load_s']}"],
        ["lookups/s, batches", f"{cached['batch_per_s']:,.0f}", f">= {TARGETS['lookups_per_s']:,}"],
        ["lookups/s, one at a time", f"{cached['single_per_s']:,.0f}", "-"],
        ["memory while loaded, MB", f"{cached['rss_after_mb']:.0f}", f"<= {TARGETS['memory_mb']}"],
        ["parsing, ms/query", f"{parse['parse_ms']:.3f}", f"<= {TARGETS['parse_ms']}"],
    ]
    print(table(["measure", "value", "target"], rows, title="places and dates"))
    path = write_results(
        "places",
        {"targets": TARGETS, "first_load": first, "cached": cached, "parser": parse, "lookups": args.lookups},
    )
    print(f"written to {path}")


if __name__ == "__main__":
    main()
