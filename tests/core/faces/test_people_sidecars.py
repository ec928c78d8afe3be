"""Named faces in XMP sidecars as MWG regions: written with XMP on, other programs' regions
never replaced, and names read back from sidecars (a catalog built anew keeps its names)."""

from __future__ import annotations

import shutil

import pytest

from photoapp.core.library import Library
from photoapp.core.tagging.regions import merge_regions, read_regions
from photoapp.core.tagging.xmp import _NEW_PACKET, sidecar_path

pytestmark = pytest.mark.faces  # tests of the face stage: it stays on (tests/conftest.py)

pytest.importorskip("dlib")

OBAMA = ["obama-1080p.jpg", "obama3.jpg", "test_obama1.jpg", "train_obama_obama.jpg"]

FOREIGN = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
    xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#">
   <mwg-rs:Regions rdf:parseType="Resource">
    <mwg-rs:RegionList><rdf:Bag><rdf:li rdf:parseType="Resource">
     <mwg-rs:Name>Someone Else</mwg-rs:Name><mwg-rs:Type>Face</mwg-rs:Type>
     <mwg-rs:Area stArea:x="0.1" stArea:y="0.1" stArea:w="0.05" stArea:h="0.05" stArea:unit="normalized"/>
    </rdf:li></rdf:Bag></mwg-rs:RegionList>
   </mwg-rs:Regions>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""


def test_regions_merge_as_text_and_never_replace_another_programs():
    ours = merge_regions(_NEW_PACKET, [("Ada", (0.1, 0.2, 0.3, 0.4))])
    assert read_regions(ours) == [("Ada", pytest.approx((0.1, 0.2, 0.3, 0.4)))]
    assert merge_regions(ours, []) == _NEW_PACKET  # ours removed: the file as it was
    assert merge_regions(FOREIGN, [("Ada", (0.1, 0.2, 0.3, 0.4))]) is None
    assert [n for n, _ in read_regions(FOREIGN)] == ["Someone Else"]


def test_named_faces_go_to_sidecars_and_come_back_to_a_new_catalog(shared_faces, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in OBAMA:
        shutil.copy(shared_faces / "photos" / name, folder / name)
    foreign = sidecar_path(folder / OBAMA[0])
    foreign.write_bytes(FOREIGN)
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.tags.configure(None, None, True, None)
        lib.index_folders([str(folder)])
        (person,) = lib.people.people()
        lib.people.name(person["id"], "Barack Obama")
        # Another program's regions stay byte for byte (keywords may be merged beside them).
        block = FOREIGN[FOREIGN.index(b"   <mwg-rs:Regions") : FOREIGN.index(b"</mwg-rs:Regions>")]
        assert block in foreign.read_bytes()
        assert [n for n, _ in read_regions(foreign.read_bytes())] == ["Someone Else"]
        for name in OBAMA[1:]:
            regions = read_regions(sidecar_path(folder / name).read_bytes())
            assert [n for n, _ in regions] == ["Barack Obama"], name
    # A catalog built anew (the library deleted) finds the names in the sidecars.
    with Library(tmp_path / "lib2", model="toy") as fresh:
        fresh.tags.configure(None, None, True, None)
        fresh.index_folders([str(folder)])
        (again,) = fresh.people.people()
        assert again["name"] == "Barack Obama"
        assert len(again["photos"]) == len(OBAMA)


def test_regions_inside_the_photo_files_name_their_faces(shared_faces, tmp_path):
    """A JPEG whose own XMP holds a named face region (as digiKam or Lightroom embed it)."""
    from PIL import Image

    from photoapp.core.tagging.regions import stored_box

    first = tmp_path / "first"
    first.mkdir()
    for name in OBAMA:
        shutil.copy(shared_faces / "photos" / name, first / name)
    with Library(tmp_path / "lib", model="toy") as lib:
        lib.index_folders([str(first)])
        boxes = {name: lib.people.faces_in_photo(str(first / name))[0]["box"] for name in OBAMA}
    tagged = tmp_path / "tagged"
    tagged.mkdir()
    for name in OBAMA:
        with Image.open(first / name) as img:
            packet = merge_regions(_NEW_PACKET, [("Barack Obama", stored_box(boxes[name], 1))])
            img.convert("RGB").save(tagged / name, quality=95, xmp=packet)
    with Library(tmp_path / "lib2", model="toy") as fresh:
        fresh.index_folders([str(tagged)])
        (person,) = fresh.people.people()
        assert person["name"] == "Barack Obama" and len(person["photos"]) == len(OBAMA)
        assert not any(sidecar_path(tagged / n).exists() for n in OBAMA)  # nothing written: XMP is off
