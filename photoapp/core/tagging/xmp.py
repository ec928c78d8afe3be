"""XMP sidecars: a photo's tags as ``dc:subject`` in ``<photo file name>.xmp`` next to it.

The naming (``IMG_1.jpg.xmp``) is darktable's and digiKam's default; the photo itself is
never opened for writing. Only the subjects Photoapp put there (remembered in the
``photoapp:tags`` attribute) are ever removed; other programs' keywords stay.

A sidecar is often another program's file: darktable's edit history, digiKam's tag tree,
Lightroom's hierarchical keywords, comments, the ``<?xpacket?>`` wrapper and its padding.
Re-serialising it with any XML library changes bytes Photoapp has no business changing
(ElementTree renames prefixes to ``ns0:`` and drops comments; lxml and Exempi rewrite
quoting, whitespace and padding), so it is edited as text: expat (the standard library's
namespace-aware, validating parser) finds the byte offsets of ``dc:subject``, its keywords
and Photoapp's attribute, only those bytes are replaced, and the result is parsed again and
checked before it goes in place. A sidecar that is not well-formed XMP, cannot be read, or
is not a plain file of ours to replace is left as it is (``SidecarRefused``).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from photoapp.config import atomic_write_bytes
from photoapp.core.units import human_size

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoapp": "https://photoapp.invalid/ns/1.0/",
}
MAX_SIDECAR_BYTES = 16_000_000  # darktable's longest histories are a few hundred kB
_DESCRIPTION, _SUBJECT = f"{NS['rdf']} Description", f"{NS['dc']} subject"
_LISTS, _LI = {f"{NS['rdf']} Bag", f"{NS['rdf']} Seq"}, f"{NS['rdf']} li"
_OWN = f"{NS['photoapp']} tags"  # attribute: what Photoapp wrote last time, tab-separated
# A start tag of well-formed XML (expat has checked it): name, then attributes, whose
# quoted values cannot contain their own quote, so this match ends exactly at its ">".
_START_TAG = re.compile(rb"<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>")
_ATTR = re.compile(rb"\s+([^\s=/>]+)\s*=\s*(\"[^\"]*\"|'[^']*')")
_NEW_PACKET = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
    f' <rdf:RDF xmlns:rdf="{NS["rdf"]}">\n'
    '  <rdf:Description rdf:about="">\n'
    "  </rdf:Description>\n"
    " </rdf:RDF>\n"
    "</x:xmpmeta>\n"
    '<?xpacket end="w"?>\n'
).encode()


class SidecarRefused(Exception):
    """A sidecar Photoapp leaves untouched; the message says why (for the problems list)."""


def sidecar_path(photo: str | os.PathLike) -> Path:
    return Path(os.fspath(photo) + ".xmp")


@dataclass(eq=False)  # compared by identity
class _Element:
    name: str  # "namespace-uri local-name"
    qname: bytes  # as written, with its prefix
    start: int  # offset of "<"
    head_end: int  # offset after the start tag's ">"
    empty: bool  # <a/>
    attrs: dict[str, str]  # by "uri local"
    qnames: dict[str, bytes]  # how each attribute's name is written ("uri local" -> b"prefix:local")
    end: int = -1  # offset after the end tag
    children: list[_Element] = field(default_factory=list)
    text: str = ""

    @property
    def prefix(self) -> bytes:
        return self.qname.partition(b":")[0] + b":" if b":" in self.qname else b""


def _parse(data: bytes) -> _Element:
    """The element tree of ``data`` with byte offsets; SidecarRefused if it is not XML."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.namespace_prefixes = True  # names come as "uri local prefix"
    root, stack = [], []

    def start(name: str, attrs: dict) -> None:
        at = parser.CurrentByteIndex
        tag = _START_TAG.match(data, at)
        parts = {a: a.split(" ") for a in (name, *attrs)}  # "uri local prefix"
        key = {a: " ".join(p[:2]) for a, p in parts.items()}
        written = {key[a]: ":".join(p[2:] + p[1:2] or p).encode() for a, p in parts.items()}  # prefix:local
        attributes = {key[a]: v for a, v in attrs.items()}
        el = _Element(key[name], tag.group(1), at, tag.end(), bool(tag.group(3)), attributes, written)
        (stack[-1].children if stack else root).append(el)
        stack.append(el)

    def end(_name: str) -> None:
        el = stack.pop()
        el.end = el.head_end if el.empty else data.index(b">", parser.CurrentByteIndex) + 1

    def text(chars: str) -> None:
        stack[-1].text += chars

    def doctype(*_args) -> None:  # XMP has none; a DOCTYPE could define entities
        raise SidecarRefused("not an XMP packet (it has a DOCTYPE)")

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise SidecarRefused(f"not well-formed XML ({expat.ErrorString(exc.code)}, line {exc.lineno})") from None
    return root[0]


