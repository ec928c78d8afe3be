"""Named faces in XMP sidecars as Metadata Working Group regions (``mwg-rs:Regions``), the
form digiKam, Lightroom, darktable and Picasa read and write.

Edited as text like the keywords (photoapp/core/tagging/xmp.py): only the bytes of a
Regions element Photoapp wrote are ever replaced. Photoapp's regions carry
``<mwg-rs:Description>Photoapp</mwg-rs:Description>``; a Regions element holding any other
region is another program's and is left exactly as it is (its names are read, see
``read_regions``). A region's area is its centre and size as fractions of the photo.
"""

from __future__ import annotations

from collections.abc import Sequence

from photoapp.core.tagging.xmp import NS, SidecarRefused, _escape, _indent, _leading_space, _parse, _read

MWG_RS = "http://www.metadataworkinggroup.com/schemas/regions/"
ST_AREA = "http://ns.adobe.com/xmp/sType/Area#"
ST_DIM = "http://ns.adobe.com/xap/1.0/sType/Dimensions#"
OURS = "Photoapp"
_REGIONS = f"{MWG_RS} Regions"

# (name, (x, y, w, h) box: top-left corner and size as fractions of the photo)
Region = tuple[str, tuple[float, float, float, float]]


def _regions_elements(data: bytes):
    packet = _read(data)
    return packet, [c for d in packet.descriptions for c in d.children if c.name == _REGIONS]


def _parsed_regions(element) -> list[tuple[str | None, str | None, tuple | None]]:
    """(name, description, box) of each region under a Regions element."""
    out = []

    def walk(el):
        for child in el.children:
            if child.name == f"{NS['rdf']} li":
                out.append(_region(child))
            else:
                walk(child)

    walk(element)
    return out


def _region(li) -> tuple[str | None, str | None, tuple | None]:
    fields, box = {}, None
    stack = [li]
    while stack:
        el = stack.pop()
        for child in el.children:
            local = child.name.partition(" ")[2]
            if child.name.startswith(MWG_RS) and local in ("Name", "Type", "Description"):
                fields[local] = child.text.strip()
            if child.name == f"{MWG_RS} Area":
                box = _area(child.attrs)
            stack.append(child)
    if fields.get("Type", "Face") != "Face":
        return None, fields.get("Description"), None
    return fields.get("Name"), fields.get("Description"), box


def _area(attrs: dict) -> tuple[float, float, float, float] | None:
    try:
        x, y, w, h = (float(attrs[f"{ST_AREA} {k}"]) for k in ("x", "y", "w", "h"))
    except (KeyError, ValueError):
        return None
    return x - w / 2, y - h / 2, w, h  # MWG's x, y are the centre


def read_regions(data: bytes) -> list[Region]:
    """The named face regions of a sidecar's bytes (anyone's); [] if it cannot be read."""
    try:
        _, elements = _regions_elements(data)
    except SidecarRefused:
        return []
    return [(n, b) for el in elements for n, _, b in _parsed_regions(el) if n and b]


def regions_of_photo(path: str) -> list[Region]:
    """The named face regions of a photo: its sidecar's, else those in the file's own XMP
    (a JPEG's APP1 packet, as digiKam, Lightroom and phones write it); [] when there are none."""
    from photoapp.core.tagging.xmp import sidecar_path

    try:
        found = read_regions(sidecar_path(path).read_bytes())
    except OSError:
        found = []  # no sidecar (the usual case), or one that cannot be read
    if found:
        return found
    try:
        from PIL import Image

        with Image.open(path) as img:  # reads the header only
            packet = img.info.get("xmp")
    except Exception:  # noqa: BLE001 - an unreadable file has no names to give
        return []
    if isinstance(packet, str):
        packet = packet.encode("utf-8")
    return read_regions(packet) if packet else []


def _regions_xml(rdf: bytes, regions: Sequence[Region], indent: bytes, step: bytes) -> bytes:
    i1, i2, i3, i4 = (indent + step * k for k in range(1, 5))
    items = b""
    for name, (x, y, w, h) in regions:
        area = (
            f'<mwg-rs:Area stArea:x="{x + w / 2:.5f}" stArea:y="{y + h / 2:.5f}" stArea:w="{w:.5f}" '
            f'stArea:h="{h:.5f}" stArea:unit="normalized"/>'
        ).encode()
        items += (
            b"\n" + i3 + b"<" + rdf + b'li ' + rdf + b'parseType="Resource">'
            + b"\n" + i4 + b"<mwg-rs:Name>" + _escape(name) + b"</mwg-rs:Name>"
            + b"\n" + i4 + b"<mwg-rs:Type>Face</mwg-rs:Type>"
            + b"\n" + i4 + b"<mwg-rs:Description>" + OURS.encode() + b"</mwg-rs:Description>"
            + b"\n" + i4 + area
            + b"\n" + i3 + b"</" + rdf + b"li>"
        )  # fmt: skip
    return (
        b"<mwg-rs:Regions " + rdf + b'parseType="Resource" xmlns:mwg-rs="' + MWG_RS.encode()
        + b'" xmlns:stArea="' + ST_AREA.encode() + b'">'
        + b"\n" + i1 + b"<mwg-rs:RegionList>"
        + b"\n" + i2 + b"<" + rdf + b"Bag>" + items
        + b"\n" + i2 + b"</" + rdf + b"Bag>"
        + b"\n" + i1 + b"</mwg-rs:RegionList>"
        + b"\n" + indent + b"</mwg-rs:Regions>"
    )  # fmt: skip


