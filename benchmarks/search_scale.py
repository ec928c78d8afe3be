"""Search at library scale: the HNSW index against exact search, and a text query end to end.

    python benchmarks/search_scale.py                       # 100,000 and 1,000,000 photos
    python benchmarks/search_scale.py -n 100000 --m 16 --ef-construction 100 --ef 64,128,256

For each size: N random 512-d unit vectors (the embeddings) and Q random unit queries (the
hardest case for a graph index: no cluster structure to follow; ``--data clustered`` puts
the photos in scenes of ~50 look-alikes, cosine ~0.8 to their scene, and the queries
near scenes, which is closer to how real photo embeddings are spread; ``--data real`` blends
real ViT-B/32 photo embeddings from ../shared/real-clip, two at a time plus noise, and
queries them with the real caption embeddings: as hard as a real library). It builds the project's
VectorIndex (hnswlib) with the given M / ef_construction, and for each ef measures one
query at a time on one thread: latency p50/p99 and recall@10 against exact search
(numpy, also timed). Memory per photo is the resident-memory growth of the build, beyond
the vectors' own 4*dim bytes. Then the end-to-end text query: the text encoder of the
real-size ViT-B/32 CLIP (random weights) on the CPU plus the index query, as
``photoapp search -k 20`` does before it reads the result rows; and, for clustered data,
the default search with its relevance decision over a real catalog of the same photos
(the first query reads the background sample and calibrates on the caption bank, later
ones reuse both; with ``--data real`` the bank is shared/real-clip's). HNSW
indexes are cached (``--cache``) and shared with dupes_scale.py.

Prints a table and writes benchmarks/results/search_scale.json.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import (  # noqa: E402
    cached_index,
    clustered_vectors,
    library_vectors,
    make_vit_b32,
    real_clip,
    table,
    unit_vectors,
    write_results,
)

from photoapp.core.store.vector_index import HnswParams, VectorIndex  # noqa: E402

QUERIES = [
    "a dog running on the beach at sunset",
    "snow mountains",
    "birthday cake with candles",
    "red car",
    "my grandmother in the garden",
    "city skyline at night",
    "cat",
    "wedding dance",
]


def rss_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, list[float]]:
    """Ground truth, and the latency of one exact numpy query (matrix-vector + partial sort)."""
    truth, times = [], []
    for q in queries:
        start = time.perf_counter()
        scores = vectors @ q
        top = np.argpartition(-scores, k)[:k]
        top = top[np.argsort(-scores[top])]
        times.append(time.perf_counter() - start)
        truth.append(top)
    return np.array(truth), times


def ms(values: list[float], pct: float) -> float:
    return round(float(np.percentile(values, pct)) * 1000, 2)


def measure(n: int, dim: int, params: HnswParams, efs: list[int], queries: int, data: str, cache: Path) -> dict:
    print(f"{n:,} vectors: generating...", file=sys.stderr)
    vectors = library_vectors(n, dim, data)
    if data == "clustered":  # queries share the photos' scenes (same centres), looser
        qs = clustered_vectors(queries, dim, seed=n + 1, scenes=max(1, n // 50), spread=1.2)
    elif data == "real":  # the real captions
        qs = real_clip("queries")[:queries]
    else:
        qs = unit_vectors(queries, dim, seed=n + 1)
    truth, exact_times = exact_top(vectors, qs, 10)
    gc.collect()
    before = rss_bytes()
    index, build_s = cached_index(vectors, params, cache, data)
    overhead = (rss_bytes() - before) / n - 4 * dim
    row = {
        "n": n,
        "dim": dim,
        "data": data,
        "m": params.m,
        "ef_construction": params.ef_construction,
        "build_s": build_s,
        "bytes_per_photo_beyond_vectors": round(overhead),
        "exact_numpy_p50_ms": ms(exact_times, 50),
        "exact_numpy_p99_ms": ms(exact_times, 99),
        "by_ef": {},
    }
    # Each ef as given (fixed), then the default: the settings' ef, grown with the library's size.
    choices = [(ef, HnswParams(params.m, params.ef_construction, ef, ef_growth=0)) for ef in efs]
    for label, chosen in [*choices, ("default", params)]:
        index.params = chosen
        times, hits = [], 0
        for q, true in zip(qs, truth):
            start = time.perf_counter()
            ids, _ = index.query(q, 10)
            times.append(time.perf_counter() - start)
            hits += len(set((ids - 1).tolist()) & set(true.tolist()))  # catalog ids start at 1
        row["by_ef"][label] = {
            "ef": chosen.search_ef(n),
            "recall_at_10": round(hits / (10 * len(qs)), 4),
            "p50_ms": ms(times, 50),
            "p99_ms": ms(times, 99),
        }
        print(f"  ef={label}: {row['by_ef'][label]}", file=sys.stderr)
    index.params = params
    return row, index, vectors, qs


def text_query(index: VectorIndex, model: Path, rounds: int, library: tuple | None = None) -> dict:
    # library: (vectors, queries, bank or None)
    """Text encoder (ViT-B/32 text tower, CPU) + index query, one query at a time; with
    ``library`` (vectors, clustered queries), also encoder + the relevance cut-off search that ``photoapp search``
    runs by default (search.relevant over a real catalog of the same photos: candidates,
    background sample, result rows). Random weights make the text vectors meaningless, so
    the cut-off gets one of the clustered queries instead, which has a real top group."""
    from photoapp.core.embedding.clip import MIN_COSINE, ClipEmbedder
    from photoapp.core.embedding.models import resolve

    emb = ClipEmbedder(resolve(str(model)), "cpu").load()
    emb.embed_texts(["warm-up"])
    encode, total = [], []
    for i in range(rounds):
        start = time.perf_counter()
        vector = emb.embed_texts([QUERIES[i % len(QUERIES)]])[0]
        mid = time.perf_counter()
        index.query(vector, 20)
        end = time.perf_counter()
        encode.append(mid - start)
        total.append(end - start)
    out = {
        "encode_p50_ms": ms(encode, 50),
        "p50_ms": ms(total, 50),
        "p99_ms": ms(total, 99),
        "queries": rounds,
        "text_tower": "int8" if (emb.text_int8_cosine or 0) >= MIN_COSINE else "fp32",
        "int8_cosine_to_fp32": emb.text_int8_cosine,
    }
    if library is not None:
        out["with_cutoff"] = cutoff_search(index, emb, *library, rounds=rounds)
    return out


def cutoff_search(
    index: VectorIndex, emb, vectors: np.ndarray, queries: np.ndarray, bank: np.ndarray, rounds: int
) -> dict:
    """photoapp search's default path: encoder + search.relevant with the library's text
    decision (calibrated on the caption bank against the background sample, as
    Library.calibration does), over a catalog of the same photos."""
    from fixtures import fill_catalog

    from photoapp.core.search import ranking as search
    from photoapp.core.search import relevance
    from photoapp.core.store.catalog import Catalog

    with tempfile.TemporaryDirectory() as tmp:
        cat = Catalog(Path(tmp) / "catalog.sqlite3")
        print(f"  filling a catalog of {len(index):,} photos...", file=sys.stderr)
        fill_catalog(cat, vectors, "bench")
        everything = lambda: cat.embeddings("bench")  # noqa: E731 (small libraries only)
        times, search_only, hits, calibrate_ms = [], [], [], None
        calibration = None
        for i in range(rounds + 1):
            start = time.perf_counter()
            emb.embed_texts([QUERIES[i % len(QUERIES)]])
            if calibration is None:  # once per index version in the product
                t0 = time.perf_counter()
                _, photos = search.background(cat, index, "bench") if len(index) > search.EXACT_ALL else everything()
                calibration = relevance.calibrate(bank, photos)
                calibrate_ms = round((time.perf_counter() - t0) * 1000, 1)
            decide = lambda s, w, c=calibration: relevance.decide_text(s, c, w)  # noqa: E731
            t1 = time.perf_counter()
            found = search.relevant(cat, index, "bench", queries[i % len(queries)], everything, decide=decide)
            times.append(time.perf_counter() - start)
            search_only.append(time.perf_counter() - t1)
            hits.append(len(found))
        cat.close()
    return {
        "first_query_ms": round(times[0] * 1000, 1),
        "calibration_ms": calibrate_ms,
        "p50_ms": ms(times[1:], 50),
        "p99_ms": ms(times[1:], 99),
        "without_encoder_p50_ms": ms(search_only[1:], 50),
        "without_encoder_p99_ms": ms(search_only[1:], 99),
        "mean_relevant": round(float(np.mean(hits)), 1),
        "empty_share": round(float(np.mean(np.array(hits) == 0)), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", default="100000,1000000", help="library sizes, comma-separated")
    parser.add_argument("--dim", type=int, default=512)
    defaults = HnswParams()
    parser.add_argument("--m", type=int, default=defaults.m)
    parser.add_argument("--ef-construction", type=int, default=defaults.ef_construction)
    parser.add_argument("--ef", default=None, help=f"search ef values to measure (default 64,{defaults.ef},256,512)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--data", choices=["random", "clustered", "real"], default="random")
    parser.add_argument("--text-queries", type=int, default=30)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "photoapp-bench")
    parser.add_argument("--json", type=Path, help="result file (default benchmarks/results/search_scale.json)")
    args = parser.parse_args()
    params = HnswParams(args.m, args.ef_construction, defaults.ef)
    efs = [int(e) for e in (args.ef or f"64,{defaults.ef},256,512").split(",")]
    model = make_vit_b32(args.cache / "vit-b32-random-processor")
    results = []
    for n in (int(x) for x in args.n.split(",")):
        row, index, vectors, qs = measure(n, args.dim, params, efs, args.queries, args.data, args.cache)
        # the caption bank: shared/real-clip's real one, or 430 random vectors (the shipped bank's size) for the cost
        library = {
            "clustered": (vectors, qs, unit_vectors(430, args.dim, seed=7)),
            "real": (vectors, qs, real_clip("bank")),
        }.get(args.data)
        row["text_query"] = text_query(index, model, args.text_queries, library)
        results.append(row)
        del index, vectors
        gc.collect()
    lines = []
    for r in results:
        for ef, e in r["by_ef"].items():
            lines.append(
                [
                    f"{r['n']:,}",
                    f"M={r['m']} efC={r['ef_construction']} ef={ef}",
                    r["build_s"],
                    r["bytes_per_photo_beyond_vectors"],
                    e["recall_at_10"],
                    e["p50_ms"],
                    e["p99_ms"],
                    r["exact_numpy_p50_ms"],
                ]
            )
    print(
        table(
            ["photos", "HNSW", "build s", "B/photo", "recall@10", "p50 ms", "p99 ms", "exact p50 ms"],
            lines,
            title=f"{args.dim}-d {args.data} unit vectors, {args.queries} queries, one thread per query",
        )
    )
    print()
    print(
        table(
            ["photos", "text encode p50 ms", "text query p50 ms", "p99 ms"],
            [
                [f"{r['n']:,}", r["text_query"]["encode_p50_ms"], r["text_query"]["p50_ms"], r["text_query"]["p99_ms"]]
                for r in results
            ],
            title=f"text query end to end (ViT-B/32 text tower on CPU + index, k=20, "
            f"default ef {params.ef}, grown beyond 100k photos)",
        )
    )
    with_cutoff = [r for r in results if "with_cutoff" in r["text_query"]]
    if with_cutoff:
        print()
        print(
            table(
                ["photos", "first query ms", "p50 ms", "p99 ms", "without encoder p50/p99 ms", "relevant photos"],
                [
                    [
                        f"{r['n']:,}",
                        *(r["text_query"]["with_cutoff"][key] for key in ("first_query_ms", "p50_ms", "p99_ms")),
                        "{without_encoder_p50_ms} / {without_encoder_p99_ms}".format(**r["text_query"]["with_cutoff"]),
                        r["text_query"]["with_cutoff"]["mean_relevant"],
                    ]
                    for r in with_cutoff
                ],
                title="text query with the relevance cut-off (photoapp search's default: encoder + "
                "search.relevant over a catalog)",
            )
        )
    out = write_results(
        "search_scale" if args.data == "random" else f"search_scale-{args.data}",
        {"params": vars(params) if hasattr(params, "__dict__") else str(params), "sizes": results},
        args.json,
    )
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
