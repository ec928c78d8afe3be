"""photoapp onthisday and photoapp places --area (issue 26): this day in earlier years, and the
photos in a box of the world map, from the command line."""

import json
import subprocess
import sys

import pytest

from tests.places_media import photo


def run(*args):
    return subprocess.run([sys.executable, "-m", "photoapp", *args], capture_output=True, text=True, timeout=300)


def test_onthisday_json_and_a_bad_date(tmp_path):
    photo(tmp_path / "p" / "a.jpg", taken="2019:12:03 10:00:00", gps=(48.8584, 2.2945))
    photo(tmp_path / "p" / "b.jpg", colour=(1, 200, 1), taken="2020:12:04 10:00:00")
    lib = ["--library", str(tmp_path / "lib")]
    indexed = run(*lib, "--model", "toy", "index", str(tmp_path / "p"))
    assert indexed.returncode == 0, indexed.stderr
    out = run(*lib, "onthisday", "--date", "2025-12-03", "--json")
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["date"] == "2025-12-03" and answer["photos"] == 1
    assert [(y["year"], y["years_ago"]) for y in answer["years"]] == [(2019, 6)]
    assert answer["years"][0]["photos"][0]["path"].endswith("a.jpg")
    bad = run(*lib, "onthisday", "--date", "3 Dec")
    assert bad.returncode != 0 and bad.stderr.startswith("photoapp: error: --date must be a date as YYYY-MM-DD")
    assert "Traceback" not in bad.stderr


def test_places_area_lists_the_photos_in_a_box(tmp_path):
    photo(tmp_path / "p" / "paris.jpg", taken="2019:12:03 10:00:00", gps=(48.8584, 2.2945))
    photo(tmp_path / "p" / "suva.jpg", colour=(1, 1, 200), taken="2020:01:01 10:00:00", gps=(-18.1416, 178.4419))
    lib = ["--library", str(tmp_path / "lib")]
    assert run(*lib, "--model", "toy", "index", str(tmp_path / "p")).returncode == 0
    out = run(*lib, "places", "--area", "48,2,49,3", "--json")
    assert out.returncode == 0, out.stderr
    (only,) = json.loads(out.stdout)
    assert only["path"].endswith("paris.jpg") and only["gps"] == pytest.approx([48.8584, 2.2945])
    across = json.loads(run(*lib, "places", "--area=-30,170,0,-170", "--json").stdout)  # over the date line
    assert [p["path"].rsplit("/", 1)[-1] for p in across] == ["suva.jpg"]
    for bad in ("1,2,3", "50,0,40,10", "north"):
        wrong = run(*lib, "places", f"--area={bad}")
        assert wrong.returncode != 0 and wrong.stderr.startswith("photoapp: error: --area")
        assert "Traceback" not in wrong.stderr