def merge_regions(data: bytes, regions: Sequence[Region]) -> bytes | None:
    """``data`` with ``regions`` as Photoapp's face regions, every other byte as it was;
    None when nothing changes or the sidecar's regions are another program's."""
    packet, elements = _regions_elements(data)
    if len(elements) > 1:
        return None
    regions = sorted(regions)
    if elements:
        found = _parsed_regions(elements[0])
        if any(d != OURS for _, d, _ in found):
            return None  # another program's regions: never touched
        if sorted((n, tuple(round(v, 4) for v in b)) for n, _, b in found) == [
            (n, tuple(round(v, 4) for v in b)) for n, b in regions
        ]:
            return None
    if not elements and not regions:
        return None
    desc = packet.own_in or packet.descriptions[0]
    rdf = desc.prefix
    if elements:
        el = elements[0]
        if regions:
            xml = _regions_xml(rdf, regions, _indent(data, el.start), _step(data, desc))
            out = data[: el.start] + xml + data[el.end :]
        else:
            out = data[: _leading_space(data, el.start)] + data[el.end :]
    else:
        base = _indent(data, desc.start)
        inner = _indent(data, desc.children[0].start) if desc.children else base + b" "
        xml = b"\n" + inner + _regions_xml(rdf, regions, inner, _step(data, desc))
        if desc.empty:
            closing = b">" + xml + b"\n" + base + b"</" + desc.qname + b">"
            out = data[: desc.head_end - 2] + closing + data[desc.head_end :]
        else:
            at = desc.children[-1].end if desc.children else desc.head_end
            out = data[:at] + xml + data[at:]
    _parse(out)  # checked, never trusted
    if sorted(read_regions(out)) != sorted((n, b) for n, b in regions) and not _close(read_regions(out), regions):
        raise SidecarRefused("its face regions could not be merged safely")
    return out


def _step(data: bytes, desc) -> bytes:
    base = _indent(data, desc.start)
    inner = _indent(data, desc.children[0].start) if desc.children else base + b" "
    return inner[len(base) :] or b" "


def _close(a: Sequence[Region], b: Sequence[Region]) -> bool:
    a, b = sorted(a), sorted(b)
    return len(a) == len(b) and all(
        n1 == n2 and all(abs(u - v) < 1e-4 for u, v in zip(b1, b2)) for (n1, b1), (n2, b2) in zip(a, b)
    )


# Upright (as shown) -> stored pixel coordinates for each EXIF orientation, on fractions.
_TO_STORED = {
    1: lambda u, v: (u, v),
    2: lambda u, v: (1 - u, v),
    3: lambda u, v: (1 - u, 1 - v),
    4: lambda u, v: (u, 1 - v),
    5: lambda u, v: (v, u),
    6: lambda u, v: (v, 1 - u),
    7: lambda u, v: (1 - v, 1 - u),
    8: lambda u, v: (1 - v, u),
}
_TO_UPRIGHT = {
    **{k: _TO_STORED[k] for k in (1, 2, 3, 4, 5, 7)},
    6: lambda x, y: (1 - y, x),
    8: lambda x, y: (y, 1 - x),
}


def _mapped(box, f) -> tuple[float, float, float, float]:
    x, y, w, h = box
    (a, b), (c, d) = f(x, y), f(x + w, y + h)
    return min(a, c), min(b, d), abs(c - a), abs(d - b)


def stored_box(box, orientation: int) -> tuple[float, float, float, float]:
    """A box on the upright photo as MWG regions give it: on the image as stored (the
    EXIF orientation not applied)."""
    return _mapped(box, _TO_STORED.get(orientation, _TO_STORED[1]))


def upright_box(box, orientation: int) -> tuple[float, float, float, float]:
    """A region's box as read from XMP, on the upright photo."""
    return _mapped(box, _TO_UPRIGHT.get(orientation, _TO_UPRIGHT[1]))
