"""Camera facts from EXIF (issue 24): what the viewer's info panel and `photoapp show` print,
read from the real photographs in shared/photos and from generated JPEGs."""

from __future__ import annotations

import os
from fractions import Fraction

import pytest
from PIL import Image, TiffImagePlugin

from photoapp.core.media.exif import describe_exif, read_exif


def test_a_real_canon_photo_gives_every_setting(shared_photos):
    facts = read_exif(shared_photos / "Blinds.jpg")
    assert facts == {
        "taken": "2008-01-22T03:28:22",
        "camera": "Canon EOS 350D DIGITAL",
        "iso": 400,
        "aperture": 5.6,
        "exposure": 0.0125,
        "focal_length": 107.0,
    }
    assert describe_exif(facts) == {
        "Taken": "22 January 2008, 03:28:22",
        "Camera": "Canon EOS 350D DIGITAL",
        "ISO": "400",
        "Aperture": "f/5.6",
        "Shutter": "1/80 s",
        "Focal length": "107 mm",
    }


def test_zero_values_and_missing_exif_leave_no_rows(shared_photos):
    # Dune.jpg records FNumber 0 and FocalLength 0 (a lens without contacts): not "f/0".
    dune = describe_exif(read_exif(shared_photos / "Dune.jpg"))
    assert "Aperture" not in dune and "Focal length" not in dune
    assert dune["Shutter"] == "1/4000 s" and dune["ISO"] == "100"
    assert read_exif(shared_photos / "Aqua.jpg") == {}  # no EXIF at all
    wood = describe_exif(read_exif(shared_photos / "Wood.jpg"))
    assert wood["Camera"] == "KONICA MINOLTA DiMAGE Z5"  # the make added where the model lacks it
    assert wood["Focal length"] == "10.3 mm (62 mm in 35 mm terms)"
    assert describe_exif(read_exif(shared_photos / "Storm.jpg"))["Shutter"] == "0.4 s"  # not "1/2 s"


def test_time_zone_lens_and_broken_files(tmp_path):
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "FUJIFILM", "X-T4"
    sub = exif.get_ifd(0x8769)
    sub[0x9003], sub[0x9011] = "2024:07:14 18:05:09", "+02:00"
    sub[0xA434] = "XF23mmF1.4 R"
    sub[0x829A] = TiffImagePlugin.IFDRational(Fraction(1, 250))
    path = tmp_path / "zone.jpg"
    Image.new("RGB", (40, 30), (90, 120, 200)).save(path, exif=exif.tobytes())
    facts = read_exif(path)
    assert facts["taken"] == "2024-07-14T18:05:09+02:00" and facts["lens"] == "XF23mmF1.4 R"
    words = describe_exif(facts)
    assert words["Taken"] == "14 July 2024, 18:05:09 UTC+02:00"
    assert words["Camera"] == "FUJIFILM X-T4" and words["Shutter"] == "1/250 s"

    broken = tmp_path / "broken.jpg"
    broken.write_bytes(path.read_bytes()[:200])  # the header only, EXIF cut short
    assert isinstance(read_exif(broken), dict)
    (tmp_path / "text.jpg").write_text("not a photo")
    assert read_exif(tmp_path / "text.jpg") == {} and read_exif(tmp_path / "missing.jpg") == {}
    os.mkfifo(tmp_path / "fifo.jpg")  # opening it would block forever
    assert read_exif(tmp_path / "fifo.jpg") == {}


def test_a_decoded_photo_carries_the_burst_facts_read_shot_gives(shared_photos, tmp_path):
    """The indexer reads a photo's EXIF once: the decode's PhotoInfo.shot is what read_shot
    gives from the file (time with sub-seconds, camera#serial), on real photos and a burst."""
    from photoapp.core.media.decoding import load_for_model
    from photoapp.core.media.exif import read_shot
    from tests.core.duplicates.dupe_variants import burst_frames

    photos = [*sorted(shared_photos.glob("*.jpg")), *burst_frames(shared_photos / "Garden.jpg", tmp_path)]
    for path in photos:
        _, info = load_for_model(path, min_side=224)
        assert info.shot == read_shot(path), path.name
    assert any(info.shot[0] is not None for info in [load_for_model(p)[1] for p in photos[:5]])  # some have a time
    assert load_for_model(tmp_path / "burst 2.jpg")[1].shot[0] % 1 == pytest.approx(0.3)  # sub-seconds "30"
