#!/usr/bin/env python3
"""Builds the binary fixtures of IngestTests (hand-built OOXML packages and broken files).

Run: python3 Tests/IngestTests/Fixtures/make_fixtures.py. Real-writer files (python-docx,
LibreOffice) are the sample study's, in Corpora/ai-doctors.
"""
import io
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
NS = (W + ' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
      ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
      ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
      ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
      ' xmlns:v="urn:schemas-microsoft-com:vml"'
      ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
      ' mc:Ignorable="wps"')

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""

PACKAGE_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""

DOCUMENT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>
<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://example.org/" TargetMode="External"/>
</Relationships>"""


def run(text, bold=False, space=True):
    props = "<w:rPr><w:b/></w:rPr>" if bold else "<w:rPr><w:lang w:val=\"en-GB\"/></w:rPr>"
    attr = ' xml:space="preserve"' if space else ""
    return f"<w:r>{props}<w:t{attr}>{text}</w:t></w:r>"


# Every construct of WordprocessingML body text the reader must handle, one paragraph each.
FEATURES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {NS}><w:body>
<w:p><w:pPr><w:rPr><w:b/></w:rPr></w:pPr>{run("Inter")}{run("viewer: Tell me about ")}<w:proofErr w:type="spellStart"/>{run("protec")}<w:bookmarkStart w:id="0" w:name="x"/>{run("ted")}<w:bookmarkEnd w:id="0"/><w:proofErr w:type="spellEnd"/>{run(" time?")}</w:p>
<w:p>{run("P3:", bold=True)}{run(" We had")}<w:r><w:tab/></w:r>{run("none")}<w:r><w:lastRenderedPageBreak/><w:br/></w:r>{run("at all, a work")}<w:r><w:noBreakHyphen/></w:r>{run("life bal")}<w:r><w:softHyphen/></w:r>{run("ance.")}</w:p>
<w:p>{run("See ")}<w:hyperlink r:id="rId5">{run("the guidance")}</w:hyperlink>{run(" and ")}<w:smartTag w:uri="urn:x" w:element="place">{run("Leeds")}</w:smartTag>{run(".")}</w:p>
<w:p><w:sdt><w:sdtPr><w:rPr><w:b/></w:rPr><w:alias w:val="Site"/></w:sdtPr><w:sdtContent>{run("Content control text")}</w:sdtContent></w:sdt></w:p>
<w:p>{run("Field: ")}<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> HYPERLINK "https://example.org" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>{run("field result")}<w:r><w:fldChar w:fldCharType="end"/></w:r>{run(" and ")}<w:fldSimple w:instr=" DATE \\@ &quot;d MMMM yyyy&quot; ">{run("2 April 2020")}</w:fldSimple></w:p>
<w:p>{run("Tracked: ")}<w:ins w:id="1" w:author="A">{run("inserted ")}</w:ins><w:del w:id="2" w:author="A"><w:r><w:delText xml:space="preserve">deleted </w:delText></w:r></w:del><w:moveFrom w:id="3" w:author="A">{run("moved away ")}</w:moveFrom><w:moveTo w:id="4" w:author="A">{run("moved here")}</w:moveTo></w:p>
<w:p>{run("Before box. ")}<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent><w:p>{run("Text box text")}</w:p></w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p>{run("Text box text")}</w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>{run("After box.")}</w:p>
<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>
<w:tr><w:tc><w:tcPr><w:tcW w:w="2000" w:type="dxa"/></w:tcPr><w:p>{run("Interviewer")}</w:p></w:tc><w:tc><w:p>{run("A question in a table?")}</w:p></w:tc></w:tr>
<w:tr><w:tc><w:p>{run("P3")}</w:p></w:tc><w:tc><w:p>{run("First paragraph of a cell.")}</w:p><w:p>{run("Second paragraph of a cell.")}</w:p></w:tc></w:tr>
</w:tbl>
<w:p/>
<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>
</w:body></w:document>"""

COMMENTS = f"""<?xml version="1.0" encoding="UTF-8"?><w:comments {W}><w:comment w:id="0" w:author="B"><w:p>{run("A coder's comment")}</w:p></w:comment></w:comments>"""
FOOTNOTES = f"""<?xml version="1.0" encoding="UTF-8"?><w:footnotes {W}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p>{run("A footnote")}</w:p></w:footnote></w:footnotes>"""
HEADER = f"""<?xml version="1.0" encoding="UTF-8"?><w:hdr {W}><w:p>{run("CONFIDENTIAL header")}</w:p></w:hdr>"""


def package(path, parts, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def cfb(streams):
    """A stand-in OLE compound file: the magic number and directory names in UTF-16LE."""
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    for name in streams:
        body += name.encode("utf-16-le") + b"\x00" * (64 - 2 * len(name))
    return body + b"\x00" * 512


def main():
    out = lambda name: os.path.join(HERE, name)
    package(out("word-features.docx"), {
        "[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": PACKAGE_RELS,
        "word/document.xml": FEATURES, "word/_rels/document.xml.rels": DOCUMENT_RELS,
        "word/comments.xml": COMMENTS, "word/footnotes.xml": FOOTNOTES, "word/header1.xml": HEADER})
    package(out("no-document-part.docx"), {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": PACKAGE_RELS})
    with open(out("word-features.docx"), "rb") as source:
        whole = source.read()
    with open(out("truncated.docx"), "wb") as target:
        target.write(whole[: len(whole) // 2])
    bomb = f'<?xml version="1.0"?><w:document {W}><w:body><w:p><w:r><w:t>' + "a" * 40_000_000 + "</w:t></w:r></w:p></w:body></w:document>"
    package(out("zip-bomb.docx"), {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": PACKAGE_RELS,
                                   "word/document.xml": bomb})
    broken = FEATURES.replace("<w:p>" + run("See "), "<w:p>" + run("See ").replace("</w:t>", ""), 1)
    package(out("broken-xml.docx"), {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": PACKAGE_RELS,
                                     "word/document.xml": broken})
    with open(out("legacy-word.doc"), "wb") as target:
        target.write(cfb(["Root Entry", "WordDocument", "1Table", "SummaryInformation"]))
    with open(out("encrypted.docx"), "wb") as target:
        target.write(cfb(["Root Entry", "EncryptionInfo", "EncryptedPackage", "DataSpaces"]))
    with open(out("really-html.docx"), "w") as target:
        target.write("<!DOCTYPE html>\n<html><body><p>Interviewer: hello</p></body></html>\n")
    with open(out("really-rtf.docx"), "w") as target:
        target.write("{\\rtf1\\ansi Interviewer: hello}\n")
    open(out("empty.docx"), "wb").close()


if __name__ == "__main__":
    main()
