#!/usr/bin/env python3
"""Peak memory and time of `tmine extract` on huge single inputs (issue: a 1 GB XML document, a
single 500 MB line). Writes the files to a temporary folder (or --dir), runs the release build
under /usr/bin/time, prints one JSON line per input: size, seconds, peak RSS, RSS / size.

    Scripts/huge-inputs.py [--xml-mb 1024] [--line-mb 500] [--dir /tmp]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORDS = ("the data protected time we never had clinical hype model safety trust regulation "
         "culture clash mentor training patients doctors future career balance").split()


def write_xml(path, megabytes):
    target = megabytes * 1024 * 1024
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader>'
                '<profileDesc><particDesc><person xml:id="I" role="interviewer"/><person xml:id="P1" '
                'role="participant"/></particDesc></profileDesc></teiHeader><text><body>\n')
        turn = 0
        line = " ".join(WORDS) + ". "
        while f.tell() < target:
            who = "#I" if turn % 2 == 0 else "#P1"
            f.write(f'<u who="{who}">' + line * 8 + "</u>\n")
            turn += 1
        f.write("</body></text></TEI>\n")


def write_line(path, megabytes):
    target = megabytes * 1024 * 1024
    chunk = (" ".join(WORDS) + " ") * 1000
    with open(path, "w", encoding="utf-8") as f:
        f.write("P1: ")
        while f.tell() < target:
            f.write(chunk)
        f.write("\n")


def measure(tmine, path):
    # `plain` prints the document's text: the reading is measured, not the formatting of turns.
    run = subprocess.run(["/usr/bin/time", "-v", tmine, "extract", path, "--format", "plain"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1)) * 1024
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", run.stderr).group(1)
    seconds = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    size = os.path.getsize(path)
    return {"file": os.path.basename(path), "mb": round(size / 2**20), "status": run.returncode,
            "seconds": round(seconds, 2), "peak_rss_mb": round(rss / 2**20), "rss_per_byte": round(rss / size, 2),
            "error": run.stderr.split("\n\tCommand being timed")[0].strip()[-300:] if run.returncode else None}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--xml-mb", type=int, default=1024)
    parser.add_argument("--line-mb", type=int, default=500)
    parser.add_argument("--dir")
    args = parser.parse_args()
    tmine = os.path.join(ROOT, ".build", "release", "tmine")
    if not os.path.exists(tmine):
        subprocess.run(["swift", "build", "-c", "release", "--product", "tmine"], cwd=ROOT, check=True,
                       stdout=sys.stderr)
    work = tempfile.mkdtemp(prefix="tmine-huge-", dir=args.dir)
    try:
        line = os.path.join(work, "one-line.txt")
        write_line(line, args.line_mb)
        print(json.dumps(measure(tmine, line)), flush=True)
        os.remove(line)
        xml = os.path.join(work, "huge.xml")
        write_xml(xml, args.xml_mb)
        print(json.dumps(measure(tmine, xml)), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
