"""Other programs' XMP sidecars are merged, never replaced (issue 29, finding 6): every byte
Photoapp does not change stays, exiftool still reads every original field, a sidecar that
cannot be merged is left as it is, and an existing sidecar keeps its mode and owner."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from photoapp.core.tagging import xmp
from photoapp.core.tagging.xmp import SidecarRefused, read_subjects, sidecar_path, write_sidecar
from tests.core.tagging.sidecar_samples import DARKTABLE, KEYWORDS, SAMPLES

OUR_ATTRIBUTE = re.compile(rb' xmlns:photoapp="[^"]*" photoapp:tags="[^"]*"')
needs_exiftool = pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool missing (setup.sh installs it)")


def _photo(folder, text: str | bytes | None = None):
    photo = folder / "IMG_1.jpg"
    photo.write_bytes(b"not really a jpeg; never opened for writing")
    if text is not None:
        sidecar_path(photo).write_bytes(text.encode() if isinstance(text, str) else text)
    return photo


def _exiftool(path) -> dict:
    """Every XMP field exiftool reads from ``path``, structures included."""
    out = subprocess.run(
        ["exiftool", "-j", "-G1", "-struct", "-XMP:all", str(path)], capture_output=True, text=True, check=True
    ).stdout
    fields = json.loads(out)[0]
    fields.pop("SourceFile")
    return fields


@pytest.mark.parametrize("program", sorted(SAMPLES))
def test_other_programs_sidecars_keep_every_byte_photoapp_does_not_change(tmp_path, program):
    original = SAMPLES[program].encode()
    photo = _photo(tmp_path, original)
    assert write_sidecar(photo, ["beach", "family"]) is not None
    added = sidecar_path(photo).read_bytes()
    # "family" was the other program's keyword already: kept once, and still theirs.
    assert read_subjects(sidecar_path(photo)) == [*KEYWORDS[program], "beach"]
    # Take out the one keyword line and the one attribute Photoapp added: the rest is the original.
    assert OUR_ATTRIBUTE.sub(b"", added.replace(b"\n     <rdf:li>beach</rdf:li>", b"", 1)) == original
    assert write_sidecar(photo, ["beach", "family"]) is None  # nothing to change: not rewritten
    write_sidecar(photo, [])  # the tags go again
    assert sidecar_path(photo).read_bytes() == original  # byte for byte, "family" included


@needs_exiftool
@pytest.mark.parametrize("program", sorted(SAMPLES))
def test_exiftool_reads_every_original_field_after_add_and_remove(tmp_path, program):
    photo = _photo(tmp_path, SAMPLES[program])
    before = _exiftool(sidecar_path(photo))
    assert before["XMP-dc:Subject"] == KEYWORDS[program]
    write_sidecar(photo, ["beach", "sunset"])
    after = _exiftool(sidecar_path(photo))
    assert after.pop("XMP-dc:Subject") == [*KEYWORDS[program], "beach", "sunset"]
    assert after.pop("XMP-photoapp:Tags") == "beach\tsunset"
    assert after == {k: v for k, v in before.items() if k != "XMP-dc:Subject"}
    write_sidecar(photo, ["sunset"])
    assert _exiftool(sidecar_path(photo))["XMP-dc:Subject"] == [*KEYWORDS[program], "sunset"]
    text = sidecar_path(photo).read_text(encoding="utf-8")
    assert "<!--" in text and "<?xpacket end=" in text and ("darktable:history" in text or "digiKam:TagsList" in text)


def test_a_sidecar_without_keywords_gets_a_dc_subject_in_its_description(tmp_path):
    """exiftool's own style: single quotes, a self-closing description, no dc namespace yet."""
    original = (
        "<?xpacket begin='\ufeff' id='W5M0MpCehiHzreSzNTczkc9d'?>\n"
        "<x:xmpmeta xmlns:x='adobe:ns:meta/' x:xmptk='Image::ExifTool 12.76'>\n"
        "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n\n"
        " <rdf:Description rdf:about='' xmlns:xmp='http://ns.adobe.com/xap/1.0/' xmp:Rating='5'/>\n"
        "</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end='w'?>"
    )
    photo = _photo(tmp_path, original)
    write_sidecar(photo, ["lake", "Tom & Jerry <3"])
    assert read_subjects(sidecar_path(photo)) == ["Tom & Jerry <3", "lake"]
    text = sidecar_path(photo).read_text(encoding="utf-8")
    assert "xmp:Rating='5'" in text and "x:xmptk='Image::ExifTool 12.76'" in text
    write_sidecar(photo, [])
    assert read_subjects(sidecar_path(photo)) == [] and "xmp:Rating='5'" in sidecar_path(photo).read_text()


