#!/usr/bin/env python3
"""The bench's corpus as transcripts as people have them, and two builds timed on each.

    input-variants.py CORPUS_DIR OUT_DIR [--compare OLD_TMINE NEW_TMINE] [--rounds 5]

From a corpus made by shared/bench/gen_corpus.py (its text/*.txt and participants.csv), writes
beside each other in OUT_DIR, each with a text/ folder and the participants.csv:

  crlf     Windows line ends
  utf16    UTF-16 (little-endian, with BOM) and CRLF, as Windows' "Unicode" save writes it
  utf32    the first 30 files in UTF-32 with BOM
  accents  a third of the word types given an accent (é, à, ô), speaker labels left alone
  cp1252   the accented copy in Windows-1252 (read with --fallback-encoding windows-1252)
  vtt      Teams captions: a cue of at most 20 words with a voice tag, 5 s each
  zoom     the same cues with a `Name: ` prefix instead of the tag
  trs      Transcriber XML, one Turn a turn
  eaf      ELAN XML, a tier a speaker, an annotation a turn with its two time slots
  headers  a `Name   m:ss` line above each turn and a blank line after it, as Teams' and Otter's
           transcripts are laid out (a turn whose text starts `Word:` may read as a label there)
  word     the corpus's .docx (its docx/ folder) as Word itself writes a document: runs split
           where the text was edited (rsid), each with its fonts, size and language, bold
           labels, spelling marks, bookmarks and comment anchors; 8-9x the markup of the
           bench's python-docx files for the same text

Plain, crlf, utf16, vtt, zoom, trs, eaf and word hold the same words: `tmine freq --by split` gives the
same bytes from each. With --compare, each exploring command of session 65's table is run on its
copy by both builds in turn (ABAB, then BABA) and the medians of CPU and wall are printed as a
Markdown table.
"""
import argparse
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import time
import random
import zipfile
import zlib
from xml.sax.saxutils import escape, quoteattr

LABEL = re.compile(r"^([^:]{1,40}):\s*(.*)$")


def turns(text):
    return [(m.group(1), m.group(2)) for m in map(LABEL.match, text.split("\n")) if m]


def accented(word):
    # Deterministic by the word, so a word type is accented everywhere or nowhere.
    h, w = zlib.crc32(word.group(0).encode()) % 10, word.group(0)
    if h < 3 and "e" in w:
        return w.replace("e", "é", 1)
    if h == 3 and "a" in w:
        return w.replace("a", "à", 1)
    if h == 4 and "o" in w:
        return w.replace("o", "ô", 1)
    return w


def clock(seconds):
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}.000"


def captions(text, voice_tags):
    out, t = ["WEBVTT", ""], 0
    for i, (speaker, said) in enumerate(turns(text)):
        words = said.split(" ")
        for j in range(0, len(words), 20):
            chunk = " ".join(words[j:j + 20])
            payload = f"<v {speaker}>{chunk}</v>" if voice_tags else f"{speaker}: {chunk}"
            out += [f"{i}-{j}", f"{clock(t)} --> {clock(t + 5)}", payload, ""]
            t += 5
    return "\n".join(out)


def transcriber(text):
    spoken = turns(text)
    ids = {s: f"spk{i + 1}" for i, s in enumerate(sorted({s for s, _ in spoken}))}
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<Trans scribe="x" version="1">', "<Speakers>"]
    out += [f"<Speaker id=\"{ids[s]}\" name={quoteattr(s)}/>" for s in ids]
    out.append('</Speakers><Episode><Section type="report" startTime="0" endTime="99999">')
    for t, (s, said) in enumerate(spoken):
        out.append(f'<Turn speaker="{ids[s]}" startTime="{5 * t}" endTime="{5 * t + 5}">\n'
                   f'<Sync time="{5 * t}"/>\n{escape(said)}\n</Turn>')
    out.append("</Section></Episode></Trans>")
    return "\n".join(out)


