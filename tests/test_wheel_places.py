"""Places from an installed (non-editable) wheel (issue 26): the GeoNames data the geocoder
reads comes from its registry packages, not from this checkout, so a photo's place must be
named the same from a wheel installed into a fresh virtualenv.

The wheel is built from this checkout (no network: no build isolation, no dependencies
fetched) and installed into a new virtualenv that sees this one's installed packages (a
.pth line) but not the editable checkout. Then ``photoapp index``, ``photoapp places`` and
``photoapp show`` run from that virtualenv on photos carrying the GPS positions of
../shared/places/dev-landmarks.tsv. The toy model comes from resources/ (PHOTOAPP_RESOURCES:
resources are not in the wheel; the app bundle carries them, installers/bundle.py).

Slow (a wheel build and a virtualenv): runs only with PHOTOAPP_NEW_USER_TEST=1 (.ci/run).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from photoapp.core.places.names import fold
from tests.places_media import photo
from tests.test_new_user import fresh_copy

ROOT = Path(__file__).resolve().parents[1]
LANDMARKS = ROOT.parent / "shared" / "places" / "dev-landmarks.tsv"

pytestmark = pytest.mark.skipif(
    os.environ.get("PHOTOAPP_NEW_USER_TEST") != "1",
    reason="builds and installs a wheel into a fresh virtualenv: set PHOTOAPP_NEW_USER_TEST=1 (.ci/run does)",
)


def _run(args, **kwargs):
    done = subprocess.run(args, capture_output=True, text=True, timeout=900, **kwargs)
    assert done.returncode == 0, f"{args[:3]}... failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


def test_an_installed_wheel_names_the_places_of_gps_tagged_photos(tmp_path):
    if not LANDMARKS.is_file():
        pytest.skip(f"{LANDMARKS} is not here")
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip"]
    source = fresh_copy(tmp_path / "source")  # what git would commit: the build leaves nothing in the checkout
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(source)])
    (wheel,) = wheels.glob("photoapp-*.whl")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "photoapp-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # numpy, scipy, reverse_geocode...
    _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)])

    rows = list(csv.DictReader(LANDMARKS.open(encoding="utf-8"), delimiter="\t"))
    for i, row in enumerate(rows):
        photo(
            tmp_path / "photos" / f"p{i:02d}.jpg",
            colour=(i * 12 % 255, 90, 200),
            gps=(float(row["lat"]), float(row["lon"])),
        )
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PHOTOAPP_", "VIRTUAL_ENV", "PYTHON"))}
    env |= {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "PHOTOAPP_RESOURCES": str(ROOT / "resources")}
    app = [str(venv / "bin" / "photoapp"), "--library", str(tmp_path / "lib")]

    where = _run([str(python), "-c", "import photoapp; print(photoapp.__file__)"], env=env, cwd=tmp_path).stdout
    assert where.startswith(str(site)), f"photoapp came from {where}, not the installed wheel"
    _run([*app, "--model", "toy", "index", str(tmp_path / "photos")], env=env, cwd=tmp_path)
    places = json.loads(_run([*app, "places", "--json"], env=env, cwd=tmp_path).stdout)
    cities = {fold(city["city"]) for country in places for city in country["cities"] if city["city"]}
    named = [row for row in rows if row["city"] not in ("", "-")]  # "-": a point at sea
    missed = [row["city"] for row in named if not {fold(n) for n in row["city"].split("|")} & cities]
    assert not missed, (missed, sorted(cities))
    madrid = next(i for i, row in enumerate(rows) if row["city"].startswith("Madrid"))
    shown = json.loads(_run([*app, "show", "--json", str(tmp_path / "photos" / f"p{madrid:02d}.jpg")], env=env).stdout)
    assert shown["place"]["city"] == "Madrid" and shown["place"]["country_code"] == "ES"