BROKEN = {
    "malformed": (DARKTABLE[: len(DARKTABLE) // 2], r"not well-formed XML"),
    "not XMP": ('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>\n', r"not an XMP packet"),
    "not UTF-8": (DARKTABLE.encode("utf-16"), r"not UTF-8"),
    "a DOCTYPE": (DARKTABLE.replace("<!--", '<!DOCTYPE x:xmpmeta [<!ENTITY kw "family">]>\n<!--', 1), r"DOCTYPE"),
    "keywords not a list": (
        DARKTABLE.replace("<rdf:Bag>\n     <rdf:li>family", "<rdf:Bag>\n     <rdf:li><b>x</b>family", 1),
        r"not a list of keywords",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_sidecar_that_cannot_be_merged_is_left_untouched(tmp_path, case):
    text, reason = BROKEN[case]
    photo = _photo(tmp_path, text)
    before = sidecar_path(photo).read_bytes()
    with pytest.raises(SidecarRefused, match=reason):
        write_sidecar(photo, ["beach"])
    assert sidecar_path(photo).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["IMG_1.jpg", "IMG_1.jpg.xmp"]  # no temp file left


def test_a_directory_a_link_or_a_huge_sidecar_is_left_untouched(tmp_path, monkeypatch):
    photo = _photo(tmp_path)
    sidecar_path(photo).mkdir()
    with pytest.raises(SidecarRefused, match="is a directory"):
        write_sidecar(photo, ["beach"])
    assert sidecar_path(photo).is_dir()
    sidecar_path(photo).rmdir()
    (tmp_path / "elsewhere.xmp").write_text(DARKTABLE)
    sidecar_path(photo).symlink_to(tmp_path / "elsewhere.xmp")
    with pytest.raises(SidecarRefused, match="symbolic link"):
        write_sidecar(photo, ["beach"])
    assert sidecar_path(photo).is_symlink() and (tmp_path / "elsewhere.xmp").read_text() == DARKTABLE
    sidecar_path(photo).unlink()
    os.link(tmp_path / "elsewhere.xmp", sidecar_path(photo))
    with pytest.raises(SidecarRefused, match="hard links"):
        write_sidecar(photo, ["beach"])
    assert os.path.samefile(sidecar_path(photo), tmp_path / "elsewhere.xmp")
    sidecar_path(photo).unlink()
    sidecar_path(photo).write_text(DARKTABLE)
    monkeypatch.setattr(xmp, "MAX_SIDECAR_BYTES", len(DARKTABLE.encode()) - 1)
    with pytest.raises(SidecarRefused, match="too large"):
        write_sidecar(photo, ["beach"])
    assert sidecar_path(photo).read_text() == DARKTABLE


REFUSED = """
import sys
from photoapp.core.tagging.xmp import SidecarRefused, write_sidecar
try:
    write_sidecar(sys.argv[1], ["beach"])
except SidecarRefused as exc:
    print(exc)
"""


def test_an_unreadable_sidecar_is_left_untouched(tmp_path):
    """Run where permissions hold: as root, without the capabilities that bypass them."""
    prefix = [] if os.geteuid() != 0 else ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    if prefix and shutil.which("setpriv") is None:
        pytest.skip("root ignores permissions and setpriv is missing")
    photo = _photo(tmp_path, DARKTABLE)
    sidecar_path(photo).chmod(0)
    proc = subprocess.run([*prefix, sys.executable, "-c", REFUSED, str(photo)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "cannot be read: Permission denied"
    sidecar_path(photo).chmod(0o644)
    assert sidecar_path(photo).read_text() == DARKTABLE


def test_a_new_sidecar_gets_the_umask_mode_an_existing_one_keeps_its_mode(tmp_path):
    old = os.umask(0o027)
    try:
        photo = _photo(tmp_path)
        write_sidecar(photo, ["beach"])
        assert sidecar_path(photo).stat().st_mode & 0o777 == 0o640  # 0666 less the umask, not 0600
        sidecar_path(photo).chmod(0o604)
        write_sidecar(photo, ["beach", "dog"])
        assert sidecar_path(photo).stat().st_mode & 0o777 == 0o604
    finally:
        os.umask(old)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away")
def test_root_keeps_the_owner_of_another_users_sidecar(tmp_path):
    photo = _photo(tmp_path, DARKTABLE)
    os.chown(sidecar_path(photo), 12345, 23456)
    sidecar_path(photo).chmod(0o664)
    write_sidecar(photo, ["beach"])
    st = sidecar_path(photo).stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (12345, 23456, 0o664)
    assert "beach" in read_subjects(sidecar_path(photo))


def test_another_users_sidecar_is_left_untouched_by_a_normal_user(tmp_path):
    """Replacing it would make it the writer's file: refused, unless running as root."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root (to make a second user's file) and setpriv (to act as a normal user)")
    shared = Path(tempfile.mkdtemp(prefix="photoapp-shared-"))  # tmp_path is private to root
    try:
        shared.chmod(0o777)
        photo = _photo(shared, DARKTABLE)
        os.chown(sidecar_path(photo), 12345, 12345)
        sidecar_path(photo).chmod(0o666)  # even writable by all: still not the writer's
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        proc = subprocess.run([*as_nobody, sys.executable, "-c", REFUSED, str(photo)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith("owned by another user")
        assert sidecar_path(photo).read_text() == DARKTABLE and sidecar_path(photo).stat().st_uid == 12345
        assert sorted(p.name for p in shared.iterdir()) == ["IMG_1.jpg", "IMG_1.jpg.xmp"]
    finally:
        shutil.rmtree(shared)


# Written by Photoapp before sidecars were edited as text (ElementTree; namespaces on the root).
EARLIER_PHOTOAPP = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    '<x:xmpmeta xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoapp="https://photoapp.invalid/ns/1.0/" '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:x="adobe:ns:meta/">\n <rdf:RDF>\n'
    '  <rdf:Description rdf:about="" photoapp:tags="beach&#09;dog">\n   <dc:subject>\n    <rdf:Bag>\n'
    "     <rdf:li>beach</rdf:li>\n     <rdf:li>dog</rdf:li>\n    </rdf:Bag>\n   </dc:subject>\n"
    '  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="w"?>\n'
)

# Adobe's layout: one rdf:Description per namespace, the keywords in the second.
ADOBE = """<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" crs:Exposure2012="+0.35"/>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:subject><rdf:Bag><rdf:li>family</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>"""


def test_sidecars_of_earlier_photoapp_and_adobe_layout_are_merged(tmp_path):
    photo = _photo(tmp_path, EARLIER_PHOTOAPP)
    write_sidecar(photo, ["dog", "lake"])  # "beach" was ours: it goes; "lake" comes
    assert read_subjects(sidecar_path(photo)) == ["dog", "lake"]
    write_sidecar(photo, [])
    assert read_subjects(sidecar_path(photo)) == []
    sidecar_path(photo).write_text(ADOBE)
    write_sidecar(photo, ["beach"])
    text = sidecar_path(photo).read_text()
    assert read_subjects(sidecar_path(photo)) == ["family", "beach"]
    assert 'crs:Exposure2012="+0.35"/>' in text and text.count("<rdf:Description") == 2
    write_sidecar(photo, [])
    assert sidecar_path(photo).read_text() == ADOBE
