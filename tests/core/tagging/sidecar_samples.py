"""Sidecars as other programs write them (issue 29, finding 6): darktable 4.x and digiKam 8
(through Exiv2), with the parts a careless rewrite loses - the xpacket wrapper and its
padding, comments, single-quoted and entity-escaped attributes, darktable's edit history,
digiKam's tag tree, Lightroom's hierarchical keywords - and the keyword "family"."""

from __future__ import annotations

DARKTABLE = """<?xml version="1.0" encoding="UTF-8"?>
<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<!-- darktable 4.6.1: the edit history of IMG_1.jpg -->
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:darktable="http://darktable.sf.net/"
   exif:DateTimeOriginal="2023:07:14 18:02:11.000"
   xmp:Rating="3"
   xmpMM:DerivedFrom="IMG_1.jpg"
   darktable:import_timestamp="63826798931000000"
   darktable:xmp_version='5'
   darktable:history_end="2"
   darktable:iop_order_version="4">
   <darktable:masks_history>
    <rdf:Seq/>
   </darktable:masks_history>
   <darktable:history>
    <rdf:Seq>
     <rdf:li
      darktable:num="0"
      darktable:operation="exposure"
      darktable:enabled="1"
      darktable:modversion="6"
      darktable:params="0000000000000000cdcc4c3e0000803f"
      darktable:multi_name=""
      darktable:blendop_params="gz08eJxjYGBgYAFiCQYYOOHEgAYY0QWAgBGLGANDgz0Ei/Fq4"/>
     <rdf:li
      darktable:num="1"
      darktable:operation="colorbalancergb"
      darktable:enabled="1"
      darktable:modversion="5"
      darktable:params="gz04eJxjYGBg0FEb+Qw2YpAAAAfkAY4="
      darktable:multi_name="warm &amp; bright"
      darktable:blendop_params="gz08eJxjYGBgYAFiCQYYOOHEgAYY0QWAgBGLGANDgz0Ei/Fq4"/>
    </rdf:Seq>
   </darktable:history>
   <!-- keywords: darktable's tags -->
   <dc:subject>
    <rdf:Bag>
     <rdf:li>family</rdf:li>
     <rdf:li>darktable|format|jpg</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>people|family</rdf:li>
     <rdf:li>darktable|format|jpg</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
"""

DIGIKAM = (
    """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:digiKam="http://www.digikam.org/ns/1.0/"
    xmlns:MicrosoftPhoto="http://ns.microsoft.com/photo/1.0/"
    xmlns:acdsee="http://ns.acdsee.com/iptc/1.0/"
    xmlns:mediapro="http://ns.iview-multimedia.com/mediapro/1.0/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
   xmp:Rating="4"
   xmpMM:InstanceID="uuid:5e4a2f1c-8d3b-4c2e-9f1a-2b7c6d5e4f3a"
   MicrosoftPhoto:Rating="75"
   acdsee:categories="&lt;Categories&gt;&lt;Category Assigned=&quot;1&quot;&gt;People&lt;/Category&gt;">
   <digiKam:TagsList>
    <rdf:Seq>
     <rdf:li>People/family</rdf:li>
     <rdf:li>Places/Lake Garda</rdf:li>
    </rdf:Seq>
   </digiKam:TagsList>
   <MicrosoftPhoto:LastKeywordXMP>
    <rdf:Bag>
     <rdf:li>People/family</rdf:li>
    </rdf:Bag>
   </MicrosoftPhoto:LastKeywordXMP>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>People|family</rdf:li>
     <rdf:li>Places|Lake Garda</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
   <mediapro:CatalogSets>
    <rdf:Bag>
     <rdf:li>People|family</rdf:li>
    </rdf:Bag>
   </mediapro:CatalogSets>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>family</rdf:li>
     <rdf:li>Lake Garda</rdf:li>
    </rdf:Bag>
   </dc:subject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<!-- digiKam leaves room to grow in place -->
"""
    + (" " * 99 + "\n") * 20
    + '<?xpacket end="w"?>'
)

SAMPLES = {"darktable": DARKTABLE, "digikam": DIGIKAM}
KEYWORDS = {"darktable": ["family", "darktable|format|jpg"], "digikam": ["family", "Lake Garda"]}