@dataclass
class _Packet:
    """What Photoapp edits in a parsed sidecar."""

    descriptions: list[_Element]
    subject: _Element | None
    items: list[_Element]  # the rdf:li keywords of dc:subject
    own_in: _Element | None  # the rdf:Description carrying photoapp:tags

    @property
    def keywords(self) -> list[str]:
        return [li.text for li in self.items]

    @property
    def own(self) -> set[str]:
        return set(filter(None, self.own_in.attrs[_OWN].split("\t"))) if self.own_in else set()


def _read(data: bytes) -> _Packet:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise SidecarRefused("not UTF-8 (Photoapp only edits UTF-8 XMP)") from None
    root = _parse(data)
    rdf = [root] if root.name == f"{NS['rdf']} RDF" else [c for c in root.children if c.name == f"{NS['rdf']} RDF"]
    descriptions = [d for r in rdf for d in r.children if d.name == _DESCRIPTION]
    if root.name not in (f"{NS['x']} xmpmeta", f"{NS['x']} xapmeta", f"{NS['rdf']} RDF") or not descriptions:
        raise SidecarRefused("not an XMP packet (no x:xmpmeta/rdf:RDF/rdf:Description)")
    subjects = [c for d in descriptions for c in d.children if c.name == _SUBJECT]
    if len(subjects) > 1:
        raise SidecarRefused("more than one dc:subject")
    subject = subjects[0] if subjects else None
    items: list[_Element] = []
    if subject is not None:
        lists = subject.children
        if (
            len(lists) != 1
            or lists[0].name not in _LISTS
            or any(li.name != _LI or li.children for li in lists[0].children)
        ):
            raise SidecarRefused("dc:subject is not a list of keywords")
        items = lists[0].children
    own_in = next((d for d in descriptions if _OWN in d.attrs), None)
    return _Packet(descriptions, subject, items, own_in)


def read_subjects(path: str | os.PathLike) -> list[str]:
    """The ``dc:subject`` keywords of an XMP file (sidecar path), in order; none if it
    cannot be read as XMP."""
    try:
        return _read(Path(path).read_bytes()).keywords
    except (OSError, SidecarRefused):
        return []


def _escape(text: str, attribute: bool = False) -> bytes:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:  # a tab in an attribute would read back as a space
        text = text.replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
    return text.encode("utf-8")


def _indent(data: bytes, at: int) -> bytes:
    """The whitespace an element starting at ``at`` is indented by on its line."""
    line = data.rfind(b"\n", 0, at) + 1
    lead = data[line:at]
    return lead if not lead.strip() else b" "


def _leading_space(data: bytes, at: int) -> int:
    """Where the whitespace before offset ``at`` begins (removing an element takes its line)."""
    while at > 0 and data[at - 1 : at] in (b" ", b"\t", b"\n", b"\r"):
        at -= 1
    return at


def _own_attribute(data: bytes, desc: _Element, own: set[str]) -> list[tuple[int, int, bytes]]:
    """The edits that make ``desc``'s photoapp:tags attribute list ``own``; with none left
    the attribute (and a declaration only it used) goes, so the sidecar is as it was."""
    tag = _START_TAG.match(data, desc.start)
    attrs = list(_ATTR.finditer(data, tag.start(2), tag.end(2)))
    quoted = b'"' + _escape("\t".join(sorted(own)), attribute=True) + b'"'
    ours = next((a for a in attrs if a.group(1) == desc.qnames.get(_OWN)), None)
    if ours is not None and own:
        return [(ours.start(2), ours.end(2), quoted)]
    if ours is not None:
        prefix = ours.group(1).partition(b":")[0]
        decl = b"xmlns:" + prefix if data.count(prefix + b":") == 1 else None  # used by nothing else
        return [(a.start(), a.end(), b"") for a in attrs if a is ours or a.group(1) == decl]
    names = {a.group(1) for a in attrs}
    prefix = next(p for p in (b"photoapp", *(b"photoapp%d" % i for i in range(1, 100))) if b"xmlns:" + p not in names)
    decl = b" xmlns:" + prefix + b'="' + NS["photoapp"].encode() + b'"'
    return [(tag.end(2), tag.end(2), decl + b" " + prefix + b":tags=" + quoted)]


def _items(prefix: bytes, keywords: list[str], indent: bytes) -> bytes:
    """``<rdf:li>`` lines (``prefix`` is rdf's), each on its own line."""
    return b"".join(b"\n" + indent + b"<" + prefix + b"li>" + _escape(k) + b"</" + prefix + b"li>" for k in keywords)


def _subject_xml(prefix: bytes, keywords: list[str], indent: bytes, step: bytes) -> bytes:
    """A new dc:subject element (``prefix`` is rdf's), declaring dc itself."""
    lis = _items(prefix, keywords, indent + step * 2)
    return (
        b'<dc:subject xmlns:dc="' + NS["dc"].encode() + b'">\n'
        + indent + step + b"<" + prefix + b"Bag>" + lis + b"\n" + indent + step + b"</" + prefix + b"Bag>\n"
        + indent + b"</dc:subject>"
    )  # fmt: skip


