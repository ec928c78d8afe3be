"""XMP sidecars: a photo's tags as ``dc:subject`` in ``<photo file name>.xmp`` next to it.

The naming (``IMG_1.jpg.xmp``) is darktable's and digiKam's default; the photo itself is
never opened for writing. A sidecar that another program wrote keeps everything it had:
only ``dc:subject`` changes, and only the subjects Photoapp put there before (remembered in
the ``photoapp:tags`` attribute) are removed when a tag goes; other programs' keywords stay.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

from photoapp.config import atomic_write_bytes

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoapp": "https://photoapp.invalid/ns/1.0/",
}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)
OWN_TAGS = f"{{{NS['photoapp']}}}tags"  # what Photoapp wrote last time, tab-separated
_RDF = f"{{{NS['rdf']}}}"


def sidecar_path(photo: str | os.PathLike) -> Path:
    return Path(os.fspath(photo) + ".xmp")


def _empty_packet() -> ET.ElementTree:
    root = ET.Element(f"{{{NS['x']}}}xmpmeta")
    rdf = ET.SubElement(root, f"{_RDF}RDF")
    ET.SubElement(rdf, f"{_RDF}Description", {f"{_RDF}about": ""})
    return ET.ElementTree(root)


def _load(path: Path) -> ET.ElementTree:
    try:
        return ET.parse(path)
    except (OSError, ET.ParseError):
        return _empty_packet()  # none yet, or unreadable: ours replaces it


def _description(tree: ET.ElementTree) -> ET.Element:
    rdf = tree.getroot() if tree.getroot().tag == f"{_RDF}RDF" else tree.getroot().find("rdf:RDF", NS)
    if rdf is None:
        rdf = ET.SubElement(tree.getroot(), f"{_RDF}RDF")
    desc = rdf.find("rdf:Description", NS)
    if desc is None:
        desc = ET.SubElement(rdf, f"{_RDF}Description", {f"{_RDF}about": ""})
    return desc


def read_subjects(path: str | os.PathLike) -> list[str]:
    """The ``dc:subject`` keywords of an XMP file (sidecar path), in order."""
    desc = _description(_load(Path(path)))
    return [li.text or "" for li in desc.iterfind("dc:subject/rdf:Bag/rdf:li", NS)]


def write_sidecar(photo: str | os.PathLike, tags: list[str]) -> Path | None:
    """Make the sidecar's subjects ``tags`` plus other programs' keywords; returns its path,
    or None when nothing needed writing (no sidecar and no tags)."""
    path = sidecar_path(photo)
    if not tags and not path.exists():
        return None
    tree = _load(path)
    desc = _description(tree)
    ours_before = set(filter(None, desc.get(OWN_TAGS, "").split("\t")))
    subject = desc.find("dc:subject", NS)
    foreign = [li.text or "" for li in subject.iterfind("rdf:Bag/rdf:li", NS)] if subject is not None else []
    foreign = [s for s in foreign if s and s not in ours_before and s not in tags]
    if subject is not None:
        desc.remove(subject)
    subject = ET.SubElement(desc, f"{{{NS['dc']}}}subject")
    bag = ET.SubElement(subject, f"{_RDF}Bag")
    for keyword in [*foreign, *sorted(tags)]:
        ET.SubElement(bag, f"{_RDF}li").text = keyword
    desc.set(OWN_TAGS, "\t".join(sorted(tags)))
    ET.indent(tree, space=" ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    atomic_write_bytes(
        path,
        ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' + body + '\n<?xpacket end="w"?>\n').encode(
            "utf-8"
        ),
    )
    return path