# Word 2016's namespace declarations on w:document, which every element's parse resolves against.
WORD_NAMESPACES = " ".join(f'xmlns:{p}="{u}"' for p, u in [
    ("wpc", "http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas"),
    ("cx", "http://schemas.microsoft.com/office/drawing/2014/chartex"),
    ("aink", "http://schemas.microsoft.com/office/drawing/2016/ink"),
    ("am3d", "http://schemas.microsoft.com/office/drawing/2017/model3d"),
    ("mc", "http://schemas.openxmlformats.org/markup-compatibility/2006"),
    ("o", "urn:schemas-microsoft-com:office:office"),
    ("r", "http://schemas.openxmlformats.org/officeDocument/2006/relationships"),
    ("m", "http://schemas.openxmlformats.org/officeDocument/2006/math"),
    ("v", "urn:schemas-microsoft-com:vml"),
    ("wp14", "http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing"),
    ("wp", "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"),
    ("w10", "urn:schemas-microsoft-com:office:word"),
    ("w", "http://schemas.openxmlformats.org/wordprocessingml/2006/main"),
    ("w14", "http://schemas.microsoft.com/office/word/2010/wordml"),
    ("w15", "http://schemas.microsoft.com/office/word/2012/wordml"),
    ("w16cex", "http://schemas.microsoft.com/office/word/2018/wordml/cex"),
    ("w16cid", "http://schemas.microsoft.com/office/word/2016/wordml/cid"),
    ("w16", "http://schemas.microsoft.com/office/word/2018/wordml"),
    ("w16se", "http://schemas.microsoft.com/office/word/2015/wordml/symex"),
    ("wpg", "http://schemas.microsoft.com/office/word/2010/wordprocessingGroup"),
    ("wpi", "http://schemas.microsoft.com/office/word/2010/wordprocessingInk"),
    ("wne", "http://schemas.microsoft.com/office/word/2006/wordml"),
    ("wps", "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"),
]) + ' mc:Ignorable="w14 w15 w16se w16cid w16 w16cex wp14"'

RUN_PROPERTIES = ('<w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/>{bold}<w:sz w:val="22"/>'
                  '<w:szCs w:val="22"/><w:lang w:val="en-GB"/>')


def word_document(text, seed):
    """document.xml for text's lines as Word writes them after a transcriber's edits."""
    rng = random.Random(seed)
    sessions = [f"00{rng.randrange(16 ** 6):06X}" for _ in range(12)]
    plain = "<w:rPr>" + RUN_PROPERTIES.format(bold="") + "</w:rPr>"
    bold = "<w:rPr>" + RUN_PROPERTIES.format(bold="<w:b/><w:bCs/>") + "</w:rPr>"
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
           f"<w:document {WORD_NAMESPACES}><w:body>"]
    marks = 0

    def run(piece, properties=plain):
        space = ' xml:space="preserve"' if piece[:1] == " " or piece[-1:] == " " else ""
        return f'<w:r w:rsidR="{rng.choice(sessions)}">{properties}<w:t{space}>{escape(piece)}</w:t></w:r>'

    for line in text.split("\n"):
        out.append(f'<w:p w14:paraId="{rng.randrange(16 ** 8):08X}" w14:textId="77777777" '
                   f'w:rsidR="{sessions[0]}" w:rsidRDefault="{rng.choice(sessions)}" w:rsidP="{sessions[1]}">'
                   f'<w:pPr><w:spacing w:after="120" w:line="276" w:lineRule="auto"/>{plain}</w:pPr>')
        label = LABEL.match(line)
        if label:
            out.append(run(label.group(1) + ":", bold))
            line = line[len(label.group(1)) + 1:]
        words = re.findall(r"\S+\s*|\s+", line)
        while words:
            take = rng.randint(2, 14)
            piece, words = "".join(words[:take]), words[take:]
            roll = rng.random()
            if roll < 0.08:  # a word Word's speller underlined
                first, _, rest = piece.partition(" ")
                out.append('<w:proofErr w:type="spellStart"/>' + run(first) + '<w:proofErr w:type="spellEnd"/>')
                if rest or piece.endswith(" "):
                    out.append(run(" " + rest))
            elif roll < 0.10:  # a bookmark Word left behind a copy
                marks += 1
                out.append(f'<w:bookmarkStart w:id="{marks}" w:name="_Hlk{rng.randrange(10 ** 8)}"/>'
                           + run(piece) + f'<w:bookmarkEnd w:id="{marks}"/>')
            elif roll < 0.11:  # a comment's anchor
                marks += 1
                out.append(f'<w:commentRangeStart w:id="{marks}"/>' + run(piece)
                           + f'<w:commentRangeEnd w:id="{marks}"/><w:r><w:rPr><w:rStyle w:val="CommentReference"/>'
                           f'</w:rPr><w:commentReference w:id="{marks}"/></w:r>')
            else:
                out.append(run(piece))
        out.append("</w:p>")
    out.append('<w:sectPr w:rsidR="00A1B2C3"><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" '
               'w:right="1440" w:bottom="1440" w:left="1440" w:header="708" w:footer="708" w:gutter="0"/>'
               '<w:cols w:space="708"/><w:docGrid w:linePitch="360"/></w:sectPr></w:body></w:document>')
    return "".join(out).encode("utf-8")


