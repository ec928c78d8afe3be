"""When and where from metadata (photoapp/core/media/capture.py, metadata.py)."""

import math
import time
from datetime import datetime

import pytest

from photoapp.core.media import capture, metadata
from photoapp.core.media.capture import Source
from tests.places_media import photo


def test_exif_time_keeps_zone_and_subseconds():
    found = capture.exif_time("2019:06:14 15:22:01", "25", "+02:00")
    assert found.local == "2019-06-14T15:22:01.250"
    assert found.offset == 120 and found.source == Source.EXIF
    assert found.timestamp == pytest.approx(datetime.fromisoformat("2019-06-14T13:22:01.25+00:00").timestamp())
    assert found.iso() == "2019-06-14T15:22:01.250+02:00"


def test_exif_time_without_zone_is_local_time_marked_as_such():
    found = capture.exif_time("2019:06:14 15:22:01")
    assert found.offset is None and found.iso() == "2019-06-14T15:22:01.000"
    assert found.timestamp == datetime(2019, 6, 14, 15, 22, 1).timestamp()


@pytest.mark.parametrize(
    ("value", "offset"),
    [
        ("1850:01:01 00:00:00", None),  # before 1900
        ("2999:01:01 00:00:00", None),  # the future
        ("0000:00:00 00:00:00", None),  # what cameras write without a clock
        ("    :  :     :  :  ", None),
        ("garbage", None),
        (b"\xff\xfe", None),
        (None, None),
    ],
)
def test_odd_dates_are_unknown(value, offset):
    assert capture.exif_time(value, None, offset) is None


@pytest.mark.parametrize("offset", ["+25:00", "+02:07", "02:00", "x", "+99:99"])
def test_bad_offsets_leave_the_zone_unknown(offset):
    found = capture.exif_time("2019:06:14 15:22:01", None, offset)
    assert found is not None and found.offset is None


def test_container_times():
    found = capture.container_time("2021-03-04T05:06:07.500000Z")
    assert found.offset == 0 and found.local == "2021-03-04T05:06:07.500" and found.source == Source.VIDEO
    assert capture.container_time("2021-03-04T05:06:07+0530").offset == 330
    assert capture.container_time("1904-01-01T00:00:00Z") is None  # an encoder's placeholder
    assert capture.container_time("nonsense") is None


@pytest.mark.parametrize(
    ("lat", "lon", "ok"),
    [(48.85, 2.29, True), (0, 0, False), (91, 0, False), (0, 181, False), (math.nan, 1, False), ("x", 1, False)],
)
def test_positions(lat, lon, ok):
    assert (capture.valid_position(lat, lon) is not None) == ok


def test_iso6709_and_xmp_positions():
    assert capture.iso6709_position("+48.8584+002.2945+035.000/") == (48.8584, 2.2945)
    assert capture.iso6709_position("-33.8568+151.2153/") == (-33.8568, 151.2153)
    xmp = '<rdf:Description exif:GPSLatitude="48,51.504N" exif:GPSLongitude="2,17.67E"/>'
    lat, lon = capture.xmp_position(xmp)
    assert lat == pytest.approx(48.8584) and lon == pytest.approx(2.2945)
    assert capture.xmp_position(
        "<exif:GPSLatitude>33,51.408S</exif:GPSLatitude><exif:GPSLongitude>151,12.918E</exif:GPSLongitude>"
    )[0] == pytest.approx(-33.8568)


def test_read_facts_from_a_photo(tmp_path):
    path = photo(tmp_path / "a.jpg", taken="2008:01:22 03:28:22", subsec="5", offset="-05:00", gps=(40.758, -73.9855))
    facts = metadata.read_facts(path)
    assert facts.capture.local == "2008-01-22T03:28:22.500" and facts.capture.offset == -300
    assert facts.gps == pytest.approx((40.758, -73.9855), abs=1e-5)


def test_zero_gps_is_no_position_and_a_sidecar_gives_one(tmp_path):
    path = photo(tmp_path / "b.jpg", taken="2008:01:22 03:28:22", gps=(0.0, 0.0))
    assert metadata.read_facts(path).gps is None
    (tmp_path / "b.jpg.xmp").write_text('<x exif:GPSLatitude="38,42.6N" exif:GPSLongitude="9,8.4W"/>')
    assert metadata.read_facts(path).gps == pytest.approx((38.71, -9.14), abs=1e-6)


def test_unreadable_files_say_so_so_that_the_catalog_keeps_what_it_knows(tmp_path):
    (tmp_path / "c.jpg").write_bytes(b"not a jpeg")
    assert metadata.read_facts(tmp_path / "c.jpg") is None
    assert metadata.read_facts(tmp_path / "gone.jpg") is None
    assert metadata.read_facts(photo(tmp_path / "d.jpg")) == metadata.Facts()  # readable, no metadata


def test_file_time_fallback():
    now = time.time()
    found = capture.file_time(now)
    assert found.source == Source.FILE and found.timestamp == now
