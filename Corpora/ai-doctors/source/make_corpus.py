#!/usr/bin/env python3
"""Renders the sample study's interviews (interviews.py) into the formats researchers meet.

Run from anywhere: python3 Corpora/ai-doctors/source/make_corpus.py
Needs python-docx (pip install python-docx) and, for the LibreOffice-written file, soffice
(apt-get install libreoffice-writer-nogui). The outputs are committed, so tests and the sample
pipeline never need either tool.
"""
import csv
import html
import os
import shutil
import subprocess
import tempfile
from xml.sax.saxutils import escape, quoteattr

import docx
from docx.shared import Pt

from interviews import INTERVIEWS

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
INTERVIEWER = "Helen Carter"  # invented name of the study's interviewer


def timed(turns):
    """Turns with invented start and end seconds: about 2.6 words a second plus a pause."""
    clock = 4.0
    for speaker, text in turns:
        length = max(2.0, len(text.split()) / 2.6)
        yield speaker, text, clock, clock + length
        clock += length + 1.5


def clock(seconds, hours=True, millis=False):
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    text = f"{h:02d}:{m:02d}:{s:02d}" if hours else f"{h * 60 + m}:{s:02d}"
    if millis:
        text += f".{int(round((seconds % 1) * 1000)):03d}"
    return text


def title(document, pid):
    document.add_heading(f"Interview {pid[1:]}: doctors working with AI", level=1)
    document.add_paragraph("Transcribed verbatim; identifying details removed.")


def docx_plain_labels(pid, path):
    """Word via python-docx: `Interviewer:` and `P1:` labels, text split over several runs."""
    document = docx.Document()
    title(document, pid)
    for speaker, text in INTERVIEWS[pid]:
        paragraph = document.add_paragraph()
        paragraph.add_run("Interviewer: " if speaker == "I" else f"{pid}: ")
        words = text.split(" ")
        middle = len(words) // 2
        # Word and python-docx often split a sentence over runs, sometimes inside a word.
        first, second = " ".join(words[:middle]), " ".join(words[middle:])
        paragraph.add_run(first[:-2])
        paragraph.add_run(first[-2:] + " ")
        paragraph.add_run(second)
    document.save(path)


def docx_bold_labels(pid, path):
    """Word via python-docx: bold `Interviewer:` / `Participant 2:` labels and a page header."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "CONFIDENTIAL: research data"
    title(document, pid)
    for speaker, text in INTERVIEWS[pid]:
        paragraph = document.add_paragraph()
        label = paragraph.add_run("Interviewer:" if speaker == "I" else f"Participant {pid[1:]}:")
        label.bold = True
        paragraph.add_run(" " + text)
    document.save(path)


def docx_table(pid, path):
    """Word via python-docx: the transcript as a two-column table, Speaker | Transcript."""
    document = docx.Document()
    title(document, pid)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Speaker"
    table.rows[0].cells[1].text = "Transcript"
    for speaker, text in INTERVIEWS[pid]:
        cells = table.add_row().cells
        cells[0].text = "Interviewer" if speaker == "I" else pid
        cells[1].text = text
    document.save(path)


def docx_respondent_with_comment(pid, path):
    """Word via python-docx: `Int:` / `Respondent:` labels and a reviewer's comment."""
    document = docx.Document()
    title(document, pid)
    for number, (speaker, text) in enumerate(INTERVIEWS[pid]):
        paragraph = document.add_paragraph()
        paragraph.add_run("Int: " if speaker == "I" else "Respondent: ")
        run = paragraph.add_run(text)
        if number == 5:
            document.add_comment(run, text="Check: is this the procurement point?", author="Second coder")
    document.save(path)


def docx_teams(pid, path):
    """Word via python-docx, laid out as a Teams transcript: `Name   0:03` then the text."""
    document = docx.Document()
    document.add_paragraph(f"Interview {pid[1:]}-20200402_101500-Meeting Recording")
    document.add_paragraph("April 2, 2020, 10:15AM")
    for speaker, text, start, _ in timed(INTERVIEWS[pid]):
        name = INTERVIEWER if speaker == "I" else pid
        document.add_paragraph(f"{name}   {clock(start, hours=False)}")
        document.add_paragraph(text)
    document.save(path)


