"""A photo's marks in its XMP sidecar: stars as ``xmp:Rating`` (what darktable, digiKam,
Lightroom and Bridge read), the favourite heart and the rotation as Photoapp's own
``photoapp:favourite`` and ``photoapp:rotation`` attributes.

The rotation is not written as ``tiff:Orientation``: other programs would apply it on top
of the photo's own EXIF orientation, or instead of it, so the same photo would turn
differently in each; Photoapp's attribute is read by Photoapp only.

Edited as text like the keywords (xmp.py): only the bytes of these attributes change. An
``xmp:Rating`` another program wrote is updated in place, whether an attribute or an
element; a mark that is cleared removes Photoapp's attribute (and its namespace
declaration when nothing else uses it), and sets an existing ``xmp:Rating`` to 0 (XMP's
"not rated").
"""

from __future__ import annotations

from photoapp.core.tagging import xmp

XMP_NS = "http://ns.adobe.com/xap/1.0/"
RATING = f"{XMP_NS} Rating"
FAVOURITE, ROTATION = f"{xmp.NS['photoapp']} favourite", f"{xmp.NS['photoapp']} rotation"


def wanted(marks) -> dict[str, str | None]:
    """The attribute values ``marks`` (a store Marks) stand for; None: absent."""
    return {
        RATING: str(marks.rating),
        FAVOURITE: "1" if marks.favourite else None,
        ROTATION: str(marks.rotation) if marks.rotation else None,
    }


def read_marks(data: bytes) -> dict[str, str | None]:
    """The rating, favourite and rotation values a sidecar holds (attributes or elements)."""
    packet = xmp._read(data)
    found: dict[str, str | None] = dict.fromkeys((RATING, FAVOURITE, ROTATION))
    for desc in packet.descriptions:
        for key in found:
            if key in desc.attrs:
                found[key] = desc.attrs[key]
        for child in desc.children:
            if child.name in found:
                found[child.name] = child.text.strip()
    return found


def merged(data: bytes, marks) -> bytes | None:
    """``data`` with ``marks`` written, every other byte as it was; None when it already
    says so. SidecarRefused when it cannot be done safely."""
    packet = xmp._read(data)
    target = _want(packet, marks)
    if not target:
        return None
    edits: list[tuple[int, int, bytes]] = []
    elements = {c.name: c for d in packet.descriptions for c in d.children if c.name in target}
    attrs = {k: d for d in packet.descriptions for k in d.attrs if k in target}
    for key, value in list(target.items()):
        if key in elements:  # <xmp:Rating>3</xmp:Rating>: the text changes
            el = elements.pop(key)
            edits.append((el.head_end, el.end - len(b"</" + el.qname + b">"), xmp._escape(value or "0")))
            del target[key]
    by_desc: dict[int, tuple] = {}
    for key, value in target.items():
        desc = attrs.get(key) or _holder(data, packet, key)
        by_desc.setdefault(id(desc), (desc, {}))[1][key] = value
    for desc, values in by_desc.values():
        edits += _attribute_edits(data, desc, values)
    out = data
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        out = out[:start] + new + out[end:]
    try:
        after = read_marks(out)
    except xmp.SidecarRefused:
        after = None
    goal = wanted(marks)
    if after is None or any(after[k] != goal[k] for k in (FAVOURITE, ROTATION)) or not _rating_ok(after, marks):
        raise xmp.SidecarRefused("its rating could not be written safely")
    return out


def _rating_ok(after: dict, marks) -> bool:
    return after[RATING] == str(marks.rating) or (marks.rating == 0 and after[RATING] is None)


def _want(packet, marks) -> dict[str, str | None]:
    """The values that differ from what the sidecar says (a rating of 0 is written only
    over an existing rating)."""
    now = dict.fromkeys((RATING, FAVOURITE, ROTATION))
    for desc in packet.descriptions:
        now.update({k: desc.attrs[k] for k in now if k in desc.attrs})
        now.update({c.name: c.text.strip() for c in desc.children if c.name in now})
    out = {}
    for key, value in wanted(marks).items():
        if key == RATING and value == "0" and now[key] in (None, "0"):
            continue
        if now[key] != value:
            out[key] = value
    return out


def _holder(data: bytes, packet, key: str):
    """The rdf:Description a new attribute goes on: the one declaring its namespace, else
    the one carrying Photoapp's tags, else the first."""
    uri = key.split(" ")[0].encode()
    for desc in packet.descriptions:
        if any(value[1:-1] == uri for _, value in _declarations(data, desc)):
            return desc
    return packet.own_in or packet.descriptions[0]


def _declarations(data: bytes, desc) -> list[tuple[bytes, bytes]]:
    """(prefix, quoted uri) of the xmlns:prefix declarations in ``desc``'s start tag."""
    tag = xmp._START_TAG.match(data, desc.start)
    attrs = xmp._ATTR.finditer(data, tag.start(2), tag.end(2))
    return [(a.group(1)[6:], a.group(2)) for a in attrs if a.group(1).startswith(b"xmlns:")]


def _attribute_edits(data: bytes, desc, values: dict[str, str | None]) -> list[tuple[int, int, bytes]]:
    """Set (or, for None, remove) attributes of ``desc``; a namespace they need is declared
    on it, and a declaration nothing uses any more is removed."""
    tag = xmp._START_TAG.match(data, desc.start)
    attrs = list(xmp._ATTR.finditer(data, tag.start(2), tag.end(2)))
    edits, added, removed = [], b"", set()
    declared = {v[1:-1].decode(): p for p, v in _declarations(data, desc)}
    for key, value in values.items():
        uri, local = key.split(" ")
        written = desc.qnames.get(key)
        existing = next((a for a in attrs if a.group(1) == written), None) if written else None
        if existing is not None and value is None:
            edits.append((existing.start(), existing.end(), b""))
            removed.add(existing.group(1).partition(b":")[0])
        elif existing is not None:
            edits.append((existing.start(2), existing.end(2), b'"' + xmp._escape(value, attribute=True) + b'"'))
        elif value is not None:
            prefix = declared.get(uri)
            if prefix is None:
                prefix = _free_prefix(b"xmp" if uri == XMP_NS else b"photoapp", attrs, added)
                added += b" xmlns:" + prefix + b'="' + uri.encode() + b'"'
                declared[uri] = prefix
            added += b" " + prefix + b":" + local.encode() + b'="' + xmp._escape(value, attribute=True) + b'"'
    for prefix in removed:  # a declaration on this element that only the removed attributes used
        gone = sum(1 for a in attrs if a.group(1).startswith(prefix + b":") and any(e[0] == a.start() for e in edits))
        decl = next((a for a in attrs if a.group(1) == b"xmlns:" + prefix), None)
        if decl is not None and data.count(prefix + b":") == gone and prefix + b":" not in added:
            edits.append((decl.start(), decl.end(), b""))
    if added:
        edits.append((tag.end(2), tag.end(2), added))
    return edits


def _free_prefix(base: bytes, attrs, added: bytes) -> bytes:
    names = {a.group(1) for a in attrs}
    for candidate in (base, *(base + b"%d" % i for i in range(1, 100))):
        if b"xmlns:" + candidate not in names and b"xmlns:" + candidate + b"=" not in added:
            return candidate
    raise xmp.SidecarRefused("too many namespace prefixes")
