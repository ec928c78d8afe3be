"""photoapp onthisday: photos taken on a day's month and day in earlier years (issue 26)."""

import json
import subprocess
import sys

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