def docx_libreoffice(pid, path):
    """Word written by LibreOffice (from HTML with bold labels), whose XML differs from Word's."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("soffice not found: apt-get install libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory() as work:
        source = os.path.join(work, "interview.html")
        with open(source, "w", encoding="utf-8") as out:
            out.write("<html><body><h1>Interview 5: doctors working with AI</h1>\n")
            for speaker, text in INTERVIEWS[pid]:
                label = "Interviewer:" if speaker == "I" else f"Participant {pid[1:]}:"
                out.write(f"<p><b>{label}</b> {html.escape(text)}</p>\n")
            out.write("</body></html>\n")
        subprocess.run([soffice, "--headless", "--convert-to", "docx:MS Word 2007 XML", "--outdir", work, source],
                       check=True, capture_output=True)
        shutil.move(os.path.join(work, "interview.docx"), path)


def tei(pid, path):
    people = (f'<person xml:id="INT" role="interviewer"><persName>{INTERVIEWER}</persName></person>'
              f'<person xml:id="{pid}" role="participant"><persName>{pid}</persName></person>')
    whens, utterances = [], []
    for number, (speaker, text, start, _) in enumerate(timed(INTERVIEWS[pid])):
        whens.append(f'<when xml:id="T{number}" interval="{start:.1f}" since="#T0"/>')
        who = "#INT" if speaker == "I" else f"#{pid}"
        body = escape(text)
        if number == 3:
            body = body.replace(". ", '. <pause dur="PT2S"/><incident><desc>laughs</desc></incident> ', 1)
        utterances.append(f'      <u who="{who}" start="#T{number}">{body}</u>')
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns="http://www.tei-c.org/ns/1.0">\n'
                  f'  <teiHeader><fileDesc><titleStmt><title>Interview {pid}</title></titleStmt>'
                  '<publicationStmt><p>Sample study</p></publicationStmt>'
                  '<sourceDesc><recordingStmt><recording type="audio"/></recordingStmt></sourceDesc></fileDesc>\n'
                  f'  <profileDesc><particDesc><listPerson>{people}</listPerson></particDesc></profileDesc>'
                  '</teiHeader>\n  <text><timeline unit="s" origin="#T0">' + "".join(whens) + '</timeline>\n'
                  '    <body>\n' + "\n".join(utterances) + '\n    </body>\n  </text>\n</TEI>\n')


def trs(pid, path):
    turns = []
    for speaker, text, start, end in timed(INTERVIEWS[pid]):
        spk = "spk1" if speaker == "I" else "spk2"
        words = text.split(" ")
        half = " ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2:])
        turns.append(f'<Turn speaker="{spk}" startTime="{start:.3f}" endTime="{end:.3f}">\n'
                     f'<Sync time="{start:.3f}"/>\n{escape(half[0])}\n'
                     f'<Sync time="{(start + end) / 2:.3f}"/>\n{escape(half[1])}\n</Turn>')
    last = list(timed(INTERVIEWS[pid]))[-1][3]
    with open(path, "w", encoding="ISO-8859-1", errors="xmlcharrefreplace") as out:
        out.write('<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE Trans SYSTEM "trans-14.dtd">\n'
                  f'<Trans scribe="sample" audio_filename="{pid}" version="1" version_date="200402">\n'
                  '<Speakers>\n<Speaker id="spk1" name="Interviewer" check="no" dialect="native" '
                  'accent="" scope="local"/>\n'
                  f'<Speaker id="spk2" name="{pid}" check="no" dialect="native" accent="" scope="local"/>\n'
                  f'</Speakers>\n<Episode>\n<Section type="report" startTime="0" endTime="{last:.3f}">\n'
                  + "\n".join(turns) + '\n</Section>\n</Episode>\n</Trans>\n')


def eaf(pid, path):
    slots, tiers = [], {"Interviewer": [], pid: []}
    for number, (speaker, text, start, end) in enumerate(timed(INTERVIEWS[pid])):
        slots.append(f'<TIME_SLOT TIME_SLOT_ID="ts{2 * number + 1}" TIME_VALUE="{int(start * 1000)}"/>')
        slots.append(f'<TIME_SLOT TIME_SLOT_ID="ts{2 * number + 2}" TIME_VALUE="{int(end * 1000)}"/>')
        tier = "Interviewer" if speaker == "I" else pid
        tiers[tier].append(
            f'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a{number + 1}" TIME_SLOT_REF1="ts{2 * number + 1}" '
            f'TIME_SLOT_REF2="ts{2 * number + 2}"><ANNOTATION_VALUE>{escape(text)}</ANNOTATION_VALUE>'
            '</ALIGNABLE_ANNOTATION></ANNOTATION>')
    body = "".join(
        f'<TIER LINGUISTIC_TYPE_REF="default-lt" PARTICIPANT={quoteattr(name)} TIER_ID={quoteattr(name)}>'
        + "\n".join(annotations) + "</TIER>\n" for name, annotations in tiers.items())
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<ANNOTATION_DOCUMENT AUTHOR="" DATE="2020-04-02T10:00:00+00:00" FORMAT="3.0" VERSION="3.0">\n'
                  '<HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>\n<TIME_ORDER>' + "".join(slots)
                  + '</TIME_ORDER>\n' + body
                  + '<LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="default-lt" '
                  'TIME_ALIGNABLE="true"/>\n</ANNOTATION_DOCUMENT>\n')


def vtt(pid, path):
    """Teams-style WebVTT: cue ids, voice tags; long turns split over several cues."""
    cues = ["WEBVTT", ""]
    for number, (speaker, text, start, end) in enumerate(timed(INTERVIEWS[pid])):
        name = INTERVIEWER if speaker == "I" else f"Participant {pid[1:]}"
        sentences = [s for s in text.replace(". ", ".\n").split("\n") if s]
        step = (end - start) / len(sentences)
        for part, sentence in enumerate(sentences):
            cue_start = start + part * step
            cues += [f"{number}-{part}", f"{clock(cue_start, millis=True)} --> {clock(cue_start + step, millis=True)}",
                     f"<v {name}>{escape(sentence)}</v>", ""]
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(cues))


def text(pid, path):
    """Plain text with `I:` / `R:` labels and bracketed timestamps, CRLF line ends and a BOM."""
    lines = [f"Interview {pid[1:]}", ""]
    for speaker, said, start, _ in timed(INTERVIEWS[pid]):
        lines.append(f"[{clock(start)}] {'I' if speaker == 'I' else 'R'}: {said}")
        lines.append("")
    with open(path, "w", encoding="utf-8-sig", newline="\r\n") as out:
        out.write("\n".join(lines))


RENDERERS = [
    ("P1", "interview-01.docx", docx_plain_labels),
    ("P2", "interview-02.docx", docx_bold_labels),
    ("P3", "interview-03.docx", docx_table),
    ("P4", "interview-04.docx", docx_respondent_with_comment),
    ("P5", "interview-05.docx", docx_libreoffice),
    ("P6", "interview-06.docx", docx_teams),
    ("P7", "interview-07.xml", tei),
    ("P8", "interview-08.trs", trs),
    ("P9", "interview-09.eaf", eaf),
    ("P10", "interview-10.vtt", vtt),
    ("P11", "interview-11.txt", text),
]


def main():
    files = {}
    for pid, name, render in RENDERERS:
        render(pid, os.path.join(OUT, name))
        files[pid] = name
    with open(os.path.join(HERE, "study-participants.csv"), encoding="utf-8") as source:
        rows = list(csv.reader(source))
    with open(os.path.join(OUT, "participants.csv"), "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(rows[0] + ["transcript"])
        for row in rows[1:]:
            writer.writerow(row + [files[row[0]]])


if __name__ == "__main__":
    main()
