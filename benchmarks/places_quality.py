"""How the geocoder's two choices were made without tuning to one set: the urban density
that sizes a city's disc and the smallest city that covers more than itself.

    python benchmarks/places_quality.py [--seed 7]

Well-known places (their coordinates and the town people name, listed below, written
for this benchmark) are split at random into halves A and B: each setting is scored on
A (the half a choice may look at) and on B (held out), and on ../shared/places/
dev-landmarks.tsv, which no choice looked at. Also scores a plain nearest-point lookup.
Writes benchmarks/results/places_quality.json.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import table, write_results  # noqa: E402

from photoapp.core.places import geocoder as geo  # noqa: E402
from photoapp.core.places.names import fold  # noqa: E402

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "places" / "dev-landmarks.tsv"
PLACES = [  # name, lat, lon, town people name ("-": none, at sea)
    ("Eiffel Tower", 48.8584, 2.2945, "Paris"),
    ("Gateway of India", 18.9220, 72.8347, "Mumbai"),
    ("Times Square", 40.7580, -73.9855, "New York"),
    ("Colosseum", 41.8902, 12.4922, "Rome"),
    ("Big Ben", 51.5007, -0.1246, "London"),
    ("Brandenburg Gate", 52.5163, 13.3777, "Berlin"),
    ("Sydney Opera House", -33.8568, 151.2153, "Sydney"),
    ("Golden Gate Bridge", 37.8199, -122.4783, "San Francisco"),
    ("Statue of Liberty", 40.6892, -74.0445, "New York"),
    ("Sagrada Familia", 41.4036, 2.1744, "Barcelona"),
    ("Belem Tower", 38.6916, -9.2160, "Lisbon"),
    ("Acropolis", 37.9715, 23.7257, "Athens"),
    ("Tokyo Tower", 35.6586, 139.7454, "Tokyo"),
    ("Shibuya crossing", 35.6595, 139.7005, "Tokyo"),
    ("Forbidden City", 39.9163, 116.3972, "Beijing"),
    ("Christ the Redeemer", -22.9519, -43.2105, "Rio de Janeiro"),
    ("CN Tower", 43.6426, -79.3871, "Toronto"),
    ("Burj Khalifa", 25.1972, 55.2744, "Dubai"),
    ("Taj Mahal", 27.1751, 78.0421, "Agra"),
    ("Red Square", 55.7539, 37.6208, "Moscow"),
    ("Charles Bridge", 50.0865, 14.4114, "Prague"),
    ("Rijksmuseum", 52.3600, 4.8852, "Amsterdam"),
    ("Hollywood sign", 34.1341, -118.3215, "Los Angeles"),
    ("Space Needle", 47.6205, -122.3493, "Seattle"),
    ("Marina Bay Sands", 1.2834, 103.8607, "Singapore"),
    ("Grand Palace", 13.7500, 100.4913, "Bangkok"),
    ("Pyramids of Giza", 29.9792, 31.1342, "Giza"),
    ("Neuschwanstein", 47.5576, 10.7498, "Schwangau"),
    ("Zermatt", 46.0207, 7.7491, "Zermatt"),
    ("Central Park", 40.7829, -73.9654, "New York"),
    ("Brooklyn Bridge", 40.7061, -73.9969, "New York"),
    ("Versailles", 48.8049, 2.1204, "Versailles"),
    ("Alhambra", 37.1761, -3.5881, "Granada"),
    ("Edinburgh Castle", 55.9486, -3.1999, "Edinburgh"),
    ("Table Mountain cable car", -33.9486, 18.4030, "Cape Town"),
    ("Petronas Towers", 3.1579, 101.7116, "Kuala Lumpur"),
    ("Hagia Sophia", 41.0086, 28.9802, "Istanbul"),
    ("Atomium", 50.8949, 4.3415, "Brussels"),
    ("Little Mermaid", 55.6929, 12.5993, "Copenhagen"),
    ("Prado Museum", 40.4138, -3.6921, "Madrid"),
    ("Duomo Milan", 45.4641, 9.1919, "Milan"),
    ("Rialto Bridge", 45.4380, 12.3358, "Venice"),
    ("Pike Place Market", 47.6097, -122.3422, "Seattle"),
    ("Fisherman's Wharf", 37.8080, -122.4177, "San Francisco"),
    ("Sensoji", 35.7148, 139.7967, "Tokyo"),
    ("Fushimi Inari", 34.9671, 135.7727, "Kyoto"),
    ("Opera Garnier", 48.8720, 2.3316, "Paris"),
    ("Montmartre", 48.8867, 2.3431, "Paris"),
    ("Carcassonne citadel", 43.2065, 2.3640, "Carcassonne"),
    ("Cliffs of Moher visitor centre", 52.9719, -9.4265, "-"),
    ("Mid-Atlantic", 35.0, -40.0, "-"),
    ("Pacific", 0.0, -140.0, "-"),
    ("Tasman Sea", -40.0, 160.0, "-"),
]


def score(coder, rows) -> tuple[int, int]:
    found = coder.lookup_many([(r[1], r[2]) for r in rows])
    right = 0
    for (_, _, _, town), place in zip(rows, found):
        city = place.city if place else None
        right += (not city) if town == "-" else fold(city or "") in {fold(t) for t in town.split("|")}
    return right, len(rows)


def nearest_only(coder, rows) -> tuple[int, int]:
    right = 0
    for _, lat, lon, town in rows:
        chord, j = coder._tree.query(geo._unit(lat, lon), k=1)
        name = coder.strings[coder.name[j]]
        right += (
            (float(geo._km(chord)) > geo.TOWN_KM) if town == "-" else fold(name) in {fold(t) for t in town.split("|")}
        )
    return right, len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rows = list(PLACES)
    random.Random(args.seed).shuffle(rows)
    half_a, half_b = rows[: len(rows) // 2], rows[len(rows) // 2 :]
    dev = []
    if DEV.is_file():
        with open(DEV, encoding="utf-8") as fh:
            dev = [(r["name"], float(r["lat"]), float(r["lon"]), r["city"]) for r in csv.DictReader(fh, delimiter="\t")]
    arrays, strings = geo._compile()
    version = geo.data_version()
    out, results = [], []
    for density in (2_500, 3_500, 5_000, 10_000):
        for min_pop in (20_000, 50_000, 100_000):
            geo.URBAN_DENSITY, geo.CITY_MIN_POP = density, min_pop
            coder = geo.Geocoder(dict(arrays), strings, version)
            a, b, d = score(coder, half_a), score(coder, half_b), score(coder, dev) if dev else (0, 0)
            results.append({"density": density, "min_pop": min_pop, "A": a, "B": b, "dev": d})
            out.append([f"{density}/km2, {min_pop:,}", f"{a[0]}/{a[1]}", f"{b[0]}/{b[1]}", f"{d[0]}/{d[1]}"])
    plain = [nearest_only(coder, half_a), nearest_only(coder, half_b), nearest_only(coder, dev)]
    out.append(["nearest point only", *(f"{r}/{n}" for r, n in plain)])
    print(table(["density, smallest covering city", "half A", "half B (held out)", "dev"], out, "town right"))
    # ties: the denser setting (smaller discs: a small town near a city keeps its own name)
    best = max(results, key=lambda r: (r["A"][0], r["density"], -r["min_pop"]))
    print(f"best on A: {best['density']}/km2, {best['min_pop']:,}: B {best['B'][0]}/{best['B'][1]}")
    write_results("places_quality", {"seed": args.seed, "settings": results, "nearest_only": plain, "best_on_A": best})


if __name__ == "__main__":
    main()