def make_word(corpus, folder, names, texts):
    """The corpus's .docx files with document.xml rewritten as Word writes it, the other parts kept."""
    os.makedirs(os.path.join(folder, "docx"))
    for index, name in enumerate(names):
        source = os.path.join(corpus, "docx", name[:-4] + ".docx")
        with zipfile.ZipFile(source) as original, zipfile.ZipFile(
                os.path.join(folder, "docx", name[:-4] + ".docx"), "w", zipfile.ZIP_DEFLATED) as target:
            for entry in original.infolist():
                data = original.read(entry)
                if entry.filename == "word/document.xml":
                    data = word_document(texts[name], index)
                target.writestr(entry.filename, data)
        shutil.copy(os.path.join(corpus, "text", name), os.path.join(folder, "text", name))


def elan(text):
    spoken = turns(text)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<ANNOTATION_DOCUMENT AUTHOR="" DATE="2024-01-01T00:00:00+00:00" FORMAT="3.0" VERSION="3.0">',
           '<HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>', "<TIME_ORDER>"]
    out += [f'<TIME_SLOT TIME_SLOT_ID="ts{2 * t + 1}" TIME_VALUE="{5000 * t}"/>'
            f'<TIME_SLOT TIME_SLOT_ID="ts{2 * t + 2}" TIME_VALUE="{5000 * t + 5000}"/>' for t in range(len(spoken))]
    out.append("</TIME_ORDER>")
    speakers = list(dict.fromkeys(s for s, _ in spoken))
    annotation = 0
    for speaker in speakers:
        out.append(f'<TIER LINGUISTIC_TYPE_REF="default-lt" PARTICIPANT={quoteattr(speaker)} TIER_ID={quoteattr(speaker)}>')
        for t, (s, said) in enumerate(spoken):
            if s == speaker:
                annotation += 1
                out.append(f'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a{annotation}" TIME_SLOT_REF1="ts{2 * t + 1}" '
                           f'TIME_SLOT_REF2="ts{2 * t + 2}"><ANNOTATION_VALUE>{escape(said)}</ANNOTATION_VALUE>'
                           "</ALIGNABLE_ANNOTATION></ANNOTATION>")
        out.append("</TIER>")
    out.append('<LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="default-lt" TIME_ALIGNABLE="true"/>')
    out.append("</ANNOTATION_DOCUMENT>")
    return "\n".join(out)


def headers(text):
    out = []
    for t, (speaker, said) in enumerate(turns(text)):
        seconds = 7 * (t + 1)
        out.append(f"{speaker}   {seconds // 60}:{seconds % 60:02d}\n{said}\n")
    return "\n".join(out)