def _edits(data: bytes, packet: _Packet, tags: list[str]) -> tuple[list[tuple[int, int, bytes]], list[str], set[str]]:
    """(start, end, replacement) byte edits that bring ``tags`` into the sidecar, with the
    keywords and Photoapp's own subjects the result must read back as."""
    existing, ours_before = packet.keywords, packet.own
    gone = [li for li in packet.items if li.text in ours_before and li.text not in tags]
    added = sorted(t for t in set(tags) if t not in existing)
    # A tag another program had put there already stays that program's keyword.
    own = {t for t in tags if t in ours_before or t not in existing}
    edits: list[tuple[int, int, bytes]] = []
    subject, kept = packet.subject, len(existing) - len(gone) + len(added)
    if subject is not None and kept == 0 and gone:
        edits.append((_leading_space(data, subject.start), subject.end, b""))
    elif subject is not None:
        edits += [(_leading_space(data, li.start), li.end, b"") for li in gone]
        bag = subject.children[0]
        last = packet.items[-1] if packet.items else None
        indent = _indent(data, last.start) if last else _indent(data, bag.start) + b" "
        lis = _items(bag.prefix, added, indent)
        if bag.empty and lis:  # <rdf:Bag/>
            closing = b">" + lis + b"\n" + _indent(data, bag.start) + b"</" + bag.qname + b">"
            edits.append((bag.head_end - 2, bag.head_end, closing))
        elif lis:
            edits.append((last.end if last else bag.head_end, last.end if last else bag.head_end, lis))
    elif added:
        desc = packet.own_in or packet.descriptions[0]
        base = _indent(data, desc.start)
        inner = _indent(data, desc.children[0].start) if desc.children else base + b" "
        step = inner[len(base) :] or b" "
        xml = b"\n" + inner + _subject_xml(desc.prefix, added, inner, step)
        if desc.empty:  # <rdf:Description .../>
            edits.append((desc.head_end - 2, desc.head_end, b">" + xml + b"\n" + base + b"</" + desc.qname + b">"))
        else:
            at = desc.children[-1].end if desc.children else desc.head_end
            edits.append((at, at, xml))
    if own != ours_before or bool(own) != (packet.own_in is not None):
        holder = next((d for d in packet.descriptions if subject in d.children), packet.descriptions[0])
        edits += _own_attribute(data, packet.own_in or holder, own)
    return edits, [li.text for li in packet.items if li not in gone] + added, own


def merged(data: bytes, tags: list[str]) -> bytes | None:
    """``data`` (a sidecar's bytes) with ``tags`` as Photoapp's subjects, every other byte
    as it was; None when nothing needs to change. SidecarRefused if it cannot be done."""
    edits, keywords, own = _edits(data, _read(data), tags)
    if not edits:
        return None
    out = data
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):  # back to front
        out = out[:start] + new + out[end:]
    try:
        after = _read(out)  # checked, never trusted: the edit must read back as intended
    except SidecarRefused:
        after = None
    if after is None or after.keywords != keywords or after.own != own:
        raise SidecarRefused("its keywords could not be merged safely")
    return out


def _check_replaceable(path: Path) -> os.stat_result | None:
    """The sidecar's stat, None if there is none; SidecarRefused if it is not a plain file
    Photoapp may replace keeping its owner."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SidecarRefused(f"cannot be read: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        raise SidecarRefused("is a symbolic link")
    if stat.S_ISDIR(st.st_mode):
        raise SidecarRefused("is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise SidecarRefused("not a regular file")
    if st.st_nlink > 1:
        raise SidecarRefused("has other hard links (replacing it would split them)")
    if st.st_size > MAX_SIDECAR_BYTES:
        raise SidecarRefused(f"too large ({human_size(st.st_size)}; the limit is {human_size(MAX_SIDECAR_BYTES)})")
    if hasattr(os, "geteuid") and os.geteuid() not in (0, st.st_uid):
        raise SidecarRefused("owned by another user (replacing it would change its owner)")
    return st


def write_sidecar(photo: str | os.PathLike, tags: list[str], also=None) -> Path | None:
    """Make ``tags`` Photoapp's subjects in the photo's sidecar, merged with what is there,
    then apply ``also`` (bytes -> edited bytes or None: the marks, xmp_marks.py) if given;
    returns its path, or None when nothing needed writing. SidecarRefused: the sidecar is
    left as it was (unreadable, malformed, not ours to replace); OSError: writing failed."""
    path = sidecar_path(photo)
    if not path.parent.is_dir():  # never made: the folder of an unplugged drive is not ours to create
        raise FileNotFoundError(errno.ENOENT, "the photo's folder is missing", str(path.parent))
    st = _check_replaceable(path)
    if st is None and not tags and also is None:
        return None
    try:
        data = path.read_bytes() if st is not None else _NEW_PACKET
    except OSError as exc:
        raise SidecarRefused(f"cannot be read: {exc.strerror}") from None
    new = merged(data, tags)
    if also is not None:
        new = also(data if new is None else new) or new
    if new is None:
        return None
    atomic_write_bytes(path, new, like=st, private=False)
    return path