def make(corpus, out):
    source = os.path.join(corpus, "text")
    names = sorted(n for n in os.listdir(source) if n.endswith(".txt"))
    texts = {n: open(os.path.join(source, n), encoding="utf-8").read() for n in names}

    def accent_all(text):
        lines = []
        for line in text.split("\n"):
            m = LABEL.match(line)
            lines.append(m.group(1) + ": " + re.sub(r"[A-Za-z]+", accented, m.group(2)) if m else line)
        return "\n".join(lines)

    variants = {
        "crlf": lambda n, t: (n, t.replace("\n", "\r\n").encode("utf-8")),
        "utf16": lambda n, t: (n, t.replace("\n", "\r\n").encode("utf-16")),
        "utf32": lambda n, t: (n, t.encode("utf-32")) if names.index(n) < 30 else None,
        "accents": lambda n, t: (n, accent_all(t).encode("utf-8")),
        "cp1252": lambda n, t: (n, accent_all(t).encode("cp1252", errors="replace")),
        "vtt": lambda n, t: (n[:-4] + ".vtt", captions(t, True).encode("utf-8")),
        "zoom": lambda n, t: (n[:-4] + ".vtt", captions(t, False).encode("utf-8")),
        "trs": lambda n, t: (n[:-4] + ".trs", transcriber(t).encode("utf-8")),
        "eaf": lambda n, t: (n[:-4] + ".eaf", elan(t).encode("utf-8")),
        "headers": lambda n, t: (n, headers(t).encode("utf-8")),
    }
    for variant, convert in variants.items():
        folder = os.path.join(out, variant)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(os.path.join(folder, "text"))
        shutil.copy(os.path.join(corpus, "participants.csv"), folder)
        for name, text in texts.items():
            made = convert(name, text)
            if made:
                with open(os.path.join(folder, "text", made[0]), "wb") as target:
                    target.write(made[1])
    if os.path.isdir(os.path.join(corpus, "docx")):
        folder = os.path.join(out, "word")
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(os.path.join(folder, "text"))
        shutil.copy(os.path.join(corpus, "participants.csv"), folder)
        make_word(corpus, folder, names, texts)
    print(f"variants written to {out}")


def compare(corpus, out, old, new, rounds):
    p = "--participants participants.csv"
    workloads = [
        ("kwic, 4 wildcards", corpus, f"kwic regulat* --also *tion --also mentor* --also *care* text {p} --json"),
        ("kwic --match stem", corpus, f'kwic hype --also "protected time" text {p} --match stem --json'),
        ("freq --stem --by split", corpus, f"freq text {p} --stem --by split --json"),
        ("freq, accented text", os.path.join(out, "accents"), f"freq text {p} --by split --json"),
        ("freq, CRLF line ends", os.path.join(out, "crlf"), f"freq text {p} --by split --json"),
        ("freq, UTF-16 files", os.path.join(out, "utf16"), f"freq text {p} --by split --json"),
        ("extract, Windows-1252", os.path.join(out, "cp1252"), f"extract text {p} --fallback-encoding windows-1252"),
        ("freq, Teams captions", os.path.join(out, "vtt"), f"freq text {p} --by split --json"),
        ("freq, Zoom captions", os.path.join(out, "zoom"), f"freq text {p} --by split --json"),
        ("freq, Transcriber XML", os.path.join(out, "trs"), f"freq text {p} --by split --json"),
        ("freq, ELAN XML", os.path.join(out, "eaf"), f"freq text {p} --by split --json"),
        ("freq, Name   0:03 headers", os.path.join(out, "headers"), f"freq text {p} --by split --json"),
        ("freq, plain UTF-8 text", corpus, f"freq text {p} --by split --json"),
        ("extract, the bench's .docx", corpus, "extract docx --format plain"),
        ("extract, .docx as Word writes it", os.path.join(out, "word"), "extract docx --format plain"),
    ]
    print("| workload | start CPU s | final CPU s | CPU ratio | start wall s | final wall s | wall ratio |")
    print("|---|---|---|---|---|---|---|")
    for name, folder, command in workloads:
        cpu, wall = {old: [], new: []}, {old: [], new: []}
        for round_number in range(rounds):
            for binary in (old, new) if round_number % 2 == 0 else (new, old):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run([binary] + shlex.split(command), cwd=folder, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                wall[binary].append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[binary].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        co, cn = statistics.median(cpu[old]), statistics.median(cpu[new])
        wo, wn = statistics.median(wall[old]), statistics.median(wall[new])
        print(f"| {name} | {co:.3f} | {cn:.3f} | **{cn / co:.2f}×** | {wo:.3f} | {wn:.3f} | {wn / wo:.2f}× |",
              flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("out")
    parser.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    corpus, out = os.path.abspath(args.corpus), os.path.abspath(args.out)
    make(corpus, out)
    if args.compare:
        compare(corpus, out, *map(os.path.abspath, args.compare), args.rounds)


if __name__ == "__main__":
    main()
